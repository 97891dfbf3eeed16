"""Test-only URLs on top of the site's own URLconf (and its error handlers): a query that sleeps 30 s."""

from django.db import connection
from django.http import HttpResponse
from django.urls import path

from portal.urls import handler400, handler403, handler404, handler500  # noqa: F401
from portal.urls import urlpatterns as site_urlpatterns

SLOW_QUERY = "SELECT pg_sleep(30)"


def pg_sleep(request):
    with connection.cursor() as cursor:
        cursor.execute(SLOW_QUERY)
    return HttpResponse("the database slept 30 s", content_type="text/plain")


urlpatterns = [
    path("test-only/pg-sleep/", pg_sleep),
    *site_urlpatterns,
]
