"""The comments' e-mail outbox (comments/notifications.py) with a mail server that is down, hangs, is slow and
comes back: the request that posts or approves never waits for it, nothing is lost, nothing is sent twice.

A real SMTP server on loopback and the database task backend run by ``manage.py db_worker --batch`` in this
process (tests/portal/test_mail.py has both, and what each mode of the server does), on SQLite and on
PostgreSQL. Time moves forward with time-machine, so the retries' run_after (1, 5, 15, 60 minutes) is
honoured without waiting. Tests commit (transaction=True), as requests and workers do.
"""

import logging
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from comments import services
from comments.models import Comment, CommentStatus, Notification, NotificationKind, NotificationState
from comments.notifications import SKIPPED, deliver_notification, notification_resend
from portal.mail import SENT
from tests.comments.conftest import comment_data, create_url
from tests.factories import CommentFactory, UserFactory
from tests.portal import test_mail
from tests.portal.test_mail import TIMEOUT, later, ready_tasks, run_worker

pytestmark = pytest.mark.django_db(transaction=True)
smtp, database_tasks = test_mail.smtp, test_mail.database_tasks  # the fixtures, shared

PENDING, SENDING, FAILED = NotificationState.PENDING, NotificationState.SENDING, NotificationState.FAILED


def parent_comment(article, address="avtor@example.org", **fields):
    """A comment whose author asked to be told about replies."""
    return CommentFactory(
        article=article, email=address, email_hash=f"h-{address}", notify_on_reply=True, author_key=f"e:{address}"
    )


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


@pytest.fixture
def moderator_client(db):
    client = Client()
    client.force_login(UserFactory(staff=True))
    return client


def approve_url(comment, action="approve"):
    return reverse("admin:comments_comment_moderate", args=[comment.pk, action])


def test_a_reply_posted_while_the_server_hangs_is_answered_at_once_and_mailed_once_it_is_back(
    smtp, database_tasks, article, post_comment
):
    smtp.mode = "hang"
    post_comment(article, email="avtor@example.org", notify_on_reply="on", body="Питам нещо.")
    parent = Comment.objects.get()
    replier = Client(REMOTE_ADDR="10.2.2.2")
    data = comment_data(article, parent=str(parent.pk), author_name="Отговарящ")
    response, seconds = timed(lambda: replier.post(create_url(article), data))
    assert response.status_code == 302 and seconds < TIMEOUT / 2, seconds  # sending would cost TIMEOUT at least
    notification = Notification.objects.get()
    assert notification.state == PENDING and ready_tasks().count() == 1 and smtp.connections == 0

    run_worker()  # the server hangs: the attempt gives up after EMAIL_TIMEOUT and the next waits a minute
    notification.refresh_from_db()
    assert (notification.state, notification.attempts, smtp.messages) == (PENDING, 1, [])
    assert notification.last_error and notification.next_attempt_at == ready_tasks().get().run_after

    smtp.mode, smtp.delay = "slow", TIMEOUT / 4  # back, and slow
    run_worker()  # not due yet
    assert smtp.messages == []
    with later(minutes=1.1):
        run_worker()
    notification.refresh_from_db()
    assert (notification.state, notification.attempts) == (NotificationState.SENT, 2)
    [received] = smtp.messages
    assert received["To"] == "avtor@example.org"

    with later(minutes=180):  # every retry time has passed; a stray duplicate task changes nothing
        run_worker()
        assert deliver_notification.enqueue(notification.pk).status == "READY"
        run_worker()
    assert len(smtp.messages) == 1 and not ready_tasks().exists()


def test_an_approval_while_the_server_is_down_returns_at_once_and_a_re_approval_queues_nothing_more(
    smtp, database_tasks, article, moderator_client
):
    parent = parent_comment(article)
    reply = CommentFactory(parent=parent, pending=True)
    smtp.down()
    response, seconds = timed(lambda: moderator_client.post(approve_url(reply)))
    assert response.status_code == 302 and seconds < TIMEOUT / 2
    moderator_client.post(approve_url(reply, "reject"))
    moderator_client.post(approve_url(reply))  # approved again before anything was sent
    assert Notification.objects.get().state == PENDING and ready_tasks().count() == 1

    run_worker()  # refused: the next attempt in a minute
    assert Notification.objects.get().attempts == 1 and smtp.messages == []
    smtp.up()
    with later(minutes=1.1):
        run_worker()
    assert [m["To"] for m in smtp.messages] == ["avtor@example.org"]
    moderator_client.post(approve_url(reply, "reject"))
    moderator_client.post(approve_url(reply))  # approved again after it was sent
    with later(minutes=180):
        run_worker()
    assert len(smtp.messages) == 1 and Notification.objects.get().state == NotificationState.SENT


def test_a_reply_removed_before_its_retry_is_not_announced_and_its_reapproval_sends_it_once(
    smtp, database_tasks, article
):
    parent = parent_comment(article)
    smtp.down()
    reply = CommentFactory(parent=parent, pending=True)
    services.comment_moderate(comment_ids=[reply.pk], status=CommentStatus.APPROVED)
    run_worker()  # fails
    services.comment_moderate(comment_ids=[reply.pk], status=CommentStatus.REJECTED)
    smtp.up()
    with later(minutes=1.1):
        run_worker()
    assert smtp.messages == [] and Notification.objects.get().state == NotificationState.CANCELLED

    with later(minutes=2):
        services.comment_moderate(comment_ids=[reply.pk], status=CommentStatus.APPROVED)
        run_worker()
    notification = Notification.objects.get()
    assert len(smtp.messages) == 1 and notification.state == NotificationState.SENT and notification.attempts == 1


def test_moderators_are_alerted_once_whatever_the_server_does(smtp, database_tasks, settings, article):
    settings.COMMENTS_REPORT_THRESHOLD = 2
    UserFactory(staff=True, email="mod@example.org")
    comment = CommentFactory(article=article)
    smtp.mode = "hang"
    services.comment_report(comment_id=comment.pk, reporter_key="i:1", reason="hate")
    hid, seconds = timed(lambda: services.comment_report(comment_id=comment.pk, reporter_key="i:2", reason="hate"))
    assert hid and seconds < TIMEOUT / 2
    run_worker()
    smtp.mode = "ok"
    with later(minutes=1.1):
        run_worker()
    [alert] = smtp.messages
    assert alert["To"] == "mod@example.org" and Notification.objects.get().kind == NotificationKind.REPORTED
    services.comment_moderate(comment_ids=[comment.pk], status=CommentStatus.APPROVED)
    services.comment_report(comment_id=comment.pk, reporter_key="i:3", reason="hate")
    with later(minutes=180):
        run_worker()
    assert len(smtp.messages) == 1


def test_a_message_that_keeps_failing_ends_failed_after_the_last_retry_logged_once_and_can_be_sent_again(
    smtp, database_tasks, article, caplog, moderator_client
):
    parent = parent_comment(article)
    smtp.down()
    CommentFactory(parent=parent, pending=True)
    services.comment_moderate(comment_ids=[Comment.objects.get(parent=parent).pk], status=CommentStatus.APPROVED)
    waited = 0.0
    for minutes in [0, 1, 5, 15, 60]:  # the first attempt and the four retries
        waited += minutes
        with later(minutes=waited + 0.1):
            run_worker()
    notification = Notification.objects.get()
    assert (notification.state, notification.attempts) == (FAILED, 5) and "ConnectionRefusedError" in (
        notification.last_error
    )
    assert not ready_tasks().exists() and smtp.messages == []
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].name == "comments.notifications"
    assert "given up" in errors[0].getMessage() and "avtor@example.org" not in caplog.text
    with later(minutes=waited + 600):
        run_worker()  # nothing left to try
    assert Notification.objects.get().attempts == 5

    smtp.up()  # the mail server is back the next day: a moderator sends it again from the outbox
    changelist = reverse("admin:comments_notification_changelist")
    assert moderator_client.get(changelist).status_code == 200
    moderator_client.post(changelist, {"action": "send_again", "_selected_action": [notification.pk]})
    run_worker()
    notification.refresh_from_db()
    assert notification.state == NotificationState.SENT and [m["To"] for m in smtp.messages] == ["avtor@example.org"]
    moderator_client.post(changelist, {"action": "send_again", "_selected_action": [notification.pk]})
    run_worker()  # a sent one is not sent again
    assert len(smtp.messages) == 1


def test_a_duplicate_task_finds_its_notification_claimed_and_sends_nothing(smtp, database_tasks, article):
    parent = parent_comment(article)
    CommentFactory(parent=parent, pending=True)
    services.comment_moderate(comment_ids=[Comment.objects.get(parent=parent).pk], status=CommentStatus.APPROVED)
    deliver_notification.enqueue(Notification.objects.get().pk)  # the same row twice in the queue
    run_worker()
    assert sorted(r.return_value for r in DBTaskResult.objects.all()) == sorted([SENT, SKIPPED])
    assert len(smtp.messages) == 1


def test_a_claim_left_by_a_worker_that_died_is_not_sent_again_by_itself(smtp, database_tasks, article):
    """The one window (comments/notifications.py): killed between the server's "250 OK" and the mark, a worker
    leaves the row "sending"; no task sends it again (it may have gone); a moderator may, once it is an hour old."""
    parent = parent_comment(article)
    CommentFactory(parent=parent, pending=True)
    services.comment_moderate(comment_ids=[Comment.objects.get(parent=parent).pk], status=CommentStatus.APPROVED)
    Notification.objects.update(state=SENDING, claimed_at=timezone.now(), attempts=1)  # claimed; the process gone
    pk = Notification.objects.get().pk
    assert notification_resend([pk]) == []  # it may still be running
    with later(minutes=180):
        run_worker()
        deliver_notification.enqueue(pk)
        run_worker()
        assert smtp.messages == [] and Notification.objects.get().state == SENDING
        assert notification_resend([pk]) == [pk]  # a moderator found it missing in the mail log
        run_worker()
    assert len(smtp.messages) == 1 and Notification.objects.get().state == NotificationState.SENT


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks (SQLite serialises writers)")
def test_four_workers_racing_send_every_message_exactly_once(smtp, database_tasks, article):
    replies = []
    for i in range(24):
        parent = parent_comment(article, address=f"reader{i}@example.org")
        replies.append(CommentFactory(parent=parent, pending=True).pk)
    services.comment_moderate(comment_ids=replies, status=CommentStatus.APPROVED)
    for pk in Notification.objects.values_list("pk", flat=True):
        deliver_notification.enqueue(pk)  # and every row twice in the queue
    assert ready_tasks().count() == 48

    def work(i):
        try:
            worker = Worker(
                queue_names=["default"],
                interval=0,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id=f"racer-{i}",
                excluded_queue_names=[],
            )
            worker.run()
            return worker._run_tasks
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        ran = list(pool.map(work, range(4)))
    assert sum(ran) == 48 and len([n for n in ran if n]) > 1  # the work was shared
    assert sorted(m["To"] for m in smtp.messages) == sorted(f"reader{i}@example.org" for i in range(24))
    assert set(Notification.objects.values_list("state", flat=True)) == {NotificationState.SENT}
    outcomes = list(DBTaskResult.objects.values_list("return_value", flat=True))
    assert outcomes.count(SENT) == 24 and outcomes.count(SKIPPED) == 24
