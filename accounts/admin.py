"""allauth's own admin pages, but for provider apps and tokens: providers are configured by environment
variables only (an app added in the database would be ignored, accounts.adapter), and tokens are not kept
(SOCIALACCOUNT_STORE_TOKENS). E-mail addresses and linked accounts stay in the newsroom, for superusers."""

from allauth.socialaccount.models import SocialApp, SocialToken
from django.contrib import admin

for model in (SocialApp, SocialToken):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
