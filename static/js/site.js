// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // The copy and share buttons sit in hidden list items: shown only where the browser can do what they say.
  function reveal(button) {
    button.closest("li").hidden = false;
  }

  function initShare(box) {
    var url = box.getAttribute("data-share-url");
    var title = box.getAttribute("data-share-title");
    var status = box.querySelector(".share__status");
    var copy = box.querySelector(".share__copy");
    var nativeBtn = box.querySelector(".share__native");
    function say(text) {
      if (status) status.textContent = text;
    }
    if (copy && navigator.clipboard && navigator.clipboard.writeText) {
      reveal(copy);
      copy.addEventListener("click", function () {
        navigator.clipboard.writeText(url).then(
          function () {
            say(copy.getAttribute("data-copied") || "✓");
          },
          function () {
            say((copy.getAttribute("data-failed") || "") + " " + url);
          }
        );
      });
    }
    var data = { title: title, url: url };
    if (nativeBtn && typeof navigator.share === "function" && (!navigator.canShare || navigator.canShare(data))) {
      reveal(nativeBtn);
      nativeBtn.addEventListener("click", function () {
        navigator.share(data).catch(function () {});
      });
    }
  }

  document.querySelectorAll(".share").forEach(initShare);

  // The section row scrolls sideways on a phone. Chromium leaves a link the keyboard reaches half
  // outside the row when part of it already shows: bring the whole of it in.
  document.querySelectorAll(".site-nav").forEach(function (nav) {
    nav.addEventListener("focusin", function (event) {
      event.target.scrollIntoView({ block: "nearest", inline: "nearest" });
    });
  });
})();
