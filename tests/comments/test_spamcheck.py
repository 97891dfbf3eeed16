"""RELIABILITY 34: the Akismet-style spam checker, and its outage failing safe.

A fake checker (a small HTTP server in a thread on 127.0.0.1) answers each test its way; every post
goes through the real comment view with the test client.
"""

import logging
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection
from django.urls import reverse

from articles.models import Article
from comments import spamcheck
from comments.models import Comment, CommentStatus, Reason
from tests.comments.conftest import comment_data, create_url
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db

TIMEOUT = 0.5  # seconds; production default 2
HELD = "Коментарът ви ще се появи, след като модератор го одобри."
PUBLISHED = "Коментарът ви е публикуван."


class FakeChecker(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.mode = "false"
        self.requests: list[dict[str, str]] = []
        self.url = f"http://127.0.0.1:{self.server_address[1]}/1.1/comment-check"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        fields = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
        self.server.requests.append(fields)
        mode = self.server.mode
        if mode == "sleep":
            time.sleep(TIMEOUT + 2)
        if mode == "dribble":  # a header byte every TIMEOUT/3 s: no single read ever times out
            try:
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                for byte in b"X-Padding: " + b"a" * 12:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(TIMEOUT / 3)
            except OSError:
                pass
            return
        status, body, headers = {
            "false": (200, b"false", {}),
            "true": (200, b"true", {}),
            "discard": (200, b"true", {"X-akismet-pro-tip": "discard"}),
            "500": (500, b"Internal Server Error", {}),
            "garbage": (200, b"<html>maybe</html>", {}),
            "invalid": (200, b"invalid", {"X-akismet-debug-help": "Empty api_key"}),
            "sleep": (200, b"false", {}),
        }[mode]
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up (the timeout test)


@pytest.fixture
def checker(settings):
    server = FakeChecker()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.COMMENTS_SPAM_CHECK_URL = server.url
    settings.COMMENTS_SPAM_CHECK_KEY = "test-key-123"
    settings.COMMENTS_SPAM_CHECK_TIMEOUT = TIMEOUT
    yield server
    server.shutdown()
    server.server_close()


def count(article) -> int:
    return Article.objects.get(pk=article.pk).comment_count


def page(client, article) -> str:
    return client.get(article.get_absolute_url()).content.decode()


def stranger_page(article) -> str:
    """The article page as any other reader gets it (no cookies of the author's)."""
    from django.test import Client

    return page(Client(), article)


def shown_waiting(client, article, body) -> bool:
    """Whether the author's own page shows ``body`` marked as waiting for a moderator, as for any held comment."""
    html = page(client, article)
    return body in html and "comment--held" in html and '<p class="comment__held">' in html


def posted(client, response) -> str:
    """The page the reader lands on after a plain post, with the flash message."""
    assert response.status_code == 302, response.status_code
    return client.get(response.url).content.decode()


# --- The verdicts -------------------------------------------------------------------------------------------


def test_ham_is_published_as_the_chain_would(client, article, post_comment, checker):
    data = comment_data(article, body="Добър анализ на бюджета.", email="ivan@example.bg")
    headers = {"User-Agent": "Mozilla/5.0 (X11; Linux)", "Referer": "http://testserver/news/x/"}
    response = client.post(create_url(article), data, headers=headers)
    landed = posted(client, response)
    comment = Comment.objects.get()
    assert comment.status == CommentStatus.APPROVED and comment.reason == Reason.ACCEPTED
    assert count(article) == 1
    assert PUBLISHED in landed and "Добър анализ на бюджета." in page(client, article)
    [sent] = checker.requests
    assert sent["comment_content"] == "Добър анализ на бюджета."
    assert sent["comment_author"] == "Иван Петров" and sent["comment_author_email"] == "ivan@example.bg"
    assert sent["comment_type"] == "comment" and sent["blog_lang"] == "bg" and sent["api_key"] == "test-key-123"
    assert sent["user_ip"] == "127.0.0.1"
    assert sent["permalink"].endswith(article.get_absolute_url()) and sent["blog"].startswith("http")
    assert sent["user_agent"] == "Mozilla/5.0 (X11; Linux)" and sent["referrer"] == "http://testserver/news/x/"


def test_ham_still_passes_the_rest_of_the_chain(client, article, post_comment, checker):
    post_comment(article, body="Ти си идиот.")  # a banned word: the chain rejects it whatever the checker says
    assert Comment.objects.get().status == CommentStatus.REJECTED
    assert len(checker.requests) == 1


@pytest.mark.parametrize("as_json", [False, True])
def test_spam_is_stored_but_never_shown(client, article, post_comment, checker, caplog, as_json):
    checker.mode = "true"
    with caplog.at_level(logging.WARNING, logger="vestnik.security"):
        response = post_comment(article, body="Евтини часовници на www.example.com", as_json=as_json)
    assert response.status_code < 500
    comment = Comment.objects.get()
    assert comment.status == CommentStatus.SPAM and comment.reason == Reason.SPAM_CHECK
    assert not comment.is_visible and count(article) == 0
    if as_json:
        data = response.json()
        assert data["ok"] and not data["visible"] and HELD in data["message"]
        assert "comment--held" in data["html"] and "comment__actions" not in data["html"]
    else:
        assert HELD in posted(client, response)  # the spammer is told what a held comment's author is told
    assert shown_waiting(client, article, "Евтини часовници")  # and shown what they are shown
    assert "Евтини часовници" not in stranger_page(article)
    assert not Comment.objects.visible().exists()
    assert [r for r in caplog.records if getattr(r, "event", "") == "spam_detected"]


@pytest.mark.parametrize("as_json", [False, True])
def test_blatant_spam_is_not_stored_and_the_answer_looks_held(client, article, post_comment, checker, as_json):
    checker.mode = "discard"
    response = post_comment(article, body="Купи виагра сега", as_json=as_json)
    assert response.status_code < 500
    assert Comment.objects.count() == 0 and count(article) == 0
    if as_json:
        data = response.json()
        assert data["ok"] and not data["visible"] and HELD in data["message"] and data["token"]
    else:
        assert HELD in posted(client, response)
    # The same answer as for a comment held for review by the chain:
    checker.mode = "false"
    held = post_comment(article, body="Вижте http://a.bg http://b.bg http://c.bg", as_json=as_json)
    assert Comment.objects.get().status == CommentStatus.PENDING
    if as_json:
        assert held.json()["message"] == data["message"]
    else:
        assert held.status_code == response.status_code and held.url == response.url


# --- The outage fails safe ----------------------------------------------------------------------------------


def assert_held(client, article, response, body, detail):
    assert response.status_code < 500
    comment = Comment.objects.get()
    assert comment.status == CommentStatus.PENDING
    assert comment.reason == Reason.SPAM_CHECK_UNAVAILABLE and comment.reason_text.startswith(detail)
    assert comment.body == body  # not lost
    assert HELD in posted(client, response)
    assert count(article) == 0 and body not in stranger_page(article)
    assert shown_waiting(client, article, body)


@pytest.mark.parametrize(
    ("mode", "detail"), [("500", "http_500"), ("garbage", "unexpected_answer"), ("invalid", "unexpected_answer")]
)
def test_checker_error_holds_the_comment(client, article, post_comment, checker, caplog, mode, detail):
    checker.mode = mode
    with caplog.at_level(logging.WARNING, logger="comments.spamcheck"):
        response = post_comment(article, body="Коментар по време на срив.")
    assert_held(client, article, response, "Коментар по време на срив.", detail)
    assert [r for r in caplog.records if r.levelno == logging.WARNING and "spam_check_unavailable" in r.getMessage()]


def test_checker_timeout_holds_the_comment_within_the_deadline(client, article, post_comment, checker):
    checker.mode = "sleep"
    started = time.monotonic()
    response = post_comment(article, body="Коментар към бавен проверител.")
    elapsed = time.monotonic() - started
    assert elapsed < TIMEOUT + 1, elapsed
    assert_held(client, article, response, "Коментар към бавен проверител.", "timeout")
    assert len(checker.requests) == 1


def test_the_timeout_bounds_the_whole_call_not_each_read(client, article, post_comment, checker):
    checker.mode = "dribble"
    started = time.monotonic()
    response = post_comment(article, body="Коментар към капещ проверител.")
    assert time.monotonic() - started < TIMEOUT + 1
    assert_held(client, article, response, "Коментар към капещ проверител.", "timeout")


def test_refused_connection_holds_the_comment(client, article, post_comment, settings):
    with socket.socket() as probe:  # a free port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.COMMENTS_SPAM_CHECK_URL = f"http://127.0.0.1:{port}/1.1/comment-check"
    settings.COMMENTS_SPAM_CHECK_TIMEOUT = TIMEOUT
    started = time.monotonic()
    response = post_comment(article, body="Коментар без проверител.")
    assert time.monotonic() - started < TIMEOUT + 1
    assert_held(client, article, response, "Коментар без проверител.", "connection")


def test_a_non_http_url_holds_the_comment_and_opens_nothing(client, article, post_comment, settings, monkeypatch):
    settings.COMMENTS_SPAM_CHECK_URL = "file:///etc/passwd"
    monkeypatch.setattr(spamcheck, "_post", lambda *a: pytest.fail("opened a non-HTTP URL"))
    response = post_comment(article, body="Коментар с лош адрес.")
    assert_held(client, article, response, "Коментар с лош адрес.", "bad_url")


# --- When it is asked ---------------------------------------------------------------------------------------


def test_no_network_call_when_the_setting_is_empty(client, article, post_comment, checker, settings, monkeypatch):
    settings.COMMENTS_SPAM_CHECK_URL = ""
    monkeypatch.setattr(spamcheck, "_post", lambda *a: pytest.fail("the checker was called"))
    response = post_comment(article, body="Без проверка за спам.")
    assert PUBLISHED in posted(client, response)
    assert Comment.objects.get().status == CommentStatus.APPROVED
    assert checker.requests == []


def test_checker_is_asked_outside_the_transaction_that_locks_the_parent(
    client, article, post_comment, checker, monkeypatch
):
    parent = CommentFactory(article=article, body="Първият коментар")
    baseline = len(connection.atomic_blocks)  # the test's own transactions
    depths = []
    real_ask = spamcheck.ask

    def ask(params):
        depths.append(len(connection.atomic_blocks))
        return real_ask(params)

    monkeypatch.setattr(spamcheck, "ask", ask)
    response = post_comment(article, body="Отговор, проверен за спам.", parent=str(parent.pk))
    assert response.status_code == 302
    assert depths == [baseline]
    reply = Comment.objects.get(parent=parent)
    assert reply.status == CommentStatus.APPROVED


def test_an_edit_into_spam_is_hidden(client, article, post_comment, checker):
    post_comment(article, body="Първа версия на коментара.")
    comment = Comment.objects.get()
    assert comment.is_visible and count(article) == 1
    checker.mode = "true"
    response = client.post(reverse("comments:edit", kwargs={"pk": comment.pk}), {"body": "Евтини кредити тук"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == CommentStatus.SPAM and count(article) == 0
    assert "Евтини кредити" not in stranger_page(article)
    assert shown_waiting(client, article, "Евтини кредити")  # to its author, as an edit that is held


def test_an_edit_during_an_outage_is_held(client, article, post_comment, checker):
    post_comment(article, body="Първа версия.")
    comment = Comment.objects.get()
    checker.mode = "500"
    response = client.post(reverse("comments:edit", kwargs={"pk": comment.pk}), {"body": "Втора версия."})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PENDING and comment.reason == Reason.SPAM_CHECK_UNAVAILABLE
    assert count(article) == 0
