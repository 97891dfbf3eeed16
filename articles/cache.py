"""The page cache: anonymous GETs of article and listing pages served from the Django cache (Redis).

Design (docs/performance.md has the long version):

- Versioned keys, no purging. ``pc:v:site`` changes when an article, tag, section, source, author or
  image changes (signals call ``bump_site``); ``pc:v:a:<slug>`` changes when an article's comments
  change (the comments app calls ``bump_article``). A page entry remembers the versions it was rendered
  under and counts only while they are current. Versions are nanosecond timestamps, so a version lost
  from the cache comes back as a new value and can never match an old entry.
- A scheduled article becomes public without a write: ``pc:next`` holds the time of the next scheduled
  publication, and the first request after it bumps the site version.
- No reader's state is stored. Only requests without a session or messages cookie and without a
  signed-in user use the cache. The page is rendered with a per-deployment placeholder instead of the
  CSRF token and every response replaces it with this reader's token (which also sets the CSRF
  cookie). When a trusted shared cache in front (nginx, see deploy/nginx.conf) marks a cookieless
  request with ``X-Shared-Cache: 1``, the token is left empty instead, the response carries no cookie
  and may be stored by that cache for ``PAGE_CACHE_SHARED_MAX_AGE`` seconds.
- Conditional GET: a weak ETag of the stored body and Last-Modified of its render time; 304 on match.
- Bounded staleness: entries live ``PAGE_CACHE_TTL`` seconds, which bounds what no version covers
  (the "most read" box). Entries rendered within ``PAGE_CACHE_SETTLE_SECONDS`` of a version change
  live only that long (a lagging read replica cannot pin an old page).
"""

import hashlib
import logging
import os
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, JsonResponse, QueryDict
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import http_date
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

SITE_KEY = "pc:v:site"
NEXT_SCHEDULED_KEY = "pc:next"
NEXT_SCHEDULED_TTL = 3600  # recomputed at least hourly, whatever happens to the signals
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_ga"})
HEADER = "X-Page-Cache"
_TOKEN_RE = re.compile(rb"\b[a-zA-Z0-9]{64}\b")


def _now() -> float:
    return time.time()  # the wall clock, one name for tests to move


def _monotonic() -> float:
    return time.monotonic()


def article_key(slug: str) -> str:
    return f"pc:v:a:{slug}"


@lru_cache(maxsize=4)
def _placeholder_for(secret: str) -> str:
    return "csrfph" + salted_hmac("articles.cache.csrf", "placeholder", secret=secret).hexdigest()[:40]


def csrf_placeholder() -> str:
    """What cached pages carry instead of a CSRF token; unguessable, so no article can contain it."""
    return _placeholder_for(settings.SECRET_KEY)


# Writers ------------------------------------------------------------------------------------------


def new_version(key: str) -> None:
    """Give a version key a new value, here and in the cache: whatever was stored under the old one is unused."""
    value = time.time_ns()
    cache.set(key, value, None)
    local_versions.set(key, value)


def _bump(key: str) -> None:
    # Now, so this process sees its own write at once, and again after commit: a reader that rendered
    # the old rows between the two bumps stored its page under a version that is then already gone.
    new_version(key)
    transaction.on_commit(lambda: new_version(key))


def bump_site() -> None:
    """Invalidate every cached page."""
    _bump(SITE_KEY)


def forget_schedule() -> None:
    """Make the next cached request look up the next scheduled publication again."""
    cache.delete(NEXT_SCHEDULED_KEY)
    transaction.on_commit(lambda: cache.delete(NEXT_SCHEDULED_KEY))


def touch_articles(*article_ids: int) -> None:
    """Invalidate the cached pages of these articles now, for callers that bump again after commit."""
    from .models import Article

    slugs = Article.objects.filter(pk__in=article_ids).values_list("slug", flat=True)
    values = {article_key(slug): time.time_ns() for slug in slugs}
    cache.set_many(values, None)
    local_versions.update(values)


def bump_article(article) -> None:
    """Invalidate the cached page of one article (an ``Article`` or its id).

    The comments app calls this whenever an article's visible comments or their count change.
    """
    slug = getattr(article, "slug", None)
    if slug is None:
        from .models import Article

        slug = Article.objects.filter(pk=article).values_list("slug", flat=True).first()
        if slug is None:
            return
    _bump(article_key(slug))


def current_version(key: str, *, recent: bool = False):
    """The value of a version key, started now when the cache has none (None when the cache does not answer).

    ``recent=True`` accepts the value this process read within PAGE_CACHE_VERSION_RECHECK seconds, as
    the page cache does: right for readers who cannot have just changed anything (``trusts_recent``).
    ``add`` then ``get``: when two processes start it at once, both use the one that was stored.
    """
    if recent:
        found = local_versions.get_many([key], settings.PAGE_CACHE_VERSION_RECHECK)
        if found is not None:
            return found[key]
    version = cache.get(key)
    if version is None:
        cache.add(key, time.time_ns(), None)
        version = cache.get(key)
    if version is not None:
        local_versions.set(key, version)
    return version


def fragment(name: str, version_key: str, build, *, timeout: int, recent: bool = True, size=None):
    """``build()``, kept under the current value of ``version_key`` in the cache and in this process.

    A change bumps the version, so a copy is never out of date, only no longer asked for; it still
    lives ``timeout`` seconds at most, counted from when it was built (what no version covers, such as
    relative times, stays that fresh). ``size(value)`` estimates the bytes it holds in this process.
    Without an answer from the cache, ``build()`` runs every time.
    """
    version = current_version(version_key, recent=recent)
    if version is None:
        return build()
    key = f"{name}:{version}"
    held = local_fragments.get(key)
    if held is not None and held[0] > _now():
        return held[1]
    held = cache.get(key)
    if not (isinstance(held, tuple) and len(held) == 2 and held[0] > _now()):
        held = (_now() + timeout, build())
        cache.set(key, held, timeout)
    local_fragments.put(key, held, size(held[1]) if size else 4096)
    return held[1]


def related_articles(article, limit: int, *, tags=None, recent: bool = True) -> list:
    """``Article.objects.related_to(article)``, kept under the site version: the list changes only when
    an article, tag or section does, and each of those bumps it (the query is the article page's most
    expensive one). ``recent`` as for ``article_terms``."""
    from .models import Article

    return fragment(
        f"pc:related:{article.pk}:{limit}",
        SITE_KEY,
        lambda: list(Article.objects.related_to(article, limit=limit, tags=tags)),
        timeout=settings.PAGE_CACHE_TTL * 10,
        recent=recent,
    )


def article_terms(article, *, recent: bool = True) -> tuple[list, list]:
    """(tags, authors) of an article, kept under the site version (a change to either bumps it).

    ``recent=False`` for a reader who may have just changed them (an editor): the version is read now.
    """
    return fragment(
        f"articles:terms:{article.pk}",
        SITE_KEY,
        lambda: (list(article.tags.all()), list(article.authors.all())),
        timeout=settings.PAGE_CACHE_TTL * 10,
        recent=recent,
    )


# Readers ------------------------------------------------------------------------------------------


@dataclass
class Plan:
    page_key: str
    version_keys: list[str]
    query: QueryDict | None  # the query string to render with, when tracking parameters were dropped
    shared: bool


@dataclass
class Entry:
    versions: tuple
    rendered_at: float
    etag: str
    content_type: str
    parts: tuple[bytes, ...]  # the page split at the CSRF placeholder: serving is one join
    expires_at: float = 0.0
    last_modified: str = ""
    version_keys: tuple[str, ...] = ()  # the versions that decide whether it is current (local_hit reads them)

    @property
    def body(self) -> bytes:
        return csrf_placeholder().encode().join(self.parts)

    @property
    def size(self) -> int:
        return sum(map(len, self.parts))


class LocalCopies:
    """A per-process, size-bounded LRU copy of what this process read from the shared cache lately.

    ``local_pages``: entries recently served, so that a hit fetches only the version numbers from Redis
    instead of the whole page (170 KB for an article with 200 comments); a copy counts only while its
    versions are current and its shared entry would still live. ``local_fragments``: values stored
    under a version (``fragment``), which can never be out of date. Each is bounded by
    PAGE_CACHE_LOCAL_BYTES.
    """

    def __init__(self):
        self._entries: OrderedDict[str, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str):
        with self._lock:
            item = self._entries.get(key)
            if item is None:
                return None
            self._entries.move_to_end(key)
            return item[0]

    def put(self, key: str, value, size: int) -> None:
        limit = settings.PAGE_CACHE_LOCAL_BYTES
        if size > limit:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > limit:
                _key, (_value, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped

    def values(self) -> list:
        with self._lock:
            return [value for value, _size in self._entries.values()]

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


class LocalVersions:
    """Version numbers this process read from Redis, trusted for PAGE_CACHE_VERSION_RECHECK seconds, so a
    hit on a page this process holds needs no Redis round trip at all. Changes made by this process are
    seen at once (``_set_now``); changes made elsewhere after at most that many seconds."""

    LIMIT = 10_000

    def __init__(self):
        self._values: dict[str, tuple[object, float]] = {}
        self._lock = threading.Lock()

    def get_many(self, keys: list[str], max_age: float) -> dict | None:
        now = _monotonic()
        found = {}
        for key in keys:
            item = self._values.get(key)
            if item is None or now - item[1] > max_age:
                return None
            found[key] = item[0]
        return found

    def update(self, found: dict) -> None:
        now = _monotonic()
        with self._lock:
            if len(self._values) > self.LIMIT:
                self._values.clear()
            for key, value in found.items():
                self._values[key] = (value, now)

    def set(self, key: str, value) -> None:
        with self._lock:
            self._values[key] = (value, _monotonic())

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


local_pages = LocalCopies()
local_fragments = LocalCopies()
local_versions = LocalVersions()


def clear_local() -> None:
    """Forget this process's copies (tests call this along with ``cache.clear()``)."""
    local_pages.clear()
    local_fragments.clear()
    local_versions.clear()


def _current(entry, versions: tuple | None) -> bool:
    return (
        versions is not None
        and isinstance(entry, Entry)
        and entry.versions == versions
        and (not entry.expires_at or entry.expires_at > time.time())
    )


def trusts_recent(request) -> bool:
    """Whether what this process read lately (versions, pages) is good enough for this reader: one
    without a session, messages or own-comments cookie, who cannot have just changed anything.

    Sign-in is session-based: without a session cookie the reader is anonymous (request.user is not
    even looked at, which keeps a hit cheap). A reader with such a cookie may have just posted, edited
    or published through another process, and must see it at once.
    """
    cookies = request.COOKIES
    personal = (settings.SESSION_COOKIE_NAME, settings.MESSAGE_COOKIE_NAME, *settings.PAGE_CACHE_BYPASS_COOKIES)
    return not any(name in cookies for name in personal)


def plan_for(request, article_slug: str | None = None) -> Plan | None:
    """How this request may use the page cache, or None when it must be rendered for this reader alone."""
    if request.method not in ("GET", "HEAD") or not settings.PAGE_CACHE_ENABLED:
        return None
    if not trusts_recent(request):
        return None
    cookies = request.COOKIES
    keep, dropped = [], False
    for name, values in request.GET.lists():
        if name in settings.PAGE_CACHE_QUERY_PARAMS:
            keep.extend((name, v) for v in values)
        elif name in TRACKING_PARAMS or name.startswith("utm_"):
            dropped = True
        else:
            return None  # a parameter the page may reflect: render it for this reader only
    keep.sort()
    query = None
    if dropped:
        query = QueryDict(mutable=True)
        for name, value in keep:
            query.appendlist(name, value)
    material = "|".join(
        [
            request.scheme,
            request.get_host(),
            getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
            request.path,
            "&".join(f"{n}={v}" for n, v in keep),
        ]
    )
    version_keys = [SITE_KEY, NEXT_SCHEDULED_KEY]
    if article_slug:
        version_keys.append(article_key(article_slug))
    shared = request.META.get("HTTP_X_SHARED_CACHE") == "1" and settings.CSRF_COOKIE_NAME not in cookies
    return Plan(
        page_key="pc:p:" + hashlib.md5(material.encode(), usedforsecurity=False).hexdigest(),
        version_keys=version_keys,
        query=query,
        shared=shared,
    )


def _next_scheduled() -> int:
    from .models import Article

    moment = Article.objects.scheduled().order_by("published_at").values_list("published_at", flat=True).first()
    return int(moment.timestamp()) if moment else 0


def current_versions(plan: Plan, found: dict) -> tuple | None:
    """The versions a page is valid for, creating missing ones; None when the cache does not answer."""
    for key in plan.version_keys:
        if key != NEXT_SCHEDULED_KEY and found.get(key) is None:
            found[key] = time.time_ns()
            if not cache.add(key, found[key], None):
                return None  # another process created it meanwhile, or the cache is down: render uncached
    due = found.get(NEXT_SCHEDULED_KEY)
    if due is None or (due and due <= _now()):
        if due:
            # A scheduled article's time has come: every page that lists it changes now.
            found[SITE_KEY] = time.time_ns()
            cache.set(SITE_KEY, found[SITE_KEY], None)
        found[NEXT_SCHEDULED_KEY] = _next_scheduled()
        cache.set(NEXT_SCHEDULED_KEY, found[NEXT_SCHEDULED_KEY], NEXT_SCHEDULED_TTL)
    return tuple(found[key] for key in plan.version_keys if key != NEXT_SCHEDULED_KEY)


def _scrub_tokens(body: bytes, secret: str | None, placeholder: bytes) -> bytes:
    """Replace any real CSRF token for ``secret`` that slipped into ``body`` with the placeholder."""
    if not secret:
        return body

    def unmask(token: str) -> str:
        mask, cipher = token[:32], token[32:]
        chars = CSRF_ALLOWED_CHARS
        return "".join(chars[chars.index(c) - chars.index(m)] for c, m in zip(cipher, mask, strict=True))

    def replace(match):
        token = match.group().decode()
        return placeholder if constant_time_compare(unmask(token), secret) else match.group()

    return _TOKEN_RE.sub(replace, body)


def reader_token(request) -> str:
    """What ``django.middleware.csrf.get_token`` returns, with the random characters drawn in one call
    to the OS instead of one per character (64 system calls cost half a millisecond per cached page)."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = _random_chars(CSRF_SECRET_LENGTH)
        request.META["CSRF_COOKIE"] = secret
    # As get_token does: (re)send the cookie with this response.
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = _random_chars(CSRF_SECRET_LENGTH)
    chars, index = CSRF_ALLOWED_CHARS, _CHAR_INDEX
    try:
        cipher = "".join(chars[(index[x] + index[y]) % len(chars)] for x, y in zip(secret, mask, strict=True))
    except (KeyError, ValueError):  # a secret the CSRF middleware did not vet: let Django handle it
        return get_token(request)
    return mask + cipher


_CHAR_INDEX = {c: i for i, c in enumerate(CSRF_ALLOWED_CHARS)}


def _random_chars(length: int) -> str:
    """``length`` characters from CSRF_ALLOWED_CHARS, uniformly (rejection sampling over random bytes)."""
    chars, out = CSRF_ALLOWED_CHARS, []
    bound = 256 - 256 % len(chars)
    while len(out) < length:
        out.extend(chars[b % len(chars)] for b in os.urandom(length * 2) if b < bound)
    return "".join(out[:length])


def _personalise(request, body: bytes, plan: Plan) -> bytes:
    placeholder = csrf_placeholder().encode()
    if placeholder not in body:
        return body
    return _join(request, tuple(body.split(placeholder)), plan)


def _join(request, parts: tuple[bytes, ...], plan: Plan) -> bytes:
    if len(parts) == 1:
        return parts[0]
    token = b"" if plan.shared else reader_token(request).encode()
    return token.join(parts)


PRIVATE = "private, no-cache, max-age=0"


def _finish(request, response, plan: Plan, entry: Entry, state: str):
    response.headers["ETag"] = entry.etag
    response.headers["Last-Modified"] = entry.last_modified or http_date(entry.rendered_at)
    if plan.shared:
        patch_cache_control(response, public=True, max_age=0, s_maxage=settings.PAGE_CACHE_SHARED_MAX_AGE)
        # Whoever carries a cookie must not get this copy from a cache that ignores our nginx rules.
        patch_vary_headers(response, ["Cookie"])
    elif "Cache-Control" in response.headers:
        patch_cache_control(response, private=True, no_cache=True, max_age=0)
    else:
        # The page carries this reader's CSRF token: only their browser may keep it, and must ask again.
        response.headers["Cache-Control"] = PRIVATE
    response.headers[HEADER] = state
    return response


def _not_modified(request, plan: Plan, entry: Entry, state: str):
    not_modified = get_conditional_response(request, etag=entry.etag, last_modified=int(entry.rendered_at))
    if not_modified is None:
        return None
    return _finish(request, not_modified, plan, entry, state)


def _entry_ttl(versions: tuple) -> int:
    settle = settings.PAGE_CACHE_SETTLE_SECONDS
    if settle and time.time() - max(versions) / 1e9 < settle:
        return settle
    return settings.PAGE_CACHE_TTL


def serve(request, render, *, article_slug: str | None = None):
    """Answer from the page cache, or call ``render()`` and store its response for the next reader."""
    plan = plan_for(request, article_slug)
    if plan is None:
        response = render()
        response.headers.setdefault(HEADER, "bypass")
        return response
    local = local_pages.get(plan.page_key) if settings.PAGE_CACHE_LOCAL_BYTES else None
    recheck = settings.PAGE_CACHE_VERSION_RECHECK
    found = local_versions.get_many(plan.version_keys, recheck) if local is not None and recheck else None
    if found is None:
        keys = plan.version_keys if local is not None else [plan.page_key, *plan.version_keys]
        # A copy: django-redis answers every failed get_many with the same dict object.
        found = dict(cache.get_many(keys))
        versions = current_versions(plan, found)
        if versions is not None:
            local_versions.update({key: found[key] for key in plan.version_keys if key in found})
    else:
        versions = current_versions(plan, found)
    entry = local if _current(local, versions) else found.get(plan.page_key)
    if entry is None and local is not None and versions is not None:
        entry = cache.get(plan.page_key)  # our copy is out of date; another process may have a newer one
    if _current(entry, versions):
        if entry is not local and settings.PAGE_CACHE_LOCAL_BYTES:
            local_pages.put(plan.page_key, entry, entry.size)
        return _serve_entry(request, plan, entry, "hit")
    stale = next((e for e in (entry, local, found.get(plan.page_key)) if isinstance(e, Entry)), None)
    if versions is None and isinstance(local, Entry) and time.time() - local.rendered_at < settings.PAGE_CACHE_TTL:
        # The cache does not answer (Redis down or hung): this process's own copy, if it is no older
        # than an entry may live anyway, rather than every reader waiting for a render (stale-if-error).
        return _serve_entry(request, plan, local, "stale")
    lock = f"pc:lock:{plan.page_key}"
    if versions is not None and stale is not None:
        # One process renders the new page; meanwhile the others answer with the copy they have
        # (for as long as one render takes, PAGE_CACHE_LOCK_SECONDS at most) instead of all rendering.
        if not cache.add(lock, 1, settings.PAGE_CACHE_LOCK_SECONDS):
            return _serve_entry(request, plan, stale, "stale")
        try:
            return _fill(request, render, plan, versions)
        finally:
            cache.delete(lock)
    return _fill(request, render, plan, versions)


def local_hit(request):
    """The page this process holds for ``request``, when the versions it read lately say it is current.

    ``PageCacheMiddleware`` answers with it before URL resolution and the view. Whatever needs more
    (a version to read again, an out-of-date copy, a scheduled publication due) returns None: the view's
    ``serve`` decides then, exactly as without the middleware.
    """
    recheck = settings.PAGE_CACHE_VERSION_RECHECK
    if not (recheck and settings.PAGE_CACHE_LOCAL_BYTES):
        return None
    plan = plan_for(request)
    entry = local_pages.get(plan.page_key) if plan is not None else None
    if entry is None or not entry.version_keys:
        return None
    found = local_versions.get_many(list(entry.version_keys), recheck)
    due = found.get(NEXT_SCHEDULED_KEY) if found is not None else None
    if due is None or (due and due <= _now()):
        return None
    plan.version_keys = list(entry.version_keys)
    if not _current(entry, tuple(found[key] for key in plan.version_keys if key != NEXT_SCHEDULED_KEY)):
        return None
    return _serve_entry(request, plan, entry, "hit")


class PageCacheMiddleware:
    """Answers hits on pages this process holds (``local_hit``) before URL resolution and the view:
    under a viral story almost every request is one. Place it after LocaleMiddleware and
    CsrfViewMiddleware: the page's key needs the reader's language, the reader's token their CSRF cookie.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = local_hit(request)
        return response if response is not None else self.get_response(request)


def _serve_entry(request, plan: Plan, entry: Entry, state: str):
    return _not_modified(request, plan, entry, state) or _finish(
        request,
        HttpResponse(_join(request, entry.parts, plan), content_type=entry.content_type),
        plan,
        entry,
        state,
    )


def _fill(request, render, plan: Plan, versions: tuple | None):
    if plan.query is not None:
        # Tracking parameters must not end up in the stored page (pagination and language links reflect them).
        request.GET = plan.query
        request.META["QUERY_STRING"] = plan.query.urlencode()
    token_requested = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
    request.page_cache_fill = True
    try:
        response = render()
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
    finally:
        request.page_cache_fill = False
    placeholder = csrf_placeholder().encode()
    if response.streaming or response.status_code != 200:
        if not response.streaming:
            response.content = _personalise(request, response.content, plan)
        return response
    body = response.content
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") and not token_requested:
        # Something rendered a real token despite the placeholder: take it out before storing the page.
        body = _scrub_tokens(body, request.META.get("CSRF_COOKIE"), placeholder)
        if plan.shared:
            request.META.pop("CSRF_COOKIE_NEEDS_UPDATE", None)
    session = getattr(request, "session", None)
    storable = (
        versions is not None
        and "Cache-Control" not in response.headers
        and not response.cookies
        and not (session is not None and session.modified)
    )
    rendered_at = time.time()
    entry = Entry(
        versions=versions or (),
        rendered_at=rendered_at,
        etag=f'W/"{hashlib.blake2b(body, digest_size=12).hexdigest()}"',
        content_type=response.headers.get("Content-Type", "text/html; charset=utf-8"),
        parts=tuple(body.split(placeholder)),
        last_modified=http_date(rendered_at),
        version_keys=tuple(plan.version_keys),
    )
    if not storable:
        response.content = _personalise(request, body, plan)
        response.headers.setdefault(HEADER, "bypass")
        return response
    ttl = _entry_ttl(versions)
    entry.expires_at = entry.rendered_at + ttl
    cache.set(plan.page_key, entry, ttl)
    if settings.PAGE_CACHE_LOCAL_BYTES:
        local_pages.put(plan.page_key, entry, entry.size)
    not_modified = _not_modified(request, plan, entry, "miss")
    if not_modified is not None:
        return not_modified
    response.content = _personalise(request, body, plan)
    return _finish(request, response, plan, entry, "miss")


class PageCacheMixin:
    """Serve anonymous GETs of this view through the page cache.

    ``page_cache_article = True`` keys the page on the article in ``kwargs["slug"]`` too, so a new
    comment (``bump_article``) invalidates that page alone.
    """

    page_cache_article = False

    def dispatch(self, request, *args, **kwargs):
        slug = kwargs.get("slug") if self.page_cache_article else None
        return serve(request, lambda: super(PageCacheMixin, self).dispatch(request, *args, **kwargs), article_slug=slug)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if getattr(self.request, "page_cache_fill", False):
            context["csrf_token"] = csrf_placeholder()
        return context


@never_cache
@require_GET
def csrf_token_view(request):
    """This reader's CSRF token (and cookie), for forms on pages from a shared cache (static/js/csrf.js)."""
    return JsonResponse({"token": get_token(request)})
