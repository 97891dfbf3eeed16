"""Load phase: gunicorn (gunicorn.conf.py) on PostgreSQL + Redis, nginx in front, wrk as the client.

Five ways of serving the article page with 200 comments, alternating in one run and repeated:

- ``django uncached``: the page rendered on every request (``?bench=1`` is a parameter the page cache
  does not know, so it renders for this request alone; fragment caches stay warm);
- ``django app cache``: served from the page cache in Redis with this reader's CSRF token;
- ``django bare view``: a bare Django view returning the same bytes (the framework's ceiling);
- ``django lookup only`` and ``django lookup + form``: the same bytes after the article page's own lookup,
  and after that and its comment form (bench/urls.py): how much of the ceiling a render's first steps use;
- ``nginx static``: nginx serving the same bytes as a file (the machine's limit);
- ``nginx micro-cache``: nginx's 2-second micro-cache in front of gunicorn (deploy/nginx.conf rules).

Then a write mix: comment posts through nginx (as a browser would: page, /csrf-token/, post), alone
and while wrk reads the same article. Loopback only; every loop bounded; servers stopped by pid.
"""

import contextlib
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from bench.seed import WRITER_NAME

ROOT = Path(__file__).resolve().parent.parent
APP_PORT = int(os.environ.get("BENCH_APP_PORT", 18461))
NGINX_PORT = int(os.environ.get("BENCH_NGINX_PORT", 18462))
DURATION = int(os.environ.get("BENCH_DURATION", 8))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 3))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", 32))
WRITERS = int(os.environ.get("BENCH_WRITERS", 4))
HTTPS = "X-Forwarded-Proto: https"


def wait_for(url: str, *, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def fetch(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https", **(headers or {})})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def start_gunicorn(scratch: Path, env: dict) -> subprocess.Popen:
    log = open(scratch / "gunicorn.log", "ab")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "portal.wsgi"],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{APP_PORT}", "GUNICORN_ACCESS_LOG": ""},
        stdout=log,
        stderr=log,
    )
    wait_for(f"http://127.0.0.1:{APP_PORT}/healthz")
    return proc


def start_nginx(scratch: Path) -> int:
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi", "micro"):
        (scratch / sub).mkdir(parents=True, exist_ok=True)
    conf = (Path(__file__).parent / "nginx.conf.tmpl").read_text()
    for key, value in {"SCRATCH": str(scratch), "APP_PORT": str(APP_PORT), "NGINX_PORT": str(NGINX_PORT)}.items():
        conf = conf.replace(f"@{key}@", value)
    (scratch / "nginx.conf").write_text(conf)
    subprocess.run(["nginx", "-c", str(scratch / "nginx.conf"), "-p", str(scratch)], check=True)
    wait_for(f"http://127.0.0.1:{NGINX_PORT}/__bench/static.html")
    return int((scratch / "nginx.pid").read_text())


def stop(pid: int, sig=signal.SIGTERM, seconds: float = 10) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)


def drain(app: str, *, seconds: float = 60) -> None:
    """Wait until gunicorn has worked off what the last run left queued (slow renders), so that the
    next mode does not pay for the previous one."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        start = time.perf_counter()
        with contextlib.suppress(OSError):
            fetch(app + "/healthz")
        if time.perf_counter() - start < 0.05:
            break
        time.sleep(0.5)
    time.sleep(1)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * UNITS[unit]


def wrk(url: str, *, duration: int = DURATION, connections: int = CONNECTIONS) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency", "-H", HTTPS, url],
        capture_output=True,
        text=True,
        timeout=duration + 30,
        check=True,
    ).stdout
    latency = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)\s*$", out, re.MULTILINE))
    if "99" not in latency:
        raise RuntimeError(f"unexpected wrk output for {url}:\n{out}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": _ms(latency["50"]),
        "p99_ms": _ms(latency["99"]),
        "errors": (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, socket.groups())) if socket else 0),
        "raw": out.strip(),
    }


# The write mix -----------------------------------------------------------------------------------


class Writer(threading.Thread):
    """One browser posting comments through nginx, the way static/js/csrf.js and a form post do."""

    def __init__(self, n: int, article_path: str, stop_at: float, limit: int):
        super().__init__(daemon=True)
        self.n, self.article_path, self.stop_at, self.limit = n, article_path, stop_at, limit
        self.ok = self.errors = 0
        self.statuses: dict[int, int] = {}
        self.latencies: list[float] = []

    def request(self, conn, method, path, body=None, headers=None):
        conn.request(method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})})
        response = conn.getresponse()
        data = response.read()
        return response, data

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", NGINX_PORT, timeout=15)
        _, page = self.request(conn, "GET", self.article_path)
        form = re.search(rb'<form class="comment-form".*?</form>', page, re.DOTALL).group(0).decode()
        action = re.search(r'action="([^"]+)"', form).group(1)
        hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)"(?: value="([^"]*)")?', form))
        response, data = self.request(conn, "GET", "/csrf-token/", headers={"Accept": "application/json"})
        cookie = response.getheader("Set-Cookie").split(";", 1)[0]
        hidden["csrfmiddlewaretoken"] = json.loads(data)["token"]
        sent = 0
        while time.monotonic() < self.stop_at and sent < self.limit:
            sent += 1
            fields = {
                **hidden,
                "author_name": f"{WRITER_NAME}{self.n}-{sent}",
                "body": f"Коментар номер {sent} от писател {self.n}: мнението ми по темата е ясно и кратко.",
                "website": "",
            }
            start = time.perf_counter()
            try:
                response, _ = self.request(
                    conn,
                    "POST",
                    action,
                    body=urlencode(fields),
                    headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Cookie": cookie,
                        # nginx tells Django the request came over https (as it does behind TLS).
                        "Origin": "https://127.0.0.1",
                        "Referer": f"https://127.0.0.1{self.article_path}",
                    },
                )
            except OSError:
                self.errors += 1
                conn = http.client.HTTPConnection("127.0.0.1", NGINX_PORT, timeout=15)
                continue
            self.latencies.append((time.perf_counter() - start) * 1000)
            self.statuses[response.status] = self.statuses.get(response.status, 0) + 1
            if response.status in (302, 303):  # to the comment, or to the discussion when it is held
                self.ok += 1
            else:
                self.errors += 1


def write_mix(article_path: str, *, seconds: int, with_readers: bool) -> dict:
    stop_at = time.monotonic() + seconds
    writers = [Writer(n, article_path, stop_at, limit=5000) for n in range(WRITERS)]
    reader = None
    if with_readers:
        reader_result = {}

        def read():
            reader_result.update(wrk(f"http://127.0.0.1:{NGINX_PORT}{article_path}", duration=seconds))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
    for w in writers:
        w.start()
    for w in writers:
        w.join(seconds + 30)
    if reader:
        reader.join(seconds + 40)
    latencies = sorted(x for w in writers for x in w.latencies)
    statuses: dict[int, int] = {}
    for w in writers:
        for status, count in w.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    result = {
        "posts_per_s": round(sum(w.ok for w in writers) / seconds, 1),
        "posted": sum(w.ok for w in writers),
        "errors": sum(w.errors for w in writers),
        "statuses": statuses,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 1) if latencies else None,
    }
    if with_readers:
        result["reads"] = {k: v for k, v in reader_result.items() if k != "raw"}
    return result


# The run -----------------------------------------------------------------------------------------


def main(scratch: Path, env: dict, article_path: str, out: Path) -> dict:
    scratch.mkdir(parents=True, exist_ok=True)
    gunicorn = start_gunicorn(scratch, {**env, "BENCH_RAW_FILE": str(scratch / "page.html")})
    nginx_pid = None
    try:
        app = f"http://127.0.0.1:{APP_PORT}"
        status, _headers, body = fetch(app + article_path)
        assert status == 200, status
        (scratch / "page.html").write_bytes(body)
        nginx_pid = start_nginx(scratch)
        nginx = f"http://127.0.0.1:{NGINX_PORT}"
        slug = article_path.rstrip("/").rsplit("/", 1)[-1]
        modes = {
            "django uncached": app + article_path + "?bench=1",
            "django app cache": app + article_path,
            "django bare view": app + "/__bench/raw/",
            "django lookup only": app + f"/__bench/lookup/{slug}/",
            "django lookup + form": app + f"/__bench/form/{slug}/",
            "nginx static": nginx + "/__bench/static.html",
            "nginx micro-cache": nginx + article_path,
        }
        checks = {
            "django uncached": fetch(modes["django uncached"])[1].get("X-Page-Cache"),
            "django app cache": fetch(modes["django app cache"])[1].get("X-Page-Cache"),
            "nginx micro-cache": [fetch(modes["nginx micro-cache"])[1].get("X-Micro-Cache") for _ in range(2)],
            "bytes": {name: len(fetch(url)[2]) for name, url in modes.items()},
        }
        print("checks:", checks, flush=True)
        load_average = " / ".join(f"{x:.1f}" for x in os.getloadavg())
        runs: dict[str, list[dict]] = {name: [] for name in modes}
        names = list(modes)
        for r in range(ROUNDS):
            order = names[r % len(names) :] + names[: r % len(names)]  # a different mode goes first each round
            for name in order:
                drain(app)
                result = wrk(modes[name])
                runs[name].append(result)
                print(
                    f"round {r + 1} {name:18} {result['rps']:10.1f} req/s  p50 {result['p50_ms']:.2f} ms  "
                    f"p99 {result['p99_ms']:.2f} ms  errors {result['errors']}",
                    flush=True,
                )
        summary = {
            name: {
                "rps": round(statistics.median(r["rps"] for r in results), 1),
                "p50_ms": round(statistics.median(r["p50_ms"] for r in results), 2),
                "p99_ms": round(statistics.median(r["p99_ms"] for r in results), 2),
                "errors": sum(r["errors"] for r in results),
            }
            for name, results in runs.items()
        }
        pairs = {
            "app cache / bare Django": ("django app cache", "django bare view"),
            "uncached / bare Django": ("django uncached", "django bare view"),
            "lookup only / bare Django": ("django lookup only", "django bare view"),
            "lookup + form / bare Django": ("django lookup + form", "django bare view"),
            "micro-cache / nginx static": ("nginx micro-cache", "nginx static"),
            "bare Django / nginx static": ("django bare view", "nginx static"),
        }
        # Each round's pair ran within a minute of each other: the median of per-round ratios is steadier
        # on a shared machine than the ratio of medians.
        ratios = {
            name: round(statistics.median(runs[a][r]["rps"] / runs[b][r]["rps"] for r in range(ROUNDS)), 3)
            for name, (a, b) in pairs.items()
        }
        writes = {
            "posts alone": write_mix(article_path, seconds=DURATION, with_readers=False),
            "posts during reads": write_mix(article_path, seconds=DURATION, with_readers=True),
        }
        result = {
            "load_average": load_average,
            "checks": checks,
            "summary": summary,
            "ratios": ratios,
            "writes": writes,
            "raw": {k: [r["raw"] for r in v] for k, v in runs.items()},
        }
        out.write_text(json.dumps(result, indent=1, ensure_ascii=False))
        return result
    finally:
        if nginx_pid:
            stop(nginx_pid, signal.SIGQUIT)
        stop(gunicorn.pid)
        gunicorn.wait(15)


if __name__ == "__main__":
    main(Path(sys.argv[1]), dict(os.environ), sys.argv[2], Path(sys.argv[3]))
