"""Logging that cannot be forged: one line per record, key=value fields, control characters escaped.

`LogfmtFormatter` renders every record (Django's, the libraries', ours) as a single logfmt
line. Whatever a request carries into a message or its arguments (CR/LF, ANSI escapes, NUL,
bidi overrides, lone surrogates) is written as a visible escape such as ``\\r\\n`` or
``\\x1b``, so a crafted path or name can never start a fake record or recolour a terminal.

`security_event(event, request=None, **fields)` is the one way the apps report a security
event (rate limit hit, honeypot, banned word, upload rejected, ...): one WARNING record on
the ``vestnik.security`` logger, with the client address, user id, method and path taken
from the request, and secret-looking fields redacted. Django's own security records
(CSRF failure, disallowed host, permission denied) get the same ``event=`` field from the
formatter, so every event is one greppable line. See docs/security.md.
"""

import logging
import re
import traceback
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest

SECURITY_LOGGER = "vestnik.security"
security_logger = logging.getLogger(SECURITY_LOGGER)

# C0 and C1 controls, DEL, line/paragraph separators, zero-width and bidi formatting
# characters, the BOM, and lone surrogates (which would also crash a UTF-8 stream).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_KEY = re.compile(r"[^A-Za-z0-9_.-]")
_NEEDS_QUOTES = re.compile(r'[\s"=\\]')
_SENSITIVE_KEY = re.compile(
    r"(^|_)(password|passwd|pwd|secret|token|session|sessionid|cookie|csrf|authorization|api_?key|otp)(_|$)",
    re.IGNORECASE,
)
REDACTED = "[redacted]"

# Django's security loggers and what their records mean, as event names.
DJANGO_EVENTS = {
    "django.security.csrf": "csrf_failure",
    "django.security.DisallowedHost": "disallowed_host",
    "django.security.DisallowedRedirect": "disallowed_redirect",
    "django.security.RequestDataTooBig": "request_too_big",
    "django.security.TooManyFieldsSent": "too_many_fields",
    "django.security.TooManyFilesSent": "too_many_files",
}


def escape_control(value: str) -> str:
    """Make `value` printable on one line: backslashes doubled, unsafe characters as escapes."""

    def replace(match: re.Match) -> str:
        char = match.group()
        if char in _NAMED:
            return _NAMED[char]
        code = ord(char)
        return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"

    return _UNSAFE.sub(replace, value.replace("\\", "\\\\"))


def _value(value: Any) -> str:
    text = escape_control(value if isinstance(value, str) else str(value))
    if text == "" or _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '\\"') + '"'
    return text


def _key(key: str) -> str:
    return _KEY.sub("_", key) or "_"


def redact(fields: dict[str, Any]) -> dict[str, Any]:
    """Replace values whose key looks like a credential (password, token, session, ...)."""
    return {key: (REDACTED if _SENSITIVE_KEY.search(key) else value) for key, value in fields.items()}


def request_fields(request: HttpRequest | None) -> dict[str, Any]:
    """Client address, user id, method and path of a request, without querying the database."""
    if request is None or not isinstance(request, HttpRequest):
        return {}
    from portal.security import client_ip

    fields: dict[str, Any] = {"ip": client_ip(request), "user": _user_id(request)}
    fields["method"] = request.method or "-"
    fields["path"] = request.path
    return fields


def _user_id(request: HttpRequest) -> str:
    cached = getattr(request, "_cached_user", None)  # set once request.user has been evaluated
    if cached is not None:
        return str(cached.pk) if cached.is_authenticated else "-"
    session = getattr(request, "session", None)
    if session is None:
        return "-"
    try:
        return str(session.get(SESSION_KEY) or "-")
    except Exception:  # a broken cache or database must not break logging
        return "-"


def event_name(record: logging.LogRecord) -> str | None:
    """The security event a record stands for, if any."""
    event = getattr(record, "event", None)
    if event:
        return str(event)
    if record.name in DJANGO_EVENTS:
        return DJANGO_EVENTS[record.name]
    if record.name.startswith("django.security."):
        return "suspicious_operation"
    if record.name == "django.request" and getattr(record, "status_code", None) == 403:
        return "permission_denied"
    return None


class LogfmtFormatter(logging.Formatter):
    """One escaped logfmt line per record: time, level, logger, event, request fields, msg, extras, exc."""

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        event = event_name(record)
        if event:
            fields["event"] = event
        fields.update(request_fields(getattr(record, "request", None)))
        status = getattr(record, "status_code", None)
        if status is not None:
            fields["status"] = status
        try:
            message = record.getMessage()
        except Exception:  # a bad format string in some library: keep the raw parts
            message = f"{record.msg!r} {record.args!r}"
        fields["msg"] = message
        for key, value in redact(getattr(record, "security_fields", None) or {}).items():
            fields.setdefault(key, value)
        if record.exc_info and record.name.startswith("django.security."):
            # A client's mistake (bad Host, tampered data): the message says it all, the traceback is noise.
            fields["error"] = type(record.exc_info[1]).__name__
        elif record.exc_info:
            fields["exc"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        elif record.exc_text:
            fields["exc"] = record.exc_text
        if record.stack_info:
            fields["stack"] = record.stack_info
        return " ".join(f"{_key(key)}={_value(value)}" for key, value in fields.items())


def security_event(
    event: str, /, request: HttpRequest | None = None, *, level: int = logging.WARNING, **fields: Any
) -> None:
    """Log one security event: one structured record on the vestnik.security logger.

    `event` is a short snake_case name (``rate_limited``, ``honeypot``, ``banned_word``,
    ``upload_rejected``, ...). `fields` are extra key=value facts (any key but ``request`` and
    ``level``); never pass passwords, tokens or session keys (keys that look like them are
    redacted anyway).
    """
    security_logger.log(
        level,
        "%s",
        event,
        extra={"event": event, "request": request, "security_fields": redact(fields)},
    )
