"""Sign-in throttling (django-axes), password policy, and no default account names."""

import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.password_validation import CommonPasswordValidator, validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tests.portal.conftest import HTTPS, PASSWORD

pytestmark = pytest.mark.django_db

EDITOR_IP = "203.0.113.10"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def password_checks(monkeypatch):
    """Counts the password checks that actually run (axes refuses locked-out sign-ins before them)."""
    calls = []
    original = ModelBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):
        calls.append(username)
        return original(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    return calls


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def sign_in(client, username, password, ip=EDITOR_IP, **headers):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=ip,
        headers={**HTTPS, **headers},
    )


def signed_in(client):
    return SESSION_KEY in client.session


def test_five_failures_lock_the_pair_and_the_right_password_is_refused(editor, clock, caplog):
    client = Client()
    statuses = [sign_in(client, editor.username, f"wrong-{i}").status_code for i in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="vestnik.security"):
        response = sign_in(client, editor.username, PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    html = response.content.decode()
    assert "Твърде много опити" in html and "15 минути" in html
    assert PASSWORD not in html
    lockouts = [r for r in caplog.records if getattr(r, "event", None) == "login_lockout"]
    assert len(lockouts) == 1 and lockouts[0].levelno == logging.WARNING
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == lockouts
    assert "no-store" in response.headers["Cache-Control"]
    assert "Content-Security-Policy" in response.headers


def test_after_the_cool_off_the_right_password_works(editor, clock):
    client = Client()
    for i in range(5):
        sign_in(client, editor.username, f"wrong-{i}")
    clock.shift(timedelta(minutes=14))
    assert sign_in(client, editor.username, PASSWORD).status_code == 429
    clock.shift(timedelta(minutes=16))  # 15 minutes after the last (refused) attempt
    response = sign_in(client, editor.username, PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_an_hour_of_guessing_gets_at_most_twenty_password_checks(editor, clock, password_checks):
    client = Client()
    statuses = []
    for i in range(120):  # one guess every 30 seconds for an hour
        statuses.append(sign_in(client, editor.username, f"guess-{i}").status_code)
        clock.shift(timedelta(seconds=30))
    assert len(password_checks) <= 20
    assert len(password_checks) == settings.AXES_FAILURE_LIMIT  # guessing during a lockout extends it
    assert set(statuses[5:]) == {429}


def test_failures_from_other_addresses_do_not_lock_the_editor_out(editor, clock):
    attacker = Client()
    for n in range(20):
        for i in range(5):
            sign_in(attacker, editor.username, f"wrong-{i}", ip=f"198.51.100.{n + 1}")
    assert sign_in(attacker, editor.username, PASSWORD, ip="198.51.100.1").status_code == 429
    client = Client()
    response = sign_in(client, editor.username, PASSWORD, ip=EDITOR_IP)
    assert response.status_code == 302 and signed_in(client)


def test_password_spraying_from_one_address_is_stopped_after_five_failures(clock, password_checks):
    users = [UserFactory(username=f"spray{n}", is_staff=True) for n in range(50)]
    statuses = [
        sign_in(Client(), user.username, password, ip="192.0.2.66").status_code
        for password in ("Parola123456", "Sofia2025!!!", "Vestnik2025!")
        for user in users
    ]
    assert len(password_checks) <= 5
    assert statuses[:4] == [200] * 4
    assert set(statuses[4:]) == {429}


def test_spoofed_forwarded_for_from_a_direct_client_does_not_dodge_the_lock(editor, clock, settings):
    settings.TRUSTED_PROXY_COUNT = 1  # behind nginx on loopback; this peer is not nginx
    client = Client()
    statuses = [
        sign_in(
            client, editor.username, f"wrong-{i}", ip="198.51.100.7", **{"X-Forwarded-For": f"10.0.0.{i}"}
        ).status_code
        for i in range(6)
    ]
    assert statuses[4:] == [429, 429]


def test_distinct_clients_behind_the_trusted_proxy_are_told_apart(editor, clock, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client()
    for i in range(5):
        sign_in(client, editor.username, f"wrong-{i}", ip="127.0.0.1", **{"X-Forwarded-For": "198.51.100.8"})
    response = sign_in(client, editor.username, PASSWORD, ip="127.0.0.1", **{"X-Forwarded-For": EDITOR_IP})
    assert response.status_code == 302


def test_throttling_settings_are_the_documented_ones():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"], "ip_address"]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert "csrfmiddlewaretoken" in settings.AXES_SENSITIVE_PARAMETERS


def test_stored_attempts_keep_no_password_or_token(editor, clock):
    from axes.models import AccessAttempt

    sign_in(Client(), editor.username, "my-secret-guess")
    attempt = AccessAttempt.objects.get()
    assert "my-secret-guess" not in attempt.post_data
    assert attempt.ip_address == EDITOR_IP


# Password policy


@pytest.mark.parametrize(
    "password", ["Ab1!xyz", "password1", "Password12345", "123456789012", "ivan.petrov.vestnik", "ivanpetrov2025"]
)
def test_weak_passwords_are_rejected(password):
    user = get_user_model()(username="ivan.petrov", email="ivan.petrov@vestnik.example", first_name="Иван")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_long_unrelated_passphrase_is_accepted():
    user = get_user_model()(username="ivan.petrov", email="ivan.petrov@vestnik.example")
    validate_password("Зелена-ливада-край-Искъра-7", user)


def test_password_policy_figures():
    validators = {v["NAME"].rsplit(".", 1)[-1]: v for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert validators["MinimumLengthValidator"]["OPTIONS"]["min_length"] >= 12
    assert {"UserAttributeSimilarityValidator", "CommonPasswordValidator", "NumericPasswordValidator"} <= set(
        validators
    )
    assert len(CommonPasswordValidator().passwords) >= 3000


DEFAULT_NAMES = {"admin", "root", "test", "administrator"}
NAME_LITERAL = re.compile(r"""(?:username|user_name|login)\W{1,6}["'](\w+)["']""", re.IGNORECASE)


def test_no_account_named_admin_root_or_test_exists_after_migrations():
    assert not get_user_model().objects.filter(username__in=DEFAULT_NAMES).exists()


def test_no_fixture_migration_or_command_creates_a_default_account_name():
    offenders = []
    for path in ROOT.rglob("*"):
        parts = set(path.relative_to(ROOT).parts)
        if parts & {".venv", "node_modules", "tests", ".git", "staticfiles", "media"} or not path.is_file():
            continue
        if path.suffix not in {".py", ".json", ".yaml", ".yml", ".xml"}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        offenders += [
            f"{path}: {m.group(0)}" for m in NAME_LITERAL.finditer(text) if m.group(1).lower() in DEFAULT_NAMES
        ]
    assert offenders == []
