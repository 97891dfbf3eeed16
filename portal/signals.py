"""Sign-in bookkeeping: stamps the session for the staff limits and logs sign-in events."""

import logging
import time

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from portal.logging import security_event
from portal.middleware import IS_STAFF, LOGIN_AT, SEEN_AT


@receiver(user_logged_in, dispatch_uid="portal.login_stamp")
def stamp_session(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    request.session[IS_STAFF] = bool(user.is_staff)
    security_event("login", request, level=logging.INFO, user_id=user.pk)


@receiver(user_login_failed, dispatch_uid="portal.login_failed")
def log_login_failure(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; only the username is kept.
    security_event("login_failed", request, level=logging.INFO, username=credentials.get("username", ""))
