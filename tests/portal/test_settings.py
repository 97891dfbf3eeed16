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


# --- The development SECRET_KEY never serves with DEBUG off (portal/checks.py) ---------------------------------

DEV_KEY_ERROR = "SECRET_KEY is a development key and DEBUG is off"


def development_env(tmp_path, **extra):
    """Production, except that SECRET_KEY is not set: settings.py falls back on its development key."""
    env = production_env(tmp_path, **extra)
    if "SECRET_KEY" not in extra:
        del env["SECRET_KEY"]
    return env


def run_python(env, *args, timeout=60):
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_check_deploy_fails_on_the_development_key_whatever_the_fail_level(tmp_path):
    result = run_manage(development_env(tmp_path), "check", "--deploy")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "(portal.E001) " + DEV_KEY_ERROR in output and "SECRET_KEY environment variable" in output


def test_check_deploy_fails_on_the_placeholder_of_env_example(tmp_path):
    placeholder = next(
        line.split("=", 1)[1]
        for line in (BASE_DIR / ".env.example").read_text().splitlines()
        if line.startswith("SECRET_KEY=")
    )
    result = run_manage(development_env(tmp_path, SECRET_KEY=placeholder), "check", "--deploy")
    assert result.returncode != 0 and "portal.E001" in result.stdout + result.stderr


@pytest.mark.parametrize(
    "server",
    [
        pytest.param(["-m", "gunicorn", "-c", "gunicorn.conf.py", "portal.wsgi:application"], id="gunicorn"),
        pytest.param(["-c", "import portal.asgi"], id="asgi"),
        pytest.param(["manage.py", "runserver", "--noreload"], id="runserver"),
    ],
)
def test_servers_refuse_to_start_with_the_development_key(tmp_path, server):
    port = str(free_port())
    env = development_env(tmp_path, GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1")
    args = [*server, f"127.0.0.1:{port}"] if "runserver" in server else server
    try:
        result = run_python(env, *args, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{server} started with the development SECRET_KEY and DEBUG off")
    assert result.returncode != 0
    assert "ImproperlyConfigured: " + DEV_KEY_ERROR in result.stderr, result.stderr[-2000:]


def test_runserver_with_its_reloader_serves_nothing_with_the_development_key(tmp_path):
    import signal
    import socket
    import time

    port = free_port()
    log = tmp_path / "runserver.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"],
            cwd=BASE_DIR,
            env=development_env(tmp_path),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the reloader's child is stopped with it
        )
    try:
        deadline = time.monotonic() + 30
        while DEV_KEY_ERROR not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert DEV_KEY_ERROR in log.read_text(), log.read_text()[-2000:]
        with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            pass
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


def test_servers_start_with_a_real_key_or_in_debug(tmp_path):
    script = "import portal.asgi, portal.wsgi; print('served')"
    assert run_python(production_env(tmp_path), "-c", script).stdout.strip() == "served"
    assert run_python(development_env(tmp_path, DEBUG="1"), "-c", script).stdout.strip() == "served"


def test_other_commands_and_the_test_suite_keep_the_development_key(tmp_path):
    # migrate, shell, check without --deploy: a development machine without DEBUG set still works.
    result = run_manage(development_env(tmp_path), "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert settings.SECRET_KEY.startswith("django-insecure-") or os.environ.get("SECRET_KEY")


def test_the_secret_key_check_in_this_process(settings):
    from portal.checks import check_secret_key

    settings.DEBUG, settings.SECRET_KEY = False, "django-insecure-local-only-vestnik-development-key"
    assert [error.id for error in check_secret_key(None)] == ["portal.E001"]
    settings.DEBUG = True
    assert check_secret_key(None) == []
    settings.DEBUG, settings.SECRET_KEY = False, secrets.token_urlsafe(64)
    assert check_secret_key(None) == []


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db
def test_a_request_leaves_the_threads_language_as_it_found_it(client, settings):
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("bg"):
        assert client.get("/").headers["Content-Language"] == "en"
        assert translation.get_language() == "bg"
