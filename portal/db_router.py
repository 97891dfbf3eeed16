"""An optional read replica: reads go to it, writes (and the reads that must see them) to the primary.

Enabled when DATABASE_REPLICA_URL is set (portal/settings.py, docs/deploy.md). A replica lags the
primary by a little, so reads stay on the primary when they must see a write:

- inside a transaction on the primary (``transaction.atomic`` reads what it writes);
- for the rest of a request after any write, and for every non-GET request;
- for DATABASE_REPLICA_PIN_SECONDS after a request that wrote, in the same browser (a cookie), so the
  reader who posted a comment sees it on the page the post redirects to.
"""

from contextvars import ContextVar

from django.conf import settings
from django.db import connections

PRIMARY, REPLICA = "default", "replica"
PIN_COOKIE = "vestnik_primary"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

_pinned: ContextVar[bool] = ContextVar("vestnik_primary_pinned", default=False)
_wrote: ContextVar[bool] = ContextVar("vestnik_primary_wrote", default=False)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if _pinned.get() or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        _pinned.set(True)
        _wrote.set(True)
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # both aliases hold the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY  # the replica follows the primary by replication, never by migrations


class PrimaryPinMiddleware:
    """Sets the per-request pinning the router reads; first in MIDDLEWARE when a replica is configured."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pinned = request.method not in SAFE_METHODS or PIN_COOKIE in request.COOKIES
        pin_token, wrote_token = _pinned.set(pinned), _wrote.set(False)
        try:
            response = self.get_response(request)
            wrote = _wrote.get()
        finally:
            _pinned.reset(pin_token)
            _wrote.reset(wrote_token)
        if wrote and request.method not in SAFE_METHODS:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.DATABASE_REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
