"""Who is writing, and whether they may: hashed identities, the signed form token, rate limits, own comments.

No raw address is ever stored: an address becomes a salted HMAC (IPv6 cut to its /64, which one
subscriber usually owns), and an e-mail address is hashed the same way for blocks and history.
"""

import ipaddress
import posixpath
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.crypto import salted_hmac

from portal.security import client_ip

FORM_SALT = "comments.form"
OWN_SALT = "comments.own"
UNSUBSCRIBE_SALT = "comments.unsubscribe"
# A guest's own fresh comments, in two signed cookies that browsers send where each is needed, so that a
# reader who commented is still served cached pages everywhere else (docs/caching.md):
OWN_COOKIE = "vestnik_comments"  # all of them, for /comments/ only: who may edit or delete
ARTICLE_OWN_COOKIE = "vestnik_own"  # one article's, for that article's page only: its edit links
OWN_COOKIE_LIMIT = 20
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _hash(value: str, purpose: str) -> str:
    return salted_hmac(
        f"comments.{purpose}", value, secret=settings.COMMENTS_HASH_SALT or None, algorithm="sha256"
    ).hexdigest()


def network_of(address: str) -> str:
    """The address a client is known by: IPv4 as is, IPv6 as its /64."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def ip_hash(request: HttpRequest) -> str:
    """The salted hash of the client's address (its /64 for IPv6)."""
    return _hash(network_of(client_ip(request)), "ip")


def email_hash(email: str) -> str:
    """The salted hash of an e-mail address, case and spaces ignored; empty for no address."""
    email = (email or "").strip().casefold()
    return _hash(email, "email") if email else ""


def author_key(*, user_id: int | None, email_hash: str, ip_hash: str) -> str:
    """Whose history a comment counts in: the account, else the e-mail, else the address."""
    if user_id:
        return f"u:{user_id}"
    if email_hash:
        return f"e:{email_hash}"
    return f"i:{ip_hash}"


def reader_key(request: HttpRequest) -> str:
    """Who votes or reports: the account, else the address (one vote per address for guests)."""
    if request.user.is_authenticated:
        return f"u:{request.user.pk}"
    return f"i:{ip_hash(request)}"


# --- The signed form token: which article, and when the form was shown -----------------------------------


def form_token(article_id: int, *, issued_at: float | None = None) -> str:
    """A signed token naming the article and the time the form was rendered."""
    issued = int(time.time() if issued_at is None else issued_at)
    return signing.dumps({"a": article_id, "t": issued}, salt=FORM_SALT, compress=False)


class FormTokenError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def check_form_token(token: str, article_id: int) -> None:
    """Raise FormTokenError("tampered" | "expired" | "too_fast") unless ``token`` is fair for ``article_id``."""
    try:
        data = signing.loads(token or "", salt=FORM_SALT, max_age=settings.COMMENTS_FORM_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise FormTokenError("expired") from exc
    except signing.BadSignature as exc:
        raise FormTokenError("tampered") from exc
    if not isinstance(data, dict) or data.get("a") != article_id or not isinstance(data.get("t"), int):
        raise FormTokenError("tampered")
    age = time.time() - data["t"]
    if age > settings.COMMENTS_FORM_MAX_AGE:
        raise FormTokenError("expired")
    if age < settings.COMMENTS_MIN_SUBMIT_SECONDS:
        raise FormTokenError("too_fast")


# --- Rate limits through the shared cache ----------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        count, _, unit = text.partition("/")
        return cls(int(count), _PERIODS[unit.strip()[:1] or "m"])


def rate_limited(scope: str, ident: str, rates: list[str]) -> bool | None:
    """Count one action of ``ident`` in every window of ``rates``; True if any window is now over its limit.

    Fixed windows in the cache (atomic ``incr`` on Redis). None when the cache does not answer: the
    caller decides how to fail (comments fail to moderation, see services.comment_create).
    """
    over = False
    now = int(time.time())
    for text in rates:
        rate = Rate.parse(text)
        key = f"comments:rl:{scope}:{ident}:{rate.seconds}:{now // rate.seconds}"
        try:
            cache.add(key, 0, rate.seconds + 1)
            value = cache.incr(key)
        except ValueError:  # the key expired between add and incr
            cache.set(key, 1, rate.seconds + 1)
            value = 1
        if value is None:
            return None
        over = over or value > rate.count
    return over


# --- A guest's own comments: signed cookies listing what they wrote lately ---------------------------------
# Each item is [comment id, posted at, article id], and a fourth element 1 for a comment that was held for
# review when it was posted: its author sees it, marked as waiting, for OWN_HELD_SECONDS (a moderator may
# take a night: pre-moderation runs from 23:00 to 07:00), and the cookies live that long while they list one.
OWN_HELD_SECONDS = 24 * 3600


@dataclass(frozen=True)
class OwnItem:
    pk: int
    posted_at: int
    article_id: int | None  # None in cookies written before the article was recorded
    held: bool

    def listed(self) -> list[int]:
        listed = [self.pk, self.posted_at, self.article_id]
        return [*listed, 1] if self.held else listed


def _edit_window() -> int:
    return settings.COMMENTS_EDIT_MINUTES * 60


def _kept_for(item: OwnItem) -> int:
    """How long an item stays in the cookie: the edit window, or longer for a comment waiting for a moderator."""
    return max(_edit_window(), OWN_HELD_SECONDS) if item.held else _edit_window()


def _own_items(request: HttpRequest, cookie: str) -> list[OwnItem]:
    """The items of a signed own-comments cookie that are still kept (``_kept_for``)."""
    raw = request.COOKIES.get(cookie)
    if not raw:
        return []
    try:
        items = signing.loads(raw, salt=OWN_SALT, max_age=max(_edit_window(), OWN_HELD_SECONDS))
    except signing.BadSignature:
        return []
    now = time.time()
    own = []
    for item in items if isinstance(items, list) else []:
        if not (isinstance(item, list) and len(item) in (2, 3, 4) and all(isinstance(v, int) for v in item)):
            continue
        parsed = OwnItem(item[0], item[1], item[2] if len(item) > 2 else None, len(item) == 4 and item[3] == 1)
        if now - parsed.posted_at < _kept_for(parsed):
            own.append(parsed)
    return own


def own_comments(request: HttpRequest, *, article_id: int | None = None) -> dict[int, int]:
    """{comment id: posted at (epoch seconds)} of comments this browser posted, still in the edit window.

    With ``article_id``: those on that article, from the cookie its page receives (``ARTICLE_OWN_COOKIE``).
    """
    if article_id is None:
        items = _own_items(request, OWN_COOKIE)
    else:
        items = [i for i in _own_items(request, ARTICLE_OWN_COOKIE) if i.article_id == article_id]
    now = time.time()
    return {i.pk: i.posted_at for i in items if now - i.posted_at < _edit_window()}


def own_listed(request: HttpRequest, *, article_id: int) -> list[int]:
    """Ids of comments this browser posted on ``article_id`` that its cookie still lists: those in the edit
    window, and those held for review when posted (for OWN_HELD_SECONDS)."""
    return [i.pk for i in _own_items(request, ARTICLE_OWN_COOKIE) if i.article_id == article_id]


def _own_cookie_path() -> str:
    """The URL prefix of the views that read ``OWN_COOKIE``: posting, editing, deleting (``/comments/``)."""
    urls = [
        reverse("comments:create", kwargs={"article_id": 1}),
        reverse("comments:edit", kwargs={"pk": 1}),
        reverse("comments:delete", kwargs={"pk": 1}),
    ]
    return posixpath.commonpath(urls).rstrip("/") + "/"


def remember_own(request: HttpRequest, response: HttpResponse, comment, *, held: bool = False) -> None:
    """Add a comment to this browser's signed lists of its own comments (all, and its article's).

    ``held``: the comment waits for a moderator; its author is shown it until OWN_HELD_SECONDS have passed.
    """
    items = {i.pk: i for i in _own_items(request, OWN_COOKIE)}
    items[comment.pk] = OwnItem(comment.pk, int(comment.created_at.timestamp()), comment.article_id, held)
    kept = sorted(items.values(), key=lambda i: i.posted_at)[-OWN_COOKIE_LIMIT:]
    now = time.time()
    on_article = [i for i in kept if i.article_id == comment.article_id]
    for name, path, listed in (
        (OWN_COOKIE, _own_cookie_path(), kept),
        (ARTICLE_OWN_COOKIE, comment.article.get_absolute_url(), on_article),
    ):
        held_for = [int(i.posted_at + _kept_for(i) - now) for i in listed if i.held]
        response.set_cookie(
            name,
            signing.dumps([i.listed() for i in listed], salt=OWN_SALT, compress=True),
            max_age=max([_edit_window(), *held_for]),
            path=path,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )


def unsubscribe_token(email_hash: str) -> str:
    """A signed, non-expiring token that turns reply notifications off for one e-mail address."""
    return signing.dumps(email_hash, salt=UNSUBSCRIBE_SALT)


def check_unsubscribe_token(token: str) -> str | None:
    """The e-mail hash in a valid unsubscribe token, else None."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, str) and value else None
