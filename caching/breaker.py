"""A circuit breaker for the Redis cache: a hung or unreachable Redis costs a process one timeout, not one per call.

django-redis with ``IGNORE_EXCEPTIONS`` already turns a failed cache call into a miss; what it cannot
do alone is stop waiting. A frozen Redis (SIGSTOP, a full network buffer, a stalled failover) lets
every call wait its ``SOCKET_TIMEOUT``, and a page makes a dozen cache calls, so a request would take
seconds. Here the first failure opens the circuit for ``CACHE_BREAKER_SECONDS``: until then every
call to that server fails at once (a miss, as when Redis is down), then one call probes it, and the
first answer closes the circuit again.

It sits at the connection level (``CONNECTION_POOL_CLASS``), below django-redis, so sessions, the page
cache, the rate limiter and the view counters are all covered. The state is per process and per
server address.

Logging: one WARNING when a circuit opens (with the error) and one when it closes; calls that fail
fast while it is open log nothing. django-redis would log every ignored failure with its traceback
(a thousand records for ten seconds of outage under load): ``ReportedByBreaker`` drops those whose
cause the breaker has already reported.
"""

import logging
import threading
import time

from django.conf import settings
from redis.connection import Connection, ConnectionPool
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger("caching.breaker")
_recovered = threading.Event()


class CircuitOpen(ConnectionError):
    """Raised instead of calling a server whose circuit is open: a miss, at once."""


class Breaker:
    """Open (failing fast) for ``seconds`` after a failure; then one caller at a time probes the server."""

    def __init__(self, name: str):
        self.name = name
        self.open_until = 0.0
        self.tripped = False
        self.prober = None  # the thread probing a tripped server
        self.lock = threading.Lock()

    def before_call(self, probe_seconds: float) -> None:
        if not self.tripped:  # the usual case, without taking the lock
            return
        me = threading.get_ident()
        now = time.monotonic()
        with self.lock:
            if self.prober == me:
                return
            if now < self.open_until:
                raise CircuitOpen(f"cache circuit open for {self.name}")
            if self.tripped:  # half-open: this caller probes, the others keep failing fast meanwhile
                self.open_until, self.prober = now + probe_seconds, me

    def succeeded(self) -> None:
        if self.tripped:
            with self.lock:
                if self.tripped:
                    self.tripped, self.open_until, self.prober = False, 0.0, None
                    logger.warning("cache %s answers again: circuit closed", self.name)
                    _recovered.set()

    def failed(self, error: Exception, seconds: float) -> None:
        with self.lock:
            first = not self.tripped
            self.tripped, self.open_until, self.prober = True, time.monotonic() + seconds, None
        if first:
            logger.warning(
                "cache %s failed (%s: %s): circuit open, served uncached, retried every %.1f s",
                self.name,
                type(error).__name__,
                error,
                seconds,
            )


_breakers: dict[tuple, Breaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(host, port) -> Breaker:
    key = (host, port)
    with _breakers_lock:
        if key not in _breakers:
            _breakers[key] = Breaker(f"{host}:{port}")
        return _breakers[key]


def reset() -> None:
    """Forget every breaker's state (tests)."""
    with _breakers_lock:
        _breakers.clear()
    _recovered.clear()


def recovered() -> bool:
    """True once after a circuit of this process closed again (the cache answers after failing)."""
    if not _recovered.is_set():
        return False
    _recovered.clear()
    return True


class ReportedByBreaker(logging.Filter):
    """Drops django-redis's "Exception ignored" records caused by a connection failure: the breaker logs
    each outage once, when its circuit opens. Other errors (a full Redis, a wrong command) still log."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        while error is not None:
            if isinstance(error, ConnectionError | TimeoutError | OSError):
                return False
            error = error.__cause__ or error.__context__
        return True


class BreakerConnection(Connection):
    """A TCP connection to Redis that consults and feeds its server's breaker."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.breaker = breaker_for(self.host, self.port)

    def _open_seconds(self) -> float:
        return getattr(settings, "CACHE_BREAKER_SECONDS", 2.0)

    def _probe_seconds(self) -> float:
        return (self.socket_timeout or 1.0) + (self.socket_connect_timeout or 1.0)

    def _guarded(self, call, *args, **kwargs):
        self.breaker.before_call(self._probe_seconds())
        try:
            result = call(*args, **kwargs)
        except CircuitOpen:
            raise
        except (ConnectionError, TimeoutError, OSError) as error:
            self.breaker.failed(error, self._open_seconds())
            raise
        return result

    def connect(self):
        return self._guarded(super().connect)

    def send_packed_command(self, command, check_health=True):
        return self._guarded(super().send_packed_command, command, check_health)

    def read_response(self, *args, **kwargs):
        try:
            response = super().read_response(*args, **kwargs)
        except (ConnectionError, TimeoutError, OSError) as error:
            self.breaker.failed(error, self._open_seconds())
            raise
        self.breaker.succeeded()
        return response


class BreakerConnectionPool(ConnectionPool):
    """django-redis's ``CONNECTION_POOL_CLASS``: plain TCP connections get the breaker (TLS and sockets keep theirs)."""

    def __init__(self, connection_class=Connection, **kwargs):
        if connection_class is Connection:
            connection_class = BreakerConnection
        super().__init__(connection_class=connection_class, **kwargs)
