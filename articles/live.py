"""Live updates and corrections for readers: the polling endpoint of a live story, the corrections page.

Both are shared pages under the page cache (docs/caching.md): an update or a note saved announces the site's
change (articles/signals.py), so the next poll and the next page are built anew. See
docs/live-and-corrections.md.
"""

from django.conf import settings
from django.http import Http404, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.generic import ListView

import caching

from .models import Article, ArticleNote, LiveUpdate

# The most updates an article page shows (newest first) and one poll answers.
UPDATES_LIMIT = 200
_MAX_ID = 2**63 - 1


def updates_url(article) -> str:
    """The address a reader's page polls for the article's new updates."""
    return article.get_absolute_url() + "updates/"


def page_extras(request, article) -> tuple[list, list]:
    """The article's updates (newest first, with images and authors) and notes (oldest first), kept as a fragment
    under the site's generation (an update or note saved changes it): two queries when cold, none when warm."""
    if not hasattr(article, "_live_extras"):

        def build():
            updates = list(LiveUpdate.objects.filter(article=article).for_page()[:UPDATES_LIMIT])
            return updates, list(ArticleNote.objects.filter(article=article).order_by("published_at", "pk"))

        article._live_extras = caching.fragment(request, f"live:{article.pk}", build)
    return article._live_extras


def parse_after(value: str) -> int | None:
    """The id after which updates are wanted: a whole number, 0 when missing; None when it is not one."""
    if value in ("", None):
        return 0
    if not (value.isascii() and value.isdigit()) or len(value) > 19 or int(value) > _MAX_ID:
        return None
    return int(value)


def render_updates(request, article, updates) -> str:
    """The updates as the article page shows them (the same template), one ``<li>`` each."""
    return "".join(
        render_to_string(
            "articles/_live_update.html",
            {"update": update, "article_url": article.get_absolute_url()},
            request=request,
        )
        for update in updates
    )


@require_GET
def live_updates(request, year, month, day, slug):
    """Updates of a public article after ``?after=<id>``, newest first, as JSON with the HTML to insert.

    Two queries whatever the number of updates: the article, its new updates with their images and authors.
    """
    after = parse_after(request.GET.get("after", ""))
    if after is None:
        return JsonResponse({"error": _("“after” must be the number of an update.")}, status=400)
    article = (
        Article.objects.published().filter(slug=slug).only("slug", "published_at", "created_at", "is_live").first()
    )
    if article is None or request.path != updates_url(article):
        raise Http404
    updates = list(LiveUpdate.objects.filter(article=article).after(after).for_page()[:UPDATES_LIMIT])
    return JsonResponse(
        {
            "live": article.is_live,
            "latest": max((u.pk for u in updates), default=after),
            "count": len(updates),
            "html": render_updates(request, article, updates),
        }
    )


class CorrectionsView(ListView):
    """Every correction and update note on a public article, newest first."""

    template_name = "articles/corrections.html"
    context_object_name = "notes"

    def get_paginate_by(self, queryset):
        return settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        return ArticleNote.objects.public().for_listing()
