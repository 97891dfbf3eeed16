"""Live updates and correction notes on the article page (docs/live-and-corrections.md): one fragment, two
queries when it is cold (articles.live.page_extras)."""

from django import template
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from articles.live import page_extras, updates_url

register = template.Library()


@register.inclusion_tag("articles/_live_updates.html", takes_context=True)
def live_updates(context, article):
    """The article's updates, newest first; a live public story also gets what its script polls."""
    updates, _notes = page_extras(context["request"], article)
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


@register.inclusion_tag("articles/_article_notes.html", takes_context=True)
def article_notes(context, article):
    """Corrections and update notes at the end of the article, oldest first."""
    _updates, notes = page_extras(context["request"], article)
    return {"notes": notes}
