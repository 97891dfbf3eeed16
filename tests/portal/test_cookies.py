"""Every cookie the site sets is Secure, SameSite, host-only (`__Host-`), small, and the session one HttpOnly."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Tag
from tests.portal.conftest import HTTPS, PASSWORD, secure_post

pytestmark = pytest.mark.django_db


def collect(response, jar):
    for morsel in response.cookies.values():
        jar.append(morsel)
    return response


def test_every_cookie_of_a_visit_login_admin_use_and_logout_is_locked_down(production, page_urls, editor):
    client = Client(enforce_csrf_checks=True)
    jar = []
    collect(client.get(page_urls["home"], headers=HTTPS), jar)
    collect(client.get(page_urls["article"], headers=HTTPS), jar)
    response = collect(
        secure_post(client, reverse("admin:login"), {"username": editor.username, "password": PASSWORD}), jar
    )
    assert response.status_code == 302
    collect(client.get(reverse("admin:articles_tag_changelist"), headers=HTTPS), jar)
    response = collect(
        secure_post(client, reverse("admin:articles_tag_add"), {"name": "Избори", "slug": "izbori"}), jar
    )
    assert response.status_code == 302 and Tag.objects.filter(slug="izbori").exists()
    collect(client.get(reverse("admin:articles_tag_changelist"), headers=HTTPS), jar)
    response = collect(secure_post(client, reverse("set_language"), {"language": "en", "next": "/"}), jar)
    assert response.status_code == 302
    response = collect(secure_post(client, reverse("admin:logout")), jar)
    assert response.status_code in (200, 302)

    names = {m.key for m in jar}
    assert {"__Host-csrftoken", "__Host-sessionid", "__Host-language", "__Host-messages"} <= names, names
    for morsel in jar:
        assert morsel.key.startswith("__Host-"), morsel.key
        assert morsel["secure"] is True, morsel.key
        assert morsel["samesite"] in {"Lax", "Strict"}, morsel.key
        assert morsel["path"] == "/" and not morsel["domain"], morsel.key
        assert len(morsel.key) + len(morsel.value) < 4096
    deletions = [m for m in jar if m["max-age"] == 0]
    # The page that shows a flash message expires its cookie; logout expires the session cookie.
    assert sorted({m.key for m in deletions}) == ["__Host-messages", "__Host-sessionid"]
    for morsel in jar:
        if morsel.key in {"__Host-sessionid", "__Host-language", "__Host-messages"} and morsel not in deletions:
            assert morsel["httponly"] is True, morsel.key


def test_no_cookie_carries_personal_data(production, editor):
    client = Client()
    response = secure_post(client, reverse("admin:login"), {"username": editor.username, "password": PASSWORD})
    for morsel in response.cookies.values():
        assert editor.username not in morsel.value
        assert editor.email not in morsel.value


def test_without_tls_cookies_keep_plain_names_for_local_development(settings):
    # SECURE_SSL is what switches the names; check the rule in the module rather than re-importing settings.
    from pathlib import Path

    source = (Path(__file__).resolve().parents[2] / "portal" / "settings.py").read_text()
    assert 'SESSION_COOKIE_NAME = "__Host-sessionid" if SECURE_SSL else "sessionid"' in source
    assert settings.SESSION_COOKIE_NAME == "__Host-sessionid"  # the suite runs with DEBUG off, hence TLS names
