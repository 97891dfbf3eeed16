"""The site's URLs plus the benchmark's reference views, each returning the article page's very bytes:

- ``/__bench/raw/``: nothing else (the bare-Django ceiling);
- ``/__bench/lookup/<slug>/``: after the article page's own lookup (``ArticleDetailView.get_queryset``);
- ``/__bench/form/<slug>/``: after that lookup and rendering the page's comment form with this reader's
  CSRF token.

The last two are not pages: they show how much of the ceiling the first steps of any article render
already use up (docs/performance.md, "What a render costs").
"""

import os
from pathlib import Path

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import include, path

from articles.views import ArticleDetailView
from comments.forms import CommentForm

RAW = Path(os.environ.get("BENCH_RAW_FILE", "/nonexistent"))
_body: bytes | None = None


def raw(request):
    global _body  # read once per worker, on first use (the benchmark saves the page after start-up)
    if _body is None:
        _body = RAW.read_bytes()
    return HttpResponse(_body, content_type="text/html; charset=utf-8")


def _article(request, slug):
    view = ArticleDetailView(request=request, kwargs={"slug": slug})
    return view.get_queryset().get(slug=slug)


def lookup(request, slug):
    _article(request, slug)
    return raw(request)


def lookup_and_form(request, slug):
    article = _article(request, slug)
    form = CommentForm(article=article, user=request.user)
    render_to_string("comments/_form.html", {"form": form, "article": article}, request=request)
    return raw(request)


urlpatterns = [
    path("__bench/raw/", raw),
    path("__bench/lookup/<slug:slug>/", lookup),
    path("__bench/form/<slug:slug>/", lookup_and_form),
    path("", include("portal.urls")),
]
