"""Site-wide middleware: the reader's language, headers Django does not set, staff session limits."""

import logging
import time

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY, logout
from django.http import HttpResponse
from django.template import loader
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from portal.logging import security_event

# Session keys written at sign-in (portal.apps) and read here.
LOGIN_AT = "vestnik_login_at"
SEEN_AT = "vestnik_seen_at"
IS_STAFF = "vestnik_staff"
# Refresh the "last seen" stamp at most once a minute, so a busy editor costs one session write a minute.
SEEN_RESOLUTION = 60


def chosen_language(request) -> str:
    """The language the reader chose with the language switch (its cookie), else the site's: Bulgarian.

    The browser's Accept-Language is not asked: many Bulgarian readers' browsers say en-US, and a
    Bulgarian site answering them in English is wrong more often than right.
    """
    choice = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if choice:
        try:
            return translation.get_supported_language_variant(choice)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class LanguageMiddleware:
    """First in MIDDLEWARE: ``chosen_language`` for the request (in place of Django's LocaleMiddleware,
    which follows Accept-Language), named in Content-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = chosen_language(request)
        request.LANGUAGE_CODE = language
        with translation.override(language):  # and the thread's language as it was afterwards
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class SecurityHeadersMiddleware:
    """Permissions-Policy and Cross-Origin-Resource-Policy on every response; no server banner;
    responses to signed-in users are private and never stored by shared caches."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        for banner in ("Server", "X-Powered-By"):
            if banner in response.headers:
                del response.headers[banner]
        if _has_signed_in_session(request):
            patch_cache_control(response, private=True, no_store=True)
        return response


FORM_ROOM_BYTES = 2**20


class RequestSizeLimitMiddleware:
    """413 for a body larger than MAX_UPLOAD_BYTES + 1 MB, answered before anything reads it.

    The extra megabyte is room for the form around a file: a file a little over MAX_UPLOAD_BYTES reaches
    the upload form, which says so beside the field and keeps what the editor typed; a body far over it
    never gets read. nginx refuses such a body itself (client_max_body_size 11m); this holds without it too.
    Django's own limits cover only form data (DATA_UPLOAD_MAX_MEMORY_SIZE): an uploaded file of any size
    would be read and spooled to disk. A chunked body has no Content-Length, and Django reads none of it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_UPLOAD_BYTES + FORM_ROOM_BYTES:
            with translation.override(chosen_language(request)):
                message = _("The file is too large (%(size)d MB at most).") % {
                    "size": settings.MAX_UPLOAD_BYTES // 2**20
                }
                html = loader.get_template("413.html").render({"message": message}, request=None)
            return HttpResponse(html, status=413)
        return self.get_response(request)


def _has_signed_in_session(request) -> bool:
    # Look at the session only when the browser sent a session cookie: anonymous readers stay cacheable.
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    session = getattr(request, "session", None)
    try:
        return session is not None and SESSION_KEY in session
    except Exception:  # session store down: nothing to mark
        return False


class StaffSessionTimeoutMiddleware:
    """Sign staff out after STAFF_SESSION_IDLE_TIMEOUT of inactivity or STAFF_SESSION_MAX_AGE after sign-in.

    Readers keep the ordinary SESSION_COOKIE_AGE. Place after AuthenticationMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        self.check(request)
        return self.get_response(request)

    def check(self, request) -> None:
        session = request.session
        if SESSION_KEY not in session or BACKEND_SESSION_KEY not in session:
            return
        if IS_STAFF not in session:  # a session from before these limits existed
            session[IS_STAFF] = bool(request.user.is_staff)
        if not session[IS_STAFF]:
            return
        now = int(time.time())
        login_at = session.setdefault(LOGIN_AT, now)
        seen_at = session.get(SEEN_AT, now)
        reason = None
        if now - seen_at > settings.STAFF_SESSION_IDLE_TIMEOUT:
            reason = "idle"
        elif now - login_at > settings.STAFF_SESSION_MAX_AGE:
            reason = "absolute"
        if reason:
            user_id = session.get(SESSION_KEY)
            logout(request)  # flushes the session and sets request.user to AnonymousUser
            security_event("session_expired", request, level=logging.INFO, reason=reason, user_id=user_id)
            return
        if now - seen_at >= SEEN_RESOLUTION or SEEN_AT not in session:
            session[SEEN_AT] = now
