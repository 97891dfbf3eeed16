// Pages served from the shared micro-cache carry empty CSRF fields (articles/cache.py, docs/performance.md):
// one copy serves every reader, so it cannot hold anyone's token. On the reader's first sign of intent
// (focus, touch, pointer on a form) this fetches their own token once and fills every empty field; a
// submit that comes first waits for it. Other scripts can await window.vestnikCsrfToken().
(function () {
  "use strict";

  var script = document.currentScript;
  var url = script && script.getAttribute("data-token-url");
  var pending = null;

  function emptyFields() {
    return Array.prototype.filter.call(
      document.querySelectorAll('input[name="csrfmiddlewaretoken"]'),
      function (field) { return !field.value; }
    );
  }

  function current() {
    var field = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return field ? field.value : "";
  }

  function token() {
    if (!url || !emptyFields().length) {
      return Promise.resolve(current());
    }
    if (!pending) {
      pending = fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("token " + response.status);
          return response.json();
        })
        .then(function (data) {
          emptyFields().forEach(function (field) { field.value = data.token; });
          return data.token;
        })
        .catch(function () {
          pending = null;  // try again on the next interaction
          return "";
        });
    }
    return pending;
  }

  window.vestnikCsrfToken = token;
  if (!emptyFields().length) return;

  function onIntent(event) {
    if (event.target.closest && event.target.closest("form, [data-comments]")) token();
  }
  ["focusin", "pointerdown", "touchstart", "pointerover"].forEach(function (type) {
    document.addEventListener(type, onIntent, { capture: true, passive: true });
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var field = form.querySelector('input[name="csrfmiddlewaretoken"]');
    if (!field || field.value || (form.method || "").toLowerCase() !== "post") return;
    event.preventDefault();
    event.stopImmediatePropagation();
    var submitter = event.submitter;
    token().then(function () {
      if (!field.value) return;
      if (form.requestSubmit) form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
      else form.submit();
    });
  }, true);
})();
