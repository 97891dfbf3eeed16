import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ArticleFactory, SectionFactory, UserFactory

# What nginx passes on: the original Host and the scheme it terminated.
HTTPS = {"X-Forwarded-Proto": "https", "Host": "testserver"}


@pytest.fixture
def production(settings):
    """The production switches the suite turns off elsewhere: HTTPS redirect on, DEBUG off."""
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    return settings


@pytest.fixture
def editor(db):
    user = UserFactory(username="redaktor", is_staff=True, is_superuser=True)
    user.set_password("Dalgo-i-Slozhno-2025!")
    user.save()
    return user


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def page_urls(db):
    """One URL per page type readers and editors see."""
    section = SectionFactory(name="България", slug="bulgaria")
    article = ArticleFactory(section=section, title="Новина за сигурността", slug="novina-za-sigurnostta")
    return {
        "home": reverse("articles:home"),
        "section": section.get_absolute_url(),
        "article": article.get_absolute_url(),
        "404": "/tova-go-nyama-nikade/",
        "admin-login": reverse("admin:login"),
        "robots": reverse("robots"),
    }


SECURE_POST = {**HTTPS, "Origin": "https://testserver", "Referer": "https://testserver/"}
PASSWORD = "Dalgo-i-Slozhno-2025!"


def csrf_token(client) -> str:
    """The CSRF secret the client holds (from its cookie), fetching a form first if it has none."""
    from django.conf import settings

    for url in (reverse("articles:home"), reverse("admin:login"), reverse("admin:index")):
        if settings.CSRF_COOKIE_NAME in client.cookies:
            break
        client.get(url, headers=HTTPS)
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def secure_post(client, url, data=None, **headers):
    """POST over HTTPS as a same-origin browser form would, with the client's own CSRF token."""
    payload = {"csrfmiddlewaretoken": csrf_token(client), **(data or {})}
    return client.post(url, payload, headers={**SECURE_POST, **headers})
