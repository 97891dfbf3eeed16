"""An optional external spam check that speaks Akismet's comment-check API (RELIABILITY 34).

Off unless ``COMMENTS_SPAM_CHECK_URL`` is set. The service asks the checker *before* it opens the
transaction that saves the comment (``spam_verdict``), so no row lock is ever held across the network
call; the verdict rides on the ``Submission`` and ``check_spam``, a link of the moderation chain,
turns it into a decision:

- "false" (ham): nothing to say, the rest of the chain decides as before;
- "true" (spam): stored with status "spam", never shown to readers;
- "true" with the header ``X-akismet-pro-tip: discard`` (blatant spam): not stored at all; the reader
  gets the same answer as for a comment held for review, so a spammer learns nothing;
- anything else (timeout, refused connection, an HTTP error, a body that is neither "true" nor
  "false", a bad URL): the check *fails safe*: the comment is held for review (pending, reason "spam
  check unavailable"), never published unchecked, never lost, and a WARNING is logged.

The whole call is bounded by ``COMMENTS_SPAM_CHECK_TIMEOUT`` seconds (connect, send, headers and
body together): it runs on a small thread pool and the caller stops waiting at the deadline; the
socket timeout ends the abandoned thread soon after. When every thread of the pool is stuck on a
hung checker, new calls wait in its queue and time out the same way: the comments are held.
"""

import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from django.conf import settings

from portal.security import client_ip

from .models import Reason
from .moderation import HOLD, REJECT, Decision

logger = logging.getLogger(__name__)

HAM, SPAM, DISCARD, UNAVAILABLE = "ham", "spam", "discard", "unavailable"
MAX_BODY = 64  # bytes of the answer read: "true" or "false" is all there is to read
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="spamcheck")


@dataclass(frozen=True)
class Client:
    """What Akismet wants to know about the request that sent a comment."""

    ip: str = ""
    user_agent: str = ""
    referrer: str = ""

    @classmethod
    def from_request(cls, request) -> "Client":
        return cls(
            ip=client_ip(request),
            user_agent=request.headers.get("User-Agent", "")[:500],
            referrer=request.headers.get("Referer", "")[:500],
        )


@dataclass(frozen=True)
class Verdict:
    outcome: str  # HAM, SPAM, DISCARD or UNAVAILABLE
    detail: str = ""
    seconds: float = 0.0


def enabled() -> bool:
    return bool(settings.COMMENTS_SPAM_CHECK_URL)


def facts(*, article, body: str, author_name: str, email: str, client: Client | None) -> dict[str, str]:
    """The form fields of Akismet's comment-check call."""
    client = client or Client()
    site = settings.SITE_URL.rstrip("/")
    params = {
        "blog": site + "/",
        "user_ip": client.ip,
        "user_agent": client.user_agent,
        "referrer": client.referrer,
        "permalink": site + article.get_absolute_url(),
        "comment_type": "comment",
        "comment_author": author_name,
        "comment_author_email": email,
        "comment_content": body,
        "blog_lang": "bg",
        "blog_charset": "UTF-8",
    }
    if settings.COMMENTS_SPAM_CHECK_KEY:
        params["api_key"] = settings.COMMENTS_SPAM_CHECK_KEY
    return params


def _post(url: str, data: bytes, timeout: float) -> tuple[int, str, bytes]:
    """One form POST: (status, the pro-tip header, the first bytes of the body). Raises on any failure."""
    request = urllib.request.Request(  # noqa: S310 (ask() lets only http and https through)
        url,
        data=data,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "User-Agent": "Vestnik/1.0"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return response.status, response.headers.get("X-akismet-pro-tip", ""), response.read(MAX_BODY)


def ask(params: dict[str, str]) -> Verdict:
    """Ask the checker about one comment; never raises, never takes longer than the timeout."""
    url = settings.COMMENTS_SPAM_CHECK_URL
    timeout = float(settings.COMMENTS_SPAM_CHECK_TIMEOUT)
    started = time.monotonic()
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        return _unavailable("bad_url", started)
    data = urllib.parse.urlencode(params).encode()
    future = _POOL.submit(_post, url, data, timeout)
    try:
        status, tip, body = future.result(timeout=timeout)
    except FutureTimeout:
        future.cancel()
        return _unavailable("timeout", started)
    except urllib.error.HTTPError as error:
        return _unavailable(f"http_{error.code}", started)
    except urllib.error.URLError as error:
        reason = error.reason
        name = "timeout" if isinstance(reason, TimeoutError) else type(reason).__name__
        return _unavailable(f"connection:{name}", started)
    except TimeoutError:
        return _unavailable("timeout", started)
    except Exception as error:  # any failure of the checker holds the comment; none may crash the post
        return _unavailable(type(error).__name__, started)
    seconds = time.monotonic() - started
    answer = body.strip().lower()
    if status != 200:
        return _unavailable(f"http_{status}", started)
    if answer == b"false":
        return Verdict(HAM, seconds=seconds)
    if answer == b"true":
        discard = tip.strip().lower() == "discard"
        return Verdict(DISCARD if discard else SPAM, "discard" if discard else "", seconds)
    return _unavailable("unexpected_answer", started)


def _unavailable(detail: str, started: float) -> Verdict:
    seconds = time.monotonic() - started
    logger.warning("spam_check_unavailable error=%s seconds=%.2f", detail, seconds)
    return Verdict(UNAVAILABLE, detail, seconds)


def spam_verdict(*, article, body: str, author_name: str, email: str, client: Client | None) -> Verdict | None:
    """The checker's verdict on a comment about to be saved, or None when the check is off or pointless.

    Call it outside any transaction: it waits on the network for up to COMMENTS_SPAM_CHECK_TIMEOUT.
    """
    if not enabled() or not body.strip() or len(body) > settings.COMMENTS_MAX_LENGTH:
        return None  # off, or the chain refuses the text anyway
    return ask(facts(article=article, body=body, author_name=author_name, email=email, client=client))


def check_spam(s) -> Decision | None:
    """The checker's verdict (asked before the transaction): spam is kept hidden, an outage holds."""
    verdict = s.spam_verdict
    if verdict is None or verdict.outcome == HAM:
        return None
    if verdict.outcome == UNAVAILABLE:
        return Decision(HOLD, Reason.SPAM_CHECK_UNAVAILABLE, verdict.detail)
    if verdict.outcome == DISCARD and s.editing is None:
        # Not stored; the reader is told what a held comment's author is told (see comments/views.py).
        return Decision(REJECT, Reason.SPAM_CHECK, "discard", store=False, discard=True)
    return Decision(REJECT, Reason.SPAM_CHECK, verdict.detail, spam=True)
