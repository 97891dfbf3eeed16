"""The table of docs/caching.md, "How long each layer can show the old page", row by row.

Two app processes are simulated in this one (tests.caching.helpers.Process): "here" made the change,
"elsewhere" had read the page before it. They share the cache, as processes share Redis. The nginx column
is the s-maxage every shared answer carries; tests/portal/test_takedown.py holds it through the real nginx.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Status
from comments.security import ARTICLE_OWN_COOKIE
from tests.caching.helpers import Process, redis_cache, state
from tests.comments.conftest import own_cookie
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "caching.md"


@pytest.fixture
def here():
    return Process()


@pytest.fixture
def elsewhere():
    return Process()


@pytest.fixture
def story(db):
    return ArticleFactory(title="Първоначално заглавие")


def read(process: Process, url: str, client: Client | None = None):
    with process.running():
        return (client or Client()).get(url)


def shown(process: Process, url: str, text: str) -> bool:
    return text in read(process, url).content.decode()


def assert_nginx_keeps_it_s_seconds(response) -> None:
    assert f"s-maxage={settings.PAGE_CACHE_SHARED_MAX_AGE}" in response.headers["Cache-Control"]


def test_a_content_change(story, here, elsewhere):
    url, home = story.get_absolute_url(), reverse("articles:home")
    for process in (here, elsewhere):
        read(process, url), read(process, home)
    with here.running():
        story.title = "Ново заглавие"
        story.save()
    assert shown(here, url, "Ново заглавие") and shown(here, home, "Ново заглавие")  # here: 0
    assert state(read(elsewhere, url)) == "hit"  # elsewhere: its copy, within T
    elsewhere.trust_expires()
    response = read(elsewhere, url)
    assert "Ново заглавие" in response.content.decode() and shown(elsewhere, home, "Ново заглавие")  # after T
    assert_nginx_keeps_it_s_seconds(response)


def test_a_takedown(story, here, elsewhere):
    url = story.get_absolute_url()
    for process in (here, elsewhere):
        read(process, url)
    with here.running():
        story.status = Status.DRAFT
        story.save()
    assert read(here, url).status_code == 404
    elsewhere.trust_expires()
    gone = read(elsewhere, url)
    assert gone.status_code == 404 and not gone.cookies
    assert_nginx_keeps_it_s_seconds(gone)  # nginx stores the 404 over the page
    for process in (here, elsewhere):
        assert read(process, url).status_code == 404  # for good: no copy comes back


def test_a_scheduled_publication(here, elsewhere):
    due = timezone.now() + timedelta(hours=1)
    with here.running():
        ArticleFactory(title="Насрочена новина", published_at=due)
    home = reverse("articles:home")
    for process in (here, elsewhere):
        assert not shown(process, home, "Насрочена новина")
    with time_machine.travel(due + timedelta(milliseconds=10), tick=False):
        for process in (here, elsewhere):  # no trust time to wait out: the time is part of the generation
            assert shown(process, home, "Насрочена новина")


def test_a_discussion_change(story, here, elsewhere):
    url = story.get_absolute_url()
    for process in (here, elsewhere):
        read(process, url)
    with here.running():
        comment = CommentFactory(article=story, body="Ново мнение под статията.")  # through the ORM: the signal
    assert shown(here, url, "Ново мнение под статията.")
    assert not shown(elsewhere, url, "Ново мнение под статията.")  # others elsewhere: within T
    poster = Client()
    poster.cookies[ARTICLE_OWN_COOKIE] = own_cookie(comment)
    poster_page = read(elsewhere, url, poster)
    assert "Ново мнение под статията." in poster_page.content.decode()  # the poster: 0, wherever they land
    assert "private" in poster_page.headers["Cache-Control"]  # and past nginx
    elsewhere.trust_expires()
    assert shown(elsewhere, url, "Ново мнение под статията.")


MOST_COMMENTED = re.compile(r'class="most-read__count">(\d+)')


def most_commented_count(process: Process) -> int:
    return int(MOST_COMMENTED.search(read(process, reverse("articles:home")).content.decode()).group(1))


def test_what_no_generation_covers(here):
    import caching

    with here.running():
        story = ArticleFactory(title="Спорна статия", comment_count=7)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        assert most_commented_count(here) == 7
        with here.running():
            Article.objects.filter(pk=story.pk).update(comment_count=41)  # as the services move the counter
            caching.article_changed(story.pk)  # the article's page is renewed; the listings are not
        assert most_commented_count(here) == 7
    with time_machine.travel(now + timedelta(seconds=2 * settings.PAGE_CACHE_TTL + 1), tick=False):
        here.trust_expires()
        assert most_commented_count(here) == 41  # 2L at most


def test_an_unannounced_write(story, here, elsewhere):
    url = story.get_absolute_url()
    for process in (here, elsewhere):
        read(process, url)
    with here.running():
        Article.objects.filter(pk=story.pk).update(title="Тихо поправено")  # no signal
    here.trust_expires()
    assert not shown(here, url, "Тихо поправено")
    now = timezone.now()
    with time_machine.travel(now + timedelta(seconds=2 * settings.PAGE_CACHE_TTL + 1), tick=False):
        here.trust_expires()
        assert shown(here, url, "Тихо поправено")  # 2L at most
    with here.running():
        Article.objects.filter(pk=story.pk).update(title="Поправено и обявено")
        call_command("cache_changed")
    assert shown(here, url, "Поправено и обявено")
    elsewhere.trust_expires()
    assert shown(elsewhere, url, "Поправено и обявено")


def test_a_change_during_a_cache_outage(story, here, settings):
    url = story.get_absolute_url()
    read(here, url)
    working = settings.CACHES
    settings.CACHES = redis_cache("redis://127.0.0.1:1/0")  # nothing listens on port 1
    with here.running():
        story.title = "Заглавие от време на срива"
        story.save()  # the announcement is lost
    here.trust_expires()
    response = read(here, url)
    assert "Заглавие от време на срива" in response.content.decode() and state(response) == "bypass"
    settings.CACHES = working  # the cache answers again, with what it held before the outage
    from caching import breaker

    breaker._recovered.set()  # as the breaker reports when its circuit closes
    here.trust_expires()
    assert shown(here, url, "Заглавие от време на срива")


def test_a_cache_flush(story, here, elsewhere):
    url = story.get_absolute_url()
    for process in (here, elsewhere):
        read(process, url)
    with here.running():
        Article.objects.filter(pk=story.pk).update(title="След изчистването")
        cache.clear()  # FLUSHDB: every generation is gone, and starts again as a new value
    assert not shown(elsewhere, url, "След изчистването")  # its own copy, under the generations it trusts for T
    for process in (here, elsewhere):
        process.trust_expires()
        assert shown(process, url, "След изчистването")


def test_with_a_read_replica(story, here, settings):
    settings.PAGE_CACHE_SETTLE_SECONDS = 2
    url = story.get_absolute_url()
    with here.running():
        story.title = "Току-що поправено"
        story.save()
    first = read(here, url)
    assert state(first) == "bypass"  # built within the settle time: not stored (a replica may still lag)
    assert state(read(here, url)) == "bypass"
    with time_machine.travel(timezone.now() + timedelta(seconds=3), tick=False):
        here.trust_expires()
        assert state(read(here, url)) == "miss"


def test_every_row_of_the_table_names_tests_that_exist():
    table = DOC.read_text(encoding="utf-8").split("## How long each layer can show the old page", 1)[1]
    named = set(re.findall(r"`test_bounds\.py::(\w+)`", table))
    here_defined = {name for name in globals() if name.startswith("test_")} - {
        "test_every_row_of_the_table_names_tests_that_exist"
    }
    assert named == here_defined
