"""Site-wide views that belong to no app: robots.txt, health check, error pages, media in development."""

import mimetypes
import posixpath
import re

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
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
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap_news'))}",
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
    return render(request, "404.html", status=404)


def bad_request(request, exception=None):
    # Standalone template: the request may carry a forged Host, so nothing here builds absolute URLs.
    return HttpResponse(loader.get_template("400.html").render(request=None), status=400)


def permission_denied(request, exception=None):
    # Django has already logged the denial (event=permission_denied); the page says nothing more.
    return HttpResponse(loader.get_template("403.html").render(request=None), status=403)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a comment post gets its form back (comments.views.expired_form_response); anything
    else a plain Bulgarian page. The reason is logged by Django, never shown."""
    from comments.views import expired_form_response

    response = expired_form_response(request)
    if response is not None:
        return response
    return HttpResponse(loader.get_template("403_csrf.html").render(request=None), status=403)


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
