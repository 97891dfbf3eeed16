"""Loopback harness for load and fault tests: gunicorn, a TCP proxy that can fail, and HTTP clients.

- ``TcpProxy`` sits between gunicorn and PostgreSQL or Redis on 127.0.0.1. ``down()`` drops every
  connection and refuses new ones (a server restart or a stopped service), ``up()`` listens again on
  the same port, ``freeze()`` stops reading and accepting (a SIGSTOPped server: connects may complete
  in the kernel's backlog, nothing answers), ``thaw()`` resumes.
- ``Gunicorn`` starts ``gunicorn -c gunicorn.conf.py`` on a free loopback port with the production
  settings and the environment given, and stops it by its own process id (and its own process group).
- ``Reader`` is one browser: keep-alive HTTP/1.1, its own cookies, its own address in
  ``X-Forwarded-For`` (gunicorn runs with ``TRUSTED_PROXY_COUNT=1``, as behind nginx), HTTPS as nginx
  would report it (``X-Forwarded-Proto: https``). It reads the comment form like a browser and posts it
  with the real CSRF token, form token and submission token.

Used by tests/security/test_concurrency.py and test_faults.py, and by tools/faults.py for the long runs.
"""

import contextlib
import http.client
import json
import os
import random
import re
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "chaos-harness-secret-key-7f3c9a2e41b86d05e9f1c4a7b3d28e6f0a5c9b1d4e7f2a8c6b3d9e0f1a2b4c5d"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- A TCP proxy that can be taken down, brought up and frozen ------------------------------------------


class TcpProxy:
    """Relays 127.0.0.1:<port> to ``target``; one selector thread, bounded buffers, loopback only."""

    def __init__(self, target_host: str, target_port: int, port: int | None = None):
        self.target = (target_host, target_port)
        self.port = port or free_port()
        self.state = "up"
        self._selector = selectors.DefaultSelector()
        self._listener = None
        self._pairs: dict[socket.socket, socket.socket] = {}
        self._commands: list[tuple[str, threading.Event]] = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"proxy:{self.port}", daemon=True)
        self.connections = 0  # accepted so far

    def start(self) -> "TcpProxy":
        if self.state == "up":
            self._listen()
        self._thread.start()
        return self

    def _command(self, name: str) -> None:
        done = threading.Event()
        with self._lock:
            self._commands.append((name, done))
        if not done.wait(5):
            raise RuntimeError(f"proxy did not {name}")

    def down(self) -> None:
        """Close every connection and refuse new ones."""
        self._command("down")

    def up(self) -> None:
        """Accept connections again, on the same port."""
        self._command("up")

    def freeze(self) -> None:
        """Stop reading and accepting: clients hang until their own timeouts."""
        self._command("freeze")

    def thaw(self) -> None:
        self._command("thaw")

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(5)
        self._close_all()
        if self._listener is not None:
            self._listener.close()

    # The selector thread ---------------------------------------------------------------------------

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        listener.setblocking(False)
        self._listener = listener
        self._selector.register(listener, selectors.EVENT_READ, "listen")

    def _unlisten(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(self._listener)  # not registered while frozen
            self._listener.close()
            self._listener = None

    def _close_all(self) -> None:
        for sock in list(self._pairs):
            self._close(sock)

    def _close(self, sock: socket.socket) -> None:
        peer = self._pairs.pop(sock, None)
        for s in (sock, peer):
            if s is None:
                continue
            self._pairs.pop(s, None)
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(s)
            with contextlib.suppress(OSError):
                s.close()

    def _set_reading(self, reading: bool) -> None:
        for sock in list(self._pairs):
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(sock)
            if reading:
                self._selector.register(sock, selectors.EVENT_READ, "relay")
        if self._listener is not None:
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(self._listener)
            if reading:
                self._selector.register(self._listener, selectors.EVENT_READ, "listen")

    def _run_commands(self) -> None:
        with self._lock:
            commands, self._commands = self._commands, []
        for name, done in commands:
            if name == "down":
                self._unlisten()
                self._close_all()
            elif name == "up" and self._listener is None:
                self._listen()
                self._set_reading(True)
            elif name == "freeze":
                self._set_reading(False)
            elif name == "thaw":
                self._set_reading(True)
            self.state = {"down": "down", "up": "up", "freeze": "frozen", "thaw": "up"}[name]
            done.set()

    def _accept(self) -> None:
        try:
            client, _ = self._listener.accept()
        except (BlockingIOError, OSError):
            return
        try:
            upstream = socket.create_connection(self.target, timeout=2)
        except OSError:
            client.close()
            return
        self.connections += 1
        for s in (client, upstream):
            s.settimeout(5)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._pairs[client] = upstream
        self._pairs[upstream] = client
        self._selector.register(client, selectors.EVENT_READ, "relay")
        self._selector.register(upstream, selectors.EVENT_READ, "relay")

    def _relay(self, sock: socket.socket) -> None:
        peer = self._pairs.get(sock)
        if peer is None:
            return
        try:
            data = sock.recv(65536)
            if data:
                peer.sendall(data)
                return
        except OSError:
            pass
        self._close(sock)

    def _loop(self) -> None:
        while not self._stopped.is_set():
            self._run_commands()
            if not self._selector.get_map():
                time.sleep(0.02)
                continue
            for key, _mask in self._selector.select(timeout=0.05):
                if key.data == "listen":
                    self._accept()
                else:
                    self._relay(key.fileobj)


# --- gunicorn on loopback -----------------------------------------------------------------------------


# Every load client is 127.0.0.1 (or one of a few addresses): per-address comment limits and the
# new-author hold would measure the rate limiter, not the server. For server_env(**UNLIMITED_POSTING).
UNLIMITED_POSTING = {
    "COMMENTS_RATE_POST_IP": "1000000/m",
    "COMMENTS_RATE_POST_AUTHOR": "1000000/m",
    "COMMENTS_MIN_SUBMIT_SECONDS": 0,
    "COMMENTS_NEW_AUTHOR_HELD": 0,
    "COMMENTS_UNSTAFFED_HOURS": "",
}


def server_env(*, database_url: str, cache_url: str, **extra) -> dict[str, str]:
    """Production settings (DEBUG off, HTTPS behind one trusted proxy) for a loopback run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "COMMENTS_"))}
    env.update(
        {
            "DATABASE_URL": database_url,
            "CACHE_URL": cache_url,
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "TRUSTED_PROXY_COUNT": "1",
            # collectstatic is not run for a test server: plain static storage (no manifest lookups).
            "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "LOG_LEVEL": "WARNING",
            "GUNICORN_ACCESS_LOG": "",
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        }
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


class Gunicorn:
    """``gunicorn -c gunicorn.conf.py <app>`` on 127.0.0.1:<free port>; its output goes to ``log_path``."""

    def __init__(self, env: dict, *, app: str = "portal.wsgi:application", log_path: Path, workers=3, threads=4):
        self.port = free_port()
        self.env = {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_THREADS": str(threads),
            "GUNICORN_MAX_REQUESTS": "0",  # no planned worker restarts inside a measured run
        }
        self.app = app
        self.log_path = Path(log_path)
        self.process = None

    def start(self, *, wait: float = 30) -> "Gunicorn":
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(BASE_DIR / "gunicorn.conf.py"), self.app],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so its workers are stopped with it
        )
        log.close()
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log()[-3000:]}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not listen within {wait} s:\n{self.log()[-3000:]}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        pgid = self.process.pid  # the group this process leads (start_new_session)
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
            self.process.wait(5)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)  # any worker left behind by its master

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# --- A reader: one browser on loopback ------------------------------------------------------------------

_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')
_COMMENT_FORM = re.compile(r"<form[^>]*data-comment-form[^>]*>(.*?)</form>", re.DOTALL | re.IGNORECASE)


def form_fields(html: str) -> dict[str, str]:
    """The named inputs of the page's comment form (hidden ones included) with their values."""
    match = _COMMENT_FORM.search(html)
    if not match:
        return {}
    fields = {}
    for tag in _INPUT.findall(match.group(1)):
        attrs = dict(_ATTR.findall(tag))
        if "name" in attrs:
            fields[attrs["name"]] = attrs.get("value", "")
    return fields


@dataclass
class Result:
    kind: str
    started: float  # monotonic
    seconds: float
    status: int  # 0: connection error
    body: bytes = b""
    error: str = ""
    data: dict = field(default_factory=dict)

    @property
    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return {}


class Reader:
    """One browser: keep-alive connection, cookies, a client address of its own, HTTPS via the proxy header."""

    def __init__(self, port: int, address: str, *, timeout: float = 15):
        self.port = port
        self.address = address
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.conn = None

    def _connection(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        return self.conn

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method: str, path: str, *, kind: str = "", form: dict | None = None, headers=None) -> Result:
        host = f"127.0.0.1:{self.port}"
        head = {
            "Host": host,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            "User-Agent": "vestnik-chaos/1",
            "Accept": "text/html",
        }
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            head["Content-Type"] = "application/x-www-form-urlencoded"
            head["Origin"] = f"https://{host}"
            head["Referer"] = f"https://{host}/"
        head.update(headers or {})
        started = time.monotonic()
        for attempt in (1, 2):
            reused = self.conn is not None
            try:
                conn = self._connection()
                conn.request(method, path, body=body, headers=head)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                # A kept-alive connection the server has closed meanwhile: send again on a new one, as
                # browsers do. Any other failure is the answer.
                stale = isinstance(exc, (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected))
                if attempt == 1 and reused and stale:
                    continue
                return Result(kind or method, started, time.monotonic() - started, 0, error=type(exc).__name__)
            break
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return Result(kind or method, started, time.monotonic() - started, response.status, data)

    def get(self, path: str, **kwargs) -> Result:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, form: dict, **kwargs) -> Result:
        return self.request("POST", path, form=form, **kwargs)

    def open_form(self, article_path: str) -> tuple[Result, dict]:
        """GET the article page like a browser and read its comment form, with this reader's CSRF token: a page
        shared by every reader carries none, so it is fetched from /csrf-token/ as static/js/csrf.js does."""
        result = self.get(article_path, kind="read")
        fields = form_fields(result.body.decode(errors="replace")) if result.status == 200 else {}
        if fields and not fields.get("csrfmiddlewaretoken"):
            token = self.get("/csrf-token/", kind="token", headers={"Accept": "application/json"})
            fields["csrfmiddlewaretoken"] = token.json.get("token", "") if token.status == 200 else ""
        return result, fields

    def post_comment(self, article_id: int, fields: dict, body: str, *, name: str, parent: str = "") -> Result:
        """Send the comment form as comments.js does (JSON answer); on success ``fields`` gets the next tokens."""
        form = {**fields, "author_name": name, "body": body, "parent": parent, "website": ""}
        result = self.post(
            f"/comments/article/{article_id}/post/", form, kind="post", headers={"Accept": "application/json"}
        )
        answer = result.json
        if answer.get("ok"):
            fields["token"], fields["submission"] = answer["token"], answer["submission"]
        return result


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


# --- Mixed load with timed faults ----------------------------------------------------------------------


def mixed_load(
    port: int,
    article,
    *,
    clients: int,
    seconds: float,
    post_share: float = 0.2,
    events=(),
    probe: str = "/healthz",
    seed: int = 8,
    pause: float = 0.0,
) -> tuple[list[Result], dict[str, float]]:
    """``clients`` readers for ``seconds``: reads of the article page and home, ``post_share`` comment posts.

    Each reader waits ``pause`` seconds between requests (0: as fast as the server answers, which
    saturates it, so latency measures its capacity rather than the request's own cost).

    ``events`` are ``(at_seconds, name, callable)`` run on time by a conductor thread (e.g. proxy.down);
    a probe thread GETs ``probe`` every 100 ms (kind "probe"). Returns every result and the monotonic
    time each event began (``"<name>:begin"``) and was done (``"<name>"``). Every loop ends at the deadline.
    """
    started = time.monotonic()
    deadline = started + seconds
    marks: dict[str, float] = {"start": started}
    lock = threading.Lock()
    results: list[Result] = []

    def keep(result: Result) -> None:
        with lock:
            results.append(result)

    def conductor():
        for at, name, action in sorted(events, key=lambda e: e[0]):
            time.sleep(max(0.0, started + at - time.monotonic()))
            marks[f"{name}:begin"] = time.monotonic()
            action()
            marks[name] = time.monotonic()

    def prober():
        browser = Reader(port, "127.0.0.1", timeout=10)
        while time.monotonic() < deadline:
            keep(browser.get(probe, kind="probe"))
            time.sleep(0.1)
        browser.close()

    def reader(n: int):
        rng = random.Random(seed * 1000 + n)
        browser = Reader(port, f"198.18.{n // 250}.{n % 250 + 1}", timeout=12)
        fields: dict = {}
        i = 0
        while time.monotonic() < deadline:
            if rng.random() < post_share:
                if not fields.get("csrfmiddlewaretoken"):
                    opened, fields = browser.open_form(article.get_absolute_url())
                    keep(opened)
                    if not fields.get("csrfmiddlewaretoken"):
                        time.sleep(0.1)
                        continue
                i += 1
                # The article's id in the text: a rerun on the same database is not "the same comment again".
                body = f"Читател {n} пише мнение номер {i} по темата {article.pk}."
                result = browser.post_comment(article.pk, fields, body, name=f"Читател {n}")
                keep(result)
                if not result.json.get("ok"):
                    fields = {}
            else:
                path = article.get_absolute_url() if rng.random() < 0.7 else "/"
                keep(browser.get(path, kind="read"))
            if pause:
                time.sleep(pause * (0.5 + rng.random()))
        browser.close()

    threads = [threading.Thread(target=conductor, daemon=True), threading.Thread(target=prober, daemon=True)]
    threads += [threading.Thread(target=reader, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 30)
    return results, marks


# --- A storm of comment posts ---------------------------------------------------------------------------


def post_storm(port: int, article, *, clients: int, posts: int) -> tuple[list[Result], float]:
    """``clients`` readers post ``posts`` comments to one article, all at once; every answer is kept."""
    per_client = posts // clients
    start = threading.Barrier(clients)

    def reader(n: int):
        browser = Reader(port, f"198.51.{100 + n // 250}.{n % 250 + 1}")
        results = []
        opened, fields = browser.open_form(article.get_absolute_url())
        results.append(opened)
        start.wait()
        for i in range(per_client):
            body = f"Мнение на читател {n}, номер {i} по статия {article.pk}: съгласен съм."
            result = browser.post_comment(article.pk, fields, body, name=f"Читател {n}")
            results.append(result)
            if not result.json.get("ok"):
                _, fields = browser.open_form(article.get_absolute_url())
        browser.close()
        return results

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        results = [r for batch in pool.map(reader, range(clients)) for r in batch]
    return results, time.monotonic() - started


def summary(results: list[Result], seconds: float) -> dict:
    """Counts and post latencies of a run, for the report."""
    posts = [r for r in results if r.kind == "post"]
    latencies = [r.seconds for r in posts]
    return {
        "posts": len(posts),
        "ok": sum(1 for r in posts if r.status == 200 and r.json.get("ok")),
        "5xx": sum(1 for r in results if r.status >= 500),
        "errors": sum(1 for r in results if r.status == 0),
        "statuses": sorted({r.status for r in results}),
        "p50": round(percentile(latencies, 50), 3),
        "p95": round(percentile(latencies, 95), 3),
        "max": round(max(latencies, default=0), 3),
        "seconds": round(seconds, 1),
    }
