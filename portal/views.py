"""Site-wide views that belong to no app: robots.txt, health check, CSRF token, error pages, media in development."""

import mimetypes
import posixpath
import re

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET
from django.views.static import serve

from portal.logging import security_event


@require_GET
@cache_control(max_age=3600, public=True)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /redakcia/",
        "Disallow: /search/",
        "Disallow: /stats/",
        f"Sitemap: {request.build_absolute_uri(reverse('articles:sitemap'))}",
        f"Sitemap: {request.build_absolute_uri(reverse('articles:sitemap_news'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@never_cache
def healthz(request):
    """200 when the database answers, 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def page_not_found(request, exception=None):
    # error_page: the header's sign-in link names no page to come back to (accounts_tags.sign_in_url), so one
    # 404 is the same as another, whatever address answered it.
    return render(request, "404.html", {"error_page": True}, status=404)


def bad_request(request, exception=None):
    # Standalone template: the request may carry a forged Host, so nothing here builds absolute URLs.
    return HttpResponse(loader.get_template("400.html").render(request=None), status=400)


def permission_denied(request, exception=None):
    # Django has already logged the denial (event=permission_denied); the page says nothing more.
    return HttpResponse(loader.get_template("403.html").render(request=None), status=403)


@never_cache
@require_GET
def csrf_token(request):
    """This reader's CSRF token (and cookie), for the forms of pages shared by every reader, which carry
    none (static/js/csrf.js; docs/caching.md)."""
    return JsonResponse({"token": get_token(request)})


# Forms a reader may send again from the "form has expired" page, with the fields that are sent back.
RESENDABLE = {"set_language": ("language", "next")}


def csrf_failure(request, reason="", *, resend_fields=None):
    """A plain Bulgarian page for a form that failed the CSRF check (the reason is logged by Django, never
    shown). For the forms of shared pages (which carry no token; a reader without JavaScript sends them
    without one) it holds the form again with a fresh token: one more click sends it.

    The comments app's CSRF_FAILURE_VIEW handles its own forms and comes here for the rest.
    """
    if resend_fields is None:
        try:
            resend_fields = RESENDABLE.get(resolve(request.path_info).view_name, ())
        except Resolver404:
            resend_fields = ()
    resend = None
    if resend_fields and request.method == "POST":
        resend = {
            "action": request.path,
            "token": get_token(request),
            "fields": [(name, value) for name in resend_fields for value in request.POST.getlist(name)[:1]],
        }
    html = loader.get_template("403_csrf.html").render({"resend": resend}, request=None)
    return HttpResponse(html, status=403)


@never_cache
def lockout(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: too many failed sign-ins; answered 429, logged once as event=login_lockout."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    security_event("login_lockout", request, username=username[:150])
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    html = loader.get_template("429.html").render({"minutes": minutes}, request=None)
    response = HttpResponse(html, status=429)
    response._has_been_logged = True  # the event above is the record; spare django.request's duplicate
    return response


def server_error(request):
    # No RequestContext on purpose: the page must render even when the database is down.
    return HttpResponseServerError(loader.get_template("500.html").render())


# Uploaded files are images: only these types are served inline. Anything else is a download.
INLINE_MEDIA_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif", "image/avif"})
MEDIA_CSP = "default-src 'none'; sandbox"
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]")


def serve_media(request, path):
    """Serve MEDIA_ROOT in development with the headers nginx sends in production (docs/security.md).

    The type comes from the extension, never from sniffing; a sandboxing CSP and nosniff mean
    that even an HTML or SVG file smuggled into media cannot run as a page of this site.
    """
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    content_type = mimetypes.guess_type(path)[0]
    filename = _UNSAFE_FILENAME.sub("_", posixpath.basename(path)) or "file"
    if content_type in INLINE_MEDIA_TYPES:
        response["Content-Type"] = content_type
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    else:
        response["Content-Type"] = "application/octet-stream"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
