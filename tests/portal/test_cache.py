"""The page cache for anonymous readers (articles/cache.py): hits, misses, invalidation, no private leaks."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import CSRF_ALLOWED_CHARS
from django.test import Client
from django.urls import URLResolver, reverse
from django.utils import timezone

from articles import cache as page_cache
from articles.models import Status
from articles.views import ArticleDetailView, HomeView
from tests.comments.conftest import comment_data
from tests.factories import ArticleFactory, SectionFactory, TagFactory

pytestmark = pytest.mark.django_db

TOKEN_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')


def unmask(token: str) -> str:
    mask, cipher = token[:32], token[32:]
    chars = CSRF_ALLOWED_CHARS
    return "".join(chars[chars.index(c) - chars.index(m)] for c, m in zip(cipher, mask, strict=True))


def tokens(response) -> list[str]:
    return TOKEN_INPUT.findall(response.content.decode())


def state(response) -> str:
    return response.headers[page_cache.HEADER]


@pytest.fixture
def stored_pages(monkeypatch):
    """(entry, timeout) of every page the cache stores during the test."""
    stored = []
    real_set = cache.set

    def recording_set(key, value, timeout=None, **kwargs):
        if key.startswith("pc:p:"):
            stored.append((value, timeout))
        return real_set(key, value, timeout, **kwargs)

    monkeypatch.setattr(cache, "set", recording_set)
    return stored


@pytest.fixture
def story(db):
    return ArticleFactory(title="Голямата новина", slug="golyamata-novina", tags=[TagFactory(name="избори")])


def test_second_anonymous_request_is_a_hit_without_queries(client, story, django_assert_num_queries):
    url = story.get_absolute_url()
    first = client.get(url)
    assert state(first) == "miss"
    with django_assert_num_queries(0):
        second = Client().get(url)
    assert state(second) == "hit"
    assert second.status_code == 200
    assert "Голямата новина" in second.content.decode()


def test_listing_pages_are_cached_too(client, story):
    for url in (reverse("articles:home"), reverse("articles:latest"), story.section.get_absolute_url()):
        assert state(client.get(url)) == "miss"
        assert state(Client().get(url)) == "hit"


def test_editing_an_article_invalidates_its_page_and_the_listings(client, story):
    home, url = reverse("articles:home"), story.get_absolute_url()
    client.get(home), client.get(url)
    story.title = "Поправено заглавие"
    story.save()
    for path in (home, url):
        response = Client().get(path)
        assert state(response) == "miss"
        assert "Поправено заглавие" in response.content.decode()


def test_publishing_a_draft_shows_it_on_the_home_page_at_once(client, story):
    draft = ArticleFactory(draft=True, title="Чернова за публикуване")
    assert "Чернова за публикуване" not in client.get(reverse("articles:home")).content.decode()
    draft.status = Status.PUBLISHED
    draft.save()
    assert "Чернова за публикуване" in Client().get(reverse("articles:home")).content.decode()


def test_unpublishing_removes_the_article_page_from_the_cache(client, story):
    url = story.get_absolute_url()
    client.get(url)
    story.status = Status.ARCHIVED
    story.save()
    assert Client().get(url).status_code == 404


def test_changing_a_tag_or_section_invalidates_pages(client, story):
    url = story.get_absolute_url()
    client.get(url)
    tag = story.tags.get()
    tag.name = "местни избори"
    tag.save()
    assert "местни избори" in Client().get(url).content.decode()
    story.section.name = "Нов раздел"
    story.section.save()
    assert "Нов раздел" in Client().get(url).content.decode()
    story.tags.add(TagFactory(name="парламент"))
    assert "парламент" in Client().get(url).content.decode()


def test_bump_article_invalidates_that_article_alone(client, story):
    other = ArticleFactory()
    home, url, other_url = reverse("articles:home"), story.get_absolute_url(), other.get_absolute_url()
    for path in (home, url, other_url):
        client.get(path)
    page_cache.bump_article(story.pk)  # what the comments app calls when a comment appears or goes
    assert state(Client().get(url)) == "miss"
    assert state(Client().get(other_url)) == "hit"
    assert state(Client().get(home)) == "hit"


def test_bump_article_accepts_an_instance_and_ignores_unknown_ids(client, story):
    url = story.get_absolute_url()
    client.get(url)
    page_cache.bump_article(10**9)
    assert state(Client().get(url)) == "hit"
    page_cache.bump_article(story)
    assert state(Client().get(url)) == "miss"


def test_scheduled_article_appears_at_its_time_without_any_write(client, story, monkeypatch):
    due = timezone.now() + timedelta(hours=1)
    ArticleFactory(title="Насрочена новина", published_at=due)
    home = reverse("articles:home")
    assert "Насрочена новина" not in client.get(home).content.decode()
    assert state(Client().get(home)) == "hit"
    later = due + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    monkeypatch.setattr(page_cache, "_now", lambda: later.timestamp())
    response = Client().get(home)
    assert state(response) == "miss"
    assert "Насрочена новина" in response.content.decode()


def test_cache_entries_live_at_most_page_cache_ttl(client, story, stored_pages, settings):
    settings.PAGE_CACHE_TTL = 17
    client.get(story.get_absolute_url())
    assert [timeout for _entry, timeout in stored_pages] == [17]


def test_entries_rendered_right_after_a_change_settle_quickly(client, story, stored_pages, settings):
    settings.PAGE_CACHE_SETTLE_SECONDS = 2
    page_cache.bump_site()
    client.get(story.get_absolute_url())
    assert [timeout for _entry, timeout in stored_pages] == [2]


# Conditional GET and headers ---------------------------------------------------------------------


def test_conditional_get_answers_304_until_the_page_changes(client, story):
    url = story.get_absolute_url()
    first = client.get(url)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    assert first.headers["Last-Modified"]
    again = Client().get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["ETag"] == etag
    page_cache.bump_article(story)
    assert Client().get(url, headers={"If-None-Match": etag}).status_code == 200


def test_if_modified_since_answers_304(client, story):
    url = story.get_absolute_url()
    first = client.get(url)
    assert Client().get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304


def test_anonymous_page_with_own_token_is_private_to_the_browser(client, story):
    response = client.get(story.get_absolute_url())
    cache_control = response.headers["Cache-Control"]
    assert "private" in cache_control and "no-cache" in cache_control and "max-age=0" in cache_control
    assert "no-store" not in cache_control
    assert settings.CSRF_COOKIE_NAME in response.cookies


def test_copy_for_the_shared_cache_is_public_token_free_and_sets_no_cookie(client, story):
    url = story.get_absolute_url()
    for _ in range(2):  # the miss and the hit
        response = Client().get(url, headers={"X-Shared-Cache": "1"})
        assert response.status_code == 200
        assert tokens(response) and set(tokens(response)) == {""}
        assert not response.cookies
        assert "public" in response.headers["Cache-Control"]
        assert "s-maxage=2" in response.headers["Cache-Control"]
        assert "Cookie" in response.headers["Vary"]


def test_shared_cache_header_is_ignored_for_a_reader_with_a_csrf_cookie(client, story):
    url = story.get_absolute_url()
    client.get(url)  # gets the CSRF cookie
    response = client.get(url, headers={"X-Shared-Cache": "1"})
    assert "private" in response.headers["Cache-Control"]
    assert unmask(tokens(response)[0]) == client.cookies[settings.CSRF_COOKIE_NAME].value


# No reader's state in another reader's page ------------------------------------------------------


def test_each_reader_gets_their_own_csrf_token_from_the_same_cached_page(story):
    url = story.get_absolute_url()
    reader_a, reader_b = Client(), Client()
    page_a, page_b = reader_a.get(url), reader_b.get(url)
    assert (state(page_a), state(page_b)) == ("miss", "hit")
    secret_a = reader_a.cookies[settings.CSRF_COOKIE_NAME].value
    secret_b = reader_b.cookies[settings.CSRF_COOKIE_NAME].value
    assert secret_a != secret_b
    assert tokens(page_a) and all(unmask(t) == secret_a for t in tokens(page_a))
    assert tokens(page_b) and all(unmask(t) == secret_b for t in tokens(page_b))
    assert page_cache.csrf_placeholder() not in page_a.content.decode() + page_b.content.decode()


def test_stored_page_holds_the_placeholder_and_no_real_token(client, story, stored_pages):
    client.get(story.get_absolute_url())
    client.get(reverse("articles:home"))
    assert len(stored_pages) == 2
    for entry, _timeout in stored_pages:
        assert set(TOKEN_INPUT.findall(entry.body.decode())) == {page_cache.csrf_placeholder()}


def test_token_from_a_cached_page_posts_without_javascript(story):
    """A reader served from the cache can submit a CSRF-protected form (here: the language switcher)."""
    url = story.get_absolute_url()
    Client().get(url)  # fills the cache
    reader = Client(enforce_csrf_checks=True)
    page = reader.get(url)
    assert state(page) == "hit"
    response = reader.post(
        reverse("set_language"), {"language": "en", "next": url, "csrfmiddlewaretoken": tokens(page)[0]}
    )
    assert response.status_code == 302


def test_real_token_rendered_by_other_code_is_scrubbed_before_storing(rf):
    from django.middleware.csrf import get_token

    request = rf.get("/")
    token = get_token(request)
    body = f'<input name="csrfmiddlewaretoken" value="{token}"><p data-x="{"a" * 64}">'.encode()
    placeholder = page_cache.csrf_placeholder().encode()
    scrubbed = page_cache._scrub_tokens(body, request.META["CSRF_COOKIE"], placeholder)
    assert token.encode() not in scrubbed
    assert placeholder in scrubbed
    assert b"a" * 64 in scrubbed  # only tokens of this secret are touched


def test_signed_in_editor_bypasses_the_cache_and_never_fills_it(staff_client, story):
    url = story.get_absolute_url()
    editor_page = staff_client.get(url)
    assert state(editor_page) == "bypass"
    assert "no-store" in editor_page.headers["Cache-Control"]
    reader_page = Client().get(url)
    assert state(reader_page) == "miss"  # the editor's render was not stored
    assert f"/{settings.ADMIN_URL}" not in reader_page.content.decode()


def test_editor_preview_of_a_draft_is_never_cached(staff_client, draft_article):
    url = draft_article.get_absolute_url()
    assert staff_client.get(url).status_code == 200
    assert Client().get(url).status_code == 404


def test_reader_with_a_session_bypasses_the_cache_and_never_fills_it(client, story):
    url = story.get_absolute_url()
    session = client.session
    session["anything"] = 1
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    assert state(client.get(url)) == "bypass"
    assert state(Client().get(url)) == "miss"


@pytest.mark.parametrize("cookie", ["MESSAGE_COOKIE_NAME", "vestnik_own"])
def test_readers_with_per_reader_cookies_bypass_the_cache(client, story, cookie):
    """Flash messages and the list of the reader's own comments (edit links) are theirs alone."""
    url = story.get_absolute_url()
    Client().get(url)
    client.cookies[getattr(settings, cookie, cookie)] = "x"
    assert state(client.get(url)) == "bypass"


def test_tracking_parameters_share_the_entry_and_are_not_reflected(client, story):
    url = story.get_absolute_url()
    client.get(url)
    response = Client().get(url + "?utm_source=facebook&fbclid=SECRET123")
    assert state(response) == "hit"
    fresh = ArticleFactory()
    first = Client().get(fresh.get_absolute_url() + "?fbclid=SECRET456")
    assert state(first) == "miss"
    assert "SECRET456" not in first.content.decode()
    assert state(Client().get(fresh.get_absolute_url())) == "hit"


def test_unknown_parameters_render_uncached(client, story):
    response = client.get(story.get_absolute_url() + "?replytocom=5")
    assert state(response) == "bypass"
    assert state(Client().get(story.get_absolute_url())) == "miss"


def test_pages_differ_per_language(client, story):
    url = story.get_absolute_url()
    bulgarian = client.get(url)
    english = Client().get(url, headers={"Accept-Language": "en"})
    assert state(english) == "miss"
    assert bulgarian.content != english.content


def test_cache_can_be_switched_off(client, story, settings):
    settings.PAGE_CACHE_ENABLED = False
    client.get(story.get_absolute_url())
    assert state(Client().get(story.get_absolute_url())) == "bypass"


def test_article_page_query_budget_when_rendered(client, story, django_assert_max_num_queries):
    SectionFactory()
    ArticleFactory.create_batch(3, section=story.section, tags=list(story.tags.all()))
    client.get(reverse("articles:home"))  # warms the navigation and schedule lookups
    page_cache.bump_site()
    with django_assert_max_num_queries(8):
        response = Client().get(story.get_absolute_url())
    assert state(response) == "miss"


def test_token_endpoint_gives_the_reader_a_token_and_cookie_never_cached(client):
    response = client.get(reverse("csrf_token"))
    assert response.status_code == 200
    token = response.json()["token"]
    assert unmask(token) == client.cookies[settings.CSRF_COOKIE_NAME].value
    assert "no-store" in response.headers["Cache-Control"] or "no-cache" in response.headers["Cache-Control"]
    assert client.post(reverse("csrf_token")).status_code == 405


def test_shared_copy_loads_the_script_that_fills_empty_tokens(client, story):
    html = Client().get(story.get_absolute_url(), headers={"X-Shared-Cache": "1"}).content.decode()
    assert f'src="/static/js/csrf.js" data-token-url="{reverse("csrf_token")}"' in html
    form = {"language": "en", "next": "/", "csrfmiddlewaretoken": client.get(reverse("csrf_token")).json()["token"]}
    assert Client(enforce_csrf_checks=True).post(reverse("set_language"), form).status_code == 403  # no cookie
    reader = Client(enforce_csrf_checks=True)
    form["csrfmiddlewaretoken"] = reader.get(reverse("csrf_token")).json()["token"]
    assert reader.post(reverse("set_language"), form).status_code == 302


def test_process_copy_serves_hits_without_fetching_the_page(client, story, monkeypatch, settings):
    url = story.get_absolute_url()
    client.get(url)
    fetched = []
    real_get_many = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys, **kw: (fetched.extend(keys), real_get_many(keys, **kw))[1])
    assert state(Client().get(url)) == "hit"
    assert fetched == []  # versions read within PAGE_CACHE_VERSION_RECHECK: no Redis round trip at all
    settings.PAGE_CACHE_VERSION_RECHECK = 0
    assert state(Client().get(url)) == "hit"
    assert fetched and not any(key.startswith("pc:p:") for key in fetched)  # versions only


def _view_ran(*args, **kwargs):
    raise AssertionError("the view ran")


@pytest.mark.parametrize("view", [ArticleDetailView, HomeView])
def test_hits_on_a_page_this_process_holds_skip_url_resolution_and_the_view(client, story, monkeypatch, view):
    url = story.get_absolute_url() if view is ArticleDetailView else reverse("articles:home")
    assert state(client.get(url)) == "miss"
    monkeypatch.setattr(view, "dispatch", _view_ran)
    monkeypatch.setattr(URLResolver, "resolve", _view_ran)
    reader = Client()
    response = reader.get(url)
    assert (response.status_code, state(response)) == (200, "hit")
    secret = reader.cookies[settings.CSRF_COOKIE_NAME].value
    assert tokens(response) and all(unmask(t) == secret for t in tokens(response))
    assert response.headers["Cache-Control"] == page_cache.PRIVATE
    assert response.headers["Content-Security-Policy"]  # the outer middleware still answer for it


@pytest.mark.parametrize(
    "change",
    [
        lambda story: page_cache.bump_article(story),  # a new comment on this article
        lambda story: page_cache.bump_site(),  # an edit anywhere
    ],
)
def test_a_changed_page_goes_past_the_held_copy_to_the_view(client, story, monkeypatch, change):
    url = story.get_absolute_url()
    client.get(url)
    change(story)
    monkeypatch.setattr(ArticleDetailView, "dispatch", _view_ran)
    with pytest.raises(AssertionError, match="the view ran"):
        Client().get(url)


def test_held_copies_are_never_served_to_readers_the_cache_skips(client, story, monkeypatch):
    url = story.get_absolute_url()
    client.get(url)
    monkeypatch.setattr(ArticleDetailView, "dispatch", _view_ran)
    for cookie in (settings.SESSION_COOKIE_NAME, "vestnik_own", settings.MESSAGE_COOKIE_NAME):
        reader = Client()
        reader.cookies[cookie] = "x"
        with pytest.raises(AssertionError, match="the view ran"):
            reader.get(url)
    with pytest.raises(AssertionError, match="the view ran"):
        Client().get(url + "?q=1")


def test_another_process_change_shows_within_the_version_recheck(client, story, settings, monkeypatch):
    settings.PAGE_CACHE_VERSION_RECHECK = 1.0
    url = story.get_absolute_url()
    client.get(url)
    cache.set(page_cache.article_key(story.slug), 1, None)  # what bump_article does, seen from elsewhere
    assert state(Client().get(url)) == "hit"  # this process trusts the versions it read for 1 s
    later = page_cache._monotonic() + 1.5
    monkeypatch.setattr(page_cache, "_monotonic", lambda: later)
    assert state(Client().get(url)) == "miss"


def test_without_recheck_interval_every_hit_checks_the_versions(client, story, settings):
    settings.PAGE_CACHE_VERSION_RECHECK = 0
    url = story.get_absolute_url()
    client.get(url)
    cache.set(page_cache.article_key(story.slug), 1, None)
    assert state(Client().get(url)) == "miss"


def test_while_one_process_renders_a_changed_page_the_others_serve_their_copy(client, story):
    url = story.get_absolute_url()
    client.get(url)
    plan = page_cache.plan_for(Client().get(url).wsgi_request)
    page_cache.bump_article(story)
    cache.add(f"pc:lock:{plan.page_key}", 1, 10)  # another process is rendering the new page
    assert state(Client().get(url)) == "stale"
    cache.delete(f"pc:lock:{plan.page_key}")
    assert state(Client().get(url)) == "miss"


def test_process_copy_is_bounded(client, story, settings):
    settings.PAGE_CACHE_LOCAL_BYTES = 100
    page_cache.local_pages.clear()
    client.get(story.get_absolute_url())
    assert len(page_cache.local_pages) == 0
    settings.PAGE_CACHE_LOCAL_BYTES = 10**6
    Client().get(reverse("articles:home"))
    assert len(page_cache.local_pages) == 1


def test_reader_token_is_a_django_csrf_token_for_the_readers_secret(rf):
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CsrfViewMiddleware

    request = rf.get("/")
    request.COOKIES[settings.CSRF_COOKIE_NAME] = "a" * 32
    CsrfViewMiddleware(lambda r: None).process_request(request)
    tokens_seen = {page_cache.reader_token(request) for _ in range(50)}
    assert len(tokens_seen) == 50  # a fresh mask every time
    for token in tokens_seen:
        assert len(token) == 64 and set(token) <= set(CSRF_ALLOWED_CHARS)
        assert unmask(token) == "a" * 32
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True

    fresh = rf.get("/")
    CsrfViewMiddleware(lambda r: None).process_request(fresh)
    token = page_cache.reader_token(fresh)
    assert unmask(token) == fresh.META["CSRF_COOKIE"]  # a new secret, sent as the cookie
    assert len(set(fresh.META["CSRF_COOKIE"])) > 10


def comment_form(article, **fields) -> dict:
    """A valid guest comment for ``article`` from reader A (tests/comments/conftest.py's form)."""
    return comment_data(article, **{"author_name": "Читател А", "body": "Мнение на читател А по темата.", **fields})


def test_reader_a_form_errors_and_edit_links_never_reach_reader_b(story, settings):
    settings.COMMENTS_UNSTAFFED_HOURS = ""
    settings.COMMENTS_NEW_AUTHOR_HELD = 0
    url, post_url = story.get_absolute_url(), reverse("comments:create", kwargs={"article_id": story.pk})
    Client().get(url)  # the page is cached before anything happens
    reader_a = Client()
    failed = reader_a.post(post_url, comment_form(story, body=""))
    assert failed.status_code == 400
    assert 'class="field__error"' in failed.content.decode()
    posted = reader_a.post(post_url, comment_form(story))
    assert posted.status_code == 302
    own_page = reader_a.get(url).content.decode()
    edit_links = re.findall(r'href="(/comments/\d+/edit/)"', own_page)
    assert edit_links  # reader A sees the edit link beside their fresh comment
    reader_b = Client().get(url)
    html = reader_b.content.decode()
    assert "Мнение на читател А" in html  # the comment itself is public at once
    assert not any(link in html for link in edit_links)
    assert 'class="field__error"' not in html
    a_secret = reader_a.cookies[settings.CSRF_COOKIE_NAME].value
    assert all(unmask(t) != a_secret for t in tokens(reader_b))


def test_related_articles_are_cached_until_an_article_changes(story, django_assert_num_queries):
    from articles.models import Article

    tag = story.tags.get()
    first = ArticleFactory(title="Първа свързана", tags=[tag])
    page_cache.bump_site()  # as any write does; the related list is keyed by this version
    related = page_cache.related_articles(story, limit=6)
    assert [a.pk for a in related] == [a.pk for a in Article.objects.related_to(story, limit=6)]
    assert first in related
    with django_assert_num_queries(0):
        assert page_cache.related_articles(story, limit=6) == related
    second = ArticleFactory(title="Втора свързана", tags=[tag])  # the save bumps the site version
    assert second in page_cache.related_articles(story, limit=6)


def test_related_articles_are_cached_before_any_page_is(story, settings, django_assert_num_queries):
    settings.PAGE_CACHE_ENABLED = False  # no page sets the site version
    cache.clear()
    page_cache.clear_local()
    ArticleFactory(tags=list(story.tags.all()))
    related = page_cache.related_articles(story, limit=6)
    assert related
    with django_assert_num_queries(0):
        assert page_cache.related_articles(story, limit=6) == related


def test_related_articles_work_without_a_cache_version(story, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    page_cache.clear_local()
    other = ArticleFactory(tags=list(story.tags.all()))
    assert other in page_cache.related_articles(story, limit=6)
