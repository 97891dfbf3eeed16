import html

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import conditional_escape, format_html, strip_tags
from django.utils.translation import get_language, ngettext

register = template.Library()


@register.filter
def dateline(value):
    """“5 Декември, 2025 14:32” in the site's time zone."""
    if not value:
        return ""
    return date_format(timezone.localtime(value), "j F, Y H:i")


@register.filter
def iso(value):
    """A machine-readable time for ``<time datetime>``: ISO 8601 without microseconds."""
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


@register.filter
def comments_label(count):
    """“1 коментар”, “5 коментара”."""
    count = int(count or 0)
    return ngettext("%(count)d comment", "%(count)d comments", count) % {"count": count}


@register.filter
def sanitized(html, body_images=()):
    """Stored rich text as readers see it (articles/body.py): through the allow-list again, with click-to-load
    embeds for pasted post addresses; ``body_images`` (an article's pictures in the text) after their blocks."""
    from articles.body import render_body

    return render_body(html, body_images or ())


# The language of what the newsroom writes: headlines, leads, bodies, captions, names of sections, tags, people.
CONTENT_LANGUAGE = "bg"


def _in_other_frame() -> bool:
    return (get_language() or CONTENT_LANGUAGE).split("-")[0] != CONTENT_LANGUAGE


@register.simple_tag
def content_lang() -> str:
    """`` lang="bg"`` for an element holding the newsroom's Bulgarian, when the page around it speaks another
    language (the reader chose English): screen readers then read it as Bulgarian. Nothing otherwise."""
    return format_html(' lang="{}"', CONTENT_LANGUAGE) if _in_other_frame() else ""


@register.filter
def in_bg(value) -> str:
    """Bulgarian text set inside a sentence of the page's language, e.g. a name in “More from {{ name }}”:
    wrapped in ``<span lang="bg">`` when the page speaks another language; escaped either way."""
    if not _in_other_frame():
        return conditional_escape(value)
    return format_html('<span lang="{}">{}</span>', CONTENT_LANGUAGE, value)


@register.filter
def plain_text(value) -> str:
    """Stored HTML (a sanitised page body) as plain text, e.g. for a meta description: tags dropped,
    entities decoded (the template escapes the result once)."""
    return html.unescape(strip_tags(value or "")).strip()


@register.filter
def reading_time(minutes):
    """“4 мин. четене”: an article's reading time (Article.reading_minutes)."""
    minutes = int(minutes or 0)
    return ngettext("%(count)d minute read", "%(count)d minutes read", minutes) % {"count": minutes}
