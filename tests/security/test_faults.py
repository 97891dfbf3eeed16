"""RELIABILITY 42-44 on loopback: gunicorn (production settings) behind TCP proxies that fail on cue.

The shared PostgreSQL and Redis servers are never touched: gunicorn reaches them through
``tools.chaos.TcpProxy``, which this test takes down (every connection dropped, new ones refused: a
restart or a stopped service) or freezes (nothing read or accepted: a hung server). Each test starts
its own gunicorn and stops it by its process id; every run is bounded in time.

Documented behaviour under test (docs/reliability.md):
- the database away: /healthz answers 503, pages 500; within 5 s of its return everything is served
  again (CONN_HEALTH_CHECKS replaces the dead persistent connections);
- the cache (Redis) away or hung: pages are served uncached, and the comment rate limiter, which
  cannot count, fails open into moderation: comments are accepted but held for review
  (reason ``rate_unavailable``), never auto-published, never answered 5xx.
"""

import os
import threading
import time
from urllib.parse import urlsplit

import pytest
from django.db import connection

from articles.models import Article
from comments.models import Comment, CommentStatus, Reason
from tests.factories import ArticleFactory
from tests.security.conftest import database_url
from tools.chaos import UNLIMITED_POSTING, Gunicorn, Reader, TcpProxy, mixed_load, percentile, server_env

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

CLIENTS = 10
PAUSE = 0.2  # seconds a reader waits between requests in the Redis test (about 30 requests/s in all)


def redis_url() -> str:
    return os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def db_proxy(django_db_setup):
    s = connection.settings_dict
    proxy = TcpProxy(s["HOST"] or "127.0.0.1", int(s["PORT"] or 5432)).start()
    yield proxy
    proxy.stop()


@pytest.fixture
def log_dir(tmp_path):
    return tmp_path


def posts(results):
    return [r for r in results if r.kind == "post"]


def test_the_app_boots_without_the_database_and_recovers_when_it_returns(db_proxy, log_dir):
    db_proxy.down()
    env = server_env(
        database_url=database_url(port=db_proxy.port, conn_max_age=60, conn_health_checks="true", connect_timeout=3),
        cache_url="locmemcache://",
    )
    with Gunicorn(env, log_path=log_dir / "boot.log", workers=2, threads=2) as server:
        browser = Reader(server.port, "127.0.0.1")
        health = [browser.get("/healthz").status for _ in range(5)]
        home = browser.get("/")
        assert health == [503] * 5
        assert home.status in (500, 503)
        assert b"Traceback" not in home.body and b"psycopg" not in home.body
        assert server.process.poll() is None  # the master and its workers are up: no crash loop

        db_proxy.up()
        returned = browser.get("/healthz").started
        statuses = []
        while True:
            result = browser.get("/healthz")
            statuses.append(result.status)
            if result.status == 200 or result.started - returned > 10:
                break
        recovery = result.started + result.seconds - returned
        assert result.status == 200 and recovery <= 5, (statuses, recovery)
        assert browser.get("/").status == 200
        browser.close()
        log = server.log()
    assert "Worker failed to boot" not in log and "WORKER TIMEOUT" not in log, log[-3000:]
    print(f"boot without database: healthz 503 x5, home {home.status}; 200 again {recovery:.2f} s after its return")


def test_a_database_restart_under_load_loses_no_comment_and_recovers_within_five_seconds(db_proxy, log_dir):
    article = ArticleFactory()
    env = server_env(
        database_url=database_url(port=db_proxy.port, conn_max_age=60, conn_health_checks="true", connect_timeout=3),
        cache_url="locmemcache://",  # no page cache across workers: every read needs the database
        PAGE_CACHE_ENABLED="false",
        **UNLIMITED_POSTING,
    )
    with Gunicorn(env, log_path=log_dir / "restart.log") as server:
        results, marks = mixed_load(
            server.port,
            article,
            clients=CLIENTS,
            seconds=18,
            post_share=0.3,
            events=[(5, "down", db_proxy.down), (8, "up", db_proxy.up)],
        )
        log = server.log()
    down, up = marks["down:begin"], marks["up"]
    # No committed comment is lost: every post answered "ok" has its row, and the count holds.
    accepted = {r.json["id"] for r in posts(results) if r.status == 200 and r.json.get("ok")}
    stored = set(Comment.objects.filter(article=article).values_list("pk", flat=True))
    assert accepted and accepted <= stored
    assert Article.objects.get(pk=article.pk).comment_count == Comment.objects.filter(article=article).visible().count()
    # During the outage the only failures are 5xx or dropped connections: no 4xx, nothing hangs.
    assert not [r for r in results if 400 <= r.status < 500], sorted({r.status for r in results})
    assert max(r.seconds for r in results) <= 10
    failed = [r for r in results if r.status >= 500 or r.status == 0]

    def in_outage(r):  # in flight when the connections dropped, or sent before 5 s after the return
        return r.started + r.seconds >= down and r.started <= up + 5

    assert failed and all(in_outage(r) for r in failed), [
        (round(r.started - down, 2), r.kind, r.status) for r in failed if not in_outage(r)
    ]
    # First answer from the database within 5 s of its return; none failing from then on.
    first_ok = min(r.started + r.seconds for r in results if r.kind == "probe" and r.status == 200 and r.started >= up)
    first_post = min(r.started + r.seconds for r in posts(results) if r.started >= up and r.json.get("ok"))
    assert first_ok - up <= 5 and first_post - up <= 5, (first_ok - up, first_post - up)
    assert "WORKER TIMEOUT" not in log and log.count("Booting worker") == 3, log[-3000:]
    print(
        f"database restart: {len(results)} requests, {len(accepted)} comments accepted and stored, "
        f"{len(failed)} failed during the {up - down:.1f} s outage, healthz 200 {first_ok - up:.2f} s "
        f"and first post {first_post - up:.2f} s after its return"
    )


@pytest.mark.redis
def test_redis_stopped_then_frozen_under_load_gives_no_server_error(log_dir, settings):
    target = urlsplit(redis_url())
    proxy = TcpProxy(target.hostname, target.port or 6379).start()
    article = ArticleFactory()
    env = server_env(
        database_url=database_url(conn_max_age=60, conn_health_checks="true"),
        cache_url=f"redis://127.0.0.1:{proxy.port}{target.path or '/0'}",
        **UNLIMITED_POSTING,
    )
    sentinel = {}

    def send_sentinel():
        """One post sent half a second into the freeze, from a form opened before it."""

        def run():
            sentinel["result"] = sentinel["browser"].post_comment(
                article.pk, sentinel["fields"], "Мнение, изпратено докато кешът не отговаря.", name="Часовой"
            )
            sentinel["done"] = time.monotonic()

        sentinel["thread"] = threading.Thread(target=run, daemon=True)
        sentinel["thread"].start()

    try:
        with Gunicorn(env, log_path=log_dir / "redis.log") as server:
            sentinel["browser"] = Reader(server.port, "192.0.2.200", timeout=40)
            _opened, sentinel["fields"] = sentinel["browser"].open_form(article.get_absolute_url())
            results, marks = mixed_load(
                server.port,
                article,
                clients=CLIENTS,
                seconds=30,
                post_share=0.3,
                pause=PAUSE,
                events=[
                    (3, "down", proxy.down),
                    (8, "up", proxy.up),
                    (15, "freeze", proxy.freeze),
                    (15.5, "sentinel", send_sentinel),
                    (27, "thaw", proxy.thaw),
                ],
            )
            sentinel["thread"].join(30)
            log = server.log()
    finally:
        proxy.stop()
    statuses = sorted({r.status for r in results})
    assert [r for r in results if r.status >= 500 or r.status == 0] == [], statuses
    assert not [r for r in results if 400 <= r.status < 500], statuses

    def during(r, start, end):
        return r.started >= marks[start] and r.started + r.seconds <= marks[end]

    outage = [r for r in posts(results) if during(r, "down:begin", "up:begin") or during(r, "freeze", "thaw:begin")]
    healthy = [r for r in posts(results) if r.started >= marks["up"] + 5 and r.started + r.seconds <= marks["freeze"]]
    assert outage and healthy
    # The documented choice: the limiter cannot count, so the comment is taken but held for review.
    for result in outage:
        assert result.status == 200 and result.json["ok"] and not result.json["visible"], result.body[:300]
        comment = Comment.objects.get(pk=result.json["id"])
        assert comment.status == CommentStatus.PENDING and comment.reason == Reason.RATE_UNAVAILABLE
    # Once the cache answers again, comments are published at once again.
    assert all(r.json.get("visible") for r in healthy), [r.body[:200] for r in healthy if not r.json.get("visible")]
    assert Article.objects.get(pk=article.pk).comment_count == Comment.objects.filter(article=article).visible().count()
    healthy_times = [
        r.seconds for r in results if r.started + r.seconds < marks["down:begin"] or during(r, "up", "freeze:begin")
    ]
    stopped = [r.seconds for r in results if during(r, "down", "up")]
    frozen = [r.seconds for r in results if r.started >= marks["freeze"] and r.started < marks["thaw"]]
    figures = {
        "requests": len(results),
        "held while stopped": len([r for r in outage if r.started < marks["up"]]),
        "held while frozen": len([r for r in outage if r.started > marks["up"]]) + 1,  # + the sentinel
        "p99 healthy": round(percentile(healthy_times, 99), 2),
        "p99 stopped": round(percentile(stopped, 99), 2),
        "p99 frozen": round(percentile(frozen, 99), 2),
        "max frozen": round(max(frozen, default=0), 2),
    }
    # RELIABILITY 44: p99 ≤ 1 s during the outage. A hung Redis costs each process one 0.25 s timeout, then
    # the circuit breaker (portal/cache_breaker.py) makes cache calls miss at once until Redis answers
    # (7-12 s a request without it). The readers pause between requests so that the load does not
    # saturate the machine; where it is slower than this one, twice the healthy p99 is allowed.
    bound = max(1.0, 2 * figures["p99 healthy"])
    assert figures["p99 stopped"] <= bound and figures["p99 frozen"] <= bound, figures
    assert figures["held while stopped"], figures
    # The post sent into the hung cache is answered before the thaw, and held for review.
    held = sentinel["result"]
    assert sentinel["done"] < marks["thaw:begin"], (sentinel["done"] - marks["freeze"], held.seconds)
    assert held.status == 200 and held.json["ok"] and not held.json["visible"], held.body[:300]
    assert Comment.objects.get(pk=held.json["id"]).reason == Reason.RATE_UNAVAILABLE
    figures["sentinel seconds"] = round(held.seconds, 2)
    print("redis outage:", figures)
    assert "WORKER TIMEOUT" not in log, log[-3000:]
