// A live story's new updates appear without reloading (docs/live-and-corrections.md). Progressive
// enhancement only: without this file the updates are on the page, newest first, and a reload shows new ones.
// Every few seconds (data-live-interval, settings.LIVE_POLL_SECONDS) the page asks its cached endpoint for updates after the newest it has, inserts the server's
// HTML at the top of the list and says how many arrived in the polite status line. It stops while the tab is
// hidden (and asks at once when it is shown again), and for good when the story is no longer live.
(function () {
  "use strict";

  var box = document.querySelector("[data-live-poll]");
  if (!box) return;
  var POLL_MS = (parseInt(box.getAttribute("data-live-interval"), 10) || 15) * 1000;
  var list = box.querySelector("[data-live-list]");
  var status = box.querySelector("[data-live-status]");
  var latest = parseInt(box.getAttribute("data-live-latest"), 10) || 0;
  var timer = null;
  var inFlight = false;
  var stopped = false;

  function announce(count) {
    if (!status || !count) return;
    var text = count === 1 ? box.getAttribute("data-live-one")
      : box.getAttribute("data-live-many").replace("%(count)s", String(count));
    status.textContent = text;
  }

  function stop() {
    stopped = true;
    if (timer) clearTimeout(timer);
    timer = null;
  }

  function schedule() {
    if (timer) clearTimeout(timer);
    timer = stopped || document.hidden ? null : setTimeout(poll, POLL_MS);
  }

  function poll() {
    timer = null;
    if (stopped || document.hidden || inFlight) return;
    inFlight = true;
    var url = box.getAttribute("data-live-poll") + "?after=" + encodeURIComponent(String(latest));
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        if (data.count > 0 && data.html) {
          var template = document.createElement("template");
          template.innerHTML = data.html;
          addCopyButtons(template.content);
          list.insertBefore(template.content, list.firstChild);
          latest = Math.max(latest, parseInt(data.latest, 10) || 0);
          announce(data.count);
        }
        if (!data.live) stop();
      })
      .catch(function (error) {
        // A story taken down (404) or gone wrong: no more polling; other failures try again later.
        if (error && /^4\d\d$/.test(error.message)) stop();
      })
      .then(function () {
        inFlight = false;
        schedule();
      });
  }

  // A "copy link" button beside each update's time (the time itself is the permalink without JavaScript).
  function addCopyButtons(root) {
    if (!(navigator.clipboard && navigator.clipboard.writeText)) return;
    root.querySelectorAll(".live-update__time").forEach(function (link) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "live-update__copy";
      button.textContent = box.getAttribute("data-live-copy");
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(link.href).then(function () {
          button.textContent = box.getAttribute("data-live-copied");
        });
      });
      link.parentNode.appendChild(button);
    });
  }

  addCopyButtons(list);
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      if (timer) clearTimeout(timer);
      timer = null;
    } else if (!stopped) {
      poll();
    }
  });
  schedule();
})();
