"""What the caching tests share: the production Redis settings, and "another process" in this one."""

import os
import uuid
from contextlib import contextmanager

import pytest

from caching import generations
from caching.pages import HEADER, local_pages

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
HTTPS = {"X-Forwarded-Proto": "https"}


def redis_cache(location: str) -> dict:
    """The production cache settings (portal/settings.py) pointed at ``location``."""
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}",  # parallel runs share the Redis database
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.25,
                "SOCKET_TIMEOUT": 0.25,
                "CONNECTION_POOL_CLASS": "caching.breaker.BreakerConnectionPool",
            },
        }
    }


def skip_without_redis() -> None:
    import redis

    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {TEST_REDIS_URL}")


def state(response) -> str:
    return response.headers[HEADER]


@contextmanager
def another_process():
    """Run the block as another app process would: it shares the cache (Redis) but not this process's
    copies of pages and generations, which are as they were before the block."""
    seen, pages = dict(generations._seen), list(local_pages._pages.items())
    generations._seen.clear()
    local_pages.clear()
    try:
        yield
    finally:
        generations._seen.clear()
        generations._seen.update(seen)
        local_pages.clear()
        for key, page in pages:
            local_pages.put(key, page)


def trust_expires() -> None:
    """Let PAGE_CACHE_TRUST_SECONDS pass for what this process read: it asks the cache again."""
    for key, (record, at) in list(generations._seen.items()):
        generations._seen[key] = (record, at - 3600)


class Process:
    """One app process's own state (the generations it read, its copies of pages), to run code as that
    process would: ``with b.running(): ...``. Every process shares the cache."""

    def __init__(self):
        self.seen: dict = {}
        self.pages: list = []

    @contextmanager
    def running(self):
        outer_seen, outer_pages = dict(generations._seen), list(local_pages._pages.items())
        _load(self.seen, self.pages)
        try:
            yield self
        finally:
            self.seen, self.pages = dict(generations._seen), list(local_pages._pages.items())
            _load(outer_seen, outer_pages)

    def trust_expires(self) -> None:
        with self.running():
            trust_expires()


def _load(seen: dict, pages: list) -> None:
    generations._seen.clear()
    generations._seen.update(seen)
    local_pages.clear()
    for key, page in pages:
        local_pages.put(key, page)
