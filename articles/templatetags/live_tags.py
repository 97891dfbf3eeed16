"""Live updates and correction notes on the article page (docs/live-and-corrections.md): one query each."""

from django import template
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from articles.live import UPDATES_LIMIT, updates_url
from articles.models import ArticleNote, LiveUpdate

register = template.Library()


@register.inclusion_tag("articles/_live_updates.html")
def live_updates(article):
    """The article's updates, newest first; a live public story also gets what its script polls."""
    updates = list(LiveUpdate.objects.filter(article=article).for_page()[:UPDATES_LIMIT])
    polls = article.is_live and article.is_public
    return {
        "article": article,
        "article_url": article.get_absolute_url(),
        "updates": updates,
        "poll_url": updates_url(article) if polls else "",
        "latest": max((u.pk for u in updates), default=0),
        "interval": settings.LIVE_POLL_SECONDS,
        # What the script announces and labels, in the page's language (no JavaScript catalog needed).
        "say_one": _("1 new update"),
        "say_many": ngettext("%(count)s new update", "%(count)s new updates", 2),
        "copy_label": _("Copy link"),
        "copied_label": _("Link copied"),
    }


@register.inclusion_tag("articles/_article_notes.html")
def article_notes(article):
    """Corrections and update notes at the end of the article, oldest first."""
    return {"notes": list(ArticleNote.objects.filter(article=article).order_by("published_at", "pk"))}
