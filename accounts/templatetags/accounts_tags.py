from django import template
from django.urls import reverse
from django.utils.http import urlencode

register = template.Library()


def _is_account_page(match) -> bool:
    return match.namespace == "accounts" or (match.url_name or "").startswith(("account_", "socialaccount_"))


@register.simple_tag(takes_context=True)
def sign_in_url(context) -> str:
    """The sign-in address, bringing the reader back to the page they are on (not to a sign-in, sign-up or
    account page, nor to an error page). The same for every reader of a page, so shared pages may carry it."""
    url = reverse("account_login")
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if request is None or match is None or _is_account_page(match) or request.method != "GET":
        return url
    return f"{url}?{urlencode({'next': request.get_full_path()})}"
