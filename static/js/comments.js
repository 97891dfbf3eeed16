// Comments without page reloads: posting, replying, voting, reporting, "show more", the character
// counter, relative times and the guest's name remembered for the next comment. Progressive enhancement
// only: every control is a plain link or form that works without this file. The server answers requests
// that accept JSON with the same server-rendered fragments (comments/markup.py) the page is built from.
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
  // They read exactly as the server writes them (django.contrib.humanize's naturaltime): its words, in the
  // page's language, come with the page (comments.markup.relative_time_words); the counting below is
  // naturaltime's and django.utils.timesince's, step for step (whole units cut down, never rounded; months
  // and years by the calendar, in UTC as the server counts them).
  var timeWords = (function () {
    var script = document.getElementById("relative-time-words");
    try { return script ? JSON.parse(script.textContent) : null; } catch (e) { return null; }
  })();
  var MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  var UNITS = ["year", "month", "week", "day", "hour", "minute"];
  var CHUNKS = [604800, 86400, 3600, 60];  // week, day, hour, minute, in seconds

  // The form for 1 or for more: both languages of the site have these two (their catalogs: n != 1).
  function plural(forms, n) {
    return forms[n === 1 ? 0 : 1];
  }

  function msOfDay(date) {
    return ((date.getUTCHours() * 60 + date.getUTCMinutes()) * 60 + date.getUTCSeconds()) * 1000 + date.getUTCMilliseconds();
  }

  // timesince(earlier, later), two units deep: "1 ден, 3 часа". Times in milliseconds.
  function timesince(earlier, later, units) {
    function piece(unit, n) {
      return plural(units[unit], n).replace("%(num)d", String(n)).replace(/ /g, "\u00a0");
    }
    if (Math.floor((later - earlier) / 1000) <= 0) return piece("minute", 0);
    var d = new Date(earlier), now = new Date(later);
    var months = (now.getUTCFullYear() - d.getUTCFullYear()) * 12 + now.getUTCMonth() - d.getUTCMonth();
    if (d.getUTCDate() > now.getUTCDate() || (d.getUTCDate() === now.getUTCDate() && msOfDay(d) > msOfDay(now))) {
      months -= 1;
    }
    var years = Math.floor(months / 12);
    months -= years * 12;
    var pivot = earlier;
    if (years || months) {
      var year = d.getUTCFullYear() + years, month = d.getUTCMonth() + 1 + months;
      if (month > 12) { month -= 12; year += 1; }
      pivot = Date.UTC(year, month - 1, Math.min(MONTH_DAYS[month - 1], d.getUTCDate()),
        d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
    }
    var remaining = (later - pivot) / 1000;
    var parts = [years, months];
    CHUNKS.forEach(function (chunk) {
      var count = Math.floor(remaining / chunk);
      parts.push(count);
      remaining -= chunk * count;
    });
    var i = 0;
    while (i < parts.length && parts[i] === 0) i += 1;
    if (i === parts.length) return piece("minute", 0);
    var result = [];
    for (; i < parts.length && result.length < 2 && parts[i] !== 0; i += 1) result.push(piece(UNITS[i], parts[i]));
    return result.join(timeWords.comma);
  }

  // naturaltime(then) at ``now``: "сега", "преди 5 минути", "преди 1 ден, 3 часа", "5 minutes ago".
  function naturaltime(then, now) {
    var past = then < now;
    var words = past ? timeWords.past : timeWords.future;
    var ms = past ? now - then : then - now;
    if (ms >= 86400000) {
      var delta = past ? timesince(then, now, words.units) : timesince(now, then, words.units);
      return words.days.replace("%(delta)s", function () { return delta; });
    }
    var seconds = Math.floor(ms / 1000);
    if (seconds === 0) return timeWords.now;
    var count = seconds < 60 ? seconds : seconds < 3600 ? Math.floor(seconds / 60) : Math.floor(seconds / 3600);
    var forms = seconds < 60 ? words.second : seconds < 3600 ? words.minute : words.hour;
    return plural(forms, count).replace("%(count)s", String(count));
  }

  function refreshTimes(root) {
    if (!timeWords) return;
    var now = Date.now();
    (root || document).querySelectorAll("time[data-relative]").forEach(function (el) {
      var then = Date.parse(el.getAttribute("datetime"));
      if (isNaN(then)) return;
      var text = naturaltime(then, now);
      if (el.textContent !== text) el.textContent = text;
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

  // --- The guest's name and e-mail, remembered for the next comment ----------------------------------------
  // In this browser's localStorage only: never in a cookie, so nothing personal travels with requests (and a
  // page stays shared, docs/caching.md). Without JavaScript nothing is remembered. Filled into empty fields only.
  var REMEMBERED = "vestnik.commenter";

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }  // storage can be blocked
  }

  function remembered() {
    var store = storage();
    try {
      var saved = store ? JSON.parse(store.getItem(REMEMBERED) || "null") : null;
      return saved && typeof saved.name === "string" ? saved : null;
    } catch (e) {
      return null;
    }
  }

  function remember(target) {
    var name = target.querySelector("[name=author_name]");
    var email = target.querySelector("[name=email]");
    var store = storage();
    if (!name || !store || !name.value.trim()) return;  // signed-in readers write under their account
    try {
      store.setItem(REMEMBERED, JSON.stringify({ name: name.value.trim(), email: email ? email.value.trim() : "" }));
    } catch (e) {
      return;  // full or blocked: nothing is remembered
    }
    var forget = target.querySelector("[data-forget]");
    if (forget) forget.hidden = false;
  }

  function fillIn(target, key, value) {
    var field = target.querySelector("[name=" + key + "]");
    if (field && !field.value && value) field.value = value;
  }

  function initRemembered(target) {
    var note = target.querySelector("[data-remembered]");
    if (!note || !storage()) return;
    note.hidden = false;
    var saved = remembered();
    if (saved) {
      fillIn(target, "author_name", saved.name);
      fillIn(target, "email", saved.email);
    }
    var forget = note.querySelector("[data-forget]");
    forget.hidden = !saved;
    forget.addEventListener("click", function () {
      var current = remembered();
      try { storage().removeItem(REMEMBERED); } catch (e) { /* blocked */ }
      ["author_name", "email"].forEach(function (key) {  // off the form too, if the form shows what was kept
        var field = target.querySelector("[name=" + key + "]");
        var kept = current && (key === "email" ? current.email : current.name);
        if (field && kept && field.value.trim() === kept) field.value = "";
      });
      forget.hidden = true;
    });
  }

  // --- The comment form: post and reply ------------------------------------------------------------------
  var form = document.querySelector("[data-comment-form]");
  var home = form ? document.createComment("comment-form") : null;
  if (form) form.parentNode.insertBefore(home, form);
  // A page from a shared cache gives every reader the same form; give this one its own submission id.
  if (form && window.crypto && crypto.randomUUID) form.querySelector("[name=submission]").value = crypto.randomUUID();

  function replyingLabel() {
    var label = form.querySelector("[data-replying]");
    if (!label) {
      label = document.createElement("p");
      label.className = "comment-form__replying";
      label.setAttribute("data-replying", "");
      var cancel = document.createElement("a");
      cancel.href = "#comments";
      cancel.setAttribute("data-cancel-reply", "");
      cancel.textContent = section ? section.getAttribute("data-cancel-text") || "×" : "×";
      label.appendChild(cancel);
      form.insertBefore(label, form.firstChild.nextSibling);
    }
    return label;
  }

  // "В отговор на Мария · Откажи": the name is the reader's own words, in Bulgarian whatever the frame speaks.
  function setReplying(label, template, name) {
    var cancel = label.querySelector("[data-cancel-reply]");
    while (label.firstChild && label.firstChild !== cancel) label.removeChild(label.firstChild);
    var parts = template.split("%(name)s");
    var who = document.createElement("span");
    who.textContent = name;
    var lang = section ? section.getAttribute("data-content-lang") : "";
    if (lang) who.lang = lang;
    label.insertBefore(document.createTextNode(parts[0]), cancel);
    if (parts.length > 1) {
      label.insertBefore(who, cancel);
      label.insertBefore(document.createTextNode(parts.slice(1).join("%(name)s")), cancel);
    }
    label.insertBefore(document.createTextNode(" · "), cancel);
  }

  function openReply(link) {
    var id = link.getAttribute("data-reply");
    var article = document.getElementById("comment-" + id);
    if (!form || !article) return false;
    form.querySelector("[name=parent]").value = id;
    var label = replyingLabel();
    label.hidden = false;
    setReplying(label, link.getAttribute("data-reply-text") || section.getAttribute("data-reply-text") || "",
      link.getAttribute("data-reply-name"));
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
    initRemembered(form);
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
          remember(target);
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

  if (form && threadList()) {
    bindForm(form);
  } else if (form) {
    // The reply page without the thread: a plain post, which leaves this page.
    form.addEventListener("submit", function () { remember(form); });
  }
  if (form) initRemembered(form);

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
  setInterval(function () { refreshTimes(document); }, 10000);  // seconds show for the first minute
})();
