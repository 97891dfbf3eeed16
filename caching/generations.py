"""Generations: the numbers that say whether something cached is still current (docs/caching.md).

There are two kinds. The site's generation changes whenever anything a page shows changes (an
article, a section, a tag, a source, an author, an image), and when a scheduled article's time comes.
Each article has one more, which changes when its discussion does. Whatever is cached is stored with
the generations it was built under and used only while they are all unchanged: nothing is ever
purged, and a generation lost from the cache comes back as a new value (a nanosecond timestamp),
which no stored copy can match.

A reader reads a generation before the rows it covers, so whatever it builds is at least as new as
the generation it is stored under. A writer announces a change at once and again when its transaction
commits: the first stops every reader from using older copies, the second retires anything built in
between from rows that did not show the change yet.
"""

import time
from bisect import bisect_right

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from . import breaker

SITE = "gen:site"
SEEN_LIMIT = 10_000

# What this process read lately: key -> (stored record, monotonic time it was read). A reader may use
# it for PAGE_CACHE_TRUST_SECONDS instead of asking the cache again; this process's own changes land
# here at once.
_seen: dict[str, tuple[object, float]] = {}


def article_key(article_id: int) -> str:
    return f"gen:article:{int(article_id)}"


def site_changed(*, scheduled=None) -> None:
    """Everything cached is out of date: now, and again when the current transaction commits.

    ``scheduled``: times at which the site will change again without a write (a scheduled article, a
    banner's end); read each time, so a QuerySet is fine. They join the times already announced that
    are still to come (each app announces its own; a time no longer meant costs one render). None
    means unknown: then the site's generation also rolls over every PAGE_CACHE_TTL seconds until a
    change says.
    """

    def write():
        times = None
        if scheduled is not None:
            now = time.time()
            stored = cache.get(SITE)
            known = stored[1] if isinstance(stored, tuple) and stored[1] is not None else ()
            times = tuple(sorted({moment.timestamp() for moment in scheduled} | {t for t in known if t > now}))
        _write({SITE: (time.time_ns(), times)})

    _announce(write)


def article_changed(*article_ids: int) -> None:
    """These articles' pages and discussions are out of date: now, and again when the transaction commits."""
    keys = [article_key(pk) for pk in article_ids]
    _announce(lambda: _write({key: time.time_ns() for key in keys}))


def _announce(write) -> None:
    write()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(write)


def current(keys, *, trust: float = 0.0) -> dict[str, str] | None:
    """The current generation of each key, or None when the cache does not answer.

    ``trust``: a value this process read within that many seconds is used without asking the cache.
    A generation the cache does not hold yet is started now.
    """
    if breaker.recovered():
        # The cache failed and answers again: a change announced meanwhile may be lost, and whatever
        # was stored before must not come back. A new site generation retires all of it.
        _write({SITE: (time.time_ns(), None)})
    now = time.monotonic()
    records, missing = {}, []
    for key in keys:
        seen = _seen.get(key)
        if seen is not None and now - seen[1] <= trust:
            records[key] = seen[0]
        else:
            missing.append(key)
    if missing:
        found = cache.get_many(missing)
        for key in missing:
            record = found.get(key)
            if record is None:
                record = _start(key)
                if record is None:
                    return None
            records[key] = record
        _remember({key: records[key] for key in missing}, now)
    return {key: _effective(key, record) for key, record in records.items()}


def _start(key: str):
    """A generation the cache does not hold: ours if we store it first, else the one that was (None: no cache)."""
    record = (time.time_ns(), None) if key == SITE else time.time_ns()
    if cache.add(key, record, None):
        return record
    return cache.get(key)


def _effective(key: str, record) -> str:
    if key != SITE:
        return str(record)
    started, schedule = record
    now = time.time()
    if schedule is None:
        return f"{started}.r{int(now // settings.PAGE_CACHE_TTL)}"
    return f"{started}.{bisect_right(schedule, now)}"


def _write(records: dict) -> None:
    cache.set_many(records, None)
    _remember(records, time.monotonic())


def _remember(records: dict, at: float) -> None:
    if len(_seen) > SEEN_LIMIT:
        _seen.clear()
    for key, record in records.items():
        _seen[key] = (record, at)


def started_at(generation: str) -> float:
    """When a generation began (seconds since the epoch)."""
    return int(generation.split(".", 1)[0]) / 1e9


def forget() -> None:
    """Forget what this process read (tests; a new process starts so)."""
    _seen.clear()


class Generations:
    """The generations one request reads, each read once: what it builds is stored under these values.

    The page cache makes one per request (``request.generations``), trusting what the process read
    within PAGE_CACHE_TRUST_SECONDS for readers without reader state, and asking the cache every time
    for the others (who may have just changed something through another process).
    """

    def __init__(self, *, trust: float = 0.0):
        self.trust = trust
        self.read: dict[str, str] = {}
        self.complete = True  # False once the cache failed to answer: nothing built is then stored

    def get(self, *keys: str) -> tuple[str, ...] | None:
        missing = [key for key in keys if key not in self.read]
        if missing:
            found = current(missing, trust=self.trust)
            if found is None:
                self.complete = False
                return None
            self.read.update(found)
        return tuple(self.read[key] for key in keys)

    def settled(self) -> bool:
        """Whether what was built may be stored: every generation read is older than PAGE_CACHE_SETTLE_SECONDS
        (with a lagging read replica, rows read right after a change may be older than the change)."""
        newest = max((started_at(value) for value in self.read.values()), default=0.0)
        return self.complete and time.time() - newest >= settings.PAGE_CACHE_SETTLE_SECONDS


def of(request) -> Generations:
    """The request's generations (a fresh set for a request that did not pass the middleware, or none)."""
    generations = getattr(request, "generations", None)
    if generations is None:
        generations = Generations()
        if request is not None:
            request.generations = generations
    return generations
