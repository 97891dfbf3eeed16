"""The read-replica router (portal/db_router.py): reads to the replica, writes and what follows them to the primary."""

import contextvars
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from articles.models import Article
from portal import db_router
from portal.db_router import PIN_COOKIE, PrimaryPinMiddleware, PrimaryReplicaRouter

ROOT = Path(__file__).resolve().parents[2]
router = PrimaryReplicaRouter()


def fresh(fn):
    """Run ``fn`` as a new request would: no pinning yet."""
    return contextvars.Context().run(fn)


def test_reads_go_to_the_replica_and_writes_to_the_primary():
    assert fresh(lambda: router.db_for_read(Article)) == "replica"
    assert fresh(lambda: router.db_for_write(Article)) == "default"


def test_reads_after_a_write_stay_on_the_primary():
    def request():
        router.db_for_write(Article)
        return router.db_for_read(Article)

    assert fresh(request) == "default"


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_stay_on_the_primary():
    from django.db import transaction

    def request():
        with transaction.atomic():
            return router.db_for_read(Article)

    assert fresh(request) == "default"


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate("default", "articles")
    assert not router.allow_migrate("replica", "articles")
    assert router.allow_relation(object(), object())


def test_middleware_pins_posts_and_marks_the_browser_that_wrote(settings):
    settings.DATABASE_REPLICA_PIN_SECONDS = 5
    seen = {}

    def view(request):
        seen["read"] = router.db_for_read(Article)
        if request.method == "POST":
            router.db_for_write(Article)
        return HttpResponse("ok")

    middleware = PrimaryPinMiddleware(view)
    rf = RequestFactory()

    response = fresh(lambda: middleware(rf.get("/")))
    assert seen["read"] == "replica"
    assert PIN_COOKIE not in response.cookies

    response = fresh(lambda: middleware(rf.post("/")))
    assert seen["read"] == "default"
    assert response.cookies[PIN_COOKIE]["max-age"] == 5
    assert response.cookies[PIN_COOKIE]["httponly"]

    pinned = rf.get("/")
    pinned.COOKIES[PIN_COOKIE] = "1"
    fresh(lambda: middleware(pinned))
    assert seen["read"] == "default"


def test_middleware_leaves_no_pinning_behind_for_the_next_request():
    middleware = PrimaryPinMiddleware(lambda request: (router.db_for_write(Article), HttpResponse("ok"))[1])
    ctx = contextvars.Context()
    ctx.run(lambda: middleware(RequestFactory().get("/")))
    assert ctx.run(lambda: db_router._pinned.get()) is False
    assert ctx.run(lambda: router.db_for_read(Article)) == "replica"


SCRIPT = textwrap.dedent(
    """
    import contextvars
    import django
    django.setup()
    from django.conf import settings
    from django.test import Client
    from articles.models import Section

    assert settings.DATABASE_ROUTERS == ["portal.db_router.PrimaryReplicaRouter"]
    assert settings.MIDDLEWARE[0] == "portal.db_router.PrimaryPinMiddleware"
    fresh = lambda fn: contextvars.Context().run(fn)
    fresh(lambda: Section.objects.create(name="Само в основната", slug="samo-v-osnovnata"))
    print("replica sees it:", fresh(lambda: Section.objects.filter(slug="samo-v-osnovnata").exists()))
    print("primary sees it:", Section.objects.using("default").filter(slug="samo-v-osnovnata").exists())
    https = {"X-Forwarded-Proto": "https"}
    print("reader page:", fresh(lambda: Client().get("/samo-v-osnovnata/", headers=https).status_code))
    pinned = Client()
    pinned.cookies["vestnik_primary"] = "1"
    print("pinned page:", fresh(lambda: pinned.get("/samo-v-osnovnata/", headers=https).status_code))
    """
)


def test_two_sqlite_databases_route_reads_to_the_replica(tmp_path):
    """A real pair: the replica is a snapshot of the primary taken before the write."""
    primary, replica = tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": f"sqlite:///{primary}",
        "CACHE_URL": "locmemcache://router-test",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DATABASE_REPLICA_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    shutil.copy(primary, replica)
    env["DATABASE_REPLICA_URL"] = f"sqlite:///{replica}"
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=120
    ).stdout
    assert "replica sees it: False" in out
    assert "primary sees it: True" in out
    assert "reader page: 404" in out  # the replica has not caught up
    assert "pinned page: 200" in out  # the browser that just wrote reads the primary
