"""django-allauth's pages, without a namespace (allauth reverses its own names: ``account_login``, ...).

Provider addresses (``/accounts/google/login/``, its callback) exist only for the providers configured in
settings (SOCIALACCOUNT_PROVIDERS, from GOOGLE_CLIENT_ID / FACEBOOK_APP_ID): with none, there is no
provider address at all, and no button (accounts.adapter.SocialAccountAdapter.list_apps).
"""

from importlib import import_module

from allauth.socialaccount.providers import registry
from django.conf import settings
from django.urls import include, path


def provider_urlpatterns() -> list:
    """The URL patterns of the providers that have an app in settings."""
    configured = {name for name, options in settings.SOCIALACCOUNT_PROVIDERS.items() if options.get("APPS")}
    patterns = []
    for provider in registry.get_class_list():
        if provider.id in configured:
            patterns += import_module(f"{provider.get_package()}.urls").urlpatterns
    return patterns


urlpatterns = [path("", include("allauth.account.urls"))]
if provider_patterns := provider_urlpatterns():
    urlpatterns += [path("3rdparty/", include("allauth.socialaccount.urls")), *provider_patterns]
