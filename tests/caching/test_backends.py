"""Cache backends under the page cache: Redis down, real Redis, and static files with far-future caching."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from caching.generations import SITE
from caching.pages import HEADER
from tests.caching.helpers import TEST_REDIS_URL, redis_cache, skip_without_redis, trust_expires
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


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
    trust_expires()
    reader = Client(enforce_csrf_checks=True)
    for url in (reverse("articles:home"), article.get_absolute_url(), article.section.get_absolute_url()):
        response = reader.get(url)
        assert response.status_code == 200, url
        assert response.headers[HEADER] == "bypass", url  # rendered, nothing stored
        assert "Новина без кеш" in response.content.decode()
    token = reader.get(reverse("csrf_token")).json()["token"]  # as static/js/csrf.js fetches it
    posted = reader.post(reverse("set_language"), {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert posted.status_code == 302


def test_editing_works_when_redis_is_unreachable(settings):
    article = ArticleFactory()
    settings.CACHES = redis_cache("redis://127.0.0.1:1/0")
    article.title = "Редакция при спрян Redis"
    article.save()  # the signals' cache writes fail quietly
    assert "Редакция при спрян Redis" in Client().get(article.get_absolute_url()).content.decode()


@pytest.fixture
def real_redis(settings):
    skip_without_redis()
    settings.CACHES = redis_cache(TEST_REDIS_URL)
    yield cache
    cache.clear()


@pytest.mark.redis
def test_page_cache_on_real_redis(real_redis):
    import caching

    article = ArticleFactory(title="Кеширана в Redis")
    url = article.get_absolute_url()
    assert Client().get(url).headers[HEADER] == "miss"
    hit = Client().get(url)
    assert hit.headers[HEADER] == "hit"
    assert "Кеширана в Redis" in hit.content.decode()
    keys = real_redis.keys("page:*")
    assert keys
    assert 0 < real_redis.ttl(keys[0]) <= settings.PAGE_CACHE_TTL
    assert real_redis.ttl(SITE) is None  # generations never expire by themselves
    caching.article_changed(article.pk)
    assert Client().get(url).headers[HEADER] == "miss"


@pytest.mark.redis
def test_while_redis_is_away_pages_are_rendered_never_served_from_an_old_copy(real_redis, settings):
    article = ArticleFactory(title="Страница, която процесът пази")
    url = article.get_absolute_url()
    Client().get(url)
    assert Client().get(url).headers[HEADER] == "hit"
    settings.CACHES = redis_cache("redis://127.0.0.1:1/0")
    trust_expires()
    # This process holds a copy, but cannot tell whether it is current: the page is rendered, nothing stored.
    article.title = "Променена, докато Redis го няма"
    article.save()
    response = Client().get(url)
    assert response.headers[HEADER] == "bypass" and "Променена, докато Redis го няма" in response.content.decode()


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
