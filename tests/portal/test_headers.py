"""Every response carries the security header set; scored like the Mozilla HTTP Observatory."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.portal.conftest import HTTPS
from tests.portal.observatory import OBSERVATORY_ORIGIN, parse_csp, scan

pytestmark = pytest.mark.django_db

HSTS = "max-age=31536000; includeSubDomains; preload"
ADMIN_PAGES = {"admin-login", "admin-changelist"}


@pytest.fixture
def pages(page_urls, editor_client):
    """(client, url, status) per page type; the changelist is fetched as a signed-in editor."""
    anonymous = Client()
    pages = {name: (anonymous, url) for name, url in page_urls.items()}
    pages["admin-changelist"] = (editor_client, reverse("admin:articles_article_changelist"))
    return pages


EXPECTED_STATUS = {"404": 404}


@pytest.mark.parametrize("name", ["home", "section", "article", "404", "admin-login", "admin-changelist", "robots"])
def test_every_page_type_carries_the_security_headers(production, pages, name):
    client, url = pages[name]
    response = client.get(url, headers=HTTPS)
    assert response.status_code == EXPECTED_STATUS.get(name, 200)
    headers = response.headers
    assert headers["Strict-Transport-Security"] == HSTS
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in {"same-origin", "strict-origin-when-cross-origin"}
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "Server" not in headers and "X-Powered-By" not in headers
    csp = parse_csp(headers["Content-Security-Policy"])
    assert csp["object-src"] == {"'none'"}
    assert csp["base-uri"] == {"'none'"}
    assert csp["frame-ancestors"] == {"'none'"}
    assert csp["form-action"] == {"'self'"}
    assert csp["default-src"] == {"'none'"}
    script_src = csp["script-src"]
    assert not script_src & {"'unsafe-inline'", "'unsafe-eval'", "data:", "*", "https:", "http:"}
    for directive, sources in csp.items():
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources, directive
        assert "data:" not in sources, directive
    if name in ADMIN_PAGES:
        cache_control = headers["Cache-Control"]
        assert "no-store" in cache_control or "private" in cache_control


def test_signed_in_reader_pages_are_private_and_not_stored(production, page_urls, editor_client):
    response = editor_client.get(page_urls["home"], headers=HTTPS)
    assert response.status_code == 200
    assert "private" in response.headers["Cache-Control"]
    assert "no-store" in response.headers["Cache-Control"]


def test_anonymous_reader_pages_stay_cacheable(production, page_urls, client):
    # One copy serves every reader without reader state (docs/caching.md): it may be kept by shared caches.
    shared = client.get(page_urls["home"], headers=HTTPS)
    assert "public" in shared.headers["Cache-Control"]
    assert "private" not in shared.headers["Cache-Control"]


def test_csp_needs_no_data_urls_for_the_admin_styles():
    # img-src data: was dropped: Django's admin CSS and templates reference no data: URL.
    from pathlib import Path

    import django

    admin = Path(django.__file__).parent / "contrib" / "admin"
    offenders = [
        str(path)
        for pattern in ("static/admin/css/**/*.css", "templates/**/*.html")
        for path in admin.glob(pattern)
        if "data:" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


@pytest.mark.parametrize("name", ["home", "section", "article", "404", "admin-login", "admin-changelist", "robots"])
def test_observatory_score_is_a_plus_on_every_page_type(production, pages, name):
    client, url = pages[name]
    https_response = client.get(url, headers=HTTPS)
    http_response = client.get(url)
    cors_response = client.options(
        url, headers={**HTTPS, "Origin": OBSERVATORY_ORIGIN, "Access-Control-Request-Method": "GET"}
    )
    robots = client.get(reverse("robots"), headers=HTTPS)
    result = scan(
        https_response=https_response,
        http_response=http_response,
        cors_response=cors_response,
        host="testserver",
        extra_responses=[robots],
    )
    assert result.negatives == {}, result.results
    assert result.uncurved == 100
    assert result.score >= 130, result.results
    assert result.grade == "A+"
    assert result.results["redirection"] == "redirection-to-https"
    assert result.results["content-security-policy"] == "csp-implemented-with-no-unsafe-default-src-none"


def test_the_scorer_can_fail_a_weak_configuration(production, settings, page_urls, client):
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'self'", "'unsafe-inline'"]}
    }
    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_HSTS_SECONDS = 0
    response = client.get(page_urls["home"], headers=HTTPS)
    result = scan(
        https_response=response, http_response=client.get(page_urls["home"]), cors_response=None, host="testserver"
    )
    assert result.negatives == {
        "content-security-policy": -20,
        "redirection": -20,
        "strict-transport-security": -20,
    }
    assert result.score == 40
