"""E-mail off the request path (portal/mail.py) against a real SMTP server on loopback.

``SMTPServer`` is a small SMTP server of our own, in threads, that can be down (nothing listening: the
connection is refused), hang (it takes the connection and never answers), answer slowly, refuse a
recipient for good, never answer the final "." of a message it took, or hang on QUIT. The tasks run on
the database backend (django-tasks-db), by ``run_worker``: ``manage.py db_worker --batch`` in this
process, so the clock the worker compares ``run_after`` with can be moved (time-machine). EMAIL_TIMEOUT
is short, so a hung server costs a test about a second. tests/comments/test_mail_tasks.py uses the same
server for the comments' outbox.
"""

import contextlib
import email
import logging
import signal
import smtplib
import socket
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from portal import mail

TIMEOUT = 1.0  # EMAIL_TIMEOUT in these tests


class SMTPServer:
    """An SMTP server on 127.0.0.1 whose behaviour a test sets with ``mode`` (see the module docstring)."""

    def __init__(self):
        self.mode = "ok"  # ok, hang, slow, reject, no-final-reply, hang-on-quit
        self.delay = 0.0  # "slow": seconds before every answer
        self.messages: list[email.message.Message] = []
        self.connections = 0
        self._closed = threading.Event()
        self._listener = None
        self.port = 0
        self.up()

    # --- the listener ------------------------------------------------------------------------------

    def up(self) -> None:
        """Listen (again, on the same port once it has one)."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        """Stop listening: connections are refused, as from a stopped mail server."""
        if self._listener is not None:
            with contextlib.suppress(OSError):  # shutdown() wakes the accept() under way; close() alone does not
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None

    def close(self) -> None:
        self._closed.set()
        self.down()

    def _accept(self, listener) -> None:
        while True:
            try:
                conn, _address = listener.accept()
            except OSError:
                return  # closed by down()
            self.connections += 1
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    # --- one SMTP session ----------------------------------------------------------------------------

    def _session(self, conn) -> None:
        with conn:
            if self.mode == "hang":
                self._closed.wait(30)  # never a greeting: the client's read times out
                return
            conn.settimeout(30)
            stream = conn.makefile("rb")
            say = self._sayer(conn)
            try:
                say("220 test.local ESMTP")
                while True:
                    line = stream.readline()
                    if not line:
                        return
                    verb = line.decode("ascii", "replace").strip().split(" ")[0].upper()
                    if verb == "EHLO":
                        say("250-test.local", "250 8BITMIME")
                    elif verb in ("HELO", "MAIL", "RSET", "NOOP"):
                        say("250 OK")
                    elif verb == "RCPT":
                        say("550 5.1.1 No such user" if self.mode == "reject" else "250 OK")
                    elif verb == "DATA":
                        say("354 End data with <CR><LF>.<CR><LF>")
                        self.messages.append(email.message_from_bytes(self._data(stream)))
                        if self.mode == "no-final-reply":
                            self._closed.wait(30)  # took the message; its "250 OK" never comes
                            return
                        say("250 OK queued")
                    elif verb == "QUIT":
                        if self.mode == "hang-on-quit":
                            self._closed.wait(30)
                            return
                        say("221 Bye")
                        return
                    else:
                        say("502 Command not implemented")
            except OSError:
                return

    def _sayer(self, conn):
        def say(*lines):
            if self.mode == "slow":
                time.sleep(self.delay)
            conn.sendall("".join(f"{line}\r\n" for line in lines).encode())

        return say

    @staticmethod
    def _data(stream) -> bytes:
        lines = []
        while (line := stream.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)


@pytest.fixture
def smtp(settings):
    """A running SMTP server; Django's SMTP backend pointed at it with a short timeout."""
    server = SMTPServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = TIMEOUT
    yield server
    server.close()


@pytest.fixture
def database_tasks(settings):
    """Tasks go to the database backend, as in production (TASKS_BACKEND=database)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MAIL_RETRY_MINUTES = [1, 5, 15, 60]


def run_worker() -> None:
    """`manage.py db_worker --batch`: run every task that is due now, then return."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=1)
    finally:
        for sig, handler in handlers.items():  # the worker installs its own; pytest keeps Ctrl+C
            signal.signal(sig, handler)


def ready_tasks():
    return DBTaskResult.objects.filter(status="READY")


def later(minutes: float):
    """Move the clock (of this process: the worker's too) forward, as if that much time had passed."""
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=True)


def message(**fields) -> EmailMessage:
    return EmailMessage(**{"subject": "Проба", "body": "Текст.", "to": ["reader@example.org"], **fields})


# --- one attempt ----------------------------------------------------------------------------------------


def test_a_message_is_handed_to_the_server(smtp):
    assert mail.mail_send(message()) == 1
    [received] = smtp.messages
    assert received["To"] == "reader@example.org" and received["Subject"] == "=?utf-8?b?0J/RgNC+0LHQsA==?="


def test_a_hung_server_fails_the_attempt_within_the_timeout(smtp):
    smtp.mode = "hang"
    started = time.monotonic()
    with pytest.raises(OSError):
        mail.mail_send(message())
    assert time.monotonic() - started < TIMEOUT + 0.5


def test_a_server_that_is_down_fails_the_attempt_at_once(smtp):
    smtp.down()
    started = time.monotonic()
    with pytest.raises(ConnectionRefusedError):
        mail.mail_send(message())
    assert time.monotonic() - started < 0.5


def test_a_quit_that_hangs_after_the_message_was_taken_is_no_failure(smtp):
    """Django's send() raises then (and the message would be sent again); mail_send closes apart."""
    smtp.mode = "hang-on-quit"
    assert mail.mail_send(message()) == 1
    assert len(smtp.messages) == 1


def test_only_a_refusal_of_the_recipients_or_the_message_is_permanent():
    assert mail.is_permanent(smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"No such user")}))
    assert not mail.is_permanent(smtplib.SMTPRecipientsRefused({"a@example.org": (450, b"Mailbox busy")}))
    assert mail.is_permanent(smtplib.SMTPDataError(554, b"Rejected"))
    assert not mail.is_permanent(smtplib.SMTPDataError(451, b"Try later"))
    assert not mail.is_permanent(smtplib.SMTPSenderRefused(553, b"Sender", "noreply@localhost"))  # configuration
    assert not mail.is_permanent(smtplib.SMTPAuthenticationError(535, b"Bad credentials"))
    assert not mail.is_permanent(TimeoutError("timed out"))
    assert mail.describe(smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"x")})) == "SMTPRecipientsRefused: 550"


# --- send_mail_task on the database backend, run by the worker ---------------------------------------------

pytestmark_worker = pytest.mark.django_db(transaction=True)


@pytestmark_worker
def test_a_message_enqueued_while_the_server_is_down_arrives_once_when_it_is_back(smtp, database_tasks, caplog):
    smtp.down()
    send = mail.send_mail_task.enqueue(subject="Потвърдете адреса", body="Връзка: …", to=["reader@example.org"])
    assert send.status == "READY"
    run_worker()
    assert smtp.messages == [] and send.task.get_result(send.id).return_value == mail.RETRY
    [retry] = ready_tasks()
    assert timedelta(seconds=55) < retry.run_after - timezone.now() < timedelta(seconds=65)
    assert retry.args_kwargs["kwargs"]["attempt"] == 2

    smtp.up()
    run_worker()  # not due yet
    assert smtp.connections == 0 and ready_tasks().count() == 1
    with later(minutes=1.1):
        run_worker()
    assert [m["To"] for m in smtp.messages] == ["reader@example.org"]
    with later(minutes=120):
        run_worker()  # nothing left to run
    assert len(smtp.messages) == 1 and not ready_tasks().exists()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytestmark_worker
def test_a_slow_server_within_the_timeout_gets_the_message_once(smtp, database_tasks):
    smtp.mode, smtp.delay = "slow", TIMEOUT / 4
    mail.send_mail_task.enqueue(subject="Бавно", body="…", to=["reader@example.org"])
    run_worker()
    assert len(smtp.messages) == 1 and not ready_tasks().exists()


@pytestmark_worker
def test_a_message_that_keeps_failing_is_given_up_after_the_last_retry_and_logged_once(smtp, database_tasks, caplog):
    smtp.mode = "hang"
    mail.send_mail_task.enqueue(subject="Никога", body="…", to=["reader@example.org"])
    waited = 0.0
    for minutes in [0, 1, 5, 15, 60]:
        waited += minutes
        with later(minutes=waited + 0.1):
            run_worker()
    assert not ready_tasks().exists() and smtp.messages == []
    outcomes = [r.return_value for r in DBTaskResult.objects.order_by("enqueued_at")]
    assert outcomes == [mail.RETRY] * 4 + [mail.FAILED]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].name == "portal.mail" and "given up" in errors[0].getMessage()
    assert len([r for r in caplog.records if r.name == "portal.mail" and r.levelno == logging.WARNING]) == 4
    assert "reader@example.org" not in caplog.text


@pytestmark_worker
def test_a_recipient_refused_for_good_is_not_tried_again(smtp, database_tasks, caplog):
    smtp.mode = "reject"
    mail.send_mail_task.enqueue(subject="Няма такъв", body="…", to=["nobody@example.org"])
    run_worker()
    assert not ready_tasks().exists()
    assert DBTaskResult.objects.get().return_value == mail.FAILED
    assert "550" in caplog.text and "nobody@example.org" not in caplog.text


@pytestmark_worker
def test_the_one_window_a_server_that_took_the_message_but_never_answered_gets_it_again(smtp, database_tasks):
    """What no client can close (portal/mail.py): the message was taken, the "250 OK" never came, so the
    attempt counts as failed and the next one sends it again. The window is the server's own, between
    storing the message and answering; a healthy server answers at once."""
    smtp.mode = "no-final-reply"
    mail.send_mail_task.enqueue(subject="Два пъти", body="…", to=["reader@example.org"])
    run_worker()
    smtp.mode = "ok"
    with later(minutes=1.1):
        run_worker()
    assert len(smtp.messages) == 2


# --- the immediate backend (development) -------------------------------------------------------------------


def test_the_immediate_backend_sends_at_once(smtp):
    result = mail.send_mail_task.enqueue(subject="Веднага", body="…", to=["reader@example.org"], html="<p>…</p>")
    assert result.return_value == mail.SENT and len(smtp.messages) == 1
    assert smtp.messages[0].is_multipart()


def test_the_immediate_backend_cannot_wait_so_a_failure_is_given_up_at_once(smtp, caplog):
    smtp.down()
    result = mail.send_mail_task.enqueue(subject="Веднага", body="…", to=["reader@example.org"])
    assert result.return_value == mail.FAILED
    assert len([r for r in caplog.records if r.levelno >= logging.ERROR and r.name == "portal.mail"]) == 1


# --- enqueued with the transaction ----------------------------------------------------------------------------


@pytestmark_worker
def test_on_the_database_backend_a_rolled_back_transaction_takes_its_task_back(database_tasks):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        mail.task_enqueue(mail.send_mail_task, subject="x", body="y", to=["reader@example.org"])
        assert ready_tasks().count() == 1  # written inside the transaction
        1 / 0  # noqa: B018
    assert not ready_tasks().exists()


@pytestmark_worker
def test_on_the_immediate_backend_the_task_runs_after_commit_and_never_for_a_rollback(smtp):
    with transaction.atomic():
        mail.task_enqueue(mail.send_mail_task, subject="След", body="…", to=["reader@example.org"])
        assert smtp.messages == []
    assert len(smtp.messages) == 1
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        mail.task_enqueue(mail.send_mail_task, subject="Никога", body="…", to=["reader@example.org"])
        1 / 0  # noqa: B018
    assert len(smtp.messages) == 1
