"""The bare floor's one view (bench/bare_settings.py): the saved article page, read once when gunicorn loads it."""

import os
from pathlib import Path

from django.http import HttpResponse
from django.urls import path

BODY = Path(os.environ["BENCH_RAW_FILE"]).read_bytes()


def page(request):
    return HttpResponse(BODY, content_type="text/html; charset=utf-8")


urlpatterns = [path("", page)]
