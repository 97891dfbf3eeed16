"""Google and Facebook sign-in, with the providers' answers mocked (no network): allauth's own test helpers
are not shipped in its wheel, so ``provider_answers`` plays the part of its ``mocked_response``."""

import importlib
import json
import re
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY, get_user_model
from django.urls import NoReverseMatch, clear_url_caches, reverse

from .conftest import make_reader

pytestmark = pytest.mark.django_db

GOOGLE = {"APPS": [{"client_id": "test-client", "secret": "test-secret"}], "SCOPE": ["openid", "email", "profile"]}
FACEBOOK = {
    "APPS": [{"client_id": "test-app", "secret": "test-secret"}],
    "METHOD": "oauth2",
    "SCOPE": ["email", "public_profile"],
    "FIELDS": ["id", "email", "first_name", "last_name", "name"],
}


def reload_urls():
    import accounts.auth_urls
    import portal.urls

    importlib.reload(accounts.auth_urls)
    importlib.reload(portal.urls)
    clear_url_caches()


@pytest.fixture
def providers(settings):
    """Google and Facebook configured, as GOOGLE_CLIENT_ID and FACEBOOK_APP_ID do (portal/settings.py)."""
    settings.SOCIALACCOUNT_PROVIDERS = {"google": GOOGLE, "facebook": FACEBOOK}
    reload_urls()
    yield
    settings.SOCIALACCOUNT_PROVIDERS = {}
    reload_urls()


class Answer:
    def __init__(self, data, status=200):
        self.status_code, self.ok = status, status < 400
        self.text = json.dumps(data)
        self.content = self.text.encode()
        self.headers = {"content-type": "application/json"}
        self._data = data

    def json(self):
        return self._data

    def raise_for_status(self):
        if not self.ok:
            raise requests.HTTPError(self.status_code)


def provider_answers(profile):
    """Every HTTP request allauth makes gets the token, or ``profile`` for the user-info call."""

    def answer(self, method, url, *args, **kwargs):
        if "token" in url:
            return Answer({"access_token": "token-123", "token_type": "Bearer", "expires_in": 3600})
        return Answer(profile)

    return mock.patch.object(requests.Session, "request", answer)


def sign_in_with(client, provider, profile, **callback):
    """Press the provider's button, then come back from it with a code, as the provider's page would send."""
    response = client.get(reverse(f"{provider}_login"))
    assert response.status_code == 302
    state = parse_qs(urlsplit(response.url).query)["state"][0]
    with provider_answers(profile):
        return client.get(reverse(f"{provider}_callback"), {"code": "code-1", "state": state, **callback})


GOOGLE_PROFILE = {
    "id": "108000000000000000001",
    "email": "ana.ivanova@example.com",
    "verified_email": True,
    "name": "Ана Иванова",
    "given_name": "Ана",
    "family_name": "Иванова",
}


def test_without_keys_there_are_no_buttons_and_no_provider_addresses(client):
    html = client.get(reverse("account_login")).content.decode()
    assert "Google" not in html and "Facebook" not in html
    with pytest.raises(NoReverseMatch):
        reverse("google_login")
    assert client.get("/accounts/google/login/").status_code == 404


def test_with_keys_the_sign_in_page_offers_both(client, providers):
    html = client.get(reverse("account_login")).content.decode()
    assert reverse("google_login") in html and reverse("facebook_login") in html
    assert re.search(r"Продължете с Google", html)


def test_google_sign_in_creates_a_verified_account_named_by_first_name_only(client, providers):
    response = sign_in_with(client, "google", GOOGLE_PROFILE)
    assert response.status_code == 302
    user = get_user_model().objects.get(email="ana.ivanova@example.com")
    assert client.session[SESSION_KEY] == str(user.pk)
    assert user.first_name == "Ана" and user.last_name == ""
    assert EmailAddress.objects.get(user=user).verified
    assert SocialAccount.objects.get(user=user).provider == "google"
    assert not user.is_staff
    assert not user.username.startswith("ana")


def test_google_sign_in_with_a_verified_address_signs_in_the_account_that_has_it(client, providers):
    reader = make_reader(email="ana.ivanova@example.com", name="Ана И.")
    sign_in_with(client, "google", GOOGLE_PROFILE)
    assert client.session[SESSION_KEY] == str(reader.pk)
    assert get_user_model().objects.count() == 1
    assert SocialAccount.objects.get().user_id == reader.pk


def test_an_address_google_did_not_verify_does_not_open_an_existing_account(client, providers, mailoutbox):
    reader = make_reader(email="ana.ivanova@example.com")
    sign_in_with(client, "google", {**GOOGLE_PROFILE, "verified_email": False})
    assert client.session.get(SESSION_KEY) != str(reader.pk)
    assert not SocialAccount.objects.filter(user=reader).exists()


def test_facebook_sign_in_asks_to_verify_the_address_first(
    client, providers, mailoutbox, django_capture_on_commit_callbacks
):
    profile = {"id": "4242", "email": "georgi@example.net", "first_name": "Георги", "last_name": "Г."}
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_in_with(client, "facebook", profile)
    assert response.status_code == 302
    user = get_user_model().objects.get(email="georgi@example.net")
    assert user.first_name == "Георги"
    assert SESSION_KEY not in client.session  # Facebook's address is not taken as verified
    assert [m.to for m in mailoutbox] == [["georgi@example.net"]]


def test_a_failed_provider_answer_gets_a_page_not_an_error(client, providers):
    response = client.get(reverse("google_login"))
    state = parse_qs(urlsplit(response.url).query)["state"][0]
    with mock.patch.object(requests.Session, "request", lambda *a, **k: Answer({"error": "invalid_grant"}, 400)):
        response = client.get(reverse("google_callback"), {"code": "bad", "state": state})
    assert response.status_code == 401
    assert SESSION_KEY not in client.session
    assert '<html lang="bg"' in response.content.decode()


def test_a_forged_state_signs_nobody_in(client, providers):
    client.get(reverse("google_login"))
    with provider_answers(GOOGLE_PROFILE):
        response = client.get(reverse("google_callback"), {"code": "code-1", "state": "forged"})
    assert SESSION_KEY not in client.session
    assert response.status_code == 401
    assert not get_user_model().objects.exists()


def test_the_provider_cancelled_page_is_ours(client, providers):
    response = client.get(reverse("google_login"))
    state = parse_qs(urlsplit(response.url).query)["state"][0]
    response = client.get(reverse("google_callback"), {"error": "access_denied", "state": state}, follow=True)
    assert response.status_code == 200
    assert '<html lang="bg"' in response.content.decode()
