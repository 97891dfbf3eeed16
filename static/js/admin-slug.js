// Slug prefill in admin with the site's Bulgarian transliteration (Transliteration Act 2009,
// Streamlined System), the same table as articles/translit.py; a test compares the two.
// Django's own prepopulate (URLify) drops Cyrillic letters, so it is not used.
// An input with data-slug-from="<id of the source field>" is filled while it is empty or
// untouched; once the editor types a slug it is left alone. The server makes it unique.
"use strict";
(function () {
  const TABLE = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "sht", "ъ": "a", "ь": "y", "ю": "yu", "я": "ya", "ѝ": "i",
  };
  const EXCEPTIONS = { "българия": "bulgaria" };
  const WORD = /[\p{L}\p{M}\p{N}_]+/gu;

  function letters(text) {
    let out = "";
    for (const ch of text) out += Object.prototype.hasOwnProperty.call(TABLE, ch) ? TABLE[ch] : ch;
    return out;
  }

  function word(w) {
    if (Object.prototype.hasOwnProperty.call(EXCEPTIONS, w)) return EXCEPTIONS[w];
    if (w.endsWith("ия")) return letters(w.slice(0, -2)) + "ia";
    return letters(w);
  }

  // The same steps as slugify_bg: transliterate, then Django's slugify, then cut.
  function slugifyBg(text, maxLength) {
    const latin = text.toLowerCase().replace(WORD, word);
    const ascii = latin.normalize("NFKD").replace(/[^\x00-\x7f]/g, "");
    let slug = ascii
      .toLowerCase()
      .replace(/[^\w\s-]/g, "")
      .replace(/[-\s]+/g, "-")
      .replace(/^[-_]+|[-_]+$/g, "");
    if (maxLength) slug = slug.slice(0, maxLength).replace(/-+$/, "");
    return slug;
  }

  function bind(slugInput) {
    const source = document.getElementById(slugInput.dataset.slugFrom);
    if (!source) return;
    const maxLength = parseInt(slugInput.dataset.slugMax || "0", 10);
    let touched = slugInput.value !== "";
    slugInput.addEventListener("input", function () {
      touched = slugInput.value !== "";
    });
    source.addEventListener("input", function () {
      if (!touched) slugInput.value = slugifyBg(source.value, maxLength);
    });
  }

  if (typeof document !== "undefined") {
    const start = function () {
      document.querySelectorAll("input[data-slug-from]").forEach(bind);
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }
  if (typeof module !== "undefined") module.exports = { slugifyBg, TABLE, EXCEPTIONS };
})();
