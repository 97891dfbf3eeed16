"""Fragments: parts of pages kept under the generations they were built from (docs/caching.md)."""

import time

from django.conf import settings
from django.core.cache import cache

from . import generations
from .generations import SITE, article_key


def fragment(request, name: str, build, *, article_id: int | None = None):
    """``build()``, kept in the cache while the site's generation (and ``article_id``'s, if given) is unchanged,
    and PAGE_CACHE_TTL seconds at most.

    The generations are read before ``build()`` runs, through the request's (the page it is part of
    then depends on them too). Without an answer from the cache, ``build()`` runs every time.
    """
    request_generations = generations.of(request)
    keys = (SITE,) if article_id is None else (SITE, article_key(article_id))
    values = request_generations.get(*keys)
    if values is None:
        return build()
    key = f"frag:{name}:{':'.join(values)}"
    kept = cache.get(key)
    if isinstance(kept, tuple) and len(kept) == 2 and kept[0] > time.time():
        return kept[1]
    value = build()
    if request_generations.settled():
        # With its own expiry too: the one clock every process (and a test's travel in time) agrees on.
        cache.set(key, (time.time() + settings.PAGE_CACHE_TTL, value), settings.PAGE_CACHE_TTL)
    return value
