// Comments without page reloads: posting, replying, voting, reporting, "show more", the character
// counter and relative times. Progressive enhancement only: every control is a plain link or form
// that works without this file. The server answers requests that accept JSON with the same
// server-rendered fragments (templates/comments/_comment.html) the page is built from.
(function () {
  "use strict";

  var section = document.querySelector("[data-comments]");
  var statusBox = document.querySelector("[data-comments-status]");

  function csrfToken() {
    var input = document.querySelector("#comment-actions [name=csrfmiddlewaretoken], [data-comment-form] [name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function say(message, isError) {
    if (!statusBox || !message) return;
    statusBox.textContent = message;
    statusBox.classList.toggle("comments__status--error", !!isError);
  }

  function send(url, body) {
    return fetch(url, {
      method: body ? "POST" : "GET",
      body: body || undefined,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      return response.json().then(function (data) {
        data.httpStatus = response.status;
        return data;
      });
    });
  }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  // --- The character counter: "Остават N знака" ---------------------------------------------------------
  function initCounter(counter) {
    var field = document.getElementById(counter.getAttribute("data-counter-for"));
    if (!field) return;
    var limit = parseInt(field.getAttribute("data-counter") || field.getAttribute("maxlength"), 10);
    function update() {
      var left = limit - field.value.length;
      var text = left === 1 ? counter.getAttribute("data-one")
        : left < 0 ? counter.getAttribute("data-over").replace("%(count)s", String(-left))
        : counter.getAttribute("data-many").replace("%(count)s", String(left));
      counter.textContent = text;
      counter.classList.toggle("comment-form__counter--over", left < 0);
    }
    counter.hidden = false;
    field.addEventListener("input", update);
    update();
  }

  function initCounters(root) {
    root.querySelectorAll("[data-counter-for]").forEach(initCounter);
  }

  // --- Relative times, kept fresh ------------------------------------------------------------------------
  var relative = window.Intl && Intl.RelativeTimeFormat
    ? new Intl.RelativeTimeFormat(document.documentElement.lang || "bg", { numeric: "auto" }) : null;

  function refreshTimes(root) {
    if (!relative) return;
    var now = Date.now();
    (root || document).querySelectorAll("time[data-relative]").forEach(function (el) {
      var then = Date.parse(el.getAttribute("datetime"));
      if (isNaN(then)) return;
      var seconds = Math.round((then - now) / 1000);
      var abs = Math.abs(seconds);
      var text = abs < 60 ? relative.format(seconds, "second")
        : abs < 3600 ? relative.format(Math.round(seconds / 60), "minute")
        : abs < 86400 ? relative.format(Math.round(seconds / 3600), "hour")
        : abs < 2592000 ? relative.format(Math.round(seconds / 86400), "day")
        : null;
      if (text) el.textContent = text;
    });
  }

  // --- Where a new comment goes ---------------------------------------------------------------------------
  function threadList() {
    return document.querySelector("[data-thread-list]");
  }

  function endOfSubtree(article) {
    var level = parseInt(article.getAttribute("data-level"), 10);
    var last = article;
    var next = article.nextElementSibling;
    while (next) {
      if (next.matches("[data-comment]")) {
        if (parseInt(next.getAttribute("data-level"), 10) <= level) break;
      } else if (!next.matches(".comment-own, .comment-more, .comment-form")) {
        break;
      }
      last = next;
      next = next.nextElementSibling;
    }
    return last;
  }

  function insertComment(html, parentId) {
    var list = threadList();
    if (!list || !html) return null;
    var nodes = fragment(html);
    var article = nodes.querySelector("[data-comment]");
    var empty = list.querySelector("[data-comments-empty]");
    if (empty) empty.remove();
    var parent = parentId ? document.getElementById("comment-" + parentId) : null;
    if (parent) {
      var after = endOfSubtree(parent);
      after.parentNode.insertBefore(nodes, after.nextSibling);
    } else if (list.getAttribute("data-sort") === "newest") {
      list.insertBefore(nodes, list.firstChild);
    } else {
      list.appendChild(nodes);
    }
    if (article) {
      refreshTimes(article);
      article.scrollIntoView({ block: "nearest" });
    }
    return article;
  }

  function setCount(count) {
    document.querySelectorAll("[data-comment-count]").forEach(function (el) {
      el.textContent = String(count);
    });
  }

  // --- The comment form: post and reply ------------------------------------------------------------------
  var form = document.querySelector("[data-comment-form]");
  var home = form ? document.createComment("comment-form") : null;
  if (form) form.parentNode.insertBefore(home, form);
  // A page from a shared cache gives every reader the same form; give this one its own submission id.
  if (form && window.crypto && crypto.randomUUID) form.querySelector("[name=submission]").value = crypto.randomUUID();

  function replyingLabel(name) {
    var label = form.querySelector("[data-replying]");
    if (!label) {
      label = document.createElement("p");
      label.className = "comment-form__replying";
      label.setAttribute("data-replying", "");
      var cancel = document.createElement("a");
      cancel.href = "#comments";
      cancel.setAttribute("data-cancel-reply", "");
      cancel.textContent = section ? section.getAttribute("data-cancel-text") || "×" : "×";
      label.appendChild(document.createTextNode(""));
      label.appendChild(cancel);
      form.insertBefore(label, form.firstChild.nextSibling);
    }
    return label;
  }

  function openReply(link) {
    var id = link.getAttribute("data-reply");
    var article = document.getElementById("comment-" + id);
    if (!form || !article) return false;
    form.querySelector("[name=parent]").value = id;
    var label = replyingLabel();
    label.hidden = false;
    label.firstChild.textContent = (link.getAttribute("data-reply-text") || section.getAttribute("data-reply-text") || "")
      .replace("%(name)s", link.getAttribute("data-reply-name")) + " · ";
    form.classList.add("comment-form--inline");
    article.parentNode.insertBefore(form, article.nextSibling);
    var body = form.querySelector("textarea");
    if (body) body.focus();
    return true;
  }

  function closeReply() {
    if (!form) return;
    form.querySelector("[name=parent]").value = "";
    var label = form.querySelector("[data-replying]");
    if (label) label.hidden = true;
    form.classList.remove("comment-form--inline");
    home.parentNode.insertBefore(form, home.nextSibling);
  }

  function replaceForm(html) {
    var parentId = form.querySelector("[name=parent]").value;
    var fresh = fragment(html).querySelector("[data-comment-form]");
    if (!fresh) return;
    fresh.className = form.className;
    form.replaceWith(fresh);
    form = fresh;
    form.querySelector("[name=parent]").value = parentId;
    bindForm(form);
    initCounters(form);
    var invalid = form.querySelector("[aria-invalid=true], .form-errors");
    if (invalid) invalid.scrollIntoView({ block: "nearest" });
  }

  function bindForm(target) {
    target.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = target.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      var parentId = target.querySelector("[name=parent]").value;
      send(target.action, new FormData(target)).then(function (data) {
        if (data.ok) {
          if (data.html) insertComment(data.html, data.parent || parentId);
          if (typeof data.count === "number") setCount(data.count);
          target.querySelector("textarea").value = "";
          target.querySelector("[name=token]").value = data.token;
          target.querySelector("[name=submission]").value = data.submission;
          target.querySelectorAll(".form-errors, .field__error").forEach(function (el) { el.remove(); });
          initCounters(target);
          closeReply();
          say(data.message, false);
        } else if (data.form_html) {
          replaceForm(data.form_html);
          say(data.message || "", true);
        } else {
          say(data.message, true);
        }
      }).catch(function () {
        target.submit();  // no JSON (a proxy error page): fall back to the plain post
      }).then(function () {
        if (button) button.disabled = false;
      });
    });
  }

  if (form && threadList()) bindForm(form);

  // --- Clicks on the thread: reply, vote, report, show more ----------------------------------------------
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-reply], [data-vote], [data-report], [data-more], [data-cancel-reply]");
    if (!target) return;

    if (target.matches("[data-cancel-reply]")) {
      event.preventDefault();
      closeReply();
    } else if (target.matches("[data-reply]")) {
      if (openReply(target)) event.preventDefault();
    } else if (target.matches("[data-vote]")) {
      event.preventDefault();
      var body = new FormData();
      body.append("csrfmiddlewaretoken", csrfToken());
      body.append("value", target.getAttribute("data-vote"));
      send(target.getAttribute("formaction"), body).then(function (data) {
        if (!data.ok) { say(data.message, true); return; }
        var actions = target.closest(".comment__actions");
        actions.querySelector("[data-likes]").textContent = data.likes;
        actions.querySelector("[data-dislikes]").textContent = data.dislikes;
        actions.querySelectorAll("[data-vote]").forEach(function (button) {
          button.setAttribute("aria-pressed", String(parseInt(button.getAttribute("data-vote"), 10) === data.vote));
        });
      });
    } else if (target.matches("[data-report]")) {
      event.preventDefault();
      var holder = target.closest(".comment__actions");
      if (holder.querySelector("[data-report-form]")) return;
      send(target.href).then(function (data) {
        if (!data.form_html) { say(data.message, true); return; }
        holder.appendChild(fragment(data.form_html));
        bindReport(holder.querySelector("[data-report-form]"));
      });
    } else if (target.matches("[data-more]")) {
      event.preventDefault();
      var url = target.href.split("?")[0] + "?fragment=1&offset=" + target.getAttribute("data-offset");
      send(url).then(function (data) {
        var more = target.closest(".comment-more");
        more.parentNode.insertBefore(fragment(data.html), more);
        refreshTimes(more.parentNode);
        if (data.next_offset) {
          target.setAttribute("data-offset", data.next_offset);
          target.href = data.next_url;
        } else {
          more.remove();
        }
      });
    }
  });

  function bindReport(reportForm) {
    if (!reportForm) return;
    reportForm.addEventListener("submit", function (event) {
      event.preventDefault();
      send(reportForm.action, new FormData(reportForm)).then(function (data) {
        if (data.ok) {
          reportForm.remove();
          say(data.message, false);
        } else if (data.form_html) {
          var fresh = fragment(data.form_html).querySelector("[data-report-form]");
          reportForm.replaceWith(fresh);
          bindReport(fresh);
        } else {
          say(data.message, true);
        }
      });
    });
  }

  initCounters(document);
  refreshTimes(document);
  setInterval(refreshTimes, 60000);
})();
