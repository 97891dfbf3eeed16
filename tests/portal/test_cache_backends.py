"""Cache backends under the page cache: Redis down, real Redis, and static files with far-future caching."""

import os
import re
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from articles import cache as page_cache
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


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
                "CONNECTION_POOL_CLASS": "portal.cache_breaker.BreakerConnectionPool",
            },
        }
    }


def test_production_redis_settings_degrade_and_time_out(monkeypatch):
    """CACHE_URL=redis://... gets django-redis with IGNORE_EXCEPTIONS and short socket timeouts."""
    import importlib

    import portal.settings as portal_settings

    monkeypatch.setenv("CACHE_URL", "redis://127.0.0.1:6379/9")
    try:
        fresh = importlib.reload(portal_settings)
        options = fresh.CACHES["default"]["OPTIONS"]
        assert fresh.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
        assert options["IGNORE_EXCEPTIONS"] is True
        assert 0 < options["SOCKET_CONNECT_TIMEOUT"] <= 1
        assert 0 < options["SOCKET_TIMEOUT"] <= 1
    finally:
        monkeypatch.undo()
        importlib.reload(portal_settings)


def test_pages_are_served_when_redis_is_unreachable(settings):
    article = ArticleFactory(title="Новина без кеш")
    settings.CACHES = redis_cache("redis://127.0.0.1:1/0")  # nothing listens on port 1
    reader = Client(enforce_csrf_checks=True)
    for url in (reverse("articles:home"), article.get_absolute_url(), article.section.get_absolute_url()):
        response = reader.get(url)
        assert response.status_code == 200, url
        assert response.headers[page_cache.HEADER] == "bypass", url  # rendered, nothing stored
        assert "Новина без кеш" in response.content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)
    posted = reader.post(reverse("set_language"), {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert posted.status_code == 302


def test_editing_works_when_redis_is_unreachable(settings):
    article = ArticleFactory()
    settings.CACHES = redis_cache("redis://127.0.0.1:1/0")
    article.title = "Редакция при спрян Redis"
    article.save()  # the signals' cache writes fail quietly
    assert "Редакция при спрян Redis" in Client().get(article.get_absolute_url()).content.decode()


def skip_without_redis() -> None:
    import redis

    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {TEST_REDIS_URL}")


@pytest.fixture
def real_redis(settings):
    skip_without_redis()
    settings.CACHES = redis_cache(TEST_REDIS_URL)
    yield cache
    cache.clear()


@pytest.mark.redis
def test_page_cache_on_real_redis(real_redis):
    article = ArticleFactory(title="Кеширана в Redis")
    url = article.get_absolute_url()
    assert Client().get(url).headers[page_cache.HEADER] == "miss"
    hit = Client().get(url)
    assert hit.headers[page_cache.HEADER] == "hit"
    assert "Кеширана в Redis" in hit.content.decode()
    keys = real_redis.keys("pc:p:*")
    assert keys
    assert 0 < real_redis.ttl(keys[0]) <= settings.PAGE_CACHE_TTL
    assert real_redis.ttl(page_cache.SITE_KEY) is None  # versions never expire by themselves
    page_cache.bump_article(article.pk)
    assert Client().get(url).headers[page_cache.HEADER] == "miss"


@pytest.mark.redis
def test_redis_going_away_mid_run_serves_own_copies_then_renders(real_redis, settings):
    settings.PAGE_CACHE_VERSION_RECHECK = 0  # every request asks Redis for the versions
    article, other = ArticleFactory(title="Страница, която процесът пази"), ArticleFactory()
    url = article.get_absolute_url()
    Client().get(url)
    assert Client().get(url).headers[page_cache.HEADER] == "hit"
    settings.CACHES = redis_cache("redis://127.0.0.1:1/0")
    # A page this process holds, rendered less than PAGE_CACHE_TTL ago: served as it is (stale-if-error).
    kept = Client().get(url)
    assert kept.status_code == 200 and kept.headers[page_cache.HEADER] == "stale"
    assert "Страница, която процесът пази" in kept.content.decode()
    # One it does not hold: rendered, nothing stored.
    assert Client().get(other.get_absolute_url()).headers[page_cache.HEADER] == "bypass"
    # One held for longer than an entry may live: rendered again.
    page_cache.local_pages.get(next(iter(page_cache.local_pages._entries))).rendered_at -= settings.PAGE_CACHE_TTL
    assert Client().get(url).headers[page_cache.HEADER] == "bypass"


def test_collectstatic_fingerprints_and_compresses_with_far_future_caching(settings, tmp_path):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    # Only the site's own files (static/): compressing the apps' hundreds of files takes half a minute.
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    call_command("collectstatic", "--noinput", verbosity=0)
    css = sorted((tmp_path / "static" / "css").glob("site.*.css"))
    assert css, "no fingerprinted site.css"
    hashed = css[0]
    assert (hashed.parent / (hashed.name + ".gz")).exists()
    assert (hashed.parent / (hashed.name + ".br")).exists()

    ArticleFactory()
    page = Client().get(reverse("articles:home")).content.decode()
    url = f"/static/css/{hashed.name}"
    assert f'href="{url}"' in page

    response = Client().get(url, headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]
    assert response.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in response.headers["Vary"]
