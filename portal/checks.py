"""The site's own system checks, and the guard portal/wsgi.py and portal/asgi.py run before serving.

The built-in SECRET_KEY (settings.py) lets the site run with no environment at all, for development and
for the test suite. With DEBUG off it must not serve: sessions, password-reset links, form tokens and
the comment hashes would be signed with a key anyone can read in the repository.

- ``manage.py check --deploy`` reports it as an Error (portal.E001): the release fails, whatever
  ``--fail-level``. Only the deploy checks carry it, so ``migrate`` and the other commands (and the test
  suite, which imports the settings with DEBUG off and no key) still run.
- gunicorn (``portal.wsgi``), an ASGI server (``portal.asgi``) and ``runserver`` (which serves
  ``WSGI_APPLICATION``) refuse to start: ImproperlyConfigured, naming SECRET_KEY.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

# Keys nobody may serve with: Django's marker for generated development keys (the built-in key carries it)
# and the placeholder of .env.example.
DEVELOPMENT_KEY_PREFIXES = ("django-insecure-", "change-me")

MESSAGE = "SECRET_KEY is a development key and DEBUG is off: the site refuses to run in production with it."
HINT = (
    "Set the SECRET_KEY environment variable (or SECRET_KEY= in .env) to 50 or more random characters, e.g. "
    "python -c 'import secrets; print(secrets.token_urlsafe(64))'; or set DEBUG=1 on a development machine."
)


def development_key_in_production() -> bool:
    """True when DEBUG is off and SECRET_KEY is the built-in development key (or another known placeholder)."""
    return not settings.DEBUG and str(settings.SECRET_KEY).startswith(DEVELOPMENT_KEY_PREFIXES)


@register(Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs):
    """portal.E001: the development SECRET_KEY with DEBUG off."""
    if development_key_in_production():
        return [Error(MESSAGE, hint=HINT, id="portal.E001")]
    return []


def refuse_development_key() -> None:
    """Raise ImproperlyConfigured (naming SECRET_KEY) instead of serving with the development key."""
    if development_key_in_production():
        raise ImproperlyConfigured(f"{MESSAGE} {HINT}")
