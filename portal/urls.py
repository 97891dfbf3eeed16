import re

from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from . import views

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
handler429 = "accounts.views.too_many_requests"  # allauth's rate limits (sign-up, password-reset mails)

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("robots.txt", views.robots_txt, name="robots"),
    path("healthz", views.healthz, name="healthz"),
    path("csrf-token/", views.csrf_token, name="csrf_token"),
    path("comments/", include("comments.urls")),
    path("info/", include("pages.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("accounts.auth_urls")),
    # Browsers ask for /favicon.ico wherever a page names no icon of its own (a feed, an error page, an image).
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("img/favicon.ico")), name="favicon"),
    path("", include("articles.urls")),
]

if settings.DEBUG and settings.MEDIA_URL.startswith("/"):
    # Development only; production media comes from nginx with the same headers (docs/security.md).
    urlpatterns.insert(0, re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$", views.serve_media))
