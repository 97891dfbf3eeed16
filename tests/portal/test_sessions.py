"""Session lifecycle: new key at sign-in, dead after sign-out, staff limits, password change."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tests.portal.conftest import HTTPS, PASSWORD, secure_post

pytestmark = pytest.mark.django_db


def admin_status(client):
    """200 for a signed-in editor; a redirect to the sign-in page for anyone else."""
    return client.get(reverse("admin:index"), headers=HTTPS).status_code


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def test_signing_in_cycles_the_session_key(editor):
    client = Client()
    anonymous = client.session
    anonymous["seen"] = True
    anonymous.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    response = secure_post(client, reverse("admin:login"), {"username": editor.username, "password": PASSWORD})
    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert SESSION_KEY in client.session


def test_the_old_cookie_is_dead_after_signing_out(editor):
    client = Client()
    client.force_login(editor)
    old_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert admin_status(client) == 200
    assert secure_post(client, reverse("admin:logout")).status_code in (200, 302)
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    assert admin_status(replay) == 302
    assert SESSION_KEY not in replay.session


def test_a_deactivated_user_is_anonymous_on_the_next_request(editor):
    client = Client()
    client.force_login(editor)
    assert admin_status(client) == 200
    editor.is_active = False
    editor.save()
    assert admin_status(client) == 302


def test_a_password_change_signs_out_every_other_session(editor):
    here, elsewhere = Client(), Client()
    here.force_login(editor)
    elsewhere.force_login(editor)
    new = "Druga-Dalga-Parola-2025"
    response = secure_post(
        here,
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert admin_status(here) == 200  # update_session_auth_hash keeps the current session
    assert admin_status(elsewhere) == 302


def test_staff_are_signed_out_after_an_idle_hour(editor, clock):
    client = Client()
    client.force_login(editor)
    clock.shift(timedelta(minutes=59))
    assert admin_status(client) == 200
    clock.shift(timedelta(minutes=59))  # active a minute ago counts: still within the hour
    assert admin_status(client) == 200
    clock.shift(timedelta(minutes=61))
    assert admin_status(client) == 302
    assert SESSION_KEY not in client.session


def test_staff_sessions_end_twelve_hours_after_sign_in_however_active(editor, clock):
    client = Client()
    client.force_login(editor)
    for _ in range(23):  # a request every 30 minutes: 11.5 hours
        clock.shift(timedelta(minutes=30))
        assert admin_status(client) == 200
    clock.shift(timedelta(minutes=31))
    assert admin_status(client) == 302


def test_readers_keep_their_session_when_idle(clock):
    reader = UserFactory(username="chitatel")
    client = Client()
    client.force_login(reader)
    clock.shift(timedelta(hours=3))
    client.get(reverse("articles:home"), headers=HTTPS)
    assert SESSION_KEY in client.session


def test_staff_limits_are_within_policy():
    assert settings.STAFF_SESSION_IDLE_TIMEOUT <= 60 * 60
    assert settings.STAFF_SESSION_MAX_AGE <= 12 * 60 * 60
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY is True
