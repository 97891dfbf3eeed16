"""One request, many times, through Django's WSGI handler in this process: what a page-cache hit costs
Django itself, next to the bare floor (bench/bare_settings.py), without gunicorn, sockets or wrk.

    DJANGO_SETTINGS_MODULE=bench.settings .venv/bin/python -m bench.profile_hit PATH OUT.json
    DJANGO_SETTINGS_MODULE=bench.bare_settings BENCH_RAW_FILE=page.html .venv/bin/python -m bench.profile_hit / OUT.json

Times BENCH_PROFILE_REPEAT calls (default 5,000; median and mean µs), then runs as many again under
cProfile and keeps the functions with the most own time, per request. The profiler's own overhead
inflates its figures (several times for short functions): they rank the costs, the timings size them.
Run by bench/run.py after the load phase, with each server's environment.
"""

import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

from django.core.wsgi import get_wsgi_application

ROOT = Path(__file__).resolve().parent.parent
REPEAT = int(os.environ.get("BENCH_PROFILE_REPEAT", 5000))
TOP = 15
# Parts of a request worth naming: (file, function) -> what it is. Cumulative times, so nested parts overlap
# the whole they belong to (the middleware holds the next five).
PARTS = {
    ("django/core/handlers/wsgi.py", "__call__"): "Django's WSGI handler, in all",
    ("django/core/handlers/wsgi.py", "__init__"): "building the WSGIRequest",
    ("django/dispatch/dispatcher.py", "send"): "request_started / request_finished receivers",
    ("caching/pages.py", "__call__"): "PageCacheMiddleware, in all",
    ("caching/pages.py", "page_key"): "page key (host, language, path, sorted query, md5)",
    ("caching/pages.py", "find"): "finding the page (local copy, generations, Redis)",
    ("django/http/response.py", "__setitem__"): "setting response headers (the stored ones, one by one)",
    ("caching/pages.py", "_answer"): "conditional answer (ETag against If-None-Match)",
    ("caching/pages.py", "_drop_tracking_params"): "looking for tracking parameters",
}


def environ(path: str) -> dict:
    """What gunicorn hands Django for a GET from wrk (X-Forwarded-Proto from a trusted address)."""
    path, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "18461",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:18461",
        "HTTP_X_FORWARDED_PROTO": "https",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def call(app, path: str) -> tuple[str, dict, int]:
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    response = app(environ(path), start_response)
    try:
        size = sum(len(chunk) for chunk in response)
    finally:
        response.close()  # as gunicorn does: request_finished
    return answer["status"], answer["headers"], size


def where(key) -> str:
    filename, line, name = key
    for marker in (f"{ROOT}/", "site-packages/", "lib/python3"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
            break
    return f"{filename}:{line}({name})" if line else name


def main(path: str, out: Path) -> None:
    app = get_wsgi_application()
    state = ""
    for _ in range(10):  # the first request may render and store the page
        status, headers, size = call(app, path)
        state = headers.get("X-Page-Cache", "")
        if state in ("hit", ""):
            break
    assert status.startswith("200"), status
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter_ns()
        call(app, path)
        times.append((time.perf_counter_ns() - start) / 1000)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(REPEAT):
        call(app, path)
    profiler.disable()
    stats = pstats.Stats(profiler)
    parts = {}
    for (filename, _line, name), (_primitive, _ncalls, _tottime, cumtime, _callers) in stats.stats.items():
        for (suffix, function), label in PARTS.items():
            if name == function and filename.endswith("/" + suffix):
                parts[label] = max(parts.get(label, 0.0), cumtime / REPEAT * 1e6)
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:TOP]
    result = {
        "settings": os.environ.get("DJANGO_SETTINGS_MODULE"),
        "path": path,
        "state": state,
        "bytes": size,
        "median_us": round(statistics.median(times), 1),
        "mean_us": round(statistics.fmean(times), 1),
        "profiled_us": round(stats.total_tt / REPEAT * 1e6, 1),
        "calls_per_request": round(sum(row[1] for row in stats.stats.values()) / REPEAT, 1),
        "parts": {label: round(parts[label], 1) for label in PARTS.values() if label in parts},
        "top": [
            {
                "function": where(key),
                "calls": round(ncalls / REPEAT, 2),
                "own_us": round(tottime / REPEAT * 1e6, 2),
                "cumulative_us": round(cumtime / REPEAT * 1e6, 2),
            }
            for key, (_primitive, ncalls, tottime, cumtime, _callers) in rows
        ],
    }
    out.write_text(json.dumps(result, indent=1))
    print(f"{path}: {state or 'bare'} median {result['median_us']} µs, {result['calls_per_request']} calls a request")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
