"""The XSS oracle: parse a page as a browser would (html5lib, the WHATWG algorithm) and list what could run.

A page passes when it has no script element other than the site's own (an external file under
/static/, or a JSON data block that parses as JSON and holds no ``<``), no element that can load or
run active content (iframe, object, embed, svg, math, base, style, meta refresh...), no ``on*``
attribute, and no URL attribute whose scheme, as a browser reads it, is anything but http, https,
mailto or relative.
"""

import json
import re

import html5lib

# viber: the site's own share link (articles/sharing.py builds it from a constant prefix and urlencode).
SAFE_SCHEMES = {"http", "https", "mailto", "viber"}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "cite",
    "longdesc",
    "ping",
    "manifest",
    "lowsrc",
    "dynsrc",
    "codebase",
    "xlink:href",
}
ACTIVE_ELEMENTS = {
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "math",
    "style",
    "isindex",
    "portal",
    "template",
    "noscript",  # raw text when scripting is on: a parser with scripting off would misread it
}
DATA_SCRIPT_TYPES = {"application/ld+json", "application/json"}
# Django's admin draws its icons with inline SVG (<svg><use href="#icon-..."></svg>): shapes only are allowed.
SVG_SHAPES = {"svg", "use", "symbol", "path", "g", "defs", "title", "desc", "circle", "rect", "line", "polyline",
              "polygon", "ellipse"}  # fmt: skip
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_TAB_NEWLINE = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))


def url_scheme(value: str) -> str:
    """The scheme a browser sees in an attribute value (already entity-decoded by the parser), or ""."""
    value = _TAB_NEWLINE.sub("", value).strip(_C0_AND_SPACE)
    match = _SCHEME.match(value)
    return match.group(1).lower() if match else ""


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def _attr_name(name: str) -> str:
    if name.startswith("{http://www.w3.org/1999/xlink}"):
        return "xlink:" + _local(name)
    return _local(name)


def parse(html: str, *, fragment: bool = False):
    if fragment:
        return html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)
    return html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)


def problems(html: str, *, fragment: bool = False, own_scripts: tuple[str, ...] = ("/static/",)) -> list[str]:
    """What in ``html`` could run script or load active content; empty for a safe page.

    ``own_scripts``: path prefixes of the site's own external scripts (Django's admin adds its jsi18n view).
    """
    found = []
    root = parse(html, fragment=fragment)
    in_svg = set()
    for element in root.iter():
        if isinstance(element.tag, str) and _local(element.tag) == "svg":
            in_svg.update(id(e) for e in element.iter())
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments
        tag = _local(element.tag)
        attrs = {_attr_name(k): v for k, v in element.attrib.items()}
        if tag == "script":
            text = "".join(element.itertext())
            kind = attrs.get("type", "").strip().lower()
            if kind in DATA_SCRIPT_TYPES:
                try:
                    json.loads(text)
                except ValueError:
                    found.append(f"data script that is not JSON: {text[:80]!r}")
                if "<" in text:
                    found.append(f"data script with a raw '<': {text[:80]!r}")
            elif not (attrs.get("src", "").startswith(own_scripts) and not text.strip()):
                found.append(f"script element: src={attrs.get('src')!r} text={text[:80]!r}")
        elif tag in ACTIVE_ELEMENTS:
            found.append(f"active element <{tag}>")
        elif id(element) in in_svg and tag not in SVG_SHAPES:
            found.append(f"<{tag}> inside <svg>")
        elif tag == "use" and not attrs.get("href", attrs.get("xlink:href", "#")).startswith("#"):
            found.append(f"<use> of another document: {attrs!r}")
        elif tag == "meta" and "http-equiv" in attrs:
            found.append(f"meta http-equiv={attrs['http-equiv']!r}")
        elif tag == "link" and attrs.get("rel", "").lower() in {"import", "preload", "modulepreload", "prefetch"}:
            found.append(f"link rel={attrs['rel']!r}")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"<{tag} {name}={value[:60]!r}>")
            elif name in URL_ATTRIBUTES:
                scheme = url_scheme(value)
                if scheme and scheme not in SAFE_SCHEMES:
                    found.append(f"<{tag} {name}={value[:60]!r}> (scheme {scheme})")
            elif name in {"srcset", "imagesrcset"}:
                for candidate in value.split(","):
                    scheme = url_scheme(candidate.strip().split(" ")[0]) if candidate.strip() else ""
                    if scheme and scheme not in SAFE_SCHEMES:
                        found.append(f"<{tag} {name}={value[:60]!r}> (scheme {scheme})")
    return found


def text_of(element) -> str:
    return "".join(element.itertext())


def find_by_id(root, element_id: str):
    for element in root.iter():
        if isinstance(element.tag, str) and element.get("id") == element_id:
            return element
    return None


def find_by_class(root, class_name: str):
    return [e for e in root.iter() if isinstance(e.tag, str) and class_name in (e.get("class") or "").split()]


def squash(text: str) -> str:
    """Whitespace runs as one space, ends stripped: how rendered text compares to what was typed."""
    return " ".join(text.split())
