"""The benchmark, one command: `make bench` (or `.venv/bin/python bench/run.py`).

Creates and seeds the PostgreSQL database ``vestnik_bench`` (once), uses Redis database 10, then
1. bench/measure.py: queries and median/p90 per page type through Django's test client (listings,
   articles with 0 to 5,000 comments, search, sitemaps), with no cache, with the page cache off, and hits;
2. bench/load.py: wrk against gunicorn and nginx: the page-cache hit (default, trust 0, Redis only), the
   bare Django floor, a render, nginx static and the micro-cache, alternating, repeated; comment posts;
3. bench/profile_hit.py: one hit and one bare request through Django's WSGI handler in process (no
   gunicorn, no sockets): timings, and the profile of a hit;
4. bench/code_size.py: lines of caching code before the caching package and now.
Prints a Markdown report and writes it to bench/results/latest.md (the full wrk output to
bench/results/latest-wrk.txt, raw numbers to the scratch folder). Needs PostgreSQL and Redis on
127.0.0.1, `apt-get install -y wrk nginx`. Never run in CI: it takes about ten minutes (the first run
seeds for a minute more) and its numbers depend on the machine.
Environment: BENCH_DATABASE, BENCH_CACHE_URL, BENCH_SCRATCH, BENCH_ROUNDS, BENCH_DURATION, BENCH_CONNECTIONS,
BENCH_PORT (five ports from it), BENCH_REPEAT, BENCH_PROFILE_REPEAT.
"""

import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import code_size  # noqa: E402
from bench.load import SERVERS  # noqa: E402

PYTHON = str(ROOT / ".venv/bin/python")
SCRATCH = Path(os.environ.get("BENCH_SCRATCH", "/tmp/vestnik-bench"))  # noqa: S108 - a scratch folder, root-only machine
DATABASE = os.environ.get("BENCH_DATABASE", "vestnik_bench")
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/10")
# In-process timings: the settings and environment of each gunicorn of the load phase.
PROFILES = {
    "page-cache hit": "site",
    "hit, trust 0": "trust 0",
    "hit, Redis only": "redis only",
    "bare Django floor": "bare",
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


def profile(env: dict, article: str) -> dict:
    results = {}
    for mode, server in PROFILES.items():
        out = SCRATCH / f"profile-{server.replace(' ', '-')}.json"
        knobs = {
            key: value
            for key, value in env.items()
            if key not in ("PAGE_CACHE_LOCAL_BYTES", "PAGE_CACHE_TRUST_SECONDS")
        }
        path = "/" if server == "bare" else article
        run(
            PYTHON,
            "-m",
            "bench.profile_hit",
            path,
            str(out),
            env={**knobs, **SERVERS[server].env, "BENCH_RAW_FILE": str(SCRATCH / "page.html")},
        )
        results[mode] = json.loads(out.read_text())
    return results


def revision() -> str:
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    if head.returncode:
        return "unknown revision"
    changed = subprocess.run(
        ["git", "-C", str(ROOT), "diff-index", "--name-only", "HEAD", "--"], capture_output=True, text=True
    ).stdout.split()
    return f"{head.stdout.strip()}" + (f" with changes to {', '.join(changed)}" if changed else "")


# The report ---------------------------------------------------------------------------------------


def _pct(value: float) -> str:
    return f"{value:.0%}"


def targets(measure: dict, load: dict) -> list[tuple[str, str, bool | None, str]]:
    """(target, figure, met, margin) for each target, then figures asked for without one (met None)."""
    rows, s, ratios = measure["results"], load["summary"], load["ratios"]
    out = []

    def at_least(name: str, ratio: float, goal: float) -> None:
        points = (ratio - goal) * 100
        margin = f"{points:+.0f} points" if ratio >= goal else f"short by {-points:.0f} points"
        out.append((name, _pct(ratio), ratio >= goal, margin))

    def at_most(name: str, ms: float, goal: float, figure: str | None = None) -> None:
        margin = f"{goal - ms:.1f} ms to spare" if ms <= goal else f"over by {ms - goal:.1f} ms ({ms / goal:.1f}×)"
        out.append((name, figure or f"{ms} ms", ms <= goal, margin))

    at_least(
        "page-cache hit ≥ 70 % of the bare Django floor", ratios["page-cache hit / bare Django floor"]["median"], 0.70
    )
    at_least("micro-cache ≥ 90 % of nginx static", ratios["micro-cache / nginx static"]["median"], 0.90)
    micro = s["nginx micro-cache"]
    at_most(
        f"micro-cache p99 ≤ 20 ms at {load['connections']} connections",
        micro["p99_ms"],
        20,
        f"{micro['p99_ms']} ms (median of rounds; worst {micro['p99_ms_max']} ms)",
    )
    article = rows["article, 200 comments"]["no cache"]
    at_most("article with 200 comments, no cache at all: median ≤ 30 ms", article["median_ms"], 30)
    counts = [rows[f"article, {n} comments"]["no cache"]["queries"] for n in ("0", "200", "5,000")]
    same = len(set(counts)) == 1
    out.append(
        (
            "same query count at 0 / 200 / 5,000 comments (no cache)",
            " / ".join(map(str, counts)),
            same,
            "equal" if same else f"differ by {max(counts) - min(counts)}",
        )
    )
    for name in rows:
        if name.startswith("search: "):
            at_most(f"{name}, page cache off: median ≤ 50 ms", rows[name]["page cache off"]["median_ms"], 50)
    at_most("sitemap index, page cache off: median ≤ 10 ms", rows["sitemap index"]["page cache off"]["median_ms"], 10)
    for name, mode in (("sitemap index", "page cache hit"), ("sitemap: articles", "page cache off")):
        row = rows[name][mode]
        out.append((f"{name}, {mode} (no target)", f"{row['median_ms']} ms, {row['bytes']:,} bytes", None, "–"))
    return out


def report(measure: dict, load: dict, profiles: dict | None, code: dict | None, meta: dict) -> str:
    s, ratios = load["summary"], load["ratios"]
    workers = os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) + 1)
    threads = os.environ.get("GUNICORN_THREADS", 4)
    loads = " / ".join(map(str, load["load_average_before"]))
    lines = [
        f"Run {meta['date']} UTC on {os.cpu_count()} cores, Python {platform.python_version()}, revision "
        f"{meta['revision']}; PostgreSQL + Redis on loopback; `make bench` ({meta['minutes']:.1f} min).",
        f"Load average (1 / 5 / 15 min): {meta['load_start']} at the start, {loads} before the load phase, "
        f"{' / '.join(map(str, load['load_average_after']))} after it; 1-min load at the start of each round: "
        f"{', '.join(map(str, load['round_loads']))} (wrk and the servers share the cores).",
        "",
        "## Server time through Django's test client",
        "",
        f"Warm, median / p90 of {os.environ.get('BENCH_REPEAT', 30)} requests. *no cache*: every cache a dummy; "
        "*page cache off*: PAGE_CACHE_ENABLED=False, fragment caches warm; *hit*: the stored page.",
        "",
        measure["table"],
        "",
        "## Under load",
        "",
        f"wrk -t2 -c{load['connections']}, {load['duration']} s per run, the seven modes alternating (a different "
        f"one first each round), {load['rounds']} rounds; medians, and the lowest–highest requests/s. The article page "
        f"with 200 comments ({load['checks']['nginx static']['bytes']:,} bytes). Every Django mode is its own gunicorn "
        f"with gunicorn.conf.py ({workers} gthread workers × {threads} threads); "
        "nginx static and the micro-cache share one server block and its connection settings (tcp_nopush off).",
        "",
        "| mode | requests/s | lowest–highest | p50 ms | p99 ms (worst round) | errors | same bytes |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, row in s.items():
        check = load["checks"][name]
        lines.append(
            f"| {name} | {row['rps']:,.0f} | {row['rps_min']:,.0f}–{row['rps_max']:,.0f} | {row['p50_ms']} "
            f"| {row['p99_ms']} ({row['p99_ms_max']}) | {row['errors']} "
            f"| {'yes' if check['same bytes'] else 'no'} ({check['bytes']:,}) |"
        )
    lines += ["", "| ratio of requests/s | median of rounds | each round |", "| --- | --- | --- |"]
    lines += [
        f"| {name} | {_pct(r['median'])} | {', '.join(_pct(x) for x in r['rounds'])} |" for name, r in ratios.items()
    ]
    trust = ratios["hit / hit, trust 0 (the trust window)"]["median"]
    local = ratios["hit, trust 0 / hit, Redis only (the local copy)"]["median"]
    both = ratios["hit / hit, Redis only (both)"]["median"]
    lines += [
        "",
        f"What the per-process copy and the trust window buy (same run): the trust window ×{trust:.2f} "
        f"(default against PAGE_CACHE_TRUST_SECONDS=0), the local copy ×{local:.2f} (trust 0 with against "
        f"without PAGE_CACHE_LOCAL_BYTES), both ×{both:.2f}. Against the bare floor: "
        + ", ".join(
            f"{mode} {_pct(ratios[f'{mode} / bare Django floor']['median'])}"
            for mode in ("page-cache hit", "hit, trust 0", "hit, Redis only")
        )
        + ".",
    ]
    if profiles:
        bare = profiles["bare Django floor"]["median_us"]
        lines += [
            "",
            "## In process: one request through Django's WSGI handler (no gunicorn, no sockets)",
            "",
            f"Median of {os.environ.get('BENCH_PROFILE_REPEAT', 5000)} calls; the bare floor's is the time Django "
            "itself needs for any request.",
            "",
            "| mode | median µs | × bare | Python calls a request |",
            "| --- | --- | --- | --- |",
        ]
        for mode, p in profiles.items():
            lines.append(f"| {mode} | {p['median_us']} | {p['median_us'] / bare:.1f} | {p['calls_per_request']} |")
        labels = list(dict.fromkeys(label for p in profiles.values() for label in p["parts"]))
        lines += [
            "",
            "Where the time goes (cProfile, cumulative µs a request; the profiler inflates short calls, so read "
            "these as shares, not durations):",
            "",
            "| part | " + " | ".join(profiles) + " |",
            "| --- |" + " --- |" * len(profiles),
        ]
        lines += [
            f"| {label} | " + " | ".join(str(p["parts"].get(label, "–")) for p in profiles.values()) + " |"
            for label in labels
        ]
        lines += [
            "",
            "The hit's functions with the most own time (default settings):",
            "",
            "| function | calls a request | own µs | cumulative µs |",
            "| --- | --- | --- | --- |",
        ]
        lines += [
            f"| `{t['function']}` | {t['calls']} | {t['own_us']} | {t['cumulative_us']} |"
            for t in profiles["page-cache hit"]["top"]
        ]
    lines += ["", "## Comment posts (4 writers through nginx: page, /csrf-token/, post)", ""]
    lines += ["| mix | posts/s | posted | errors | p50 ms | p99 ms | reads/s meanwhile | read p99 ms |"]
    lines += ["| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, w in load["writes"].items():
        reads = w.get("reads", {})
        lines.append(
            f"| {name} | {w['posts_per_s']} | {w['posted']} | {w['errors']} | {w['p50_ms']} | {w['p99_ms']} "
            f"| {reads.get('rps', '–')} | {reads.get('p99_ms', '–')} |"
        )
    if code:
        lines += [
            "",
            "## Lines of caching code",
            "",
            "Non-blank lines that are not comments (bench/code_size.py; docstrings counted, and left out in the "
            "second figure).",
            "",
            "| | lines | without docstrings | counted |",
            "| --- | --- | --- | --- |",
            f"| before, the two modules (481f075) | {code['before_core']['lines']} | "
            f"{code['before_core']['without docstrings']} | articles/cache.py, portal/cache_breaker.py |",
            f"| before, with caching functions elsewhere | {code['before']['lines']} | "
            f"{code['before']['without docstrings']} | + {_functions(code['before_elsewhere'])} |",
            f"| now, the package | {code['now_core']['lines']} | {code['now_core']['without docstrings']} "
            "| caching/**/*.py |",
            f"| now, with caching functions elsewhere | {code['now']['lines']} | {code['now']['without docstrings']} "
            f"| + {_functions(code['now_elsewhere'])} |",
        ]
    lines += ["", "## Targets", "", "| target | figure | met | margin |", "| --- | --- | --- | --- |"]
    lines += [
        f"| {name} | {figure} | {'–' if ok is None else 'yes' if ok else 'NO'} | {margin} |"
        for name, figure, ok, margin in targets(measure, load)
    ]
    lines += ["", "Per round (requests/s, p50 ms, p99 ms); the full wrk output is in bench/results/latest-wrk.txt:", ""]
    lines += ["```"]
    for name, raws in load["raw"].items():
        for number, raw in enumerate(raws, 1):
            lines.append(f"{name:18} round {number}: {_wrk_line(raw)}")
    lines += ["```"]
    return "\n".join(lines)


def _functions(elsewhere: dict) -> str:
    return "; ".join(f"{path}: {', '.join(names)}" for path, names in elsewhere.items())


def _wrk_line(raw: str) -> str:
    """The figures of one wrk run, as wrk printed them."""
    keep = []
    for line in raw.splitlines():
        words = line.split()
        if (
            words
            and words[0] in ("Latency", "Requests/sec:", "50%", "99%", "Non-2xx", "Socket")
            and words[1:2] != ["Distribution"]
        ):
            keep.append(" ".join(words))
    return " | ".join(keep)


def main() -> None:
    if "--report-only" in sys.argv:  # rebuild the report from the last run's numbers
        saved = json.loads((SCRATCH / "run.json").read_text())
        write_report(**saved)
        return
    started = time.monotonic()
    load_start = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    env = environment()
    SCRATCH.mkdir(parents=True, exist_ok=True)
    prepare(env)
    run(PYTHON, "-m", "bench.measure", str(SCRATCH / "measure.json"), env=env)
    measure = json.loads((SCRATCH / "measure.json").read_text())
    article = measure["results"]["article, 200 comments"]["url"]
    run("redis-cli", "-u", CACHE_URL, "FLUSHDB", env=env, stdout=subprocess.DEVNULL)
    run(PYTHON, "-m", "bench.load", str(SCRATCH), article, str(SCRATCH / "load.json"), env=env)
    load = json.loads((SCRATCH / "load.json").read_text())
    profiles = profile(env, article)
    try:
        code = code_size.count(ROOT)
    except (subprocess.CalledProcessError, OSError, LookupError) as error:  # no git, or the history differs
        print(f"lines of code not counted: {error}", file=sys.stderr)
        code = None
    meta = {
        "date": f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M}",
        "revision": revision(),
        "load_start": load_start,
        "minutes": (time.monotonic() - started) / 60,
    }
    saved = {"measure": measure, "load": load, "profiles": profiles, "code": code, "meta": meta}
    (SCRATCH / "run.json").write_text(json.dumps(saved, ensure_ascii=False))
    write_report(**saved)


def write_report(measure: dict, load: dict, profiles: dict | None, code: dict | None, meta: dict) -> None:
    text = report(measure, load, profiles, code, meta)
    print("\n" + text)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "latest.md").write_text(text + "\n")
    raw = "\n\n".join(f"## {name}\n" + "\n---\n".join(runs) for name, runs in load["raw"].items())
    (results / "latest-wrk.txt").write_text(raw + "\n")


if __name__ == "__main__":
    main()
