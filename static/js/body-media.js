// Pictures and embeds in article bodies (articles/body.py, templates/articles/_gallery.html, _embed.html).
// Without this file a gallery is a list of figures and an embed a link to the post; with it a gallery is a
// viewer (buttons, arrow keys, "3 of 8" read out) and an embed loads its frame only when the reader asks.
(function () {
  "use strict";

  function loadEmbed(figure) {
    var frame = document.createElement("iframe");
    frame.src = figure.dataset.embedSrc;
    frame.title = figure.dataset.embedTitle;
    frame.setAttribute("sandbox", figure.dataset.embedSandbox);
    if (figure.dataset.embedAllow) {
      frame.setAttribute("allow", figure.dataset.embedAllow);
    }
    frame.setAttribute("loading", "lazy");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    frame.setAttribute("allowfullscreen", "");
    frame.className = "embed__frame";
    var button = figure.querySelector(".embed__load");
    if (button) {
      button.remove();
    }
    var note = figure.querySelector(".embed__note");
    if (note) {
      note.remove();
    }
    figure.insertBefore(frame, figure.firstChild);
    figure.classList.add("embed--loaded");
    frame.focus();
  }

  function setUpEmbed(figure) {
    var button = figure.querySelector(".embed__load");
    if (!button || !figure.dataset.embedSrc) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      loadEmbed(figure);
    });
  }

  function setUpGallery(gallery) {
    var items = Array.prototype.slice.call(gallery.querySelectorAll(".gallery__item"));
    var controls = gallery.querySelector(".gallery__controls");
    if (items.length < 2 || !controls) {
      return;
    }
    var prev = controls.querySelector(".gallery__prev");
    var next = controls.querySelector(".gallery__next");
    var position = controls.querySelector(".gallery__position");
    var current = 0;

    function show(index) {
      current = (index + items.length) % items.length;
      items.forEach(function (item, i) {
        item.hidden = i !== current;
      });
      position.textContent = position.dataset.template.replace("{current}", String(current + 1));
    }

    gallery.classList.add("gallery--viewer");
    controls.hidden = false;
    prev.addEventListener("click", function () {
      show(current - 1);
    });
    next.addEventListener("click", function () {
      show(current + 1);
    });
    gallery.addEventListener("keydown", function (event) {
      if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
        event.preventDefault();
        show(current + (event.key === "ArrowLeft" ? -1 : 1));
        (event.key === "ArrowLeft" ? prev : next).focus();
      }
    });
    show(0);
  }

  function start() {
    document.querySelectorAll("figure.embed[data-embed-src]").forEach(setUpEmbed);
    document.querySelectorAll("[data-gallery]").forEach(setUpGallery);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
