"""Generations (caching/generations.py): started on first use, renewed by changes, trusted for a moment."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

import caching
from caching import breaker, generations
from caching.generations import SITE, article_key, current
from tests.caching.helpers import another_process, redis_cache, trust_expires


def site() -> str:
    return current([SITE])[SITE]


def test_a_generation_the_cache_lacks_is_started_once_for_every_process():
    first = site()
    with another_process():
        assert site() == first
    cache.clear()
    generations.forget()
    assert site() != first  # lost from the cache: a new value, which no stored copy can match


@pytest.mark.django_db
def test_a_change_renews_the_generation_at_once_and_again_on_commit(django_capture_on_commit_callbacks):
    before = site()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        caching.site_changed()
        during = site()
        assert during != before
    assert len(callbacks) == 1
    assert site() not in (before, during)  # what was built from rows read before the commit is retired


def test_an_article_change_leaves_the_site_and_other_articles_alone():
    before = current([SITE, article_key(1), article_key(2)])
    caching.article_changed(1)
    after = current([SITE, article_key(1), article_key(2)])
    assert after[article_key(1)] != before[article_key(1)]
    assert after[SITE] == before[SITE] and after[article_key(2)] == before[article_key(2)]


def test_another_process_change_is_trusted_away_for_the_trust_time_at_most():
    before = current([SITE], trust=1)[SITE]
    with another_process():
        caching.site_changed()
    assert current([SITE], trust=1)[SITE] == before
    assert current([SITE], trust=0)[SITE] != before  # asked the cache
    trust_expires()
    assert current([SITE], trust=1)[SITE] != before


def test_the_site_changes_at_each_scheduled_time_without_a_write():
    now = timezone.now()
    times = [now + timedelta(minutes=10), now + timedelta(minutes=20)]
    caching.site_changed(scheduled=times)
    with time_machine.travel(now, tick=False):
        at_start = site()
    with time_machine.travel(times[0] + timedelta(seconds=1), tick=False):
        after_first = site()
    with time_machine.travel(times[1] + timedelta(seconds=1), tick=False):
        after_second = site()
    assert len({at_start, after_first, after_second}) == 3


def test_an_unknown_schedule_rolls_the_site_over_every_page_cache_ttl(settings):
    caching.site_changed(scheduled=None)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        first = site()
    with time_machine.travel(now + timedelta(seconds=settings.PAGE_CACHE_TTL), tick=False):
        assert site() != first


def test_without_an_answer_from_the_cache_there_is_no_generation(settings):
    settings.CACHES = redis_cache("redis://127.0.0.1:1/0")  # nothing listens on port 1
    assert current([SITE]) is None


def test_after_a_cache_outage_the_site_generation_is_renewed():
    before = site()
    breaker._recovered.set()  # a circuit of this process closed: the cache answers again
    assert site() != before
    assert site() == site()  # once


@pytest.mark.django_db
def test_the_command_for_shell_fixes_renews_the_site_or_some_articles():
    from django.core.management import call_command

    before = current([SITE, article_key(5), article_key(6)])
    call_command("cache_changed", "--article", "5")
    middle = current([SITE, article_key(5), article_key(6)])
    assert middle[article_key(5)] != before[article_key(5)] and middle[article_key(6)] == before[article_key(6)]
    assert middle[SITE] == before[SITE]
    call_command("cache_changed")
    assert current([SITE])[SITE] != middle[SITE]


def test_times_announced_by_different_apps_all_count():
    now = timezone.now()
    article_due, banner_ends = now + timedelta(minutes=10), now + timedelta(minutes=20)
    caching.site_changed(scheduled=[article_due])  # the articles
    caching.site_changed(scheduled=[banner_ends])  # another app: its times join the first's
    with time_machine.travel(now, tick=False):
        at_start = site()
    with time_machine.travel(article_due + timedelta(seconds=1), tick=False):
        after_first = site()
    with time_machine.travel(banner_ends + timedelta(seconds=1), tick=False):
        after_second = site()
    assert len({at_start, after_first, after_second}) == 3
