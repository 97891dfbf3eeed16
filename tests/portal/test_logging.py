"""Log lines cannot be forged, and every security event is one structured record without secrets."""

import io
import logging

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from portal.logging import LogfmtFormatter, escape_control, security_event
from tests.portal.conftest import HTTPS, SECURE_POST

pytestmark = pytest.mark.django_db

FORGED = "\r\n2025-01-01 INFO django.request fake record\x1b[2J\x1b[31m"


@pytest.fixture
def log_stream():
    """The production handler (StreamHandler + LogfmtFormatter) on the root logger, writing to a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(LogfmtFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


def lines(stream):
    return stream.getvalue().splitlines()


def test_escape_control_makes_every_dangerous_character_visible():
    assert escape_control("a\r\nb") == "a\\r\\nb"
    assert escape_control("\x1b[31mred") == "\\x1b[31mred"
    assert escape_control("nul\x00del\x7f c1\x85") == "nul\\x00del\\x7f c1\\x85"
    assert escape_control("rtl\u202eevil\u2066 zw\u200b sep\u2028") == "rtl\\u202eevil\\u2066 zw\\u200b sep\\u2028"
    assert escape_control("lone \ud800 surrogate") == "lone \\ud800 surrogate"
    assert escape_control("back\\slash") == "back\\\\slash"  # so a literal "\\n" cannot pass for an escape
    assert escape_control("Кирилица остава") == "Кирилица остава"


def test_message_and_arguments_with_crlf_and_ansi_stay_on_one_line(log_stream):
    logger = logging.getLogger("vestnik.test")
    logger.warning("comment by %s: %r", FORGED, FORGED)
    logger.warning(FORGED)
    output = lines(log_stream)
    assert len(output) == 2
    for line in output:
        assert "\x1b" not in line and "\r" not in line
        assert line.startswith("time=")
        assert "\\r\\n2025-01-01 INFO" in line


def test_a_request_path_cannot_forge_a_log_line(log_stream):
    path = "/nyama/%0D%0A2025-01-01%20INFO%20django.request%20admin%20logged%20in%1B%5B31m/"
    response = Client().get(path)
    assert response.status_code == 404
    output = lines(log_stream)
    assert len(output) == 1, output
    line = output[0]
    assert "logger=django.request" in line and "status=404" in line
    assert "\\r\\n2025-01-01" in line and "\\x1b[31m" in line
    assert "\x1b" not in line


def test_an_exception_is_logged_as_one_line(log_stream):
    try:
        raise ValueError("line one\nline two")
    except ValueError:
        logging.getLogger("vestnik.test").exception("failed for %s", "x\ny")
    output = lines(log_stream)
    assert len(output) == 1
    assert "Traceback" in output[0] and "ValueError: line one\\nline two" in output[0]


def test_security_event_is_one_structured_record_with_request_facts(log_stream, editor, caplog):
    request = RequestFactory().post("/comments/post/", REMOTE_ADDR="203.0.113.7")
    request.user = editor
    request._cached_user = editor
    with caplog.at_level(logging.INFO, logger="vestnik.security"):
        security_event(
            "rate_limited",
            request,
            limit="5/m",
            password="hunter2",
            csrf_token="abc",
            session_key="s3cr3t",
            name=FORGED,
        )
    [record] = [r for r in caplog.records if r.name == "vestnik.security"]
    assert record.levelno == logging.WARNING
    assert record.event == "rate_limited"
    [line] = lines(log_stream)
    assert "logger=vestnik.security event=rate_limited" in line
    assert "ip=203.0.113.7" in line and f"user={editor.pk}" in line and "path=/comments/post/" in line
    assert "method=POST" in line and "limit=5/m" in line
    for secret in ("hunter2", "abc", "s3cr3t"):
        assert secret not in line
    assert line.count("[redacted]") == 3
    assert "\x1b" not in line and "\\r\\n" in line


def test_a_csrf_failure_is_one_structured_warning(log_stream, editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    log_stream.truncate(0)
    log_stream.seek(0)
    response = client.post(reverse("admin:logout"), headers=SECURE_POST)
    assert response.status_code == 403
    warnings = [line for line in lines(log_stream) if "level=WARNING" in line or "level=ERROR" in line]
    assert len(warnings) == 1
    assert "event=csrf_failure" in warnings[0]
    assert f"user={editor.pk}" in warnings[0] and "ip=127.0.0.1" in warnings[0]
    assert "csrfmiddlewaretoken" not in warnings[0] and client.cookies["__Host-sessionid"].value not in warnings[0]


def test_a_disallowed_host_is_one_structured_record(log_stream):
    response = Client().get("/", headers={"Host": "evil.example\r\nX-Injected: 1"})
    assert response.status_code == 400
    output = lines(log_stream)
    assert len(output) == 1
    assert "event=disallowed_host" in output[0] and "error=DisallowedHost" in output[0]
    assert "Traceback" not in output[0]


def test_a_permission_denial_is_tagged(log_stream, editor):
    from django.contrib.auth.models import Permission

    editor.is_superuser = False
    editor.save()
    editor.user_permissions.set(Permission.objects.filter(codename="view_article"))
    client = Client()
    client.force_login(editor)
    log_stream.truncate(0)
    log_stream.seek(0)
    response = client.get(reverse("admin:articles_tag_add"), headers=HTTPS)
    assert response.status_code == 403
    [line] = [line for line in lines(log_stream) if "level=WARNING" in line]
    assert "event=permission_denied" in line and f"user={editor.pk}" in line
