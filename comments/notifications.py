"""E-mail about comments: replies to readers who asked for it, reports to moderators; sent by a task, once.

A reader's address is used only to send to that reader; it is never shown, put in a link or
copied into another message (nor into the outbox or the task queue: it is read when the message is
sent). The unsubscribe link carries a signed hash of the address.

The request never waits for the mail server. ``notify_reply`` and ``notify_moderators`` are called
inside the transaction that made the reply visible or hid the comment: they write a ``Notification``
row (pending) and enqueue ``deliver_notification`` with it (portal.mail.task_enqueue: on the database
backend inside the same transaction, otherwise after commit). One row per comment and kind (a unique
constraint): an approval racing a re-approval, or a second hide, queues nothing more.

``deliver_notification`` moves its row with conditional updates, each a single statement the database
applies to the current row (so two workers, or a duplicate task, cannot both pass):

    pending --claim--> sending --mark--> sent
                        │  └───────────> cancelled   (no longer needed: the reply was removed, the
                        │                             reader unsubscribed; a re-approval revives it)
                        └─ failure ───> pending + the next attempt enqueued with run_after (one
                                        transaction), or failed after the last (logged once)

Only a claim (pending → sending) sends, and only the claimer marks the row, after the server took
the message: nothing is marked sent before it was, and nothing sent is sent again. The one window left
is between the server's "250 OK" and the mark: a worker killed in it (power loss, OOM; systemd's
SIGTERM lets a worker finish its task) leaves the row "sending", and the message is not sent again
(admin: "Send again" once the mail log shows it never left). The window is one UPDATE long.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks import task

from portal.mail import FAILED, RETRY, SENT, describe, mail_send, next_attempt_at, task_enqueue, traceback_of

from .models import Comment, Notification, NotificationKind, NotificationState
from .security import unsubscribe_token

logger = logging.getLogger(__name__)

SKIPPED, CANCELLED = "skipped", "cancelled"
# A running attempt takes a few EMAIL_TIMEOUTs at most; "sending" for longer means its worker died.
STALE_SENDING = timedelta(hours=1)


def notify_reply(comment_pk: int) -> None:
    """Queue the e-mail to the author of the comment answered by ``comment_pk``, if they asked for one.

    Call it inside the transaction that made the reply visible. The answer is checked again when the
    message is sent.
    """
    reply = Comment.objects.select_related("reply_to", "reply_to__user").filter(pk=comment_pk).first()
    if reply is not None and reply_address(reply):
        _queue(reply, NotificationKind.REPLY)


def notify_moderators(comment_pk: int, reports: int) -> None:
    """Queue one message to the moderators: reports hid the comment. Call it inside that transaction."""
    comment = Comment.objects.filter(pk=comment_pk).first()
    if comment is not None:
        _queue(comment, NotificationKind.REPORTED, reports=reports)


def _queue(comment: Comment, kind: str, *, reports: int = 0) -> None:
    try:
        with transaction.atomic():
            notification = Notification.objects.create(comment=comment, kind=kind, reports=reports)
    except IntegrityError:
        # Queued before: sent, on its way or given up stay as they are; one cancelled (the reply was
        # removed before it went) is wanted again now that the reply is back.
        revived = Notification.objects.filter(comment=comment, kind=kind, state=NotificationState.CANCELLED)
        if not revived.update(state=NotificationState.PENDING, attempts=0, next_attempt_at=None, last_error=""):
            return
        notification = Notification.objects.get(comment=comment, kind=kind)
    task_enqueue(deliver_notification, notification.pk)


def notification_resend(notification_ids) -> list[int]:
    """Queue failed notifications again, and those left "sending" by a worker that died (claimed over an hour
    ago), with a fresh round of attempts; returns their ids. Only for what the mail server never took."""
    stale = timezone.now() - STALE_SENDING
    again = Q(state=NotificationState.FAILED) | Q(state=NotificationState.SENDING, claimed_at__lt=stale)
    resent = []
    for pk in Notification.objects.filter(again, pk__in=list(notification_ids)).values_list("pk", flat=True):
        with transaction.atomic():
            # The same condition again, in the update: a row another moderator resent meanwhile is skipped.
            if Notification.objects.filter(again, pk=pk).update(
                state=NotificationState.PENDING, attempts=0, next_attempt_at=None
            ):
                task_enqueue(deliver_notification, pk)
                resent.append(pk)
    return resent


def reply_address(reply: Comment) -> str:
    """Where to tell the author of the comment ``reply`` answers about it; "" when nobody is to be told."""
    parent = reply.reply_to
    if not reply.is_visible or parent is None or not parent.notify_on_reply or not parent.email_hash:
        return ""
    if parent.author_key == reply.author_key:
        return ""  # one's own reply
    return parent.email or (parent.user.email if parent.user_id else "")


def moderator_addresses() -> list[str]:
    """E-mail addresses of active users who may moderate comments."""
    perm = Permission.objects.filter(content_type__app_label="comments", codename="moderate_comment")
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    users = users.filter(Q(is_superuser=True) | Q(user_permissions__in=perm) | Q(groups__permissions__in=perm))
    return sorted(set(users.values_list("email", flat=True)))


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def reply_message(reply: Comment) -> EmailMultiAlternatives | None:
    """The e-mail about ``reply`` to the author of the comment it answers; None when it is not wanted (now)."""
    address = reply_address(reply)
    if not address:
        return None
    parent = reply.reply_to
    unsubscribe = _absolute(reverse("comments:unsubscribe", kwargs={"token": unsubscribe_token(parent.email_hash)}))
    with translation.override(settings.LANGUAGE_CODE):
        context = {"reply": reply, "parent": parent, "link": _absolute(reply.get_absolute_url())}
        context["unsubscribe"] = unsubscribe
        subject = gettext("%(name)s replied to your comment") % {"name": reply.author_name}
        text = render_to_string("comments/email/reply.txt", context)
    return EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[address],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def reported_message(comment: Comment, reports: int) -> EmailMultiAlternatives | None:
    """The message to moderators (else to MANAGERS) about a comment hidden by reports; None: nobody to tell."""
    admin_url = _absolute(reverse("admin:comments_comment_change", args=[comment.pk]))
    with translation.override(settings.LANGUAGE_CODE):
        context = {"comment": comment, "reports": reports, "admin_url": admin_url}
        subject = gettext("Comment hidden after %(reports)s reports") % {"reports": reports}
        text = render_to_string("comments/email/reported.txt", context)
    addresses = moderator_addresses()
    if addresses:
        return EmailMultiAlternatives(subject=subject, body=text, to=addresses)
    managers = [address for _name, address in settings.MANAGERS]
    if not managers:
        return None
    # As mail_managers() builds it, sent the same way as every other message.
    return EmailMultiAlternatives(
        subject=f"{settings.EMAIL_SUBJECT_PREFIX}{subject}", body=text, from_email=settings.SERVER_EMAIL, to=managers
    )


def _message(notification: Notification) -> EmailMultiAlternatives | None:
    if notification.kind == NotificationKind.REPLY:
        return reply_message(notification.comment)
    return reported_message(notification.comment, notification.reports)


@task()
def deliver_notification(notification_id: int) -> str:
    """Send one outbox row's e-mail if this task claims it; SENT, RETRY, FAILED, CANCELLED or SKIPPED."""
    claimed = Notification.objects.filter(pk=notification_id, state=NotificationState.PENDING).update(
        state=NotificationState.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        return SKIPPED  # sent, being sent by another worker, given up or no longer needed
    mine = Notification.objects.filter(pk=notification_id, state=NotificationState.SENDING)
    notification = Notification.objects.select_related(
        "comment", "comment__article", "comment__reply_to", "comment__reply_to__user"
    ).get(pk=notification_id)
    try:
        message = _message(notification)
        if message is None:
            mine.update(state=NotificationState.CANCELLED, next_attempt_at=None)
            return CANCELLED
        mail_send(message)
    except Exception as exc:
        return _failed(notification, mine, exc)
    mine.update(state=NotificationState.SENT, sent_at=timezone.now(), next_attempt_at=None)
    return SENT


def _failed(notification: Notification, mine, exc: Exception) -> str:
    """Release the claim with the next attempt enqueued, in one transaction; or give up, logged once."""
    attempt = notification.attempts
    what = f"{notification.kind} notification for comment {notification.comment_id} (attempt {attempt})"
    when = next_attempt_at(attempt, deliver_notification, exc)
    if when is not None:
        try:
            with transaction.atomic():
                mine.update(state=NotificationState.PENDING, next_attempt_at=when, last_error=describe(exc))
                deliver_notification.using(run_after=when).enqueue(notification.pk)
        except Exception as enqueue_exc:  # the database is failing too: give up now rather than leave it claimed
            exc = enqueue_exc
        else:
            logger.warning("%s not sent (%s); next attempt at %s", what, describe(exc), when.isoformat())
            return RETRY
    mine.update(state=NotificationState.FAILED, next_attempt_at=None, last_error=describe(exc))
    logger.error("%s not sent, given up: %s", what, describe(exc), exc_info=traceback_of(exc))
    return FAILED
