from django import template
from django.middleware.csrf import get_token
from django.utils.html import format_html

from caching.pages import is_shared

register = template.Library()


@register.simple_tag(takes_context=True)
def csrf_token_unless_shared(context):
    """The CSRF field of a form on a page every reader may share: left out of shared pages (one copy serves
    every reader, so it cannot hold anyone's token; static/js/csrf.js adds the reader's own when the
    form is used), written out on pages rendered for one reader."""
    request = context.get("request")
    if request is None or is_shared(request):
        return ""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))
