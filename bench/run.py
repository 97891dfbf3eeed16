"""The benchmark, one command: `make bench` (or `.venv/bin/python bench/run.py`).

Creates and seeds the PostgreSQL database ``vestnik_bench`` (once), uses Redis database 10, then
1. bench/measure.py: queries and median/p90 per page type through Django's test client;
2. bench/load.py: wrk against gunicorn and nginx, alternating, repeated; comment posts.
Prints a Markdown report and writes it to bench/results/latest.md (raw numbers in the scratch folder).
Needs: PostgreSQL and Redis on 127.0.0.1, `apt-get install -y wrk nginx`. Never run in CI: it takes
about five minutes and its numbers depend on the machine.
Environment: BENCH_DATABASE, BENCH_CACHE_URL, BENCH_SCRATCH, BENCH_ROUNDS, BENCH_DURATION, BENCH_CONNECTIONS.
"""

import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv/bin/python")
SCRATCH = Path(os.environ.get("BENCH_SCRATCH", "/tmp/vestnik-bench"))  # noqa: S108 - a scratch folder, root-only machine
DATABASE = os.environ.get("BENCH_DATABASE", "vestnik_bench")
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/10")
TARGETS = {
    "article with 200 comments, no cache at all: median ≤ 30 ms": None,
    "query count equal for 0, 200 and 5,000 comments": None,
    "app cache ≥ 70 % of the bare-Django ceiling": None,
    "uncached ≥ 20 % of the bare-Django ceiling": None,
    "nginx micro-cache ≥ 50 % of nginx static": None,
    "nginx micro-cache p99 ≤ 50 ms at 32 connections": None,
}


def environment() -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}?conn_max_age=600&conn_health_checks=true",
        "CACHE_URL": CACHE_URL,
        "SECRET_KEY": "bench-only-secret-key-" + "k" * 40,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "STATIC_ROOT": str(SCRATCH / "static"),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def run(*args: str, env: dict, **kwargs) -> subprocess.CompletedProcess:
    print("$", " ".join(args[1:] if args[0] == PYTHON else args), flush=True)
    return subprocess.run(args, cwd=ROOT, env=env, check=True, **kwargs)


def prepare(env: dict) -> None:
    for tool in ("wrk", "nginx", "psql", "redis-cli"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: apt-get install -y wrk nginx postgresql-client redis-tools")
    exists = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SELECT datname FROM pg_database"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if DATABASE not in exists:
        run("createdb", "-h", "127.0.0.1", "-U", "postgres", DATABASE, env=env)
    run(PYTHON, "manage.py", "migrate", "--noinput", "-v0", env=env)
    if not (SCRATCH / "static" / "staticfiles.json").exists():
        run(PYTHON, "manage.py", "collectstatic", "--noinput", "-v0", env=env)
    run(PYTHON, "-m", "bench.seed", env=env)
    run("psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "VACUUM ANALYZE", DATABASE, env=env)  # fresh statistics
    run("redis-cli", "-u", CACHE_URL, "FLUSHDB", env=env, stdout=subprocess.DEVNULL)


def report(measure: dict, load: dict) -> str:
    s, ratios, rows = load["summary"], load["ratios"], measure["results"]
    article = rows["article, 200 comments"]
    counts = {rows[f"article, {n} comments"]["no cache"]["queries"] for n in ("0", "200", "5,000")}
    met = {
        "article with 200 comments, no cache at all: median ≤ 30 ms": article["no cache"]["median_ms"] <= 30,
        "query count equal for 0, 200 and 5,000 comments": len(counts) == 1,
        "app cache ≥ 70 % of the bare-Django ceiling": ratios["app cache / bare Django"] >= 0.70,
        "uncached ≥ 20 % of the bare-Django ceiling": ratios["uncached / bare Django"] >= 0.20,
        "nginx micro-cache ≥ 50 % of nginx static": ratios["micro-cache / nginx static"] >= 0.50,
        "nginx micro-cache p99 ≤ 50 ms at 32 connections": s["nginx micro-cache"]["p99_ms"] <= 50,
    }
    lines = [
        f"Run {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores "
        f"(load average {load.get('load_average', '?')} before the load phase), Python "
        f"{platform.python_version()}, PostgreSQL + Redis on loopback; `make bench`.",
        "",
        "Server time through Django's test client (warm, median / p90 of 30):",
        "",
        measure["table"],
        "",
        f"Under load: wrk -t2 -c{os.environ.get('BENCH_CONNECTIONS', 32)}, "
        f"{os.environ.get('BENCH_DURATION', 8)} s per run, modes alternating, "
        f"median of {os.environ.get('BENCH_ROUNDS', 3)} rounds; the article page with 200 comments "
        f"({load['checks']['bytes']['nginx static']:,} bytes); gunicorn.conf.py (gthread).",
        "",
        "| mode | requests/s | p50 ms | p99 ms | errors |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, row in s.items():
        lines.append(f"| {name} | {row['rps']:,.0f} | {row['p50_ms']} | {row['p99_ms']} | {row['errors']} |")
    lines += ["", "| ratio (median of the per-round ratios) | value |", "| --- | --- |"]
    lines += [f"| {name} | {value:.0%} |" for name, value in ratios.items()]
    lines += ["", "Comment posts (4 writers through nginx: page, /csrf-token/, post):", ""]
    lines += ["| mix | posts/s | posted | errors | p50 ms | p99 ms | reads/s meanwhile | read p99 ms |"]
    lines += ["| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, w in load["writes"].items():
        reads = w.get("reads", {})
        lines.append(
            f"| {name} | {w['posts_per_s']} | {w['posted']} | {w['errors']} | {w['p50_ms']} | {w['p99_ms']} "
            f"| {reads.get('rps', '–')} | {reads.get('p99_ms', '–')} |"
        )
    lines += ["", "| target | met |", "| --- | --- |"]
    lines += [f"| {name} | {'yes' if ok else 'NO'} |" for name, ok in met.items()]
    return "\n".join(lines)


def main() -> None:
    if "--report-only" in sys.argv:  # rebuild the report from the last run's numbers
        measure, load = (json.loads((SCRATCH / f"{name}.json").read_text()) for name in ("measure", "load"))
        write_report(measure, load)
        return
    env = environment()
    SCRATCH.mkdir(parents=True, exist_ok=True)
    prepare(env)
    run(PYTHON, "-m", "bench.measure", str(SCRATCH / "measure.json"), env=env)
    measure = json.loads((SCRATCH / "measure.json").read_text())
    article = measure["results"]["article, 200 comments"]["url"]
    run("redis-cli", "-u", CACHE_URL, "FLUSHDB", env=env, stdout=subprocess.DEVNULL)
    run(PYTHON, "-m", "bench.load", str(SCRATCH), article, str(SCRATCH / "load.json"), env=env)
    load = json.loads((SCRATCH / "load.json").read_text())
    write_report(measure, load)


def write_report(measure: dict, load: dict) -> None:
    text = report(measure, load)
    print("\n" + text)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "latest.md").write_text(text + "\n")
    raw = "\n\n".join(f"## {name}\n" + "\n---\n".join(runs) for name, runs in load["raw"].items())
    (results / "latest-wrk.txt").write_text(raw + "\n")


if __name__ == "__main__":
    main()
