"""Posts of a few platforms, pasted into an article body as a bare address, shown as click-to-load embeds.

The allow-list is this module: a provider, the hosts its posts live on, path patterns giving the post's id,
and the frame address built from that id alone. An address that matches nothing stays a plain link. Nothing
of the pasted address reaches the page except the validated id (and the canonical address rebuilt from it).

The frame's host is allowed in the CSP's ``frame-src`` only on pages that hold such an embed
(``allow_frames``); the reader's browser asks the platform nothing until the reader clicks.
"""

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

from django.utils.translation import gettext_lazy as _

VIDEO, POST = "video", "post"


@dataclass(frozen=True)
class Provider:
    key: str
    name: str
    kind: str  # VIDEO or POST: the button's wording and the frame's shape
    hosts: frozenset[str]
    # (path regex, fullmatched against the URL's path) -> groups build the id; "query:v" reads ?v= instead
    patterns: tuple[tuple[re.Pattern, str], ...]
    id_re: re.Pattern
    frame_url: str  # with {id} (or {quoted_url}, the canonical address URL-encoded)
    link_url: str  # the post on the platform, with {id}
    frame_host: str
    allow: str = ""


@dataclass(frozen=True)
class Embed:
    provider: Provider
    id: str

    @property
    def frame_url(self) -> str:
        frame_id = _FRAME_ID.get(self.provider.key, str)(self.id)
        return self.provider.frame_url.format(id=frame_id, quoted_url=quote(self.link_url, safe=""))

    @property
    def link_url(self) -> str:
        return self.provider.link_url.format(id=self.id)


def _re(pattern: str) -> re.Pattern:
    return re.compile(pattern)


_YT_ID = r"[A-Za-z0-9_-]{11}"
PROVIDERS = (
    Provider(
        key="youtube",
        name="YouTube",
        kind=VIDEO,
        hosts=frozenset({"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be", "www.youtube-nocookie.com"}),
        patterns=(
            (_re(r"/watch/?"), "query:v"),
            (_re(rf"/(?:embed|shorts|live|v)/({_YT_ID})/?"), "{0}"),
            (_re(rf"/({_YT_ID})/?"), "{0}"),  # youtu.be/ID
        ),
        id_re=_re(_YT_ID),
        frame_url="https://www.youtube-nocookie.com/embed/{id}",
        link_url="https://www.youtube.com/watch?v={id}",
        frame_host="https://www.youtube-nocookie.com",
        allow="encrypted-media; picture-in-picture; fullscreen",
    ),
    Provider(
        key="vimeo",
        name="Vimeo",
        kind=VIDEO,
        hosts=frozenset({"vimeo.com", "www.vimeo.com", "player.vimeo.com"}),
        patterns=((_re(r"/(?:video/)?([0-9]{1,12})/?"), "{0}"),),
        id_re=_re(r"[0-9]{1,12}"),
        frame_url="https://player.vimeo.com/video/{id}?dnt=1",
        link_url="https://vimeo.com/{id}",
        frame_host="https://player.vimeo.com",
        allow="encrypted-media; picture-in-picture; fullscreen",
    ),
    Provider(
        key="x",
        name="X",
        kind=POST,
        hosts=frozenset({"x.com", "www.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com"}),
        patterns=((_re(r"/(?:[A-Za-z0-9_]{1,15}|i(?:/web)?)/status(?:es)?/([0-9]{1,20})/?"), "{0}"),),
        id_re=_re(r"[0-9]{1,20}"),
        frame_url="https://platform.twitter.com/embed/Tweet.html?id={id}&dnt=true",
        link_url="https://x.com/i/status/{id}",
        frame_host="https://platform.twitter.com",
    ),
    Provider(
        key="facebook",
        name="Facebook",
        kind=POST,
        hosts=frozenset({"facebook.com", "www.facebook.com", "m.facebook.com"}),
        patterns=((_re(r"/([A-Za-z0-9.]{1,80})/(posts|videos)/([A-Za-z0-9]{1,60})/?"), "{0}/{1}/{2}"),),
        id_re=_re(r"[A-Za-z0-9.]{1,80}/(?:posts|videos)/[A-Za-z0-9]{1,60}"),
        frame_url="https://www.facebook.com/plugins/post.php?href={quoted_url}",
        link_url="https://www.facebook.com/{id}",
        frame_host="https://www.facebook.com",
    ),
    Provider(
        key="instagram",
        name="Instagram",
        kind=POST,
        hosts=frozenset({"instagram.com", "www.instagram.com"}),
        patterns=((_re(r"/(?:p|reel|tv)/([A-Za-z0-9_-]{5,40})/?"), "{0}"),),
        id_re=_re(r"[A-Za-z0-9_-]{5,40}"),
        frame_url="https://www.instagram.com/p/{id}/embed/",
        link_url="https://www.instagram.com/p/{id}/",
        frame_host="https://www.instagram.com",
    ),
    Provider(
        key="tiktok",
        name="TikTok",
        kind=VIDEO,
        hosts=frozenset({"tiktok.com", "www.tiktok.com", "m.tiktok.com"}),
        patterns=((_re(r"/@([A-Za-z0-9_.]{1,40})/video/([0-9]{5,25})/?"), "@{0}/video/{1}"),),
        id_re=_re(r"@[A-Za-z0-9_.]{1,40}/video/[0-9]{5,25}"),
        frame_url="https://www.tiktok.com/embed/v2/{id}",
        link_url="https://www.tiktok.com/{id}",
        frame_host="https://www.tiktok.com",
        allow="encrypted-media; fullscreen",
    ),
)
BY_KEY = {p.key: p for p in PROVIDERS}
# TikTok's frame wants only the number; its page address keeps the account name.
_FRAME_ID = {"tiktok": lambda id: id.rsplit("/", 1)[-1]}

# The frame may run the platform's own script, open the post in a new tab, play full screen; not navigate the
# page, not submit forms to us, not pop dialogs.
SANDBOX = "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox allow-presentation"


def parse(url: str) -> Embed | None:
    """The embed for a post's address, or None when it is not one of an allowed provider (then it stays a link)."""
    url = (url or "").strip()
    if len(url) > 500 or any(c.isspace() or ord(c) < 32 for c in url):
        return None
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or parts.username or parts.password or parts.port:
        return None
    for provider in PROVIDERS:
        if host not in provider.hosts:
            continue
        for pattern, template in provider.patterns:
            match = pattern.fullmatch(parts.path)
            if match is None:
                continue
            if template.startswith("query:"):
                values = parse_qs(parts.query).get(template.split(":", 1)[1], [])
                post_id = values[0] if len(values) == 1 else ""
            else:
                post_id = template.format(*match.groups())
            if provider.id_re.fullmatch(post_id):
                return Embed(provider, post_id)
        return None
    return None


def button_label(provider: Provider) -> str:
    if provider.kind == VIDEO:
        return _("Show the video from %(name)s") % {"name": provider.name}
    return _("Show the post from %(name)s") % {"name": provider.name}


def frame_title(provider: Provider) -> str:
    if provider.kind == VIDEO:
        return _("Video from %(name)s") % {"name": provider.name}
    return _("Post from %(name)s") % {"name": provider.name}


# A top-level paragraph of sanitised HTML holding only an address, bare or as a link whose text is the address.
_URL_PARAGRAPH = re.compile(r'<p>\s*(?:<a((?:\s+[a-z-]+="[^"]*")*)>([^<]*)</a>|([^<\s]+))\s*</p>')
_HREF = re.compile(r'\shref="([^"]*)"')


def paragraph_embed(block: str) -> Embed | None:
    """The embed a body block (sanitised HTML of one top-level element) stands for, if any."""
    match = _URL_PARAGRAPH.fullmatch(block)
    if match is None:
        return None
    attributes, text, bare = match.groups()
    if bare is not None:
        return parse(html.unescape(bare))
    href = _HREF.search(attributes or "")
    if href is None:
        return None
    href = html.unescape(href.group(1))
    if html.unescape(text).strip() != href:
        return None  # a link with its own words is the editor's link, not an embed
    return parse(href)


def frame_hosts(*texts: str) -> set[str]:
    """The frame hosts the embeds in these stored texts need (for the CSP's frame-src)."""
    from .body import blocks  # the body renderer splits blocks; this module knows only addresses
    from .sanitize import clean_body

    hosts = set()
    for text in texts:
        for block in blocks(clean_body(text or "")):
            embed = paragraph_embed(block)
            if embed is not None:
                hosts.add(embed.provider.frame_host)
    return hosts


def allow_frames(response, *texts: str):
    """Widen ``response``'s CSP frame-src to the hosts the embeds in ``texts`` need, and nothing else.

    The page cache stores the response with its headers, so a stored copy carries the same policy.
    """
    hosts = frame_hosts(*texts)
    if hosts:
        update = dict(getattr(response, "_csp_update", None) or {})
        update["frame-src"] = sorted(set(update.get("frame-src", ())) | hosts)
        response._csp_update = update
    return response
