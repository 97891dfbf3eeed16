"""The page cache (caching/pages.py): hits, misses, what is stored, who is never served a shared copy."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import URLResolver, reverse
from django.utils import timezone

import caching
from articles.models import Status
from caching.pages import Page, local_pages
from tests.caching.helpers import HTTPS, another_process, state, trust_expires
from tests.factories import ArticleFactory, SectionFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_INPUT = re.compile(r'name="csrfmiddlewaretoken"')


@pytest.fixture
def story(db):
    return ArticleFactory(title="Голямата новина", slug="golyamata-novina", tags=[TagFactory(name="избори")])


@pytest.fixture
def stored(monkeypatch):
    """(page, timeout) of every page stored in the shared cache during the test."""
    pages = []
    real_set = cache.set

    def recording_set(key, value, timeout=None, **kwargs):
        if isinstance(value, Page):
            pages.append((value, timeout))
        return real_set(key, value, timeout, **kwargs)

    monkeypatch.setattr(cache, "set", recording_set)
    return pages


def test_the_second_reader_gets_the_stored_page_without_a_query(story, django_assert_num_queries):
    url = story.get_absolute_url()
    first = Client().get(url)
    assert state(first) == "miss"
    with django_assert_num_queries(0):
        second = Client().get(url)
    assert state(second) == "hit"
    assert second.status_code == 200 and second.content == first.content
    assert "Голямата новина" in second.content.decode()


@pytest.mark.parametrize(
    "name", ["home", "latest", "section", "tag", "archive", "search", "feed", "sitemap", "sitemap-articles"]
)
def test_listings_feeds_search_and_sitemaps_are_stored_too(story, name):
    url = {
        "home": reverse("articles:home"),
        "latest": reverse("articles:latest"),
        "section": story.section.get_absolute_url(),
        "tag": story.tags.get().get_absolute_url(),
        "archive": reverse("articles:archive"),
        "search": reverse("articles:search") + "?q=новина",
        "feed": reverse("articles:feed"),
        "sitemap": reverse("articles:sitemap"),
        "sitemap-articles": reverse("articles:sitemap_section", kwargs={"section": "articles"}),
    }[name]
    first = Client().get(url)
    assert first.status_code == 200 and state(first) == "miss"
    again = Client().get(url)
    assert state(again) == "hit" and again.content == first.content


def test_shared_pages_carry_no_token_set_no_cookie_and_are_public(story):
    for _ in range(2):  # the miss, then the hit
        response = Client().get(story.get_absolute_url())
        assert not TOKEN_INPUT.search(response.content.decode())
        assert not response.cookies
        cache_control = response.headers["Cache-Control"]
        assert "public" in cache_control and "max-age=0" in cache_control
        assert f"s-maxage={settings.PAGE_CACHE_SHARED_MAX_AGE}" in cache_control
        assert "Cookie" in response.headers["Vary"]
    assert 'src="/static/js/csrf.js"' in response.content.decode()  # fills the forms' tokens on first use


def test_hits_keep_the_security_headers_they_were_stored_with(story):
    url = story.get_absolute_url()
    miss, hit = Client().get(url, headers=HTTPS), Client().get(url, headers=HTTPS)
    assert state(hit) == "hit"
    for name in ("Content-Security-Policy", "Strict-Transport-Security", "X-Frame-Options", "Permissions-Policy"):
        assert hit.headers[name] == miss.headers[name], name


def test_a_hit_is_answered_before_url_resolution_and_the_view(story, monkeypatch):
    url = story.get_absolute_url()
    Client().get(url)

    def no_resolving(*args, **kwargs):
        raise AssertionError("URL resolution ran for a hit")

    monkeypatch.setattr(URLResolver, "resolve", no_resolving)
    assert state(Client().get(url)) == "hit"


def test_editing_an_article_changes_its_page_and_the_listings_at_once(story):
    home, url = reverse("articles:home"), story.get_absolute_url()
    Client().get(home), Client().get(url)
    story.title = "Поправено заглавие"
    story.save()
    for path in (home, url):
        response = Client().get(path)
        assert state(response) == "miss"
        assert "Поправено заглавие" in response.content.decode()


def test_publishing_a_draft_shows_it_on_the_home_page_at_once(story):
    draft = ArticleFactory(draft=True, title="Чернова за публикуване")
    assert "Чернова за публикуване" not in Client().get(reverse("articles:home")).content.decode()
    draft.status = Status.PUBLISHED
    draft.save()
    assert "Чернова за публикуване" in Client().get(reverse("articles:home")).content.decode()


def test_changing_a_tag_section_or_the_tags_of_an_article_changes_its_page(story):
    url = story.get_absolute_url()
    Client().get(url)
    tag = story.tags.get()
    tag.name = "местни избори"
    tag.save()
    assert "местни избори" in Client().get(url).content.decode()
    story.section.name = "Нов раздел"
    story.section.save()
    assert "Нов раздел" in Client().get(url).content.decode()
    story.tags.add(TagFactory(name="парламент"))
    assert "парламент" in Client().get(url).content.decode()


def test_a_discussion_change_renews_that_article_alone(story):
    other = ArticleFactory()
    pages = home, url, other_url = reverse("articles:home"), story.get_absolute_url(), other.get_absolute_url()
    for path in pages:
        Client().get(path)
    caching.article_changed(story.pk)
    assert state(Client().get(url)) == "miss"
    assert state(Client().get(other_url)) == "hit"
    assert state(Client().get(home)) == "hit"


def test_a_scheduled_article_appears_at_its_time_without_any_write(story):
    due = timezone.now() + timedelta(hours=1)
    ArticleFactory(title="Насрочена новина", published_at=due)
    home = reverse("articles:home")
    assert "Насрочена новина" not in Client().get(home).content.decode()
    assert state(Client().get(home)) == "hit"
    with time_machine.travel(due + timedelta(seconds=1), tick=False):
        response = Client().get(home)
        assert state(response) == "miss"
        assert "Насрочена новина" in response.content.decode()


def test_pages_are_stored_for_page_cache_ttl_at_most(story, stored, settings):
    settings.PAGE_CACHE_TTL = 17
    url = story.get_absolute_url()
    Client().get(url)
    assert [timeout for _page, timeout in stored] == [17]
    with time_machine.travel(timezone.now() + timedelta(seconds=18)):
        assert state(Client().get(url)) == "miss"  # this process's copy expired with it


def test_nothing_built_right_after_a_change_is_stored_with_a_replica(story, stored, settings):
    settings.PAGE_CACHE_SETTLE_SECONDS = 2
    caching.site_changed()
    assert state(Client().get(story.get_absolute_url())) == "bypass"
    assert stored == []
    with time_machine.travel(timezone.now() + timedelta(seconds=3)):
        trust_expires()
        assert state(Client().get(story.get_absolute_url())) == "miss"


def test_conditional_get_answers_304_until_the_page_changes(story):
    url = story.get_absolute_url()
    etag = Client().get(url).headers["ETag"]
    again = Client().get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag
    assert "public" in again.headers["Cache-Control"]
    caching.article_changed(story.pk)
    assert Client().get(url, headers={"If-None-Match": etag}).status_code == 200


def test_signed_in_editors_bypass_the_cache_and_never_fill_it(staff_client, story):
    url = story.get_absolute_url()
    editor_page = staff_client.get(url)
    assert state(editor_page) == "bypass"
    assert "no-store" in editor_page.headers["Cache-Control"]
    assert TOKEN_INPUT.search(editor_page.content.decode())  # their forms carry their token
    reader_page = Client().get(url)
    assert state(reader_page) == "miss"  # the editor's render was not stored


def test_an_editors_preview_of_a_draft_is_never_stored(staff_client, draft_article):
    url = draft_article.get_absolute_url()
    assert staff_client.get(url).status_code == 200
    assert Client().get(url).status_code == 404


@pytest.mark.parametrize("cookie", [*settings.PAGE_CACHE_PERSONAL_COOKIES])
def test_readers_with_reader_state_get_pages_of_their_own(story, cookie):
    url = story.get_absolute_url()
    Client().get(url)
    reader = Client()
    reader.cookies[cookie] = "x"
    response = reader.get(url)
    assert state(response) == "bypass"
    assert "private" in response.headers["Cache-Control"]
    assert TOKEN_INPUT.search(response.content.decode())  # a form they can send without JavaScript
    local_pages.clear()
    cache.clear()
    reader.get(url)
    assert state(Client().get(url)) == "miss"  # their page was not stored


def test_tracking_parameters_share_the_stored_page_and_are_not_reflected(story):
    url = story.get_absolute_url()
    Client().get(url)
    assert state(Client().get(url + "?utm_source=facebook&fbclid=SECRET123")) == "hit"
    fresh = ArticleFactory()
    first = Client().get(fresh.get_absolute_url() + "?fbclid=SECRET456")
    assert state(first) == "miss" and "SECRET456" not in first.content.decode()
    assert state(Client().get(fresh.get_absolute_url())) == "hit"


def test_unknown_parameters_are_answered_but_not_stored(story):
    response = Client().get(story.get_absolute_url() + "?replytocom=5")
    assert response.status_code == 200 and state(response) == "bypass"
    assert state(Client().get(story.get_absolute_url())) == "miss"


def test_known_parameters_are_stored_apart(story):
    url = story.get_absolute_url()
    assert state(Client().get(url + "?sort=oldest")) == "miss"
    assert state(Client().get(url)) == "miss"
    assert state(Client().get(url + "?sort=oldest")) == "hit"


def english_reader() -> Client:
    reader = Client()
    reader.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # chosen with the language switch
    return reader


def test_pages_differ_per_language(story):
    url = story.get_absolute_url()
    bulgarian = Client().get(url)
    english = english_reader().get(url)
    assert state(english) == "miss" and bulgarian.content != english.content
    again = english_reader().get(url)
    assert state(again) == "hit" and again.content == english.content
    assert again.headers["Content-Language"] == "en" and bulgarian.headers["Content-Language"] == "bg"


def test_a_browser_asking_for_english_gets_the_bulgarian_page(story):
    url = story.get_absolute_url()
    bulgarian = Client().get(url)
    asked = Client().get(url, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert state(asked) == "hit" and asked.content == bulgarian.content
    assert '<html lang="bg">' in asked.content.decode() and asked.headers["Content-Language"] == "bg"


def test_answers_from_a_stored_page_share_its_headers_and_never_change_them(story):
    url = story.get_absolute_url()
    Client().get(url)
    page = next(iter(local_pages._pages.values()))
    before = dict(page.headers.items())
    hits = [Client().get(url), english_reader().get(url), Client().get(url, headers={"If-None-Match": "x"})]
    assert [state(hit) for hit in hits] == ["hit", "miss", "hit"]
    assert dict(page.headers.items()) == before


def test_the_page_cache_can_be_switched_off(story, settings):
    settings.PAGE_CACHE_ENABLED = False
    Client().get(story.get_absolute_url())
    response = Client().get(story.get_absolute_url())
    assert state(response) == "bypass" and "public" in response.headers["Cache-Control"]


def test_this_process_serves_its_copy_without_fetching_the_page(story, monkeypatch):
    url = story.get_absolute_url()
    Client().get(url)
    fetched = []
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *a, **k: fetched.append(key) or real_get(key, *a, **k))
    monkeypatch.setattr(cache, "get_many", lambda keys, *a, **k: fetched.extend(keys) or {})
    assert state(Client().get(url)) == "hit"
    assert fetched == []  # generations read within PAGE_CACHE_TRUST_SECONDS: no cache round trip at all


def test_without_local_copies_or_trust_every_hit_reads_the_cache(story, settings, monkeypatch):
    settings.PAGE_CACHE_LOCAL_BYTES = 0
    settings.PAGE_CACHE_TRUST_SECONDS = 0
    url = story.get_absolute_url()
    Client().get(url)
    assert len(local_pages._pages) == 0
    another_change = []
    real_get_many = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys, *a, **k: another_change.extend(keys) or real_get_many(keys))
    assert state(Client().get(url)) == "hit"
    assert another_change  # the generations were read from the cache


def test_local_copies_are_bounded_in_bytes(story, settings):
    other = ArticleFactory()
    Client().get(story.get_absolute_url())
    settings.PAGE_CACHE_LOCAL_BYTES = len(local_pages._pages[next(iter(local_pages._pages))].body) + 10
    Client().get(other.get_absolute_url())
    assert len(local_pages._pages) == 1
    assert local_pages._bytes <= settings.PAGE_CACHE_LOCAL_BYTES


def test_a_change_made_by_another_process_shows_here_within_the_trust_time(story):
    url = story.get_absolute_url()
    Client().get(url)
    with another_process():
        story.title = "Променено от друг процес"
        story.save()
    assert state(Client().get(url)) == "hit"  # within PAGE_CACHE_TRUST_SECONDS: this process's copy
    trust_expires()
    response = Client().get(url)
    assert state(response) == "miss" and "Променено от друг процес" in response.content.decode()


def test_a_reader_with_reader_state_sees_another_process_change_at_once(story):
    url = story.get_absolute_url()
    Client().get(url)
    with another_process():
        story.title = "Видяно веднага"
        story.save()
    reader = Client()
    reader.cookies["vestnik_own"] = "x"
    assert "Видяно веднага" in reader.get(url).content.decode()


def test_the_article_page_query_budget_when_rendered(story, django_assert_max_num_queries):
    SectionFactory()
    ArticleFactory.create_batch(3, section=story.section, tags=list(story.tags.all()))
    Client().get(reverse("articles:home"))  # the navigation and the most-read boxes
    caching.article_changed(story.pk)
    with django_assert_max_num_queries(13):  # 9, the pictures in the text and gallery, live updates and notes
        response = Client().get(story.get_absolute_url())
    assert state(response) == "miss"


def test_another_readers_form_and_edit_links_never_reach_the_next_reader(story, settings):
    from tests.comments.conftest import comment_data

    settings.COMMENTS_RATE_POST_IP = settings.COMMENTS_RATE_POST_AUTHOR = ["1000/m"]
    settings.COMMENTS_UNSTAFFED_HOURS = ""
    settings.COMMENTS_NEW_AUTHOR_HELD = 0
    url, create = story.get_absolute_url(), reverse("comments:create", kwargs={"article_id": story.pk})
    poster = Client()
    refused = poster.post(create, comment_data(story, body="", author_name="Петър Сто"))
    assert refused.status_code == 400 and 'value="Петър Сто"' in refused.content.decode()
    assert (
        poster.post(create, comment_data(story, body="Мнение за редакция.", author_name="Петър Сто")).status_code == 302
    )
    edit_link = reverse("comments:edit", kwargs={"pk": story.comments.get().pk})
    assert edit_link in poster.get(url).content.decode()
    for _ in range(2):  # the miss and the hit
        other = Client().get(url).content.decode()
        assert "Мнение за редакция." in other
        assert edit_link not in other and 'value="Петър Сто"' not in other


def test_a_signed_in_user_with_a_fresh_session_is_never_served_a_shared_copy(story):
    url = story.get_absolute_url()
    Client().get(url)
    user = UserFactory()
    reader = Client()
    reader.force_login(user)
    assert state(reader.get(url)) == "bypass"
