"""RELIABILITY 46: a slow database stays bounded.

Production settings give every PostgreSQL connection ``connect_timeout=3`` (seconds) and
``statement_timeout=5000`` (milliseconds, a server-side setting sent at connection start), unless
DATABASE_URL sets its own (portal/settings.py, DATABASE_CONNECT_TIMEOUT / DATABASE_STATEMENT_TIMEOUT).

The live tests start gunicorn with exactly those defaults (nothing about timeouts in its environment)
and the test-only URLconf of tests/security/settings_slow_db.py, whose ``/test-only/pg-sleep/`` runs
``SELECT pg_sleep(30)``. The production default of 5 s is tested as such (not a shortened one): the
endpoint must answer the site's own 500 page within 6 s, the query must be gone from the server, the
pages other readers load meanwhile keep their p95 within 2x of the baseline measured just before,
and gunicorn kills no worker (its timeout is 30 s). PostgreSQL only: skipped on SQLite.
"""

import threading
import time

import pytest
from django.db import connection
from django.template.loader import render_to_string

from tests.factories import ArticleFactory
from tests.portal.test_scaleout import reloaded_settings
from tests.security.conftest import database_url
from tests.security.urls_slow_db import SLOW_QUERY
from tools.chaos import Gunicorn, Reader, TcpProxy, mixed_load, percentile, server_env

SLEEPERS = 2  # concurrent 30 s queries: two of gunicorn's 12 threads held, the rest serve pages
READERS = 4

# --- The settings ---------------------------------------------------------------------------------------


def databases(monkeypatch, **environ):
    for name in ("DATABASE_CONNECT_TIMEOUT", "DATABASE_STATEMENT_TIMEOUT", "DATABASE_REPLICA_URL"):
        monkeypatch.delenv(name, raising=False)
    return reloaded_settings(monkeypatch, **environ)["DATABASES"]


def test_postgresql_connections_get_a_connect_and_a_statement_timeout(monkeypatch):
    found = databases(
        monkeypatch,
        DATABASE_URL="postgres://vestnik@db.example:5432/vestnik?conn_max_age=60&conn_health_checks=true",
        DATABASE_REPLICA_URL="postgres://reader@replica.example:5432/vestnik",
    )
    for alias in ("default", "replica"):
        assert found[alias]["OPTIONS"] == {"connect_timeout": 3, "options": "-c statement_timeout=5000"}, alias
    assert found["default"]["CONN_MAX_AGE"] == 60  # the rest of the URL is kept


def test_the_timeouts_come_from_the_environment_and_zero_turns_them_off(monkeypatch):
    url = "postgres://vestnik@db.example:5432/vestnik"
    found = databases(monkeypatch, DATABASE_URL=url, DATABASE_CONNECT_TIMEOUT="10", DATABASE_STATEMENT_TIMEOUT="20000")
    assert found["default"]["OPTIONS"] == {"connect_timeout": 10, "options": "-c statement_timeout=20000"}
    found = databases(monkeypatch, DATABASE_URL=url, DATABASE_CONNECT_TIMEOUT="0", DATABASE_STATEMENT_TIMEOUT="0")
    assert found["default"].get("OPTIONS", {}) == {}


def test_what_database_url_sets_wins(monkeypatch):
    own = databases(
        monkeypatch,
        DATABASE_URL="postgres://vestnik@db.example/vestnik?connect_timeout=7&options=-c%20statement_timeout%3D900",
    )
    assert own["default"]["OPTIONS"] == {"connect_timeout": 7, "options": "-c statement_timeout=900"}
    other = databases(monkeypatch, DATABASE_URL="postgres://vestnik@db.example/vestnik?options=-c%20search_path%3Dx")
    assert other["default"]["OPTIONS"]["options"] == "-c search_path=x -c statement_timeout=5000"


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("false", False), ("1", True), ("0", False)])
def test_conn_health_checks_in_the_url_is_a_boolean(monkeypatch, value, expected):
    url = f"postgres://vestnik@db.example:5432/vestnik?conn_health_checks={value}"
    assert databases(monkeypatch, DATABASE_URL=url)["default"]["CONN_HEALTH_CHECKS"] is expected


def test_sqlite_gets_no_postgresql_options(monkeypatch, tmp_path):
    found = databases(monkeypatch, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    options = found["default"]["OPTIONS"]
    assert "connect_timeout" not in options and "options" not in options


@pytest.mark.django_db
def test_the_slow_query_endpoint_is_not_in_the_site_urls(client):
    assert client.get("/test-only/pg-sleep/").status_code == 404


# --- Live: gunicorn on the test database -----------------------------------------------------------------


def live(test):
    """PostgreSQL only, with rows gunicorn can see (committed)."""
    for mark in (
        pytest.mark.postgres,
        pytest.mark.django_db(transaction=True),
        pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    ):
        test = mark(test)
    return test


def slow_site_env(db_url: str) -> dict:
    """Production settings, the test-only URLconf, every read from the database (no page cache)."""
    return server_env(
        database_url=db_url,
        cache_url="locmemcache://",
        DJANGO_SETTINGS_MODULE="tests.security.settings_slow_db",
        PAGE_CACHE_ENABLED="false",
    )


def sleeping_queries() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' "
            "AND query = %s AND pid <> pg_backend_pid()",
            [SLOW_QUERY],
        )
        return cursor.fetchone()[0]


def page_times(results, start: float, end: float) -> list[float]:
    """Seconds of the page reads (article, home, /healthz probes) sent and answered within [start, end]."""
    return [r.seconds for r in results if r.started >= start and r.started + r.seconds <= end and r.kind != "post"]


@live
def test_a_30_second_query_is_cancelled_within_6_seconds_and_other_pages_keep_their_speed(tmp_path):
    article = ArticleFactory()
    env = slow_site_env(database_url(conn_max_age=60, conn_health_checks="true"))
    answers = []

    def sleep_once():
        browser = Reader(server.port, "192.0.2.46", timeout=40)
        answers.append(browser.get("/test-only/pg-sleep/", kind="pg_sleep"))
        browser.close()

    def start_sleepers():
        for _ in range(SLEEPERS):
            threading.Thread(target=sleep_once, daemon=True).start()

    with Gunicorn(env, log_path=tmp_path / "gunicorn.log") as server:
        mixed_load(server.port, article, clients=READERS, seconds=1.5, post_share=0)  # warm every worker
        baseline, _ = mixed_load(server.port, article, clients=READERS, seconds=5, post_share=0)
        during, marks = mixed_load(
            server.port, article, clients=READERS, seconds=7, post_share=0, events=[(0.5, "sleep", start_sleepers)]
        )
        deadline = time.monotonic() + 30
        while len(answers) < SLEEPERS and time.monotonic() < deadline:
            time.sleep(0.05)
        left_sleeping = sleeping_queries()
        log = server.log()

    assert len(answers) == SLEEPERS, answers
    error_page = render_to_string("500.html").encode()
    for answer in answers:
        assert answer.status == 500 and answer.seconds <= 6, (answer.status, answer.seconds, answer.error)
        assert answer.body == error_page  # the site's own page: no traceback, no SQL, no driver message
    assert left_sleeping == 0  # cancelled by the server, not merely abandoned by the client
    assert "canceling statement due to statement timeout" in log, log[-3000:]
    assert "WORKER TIMEOUT" not in log and log.count("Booting worker") == 3, log[-3000:]

    slow_start, slow_end = marks["sleep"], max(a.started + a.seconds for a in answers)
    before = page_times(baseline, 0, float("inf"))
    meanwhile = page_times(during, slow_start, slow_end)
    figures = {
        "pg_sleep answers": sorted(round(a.seconds, 2) for a in answers),
        "baseline p95": round(percentile(before, 95), 3),
        "during p95": round(percentile(meanwhile, 95), 3),
        "requests": (len(before), len(meanwhile)),
        "5xx besides pg_sleep": sum(1 for r in baseline + during if r.status >= 500 or r.status == 0),
    }
    print("slow database:", figures)
    assert len(meanwhile) >= 10, figures
    assert figures["5xx besides pg_sleep"] == 0, figures
    assert figures["during p95"] <= 2 * figures["baseline p95"], figures


@live
def test_an_unanswering_database_fails_the_connection_within_the_connect_timeout(tmp_path):
    """A hung PostgreSQL (connections accepted by the kernel, nothing answered): /healthz is 503 in ~3 s."""
    s = connection.settings_dict
    proxy = TcpProxy(s["HOST"] or "127.0.0.1", int(s["PORT"] or 5432)).start()
    try:
        with Gunicorn(slow_site_env(database_url(port=proxy.port)), log_path=tmp_path / "hung.log") as server:
            proxy.freeze()
            browser = Reader(server.port, "127.0.0.1", timeout=20)
            health = browser.get("/healthz")
            proxy.thaw()
            again = browser.get("/healthz")
            browser.close()
            log = server.log()
    finally:
        proxy.stop()
    print(f"hung database: /healthz {health.status} after {health.seconds:.2f} s; {again.status} once it answers")
    assert health.status == 503 and 2.5 <= health.seconds <= 4.5, (health.status, health.seconds)
    assert again.status == 200
    assert "WORKER TIMEOUT" not in log, log[-3000:]
