"""Errors never leak internals: generic Bulgarian pages, one log record per error, and the headers kept."""

import logging

import pytest
from django.test import Client

from tests.portal.conftest import HTTPS
from tests.portal.urls_errors import LEAKY_MESSAGE

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.portal.urls_errors")]

LEAKS = [
    "Traceback",
    "RuntimeError",
    "SECRET_KEY",
    "hunter2",
    "settings.py",
    "/srv/",
    "site-packages",
    "SELECT",
    "table_that_does_not_exist",
    "password",
    "File &quot;",
    "urlpatterns",
    "URLconf",
    "internal",
    "DEBUG",
]


@pytest.fixture
def client():
    client = Client(raise_request_exception=False)
    return client


def assert_no_leak(html):
    for marker in LEAKS:
        assert marker not in html, marker


@pytest.mark.parametrize("url", ["/test-only/boom/", "/test-only/bad-sql/"])
def test_a_server_error_shows_the_generic_page_and_is_logged_once(production, client, caplog, url):
    with caplog.at_level(logging.WARNING):
        response = client.get(url, headers=HTTPS)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Нещо се обърка" in html
    assert_no_leak(html)
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(records) == 1
    assert records[0].name == "django.request" and records[0].levelno == logging.ERROR
    assert records[0].exc_info is not None  # the details go to the log (and ADMINS), not to the page
    if url == "/test-only/boom/":
        assert LEAKY_MESSAGE in str(records[0].exc_info[1])
    assert "Content-Security-Policy" in response.headers
    assert response.headers["X-Frame-Options"] == "DENY"


def test_not_found_shows_no_urlconf_listing(production, client, caplog):
    with caplog.at_level(logging.WARNING):
        response = client.get("/nyama-takava-stranitsa/i/oshte/", headers=HTTPS)
    assert response.status_code == 404
    html = response.content.decode()
    assert "Страницата не е намерена" in html
    assert_no_leak(html)
    assert "redakcia" not in html and "test-only" not in html
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1


def test_permission_denied_shows_the_bulgarian_403_page(production, client, caplog):
    with caplog.at_level(logging.WARNING):
        response = client.get("/test-only/denied/", headers=HTTPS)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Достъпът е отказан" in html
    assert_no_leak(html)
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(records) == 1 and records[0].status_code == 403


def test_suspicious_request_shows_the_bulgarian_400_page(production, client, caplog):
    with caplog.at_level(logging.WARNING):
        response = client.get("/test-only/suspicious/", headers=HTTPS)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Невалидна заявка" in html
    assert_no_leak(html)
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.name for r in records] == ["django.security.SuspiciousOperation"]


def test_error_pages_render_without_the_database(production, client, django_assert_num_queries):
    # 400, 403 and 500 are standalone templates: they still render when the database is the problem.
    with django_assert_num_queries(0):
        assert client.get("/test-only/boom/", headers=HTTPS).status_code == 500
        assert client.get("/test-only/denied/", headers=HTTPS).status_code == 403
        assert client.get("/test-only/suspicious/", headers=HTTPS).status_code == 400
