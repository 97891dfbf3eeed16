"""The moderation chain: every new or edited comment passes these checks, in order.

Each check looks at a ``Submission`` and returns a ``Decision`` (accept, hold for review, or
reject) or None for "nothing to say". The first reject ends the chain; otherwise the first hold
wins; otherwise the discussion's mode (post- or pre-moderation, staffed hours) decides. The
decision's reason code and text are stored on the comment, so moderators (and a statement of
reasons) can say why. To add a check, write a function ``check_x(submission) -> Decision | None``
and add its dotted path to ``COMMENTS_CHECKS`` in settings (the default is ``DEFAULT_CHECKS``).
The chain runs inside the transaction that saves the comment (and may hold row locks), so a check
must not wait on the network: the external spam checker (``comments.spamcheck``) is asked before the
transaction and ``check_spam`` only reads its verdict from the submission.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .models import (
    Block,
    Comment,
    CommentStatus,
    DiscussionMode,
    DiscussionSettings,
    ModerationWord,
    Reason,
    WordAction,
)
from .text import WordList, count_links, looks_like_latin_bulgarian

logger = logging.getLogger(__name__)

ACCEPT, HOLD, REJECT = "accept", "hold", "reject"
WORDS_CACHE_KEY = "comments:moderation-words"


@dataclass
class Decision:
    action: str
    reason: str
    text: str = ""
    store: bool = True  # a rejected comment is kept (status "rejected") so moderators and history see it
    message: Any = ""  # what the reader is told when the comment is not stored
    spam: bool = False  # a rejection stored as "spam" rather than "rejected" (the spam checker's verdict)
    discard: bool = False  # blatant spam: not stored, and the reader is answered as if it were held

    @property
    def status(self) -> str:
        if self.spam:
            return CommentStatus.SPAM
        return {ACCEPT: CommentStatus.APPROVED, HOLD: CommentStatus.PENDING}.get(self.action, CommentStatus.REJECTED)


@dataclass
class Submission:
    article: Any
    body: str
    author_key: str
    fingerprint: str
    user_id: int | None = None
    email_hash: str = ""
    ip_hash: str = ""
    parent: Any = None
    editing: Comment | None = None
    confirmed_latin: bool = False
    now: datetime = field(default_factory=timezone.now)
    spam_verdict: Any = None  # comments.spamcheck.Verdict, asked before the transaction; None: not asked
    # More author keys whose approved comments count as this author's: a signed-in reader's verified e-mail
    # addresses (what they wrote as a guest with one). An address nobody proved theirs never counts.
    history_keys: tuple[str, ...] = ()


# --- Discussion state -------------------------------------------------------------------------------------


def discussion_closes_at(article) -> datetime | None:
    """When the discussion closes by itself (N days after publishing), or None."""
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    if not days or not article.published_at:
        return None
    return article.published_at + timedelta(days=days)


def discussion_open(article, now: datetime | None = None) -> bool:
    """Readers may post: comments enabled, the article public, and its discussion not closed by age."""
    now = now or timezone.now()
    closes_at = discussion_closes_at(article)
    return article.comments_open and (closes_at is None or now < closes_at)


def _parse_hours(spec: str) -> tuple[time, time] | None:
    try:
        start, end = (time.fromisoformat(part.strip()) for part in spec.split("-", 1))
    except ValueError:
        return None
    return start, end


def unstaffed(now: datetime | None = None) -> bool:
    """True inside COMMENTS_UNSTAFFED_HOURS (e.g. "23:00-07:00", local time), when nobody moderates."""
    hours = _parse_hours(settings.COMMENTS_UNSTAFFED_HOURS or "")
    if hours is None:
        return False
    start, end = hours
    local = timezone.localtime(now or timezone.now()).time()
    return (start <= local or local < end) if start > end else (start <= local < end)


def moderation_mode(article) -> str:
    """ "pre" or "post": the article's own setting, else the site's."""
    own = DiscussionSettings.objects.filter(article=article).values_list("moderation", flat=True).first()
    return own or settings.COMMENTS_MODERATION


# --- Word lists -------------------------------------------------------------------------------------------


def word_lists() -> tuple[WordList, WordList]:
    """(banned, suspect): the lists in settings plus the moderators' words, cached until a word changes."""
    lists = cache.get(WORDS_CACHE_KEY)
    if lists is None:
        rows = list(ModerationWord.objects.values_list("word", "action"))
        banned = [*settings.COMMENTS_BANNED_WORDS, *(w for w, a in rows if a == WordAction.REJECT)]
        suspect = [*settings.COMMENTS_SUSPECT_WORDS, *(w for w, a in rows if a == WordAction.HOLD)]
        lists = (banned, suspect)
        cache.set(WORDS_CACHE_KEY, lists, 3600)
    return _compiled(tuple(lists[0]), tuple(lists[1]))


_COMPILED: dict = {}


def _compiled(banned: tuple, suspect: tuple) -> tuple[WordList, WordList]:
    key = (banned, suspect)
    if key not in _COMPILED:
        _COMPILED.clear()
        _COMPILED[key] = (WordList(banned), WordList(suspect))
    return _COMPILED[key]


# --- The checks -------------------------------------------------------------------------------------------


def check_length(s: Submission) -> Decision | None:
    """Empty, whitespace-only or over-long text is refused."""
    if not s.body.strip():
        return Decision(REJECT, Reason.LENGTH, "empty", store=False, message=_("Write something first."))
    if len(s.body) > settings.COMMENTS_MAX_LENGTH:
        return Decision(REJECT, Reason.LENGTH, f"{len(s.body)} characters", store=False, message=_("Too long."))
    return None


def check_closed(s: Submission) -> Decision | None:
    """A closed discussion takes no new comments (edits of fresh comments are still allowed)."""
    if s.editing is None and not discussion_open(s.article, s.now):
        return Decision(REJECT, Reason.CLOSED, store=False, message=_("Comments on this article are closed."))
    return None


def check_repeat(s: Submission) -> Decision | None:
    """The same text from the same author within COMMENTS_DUPLICATE_MINUTES is refused."""
    since = s.now - timedelta(minutes=settings.COMMENTS_DUPLICATE_MINUTES)
    same = Comment.objects.by_author(s.author_key).filter(fingerprint=s.fingerprint, created_at__gte=since)
    if s.editing is not None:
        same = same.exclude(pk=s.editing.pk)
    if same.exclude(status=CommentStatus.REMOVED).exists():
        return Decision(REJECT, Reason.REPEAT, store=False, message=_("You have just posted this same comment."))
    return None


def check_links(s: Submission) -> Decision | None:
    """Many links are what spam looks like: held for review."""
    links = count_links(s.body)
    if links >= settings.COMMENTS_MAX_LINKS:
        return Decision(HOLD, Reason.LINKS, f"{links} links")
    return None


def check_words(s: Submission) -> Decision | None:
    """Banned words reject, suspect words hold, whatever their case, endings or disguise."""
    banned, suspect = word_lists()
    if word := banned.find(s.body):
        # The view reports the event (security_event "banned_word", with the request); this is a diagnostic.
        logger.info("comment_rejected reason=banned_word author=%s", s.author_key[:14])
        return Decision(REJECT, Reason.BANNED_WORD, word)
    if word := suspect.find(s.body):
        return Decision(HOLD, Reason.SUSPECT_WORD, word)
    return None


def check_new_author(s: Submission) -> Decision | None:
    """An author's first COMMENTS_NEW_AUTHOR_HELD comments wait until some were approved (``history_keys`` too)."""
    needed = settings.COMMENTS_NEW_AUTHOR_HELD
    if needed <= 0 or s.editing is not None:
        return None
    keys = [s.author_key, *s.history_keys]
    approved = Comment.objects.filter(author_key__in=keys, status=CommentStatus.APPROVED)[:needed].count()
    if approved < needed:
        return Decision(HOLD, Reason.NEW_AUTHOR, f"{approved} approved so far")
    return None


def check_rejection_rate(s: Submission) -> Decision | None:
    """An author whose recent decided comments were often rejected goes back to review."""
    since = s.now - timedelta(days=settings.COMMENTS_REJECTION_WINDOW_DAYS)
    bad = Q(status__in=[CommentStatus.REJECTED, CommentStatus.SPAM])
    decided = bad | Q(status=CommentStatus.APPROVED)
    totals = (
        Comment.objects.by_author(s.author_key)
        .filter(created_at__gte=since)
        .aggregate(bad=Count("pk", filter=bad), decided=Count("pk", filter=decided))
    )
    if totals["decided"] and totals["bad"] / totals["decided"] >= settings.COMMENTS_REJECTION_RATE:
        return Decision(HOLD, Reason.REJECTION_RATE, f"{totals['bad']} of {totals['decided']} rejected")
    return None


def check_blocked(s: Submission) -> Decision | None:
    """Blocked accounts, e-mail addresses and client addresses are refused."""
    blocks = Block.objects.active().matching(user_id=s.user_id, email_hash=s.email_hash, ip_hash=s.ip_hash)
    if blocks.exists():
        return Decision(REJECT, Reason.BLOCKED)
    return None


def check_latin_bulgarian(s: Submission) -> Decision | None:
    """Bulgarian in Latin letters: held, or the reader is asked to confirm (COMMENTS_LATIN_BULGARIAN)."""
    policy = settings.COMMENTS_LATIN_BULGARIAN
    if policy == "allow" or not looks_like_latin_bulgarian(s.body):
        return None
    if policy == "hold":
        return Decision(HOLD, Reason.LATIN_BULGARIAN)
    if not s.confirmed_latin:
        return Decision(
            REJECT,
            Reason.LATIN_BULGARIAN,
            store=False,
            message=_("Please write in Cyrillic. If you cannot, tick the box below and send again."),
        )
    return None


DEFAULT_CHECKS = [
    "comments.moderation.check_length",
    "comments.moderation.check_closed",
    "comments.moderation.check_repeat",
    "comments.moderation.check_links",
    "comments.moderation.check_words",
    "comments.moderation.check_new_author",
    "comments.moderation.check_rejection_rate",
    "comments.moderation.check_blocked",
    "comments.spamcheck.check_spam",  # the external checker, when COMMENTS_SPAM_CHECK_URL is set
    "comments.moderation.check_latin_bulgarian",
]


def checks():
    return [import_string(path) for path in getattr(settings, "COMMENTS_CHECKS", DEFAULT_CHECKS)]


def moderate(s: Submission) -> Decision:
    """Run the chain: the first reject, else the first hold, else the discussion's mode."""
    held = None
    for check in checks():
        decision = check(s)
        if decision is None or decision.action == ACCEPT:
            continue
        if decision.action == REJECT:
            return decision
        held = held or decision
    if held:
        return held
    if moderation_mode(s.article) == DiscussionMode.PRE:
        return Decision(HOLD, Reason.PREMODERATION)
    if unstaffed(s.now):
        return Decision(HOLD, Reason.UNSTAFFED)
    return Decision(ACCEPT, Reason.ACCEPTED)
