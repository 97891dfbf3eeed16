"""Benchmark: the article page with a 1,000-comment discussion.

    .venv/bin/python bench/comments_page.py                 # SQLite in memory, local-memory cache
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vestnik_comments CACHE_URL=redis://127.0.0.1:6379/5 \
        .venv/bin/python bench/comments_page.py             # PostgreSQL + Redis (a throw-away test_ database)
    BENCH_COMMENTS=5000 BENCH_REPEAT=50 .venv/bin/python bench/comments_page.py

It creates a test database (Django's test-database machinery: ``test_<name>``, dropped at the
end), seeds one published article with BENCH_COMMENTS (default 1,000) approved comments in threads
(40 % open a thread, the rest reply to a random earlier comment, depth capped at 4), then measures
through Django's test client, in process, after warm-up requests (median and p90 of BENCH_REPEAT
requests, default 30):

- ``section cold`` / ``section warm``: only ``{% comments_section article %}`` (what the comments add to
  the article page), with the rendered thread fragment rebuilt before every call / from the cache;
- ``page, thread cold`` / ``page, thread warm``: the whole article page through the test client, the
  thread fragment rebuilt every time / from the cache; the anonymous page cache off;
- ``thread's own page``: /comments/thread/<id>/ for the longest thread (100 comments a page);
- ``page cache hit``: the whole page from the page cache (caching/pages.py).

Queries are counted on one request of each kind. Nothing here is asserted: the suite asserts the
query budgets (tests/comments/test_views.py); this prints numbers for the record.
"""

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# Static files are not collected here: plain storage, as in the test suite.
os.environ.setdefault("STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

COMMENTS = int(os.environ.get("BENCH_COMMENTS", 1000))
REPEAT = int(os.environ.get("BENCH_REPEAT", 30))
WARMUP = 3
NAMES = ["Иван Петров", "Мария", "Георги", "Деси", "Стоян", "Пенка", "Николай Д.", "Елена", "Тодор", "Калина"]
TEXTS = [
    "Интересна статия, но данните в третия абзац искат източник.",
    "Напълно съм съгласен. Виж и https://example.org/doklad за подробности.",
    "Пак едно и също – обещания преди избори.\nА после никой не помни.",
    "Живея там и мога да потвърдя, че ситуацията е точно такава.",
    "Не бих казал. Има и друга гледна точка, която се пропуска.",
]


def seed() -> "object":
    from articles.models import Article, Section, Status
    from comments.models import Comment, CommentStatus, path_segment
    from comments.services import comment_count_refresh

    rng = random.Random(1000)
    now = timezone.now()
    section = Section.objects.create(name="Бенчмарк", slug="benchmark")
    article = Article.objects.create(
        title="Статия с дълга дискусия",
        slug="statia-s-dalga-diskusia",
        lead="Хиляда коментара под една статия.",
        body="<p>Текст.</p>",
        section=section,
        status=Status.PUBLISHED,
        published_at=now - timedelta(hours=6),
    )
    rows: list[Comment] = []
    for i in range(COMMENTS):
        pk = i + 1
        parent = rng.choice(rows) if rows and rng.random() > 0.4 else None
        if parent is not None and parent.depth >= settings.COMMENTS_MAX_DEPTH:
            parent = next(r for r in rows if r.pk == parent.parent_id)
        likes, dislikes = rng.randint(0, 12), rng.randint(0, 3)
        rows.append(
            Comment(
                pk=pk,
                article=article,
                parent_id=parent.pk if parent else None,
                thread_id=parent.thread_id if parent else pk,
                reply_to_name=parent.author_name if parent else "",
                depth=parent.depth + 1 if parent else 0,
                path=(parent.path if parent else "") + path_segment(pk),
                author_name=rng.choice(NAMES),
                author_key=f"i:{rng.randint(1, 300)}",
                body=rng.choice(TEXTS),
                status=CommentStatus.APPROVED,
                likes=likes,
                dislikes=dislikes,
                score=likes - dislikes,
                created_at=now - timedelta(minutes=COMMENTS - i),
            )
        )
    Comment.objects.bulk_create(rows, batch_size=500)
    comment_count_refresh([article.pk])  # the article's count and each thread's visible count
    article.refresh_from_db()
    threads = {}
    for row in rows:
        threads[row.thread_id] = threads.get(row.thread_id, 0) + 1
    article.longest_thread = max(threads, key=threads.get)
    article.thread_count = len(threads)
    return article


def measure(fetch, *, before=None) -> dict:
    """Queries of one call of ``fetch`` (returns the body) and its times over REPEAT calls."""
    for _ in range(WARMUP):
        if before:
            before()
        fetch()
    if before:
        before()
    connection.force_debug_cursor = True
    try:
        connection.queries_log.clear()
        body = fetch()
        queries = len(connection.queries_log)
    finally:
        connection.force_debug_cursor = False
    times = []
    for _ in range(REPEAT):
        if before:
            before()
        start = time.perf_counter()
        fetch()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "queries": queries,
        "median_ms": statistics.median(times),
        "p90_ms": times[max(0, int(len(times) * 0.9) - 1)],
        "min_ms": times[0],
        "kb": len(body) / 1024,
    }


def page(client: Client, url: str):
    def fetch() -> bytes:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response.content

    return fetch


def section_alone():
    """Only {% comments_section %}: what the comments add to the article page."""
    from django.template import RequestContext, Template
    from django.test import RequestFactory

    template = Template("{% load comments_tags %}{% comments_section article %}")
    request = RequestFactory().get(ARTICLE.get_absolute_url())
    request.user = AnonymousUser()

    def fetch() -> bytes:
        request.__dict__.pop("generations", None)  # read afresh, as by each new request
        return template.render(RequestContext(request, {"article": ARTICLE})).encode()

    return fetch


def forget_threads() -> None:
    """A new generation for the article's discussion: the next request queries and renders its thread again."""
    from caching import article_changed

    article_changed(ARTICLE.pk)


def main() -> None:
    global ARTICLE
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        cache.clear()
        ARTICLE = seed()
        url = ARTICLE.get_absolute_url()
        client = Client(headers={"X-Forwarded-Proto": "https"})
        results = {}
        with override_settings(PAGE_CACHE_ENABLED=False):
            results["section cold"] = measure(section_alone(), before=forget_threads)
            results["section warm"] = measure(section_alone())
            results["page, thread cold"] = measure(page(client, url), before=forget_threads)
            results["page, thread warm"] = measure(page(client, url))
            results["thread's own page"] = measure(page(client, f"/comments/thread/{ARTICLE.longest_thread}/"))
        with override_settings(PAGE_CACHE_ENABLED=True):
            results["page cache hit"] = measure(page(Client(headers={"X-Forwarded-Proto": "https"}), url))
        engine = connection.vendor
        backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        print(
            f"Article page, {COMMENTS:,} comments in {ARTICLE.thread_count} threads "
            f"({settings.COMMENTS_THREADS_PER_PAGE} threads a page); {engine}, {backend}; "
            f"median of {REPEAT} warm requests (min: the quietest)"
        )
        print(f"{'':18} {'queries':>7} {'median ms':>10} {'p90 ms':>8} {'min ms':>7} {'KiB':>6}")
        for name, row in results.items():
            print(
                f"{name:18} {row['queries']:>7} {row['median_ms']:>10.1f} {row['p90_ms']:>8.1f} "
                f"{row['min_ms']:>7.1f} {row['kb']:>6.0f}"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


ARTICLE = None

if __name__ == "__main__":
    main()
