"""Shared nothing: two app servers on one PostgreSQL and Redis behave as one site.

Two gunicorn processes (gunicorn.conf.py) on two loopback ports, the same test database, the same
Redis and the same media folder (in production: object storage or a shared mount). A sign-in through
one is a sign-in through the other, an image uploaded through one is served by the other, and a
comment posted through one is on the page the other serves within seconds (its page cache included).
PostgreSQL and Redis only: skipped on SQLite.
"""

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.db import connection

from articles.models import Image
from tests.factories import ArticleFactory, UserFactory, png_bytes

ROOT = Path(__file__).resolve().parents[2]
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
PASSWORD = "Dalgo-i-Slozhno-2025!"


def reloaded_settings(monkeypatch, **environ):
    """portal/settings.py evaluated again with ``environ`` added."""
    import importlib

    import portal.settings as module

    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    try:
        fresh = importlib.reload(module)
        names = ("STORAGES", "DATABASES", "MIDDLEWARE", "CONTENT_SECURITY_POLICY")
        return {name: getattr(fresh, name) for name in names if hasattr(fresh, name)}
    finally:
        monkeypatch.undo()
        importlib.reload(module)


def img_src(found: dict) -> list[str]:
    return found["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"]


def test_media_stays_on_local_disk_without_a_bucket(monkeypatch):
    monkeypatch.delenv("AWS_STORAGE_BUCKET_NAME", raising=False)
    monkeypatch.delenv("MEDIA_URL", raising=False)
    found = reloaded_settings(monkeypatch)
    assert found["STORAGES"]["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert img_src(found) == ["'self'"]


def test_media_on_another_https_host_is_allowed_by_the_csp(monkeypatch):
    monkeypatch.delenv("AWS_STORAGE_BUCKET_NAME", raising=False)
    found = reloaded_settings(monkeypatch, MEDIA_URL="https://media.vestnik.example/files/")
    assert img_src(found) == ["'self'", "https://media.vestnik.example"]


def test_a_bucket_switches_media_to_s3_compatible_storage(monkeypatch):
    storages = reloaded_settings(
        monkeypatch,
        AWS_STORAGE_BUCKET_NAME="vestnik-media",
        AWS_S3_ENDPOINT_URL="https://objects.example",
        AWS_S3_CUSTOM_DOMAIN="media.vestnik.example",
    )["STORAGES"]
    default = storages["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"]["bucket_name"] == "vestnik-media"
    assert default["OPTIONS"]["endpoint_url"] == "https://objects.example"
    assert default["OPTIONS"]["custom_domain"] == "media.vestnik.example"
    assert default["OPTIONS"]["querystring_auth"] is False  # public, cacheable image URLs
    assert "max-age" in default["OPTIONS"]["object_parameters"]["CacheControl"]
    assert storages["staticfiles"]["BACKEND"] != default["BACKEND"]  # static files stay with WhiteNoise
    config = default["OPTIONS"]["client_config"]
    # An unreachable or hung storage answers an upload within seconds, not at gunicorn's timeout.
    assert config.connect_timeout <= 3 and config.read_timeout <= 5
    assert config.retries == {"mode": "standard", "total_max_attempts": 2}
    assert config.s3 == {"addressing_style": "auto"}


@pytest.mark.parametrize(
    ("environ", "origin"),
    [
        ({"AWS_S3_REGION_NAME": "eu-central-1"}, "https://vestnik-media.s3.amazonaws.com"),
        ({"AWS_S3_ENDPOINT_URL": "https://fsn1.your-objectstorage.com"}, "https://fsn1.your-objectstorage.com"),
        (
            {"AWS_S3_ENDPOINT_URL": "https://objects.example", "AWS_S3_ADDRESSING_STYLE": "virtual"},
            "https://vestnik-media.objects.example",
        ),
        ({"AWS_S3_ENDPOINT_URL": "https://objects.example", "AWS_S3_CUSTOM_DOMAIN": "media.vestnik.example"}, None),
    ],
    ids=["aws", "s3-compatible", "virtual-hosted", "custom-domain"],
)
def test_the_csp_lets_pages_load_images_from_where_the_storage_puts_them(monkeypatch, environ, origin):
    for name in ("AWS_S3_ENDPOINT_URL", "AWS_S3_REGION_NAME", "AWS_S3_CUSTOM_DOMAIN", "AWS_S3_ADDRESSING_STYLE"):
        monkeypatch.delenv(name, raising=False)
    found = reloaded_settings(monkeypatch, AWS_STORAGE_BUCKET_NAME="vestnik-media", **environ)
    assert img_src(found) == ["'self'", origin or "https://media.vestnik.example"]


def test_a_replica_url_adds_the_router_and_its_middleware(monkeypatch):
    found = reloaded_settings(monkeypatch, DATABASE_REPLICA_URL="postgres://reader@replica.example:5432/vestnik")
    assert found["DATABASES"]["replica"]["HOST"] == "replica.example"
    assert found["DATABASES"]["replica"]["TEST"] == {"MIRROR": "default"}
    assert found["MIDDLEWARE"][0] == "portal.db_router.PrimaryPinMiddleware"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """A cookie-keeping client for one server; cookies can be carried to another."""

    def __init__(self, base: str, jar: http.cookiejar.CookieJar | None = None):
        self.base = base
        self.jar = jar if jar is not None else http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def request(self, path: str, data: bytes | None = None, headers: dict | None = None):
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def get(self, path: str):
        return self.request(path)

    def post(self, path: str, fields: dict, files: dict | None = None):
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, content, kind) in (files or {}).items():
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {kind}\r\n\r\n"
            )
            parts.append(head.encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request(path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def hidden_fields(html: str, form_marker: str) -> dict:
    form = re.search(rf"<form[^>]*{form_marker}.*?</form>", html, re.DOTALL).group(0)
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def up(base: str) -> bool:
    try:
        return Browser(base).get("/healthz")[0] == 200
    except OSError:  # not listening yet
        return False


@pytest.fixture
def servers(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (the servers share the test database)")
    import redis

    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {TEST_REDIS_URL}")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        # Its own key prefix: other runs may share this Redis database.
        "CACHE_URL": f"{TEST_REDIS_URL}?key_prefix=scaleout-{uuid.uuid4().hex[:12]}",
        "SECRET_KEY": "scale-out-test-" + uuid.uuid4().hex * 2,
        "DEBUG": "1",  # only so that Django serves /media/ as nginx would
        "SECURE_SSL": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "MEDIA_ROOT": str(tmp_path / "shared-media"),
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
        "GUNICORN_ACCESS_LOG": "",
        "COMMENTS_MIN_SUBMIT_SECONDS": "0",
        "COMMENTS_NEW_AUTHOR_HELD": "0",  # published at once, whatever the hour
        "COMMENTS_UNSTAFFED_HOURS": "",
        "PYTHONPATH": str(ROOT),
    }
    procs, bases = [], []
    for _ in range(2):
        port = free_port()
        log = open(tmp_path / f"gunicorn-{port}.log", "wb")  # noqa: SIM115 - closed below
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "portal.wsgi"],
            cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            stdout=log,
            stderr=log,
        )
        procs.append((proc, log))
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base in bases:
            deadline = time.monotonic() + 30
            while not up(base):
                assert time.monotonic() < deadline, [p.read_text() for p in tmp_path.glob("gunicorn-*.log")]
                time.sleep(0.2)
        yield (*bases, tmp_path / "shared-media")
    finally:
        for proc, log in procs:
            proc.terminate()
            proc.wait(15)
            log.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
@pytest.mark.redis
def test_two_app_servers_share_sessions_uploads_and_comments(servers):
    one, two, media = servers
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    # The servers run the production hashers, not the suite's fast MD5 one.
    hashed = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt(), iterations=1000)
    editor_user = UserFactory(username="urednik", staff=True)
    type(editor_user).objects.filter(pk=editor_user.pk).update(password=hashed)
    article = ArticleFactory(title="Новина за двата сървъра", slug="novina-za-dvata-survara")
    url = article.get_absolute_url()

    # Signed in through one: the session (Redis + PostgreSQL) is valid on the other.
    editor = Browser(one)
    _, _, page = editor.get("/redakcia/login/")
    token = hidden_fields(page.decode(), 'id="login-form"')["csrfmiddlewaretoken"]
    login = {"csrfmiddlewaretoken": token, "username": "urednik", "password": PASSWORD}
    status, _, _ = editor.post("/redakcia/login/", login)
    assert status == 302
    assert Browser(two, editor.jar).get("/redakcia/")[0] == 200

    # An image uploaded through one is served by the other.
    _, _, page = editor.get("/redakcia/articles/image/add/")
    token = hidden_fields(page.decode(), 'enctype="multipart/form-data"')["csrfmiddlewaretoken"]
    status, _, _ = editor.post(
        "/redakcia/articles/image/add/",
        {"csrfmiddlewaretoken": token, "caption": "Снимка от двата сървъра", "credit": "БГНЕС", "alt_text": "Площад"},
        files={"file": ("snimka.png", png_bytes(800, 600), "image/png")},
    )
    assert status == 302
    image = Image.objects.get(caption="Снимка от двата сървъра")
    for path in [image.file.url, *(image.rendition_url(w) for w in (320, 640))]:
        status, headers, body = Browser(two).get(path)
        assert status == 200, path
        assert headers["Content-Type"].startswith("image/")
        assert body == (media / path.removeprefix("/media/")).read_bytes()

    # A comment posted through one shows on the page the other serves (its page cache warmed first).
    reader_two = Browser(two)
    assert reader_two.get(url)[0] == 200
    assert Browser(two).get(url)[1].get("X-Page-Cache") == "hit"
    reader = Browser(one)
    _, _, page = reader.get(url)
    form = re.search(r'<form class="comment-form"[^>]*action="([^"]+)"', page.decode()).group(1)
    fields = hidden_fields(page.decode(), 'class="comment-form"')
    assert "csrfmiddlewaretoken" not in fields  # a shared page: the token comes as static/js/csrf.js fetches it
    fields["csrfmiddlewaretoken"] = json.loads(reader.get("/csrf-token/")[2])["token"]
    fields.update(author_name="Читател от едно", body="Коментар през първия сървър, прочетен през втория.", website="")
    status, _, _ = reader.post(form, fields)
    assert status in (302, 303)
    deadline = time.monotonic() + 5
    while True:
        _, _, html = Browser(two).get(url)
        if "Коментар през първия сървър" in html.decode():
            break
        assert time.monotonic() < deadline, "the comment did not show through the second server"
        time.sleep(0.25)
