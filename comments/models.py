"""Reader comments: the comment tree, votes, reports, blocks, moderation word lists and the e-mail outbox.

Display order is one ORDER BY: every comment carries ``thread`` (its top-level comment) and a
materialised ``path`` made of fixed-width base-36 primary keys from the root down, so a
thread sorted by ``path`` lists every comment right after its parent, replies oldest first.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PATH_DIGITS = 8  # base-36, 2.8 * 10^12 ids per segment
PATH_MAX_LENGTH = 255  # 31 levels; the service caps depth far below that


def path_segment(pk: int) -> str:
    """The fixed-width base-36 form of ``pk`` that sorts like the number."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while pk:
        pk, rest = divmod(pk, 36)
        out = digits[rest] + out
    return out.rjust(PATH_DIGITS, "0")


class CommentStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SPAM = "spam", _("Spam")
    REMOVED = "removed", _("Removed by author")


class Reason(models.TextChoices):
    """Why a comment has its status: the decision of the moderation chain or of a person."""

    NONE = "", _("—")
    ACCEPTED = "accepted", _("Passed all checks")
    LENGTH = "length", _("Empty or too long")
    CLOSED = "closed", _("Discussion closed")
    REPEAT = "repeat", _("Repeated text")
    LINKS = "links", _("Too many links")
    BANNED_WORD = "banned_word", _("Banned word")
    SUSPECT_WORD = "suspect_word", _("Suspect word")
    NEW_AUTHOR = "new_author", _("New commenter")
    REJECTION_RATE = "rejection_rate", _("Author's comments often rejected")
    BLOCKED = "blocked", _("Blocked author")
    LATIN_BULGARIAN = "latin", _("Bulgarian in Latin letters")
    PREMODERATION = "premoderation", _("Pre-moderation")
    UNSTAFFED = "unstaffed", _("Outside staffed hours")
    RATE_UNAVAILABLE = "rate_unavailable", _("Rate limiter unavailable")
    SPAM_CHECK = "spam_check", _("Spam checker: spam")
    SPAM_CHECK_UNAVAILABLE = "spam_unavailable", _("Spam check unavailable")
    REPORTED = "reported", _("Hidden after reports")
    MODERATOR = "moderator", _("Moderator's decision")
    STAFF = "staff", _("Editorial reply")
    EDITED = "edited", _("Edited")


def held_condition() -> Q:
    """CommentQuerySet.held() as a condition, for a query that selects held comments among others."""
    return Q(status=CommentStatus.PENDING) | Q(status=CommentStatus.SPAM, reason=Reason.SPAM_CHECK)


class CommentQuerySet(models.QuerySet):
    def visible(self):
        """Comments readers see in full: approved and not voted below the hiding score."""
        return self.filter(status=CommentStatus.APPROVED, score__gt=settings.COMMENTS_HIDE_SCORE)

    def for_article(self, article):
        """Comments of one article."""
        return self.filter(article=article)

    def held(self):
        """Comments waiting for a moderator as their authors are told: pending, and spam the checker caught
        (its verdict is never revealed: views.looks_held states the same rule for one comment)."""
        return self.filter(held_condition())

    def displayable(self):
        """Visible comments, and hidden ones kept as a placeholder because a visible reply hangs below them."""
        below = Comment.objects.visible().filter(
            thread_id=OuterRef("thread_id"), path__startswith=OuterRef("path"), depth__gt=OuterRef("depth")
        )
        return self.filter(Q(status=CommentStatus.APPROVED, score__gt=settings.COMMENTS_HIDE_SCORE) | Q(Exists(below)))

    def roots(self):
        """Top-level comments (each opens a thread)."""
        return self.filter(parent__isnull=True)

    def threads(self):
        """Top-level comments of threads with something readers can see (the root or a reply below it)."""
        return self.filter(parent__isnull=True, thread_visible_count__gt=0)

    def by_author(self, author_key: str):
        """Every comment written under one author key (user, e-mail hash or IP hash)."""
        return self.filter(author_key=author_key)

    def moderation_queue(self):
        """Reported and pending comments first, then the rest, newest first."""
        return self.annotate(
            queue_rank=models.Case(
                models.When(Q(report_count__gt=0) & ~Q(status__in=[CommentStatus.REMOVED]), then=0),
                models.When(status=CommentStatus.PENDING, then=1),
                default=2,
                output_field=models.IntegerField(),
            )
        ).order_by("queue_rank", "-created_at", "-pk")

    def thread_page(self, article, *, root_order, offset: int, limit: int, replies_shown: int):
        """One page of threads for ``article``: one query, rows in display order.

        Each row carries ``row_number`` (its place in its thread) and ``thread_size`` (rows in
        its thread), so long threads are cut after ``replies_shown`` replies, and
        ``root_total`` (threads of the article) for the paginator. ``root_order`` is one of the
        orders of ``threads.SORTS``.

        Written in SQL (PostgreSQL and SQLite alike) rather than built with the ORM: building and
        compiling the same statement through the ORM took 4 ms on every render of an article page,
        more than the database takes to run it (bench/). ``displayable``, ``threads`` and
        ``visible`` state the same rules for the ORM; tests/comments/test_threads.py holds the two
        to the same answers.
        """
        hide = settings.COMMENTS_HIDE_SCORE
        sql = _THREAD_PAGE_SQL.format(
            table=self.model._meta.db_table,
            root_order=", ".join(_ROOT_ORDER[term] for term in root_order),
            thread_order=", ".join(_THREAD_ORDER[term] for term in root_order),
        )
        params = [article.pk, limit, offset, CommentStatus.APPROVED, hide, CommentStatus.APPROVED, hide]
        # Only values go as parameters; the text is the table name and orders from the two allow-lists below.
        # covered by tests/comments/test_threads.py::test_thread_page_sql_answers_as_the_orm_rules_do
        return self.model.objects.raw(sql, [*params, article.pk, replies_shown + 1], using=self.db)


# thread_page's statement; the orders of threads.SORTS as SQL, for the page's roots and for its rows.
_ROOT_ORDER = {"-is_pinned": "is_pinned DESC", "-score": "score DESC", "-pk": "id DESC", "pk": "id ASC"}
_THREAD_ORDER = {
    "-is_pinned": "root_is_pinned DESC",
    "-score": "root_score DESC",
    "-pk": "thread_id DESC",
    "pk": "thread_id ASC",
}
_THREAD_PAGE_SQL = """
WITH page_roots AS (
    SELECT id, is_pinned, score FROM {table}
    WHERE article_id = %s AND parent_id IS NULL AND thread_visible_count > 0
    ORDER BY {root_order}, id DESC LIMIT %s OFFSET %s
), shown AS (
    SELECT c.*, r.is_pinned AS root_is_pinned, r.score AS root_score,
        ROW_NUMBER() OVER (PARTITION BY c.thread_id ORDER BY c.path) AS row_number,
        COUNT(*) OVER (PARTITION BY c.thread_id) AS thread_size
    FROM {table} c JOIN page_roots r ON r.id = c.thread_id
    WHERE (c.status = %s AND c.score > %s) OR EXISTS (
        SELECT 1 FROM {table} u
        WHERE u.thread_id = c.thread_id AND u.depth > c.depth AND u.path LIKE c.path || '%%'
            AND u.status = %s AND u.score > %s
    )
)
SELECT shown.*, (
    SELECT COUNT(*) FROM {table} t WHERE t.article_id = %s AND t.parent_id IS NULL AND t.thread_visible_count > 0
) AS root_total
FROM shown WHERE row_number <= %s
ORDER BY {thread_order}, thread_id DESC, path
"""


class Comment(models.Model):
    article = models.ForeignKey(
        "articles.Article", verbose_name=_("article"), on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    thread = models.ForeignKey(
        "self", verbose_name=_("thread"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reply_to = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The comment answered; differs from the parent when the reply was attached at the depth limit."),
    )
    reply_to_name = models.CharField(_("in reply to (name)"), max_length=60, blank=True)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0)
    path = models.CharField(_("tree path"), max_length=PATH_MAX_LENGTH, blank=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    author_name = models.CharField(_("name"), max_length=60)
    email = models.EmailField(_("e-mail"), blank=True, help_text=_("Never shown; used for reply notifications."))
    email_hash = models.CharField(_("e-mail hash"), max_length=64, blank=True, db_index=True, editable=False)
    ip_hash = models.CharField(_("IP hash"), max_length=64, blank=True, db_index=True, editable=False)
    author_key = models.CharField(
        _("author key"),
        max_length=70,
        db_index=True,
        editable=False,
        help_text=_("The user, else the e-mail hash, else the IP hash: whose history this comment counts in."),
    )
    body = models.TextField(_("text"))
    fingerprint = models.CharField(_("text fingerprint"), max_length=64, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=CommentStatus.choices, default=CommentStatus.PENDING)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, blank=True, default="")
    reason_text = models.CharField(_("reason details"), max_length=300, blank=True)
    likes = models.PositiveIntegerField(_("likes"), default=0)
    dislikes = models.PositiveIntegerField(_("dislikes"), default=0)
    score = models.IntegerField(_("score"), default=0)
    thread_visible_count = models.PositiveIntegerField(
        _("visible comments in the thread"),
        default=0,
        editable=False,
        help_text=_("Kept on top-level comments: how many comments of the thread readers see."),
    )
    report_count = models.PositiveIntegerField(_("reports"), default=0)
    hidden_by_reports_at = models.DateTimeField(_("hidden after reports at"), null=True, blank=True)
    is_pinned = models.BooleanField(_("editors' pick"), default=False)
    is_staff_reply = models.BooleanField(_("editorial reply"), default=False)
    notify_on_reply = models.BooleanField(_("notify on reply"), default=False)
    submission_token = models.UUIDField(_("submission token"), default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("posted at"), default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["thread_id", "path"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(fields=["article", "parent", "status"], name="comment_article_roots"),
            models.Index(fields=["article", "parent", "thread_visible_count"], name="comment_article_threads"),
            models.Index(fields=["thread", "path"], name="comment_thread_path"),
            models.Index(fields=["author_key", "created_at"], name="comment_author_recent"),
            models.Index(fields=["status", "-created_at"], name="comment_queue"),
        ]
        constraints = [
            # One form sent twice stores one comment. The author and text are part of the key because a
            # page served from a shared cache gives several readers the same form (and token).
            models.UniqueConstraint(
                fields=["submission_token", "author_key", "fingerprint"], name="comment_submitted_once"
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="comment_not_own_parent"),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, depth=0) | Q(parent__isnull=False, depth__gt=0),
                name="comment_depth_matches_parent",
            ),
            models.CheckConstraint(condition=Q(score=F("likes") - F("dislikes")), name="comment_score_is_votes"),
        ]
        permissions = [
            ("moderate_comment", _("Can approve, reject and mark comments as spam")),
            ("block_author", _("Can block comment authors")),
            ("pin_comment", _("Can pin comments and reply with the editorial badge")),
        ]

    def __str__(self):
        return f"{self.author_name}: {self.body[:60]}"

    def get_absolute_url(self):
        return reverse("comments:permalink", kwargs={"pk": self.pk})

    @property
    def is_visible(self) -> bool:
        """The same rule as ``CommentQuerySet.visible``, for one instance."""
        return self.status == CommentStatus.APPROVED and self.score > settings.COMMENTS_HIDE_SCORE

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"


class Vote(models.Model):
    comment = models.ForeignKey(Comment, verbose_name=_("comment"), on_delete=models.CASCADE, related_name="votes")
    voter_key = models.CharField(_("voter"), max_length=70)
    value = models.SmallIntegerField(_("value"), choices=[(1, _("Like")), (-1, _("Dislike"))])
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["comment", "voter_key"], name="vote_once_per_comment"),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="vote_value_plus_minus_one"),
        ]

    def __str__(self):
        return f"{self.voter_key} {self.value:+d} #{self.comment_id}"


class NotificationKind(models.TextChoices):
    REPLY = "reply", _("Reply, to the reader answered")
    REPORTED = "reported", _("Hidden after reports, to moderators")


class NotificationState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, given up")
    CANCELLED = "cancelled", _("No longer needed")


class Notification(models.Model):
    """One e-mail about a comment, sent at most once: the outbox row its task claims (comments/notifications.py).

    The address is not stored: it is read from the comments when the message is sent.
    """

    comment = models.ForeignKey(
        Comment, verbose_name=_("comment"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=NotificationKind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=NotificationState.choices, default=NotificationState.PENDING
    )
    reports = models.PositiveIntegerField(_("reports"), default=0, help_text=_("Reports that hid the comment."))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("e-mail notification")
        verbose_name_plural = _("e-mail notifications")
        indexes = [models.Index(fields=["state", "-created_at"], name="notification_state")]
        constraints = [
            # An approval racing a re-approval, or two reports racing, queue one message.
            models.UniqueConstraint(fields=["comment", "kind"], name="notification_once_per_comment"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.comment_id}"


class ReportReason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    INSULT = "insult", _("Insult or harassment")
    HATE = "hate", _("Hate speech")
    ILLEGAL = "illegal", _("Illegal content")


class Report(models.Model):
    comment = models.ForeignKey(Comment, verbose_name=_("comment"), on_delete=models.CASCADE, related_name="reports")
    reporter_key = models.CharField(_("reporter"), max_length=70)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.SET_NULL, null=True, blank=True
    )
    reason = models.CharField(_("reason"), max_length=10, choices=ReportReason.choices)
    explanation = models.TextField(_("explanation"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter_key"], name="report_once_per_reader"),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} #{self.comment_id}"


class BlockQuerySet(models.QuerySet):
    def active(self):
        """Blocks that have not expired."""
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))

    def matching(self, *, user_id=None, email_hash: str = "", ip_hash: str = ""):
        """Blocks that cover an author known by any of these identities."""
        match = Q(pk__in=[])
        if user_id:
            match |= Q(user_id=user_id)
        if email_hash:
            match |= Q(email_hash=email_hash)
        if ip_hash:
            match |= Q(ip_hash=ip_hash)
        return self.filter(match)


class Block(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comment_blocks",
    )
    email_hash = models.CharField(_("e-mail hash"), max_length=64, blank=True, db_index=True)
    ip_hash = models.CharField(_("IP hash"), max_length=64, blank=True, db_index=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True, help_text=_("Empty: never."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = BlockQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("blocked author")
        verbose_name_plural = _("blocked authors")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(email_hash="") | ~Q(ip_hash=""),
                name="block_names_someone",
            ),
        ]

    def __str__(self):
        if self.user_id:
            return str(self.user)
        return self.email_hash[:12] or self.ip_hash[:12]


class WordAction(models.TextChoices):
    REJECT = "reject", _("Reject (banned word)")
    HOLD = "hold", _("Hold for review (suspect word)")


class ModerationWord(models.Model):
    """A banned or suspect word added by moderators, on top of the lists in settings."""

    word = models.CharField(
        _("word"),
        max_length=60,
        unique=True,
        help_text=_(
            "Matched with its Bulgarian endings (идиот: идиоти, идиотът). End with * to match any word it starts."
        ),
    )
    action = models.CharField(_("action"), max_length=6, choices=WordAction.choices, default=WordAction.HOLD)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["word"]
        verbose_name = _("moderation word")
        verbose_name_plural = _("moderation words")

    def __str__(self):
        return self.word


class DiscussionMode(models.TextChoices):
    DEFAULT = "", _("Site default")
    POST = "post", _("Post-moderation (visible at once)")
    PRE = "pre", _("Pre-moderation (held until approved)")


class DiscussionSettings(models.Model):
    """Per-article discussion settings that override the site's moderation mode."""

    article = models.OneToOneField(
        "articles.Article", verbose_name=_("article"), on_delete=models.CASCADE, related_name="discussion_settings"
    )
    moderation = models.CharField(_("moderation"), max_length=4, choices=DiscussionMode.choices, blank=True)

    class Meta:
        verbose_name = _("discussion setting")
        verbose_name_plural = _("discussion settings")

    def __str__(self):
        return str(self.article)
