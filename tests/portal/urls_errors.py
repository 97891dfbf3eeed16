"""Test-only URLs that fail on purpose, on top of the site's own URLconf (and its error handlers)."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import connection
from django.urls import path

from portal.urls import handler400, handler403, handler404, handler500  # noqa: F401
from portal.urls import urlpatterns as site_urlpatterns

LEAKY_MESSAGE = "SECRET_KEY=hunter2 at /srv/vestnik/portal/settings.py"


def boom(request):
    raise RuntimeError(LEAKY_MESSAGE)


def bad_sql(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM table_that_does_not_exist")


def denied(request):
    raise PermissionDenied("editors only: internal note")


def suspicious(request):
    raise SuspiciousOperation("tampered signature for internal object 42")


urlpatterns = [
    path("test-only/boom/", boom),
    path("test-only/bad-sql/", bad_sql),
    path("test-only/denied/", denied),
    path("test-only/suspicious/", suspicious),
    *site_urlpatterns,
]
