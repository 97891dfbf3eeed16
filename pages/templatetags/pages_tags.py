from django import template

import caching
from pages.models import Page

register = template.Library()


@register.simple_tag(takes_context=True)
def footer_pages(context) -> list[tuple[str, str]]:
    """(title, url) of the site's pages for the footer, kept as a fragment like the section navigation."""

    def build():
        return [(page.title, page.get_absolute_url()) for page in Page.objects.for_links()]

    request = context.get("request")
    return build() if request is None else caching.fragment(request, "footer-pages", build)
