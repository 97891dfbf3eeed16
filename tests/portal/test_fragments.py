"""Fragments kept under a version, in the shared cache and in each process (articles.cache.fragment)."""

import time

import pytest
from django.core.cache import cache
from django.test import Client

from articles import cache as page_cache
from comments import threads
from comments.security import ARTICLE_OWN_COOKIE
from tests.comments.conftest import own_cookie
from tests.factories import ArticleFactory, CommentFactory

VERSION = "test:fragment:v"


@pytest.fixture
def builds():
    """A fragment whose builds are counted: ``builds.get(**kwargs)`` returns the build number it served."""

    class Builds(list):
        def get(self, **kwargs):
            return page_cache.fragment(
                "test:fragment", VERSION, lambda: self.append(len(self) + 1) or self[-1], **kwargs
            )

    return Builds()


def later(monkeypatch, seconds: float) -> None:
    """Move both of the cache module's clocks ``seconds`` on."""
    monotonic, now = page_cache._monotonic() + seconds, page_cache._now() + seconds
    monkeypatch.setattr(page_cache, "_monotonic", lambda: monotonic)
    monkeypatch.setattr(page_cache, "_now", lambda: now)


def another_process_changes(key: str) -> None:
    """What a bump in another process looks like from here: the cache has a new value, this process's copy does not."""
    cache.set(key, time.time_ns() + 1, None)


def test_a_fragment_is_built_once_then_held_by_the_process(builds, monkeypatch):
    assert builds.get(timeout=60) == 1
    assert builds.get(timeout=60) == 1
    cache.clear()  # neither the shared copy nor the version is there any more
    assert builds.get(timeout=60) == 1  # this process's copy, under the version it read within the last second
    later(monkeypatch, 1.5)
    assert builds.get(timeout=60) == 2  # the version is read again: a new one, a new build


def test_a_new_version_reaches_every_process_within_the_recheck_interval(builds, monkeypatch):
    assert builds.get(timeout=60) == 1
    another_process_changes(VERSION)
    assert builds.get(timeout=60) == 1
    later(monkeypatch, 1.5)
    assert builds.get(timeout=60) == 2


def test_a_reader_who_may_have_made_the_change_reads_the_version_now(builds):
    assert builds.get(timeout=60) == 1
    another_process_changes(VERSION)
    assert builds.get(timeout=60, recent=False) == 2
    assert builds.get(timeout=60) == 2  # and this process now knows the new version too


def test_a_new_version_made_here_is_seen_here_at_once(builds):
    assert builds.get(timeout=60) == 1
    page_cache.new_version(VERSION)
    assert builds.get(timeout=60) == 2


def test_a_fragment_lives_no_longer_than_its_timeout_in_the_process_either(builds, monkeypatch):
    assert builds.get(timeout=60) == 1
    later(monkeypatch, 0.5)
    assert builds.get(timeout=60) == 1
    monkeypatch.setattr(page_cache.local_versions, "get_many", lambda keys, max_age: {VERSION: cache.get(VERSION)})
    later(monkeypatch, 61)
    assert builds.get(timeout=60) == 2


def test_without_the_cache_a_fragment_is_built_every_time(builds, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert [builds.get(timeout=60) for _ in range(3)] == [1, 2, 3]


def test_the_process_copies_are_bounded_in_bytes(settings):
    settings.PAGE_CACHE_LOCAL_BYTES = 10_000
    copies = page_cache.LocalCopies()
    for n in range(5):
        copies.put(f"k{n}", n, 3_000)
    assert len(copies) == 3 and copies.get("k0") is None and copies.get("k4") == 4
    copies.put("huge", "x", 20_000)
    assert copies.get("huge") is None and len(copies) == 3


@pytest.fixture
def discussion(db):
    article = ArticleFactory()
    CommentFactory(article=article, body="Първото мнение по темата.")
    return article


def comment_posted_elsewhere(article) -> None:
    """A comment that another process saved and announced: its bump reached the cache, not this process."""
    CommentFactory(article=article, body="Второто мнение, изпратено току-що.")
    another_process_changes(threads._version_key(article.pk))


def test_a_reader_who_posted_sees_the_thread_as_it_is_now(discussion):
    url = discussion.get_absolute_url() + "?ref=1"  # rendered for each request, not from the page cache
    assert "Първото мнение" in Client().get(url).content.decode()
    comment_posted_elsewhere(discussion)
    reader = Client()
    reader.cookies[ARTICLE_OWN_COOKIE] = own_cookie(discussion.comments.first())
    assert "Второто мнение" in reader.get(url).content.decode()


def test_other_readers_see_it_within_the_recheck_interval(discussion, monkeypatch):
    url = discussion.get_absolute_url() + "?ref=1"
    Client().get(url)
    comment_posted_elsewhere(discussion)
    assert "Второто мнение" not in Client().get(url).content.decode()
    later(monkeypatch, 1.5)
    assert "Второто мнение" in Client().get(url).content.decode()


def test_a_render_within_the_recheck_interval_reads_no_fragment_from_the_shared_cache(discussion, monkeypatch):
    url = discussion.get_absolute_url() + "?ref=1"
    Client().get(url)
    read = []
    real_get = cache.get

    def recording_get(key, *args, **kwargs):
        read.append(key)
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", recording_get)
    response = Client().get(url)
    assert response.status_code == 200 and "Първото мнение" in response.content.decode()
    assert read == []


def test_a_warm_render_runs_only_the_article_lookup(discussion, django_assert_num_queries):
    url = discussion.get_absolute_url() + "?ref=1"
    Client().get(url)
    with django_assert_num_queries(1):
        response = Client().get(url)
    assert "Първото мнение" in response.content.decode()


def test_tags_and_authors_changed_by_an_editor_show_at_once(discussion):
    from tests.factories import AuthorFactory, TagFactory

    url = discussion.get_absolute_url() + "?ref=1"
    Client().get(url)
    discussion.tags.add(TagFactory(name="Нов етикет"))
    discussion.authors.add(AuthorFactory(name="Мария Иванова"))
    html = Client().get(url).content.decode()
    assert "Нов етикет" in html and "Мария Иванова" in html
