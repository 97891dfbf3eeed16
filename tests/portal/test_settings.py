"""Production settings: `check --deploy` is clean, with secrets from the environment and nothing silenced."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import django
import pytest
from django.conf import settings

BASE_DIR = Path(__file__).resolve().parents[2]


def production_env(tmp_path, **extra):
    """A production-like environment: DEBUG unset (off), a long random key, an explicit host list."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "vestnik.example,www.vestnik.example",
        "CSRF_TRUSTED_ORIGINS": "https://vestnik.example",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.update(extra)
    return env


def run_manage(env, *args, timeout=120):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_django_is_a_patched_5_2_release():
    assert django.VERSION >= (5, 2, 19)
    assert django.VERSION[:2] == (5, 2)


def test_check_deploy_is_clean_in_production(tmp_path):
    result = run_manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output


def test_check_deploy_catches_an_insecure_production(tmp_path):
    # The same command fails when the key is the development one: the test can fail.
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = run_manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


PROBE = """
import json
from django.conf import settings
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SILENCED_SYSTEM_CHECKS": settings.SILENCED_SYSTEM_CHECKS,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SECURE_REDIRECT_EXEMPT": settings.SECURE_REDIRECT_EXEMPT,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "SESSION_COOKIE_NAME": settings.SESSION_COOKIE_NAME,
    "CSRF_COOKIE_NAME": settings.CSRF_COOKIE_NAME,
    "LANGUAGE_COOKIE_NAME": settings.LANGUAGE_COOKIE_NAME,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "LANGUAGE_COOKIE_SECURE": settings.LANGUAGE_COOKIE_SECURE,
    "USE_X_FORWARDED_HOST": settings.USE_X_FORWARDED_HOST,
    "SECRET_KEY_LEN": len(settings.SECRET_KEY),
    "SECRET_KEY_UNIQUE": len(set(settings.SECRET_KEY)),
}))
"""


def test_production_settings_are_the_documented_ones(tmp_path):
    result = run_manage(production_env(tmp_path), "shell", "-c", PROBE)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SILENCED_SYSTEM_CHECKS"] == []
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_REDIRECT_EXEMPT"] == [r"^healthz$"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert values["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    assert values["LANGUAGE_COOKIE_NAME"] == "__Host-language"
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["LANGUAGE_COOKIE_SECURE"]
    assert values["USE_X_FORWARDED_HOST"] is False
    assert values["SECRET_KEY_LEN"] >= 50 and values["SECRET_KEY_UNIQUE"] >= 5


def test_nothing_is_silenced_in_this_process_either():
    assert settings.SILENCED_SYSTEM_CHECKS == []
    assert settings.USE_X_FORWARDED_HOST is False


@pytest.mark.django_db
def test_https_redirect_spares_the_health_check(production, client):
    # The load balancer probes /healthz over plain HTTP; everything else goes to HTTPS on the same host.
    assert client.get("/healthz").status_code == 200
    response = client.get("/?a=1")
    assert response.status_code == 301
    assert response.headers["Location"] == "https://testserver/?a=1"
