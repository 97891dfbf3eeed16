"""Page views and the "most read" and "most commented" boxes.

A view is counted in the cache, never with a database write per page view. The article page carries
a 1×1 image (``beacon_url``) whose request calls ``record_view``, so a page served from a cache is
still counted and previews are not (they carry no beacon). ``record_view`` skips bots and prefetches,
and counts one reader once per article within ``VIEW_DEDUPE_SECONDS``. ``manage.py flush_views`` moves
the counts into ``ArticleViewCount`` rows, one per article and hour; the boxes read those rows and are
kept as a fragment (docs/caching.md), so new counts show within PAGE_CACHE_TTL of a flush.

Only ``add``, ``incr``, ``decr``, ``get_many`` and ``set`` of Django's cache API are used, atomic on
Redis (and within a process on the local-memory cache). Keys, all expiring after
``VIEW_COUNTER_HOURS``:

- ``views:seen:<reader>:<article>``: a reader saw an article (expires after ``VIEW_DEDUPE_SECONDS``)
- ``views:<hour>:a:<article>``: views of an article in an hour not yet written to the database
- ``views:<hour>:n`` and ``views:<hour>:slot:<k>``: which articles have a counter in that hour
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

import caching
from portal.security import client_ip

from .models import Article, ArticleViewCount

# A transparent 1×1 GIF.
PIXEL = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"  # noqa: E501
BOT_USER_AGENT = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|archiver|fetcher|preview|facebookexternalhit|embedly|whatsapp|telegram|"
    r"viber|skype|slack|discord|curl|wget|python|httpclient|http-client|java/|go-http|okhttp|axios|headless|"
    r"lighthouse|pagespeed|monitor|uptime|scanner|feed|rss|phantomjs|selenium|puppeteer|playwright",
    re.IGNORECASE,
)
FLUSH_LOCK_KEY = "views:flush-lock"


def view_token(article_id: int) -> str:
    """A short signature, so only article pages can make beacon URLs."""
    return salted_hmac("articles.stats.beacon", str(article_id)).hexdigest()[:16]


def beacon_url(article) -> str:
    return reverse("articles:view_beacon", kwargs={"pk": article.pk, "token": view_token(article.pk)})


def token_is_valid(article_id: int, token: str) -> bool:
    return constant_time_compare(token, view_token(article_id))


def is_bot(request) -> bool:
    """Crawlers, link previews, scripts, headless browsers and prefetches."""
    agent = request.headers.get("User-Agent", "")
    if not agent or BOT_USER_AGENT.search(agent):
        return True
    purpose = (request.headers.get("Sec-Purpose", "") + request.headers.get("Purpose", "")).lower()
    return "prefetch" in purpose or "prerender" in purpose


def reader_id(request) -> str:
    """An opaque, keyed hash of what tells readers apart (address, browser, CSRF cookie); never stored raw."""
    parts = (
        client_ip(request),  # the reader's address behind our own proxies (TRUSTED_PROXY_COUNT)
        request.headers.get("User-Agent", ""),
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
    )
    return salted_hmac("articles.stats.reader", "|".join(parts)).hexdigest()[:24]


def _hour_key(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%d%H")


def _incr(key: str, ttl: int) -> int:
    try:
        return cache.incr(key)
    except ValueError:
        cache.add(key, 0, ttl)
        return cache.incr(key)


def record_view(request, article_id: int, *, now: datetime | None = None) -> bool:
    """Count one view of an article in the cache; False for bots and repeated views by the same reader."""
    if is_bot(request):
        return False
    if not cache.add(f"views:seen:{reader_id(request)}:{article_id}", 1, settings.VIEW_DEDUPE_SECONDS):
        return False  # seen recently (or the cache is down: then nothing is counted)
    hour = _hour_key(now or timezone.now())
    ttl = settings.VIEW_COUNTER_HOURS * 3600
    counter = f"views:{hour}:a:{article_id}"
    if cache.add(counter, 0, ttl):
        slot = _incr(f"views:{hour}:n", ttl)
        cache.set(f"views:{hour}:slot:{slot}", article_id, ttl)
    _incr(counter, ttl)
    return True


class FlushBusy(Exception):
    """Another flush_views is running."""


@dataclass
class FlushResult:
    views: int = 0
    rows: int = 0
    pruned: int = 0


def flush_views(*, now: datetime | None = None) -> FlushResult:
    """Move the view counters of the last ``VIEW_COUNTER_HOURS`` from the cache into ``ArticleViewCount``."""
    now = now or timezone.now()
    if not cache.add(FLUSH_LOCK_KEY, 1, 600):
        raise FlushBusy
    try:
        taken = _take_counters(now)
        try:
            result = _write_counts(taken)
        except Exception:
            for key, value in taken.items():  # give the counts back for the next run
                _incr_by(key, value)
            raise
        keep_since = now - timedelta(days=settings.VIEW_COUNT_KEEP_DAYS)
        result.pruned, _ = ArticleViewCount.objects.filter(hour__lt=keep_since).delete()
        return result
    finally:
        cache.delete(FLUSH_LOCK_KEY)


def _incr_by(key: str, value: int) -> None:
    try:
        cache.incr(key, value)
    except ValueError:
        cache.set(key, value, settings.VIEW_COUNTER_HOURS * 3600)


def _take_counters(now: datetime) -> dict[str, int]:
    """Counter key -> views, each counter decreased by what was read (views arriving meanwhile stay)."""
    start = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    hours = [_hour_key(start - timedelta(hours=h)) for h in range(settings.VIEW_COUNTER_HOURS + 1)]
    slot_counts = cache.get_many([f"views:{hour}:n" for hour in hours])
    taken = {}
    for hour in hours:
        n = int(slot_counts.get(f"views:{hour}:n") or 0)
        if not n:
            continue
        ids = cache.get_many([f"views:{hour}:slot:{k}" for k in range(1, n + 1)]).values()
        counters = cache.get_many([f"views:{hour}:a:{article_id}" for article_id in ids])
        for key, value in counters.items():
            if value and int(value) > 0:
                cache.decr(key, int(value))
                taken[key] = int(value)
    return taken


def _write_counts(taken: dict[str, int]) -> FlushResult:
    counts: dict[tuple[int, datetime], int] = {}
    for key, value in taken.items():
        _, hour, _, article_id = key.split(":")
        moment = datetime.strptime(hour, "%Y%m%d%H").replace(tzinfo=UTC)
        counts[(int(article_id), moment)] = counts.get((int(article_id), moment), 0) + value
    if not counts:
        return FlushResult()
    article_ids = {article_id for article_id, _ in counts}
    with transaction.atomic():
        existing_articles = set(Article.objects.filter(pk__in=article_ids).values_list("pk", flat=True))
        counts = {key: n for key, n in counts.items() if key[0] in existing_articles}
        rows = ArticleViewCount.objects.select_for_update().filter(
            article_id__in=existing_articles, hour__in={hour for _, hour in counts}
        )
        totals = dict(counts)
        for row in rows:
            if (row.article_id, row.hour) in totals:
                totals[(row.article_id, row.hour)] += row.views
        ArticleViewCount.objects.bulk_create(
            [ArticleViewCount(article_id=a, hour=h, views=n) for (a, h), n in totals.items()],
            update_conflicts=True,
            unique_fields=["article", "hour"],
            update_fields=["views"],
        )
    return FlushResult(views=sum(counts.values()), rows=len(totals))


def most_read_boxes(request, *, without=None) -> dict[str, list[tuple[str, str, int]]]:
    """``(title, url, number)`` entries of the most read (24 h, 7 days) and most commented boxes, cached.

    ``without``: an article left out (on its own page), the lists as long as everywhere else: the shared
    fragment holds one entry more than a box shows. The three lists are one UNION ALL where the
    database allows a LIMIT inside one (PostgreSQL), three queries elsewhere.
    """
    boxes = caching.fragment(request, "most-read", _most_read_boxes)
    left_out = without.get_absolute_url() if without is not None else None
    limit = settings.MOST_READ_LIMIT
    return {name: [entry for entry in entries if entry[1] != left_out][:limit] for name, entries in boxes.items()}


def _most_read_boxes() -> dict[str, list[tuple[str, str, int]]]:
    now, limit = timezone.now(), settings.MOST_READ_LIMIT + 1
    articles = Article.objects.only("title", "slug", "published_at", "created_at")
    parts = [
        articles.most_read(now - timedelta(days=1), limit).annotate(box=Value("day")),
        articles.most_read(now - timedelta(days=7), limit).annotate(box=Value("week")),
        # Named like the views, so that the rows of all three parts have the same columns.
        articles.most_commented(now - timedelta(days=7), limit).annotate(
            recent_views=F("comment_count"), box=Value("commented")
        ),
    ]
    if connection.features.supports_slicing_ordering_in_compound:
        rows = list(parts[0].union(*parts[1:], all=True))
    else:
        rows = [a for part in parts for a in part]
    boxes = {"day": [], "week": [], "commented": []}
    # A UNION ALL keeps no order: each list again as its query ranks it.
    for a in sorted(rows, key=lambda a: (a.recent_views, a.published_at, a.pk), reverse=True):
        boxes[a.box].append((a.title, a.get_absolute_url(), a.recent_views))
    return boxes
