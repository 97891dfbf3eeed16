"""Long load and fault runs on loopback (RELIABILITY 37, 42-44): the figures of docs/reliability.md.

    .venv/bin/python tools/faults.py                     # every scenario, 60 s loads, 20 readers
    .venv/bin/python tools/faults.py pg-restart --seconds 30 --clients 10

The test suite runs short versions of the same scenarios (tests/security/test_concurrency.py,
test_faults.py); this script runs them at full length and adds the control runs. It migrates its
own database (default ``vestnik_faults``, created if missing), starts gunicorn with the production
settings through tools/chaos.py proxies, never touches the shared PostgreSQL or Redis servers, and
prints one JSON line of figures per scenario. Exit status 1 if an invariant failed.
"""

import argparse
import json
import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.chaos import UNLIMITED_POSTING, Gunicorn, TcpProxy, mixed_load, percentile, post_storm, server_env, summary

SCENARIOS = [
    "storm",
    "naive-storm",
    "boot-without-db",
    "pg-restart",
    "pg-restart-control",
    "pg-crash",
    "redis-stop",
    "redis-freeze",
]


def with_port(url: str, port: int, query: str = "") -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{port}"
    netloc = f"{netloc[0]}@{host}" if len(netloc) == 2 else host
    return urlunsplit((parts.scheme, netloc, parts.path, query or parts.query, ""))


def prepare(database_url: str):
    """Create and migrate the database, and return a fresh published article in it."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def new_article():
    from django.utils import timezone

    from articles.models import Article, Section, Status

    section, _ = Section.objects.get_or_create(name="Натоварване", defaults={"slug": "natovarvane"})
    count = Article.objects.count()
    return Article.objects.create(
        title=f"Статия за натоварване {count + 1}",
        lead="Статия, под която се пишат много коментари наведнъж.",
        body="<p>Текст.</p>",
        section=section,
        status=Status.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=1),
    )


def counts(article) -> dict:
    from articles.models import Article
    from comments.models import Comment

    rows = Comment.objects.filter(article=article)
    return {
        "rows": rows.count(),
        "visible": rows.visible().count(),
        "comment_count": Article.objects.get(pk=article.pk).comment_count,
    }


def storm(args, *, naive=False) -> dict:
    article = new_article()
    env = server_env(database_url=args.database_url + "?conn_max_age=60&conn_health_checks=true",
                     cache_url=args.redis_url, **UNLIMITED_POSTING)  # fmt: skip
    app = "tests.security.naive_counter:application" if naive else "portal.wsgi:application"
    with Gunicorn(env, app=app, log_path=args.logs / f"storm-{naive}.log") as server:
        results, seconds = post_storm(server.port, article, clients=args.storm_clients, posts=args.posts)
    figures = {**summary(results, seconds), **counts(article)}
    if naive:
        figures["pass"] = figures["comment_count"] < figures["ok"]
    else:
        figures["pass"] = (
            figures["ok"] == figures["rows"] == figures["visible"] == figures["comment_count"] == args.posts
        )
    return figures


def boot_without_db(args) -> dict:
    from tools.chaos import Reader

    target = urlsplit(args.database_url)
    proxy = TcpProxy(target.hostname, target.port or 5432).start()
    proxy.down()
    env = server_env(database_url=with_port(args.database_url, proxy.port, "conn_health_checks=true"),
                     cache_url=args.redis_url)  # fmt: skip
    try:
        with Gunicorn(env, log_path=args.logs / "boot.log") as server:
            browser = Reader(server.port, "127.0.0.1")
            down = [browser.get("/healthz").status for _ in range(5)] + [browser.get("/").status]
            proxy.up()
            start = browser.get("/healthz").started
            while (result := browser.get("/healthz")).status != 200 and result.started - start < 30:
                pass
            recovery = result.started + result.seconds - start
    finally:
        proxy.stop()
    return {"while_down": down, "recovery_s": round(recovery, 2), "pass": down[:5] == [503] * 5 and recovery <= 5}


def pg_outage(args, *, health_checks=True, outage=3.0, name="pg-restart") -> dict:
    article = new_article()
    target = urlsplit(args.database_url)
    proxy = TcpProxy(target.hostname, target.port or 5432).start()
    query = f"conn_max_age=60&conn_health_checks={'true' if health_checks else 'false'}&connect_timeout=3"
    env = server_env(database_url=with_port(args.database_url, proxy.port, query), cache_url=args.redis_url,
                     PAGE_CACHE_ENABLED="false", **UNLIMITED_POSTING)  # fmt: skip
    at = args.seconds / 3
    try:
        with Gunicorn(env, log_path=args.logs / f"{name}.log") as server:
            results, marks = mixed_load(server.port, article, clients=args.clients, seconds=args.seconds,
                                        events=[(at, "down", proxy.down), (at + outage, "up", proxy.up)])  # fmt: skip
            log = server.log()
    finally:
        proxy.stop()
    from comments.models import Comment

    up = marks["up"]
    accepted = {r.json["id"] for r in results if r.kind == "post" and r.json.get("ok")}
    stored = set(Comment.objects.filter(pk__in=accepted).values_list("pk", flat=True))
    after = [r for r in results if r.started >= up + 5]
    first_ok = min((r.started + r.seconds - up for r in results if r.kind == "probe" and r.status == 200
                    and r.started >= up), default=None)  # fmt: skip
    figures = {
        "requests": len(results),
        "accepted": len(accepted),
        "lost": len(accepted - stored),
        "failed_in_outage": sum(1 for r in results if (r.status >= 500 or r.status == 0) and r.started < up + 5),
        "5xx_after_recovery_5s": sum(1 for r in after if r.status >= 500 or r.status == 0),
        "5xx_after_recovery": sum(1 for r in results if r.started >= up and (r.status >= 500 or r.status == 0)),
        "4xx": sum(1 for r in results if 400 <= r.status < 500),
        "first_ok_after_s": round(first_ok, 2) if first_ok is not None else None,
        "max_s": round(max(r.seconds for r in results), 2),
        "worker_timeouts": log.count("WORKER TIMEOUT"),
        **counts(article),
    }
    figures["pass"] = (
        figures["lost"] == 0
        and figures["4xx"] == 0
        and figures["visible"] == figures["comment_count"]
        and (not health_checks or (figures["5xx_after_recovery_5s"] == 0 and (first_ok or 99) <= 5))
    )
    return figures


def redis_outage(args, *, freeze: bool) -> dict:
    article = new_article()
    target = urlsplit(args.redis_url)
    proxy = TcpProxy(target.hostname, target.port or 6379).start()
    env = server_env(database_url=args.database_url + "?conn_max_age=60&conn_health_checks=true",
                     cache_url=with_port(args.redis_url, proxy.port), **UNLIMITED_POSTING)  # fmt: skip
    start, end = args.seconds / 3, args.seconds * 2 / 3
    events = [(start, "down", proxy.freeze if freeze else proxy.down), (end, "up", proxy.thaw if freeze else proxy.up)]
    try:
        with Gunicorn(env, log_path=args.logs / f"redis-{freeze}.log") as server:
            results, marks = mixed_load(server.port, article, clients=args.clients, seconds=args.seconds, events=events)
    finally:
        proxy.stop()
    during = [r for r in results if r.started >= marks["down"] and r.started + r.seconds <= marks["up:begin"]]
    posts = [r for r in during if r.kind == "post"]
    figures = {
        "requests": len(results),
        "5xx": sum(1 for r in results if r.status >= 500 or r.status == 0),
        "4xx": sum(1 for r in results if 400 <= r.status < 500),
        "posts_during": len(posts),
        "published_during": sum(1 for r in posts if r.json.get("visible")),
        "p50_during_s": round(percentile([r.seconds for r in during], 50), 2),
        "p99_during_s": round(percentile([r.seconds for r in during], 99), 2),
        "p99_after_s": round(percentile([r.seconds for r in results if r.started > marks["up"] + 5], 99), 2),
        **counts(article),
    }
    figures["pass"] = figures["5xx"] == 0 and figures["4xx"] == 0 and figures["published_during"] == 0
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "scenarios", nargs="*", metavar="scenario", help=f"any of {', '.join(SCENARIOS)} (default: all)"
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/vestnik_faults")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--storm-clients", type=int, default=50)
    args = parser.parse_args()
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario: {', '.join(sorted(unknown))}")
    args.logs = Path(tempfile.mkdtemp(prefix="vestnik-faults-"))
    prepare(args.database_url)
    runs = {
        "storm": lambda: storm(args),
        "naive-storm": lambda: storm(args, naive=True),
        "boot-without-db": lambda: boot_without_db(args),
        "pg-restart": lambda: pg_outage(args),
        "pg-restart-control": lambda: pg_outage(args, health_checks=False, name="pg-control"),
        "pg-crash": lambda: pg_outage(args, outage=8.0, name="pg-crash"),
        "redis-stop": lambda: redis_outage(args, freeze=False),
        "redis-freeze": lambda: redis_outage(args, freeze=True),
    }
    ok = True
    for name in args.scenarios or SCENARIOS:
        figures = runs[name]()
        ok = ok and figures["pass"]
        print(json.dumps({"scenario": name, **figures}, ensure_ascii=False), flush=True)
    print(f"logs: {args.logs}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
