"""The page cache and every response's caching headers (docs/caching.md).

A request is *shared* when its answer is the same for every reader sending it: a GET or HEAD without a
reader's own cookies (a session, flash messages, the list of one's own fresh comments). Pages answered
to shared requests carry no CSRF token (static/js/csrf.js fetches the reader's own when a form is
used), so one stored copy serves them all.

``PageCacheMiddleware`` comes first in MIDDLEWARE, after the one that picks the reader's language. For a
shared request it looks the page up in this
process's copies and in the shared cache, and answers a current one at once, with the headers it was
stored with (the security headers included); otherwise the request goes on as usual, and a response
of a view marked with ``cache_page`` is stored on its way out. A stored page is current while every
generation it was built under is (caching.generations) and for PAGE_CACHE_TTL seconds at most.

Every response leaves with a Cache-Control: shared ones ``public, max-age=0, s-maxage=N`` (nginx keeps
them N seconds; browsers ask again each time and get a 304 while the ETag matches), all others
``private, no-cache`` unless the view said otherwise (``never_cache``, signed-in ``no-store``).
"""

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse, QueryDict
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.translation import get_language

from . import generations
from .generations import SITE

HEADER = "X-Page-Cache"
SHARED_STATUSES = frozenset({200, 301, 302, 307, 308, 404, 410})
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_ga"})


def is_shared(request) -> bool:
    """Whether the answer to ``request`` is the same for every reader sending it (see the module's docstring)."""
    return request.method in ("GET", "HEAD") and not any(
        name in request.COOKIES for name in settings.PAGE_CACHE_PERSONAL_COOKIES
    )


def cache_page(view=None, *, params=()):
    """Mark a view's pages for the page cache: answers to shared requests are stored and served to the next.

    ``params``: the query parameters the page may depend on. A request with any other (tracking
    parameters aside) is answered but not stored.
    """

    def decorate(view):
        allowed = frozenset(params)

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response.page_cache = allowed.issuperset(request.GET)
            return response

        return wrapped

    return decorate(view) if view is not None else decorate


@dataclass
class Page:
    generations: dict[str, str]
    status: int
    headers: object  # one HttpResponse.headers for every answer made from this page: never changed after storing
    body: bytes
    stored_at: float

    def is_current(self, request_generations) -> bool:
        if self.stored_at + settings.PAGE_CACHE_TTL <= time.time():
            return False
        return request_generations.get(*self.generations) == tuple(self.generations.values())

    def response(self) -> HttpResponse:
        """An answer from this page. The headers object is shared, not copied: setting sixteen headers anew
        cost a hit a fifth of its time (docs/performance.md); nothing after this middleware sets any."""
        response = HttpResponse(self.body, status=self.status)
        response.headers = self.headers
        return response


class LocalPages:
    """This process's copies of pages it served lately: least recently used first out, PAGE_CACHE_LOCAL_BYTES in all."""

    def __init__(self):
        self._pages: OrderedDict[str, Page] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> Page | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: str, page: Page) -> None:
        limit = settings.PAGE_CACHE_LOCAL_BYTES
        if len(page.body) > limit:
            return
        with self._lock:
            old = self._pages.pop(key, None)
            self._bytes += len(page.body) - (len(old.body) if old else 0)
            self._pages[key] = page
            while self._bytes > limit:
                _key, dropped = self._pages.popitem(last=False)
                self._bytes -= len(dropped.body)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0


local_pages = LocalPages()


def page_key(request) -> str:
    """The stored page's key: scheme, host, the reader's language (active by now), path and query.

    The Host header is taken as sent: a host Django refuses is answered 400 further in, so nothing is
    ever stored under it.
    """
    query = ""
    if request.META.get("QUERY_STRING"):
        query = "&".join(sorted(f"{name}={value}" for name, values in request.GET.lists() for value in values))
    host = request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", "")
    material = "|".join([request.scheme, host, get_language(), request.path, query])
    return "page:" + hashlib.md5(material.encode(), usedforsecurity=False).hexdigest()


def find(key: str, request_generations) -> Page | None:
    """The current page stored under ``key``, from this process's copies or the shared cache."""
    page = local_pages.get(key) if settings.PAGE_CACHE_LOCAL_BYTES else None
    if page is not None and page.is_current(request_generations):  # its generations in one read
        return page
    if request_generations.get(SITE) is None:  # no cache: render
        return None
    page = cache.get(key)
    if not isinstance(page, Page) or not page.is_current(request_generations):
        return None
    if settings.PAGE_CACHE_LOCAL_BYTES:
        local_pages.put(key, page)
    return page


def store(key: str, request_generations, response) -> None:
    kept = [(name, value) for name, value in response.items() if name != HEADER]
    # The page's language is part of its key; the language middleware (outside) finds it already said.
    kept += [("Content-Language", get_language()), (HEADER, "hit")]
    page = Page(
        generations=dict(request_generations.read),
        status=response.status_code,
        headers=HttpResponse(headers=kept).headers,
        body=response.content,
        stored_at=time.time(),
    )
    cache.set(key, page, settings.PAGE_CACHE_TTL)
    if settings.PAGE_CACHE_LOCAL_BYTES:
        local_pages.put(key, page)


def _drop_tracking_params(request) -> None:
    """Tracking parameters (utm_*, fbclid, ...) neither split the cache nor reach links the page builds."""
    if not request.META.get("QUERY_STRING"):
        return
    names = [name for name in request.GET if name in TRACKING_PARAMS or name.startswith("utm_")]
    if names:
        kept = QueryDict(mutable=True)
        for name, values in request.GET.lists():
            if name not in names:
                kept.setlist(name, values)
        request.GET = kept
        request.META["QUERY_STRING"] = kept.urlencode()


def _storable(request, response) -> bool:
    return (
        getattr(response, "page_cache", False)
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "Cache-Control" not in response
        and request.generations.settled()
    )


def _set_policy(response, shared: bool):
    if "Cache-Control" in response:
        return response  # the view decided (never_cache, a signed-in reader's no-store, static files)
    if shared and not response.cookies and response.status_code in SHARED_STATUSES:
        patch_cache_control(response, public=True, max_age=0, s_maxage=settings.PAGE_CACHE_SHARED_MAX_AGE)
        patch_vary_headers(response, ["Cookie"])
    else:
        patch_cache_control(response, private=True, no_cache=True)
    return response


def _answer(request, response, state: str | None = None):
    if state is not None:
        response.headers[HEADER] = state
    asks = "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META
    if asks and "ETag" in response:
        return get_conditional_response(request, etag=response.headers["ETag"], response=response)
    return response


class PageCacheMiddleware:
    """First in MIDDLEWARE after the language: answers current stored pages before anything else runs,
    stores new ones, and gives every response its Cache-Control."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        shared = is_shared(request)
        request.generations = generations.Generations(trust=settings.PAGE_CACHE_TRUST_SECONDS if shared else 0)
        if request.path.startswith(settings.STATIC_URL):
            return _set_policy(self.get_response(request), shared)
        if not (shared and settings.PAGE_CACHE_ENABLED):
            response = _set_policy(self.get_response(request), shared)
            response.headers.setdefault(HEADER, "bypass")
            return response
        try:
            _drop_tracking_params(request)
            key = page_key(request)
        except SuspiciousOperation:  # e.g. too many query fields: answered 400 further in, with the headers
            return self.get_response(request)
        page = find(key, request.generations)
        if page is not None:
            return _answer(request, page.response())
        response = self.get_response(request)
        storable = _storable(request, response)
        _set_policy(response, shared)
        if not storable:
            return _answer(request, response, "bypass")
        set_response_etag(response)
        store(key, request.generations, response)
        return _answer(request, response, "miss")
