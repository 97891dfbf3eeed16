// The article body editor in admin: django-prose-editor's ProseMirror/Tiptap build, served from
// our own static files. Loaded as a module file (no import map, no inline script) and created
// with injectCSS off, so the strict CSP (script-src/style-src 'self') holds; the base styles
// Tiptap would inject live in css/admin-prose.css. Only what the article template styles is
// offered: paragraphs, h2-h3, bold, italic, links, lists and quotes. Pasted Word or Google Docs
// content is reduced to these by the schema; the server sanitises the HTML again on save.
// The editor bundle is imported from the URL the widget puts in data-editor-module: that is
// {% static %}'s fingerprinted name, so a new version of the package is never served from a
// stale cache (a fixed relative import would name the unhashed file).

const EMPTY = /^<(\w+)(\s[^>]*)?><\/\1>$/i;

// Admin's JavaScript catalog (jsi18n) supplies these; the editor's own menu labels are English.
const gettext = globalThis.gettext || ((text) => text);
const gettext_noop = globalThis.gettext_noop || ((text) => text);
// The labels of the menu we build, listed so that makemessages finds them (djangojs domain).
const MENU_LABELS = [
  gettext_noop("paragraph"),
  gettext_noop("Paragraph"),
  gettext_noop("Heading 2"),
  gettext_noop("Heading 3"),
  gettext_noop("bold"),
  gettext_noop("italic"),
  gettext_noop("insert link"),
  gettext_noop("remove link"),
  gettext_noop("unordered list"),
  gettext_noop("ordered list"),
  gettext_noop("blockquote"),
  gettext_noop("undo"),
  gettext_noop("redo"),
  // The editor's dialogs call gettext() on these themselves.
  gettext_noop("Edit Link"),
  gettext_noop("URL"),
  gettext_noop("Title"),
  gettext_noop("Update"),
  gettext_noop("Insert"),
  gettext_noop("Cancel"),
  gettext_noop("List properties"),
  gettext_noop("List type"),
  gettext_noop("Start at"),
  gettext_noop("Bullets"),
  gettext_noop("Decimal numbers"),
  gettext_noop("Lowercase letters"),
  gettext_noop("Uppercase letters"),
  gettext_noop("Lowercase Roman numerals"),
  gettext_noop("Uppercase Roman numerals"),
];

function translateMenu(wrapper) {
  const known = new Set(MENU_LABELS);
  for (const el of wrapper.querySelectorAll(".prose-menubar [title]")) {
    if (!known.has(el.title)) continue;
    el.title = gettext(el.title);
    if (el.hasAttribute("aria-label")) el.setAttribute("aria-label", el.title);
  }
  for (const el of wrapper.querySelectorAll(".prose-menubar__option > *")) {
    if (known.has(el.textContent)) el.textContent = gettext(el.textContent);
  }
}

// Pasted HTML (Word, Google Docs, web pages) loses its style sheets, inline styles, event
// handlers and embedded media before anything parses it: the schema would drop them anyway,
// and merely parsing them makes the browser report (and block) them under our CSP. The raw
// string is trimmed first because even an inert DOMParser document applies the page's CSP.
// This is tidiness, not security: the server sanitises the stored HTML with an allow-list.
const BLOCKS = /<(script|style|template|svg|math)\b[\s\S]*?<\/\1\s*>/gi;
const INLINE_ATTRIBUTE = /\s(?:style|on[a-z]+)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)/gi;
const DROP_ELEMENTS = "script, style, meta, link, img, picture, video, audio, iframe, object, embed, svg, math, template";

function cleanPastedHTML(html) {
  const trimmed = html.replace(BLOCKS, "").replace(/<[a-z][^>]*>/gi, (tag) => tag.replace(INLINE_ATTRIBUTE, ""));
  const doc = new DOMParser().parseFromString(trimmed, "text/html");
  for (const el of doc.body.querySelectorAll(DROP_ELEMENTS)) el.remove();
  for (const el of doc.body.querySelectorAll("*")) {
    for (const { name } of Array.from(el.attributes)) {
      if (name !== "href" && name !== "title") el.removeAttribute(name);
    }
  }
  return doc.body.innerHTML;
}

function createEditor(lib, textarea) {
  const { Blockquote, Bold, BulletList, Document, Dropcursor, Editor, Gapcursor, HardBreak, Heading, History } = lib;
  const { Italic, Link, ListItem, Menu, OrderedList, Paragraph, Text, crel } = lib;
  if (textarea.closest(".prose-editor")) return null;
  const disabled = textarea.hasAttribute("disabled");
  const wrapper = crel("div", { className: disabled ? "prose-editor disabled" : "prose-editor" });
  textarea.before(wrapper);
  wrapper.append(textarea);
  const editor = new Editor({
    element: wrapper,
    editable: !disabled,
    injectCSS: false,
    editorProps: { transformPastedHTML: cleanPastedHTML },
    content: textarea.value,
    extensions: [
      Document,
      Paragraph,
      Text,
      HardBreak,
      Heading.configure({ levels: [2, 3] }),
      Bold,
      Italic,
      Link.configure({ enableTarget: false, protocols: ["http", "https", "mailto"] }),
      BulletList,
      OrderedList,
      ListItem,
      Blockquote,
      History,
      Dropcursor,
      Gapcursor,
      Menu,
    ],
    onCreate() {
      // The menu is built on "create"; label it once it exists.
      setTimeout(() => translateMenu(wrapper), 0);
    },
    onUpdate({ editor: current }) {
      const html = current.getHTML();
      textarea.value = EMPTY.test(html) ? "" : html;
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    },
    onDestroy() {
      wrapper.before(textarea);
      wrapper.remove();
    },
  });
  textarea.dispatchEvent(new CustomEvent("prose-editor:ready", { detail: { editor, textarea }, bubbles: true }));
  return editor;
}

const SELECTOR = "textarea[data-rich-text]";

async function start() {
  const first = document.querySelector(SELECTOR);
  if (!first) return;
  const lib = await import(first.dataset.editorModule);
  lib.initializeEditors((textarea) => createEditor(lib, textarea), SELECTOR);
}

start();
