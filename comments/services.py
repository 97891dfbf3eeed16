"""Writes to comments: each a transaction that keeps two counters right.

``Article.comment_count`` (the public count) and, on each top-level comment, ``thread_visible_count``
(how many comments of its thread readers see; the page of threads selects on it) change only by
database-side ``F()`` updates inside the same transaction as the status or score change that moves a
comment in or out of view. The rows concerned are locked first (``select_for_update``), always the
thread's top-level comment together with them and always in id order, so two moderators, or a
moderator and a reader, can neither count one change twice nor deadlock. ``comment_count_refresh``
recounts from scratch (admin deletes, the ``comments_recount`` command).

Every write says so to the caches (``caching.article_changed``, after commit): what readers see of a
discussion, counts and votes included, is never older than the generation it is stored under.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import caching
from articles.models import Article

from . import notifications, spamcheck
from .models import Block, Comment, CommentStatus, Reason, Report, Vote, path_segment
from .moderation import REJECT, Decision, Submission, moderate
from .security import author_key as make_author_key
from .security import email_hash as make_email_hash
from .security import rate_limited
from .text import clean_body, clean_line, fingerprint


class CommentError(Exception):
    """A comment (or a vote, a report) that cannot be taken; ``message`` is for the reader."""

    status = 400

    def __init__(self, message, *, code: str = "invalid", status: int | None = None, decision: Decision | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.decision = decision
        if status is not None:
            self.status = status


class SpamDiscarded(Exception):
    """The spam checker called the comment blatant spam: nothing was stored. Answer as for a held comment."""

    def __init__(self, article: Article):
        super().__init__(article.pk)
        self.article = article


class DuplicateSubmission(Exception):
    """The same form was sent again: the comment it made the first time."""

    def __init__(self, comment: Comment):
        super().__init__(comment.pk)
        self.comment = comment


def _count_change(article_id: int, delta: int) -> None:
    if delta:
        Article.objects.filter(pk=article_id).update(comment_count=Greatest(F("comment_count") + delta, Value(0)))


def _visibility_change(comment: Comment, was_visible: bool) -> None:
    """Move the article's and the thread's counters when ``comment`` came into view or left it."""
    delta = int(comment.is_visible) - int(was_visible)
    if delta:
        _count_change(comment.article_id, delta)
        Comment.objects.filter(pk=comment.thread_id).update(
            thread_visible_count=Greatest(F("thread_visible_count") + delta, Value(0))
        )


def _lock(ids) -> dict[int, Comment]:
    """Lock these comments and their threads' top-level comments, in id order; {id: comment}."""
    ids = set(ids)
    roots = set(Comment.objects.filter(pk__in=ids).values_list("thread_id", flat=True)) - {None}
    return {c.pk: c for c in Comment.objects.select_for_update().filter(pk__in=ids | roots).order_by("pk")}


def display_name(user) -> str:
    """How a signed-in reader is named under their comments."""
    return clean_line(user.get_full_name() or user.get_username())[: settings.COMMENTS_NAME_MAX_LENGTH]


def history_keys(user) -> tuple[str, ...]:
    """Author keys of a signed-in reader's verified e-mail addresses: what they wrote as a guest with one of them
    counts in their history (moderation.check_new_author)."""
    if user is None:
        return ()
    verified = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return tuple(make_author_key(user_id=None, email_hash=make_email_hash(e), ip_hash="") for e in verified)


def account_of(email: str) -> int | None:
    """The id of the reader's account that verified ``email``, if one did."""
    if not email:
        return None
    verified = EmailAddress.objects.filter(email__iexact=email.strip(), verified=True)
    return verified.values_list("user_id", flat=True).first()


def can_post_as_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("comments.pin_comment"))


def comment_create(
    *,
    article: Article,
    parent: Comment | int | None,
    body: str,
    author_name: str = "",
    email: str = "",
    user=None,
    ip_hash: str = "",
    notify_on_reply: bool = False,
    submission_token: uuid.UUID | None = None,
    confirmed_latin: bool = False,
    enforce_rate_limits: bool = True,
    client: spamcheck.Client | None = None,
    now: datetime | None = None,
) -> Comment:
    """Post a comment or a reply: rate limits, the spam checker, the moderation chain, depth cap, save, count, notify.

    Raises DuplicateSubmission for a form sent twice, SpamDiscarded for blatant spam and CommentError
    for anything refused; in all three cases nothing new is stored. ``client`` (address, user agent,
    referrer) is what the external spam checker is told about the request.
    """
    now = now or timezone.now()
    user = user if user is not None and user.is_authenticated else None
    body = clean_body(body)
    author_name = display_name(user) if user else clean_line(author_name)[: settings.COMMENTS_NAME_MAX_LENGTH]
    if not author_name:
        raise CommentError(_("Please give a name."), code="name")
    email = (email or (user.email if user else "")).strip()
    hashed_email = make_email_hash(email)
    key = make_author_key(user_id=user.pk if user else None, email_hash=hashed_email, ip_hash=ip_hash)
    token = submission_token or uuid.uuid4()
    text_print = fingerprint(body)
    sent_before = Comment.objects.filter(submission_token=token, author_key=key, fingerprint=text_print)
    existing = sent_before.first()
    if existing is not None:
        raise DuplicateSubmission(existing)

    staff = can_post_as_staff(user)
    limiter_down = False
    if enforce_rate_limits and not staff:
        for scope, ident, rates in [
            ("post-ip", ip_hash, settings.COMMENTS_RATE_POST_IP),
            ("post-author", key, settings.COMMENTS_RATE_POST_AUTHOR),
        ]:
            limited = rate_limited(scope, ident, rates)
            if limited:
                raise CommentError(
                    _("You are commenting too fast. Please wait a minute and send again; your text is kept."),
                    code="rate_limited",
                    status=429,
                )
            limiter_down = limiter_down or limited is None

    # The external checker, before the transaction: no row lock is held while it waits on the network.
    verdict = None
    if not staff:
        verdict = spamcheck.spam_verdict(
            article=article, body=body, author_name=author_name, email=email, client=client
        )

    parent_id = parent.pk if isinstance(parent, Comment) else parent
    try:
        with transaction.atomic():
            target = None
            if parent_id is not None:
                # Locked: a moderator removing the parent waits for this reply, or this reply sees the removal.
                target = _lock([parent_id]).get(parent_id)
                if target is None or target.article_id != article.pk or not target.is_visible:
                    raise CommentError(_("The comment you are replying to is no longer available."), code="parent")
            submission = Submission(
                article=article,
                body=body,
                author_key=key,
                fingerprint=text_print,
                user_id=user.pk if user else None,
                email_hash=hashed_email,
                ip_hash=ip_hash,
                parent=target,
                confirmed_latin=confirmed_latin,
                now=now,
                spam_verdict=verdict,
                history_keys=history_keys(user),
            )
            decision = moderate(submission)
            if staff and decision.reason not in (Reason.LENGTH, Reason.CLOSED, Reason.REPEAT):
                decision = Decision("accept", Reason.STAFF)
            elif limiter_down and decision.action == "accept":
                decision = Decision("hold", Reason.RATE_UNAVAILABLE)
            if decision.action == REJECT and not decision.store:
                if decision.reason == Reason.REPEAT and (twin := sent_before.first()) is not None:
                    raise DuplicateSubmission(twin)  # the same form, committed by a concurrent request
                if decision.discard:
                    raise SpamDiscarded(article)
                raise CommentError(decision.message, code=decision.reason, decision=decision)

            structural = target
            if target is not None and target.depth >= settings.COMMENTS_MAX_DEPTH:
                structural = Comment.objects.get(pk=target.parent_id)  # attach beside it, at the deepest level
            comment = Comment.objects.create(
                article=article,
                parent=structural,
                reply_to=target,
                reply_to_name=target.author_name if target else "",
                depth=structural.depth + 1 if structural else 0,
                user=user,
                author_name=author_name,
                email=email,
                email_hash=hashed_email,
                ip_hash=ip_hash,
                author_key=key,
                body=body,
                fingerprint=text_print,
                status=decision.status,
                reason=decision.reason,
                reason_text=str(decision.text)[:300],
                is_staff_reply=staff,
                notify_on_reply=notify_on_reply and bool(email),
                submission_token=token,
                created_at=now,
            )
            comment.thread_id = structural.thread_id if structural else comment.pk
            comment.path = (structural.path if structural else "") + path_segment(comment.pk)
            Comment.objects.filter(pk=comment.pk).update(thread_id=comment.thread_id, path=comment.path)
            if comment.is_visible:
                _visibility_change(comment, was_visible=False)
                notifications.notify_reply(comment.pk)  # queued with this transaction, sent by a task
            caching.article_changed(article.pk)
    except IntegrityError:
        existing = sent_before.first()
        if existing is not None:
            raise DuplicateSubmission(existing) from None
        raise
    comment.decision = decision
    return comment


def can_edit(comment: Comment, *, user=None, own_ids=(), now: datetime | None = None) -> bool:
    """The author may edit or delete a comment for COMMENTS_EDIT_MINUTES after posting it."""
    now = now or timezone.now()
    if comment.status not in (CommentStatus.APPROVED, CommentStatus.PENDING):
        return False
    if (now - comment.created_at).total_seconds() > settings.COMMENTS_EDIT_MINUTES * 60:
        return False
    if comment.user_id:
        return bool(user and user.is_authenticated and user.pk == comment.user_id)
    return comment.pk in own_ids


def comment_edit(
    *, comment: Comment, body: str, client: spamcheck.Client | None = None, now: datetime | None = None
) -> Comment:
    """Change a comment's text; the new text passes the spam checker and the moderation chain again."""
    now = now or timezone.now()
    body = clean_body(body)
    verdict = None
    if body != comment.body and not comment.is_staff_reply:  # asked before the row is locked
        verdict = spamcheck.spam_verdict(
            article=comment.article, body=body, author_name=comment.author_name, email=comment.email, client=client
        )
    with transaction.atomic():
        locked = _lock([comment.pk])[comment.pk]
        was_visible = locked.is_visible
        submission = Submission(
            article=locked.article,
            body=body,
            author_key=locked.author_key,
            fingerprint=fingerprint(body),
            user_id=locked.user_id,
            email_hash=locked.email_hash,
            ip_hash=locked.ip_hash,
            editing=locked,
            confirmed_latin=True,
            now=now,
            spam_verdict=verdict,
        )
        decision = moderate(submission)
        if decision.action == REJECT and not decision.store:
            raise CommentError(decision.message, code=decision.reason, decision=decision)
        if decision.action != "accept":  # held or rejected now; an accepted edit keeps the status it had
            locked.status, locked.reason, locked.reason_text = decision.status, decision.reason, str(decision.text)
        locked.body, locked.fingerprint, locked.edited_at = body, submission.fingerprint, now
        locked.save(update_fields=["body", "fingerprint", "edited_at", "status", "reason", "reason_text"])
        _visibility_change(locked, was_visible)
        caching.article_changed(locked.article_id)
    return locked


def comment_remove(*, comment: Comment) -> Comment:
    """The author deletes their comment; with replies it stays as “The comment was deleted.”."""
    with transaction.atomic():
        locked = _lock([comment.pk])[comment.pk]
        was_visible = locked.is_visible
        locked.status = CommentStatus.REMOVED
        locked.save(update_fields=["status"])
        _visibility_change(locked, was_visible)
        caching.article_changed(locked.article_id)
    return locked


def comment_moderate(
    *, comment_ids, status: str, actor=None, reason: str = Reason.MODERATOR, text: str = ""
) -> list[Comment]:
    """Set the status of several comments (a moderator's decision); returns the comments that changed."""
    changed = []
    with transaction.atomic():
        ids = set(comment_ids)
        locked = [c for pk, c in _lock(ids).items() if pk in ids]
        now = timezone.now()  # after the locks: later than every reply that saw these comments visible
        articles = set()
        for comment in locked:
            if comment.status == status:
                continue
            was_visible = comment.is_visible
            comment.status, comment.reason, comment.reason_text = status, reason, text[:300]
            comment.moderated_at, comment.moderated_by = now, actor
            comment.save(update_fields=["status", "reason", "reason_text", "moderated_at", "moderated_by"])
            _visibility_change(comment, was_visible)
            articles.add(comment.article_id)
            changed.append(comment)
            if comment.is_visible and not was_visible and comment.parent_id:
                notifications.notify_reply(comment.pk)
        if articles:
            caching.article_changed(*articles)
    return changed


def comment_pin(*, comment: Comment, pinned: bool) -> None:
    """Mark a comment as the editors' pick (pinned threads come first)."""
    Comment.objects.filter(pk=comment.pk).update(is_pinned=pinned)
    caching.article_changed(comment.article_id)


@dataclass
class VoteResult:
    likes: int
    dislikes: int
    score: int
    value: int  # the reader's vote now: 1, -1 or 0


def comment_vote(*, comment_id: int, voter_key: str, value: int) -> VoteResult:
    """Like (1) or dislike (-1); the same vote again takes it back. Counters move with F()."""
    if value not in (1, -1):
        raise CommentError(_("Unknown vote."), code="vote")
    with transaction.atomic():
        comment = _lock([comment_id]).get(comment_id)
        if comment is None or not comment.is_visible:
            raise CommentError(_("This comment can no longer be rated."), code="gone", status=404)
        if comment.author_key == voter_key:
            raise CommentError(_("You cannot rate your own comment."), code="own", status=403)
        was_visible = comment.is_visible
        previous = Vote.objects.filter(comment=comment, voter_key=voter_key).first()
        old = previous.value if previous else 0
        new = 0 if old == value else value  # the same vote again takes it back
        if previous is None:
            Vote.objects.create(comment=comment, voter_key=voter_key, value=new)
        elif new == 0:
            previous.delete()
        else:
            previous.value = new
            previous.save(update_fields=["value"])
        likes = int(new == 1) - int(old == 1)
        dislikes = int(new == -1) - int(old == -1)
        Comment.objects.filter(pk=comment.pk).update(
            likes=F("likes") + likes, dislikes=F("dislikes") + dislikes, score=F("score") + likes - dislikes
        )
        comment.refresh_from_db(fields=["likes", "dislikes", "score"])
        _visibility_change(comment, was_visible)
        caching.article_changed(comment.article_id)  # the thread shows the counts
    return VoteResult(comment.likes, comment.dislikes, comment.score, new)


def comment_report(*, comment_id: int, reporter_key: str, reason: str, explanation: str = "", user=None) -> bool:
    """Record a reader's report; at COMMENTS_REPORT_THRESHOLD reports the comment is hidden for review, once.

    Returns True when this report hid the comment. Raises CommentError for a second report by the
    same reader or a report of one's own comment.
    """
    with transaction.atomic():
        comment = _lock([comment_id]).get(comment_id)
        if comment is None or comment.status not in (CommentStatus.APPROVED, CommentStatus.PENDING):
            raise CommentError(_("This comment can no longer be reported."), code="gone", status=404)
        if comment.author_key == reporter_key:
            raise CommentError(_("You cannot report your own comment."), code="own", status=403)
        try:
            with transaction.atomic():
                Report.objects.create(
                    comment=comment,
                    reporter_key=reporter_key,
                    reason=reason,
                    explanation=clean_body(explanation)[:1000],
                    user=user if user is not None and user.is_authenticated else None,
                )
        except IntegrityError:
            raise CommentError(_("You have already reported this comment."), code="again", status=409) from None
        Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
        reports = Report.objects.filter(comment=comment).count()
        hide = (
            reports >= settings.COMMENTS_REPORT_THRESHOLD
            and comment.hidden_by_reports_at is None
            and comment.status == CommentStatus.APPROVED
        )
        if hide:
            was_visible = comment.is_visible
            comment.status, comment.reason = CommentStatus.PENDING, Reason.REPORTED
            comment.reason_text, comment.hidden_by_reports_at = f"{reports} reports", timezone.now()
            comment.save(update_fields=["status", "reason", "reason_text", "hidden_by_reports_at"])
            _visibility_change(comment, was_visible)
            caching.article_changed(comment.article_id)
            notifications.notify_moderators(comment.pk, reports)
    return hide


def comment_unreport(*, comment_id: int, reporter_key: str) -> bool:
    """Take one's own report back (another reader's report cannot be touched). True if there was one."""
    with transaction.atomic():
        deleted, _rows = Report.objects.filter(comment_id=comment_id, reporter_key=reporter_key).delete()
        if deleted:
            Comment.objects.filter(pk=comment_id, report_count__gt=0).update(report_count=F("report_count") - 1)
    return bool(deleted)


def author_block(*, comment: Comment, actor=None, reason: str = "") -> Block:
    """Block a comment's author by account, e-mail hash and address hash; their pending comments become spam.

    A guest comment whose e-mail address a reader's account has verified blocks that account too: it could
    not comment under the account after changing its address, nor sign in to get round the block.
    """
    user_id = comment.user_id or account_of(comment.email)
    with transaction.atomic():
        block = Block.objects.create(
            user_id=user_id,
            email_hash=comment.email_hash,
            ip_hash=comment.ip_hash,
            reason=reason[:300],
            created_by=actor,
        )
        keys = {comment.author_key}
        if user_id:
            keys.add(make_author_key(user_id=user_id, email_hash="", ip_hash=""))
        pending = Comment.objects.filter(author_key__in=keys, status=CommentStatus.PENDING)
        comment_moderate(
            comment_ids=list(pending.values_list("pk", flat=True)),
            status=CommentStatus.SPAM,
            actor=actor,
            reason=Reason.BLOCKED,
        )
    return block


# The name left under the comments of a deleted account (content, in the content's language, as the names are).
DELETED_AUTHOR_NAME = "Изтрит потребител"


def author_forget(*, user, remove_comments: bool) -> int:
    """Cut a reader's comments loose from their account before it is deleted; returns how many there were.

    Each comment loses the account, the name (DELETED_AUTHOR_NAME), the e-mail address, its hash and reply
    notifications, and the replies that named the reader name DELETED_AUTHOR_NAME. ``remove_comments``: the
    texts go too; a comment with replies by others stays as “The comment was deleted.” (removed, with no text
    and no address hash), the others are deleted. Blocks of the account outlive it under its address's hash.
    """
    address_hash = make_email_hash(user.email)
    with transaction.atomic():
        ids = sorted(Comment.objects.filter(user=user).values_list("pk", flat=True))
        locked = _lock(ids)
        articles = set()
        for pk in ids:
            comment = locked[pk]
            was_visible = comment.is_visible
            comment.user, comment.author_name = None, DELETED_AUTHOR_NAME
            comment.email, comment.email_hash, comment.notify_on_reply = "", "", False
            fields = ["user", "author_name", "email", "email_hash", "notify_on_reply"]
            if remove_comments:
                comment.status, comment.body, comment.fingerprint, comment.ip_hash = CommentStatus.REMOVED, "", "", ""
                fields += ["status", "body", "fingerprint", "ip_hash"]
            comment.save(update_fields=fields)
            _visibility_change(comment, was_visible)
            articles.add(comment.article_id)
        answers = Comment.objects.filter(reply_to_id__in=ids).exclude(reply_to_name=DELETED_AUTHOR_NAME)
        articles.update(answers.values_list("article_id", flat=True))
        answers.update(reply_to_name=DELETED_AUTHOR_NAME)
        if remove_comments:
            # Leaves first, so that a comment whose every reply was the reader's goes as well.
            remaining = set(ids)
            has_replies = Exists(Comment.objects.filter(parent_id=OuterRef("pk")))
            while leaves := set(
                Comment.objects.filter(pk__in=remaining).exclude(has_replies).values_list("pk", flat=True)
            ):
                Comment.objects.filter(pk__in=leaves).delete()
                remaining -= leaves
        for block in Block.objects.filter(user=user):
            if block.email_hash or block.ip_hash or address_hash:
                Block.objects.filter(pk=block.pk).update(user=None, email_hash=block.email_hash or address_hash)
        if articles:
            caching.article_changed(*articles)
    return len(ids)


def comment_count_refresh(article_ids=None) -> int:
    """Recount the public count of articles and the visible count of their threads from the comments.

    Returns how many counters were wrong (0 when the services kept them right).
    """
    articles = Article.objects.all() if article_ids is None else Article.objects.filter(pk__in=list(article_ids))
    per_article = Comment.objects.visible().filter(article_id=OuterRef("pk")).order_by().values("article_id")
    article_fresh = Coalesce(Subquery(per_article.annotate(n=Count("pk")).values("n")[:1]), Value(0))
    per_thread = Comment.objects.visible().filter(thread_id=OuterRef("pk")).order_by().values("thread_id")
    thread_fresh = Coalesce(Subquery(per_thread.annotate(n=Count("pk")).values("n")[:1]), Value(0))
    with transaction.atomic():
        wrong = list(
            articles.annotate(fresh=article_fresh).exclude(comment_count=F("fresh")).values_list("pk", flat=True)
        )
        Article.objects.filter(pk__in=wrong).update(comment_count=article_fresh)
        roots = Comment.objects.roots().filter(article__in=articles)
        stale = list(
            roots.annotate(fresh=thread_fresh).exclude(thread_visible_count=F("fresh")).values_list("pk", "article_id")
        )
        Comment.objects.filter(pk__in=[pk for pk, _article in stale]).update(thread_visible_count=thread_fresh)
    touched = set(wrong) | {article_id for _pk, article_id in stale}
    if touched:
        caching.article_changed(*touched)
    return len(wrong) + len(stale)
