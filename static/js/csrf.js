// Pages every reader shares carry no CSRF token (docs/caching.md): one copy serves every reader, so it
// cannot hold anyone's. This gives each form that posts here an empty token field; on the reader's first
// sign of intent (focus, touch, pointer on a form) it fetches their own token once and fills every empty
// field; a submit that comes first waits for it. Other scripts can await window.vestnikCsrfToken().
// Without JavaScript a form sent without a token comes back once, filled in, with a token (comments.views).
(function () {
  "use strict";

  var script = document.currentScript;
  var url = script && script.getAttribute("data-token-url");
  var pending = null;

  Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
    var sameSite = form.action.indexOf(window.location.origin + "/") === 0;
    if ((form.method || "").toLowerCase() !== "post" || !sameSite) return;
    if (form.querySelector('input[name="csrfmiddlewaretoken"]')) return;
    var field = document.createElement("input");
    field.type = "hidden";
    field.name = "csrfmiddlewaretoken";
    form.appendChild(field);
  });

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
