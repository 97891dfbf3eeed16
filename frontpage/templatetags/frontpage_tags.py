from django import template

from frontpage.layout import live_banners

register = template.Library()


@register.simple_tag(takes_context=True)
def breaking_news(context) -> list[dict[str, str]]:
    """The breaking-news banners readers see now: headline, and the article's address when it has one."""
    return live_banners(context.get("request"))
