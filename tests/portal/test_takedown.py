"""A takedown reaches every reader within 3 s: through nginx's micro-cache and straight from gunicorn.

The acceptance test for "an unpublished article stays on the site". Real gunicorn (gunicorn.conf.py, 3 workers
x 2 threads, production settings) on the test database and Redis (a key prefix of its own), behind the real nginx
running deploy/nginx.conf on loopback (tests/portal/test_nginx.py: no TLS, so the proxy says https itself).
Three anonymous readers read one article through nginx and three straight from gunicorn, one request every
50 ms each, cookieless. Two seconds in, another process (`manage.py shell`, the servers' environment) changes
the article with `save()`, so the signals run as they do for an editor; the readers go on for 8 s.

From 3 s after the change on, every answer on both paths must be the new one: 404 for an unpublished
article, 301 to the new address for a renamed one. Run with ``-s`` for a table of answers per second.
PostgreSQL and Redis (TEST_REDIS_URL, or CACHE_URL when that is Redis) and nginx only: skipped otherwise.
"""

import contextlib
import http.client
import math
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass

import pytest
from django.db import connection

from tests.factories import ArticleFactory
from tests.portal.test_nginx import DEPLOY, NGINX, free_port, loopback_config, running_nginx
from tests.security.conftest import database_url
from tools.chaos import BASE_DIR, Gunicorn, server_env

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.skipif(NGINX is None, reason="nginx not installed (apt-get install -y nginx)"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (gunicorn shares the database)"),
]

HOST = "vestnik.example"  # deploy/nginx.conf's server_name
REDIS_URL = os.environ.get("TEST_REDIS_URL") or os.environ.get("CACHE_URL", "")
READERS = 3  # per path
INTERVAL = 0.05  # seconds between one reader's requests
BEFORE = 2.0  # seconds of reading before the change
AFTER = 8.0  # seconds of reading after it
GRACE = 3.0  # the takedown must be complete this long after the change
MAX_REQUESTS = 1000  # per reader; at one request per INTERVAL a run makes about 220
CHANGES = {
    # variant: (Python run on `article` in another process, status expected after GRACE)
    "unpublish": ("article.status = 'draft'\narticle.save()", 404),
    "rename": ("article.slug += '-nov-adres'\narticle.save()", 301),
}


@dataclass(frozen=True)
class Answer:
    sent: float  # time.time() when the request went out
    received: float  # ...and when its answer was in
    path: str  # "nginx" or "gunicorn"
    status: int  # 0: no answer (connection error or timeout)
    micro: str  # X-Micro-Cache (nginx)
    page: str  # X-Page-Cache (Django)
    location: str


@dataclass(frozen=True)
class Site:
    env: dict
    ports: dict  # path: port


def redis_url() -> str:
    """The Redis the servers use, reachable, or the test is skipped."""
    if not REDIS_URL.startswith("redis://"):
        pytest.skip("needs Redis: TEST_REDIS_URL or a redis:// CACHE_URL")
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    return REDIS_URL


@contextlib.contextmanager
def nginx_in_front_of(app_port: int, work):
    """deploy/nginx.conf on loopback, proxying to ``app_port``; yields the port of its HTTPS server block."""
    http_port, https_port = free_port(), free_port()
    site = loopback_config(DEPLOY.read_text(encoding="utf-8"), http_port, https_port, work)
    for production, loopback in [
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};"),
        # $scheme is https in that block in production; on loopback it is plain HTTP.
        ("X-Forwarded-Proto $scheme;", "X-Forwarded-Proto https;"),
    ]:
        assert production in site, f"deploy/nginx.conf no longer has {production!r}"
        site = site.replace(production, loopback)
    with running_nginx(site, work, https_port, connections=256):
        yield https_port


@pytest.fixture(scope="module")
def site(django_db_setup, tmp_path_factory):
    import redis

    cache = redis_url()
    work = tmp_path_factory.mktemp("takedown")
    prefix = f"takedown-{uuid.uuid4().hex[:12]}"
    separator = "&" if "?" in cache else "?"
    env = server_env(
        database_url=database_url(conn_max_age=60, conn_health_checks="true"),
        # Its own key prefix: the suite's own cache may be this Redis database (and is cleared between tests).
        cache_url=f"{cache}{separator}key_prefix={prefix}",
        DEBUG="0",
        ALLOWED_HOSTS=HOST,
    )
    with (
        Gunicorn(env, log_path=work / "gunicorn.log", workers=3, threads=2) as app,
        nginx_in_front_of(app.port, work) as https_port,
    ):
        yield Site(env=env, ports={"nginx": https_port, "gunicorn": app.port})
    client = redis.Redis.from_url(cache)
    for key in client.scan_iter(f"{prefix}:*", count=1000):  # the page cache's versions never expire
        client.delete(key)


def headers_for(path: str, reader: int) -> dict:
    """An anonymous reader's request: no cookies; straight to gunicorn it carries what nginx would add."""
    headers = {"Host": HOST, "User-Agent": "vestnik-takedown/1", "Accept": "text/html"}
    if path == "gunicorn":
        headers.update({"X-Forwarded-Proto": "https", "X-Forwarded-For": f"203.0.113.{reader + 1}"})
    return headers


def fetch(port: int, path: str, url: str, headers: dict) -> Answer:
    """One GET on a new connection (a reader arriving: straight to gunicorn, any worker may take it)."""
    sent = time.time()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", url, headers=headers)
        response = conn.getresponse()
        response.read()
    except (OSError, http.client.HTTPException):
        return Answer(sent, time.time(), path, 0, "-", "-", "")
    finally:
        conn.close()
    return Answer(
        sent=sent,
        received=time.time(),
        path=path,
        status=response.status,
        micro=response.getheader("X-Micro-Cache", "-"),
        page=response.getheader("X-Page-Cache", "-"),
        location=response.getheader("Location", ""),
    )


def read(port: int, path: str, url: str, headers: dict, stop: threading.Event, answers: list) -> None:
    """One reader: a request every INTERVAL until ``stop`` (or MAX_REQUESTS)."""
    for _ in range(MAX_REQUESTS):
        if stop.is_set():
            break
        started = time.monotonic()
        answers.append(fetch(port, path, url, headers))
        stop.wait(max(0.0, INTERVAL - (time.monotonic() - started)))


def change_in_another_process(env: dict, pk: int, change: str) -> subprocess.Popen:
    """`manage.py shell` with the servers' environment: loads the article, waits for a line, changes it."""
    script = (
        "import sys, time\n"
        "from articles.models import Article\n"
        f"article = Article.objects.get(pk={pk})\n"
        "sys.stdin.readline()\n"
        "print('saving', time.time())\n"
        f"{change}\n"
        "print('saved', time.time(), flush=True)\n"
    )
    return subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=BASE_DIR,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def summary(answers: list[Answer], changed_at: float, title: str) -> str:
    """Answers per second since the change and path: statuses, then the cache states seen."""
    rows = {}
    for answer in answers:
        second = math.floor(answer.sent - changed_at)
        rows.setdefault(second, {"nginx": Counter(), "gunicorn": Counter()})
        counts = rows[second][answer.path]
        counts[str(answer.status)] += 1
        counts[answer.micro if answer.path == "nginx" else answer.page] += 1
    lines = [title, f"{'s':>4} | {'nginx: status x n, X-Micro-Cache':<52} | gunicorn: status x n, X-Page-Cache"]
    for second in sorted(rows):
        cells = []
        for path in ("nginx", "gunicorn"):
            counts = rows[second][path]
            statuses = " ".join(f"{k}x{v}" for k, v in sorted(counts.items()) if k.isdigit())
            states = " ".join(f"{k} {v}" for k, v in sorted(counts.items()) if not k.isdigit())
            cells.append(f"{statuses} [{states}]")
        lines.append(f"{second:>4} | {cells[0]:<52} | {cells[1]}")
    return "\n".join(lines)


@pytest.mark.django_db(transaction=True)  # committed: gunicorn and the changing process see the article
@pytest.mark.parametrize("variant", sorted(CHANGES))
def test_a_takedown_reaches_every_reader_within_3_s(site, variant):
    change, expected = CHANGES[variant]
    article = ArticleFactory(title="Новина, която ще бъде свалена", slug=f"svalena-{variant}-{uuid.uuid4().hex[:6]}")
    url = article.get_absolute_url()
    article.slug += "-nov-adres"
    moved_to = article.get_absolute_url() if expected == 301 else ""
    editor = change_in_another_process(site.env, article.pk, change)  # starts Django while the readers warm up
    try:
        # Warm every layer: nginx's micro-cache, the page cache in Redis and in each gunicorn worker.
        for path, port in site.ports.items():
            for _ in range(12):
                warm = fetch(port, path, url, headers_for(path, 0))
                assert warm.status == 200, (path, warm)
        answers, stop = [], threading.Event()
        readers = [
            threading.Thread(target=read, args=(port, path, url, headers_for(path, n), stop, answers), daemon=True)
            for path, port in site.ports.items()
            for n in range(READERS)
        ]
        for reader in readers:
            reader.start()
        try:
            time.sleep(BEFORE)
            out, err = editor.communicate("go\n", timeout=30)
            assert editor.returncode == 0, err[-3000:]
            moments = dict(line.split() for line in out.splitlines() if line.startswith(("saving ", "saved ")))
            saving, changed_at = float(moments["saving"]), float(moments["saved"])
            time.sleep(max(0.0, changed_at + AFTER - time.time()))
        finally:
            stop.set()
            for reader in readers:
                reader.join(timeout=10)
    finally:
        if editor.poll() is None:
            editor.kill()
            editor.wait(5)

    table = summary(answers, changed_at, f"takedown by {variant}: answers per second since the change")
    print(f"\n{table}")
    # The readers did read the article. (A request sent before the change may be answered after it: nginx's
    # cache lock holds requests for a page while one of them is with Django.)
    before = [a for a in answers if a.received < saving]
    assert before and all(a.status == 200 for a in before), table
    # ...from the caches under test: a takedown that works only because a cache is off proves nothing.
    for path, cached in [("nginx", "micro"), ("gunicorn", "page")]:
        hits = sum(getattr(a, cached).lower() == "hit" for a in before if a.path == path)
        assert hits, f"no cache hit through {path} before the change: the cache under test is not in use\n{table}"
    late = [a for a in answers if a.sent >= changed_at + GRACE]
    for path in site.ports:
        # About 100 per reader at one request per INTERVAL; fewer when every page is rendered (no page cache).
        assert sum(a.path == path for a in late) >= READERS * 10, (path, table)
    # A 301 must lead to the new address (Django answers with the path).
    wrong = Counter((a.path, a.status, a.location) for a in late if (a.status, a.location) != (expected, moved_to))
    assert not wrong, f"answers other than {expected} from {GRACE:.0f} s after the change on: {dict(wrong)}\n{table}"
