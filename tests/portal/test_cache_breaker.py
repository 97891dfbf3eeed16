"""portal/cache_breaker.py: a hung or stopped Redis costs one timeout, then cache calls miss at once until it returns.

Redis is reached through tools.chaos.TcpProxy, which these tests freeze (nothing read or accepted) and
take down; the shared Redis server is never touched.
"""

import time
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.test import Client

from articles import cache as page_cache
from portal import cache_breaker
from tests.factories import ArticleFactory
from tests.portal.test_cache_backends import TEST_REDIS_URL, redis_cache, skip_without_redis
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
        assert options["CONNECTION_POOL_CLASS"] == "portal.cache_breaker.BreakerConnectionPool"
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
    settings.PAGE_CACHE_VERSION_RECHECK = 0
    settings.PAGE_CACHE_LOCAL_BYTES = 0  # no copy of its own: every page is rendered while Redis hangs
    article = ArticleFactory(title="Страница при увиснал кеш")
    url = article.get_absolute_url()
    Client().get(url)
    proxied_cache.freeze()
    first, waited = timed(lambda: Client().get(url))
    assert first.status_code == 200 and "Страница при увиснал кеш" in first.content.decode()
    pages, spent = timed(lambda: [Client().get(url) for _ in range(5)])
    assert {p.status_code for p in pages} == {200}
    assert {p.headers[page_cache.HEADER] for p in pages} == {"bypass"}  # rendered, nothing stored
    # A page makes a dozen cache calls: a 0.25 s wait for each would be 3 s a page.
    assert spent / 5 < 1.0, (waited, spent)
    proxied_cache.thaw()
