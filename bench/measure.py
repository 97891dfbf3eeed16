"""Per page type: queries and median/p90 server time through Django's test client, warm (no network).

Three ways of serving each page:
- ``no cache``: every cache replaced by a dummy (page cache, thread fragments, navigation, most read);
- ``page cache off``: PAGE_CACHE_ENABLED=False: the page rendered, with the fragment caches warm (what a
  page-cache miss costs);
- ``page cache hit``: the stored page (the same copy for every reader without reader state).

Pages: the listings, the article with 0 to 5,000 comments, search (two Bulgarian queries over the
5,000 seeded articles) and the sitemaps (the index and the articles' sitemap).

Run by bench/run.py with DJANGO_SETTINGS_MODULE=bench.settings against the seeded database.
"""

import json
import os
import statistics
import sys
import time

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils.http import urlencode  # noqa: E402

from articles.models import Article, Section, Tag  # noqa: E402
from caching.generations import forget  # noqa: E402
from caching.pages import local_pages  # noqa: E402

HEADERS = {"X-Forwarded-Proto": "https"}  # as nginx passes it; production settings redirect plain HTTP
REPEAT = int(os.environ.get("BENCH_REPEAT", 30))
WARMUP = 5
SEARCHES = ("правителството бюджет", "министър")
DUMMY = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def pages() -> dict[str, str]:
    article = {n: Article.objects.get(slug=f"bench-comments-{n}").get_absolute_url() for n in (0, 200, 1000, 5000)}
    return {
        "home": reverse("articles:home"),
        "latest (page 2)": reverse("articles:latest") + "?page=2",
        "section": Section.objects.get(slug="politika").get_absolute_url(),
        "tag": Tag.objects.get(slug="bench-tag-7").get_absolute_url(),
        "article, 0 comments": article[0],
        "article, 200 comments": article[200],
        "article, 1,000 comments": article[1000],
        "article, 5,000 comments": article[5000],
        **{f"search: {q}": reverse("articles:search") + "?" + urlencode({"q": q}) for q in SEARCHES},
        "sitemap index": reverse("articles:sitemap"),
        "sitemap: articles": reverse("articles:sitemap_section", kwargs={"section": "articles"}),
    }


def measure(url: str) -> dict:
    client = Client(headers=HEADERS)
    for _ in range(WARMUP):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    # Counted by hand: the request_started signal empties the log CaptureQueriesContext reads.
    connection.force_debug_cursor = True
    try:
        connection.queries_log.clear()
        response = client.get(url)
        queries = list(connection.queries_log)
    finally:
        connection.force_debug_cursor = False
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "queries": len(queries),
        "median_ms": round(statistics.median(times), 2),
        "p90_ms": round(times[int(len(times) * 0.9) - 1], 2),
        "bytes": len(response.content),
        "state": response.headers.get("X-Page-Cache", ""),
    }


def main() -> None:
    connection.ensure_connection()
    results = {}
    for name, url in pages().items():
        row = {"url": url}
        with override_settings(CACHES=DUMMY, PAGE_CACHE_ENABLED=False):
            local_pages.clear()  # this process's copies of what the cache held, too
            forget()
            row["no cache"] = measure(url)
        with override_settings(PAGE_CACHE_ENABLED=False):
            row["page cache off"] = measure(url)
        row["page cache hit"] = measure(url)
        results[name] = row
    out = sys.argv[1] if len(sys.argv) > 1 else None
    lines = [
        "| page | queries (no cache / page cache off / hit) | no cache: median / p90 ms"
        " | page cache off: median / p90 ms | page cache hit: median / p90 ms | bytes |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, row in results.items():
        a, b, c = row["no cache"], row["page cache off"], row["page cache hit"]
        lines.append(
            f"| {name} | {a['queries']} / {b['queries']} / {c['queries']} | {a['median_ms']} / {a['p90_ms']}"
            f" | {b['median_ms']} / {b['p90_ms']} | {c['median_ms']} / {c['p90_ms']} | {a['bytes']:,} |"
        )
    table = "\n".join(lines)
    print(table)
    if out:
        with open(out, "w") as fh:
            json.dump({"results": results, "table": table}, fh, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
