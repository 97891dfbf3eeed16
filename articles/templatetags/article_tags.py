from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import ngettext

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
def sanitized(html):
    """Article body HTML, passed through the allow-list again at render time."""
    from django.utils.safestring import mark_safe

    from articles.sanitize import clean_body

    # The only mark_safe for article bodies; covered by tests/articles/test_sanitize.py.
    return mark_safe(clean_body(html))  # noqa: S308
