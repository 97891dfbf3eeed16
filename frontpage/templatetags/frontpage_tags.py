from django import template

from frontpage.layout import live_banner

register = template.Library()


@register.simple_tag(takes_context=True)
def breaking_news(context) -> dict[str, str] | None:
    """The breaking-news banner readers see now (headline, link), or None."""
    return live_banner(context.get("request"))
