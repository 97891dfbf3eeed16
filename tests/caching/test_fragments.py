"""Fragments (caching/fragments.py) and the parts of pages kept as fragments: thread, related list, boxes."""

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

import caching
from articles.models import Article
from caching import generations
from comments.security import ARTICLE_OWN_COOKIE
from tests.caching.helpers import another_process, trust_expires
from tests.comments.conftest import own_cookie
from tests.factories import ArticleFactory, CommentFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def builds():
    """A fragment whose builds are counted: ``builds.get(request, **kwargs)`` returns the build it served."""

    class Builds(list):
        def get(self, request=None, **kwargs):
            return caching.fragment(request, "test", lambda: self.append(len(self) + 1) or self[-1], **kwargs)

    return Builds()


def test_a_fragment_is_built_once_and_then_read_from_the_cache(builds):
    assert [builds.get(), builds.get(), builds.get()] == [1, 1, 1]


def test_a_site_change_renews_every_fragment_an_article_change_only_its_own(builds):
    assert builds.get(article_id=1) == 1 and builds.get(article_id=2) == 2
    caching.article_changed(1)
    assert builds.get(article_id=1) == 3 and builds.get(article_id=2) == 2
    caching.site_changed()
    assert builds.get(article_id=2) == 4 and builds.get() == 5


def test_a_fragment_lives_page_cache_ttl_at_most(builds, settings, monkeypatch):
    stored = []
    real_set = cache.set
    monkeypatch.setattr(
        cache, "set", lambda key, value, timeout=None, **k: stored.append(timeout) or real_set(key, value, timeout)
    )
    builds.get()
    assert stored == [settings.PAGE_CACHE_TTL]


def test_one_request_reads_each_generation_once_before_building(builds, monkeypatch):
    request = RequestFactory().get("/")
    reads = []
    real_current = generations.current
    monkeypatch.setattr(generations, "current", lambda keys, **k: reads.append(list(keys)) or real_current(keys, **k))
    builds.get(request)
    builds.get(request, article_id=7)
    assert reads == [[generations.SITE], [generations.article_key(7)]]
    assert set(request.generations.read) == {generations.SITE, generations.article_key(7)}


def test_without_an_answer_from_the_cache_the_fragment_is_built_every_time(builds, settings):
    from tests.caching.helpers import redis_cache

    settings.CACHES = redis_cache("redis://127.0.0.1:1/0")  # nothing listens on port 1
    generations.forget()
    assert [builds.get(), builds.get()] == [1, 2]


def test_nothing_built_right_after_a_change_is_stored_with_a_replica(builds, settings):
    settings.PAGE_CACHE_SETTLE_SECONDS = 2
    caching.site_changed()
    assert [builds.get(), builds.get()] == [1, 2]


# The fragments of the article page -----------------------------------------------------------------------


@pytest.fixture
def discussion(db):
    article = ArticleFactory(tags=[TagFactory()])
    CommentFactory(article=article, body="Първото мнение по темата.")
    return article


def rendered(article, client=None) -> str:
    """The article page rendered for this request (a parameter the page cache does not store)."""
    return (client or Client()).get(article.get_absolute_url() + "?ref=1").content.decode()


def test_a_warm_render_runs_only_the_article_lookup(discussion, django_assert_num_queries):
    rendered(discussion)
    with django_assert_num_queries(6):  # its id, its row, its tags, its authors, its pictures in the text, gallery
        assert "Първото мнение" in rendered(discussion)


def test_a_comment_saved_through_the_orm_shows_at_once(discussion):
    rendered(discussion)
    CommentFactory(article=discussion, body="Мнение, добавено от обвивката.")  # no service: the signal says so
    assert "Мнение, добавено от обвивката." in rendered(discussion)


def test_other_readers_see_another_process_comment_within_the_trust_time(discussion):
    rendered(discussion)
    with another_process():
        CommentFactory(article=discussion, body="Второто мнение, изпратено току-що.")
    assert "Второто мнение" not in rendered(discussion)
    trust_expires()
    assert "Второто мнение" in rendered(discussion)


def test_the_poster_sees_their_comment_at_once_whatever_process_saved_it(discussion):
    rendered(discussion)
    with another_process():
        comment = CommentFactory(article=discussion, body="Моето мнение, изпратено току-що.")
    poster = Client()
    poster.cookies[ARTICLE_OWN_COOKIE] = own_cookie(comment)
    assert "Моето мнение" in rendered(discussion, poster)


def test_the_related_list_is_kept_until_an_article_changes(discussion, django_assert_num_queries):
    tag = discussion.tags.get()
    first = ArticleFactory(title="Първа свързана", tags=[tag])
    html = rendered(discussion)
    assert "Първа свързана" in html
    assert [a.pk for a in Article.objects.related_to(discussion, limit=6)] == [first.pk]
    ArticleFactory(title="Втора свързана", tags=[tag])  # the save renews the site's generation
    assert "Втора свързана" in rendered(discussion)


def test_tags_and_authors_changed_by_an_editor_show_at_once(discussion):
    from tests.factories import AuthorFactory

    rendered(discussion)
    discussion.tags.add(TagFactory(name="Нов етикет"))
    discussion.authors.add(AuthorFactory(name="Мария Иванова"))
    html = rendered(discussion)
    assert "Нов етикет" in html and "Мария Иванова" in html
