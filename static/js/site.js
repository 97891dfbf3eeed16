// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  function initShare(box) {
    var url = box.getAttribute("data-share-url");
    var title = box.getAttribute("data-share-title");
    var status = box.querySelector(".share__status");
    var copy = box.querySelector(".share__copy");
    var nativeBtn = box.querySelector(".share__native");
    if (copy && navigator.clipboard) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        navigator.clipboard.writeText(url).then(function () {
          if (status) status.textContent = copy.getAttribute("data-copied") || "✓";
        });
      });
    }
    if (nativeBtn && navigator.share) {
      nativeBtn.hidden = false;
      nativeBtn.addEventListener("click", function () {
        navigator.share({ title: title, url: url }).catch(function () {});
      });
    }
  }

  document.querySelectorAll(".share").forEach(initShare);
})();
