from django import template
from django.utils import timezone

from articles.feeds import xml_text
from articles.seo import json_ld_script

register = template.Library()


@register.filter
def json_ld(data):
    """A dict as a ``<script type="application/ld+json">`` block that no string inside can break out of."""
    return json_ld_script(data)


@register.filter
def w3c_datetime(value):
    """“2025-12-05T14:32:00+02:00”: W3C Datetime in the site's time zone, whole seconds (sitemaps)."""
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


@register.filter(name="xml_text")
def xml_text_filter(value):
    """Text an XML document can carry (sitemaps): characters XML 1.0 forbids become U+FFFD."""
    return xml_text(str(value))
