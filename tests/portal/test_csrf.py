"""CSRF is enforced on every state-changing endpoint we own, failures are logged, and the page tells nothing."""

import logging

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from articles.models import Tag
from tests.factories import TagFactory
from tests.portal.conftest import HTTPS, PASSWORD, SECURE_POST, csrf_token

pytestmark = pytest.mark.django_db


def _signed_in(client) -> bool:
    return SESSION_KEY in client.session


class Endpoint:
    """A state-changing request and how to tell whether it changed anything."""

    def __init__(self, name, url, data, *, signed_in=True):
        self.name, self.url, self.data, self.signed_in = name, url, data, signed_in

    def setup(self, editor):
        self.tag = TagFactory(name="Старо име", slug="staro-ime")
        client = Client(enforce_csrf_checks=True)
        if self.signed_in:
            client.force_login(editor)
        return client

    def changed(self, client, editor) -> bool:
        editor.refresh_from_db()
        tag_exists = Tag.objects.filter(pk=self.tag.pk).exists()
        return {
            "login": lambda: _signed_in(client),
            "logout": lambda: not _signed_in(client),
            "set-language": lambda: settings.LANGUAGE_COOKIE_NAME in client.cookies,
            "admin-add": lambda: Tag.objects.filter(slug="novo").exists(),
            "admin-change": lambda: tag_exists and Tag.objects.get(pk=self.tag.pk).name != "Старо име",
            "admin-action": lambda: not tag_exists,
            "password-change": lambda: not editor.check_password(PASSWORD),
        }[self.name]()


def endpoints():
    return [
        Endpoint("login", "admin:login", {"username": "redaktor", "password": PASSWORD}, signed_in=False),
        Endpoint("logout", "admin:logout", {}),
        Endpoint("set-language", "set_language", {"language": "en", "next": "/"}, signed_in=False),
        Endpoint("admin-add", "admin:articles_tag_add", {"name": "Ново", "slug": "novo"}),
        Endpoint("admin-change", "admin:articles_tag_change", {"name": "Ново име", "slug": "staro-ime"}),
        Endpoint("admin-action", "admin:articles_tag_changelist", {"action": "delete_selected", "post": "yes"}),
        Endpoint(
            "password-change",
            "admin:password_change",
            {"old_password": PASSWORD, "new_password1": "Novа-Parola-2025!x", "new_password2": "Novа-Parola-2025!x"},
        ),
    ]


def _url(endpoint):
    if endpoint.name == "admin-change":
        return reverse(endpoint.url, args=[endpoint.tag.pk])
    return reverse(endpoint.url)


def _data(endpoint):
    data = dict(endpoint.data)
    if endpoint.name == "admin-action":
        data["_selected_action"] = [endpoint.tag.pk]
    return data


ATTACKS = ["no-token", "other-session-token", "foreign-origin", "no-referer-no-origin"]


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("endpoint", endpoints(), ids=lambda e: e.name)
def test_forged_requests_are_refused_logged_and_change_nothing(production, editor, caplog, endpoint, attack):
    client = endpoint.setup(editor)
    own_token = csrf_token(client)
    data = _data(endpoint)
    headers = dict(SECURE_POST)
    if attack == "other-session-token":
        data["csrfmiddlewaretoken"] = csrf_token(Client())
    elif attack == "foreign-origin":
        data["csrfmiddlewaretoken"] = own_token
        headers["Origin"] = "https://evil.example"
    elif attack == "no-referer-no-origin":
        data["csrfmiddlewaretoken"] = own_token
        headers = dict(HTTPS)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        response = client.post(_url(endpoint), data, headers=headers)
    assert response.status_code == 403
    assert not endpoint.changed(client, editor)
    csrf_records = [r for r in caplog.records if r.name == "django.security.csrf"]
    assert len(csrf_records) == 1
    assert "Forbidden" in csrf_records[0].getMessage()


@pytest.mark.parametrize("endpoint", endpoints(), ids=lambda e: e.name)
def test_the_same_request_with_a_valid_token_goes_through(production, editor, endpoint):
    # The control: the forgeries above fail because of CSRF, not because the request was wrong.
    client = endpoint.setup(editor)
    data = {**_data(endpoint), "csrfmiddlewaretoken": csrf_token(client)}
    response = client.post(_url(endpoint), data, headers=SECURE_POST)
    assert response.status_code in (200, 302)
    assert endpoint.changed(client, editor)


def test_csrf_failure_page_is_friendly_bulgarian_and_keeps_the_reason_to_the_log(production, client):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("admin:login"), {"username": "x", "password": "y"}, headers=SECURE_POST)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Формулярът е изтекъл" in html
    for secret in ("CSRF", "csrf", "token", "Referer", "Origin", "cookie missing", "DEBUG"):
        assert secret not in html
    assert "Content-Security-Policy" in response.headers


def test_mutating_urls_do_nothing_on_get(production, editor):
    client = Client()
    client.force_login(editor)
    assert client.get(reverse("admin:logout"), headers=HTTPS).status_code == 405
    assert _signed_in(client)
    response = client.get(reverse("set_language") + "?language=en&next=/", headers=HTTPS)
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
