import pytest

from tests.factories import ArticleFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _static(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session", autouse=True)
def _plain_http_live_server():
    """The live server's middleware is built once, when it starts: start it without the HTTPS redirect."""
    from django.conf import settings

    previous, settings.SECURE_SSL_REDIRECT = settings.SECURE_SSL_REDIRECT, False
    yield
    settings.SECURE_SSL_REDIRECT = previous


@pytest.fixture(autouse=True)
def _plain_http(settings):
    # Production redirects plain HTTP to HTTPS (SECURE_SSL_REDIRECT); the test client speaks plain HTTP.
    # tests/portal turn the redirect back on where they test it.
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from caching.generations import forget
    from caching.pages import local_pages

    cache.clear()
    local_pages.clear()  # this process's copies of pages and generations
    forget()
    yield
    cache.clear()
    local_pages.clear()
    forget()


@pytest.fixture
def article(db):
    return ArticleFactory()


@pytest.fixture
def draft_article(db):
    return ArticleFactory(draft=True)


@pytest.fixture
def staff_user(db):
    return UserFactory(staff=True)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client
