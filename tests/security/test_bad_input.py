"""RELIABILITY 49: the deterministic bad-input catalogue, each case sent to gunicorn on loopback.

One gunicorn (production settings, the test database, HTTPS behind one trusted proxy) serves the whole
module. Every case is a raw HTTP/1.1 request written to a socket, so malformed request lines and headers
reach gunicorn exactly as sent; the cases that post the comment form use the CSRF cookie and form tokens
a browser (tools/chaos.Reader) got from the article page, read once for the module. Each case must get its documented
status, never a 5xx, within 2 s; the cases that are accepted are also checked in the database (a bidi
override or a line break in a name is stripped before it is stored).

Where the status is the project's choice (docs/reliability.md, "49"):
- bodies: Django refuses > 2.5 MB of form data, > 1,000 fields and > 100 files with 400;
  portal.middleware.RequestSizeLimitMiddleware refuses a body over MAX_UPLOAD_BYTES + 1 MB (11 MB, as nginx's
  client_max_body_size) with 413 before anything reads it;
- request line and headers (gunicorn.conf.py): gunicorn answers 414 above 4,094 bytes of request line,
  431 above 100 header fields or 8,190 bytes in one, 400 for anything it cannot parse;
- a chunked body without Content-Length is not read by Django (nginx always sends one), so the form
  arrives empty: CSRF's 403.
"""

import json
import os
import select
import socket
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import pytest
from django.core.management import call_command
from django.db import connection

from comments.models import Comment
from tests.factories import ArticleFactory
from tests.security.conftest import database_url
from tools.chaos import UNLIMITED_POSTING, Gunicorn, Reader, server_env

pytestmark = [
    pytest.mark.postgres,
    # Each case reads what gunicorn committed; the article and form are committed once per module (``site``).
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (gunicorn shares the database)"),
]

CASE_SECONDS = 2.0
MEASURED: dict[str, tuple[int, float]] = {}  # case: (status, seconds), for the summary at the end
MB = 1024 * 1024


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory):
    env = server_env(
        database_url=database_url(conn_max_age=60, conn_health_checks="true"),
        cache_url=os.environ.get("CACHE_URL", "locmemcache://"),
        **UNLIMITED_POSTING,  # only the input is under test: no rate limit, no wait, published at once
    )
    with Gunicorn(env, log_path=tmp_path_factory.mktemp("gunicorn") / "server.log", workers=2, threads=4) as running:
        yield running


@pytest.fixture(scope="module")
def site(server, django_db_blocker):
    """One article and its comment form, as a browser got them, for the whole catalogue.

    Committed (gunicorn must see them) and kept for the module: a transactional test per case would empty
    the database after each one, 1-2 s apiece. The database is emptied once at the end instead.
    """
    with django_db_blocker.unblock():
        article = ArticleFactory()
        reader = Reader(server.port, "198.51.100.49")
        opened, fields = reader.open_form(article.get_absolute_url())
        reader.close()
        assert opened.status == 200 and fields.get("csrfmiddlewaretoken"), opened.status
        host = f"127.0.0.1:{server.port}"
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in reader.cookies.items()),
            "Origin": f"https://{host}",
            "Referer": f"https://{host}{article.get_absolute_url()}",
        }
        yield article, fields, headers
        call_command("flush", interactive=False, verbosity=0)


# --- Raw HTTP -------------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    head: bytes
    body: bytes
    seconds: float


def exchange(port: int, request: bytes, *, timeout: float = 10) -> Answer:
    """Write ``request`` and read the answer until the server closes; stop writing once it answers."""
    started = time.monotonic()
    data = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.setblocking(False)
        view = memoryview(request)
        while True:
            writing = [sock] if view else []
            readable, writable, _ = select.select([sock], writing, [], timeout)
            if not readable and not writable:
                raise TimeoutError(f"no answer within {timeout} s")
            if readable:
                try:
                    chunk = sock.recv(65536)
                except (ConnectionResetError, BlockingIOError):
                    chunk = b""
                if not chunk:
                    break
                data += chunk
                view = view[:0]  # answered: the rest of the request is not wanted
                continue
            try:
                view = view[sock.send(view[: 256 * 1024]) :]
            except (BrokenPipeError, ConnectionResetError):
                view = view[:0]
    seconds = time.monotonic() - started
    head, _, body = data.partition(b"\r\n\r\n")
    parts = head.split(b" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    return Answer(status, head, body, seconds)


@dataclass
class Context:
    """What a case builds its request from; the article and the form are made on first use."""

    port: int
    case: str
    article: object
    fields: dict
    form_headers: dict
    headers: dict = field(default_factory=dict)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def post_path(self) -> str:
        return f"/comments/article/{self.article.pk}/post/"

    def form(self, **values) -> dict:
        """The comment form as the article page gave it to a browser (its cookies sent), ``values`` filled in."""
        self.headers.update(self.form_headers)
        body = f"Мнение по статия {self.article.pk}, случай {self.case}, {uuid.uuid4().hex[:8]}."
        fresh = {"submission": str(uuid.uuid4()), "author_name": "Иван Петров", "body": body, "website": ""}
        return {**self.fields, **fresh, **values}

    def request(
        self, method: str, path: str, body: bytes = b"", *, headers=None, line: bytes | None = None, length=True
    ) -> bytes:
        head = {
            "Host": self.host,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "198.51.100.49",
            "User-Agent": "vestnik-bad-input/1",
            "Accept": "application/json, text/html",
            "Connection": "close",
            **self.headers,
            **(headers or {}),
        }
        if body and length:
            head["Content-Length"] = str(len(body))
        lines = [line or f"{method} {path} HTTP/1.1".encode()]
        lines += [k.encode() + b": " + (v if isinstance(v, bytes) else v.encode("latin-1")) for k, v in head.items()]
        return b"\r\n".join(lines) + b"\r\n\r\n" + body

    def post_form(self, fields, *, headers=None) -> bytes:
        body = fields if isinstance(fields, bytes) else urlencode(fields, doseq=True).encode()
        content_type = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", self.post_path, body, headers={**content_type, **(headers or {})})

    def post_multipart(self, fields: dict, files: list[tuple[str, bytes]]) -> bytes:
        boundary = "vestnik" + uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for i, (name, content) in enumerate(files):
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="f{i}.jpg"\r\n'
                "Content-Type: image/jpeg\r\n\r\n"
            )
            parts.append(head.encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request(
            "POST", self.post_path, body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )


# --- The catalogue --------------------------------------------------------------------------------------


def stored_name(ctx: Context, answer: Answer) -> str:
    answer_id = json.loads(answer.body)["id"]
    return Comment.objects.get(pk=answer_id).author_name


def accepted_as(expected_name: str):
    def check(ctx: Context, answer: Answer):
        assert stored_name(ctx, answer) == expected_name

    return check


def posted(ctx: Context, answer: Answer):
    """A 200 to the comment form is a published comment, stored on the article."""
    if answer.status == 200:
        reply = json.loads(answer.body)
        assert reply["ok"] and Comment.objects.filter(pk=reply["id"], article=ctx.article).exists()


def no_body(ctx: Context, answer: Answer):
    assert answer.body == b""


def chunked(payload: bytes) -> bytes:
    return (
        b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in (payload[:10], payload[10:]) if piece)
        + b"0\r\n\r\n"
    )


def many_headers(n: int) -> dict:
    """``n`` header fields in all, with the 6 every request here carries (Host included)."""
    return {f"X-Filler-{i}": "1" for i in range(n - 6)}


LONG_NAME = "Я" * (MB // 2)  # 1 MB of UTF-8

# (id, build(ctx) -> bytes, expected statuses, extra check or None)
CASES = [
    # Body limits (Django's DATA_UPLOAD_* settings, the upload cap).
    ("form-over-2.5MB", lambda c: c.post_form(c.form(filler="x" * (27 * MB // 10))), {400}, None),
    ("fields-over-1000", lambda c: c.post_form([*c.form().items(), *[("f", "1")] * 1001]), {400}, None),
    ("files-over-100", lambda c: c.post_multipart(c.form(), [("image", b"\xff\xd8\xff")] * 101), {400}, None),
    ("upload-over-cap", lambda c: c.post_multipart(c.form(), [("image", b"\0" * (11 * MB))]), {413}, None),
    ("file-on-comment-form-ignored", lambda c: c.post_multipart(c.form(), [("image", b"\0" * MB)]), {200}, posted),
    # Request line and headers (gunicorn.conf.py limits).
    ("request-line-5000", lambda c: c.request("GET", "/search/?q=" + "a" * 4990), {414}, None),
    ("request-line-4000", lambda c: c.request("GET", "/search/?q=" + "a" * 3980), {200}, None),
    ("headers-101", lambda c: c.request("GET", "/", headers=many_headers(101)), {431}, None),
    ("headers-100", lambda c: c.request("GET", "/", headers=many_headers(100)), {200}, None),
    ("cookie-9000-bytes", lambda c: c.request("GET", "/", headers={"Cookie": "a=" + "b" * 9000}), {431}, None),
    ("cookie-7000-bytes", lambda c: c.request("GET", "/", headers={"Cookie": "a=" + "b" * 7000}), {200}, None),
    ("header-without-colon", lambda c: c.request("GET", "/", headers={"X-Broken\r\nNoColonHere": "1"}), {400}, None),
    ("nul-in-header", lambda c: c.request("GET", "/", headers={"X-Nul": b"a\x00b"}), {400}, None),
    ("http-version-9.9", lambda c: c.request("GET", "/", line=b"GET / HTTP/9.9"), {400, 505}, None),
    ("binary-request-line", lambda c: b"\x16\x03\x01\x02\x00\x01\xfc\x03\x03\x00\r\n\r\n", {400}, None),
    ("unknown-method", lambda c: c.request("BREW", "/"), {403, 405}, None),
    # Methods.
    ("head", lambda c: c.request("HEAD", "/"), {200}, no_body),
    ("options", lambda c: c.request("OPTIONS", "/"), {200}, None),
    ("trace", lambda c: c.request("TRACE", "/"), {405}, None),
    ("get-on-post-endpoint", lambda c: c.request("GET", c.post_path), {405}, None),
    # Encodings.
    ("nul-in-name", lambda c: c.post_form(c.form(author_name="Иван\x00Петров")), {400}, None),
    ("nul-in-body", lambda c: c.post_form(c.form(body="Мнение\x00с нулев знак.")), {400}, None),
    (
        "invalid-utf8-in-body",
        lambda c: c.post_form(urlencode(c.form()).encode() + b"&body=%FF%FE+\xc3\x28+" + str(c.article.pk).encode()),
        {200, 400},
        posted,
    ),
    ("invalid-utf8-percent-in-query", lambda c: c.request("GET", "/search/?q=%FF%FE%C3%28"), {200, 400}, None),
    (
        "invalid-utf8-raw-in-query",
        lambda c: c.request("GET", "", line=b"GET /search/?q=\xff\xfe HTTP/1.1"),
        {200, 400},
        None,
    ),
    ("percent-nul-in-path", lambda c: c.request("GET", "/tag/%00/"), {400, 404}, None),
    ("percent-nul-in-search", lambda c: c.request("GET", "/search/?q=%00abc%00"), {200}, None),
    ("huge-search-query", lambda c: c.request("GET", "/search/?q=" + quote("новина " * 60)), {200}, None),
    # Display names.
    ("name-1MB", lambda c: c.post_form(c.form(author_name=LONG_NAME)), {400}, None),
    ("homoglyph-admin", lambda c: c.post_form(c.form(author_name="\u0430dmin")), {400}, None),
    ("homoglyph-redakciyata", lambda c: c.post_form(c.form(author_name="Peдaкцията")), {400}, None),
    (
        "rtl-override-name",
        lambda c: c.post_form(c.form(author_name="Иван\u202eворетП")),
        {200},
        accepted_as("ИванворетП"),
    ),
    ("only-bidi-name", lambda c: c.post_form(c.form(author_name="\u202e\u2066\u200b")), {400}, None),
    (
        "crlf-name",
        lambda c: c.post_form(c.form(author_name="Иван\r\nBcc: x@example.com")),
        {200},
        accepted_as("Иван Bcc: x@example.com"),
    ),
    ("crlf-email", lambda c: c.post_form(c.form(email="a@example.com\r\nBcc: x@example.com")), {400}, None),
    # Host.
    ("host-spoofed", lambda c: c.request("GET", "/", headers={"Host": "evil.example"}), {400}, None),
    ("host-with-userinfo", lambda c: c.request("GET", "/", headers={"Host": f"evil.example@{c.host}"}), {400}, None),
    (
        "x-forwarded-host-ignored",
        lambda c: c.request("GET", "/", headers={"X-Forwarded-Host": "evil.example"}),
        {200},
        None,
    ),
    # Content types and framing.
    (
        "multipart-without-boundary",
        lambda c: c.post_form(urlencode(c.form()).encode(), headers={"Content-Type": "multipart/form-data"}),
        {400},
        None,
    ),
    ("json-body", lambda c: c.post_form(b'{"body": "x"}', headers={"Content-Type": "application/json"}), {403}, None),
    (
        "chunked-body",
        lambda c: c.request(
            "POST",
            c.post_path,
            chunked(urlencode(c.form()).encode()),
            length=False,
            headers={"Transfer-Encoding": "chunked", "Content-Type": "application/x-www-form-urlencoded"},
        ),
        {403},
        None,
    ),
    (
        "chunked-and-content-length",
        lambda c: c.request(
            "POST",
            c.post_path,
            chunked(b"body=x"),
            headers={"Transfer-Encoding": "chunked", "Content-Type": "application/x-www-form-urlencoded"},
        ),
        {400},
        None,
    ),
    ("negative-content-length", lambda c: c.request("POST", "/", headers={"Content-Length": "-1"}), {400}, None),
    # Pages and paths.
    ("page-huge", lambda c: c.request("GET", "/latest/?page=999999999999"), {404}, None),
    ("page-negative", lambda c: c.request("GET", "/latest/?page=-1"), {404}, None),
    ("page-not-a-number", lambda c: c.request("GET", "/latest/?page=abc"), {404}, None),
    ("cpage-huge", lambda c: c.request("GET", c.article.get_absolute_url() + "?cpage=999999999999"), {200, 404}, None),
    ("cpage-negative", lambda c: c.request("GET", c.article.get_absolute_url() + "?cpage=-1"), {200, 404}, None),
    ("comment-id-overflow", lambda c: c.request("GET", "/comments/99999999999999999999/"), {404}, None),
    ("media-traversal", lambda c: c.request("GET", "/media/../../etc/passwd"), {404}, None),
    ("media-traversal-encoded", lambda c: c.request("GET", "/media/%2e%2e/%2e%2e/etc/passwd"), {404}, None),
    ("static-traversal-encoded", lambda c: c.request("GET", "/static/..%2f..%2fportal/settings.py"), {404}, None),
]


@pytest.mark.parametrize(("build", "expected", "check"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input(server, site, request, build, expected, check, record_property):
    ctx = Context(server.port, request.node.callspec.id, *site)
    answer = exchange(server.port, build(ctx))
    MEASURED[ctx.case] = (answer.status, answer.seconds)
    record_property("status", answer.status)
    record_property("seconds", round(answer.seconds, 3))
    print(f"{ctx.case}: {answer.status} in {answer.seconds:.3f} s")
    assert answer.status in expected, (answer.status, answer.head[:300], answer.body[:300])
    assert answer.seconds <= CASE_SECONDS, answer.seconds
    assert b"Traceback" not in answer.body
    if check is not None:
        check(ctx, answer)


def test_the_server_logged_no_error(server):
    """After the catalogue: no worker died or timed out, no request ended in an unhandled error.

    Django records each refused body or Host (RequestDataTooBig, TooManyFieldsSent, DisallowedHost...) at
    ERROR under django.security.*, and a multipart without boundary as a WARNING with its traceback:
    those are the client's errors, answered 400, and are not counted here.
    """
    log = server.log().splitlines()
    assert server.process.poll() is None
    errors = [
        line[:600]
        for line in log
        if ("level=ERROR" in line and "logger=django.security." not in line)
        or any(sign in line for sign in ("[ERROR]", "[CRITICAL]", "WORKER TIMEOUT", "Worker exiting", "status=5"))
    ]
    assert errors == []
    if MEASURED:
        statuses = sorted(status for status, _ in MEASURED.values())
        print(
            f"bad-input catalogue: {len(MEASURED)} cases, statuses "
            f"{ {status: statuses.count(status) for status in sorted(set(statuses))} }, "
            f"max {max(seconds for _, seconds in MEASURED.values()):.3f} s"
        )
