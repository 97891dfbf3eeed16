"""RELIABILITY 50: atheris (coverage-guided) on the pure functions that turn a reader's text into HTML.

Targets:

- ``body``: ``comments.text.body_html`` (escape, then plain http(s) links as anchors, line breaks as
  <br>) on the raw text, lone surrogates included (the renderer must not depend on the form having
  cleaned it), and on ``clean_body`` of it (what the form stores). ``clean_body`` must be idempotent:
  an edited comment must not change by being cleaned again.
- ``comment``: the whole ``comments.markup.render_comment`` on a comment built from the input (a name
  and a body as the form delivers them, and the display flags).
- ``name``: the display-name normalizer as the comment form runs it: the ``author_name`` field, then
  ``CommentForm.clean_author_name`` (``clean_line``: bidi, zero-width and control characters out;
  the name read in Cyrillic and in Latin by ``comments.text.name_readings`` to refuse the newsroom's names).

There is no mention parser: comments carry no @-mentions (a reply names its parent's author in
``reply_to_name``, which ``render_comment`` escapes; the ``comment`` target covers it).

Oracle (``check_*``): no exception but the ``ValidationError`` the name field is meant to raise; the
output parses with ``html.parser`` into only the elements the renderer writes, balanced; no
``<script``, no ``on*`` attribute, every href http(s) or mailto (site-relative paths for the
comment's own links); the text read back from the HTML equals the input (nothing of the input became
markup, nothing was lost); output length ≤ 10 × input + a constant.

Run (DJANGO_SETTINGS_MODULE defaults to portal.settings)::

    .venv/bin/python tools/fuzz_renderers.py body -max_total_time=60 -timeout=1 /tmp/new tests/security/fuzz_corpus/body

libFuzzer writes new inputs into the first directory: give it a scratch one and the saved corpus
second, then fold the finds in with ``-merge=1 tests/security/fuzz_corpus/body /tmp/new``.
``--seed`` (re)writes the hand-made hostile seeds. tests/security/test_fuzz_corpus.py replays the
saved corpus through the same oracle in the normal suite.
"""

import hashlib
import os
import sys
import unicodedata
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "security" / "fuzz_corpus"
TARGETS = ("body", "comment", "name")
SAFE_SCHEMES = ("http://", "https://", "mailto:")
# The markup render_comment writes around the reader's values (about 1,200 characters) plus a 60-character
# name written three times with every character escaped (" → &quot;, 6×).
COMMENT_OVERHEAD = 3000
BODY_OVERHEAD = 64


class OracleFailure(AssertionError):
    pass


def expect(condition, message, *details):
    if not condition:
        raise OracleFailure(message + "".join(f"\n  {d!r}"[:2000] for d in details))


class Reader(HTMLParser):
    """Tags, attributes and text of a fragment, checking nesting as it goes."""

    VOID = {"br"}

    def __init__(self, allowed):
        super().__init__(convert_charrefs=True)
        self.allowed = allowed
        self.stack, self.elements, self.errors = [], [], []
        self.text = {}  # id of an element → its text (with <br> as "\n")
        self.open_text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in self.allowed:
            self.errors.append(f"element <{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.errors.append(f"attribute {name}={value!r}")
        self.elements.append((tag, attrs))
        if tag in self.VOID:
            self.open_text[-1].append("\n")
            return
        self.stack.append((tag, len(self.elements) - 1))
        self.open_text.append([])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1][0] if self.stack else 'nothing'}")
            return
        _, index = self.stack.pop()
        parts = self.open_text.pop()
        self.text[index] = "".join(parts)
        self.open_text[-1].extend(parts)

    def handle_data(self, data):
        self.open_text[-1].append(data)

    def handle_comment(self, data):
        self.errors.append(f"comment <!--{data}-->")

    def handle_decl(self, decl):
        self.errors.append(f"declaration {decl!r}")

    def handle_pi(self, data):
        self.errors.append(f"processing instruction {data!r}")

    def unknown_decl(self, data):
        self.errors.append(f"declaration {data!r}")

    def read(self, html):
        for_br = []
        self.open_text.append(for_br)  # the fragment's own text, <br> included
        self.feed(html)
        self.close()
        expect(not self.errors, "markup the renderer does not write", self.errors, html)
        expect(len(self.open_text) == 1 and not self.stack, "unclosed elements", self.stack, html)
        return "".join(for_br)


def check_href(value, *, relative=False):
    expect(value is not None, "anchor without href")
    if relative and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return
    expect(value.lower().startswith(SAFE_SCHEMES), "href that is not http(s) or mailto", value)


def check_body_html(text):
    """The oracle for ``body_html(text)``; returns the HTML."""
    from comments.text import body_html

    html = body_html(text)
    expect("<script" not in html.lower(), "<script in the output", text, html)
    expect(len(html) <= 10 * len(text) + BODY_OVERHEAD, "output over 10 × input", len(text), len(html))
    reader = Reader({"a", "br"})
    expect(reader.read(html) == text, "text read back differs from the input", text, html)
    for index, (tag, attrs) in enumerate(reader.elements):
        if tag == "a":
            check_href(attrs.get("href"))
            expect(attrs.get("href") == reader.text[index], "link text is not its href", attrs, reader.text[index])
            expect(attrs.get("rel") == "nofollow ugc noopener", "link without rel=nofollow ugc", attrs)
            expect(set(attrs) == {"href", "rel"}, "unexpected attributes on a link", attrs)
        else:
            expect(not attrs, "attributes on <br>", attrs)
    return html


def check_body(text):
    """``body``: body_html on raw text and on what the form stores; clean_body idempotent."""
    from comments.text import clean_body

    check_body_html(text)
    cleaned = clean_body(text)
    expect(clean_body(cleaned) == cleaned, "clean_body is not idempotent", text, cleaned)
    check_body_html(cleaned)


_FORBIDDEN_IN_NAME = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def check_name(raw):
    """``name``: the author_name field and CommentForm.clean_author_name; returns the name or None (refused)."""
    from django.core.exceptions import ValidationError

    from comments.forms import CommentForm
    from comments.text import clean_line

    field = CommentForm.base_fields["author_name"]
    try:
        value = field.clean(raw)
        name = CommentForm.clean_author_name(SimpleNamespace(cleaned_data={"author_name": value}))
    except ValidationError:
        return None
    expect(name and name == name.strip(), "name empty or not trimmed", raw, name)
    expect(len(name) <= field.max_length, "name longer than the field allows", raw, name)
    bad = sorted({f"U+{ord(ch):04X}" for ch in name if unicodedata.category(ch) in _FORBIDDEN_IN_NAME})
    expect(not bad, "invisible, control or bidi characters left in a name", bad, raw, name)
    expect(clean_line(name) == name, "clean_line is not idempotent on a name", raw, name)
    expect("  " not in name, "runs of spaces left in a name", raw, name)
    return name


def comment_of(name, body, flags):
    from django.utils import timezone

    from comments.text import clean_body, clean_line

    now = timezone.now()
    return SimpleNamespace(
        pk=42,
        thread_id=41,
        level=flags % 3,
        author_name=clean_line(name)[:60],
        body=clean_body(body),
        is_pinned=bool(flags & 4),
        is_staff_reply=bool(flags & 8),
        is_collapsed=bool(flags & 16),
        is_placeholder=False,
        placeholder="",
        reply_to_name=clean_line(name[::-1])[:60] if flags & 32 else "",
        edited_at=now if flags & 64 else None,
        created_at=now - timedelta(minutes=flags),
        likes=flags,
        dislikes=3,
        more_replies=2 if flags & 128 else 0,
        more_url="/komentari/41/?offset=3",
        more_offset=3,
    )


COMMENT_TAGS = {"article", "header", "span", "a", "time", "div", "details", "summary", "button", "br", "p"}


def check_comment(name, body, flags):
    """``comment``: render_comment on a comment built from the input."""
    from comments.markup import render_comment

    c = comment_of(name, body, flags)
    discussion_open = bool(flags & 1)
    html = str(render_comment(c, discussion_open=discussion_open, actions=bool(flags & 2)))
    expect("<script" not in html.lower(), "<script in the output", c, html)
    limit = 10 * (len(c.author_name) + len(c.body) + len(c.reply_to_name)) + COMMENT_OVERHEAD
    expect(len(html) <= limit, "output over 10 × input", len(html), limit)
    reader = Reader(COMMENT_TAGS)
    reader.read(html)
    found = {"author": None, "body": None}
    for index, (tag, attrs) in enumerate(reader.elements):
        classes = (attrs.get("class") or "").split()
        if tag == "a":
            check_href(attrs.get("href"), relative=True)
        if "formaction" in attrs:
            check_href(attrs["formaction"], relative=True)
        if "comment__author" in classes:
            found["author"] = reader.text[index]
        if "comment__body" in classes:
            found["body"] = reader.text[index]
        if "data-reply-name" in attrs:
            expect(attrs["data-reply-name"] == c.author_name, "data-reply-name differs", attrs, c.author_name)
        if "comment__reply-to" in classes:
            expect(c.reply_to_name in reader.text[index], "reply-to name differs", reader.text[index], c)
    expect(found["author"] == c.author_name, "author name read back differs", found["author"], c.author_name)
    expect(found["body"] == c.body, "body read back differs", found["body"], c.body)
    return html


# --- Turning fuzz bytes into inputs (atheris.FuzzedDataProvider) ------------------------------------------


def decode(target, data):
    """The arguments of ``check_<target>`` that ``data`` stands for."""
    import atheris

    fdp = atheris.FuzzedDataProvider(data)
    if target == "comment":
        flags = fdp.ConsumeIntInRange(0, 255)  # integers come from the end of the data
        name = fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 255))
        return (name, fdp.ConsumeUnicode(fdp.remaining_bytes()), flags)
    # The first byte: lone surrogates allowed (odd) or not (even). POST data reaches the form decoded with
    # errors="replace", so surrogates come only from code paths that skip it; the renderers take both.
    surrogates = fdp.ConsumeBool()
    consume = fdp.ConsumeUnicode if surrogates else fdp.ConsumeUnicodeNoSurrogates
    return (consume(fdp.remaining_bytes()),)


def _unicode(text):
    """FuzzedDataProvider's first byte picks the encoding: odd ASCII, 0 UTF-32."""
    if text.isascii():
        return b"\x01" + text.encode()
    return b"\x00" + text.encode("utf-32-le", "surrogatepass")


def encode(target, *args):
    """Bytes that ``decode`` turns back into ``args`` (for the hand-made seeds)."""
    if target == "comment":
        name, body, flags = args
        return _unicode(name) + _unicode(body) + bytes([len(name), flags])
    (text,) = args
    return b"\x01" + _unicode(text)


CHECKS = {"body": check_body, "comment": check_comment, "name": check_name}


def check(target, data):
    return CHECKS[target](*decode(target, data))


SEEDS = [
    "<script>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; &#60;b&#62; &#x3C;i&#x3e; &#0; &#xD800; &notin &lt",
    '<a href="javascript:alert(1)">x</a> javascript:alert(1) JaVaScRiPt:alert(1) data:text/html,<b>x</b>',
    "<<b>b<i>i</b></i>> <img src=x onerror=alert(1)> <svg/onload=alert(1)> <!-- x --> <![CDATA[x]]>",
    'http://example.com/a?b=1&c=<script>"\'` https://x.y/"onmouseover="alert(1) http://a/(b)) (http://c/d).',
    "see https://пример.бг/път?q=1&amp;r=2, http://a.b/c» «http://x/y» mailto:a@b.c www.example.com",
    "http://&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&",
    "https://https://http:// http://. http://)))))) https://x.bg/.,;:!?…»“”'\"*",
    "Иван\u202eворетП \u2066x\u2069 a\u200bd\u200cm\u200di\u2060n \ufeff\u00ad\u061c\u200e\u200f \U000e0041dmin",
    "аdmin Peдaкцията REDAKCIYATA 4dm1n Ｒｅｄａｋｃｉｑｔａ ＡＤＭＩＮ moderátor",
    "line\r\nbreak\rold mac\nunix\u2028sep\u2029para\x00nul\x1b[31mansi\x85nel\x0bvt\x0cff",
    "lone \ud800 high \udfff low \udbff\udc00 pair-as-two",
    "x" * 1000,
    "a." * 300 + "@" * 300,
    "\n\n\n\n\n\n  \t \u00a0 \u3000 \n\n\nend",
    "http://" + "a" * 300 + " " + "https://b.c/" + "(" * 100 + ")" * 101,
    "\"'><a onclick=x>&quot;&#39;&#x27;` onfocus=alert(1) autofocus",
    "\ufffd\U0001f600\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f 👨\u200d👩\u200d👧",
]


def write_seeds():
    """The hostile seeds, as files named by their hash under tests/security/fuzz_corpus/<target>/."""
    for target in TARGETS:
        folder = CORPUS / target
        folder.mkdir(parents=True, exist_ok=True)
        for n, seed in enumerate(SEEDS):
            args = (seed[:200], seed, n * 37 % 256) if target == "comment" else (seed,)
            data = encode(target, *args)
            expect(decode(target, data) == args, "seed does not decode to itself", args)
            (folder / f"seed-{hashlib.sha256(data).hexdigest()[:16]}").write_bytes(data)


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def main(argv):
    if len(argv) < 2 or (argv[1] not in TARGETS and argv[1] != "--seed"):
        sys.exit(f"usage: {argv[0]} {{{','.join(TARGETS)}}} [libFuzzer options] [corpus dirs] | --seed")
    setup_django()
    if argv[1] == "--seed":
        write_seeds()
        return
    target = argv[1]
    import atheris

    # str.startswith/endswith comparisons steer the fuzzer ("https://", the trailing punctuation). Not the
    # "RegEx" hook: its pattern proxy breaks html.parser (Pattern.search(string, pos) raises TypeError).
    atheris.enabled_hooks.add("str")
    ours = ("comments.text", "comments.markup", "comments.forms")
    earlier = [name for name in ours if name in sys.modules]
    with atheris.instrument_imports(include=["comments"]):
        import comments.forms
        import comments.markup
        import comments.text  # noqa: F401
    for module in map(sys.modules.get, earlier):  # imported before (by django.setup): instrument in place
        for value in vars(module).values():
            if getattr(value, "__module__", None) == module.__name__ and callable(value):
                for func in [value, *vars(value).values()] if isinstance(value, type) else [value]:
                    if hasattr(func, "__code__"):
                        atheris.instrument_func(func)
    check(target, b"")  # warm up the lazy imports

    def one_input(data):
        check(target, data)

    atheris.Setup([argv[0], *argv[2:]], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
