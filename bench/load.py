"""Load phase: gunicorn (gunicorn.conf.py) on PostgreSQL + Redis, nginx in front, wrk as the client.

The article page with 200 comments, served seven ways; the modes alternate within one run (a different
one goes first each round), each round runs every mode once, and the report takes medians and the
median of the per-round ratios (a pair measured within a minute of each other):

- ``django uncached``: the page rendered on every request (``?bench=1`` is a parameter the page does not
  declare, so the page cache answers it without storing it; the fragment caches stay warm);
- ``page-cache hit``: the page from the page cache with the default settings (each process's own copy,
  generations trusted for PAGE_CACHE_TRUST_SECONDS);
- ``hit, trust 0``: the same with PAGE_CACHE_TRUST_SECONDS=0 (the copy is local, the generations are
  read from Redis on every hit);
- ``hit, Redis only``: PAGE_CACHE_LOCAL_BYTES=0 and PAGE_CACHE_TRUST_SECONDS=0 (generations and page
  from Redis on every hit);
- ``bare Django floor``: Django with no middleware and one view answering the same bytes
  (bench/bare_settings.py), under the same gunicorn.conf.py: what a hit is measured against;
- ``nginx static``: nginx serving the same bytes as a file (the machine's limit);
- ``nginx micro-cache``: nginx's micro-cache in front of gunicorn (deploy/nginx.conf rules), measured
  against the static file in the same server block, with the same connection settings.

Each Django variant is its own gunicorn (own port and environment), all started before the first round.
Then a write mix: comment posts through nginx (as a browser would: page, /csrf-token/, post), alone and
while wrk reads the same article. Loopback only; every loop bounded; servers stopped by pid.
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
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from bench.seed import WRITER_NAME

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", 18461))  # the site; nginx, the variants and the floor on the next four
NGINX_PORT = PORT + 1
DURATION = int(os.environ.get("BENCH_DURATION", 8))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 5))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", 32))
WRITERS = int(os.environ.get("BENCH_WRITERS", 4))
# What nginx sends gunicorn: the same Host (without a port) for every mode, so that the page's absolute links,
# hence its bytes, are the same whichever server answers, and the three page-cache servers share one stored copy.
HEADERS = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}
# The page cache's knobs: each server states its own, whatever the calling environment says.
KNOBS = ("PAGE_CACHE_ENABLED", "PAGE_CACHE_LOCAL_BYTES", "PAGE_CACHE_TRUST_SECONDS")


@dataclass
class Server:
    port: int
    env: dict
    ready: str  # a path that answers 200 once the workers are up

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


SERVERS = {
    "site": Server(PORT, {}, "/healthz"),
    "trust 0": Server(PORT + 2, {"PAGE_CACHE_TRUST_SECONDS": "0"}, "/healthz"),
    "redis only": Server(PORT + 3, {"PAGE_CACHE_LOCAL_BYTES": "0", "PAGE_CACHE_TRUST_SECONDS": "0"}, "/healthz"),
    "bare": Server(PORT + 4, {"DJANGO_SETTINGS_MODULE": "bench.bare_settings"}, "/"),
}
# Ratios: (numerator, denominator) modes; the first two are the benchmark's targets.
PAIRS = {
    "page-cache hit / bare Django floor": ("page-cache hit", "bare Django floor"),
    "micro-cache / nginx static": ("nginx micro-cache", "nginx static"),
    "hit, trust 0 / bare Django floor": ("hit, trust 0", "bare Django floor"),
    "hit, Redis only / bare Django floor": ("hit, Redis only", "bare Django floor"),
    "uncached / bare Django floor": ("django uncached", "bare Django floor"),
    "bare Django floor / nginx static": ("bare Django floor", "nginx static"),
    "hit / hit, trust 0 (the trust window)": ("page-cache hit", "hit, trust 0"),
    "hit, trust 0 / hit, Redis only (the local copy)": ("hit, trust 0", "hit, Redis only"),
    "hit / hit, Redis only (both)": ("page-cache hit", "hit, Redis only"),
}


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
    request = urllib.request.Request(url, headers={**HEADERS, **(headers or {})})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def start_gunicorn(name: str, server: Server, scratch: Path, env: dict) -> subprocess.Popen:
    log = open(scratch / f"gunicorn-{name.replace(' ', '-')}.log", "ab")  # noqa: SIM115 - closed with the process
    env = {key: value for key, value in env.items() if key not in KNOBS}
    control = scratch / f"gunicorn-{name.replace(' ', '-')}.ctl"
    # Its own control socket: the default path is one per user, shared with any other gunicorn.
    args = ["-c", str(ROOT / "gunicorn.conf.py"), "--control-socket", str(control), "portal.wsgi"]
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), *args],
        cwd=ROOT,
        env={**env, **server.env, "GUNICORN_BIND": f"127.0.0.1:{server.port}", "GUNICORN_ACCESS_LOG": ""},
        stdout=log,
        stderr=log,
    )
    try:
        wait_for(server.url + server.ready)
    except RuntimeError:
        stop(proc.pid)
        raise
    return proc


def start_nginx(scratch: Path) -> int:
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi", "micro"):
        (scratch / sub).mkdir(parents=True, exist_ok=True)
    conf = (Path(__file__).parent / "nginx.conf.tmpl").read_text()
    for key, value in {"SCRATCH": str(scratch), "APP_PORT": str(PORT), "NGINX_PORT": str(NGINX_PORT)}.items():
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
    headers = [arg for name, value in HEADERS.items() for arg in ("-H", f"{name}: {value}")]
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency", *headers, url],
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


def modes_for(article_path: str) -> dict[str, str]:
    site, nginx = SERVERS["site"].url, f"http://127.0.0.1:{NGINX_PORT}"
    return {
        "django uncached": site + article_path + "?bench=1",
        "page-cache hit": site + article_path,
        "hit, trust 0": SERVERS["trust 0"].url + article_path,
        "hit, Redis only": SERVERS["redis only"].url + article_path,
        "bare Django floor": SERVERS["bare"].url + "/",
        "nginx static": nginx + "/__bench/static.html",
        "nginx micro-cache": nginx + article_path,
    }


EXPECTED = {
    "django uncached": ("X-Page-Cache", "bypass"),
    "page-cache hit": ("X-Page-Cache", "hit"),
    "hit, trust 0": ("X-Page-Cache", "hit"),
    "hit, Redis only": ("X-Page-Cache", "hit"),
    # Answered from nginx's copy: a HIT, or the copy that just expired while one request fetches it again.
    "nginx micro-cache": ("X-Micro-Cache", {"HIT", "STALE", "UPDATING"}),
}


def check(modes: dict[str, str], page: bytes) -> dict:
    """Three requests per mode: the caches' verdicts, the size, and whether the last answer is the page's bytes."""
    checks = {}
    for name, url in modes.items():
        header, expected = EXPECTED.get(name, ("", None))
        states, data = [], b""
        for _ in range(3):  # a hit mode's first request may store the page; the micro-cache's first is a MISS
            _status, headers, data = fetch(url)
            states.append(headers.get(header, ""))
        checks[name] = {"states": states, "bytes": len(data), "same bytes": data == page}
        if expected is not None and states[-1] not in ({expected} if isinstance(expected, str) else expected):
            raise RuntimeError(f"{name}: {header} {states}, expected {expected} last")
    return checks


def median_row(results: list[dict]) -> dict:
    return {
        "rps": round(statistics.median(r["rps"] for r in results), 1),
        "rps_min": round(min(r["rps"] for r in results), 1),
        "rps_max": round(max(r["rps"] for r in results), 1),
        "p50_ms": round(statistics.median(r["p50_ms"] for r in results), 2),
        "p99_ms": round(statistics.median(r["p99_ms"] for r in results), 2),
        "p99_ms_max": round(max(r["p99_ms"] for r in results), 2),
        "errors": sum(r["errors"] for r in results),
    }


def main(scratch: Path, env: dict, article_path: str, out: Path) -> dict:
    scratch.mkdir(parents=True, exist_ok=True)
    env = {**env, "BENCH_RAW_FILE": str(scratch / "page.html")}
    processes: list[subprocess.Popen] = []
    nginx_pid = None
    try:
        for name in ("site", "trust 0", "redis only"):
            processes.append(start_gunicorn(name, SERVERS[name], scratch, env))
        status, _headers, page = fetch(SERVERS["site"].url + article_path)
        assert status == 200, status
        (scratch / "page.html").write_bytes(page)  # the bare floor reads it when gunicorn loads it
        processes.append(start_gunicorn("bare", SERVERS["bare"], scratch, env))
        nginx_pid = start_nginx(scratch)
        modes = modes_for(article_path)
        checks = check(modes, page)
        print("checks:", json.dumps(checks, ensure_ascii=False), flush=True)
        load_before = os.getloadavg()
        runs: dict[str, list[dict]] = {name: [] for name in modes}
        round_loads = []
        names = list(modes)
        for r in range(ROUNDS):
            round_loads.append(round(os.getloadavg()[0], 2))
            order = names[r % len(names) :] + names[: r % len(names)]  # a different mode goes first each round
            for name in order:
                drain(SERVERS["site"].url)
                result = wrk(modes[name])
                runs[name].append(result)
                print(
                    f"round {r + 1} {name:18} {result['rps']:10.1f} req/s  p50 {result['p50_ms']:.2f} ms  "
                    f"p99 {result['p99_ms']:.2f} ms  errors {result['errors']}",
                    flush=True,
                )
        load_after = os.getloadavg()
        # Each round's pair ran within a minute of each other: the median of per-round ratios is steadier
        # on a shared machine than the ratio of medians.
        ratios = {}
        for label, (a, b) in PAIRS.items():
            per_round = [runs[a][r]["rps"] / runs[b][r]["rps"] for r in range(ROUNDS)]
            ratios[label] = {
                "median": round(statistics.median(per_round), 3),
                "rounds": [round(x, 3) for x in per_round],
            }
        writes = {
            "posts alone": write_mix(article_path, seconds=DURATION, with_readers=False),
            "posts during reads": write_mix(article_path, seconds=DURATION, with_readers=True),
        }
        result = {
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in load_after],
            "round_loads": round_loads,
            "rounds": ROUNDS,
            "duration": DURATION,
            "connections": CONNECTIONS,
            "modes": modes,
            "checks": checks,
            "summary": {name: median_row(results) for name, results in runs.items()},
            "ratios": ratios,
            "writes": writes,
            "raw": {name: [r["raw"] for r in results] for name, results in runs.items()},
        }
        out.write_text(json.dumps(result, indent=1, ensure_ascii=False))
        return result
    finally:
        if nginx_pid:
            stop(nginx_pid, signal.SIGQUIT)
        for proc in processes:
            stop(proc.pid)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(15)


if __name__ == "__main__":
    main(Path(sys.argv[1]), dict(os.environ), sys.argv[2], Path(sys.argv[3]))
