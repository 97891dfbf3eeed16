"""The site's URLs plus /__bench/raw/: the same bytes as the article page from a bare Django view (the ceiling)."""

import os
from pathlib import Path

from django.http import HttpResponse
from django.urls import include, path

RAW = Path(os.environ.get("BENCH_RAW_FILE", "/nonexistent"))
_body: bytes | None = None


def raw(request):
    global _body  # read once per worker, on first use (the benchmark saves the page after start-up)
    if _body is None:
        _body = RAW.read_bytes()
    return HttpResponse(_body, content_type="text/html; charset=utf-8")


urlpatterns = [
    path("__bench/raw/", raw),
    path("", include("portal.urls")),
]
