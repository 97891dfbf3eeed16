from django import template
from django.urls import reverse
from django.utils.http import urlencode

register = template.Library()

# Where signing in brings the reader back to: the pages they read. Not the comment forms and their error
# pages (/comments/...: an address there may answer 404, and two 404s must not differ), nor sign-in pages.
RETURN_TO_NAMESPACES = frozenset({"articles", "pages"})


@register.simple_tag(takes_context=True)
def sign_in_url(context) -> str:
    """The sign-in address, bringing the reader back to the page they read (RETURN_TO_NAMESPACES; not an error
    page). The same for every reader of a page, so shared pages may carry it."""
    url = reverse("account_login")
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if request is None or match is None or context.get("error_page") or request.method != "GET":
        return url
    if match.namespace not in RETURN_TO_NAMESPACES:
        return url
    return f"{url}?{urlencode({'next': request.get_full_path()})}"
