"""caching/breaker.py: a hung or stopped Redis costs one timeout, then cache calls miss at once until it returns;
an outage is logged once when it starts and once when it ends.

Redis is reached through tools.chaos.TcpProxy, which these tests freeze (nothing read or accepted) and
take down; the shared Redis server is never touched.
"""

import logging
import time
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.test import Client

from caching import breaker as cache_breaker
from caching.pages import HEADER
from tests.caching.helpers import TEST_REDIS_URL, redis_cache, skip_without_redis, trust_expires
from tests.factories import ArticleFactory
from tools.chaos import TcpProxy

pytestmark = [pytest.mark.django_db, pytest.mark.redis]

OPEN_SECONDS = 0.6


@pytest.fixture
def proxied_cache(settings):
    skip_without_redis()
    target = urlsplit(TEST_REDIS_URL)
    proxy = TcpProxy(target.hostname, target.port or 6379).start()
    cache_breaker.reset()
    settings.CACHE_BREAKER_SECONDS = OPEN_SECONDS
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True  # as production runs it
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{proxy.port}{target.path or '/0'}")
    yield proxy
    proxy.stop()
    cache_breaker.reset()


def timed(call) -> tuple[object, float]:
    start = time.monotonic()
    result = call()
    return result, time.monotonic() - start


def test_the_production_settings_use_the_breaker(monkeypatch):
    import importlib

    import portal.settings as portal_settings

    monkeypatch.setenv("CACHE_URL", "redis://127.0.0.1:6379/9")
    try:
        options = importlib.reload(portal_settings).CACHES["default"]["OPTIONS"]
        assert options["CONNECTION_POOL_CLASS"] == "caching.breaker.BreakerConnectionPool"
        assert options["SOCKET_TIMEOUT"] <= 0.25  # RELIABILITY 44
    finally:
        monkeypatch.undo()
        importlib.reload(portal_settings)


def test_a_frozen_redis_costs_one_timeout_then_calls_miss_at_once(proxied_cache):
    cache.set("breaker:k", "v")
    assert cache.get("breaker:k") == "v"
    proxied_cache.freeze()
    first, waited = timed(lambda: cache.get("breaker:k"))
    assert first is None and waited >= 0.2  # the socket timeout (0.25 s) was waited out once
    misses, fast = timed(lambda: [cache.get("breaker:k") for _ in range(40)])
    assert misses == [None] * 40
    assert fast < 2, fast  # without the breaker: 40 × 0.25 s = 10 s (each miss is logged, which takes time)
    proxied_cache.thaw()
    time.sleep(OPEN_SECONDS)  # the circuit's open time, after which one call probes
    assert cache.get("breaker:k") == "v"
    assert cache.get("breaker:k") == "v"


def test_while_still_frozen_one_probe_per_open_period(proxied_cache):
    cache.set("breaker:k", "v")
    proxied_cache.freeze()
    cache.get("breaker:k")  # trips
    time.sleep(OPEN_SECONDS)
    _, probe = timed(lambda: cache.get("breaker:k"))
    assert probe >= 0.2  # the probe waited out its timeout: still frozen, circuit open again
    _, after = timed(lambda: [cache.get("breaker:k") for _ in range(20)])
    assert after < 1, after  # without the breaker: 20 × 0.25 s = 5 s
    proxied_cache.thaw()


def test_a_stopped_redis_fails_fast_and_comes_back(proxied_cache):
    proxied_cache.down()
    misses, spent = timed(lambda: [cache.get("breaker:k") for _ in range(40)])
    assert misses == [None] * 40 and spent < 2, spent
    proxied_cache.up()
    time.sleep(OPEN_SECONDS)
    assert cache.add("breaker:new", 1) is True
    assert cache.get("breaker:new") == 1


def test_pages_stay_fast_while_redis_hangs(proxied_cache, settings):
    settings.PAGE_CACHE_TRUST_SECONDS = 0
    settings.PAGE_CACHE_LOCAL_BYTES = 0  # no copy of its own: every page is rendered while Redis hangs
    article = ArticleFactory(title="Страница при увиснал кеш")
    url = article.get_absolute_url()
    Client().get(url)
    proxied_cache.freeze()
    first, waited = timed(lambda: Client().get(url))
    assert first.status_code == 200 and "Страница при увиснал кеш" in first.content.decode()
    pages, spent = timed(lambda: [Client().get(url) for _ in range(5)])
    assert {p.status_code for p in pages} == {200}
    assert {p.headers[HEADER] for p in pages} == {"bypass"}  # rendered, nothing stored
    # A page makes a dozen cache calls: a 0.25 s wait for each would be 3 s a page.
    assert spent / 5 < 1.0, (waited, spent)
    proxied_cache.thaw()


def outage_records(caplog, proxy, *, requests: int) -> tuple[list, list]:
    """(records while Redis is down and pages are read, records when it is back)."""
    article = ArticleFactory()
    url = article.get_absolute_url()
    Client().get(url)
    caplog.clear()
    proxy.down()
    trust_expires()
    for _ in range(requests):
        assert Client().get(url).status_code == 200
    during = [r for r in caplog.records if r.levelno >= logging.WARNING]
    caplog.clear()
    proxy.up()
    time.sleep(OPEN_SECONDS)
    trust_expires()
    assert Client().get(url).status_code == 200
    after = [r for r in caplog.records if r.levelno >= logging.WARNING]
    return during, after


def test_an_outage_is_logged_once_when_it_starts_and_once_when_it_ends(proxied_cache, caplog):
    caplog.set_level(logging.INFO)
    during, after = outage_records(caplog, proxied_cache, requests=60)
    assert [(r.name, r.levelname) for r in during] == [("caching.breaker", "WARNING")], [r.msg for r in during]
    assert "ConnectionError" in during[0].getMessage()  # with the error, once
    assert [(r.name, r.getMessage()) for r in after] == [
        ("caching.breaker", f"cache 127.0.0.1:{proxied_cache.port} answers again: circuit closed")
    ]


def test_without_the_filter_django_redis_would_log_every_failed_call(proxied_cache, caplog):
    caplog.set_level(logging.INFO)
    cache_logger = logging.getLogger("django_redis.cache")
    filters, cache_logger.filters = cache_logger.filters, []
    try:
        during, _after = outage_records(caplog, proxied_cache, requests=10)
    finally:
        cache_logger.filters = filters
    assert len([r for r in during if r.name == "django_redis.cache"]) >= 10
