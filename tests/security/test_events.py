"""RELIABILITY 53 for the events tests/portal does not cover: the comment-side and upload events.

Each event is exactly one record at WARNING or above for its request (no duplicate from
django.request or another logger), structured (``event=``, client address, user, path, as one
logfmt line) and without secrets: no CSRF token, session key, password, e-mail address or comment
text. tests/portal/test_logging.py and test_auth.py cover CSRF failure on the admin, the disallowed
host, permission denial and the sign-in lockout.
"""

import logging
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from portal.logging import LogfmtFormatter
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.security.conftest import JSON, comment_form, create_url

pytestmark = pytest.mark.django_db

EMAIL = "tajna.adresa@example.org"
BODY_WORD = "Несподелимо"
ADDRESS = "198.51.100.77"


@pytest.fixture
def records():
    """Every record of WARNING or above, from any logger, while the test runs."""
    captured = []

    class Keep(logging.Handler):
        def emit(self, record):
            captured.append(record)

    handler = Keep(level=logging.WARNING)
    root = logging.getLogger()
    root.addHandler(handler)
    yield captured
    root.removeHandler(handler)


def the_one_event(records, event: str, *, client=None) -> str:
    """The single WARNING+ record, which must be ``event``; returned as the production log line."""
    lines = [LogfmtFormatter().format(r) for r in records]
    assert [m.group(1) if (m := re.search(r"\bevent=(\S+)", line)) else line for line in lines] == [event]
    [line] = lines
    assert "\n" not in line
    assert f"ip={ADDRESS}" in line and "path=/" in line and "user=" in line
    secrets = [EMAIL, BODY_WORD, "correct-horse"]
    if client is not None:
        secrets += [morsel.value for morsel in client.cookies.values() if len(morsel.value) > 8]
    for secret in secrets:
        assert secret not in line, (secret, line)
    return line


def post(client, article, **fields):
    data = comment_form(article, **{"email": EMAIL, "body": f"{BODY_WORD} мнение по темата.", **fields})
    return client.post(create_url(article), data, REMOTE_ADDR=ADDRESS)


def test_honeypot_is_one_event(client, article, records):
    response = post(client, article, website="https://spam.example/")
    assert response.status_code == 400 and Comment.objects.count() == 0
    the_one_event(records, "honeypot", client=client)


def test_a_tampered_form_token_is_one_event(client, article, records):
    response = post(client, article, token="eyJhIjoxfQ:forged:signature")
    assert response.status_code == 400 and Comment.objects.count() == 0
    the_one_event(records, "comment_token_invalid", client=client)


def test_a_rate_limited_comment_is_one_event(client, settings, article, records):
    settings.COMMENTS_RATE_POST_IP = ["1/m"]
    assert post(client, article).status_code == 302
    assert records == []
    response = post(client, article, body="Второ мнение, твърде бързо.")
    assert response.status_code == 429 and Comment.objects.count() == 1
    line = the_one_event(records, "rate_limited", client=client)
    assert "scope=comment_post" in line


@pytest.mark.parametrize("scope", ["vote", "report"])
def test_rate_limited_votes_and_reports_are_one_event_each(client, settings, records, scope):
    settings.COMMENTS_RATE_VOTE = ["1/m"]
    settings.COMMENTS_RATE_REPORT = ["1/m"]
    first, second = CommentFactory(), CommentFactory()
    data = {"value": "1"} if scope == "vote" else {"reason": "spam", "explanation": ""}
    ok = client.post(reverse(f"comments:{scope}", kwargs={"pk": first.pk}), data, headers=JSON, REMOTE_ADDR=ADDRESS)
    assert ok.status_code == 200 and records == []
    refused = client.post(
        reverse(f"comments:{scope}", kwargs={"pk": second.pk}), data, headers=JSON, REMOTE_ADDR=ADDRESS
    )
    assert refused.status_code == 429
    line = the_one_event(records, "rate_limited", client=client)
    assert f"scope=comment_{scope}" in line


def test_a_banned_word_is_one_event(client, article, records):
    response = post(client, article, body=f"{BODY_WORD}: ти си идиот.")
    assert response.status_code == 302
    assert Comment.objects.get().status == "rejected"
    line = the_one_event(records, "banned_word", client=client)
    assert f"comment={Comment.objects.get().pk}" in line


def test_a_banned_word_in_an_edit_is_one_event(client, article, records):
    assert post(client, article, body=f"{BODY_WORD}: спокойно мнение.").status_code == 302
    comment = Comment.objects.get()
    response = client.post(
        reverse("comments:edit", kwargs={"pk": comment.pk}), {"body": "Сега ти си идиот."}, REMOTE_ADDR=ADDRESS
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == "rejected"
    the_one_event(records, "banned_word", client=client)


def test_a_csrf_failure_on_the_comment_form_is_one_event(article, records):
    client = Client(enforce_csrf_checks=True)
    response = post(client, article)
    assert response.status_code == 403 and Comment.objects.count() == 0
    the_one_event(records, "csrf_failure", client=client)


def test_a_rejected_upload_is_one_event(client, records):
    editor = UserFactory(username="photo-editor", is_staff=True, is_superuser=True)
    client.force_login(editor)
    fake = SimpleUploadedFile("snimka.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    response = client.post(
        reverse("admin:articles_image_add"),
        {"file": fake, "caption": "Снимка", "credit": "", "alt_text": "Снимка"},
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 200  # the form again, with the error
    line = the_one_event(records, "upload_rejected", client=client)
    assert f"user={editor.pk}" in line and "reason=" in line


def test_a_moderators_permission_denial_is_one_event(client, records):
    reader = UserFactory(username="not-a-moderator", is_staff=True)
    client.force_login(reader)
    comment = CommentFactory(article=ArticleFactory())
    response = client.get(reverse("admin:comments_comment_change", args=[comment.pk]), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 403
    the_one_event(records, "permission_denied", client=client)
