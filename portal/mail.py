"""E-mail off the request path: Django's tasks API (the django-tasks backport), failed sends tried again later.

A request never talks to the mail server. It enqueues a task (``task_enqueue``), which the configured
backend runs: at once after the request's transaction commits ("immediate", development and the test
suite), or in a ``manage.py db_worker`` process ("database", production; docs/deploy.md).

``send_mail_task`` sends one message for any sender that needs no bookkeeping of its own (the accounts'
verification and password-reset mails): ``send_mail_task.enqueue(subject=..., body=..., to=[...])``, or
through ``task_enqueue`` inside a transaction. The comments keep an outbox of their own
(comments/notifications.py) and use the helpers below.

One attempt (``mail_send``) waits at most EMAIL_TIMEOUT seconds for each step of the conversation. An
attempt that fails is tried again after each of MAIL_RETRY_MINUTES in turn (``next_attempt_at``; the
backport has no retries of its own: the next attempt is a new task with ``run_after``), then given up
and logged once, as an error. A refusal that cannot change (a 5xx answer to the recipients or the
message, ``is_permanent``) is given up at once. Each attempt is one task row, and the next one is
enqueued only after a failure, so two workers never run one attempt and a success is never followed by
another attempt. What no code can close: a server that took the message but whose "250 OK" never reached
us (the connection broke, or EMAIL_TIMEOUT ran out, in the instant between the two) is counted as a
failure and sent again.
"""

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskContext, task
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend

logger = logging.getLogger(__name__)

SENT, RETRY, FAILED = "sent", "retry", "failed"


def task_enqueue(task_: Task, *args, **kwargs) -> None:
    """Enqueue ``task_`` as part of the current transaction: both happen, or neither.

    On the database backend the task row is written inside the transaction, so a commit cannot lose
    it and a rollback takes it back. Any other backend is called once the transaction has committed:
    the immediate backend runs the task on the spot, and must neither see uncommitted rows nor act
    for a change that is then rolled back.
    """
    if isinstance(task_.get_backend(), DatabaseBackend):
        task_.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: task_.enqueue(*args, **kwargs))


def mail_send(message: EmailMessage) -> int:
    """Send ``message`` now over a connection bounded by EMAIL_TIMEOUT; raises if it was not handed over.

    Returns how many messages the server took (0 without recipients). The connection is closed apart:
    once the server has answered "250 OK" to the message, a QUIT that fails or times out cannot turn
    the delivery into a failure (Django's own send() would raise then, and the message be sent again).
    """
    connection = get_connection(fail_silently=False)
    connection.open()
    try:
        return connection.send_messages([message])
    finally:
        try:
            connection.close()
        except Exception as exc:  # the message is already handed over, or already failed
            logger.info("mail connection not closed cleanly: %r", exc)


def is_permanent(exc: BaseException) -> bool:
    """The server refused the recipients or the message for good (5xx): trying again cannot help.

    A refused sign-in or sender (5xx too) is not: it is the site's configuration, fixed by its operators,
    and the messages should go once it is.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return bool(exc.recipients) and all(500 <= code < 600 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPDataError):
        return 500 <= exc.smtp_code < 600
    return False


def next_attempt_at(attempt: int, task_: Task, exc: BaseException | None = None) -> datetime | None:
    """When attempt ``attempt + 1`` is due after attempt ``attempt`` (from 1) failed; None: give up."""
    delays = settings.MAIL_RETRY_MINUTES
    if attempt > len(delays) or not task_.get_backend().supports_defer or (exc is not None and is_permanent(exc)):
        return None
    return timezone.now() + timedelta(minutes=delays[attempt - 1])


def traceback_of(exc: BaseException) -> BaseException | None:
    """``exc_info`` for logging a failed attempt: the traceback of a fault in our code, none for what the mail
    server or the network said (it would repeat describe(), and SMTP refusals carry the addresses)."""
    return None if isinstance(exc, smtplib.SMTPException | OSError) else exc


def describe(exc: BaseException) -> str:
    """One line about a failed attempt, for the log and the outbox (no addresses: SMTP refusals name them)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "SMTPRecipientsRefused: " + ", ".join(str(code) for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{type(exc).__name__}: {exc.smtp_code}"
    return f"{type(exc).__name__}: {exc}"[:200]


@task(takes_context=True)
def send_mail_task(
    context: TaskContext,
    *,
    subject: str,
    body: str,
    to: list[str],
    from_email: str | None = None,
    html: str = "",
    headers: dict[str, str] | None = None,
    reply_to: list[str] | None = None,
    attempt: int = 1,
) -> str:
    """Send one e-mail (plain text, an optional HTML part); a failure enqueues the next attempt, or gives up.

    Returns SENT, RETRY or FAILED. It never raises for a mail failure: a raising task is logged as an
    error by the backport on every attempt, and a failure is logged once, when it is given up.
    """
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=from_email, to=to, headers=headers, reply_to=reply_to
    )
    if html:
        message.attach_alternative(html, "text/html")
    what = f"mail task {context.task_result.id} (attempt {attempt})"
    try:
        mail_send(message)
    except Exception as exc:
        when = next_attempt_at(attempt, send_mail_task, exc)
        if when is None:
            logger.error("%s not sent, given up: %s", what, describe(exc), exc_info=traceback_of(exc))
            return FAILED
        logger.warning("%s not sent (%s); next attempt at %s", what, describe(exc), when.isoformat())
        send_mail_task.using(run_after=when).enqueue(
            subject=subject,
            body=body,
            to=to,
            from_email=from_email,
            html=html,
            headers=headers,
            reply_to=reply_to,
            attempt=attempt + 1,
        )
        return RETRY
    return SENT
