"""Every response's Cache-Control, per page type, with and without each cookie a reader can carry.

Shared answers (one copy for every reader without reader state) are public for s-maxage seconds;
anything with reader state is private, and never stored by a shared cache (docs/caching.md).
"""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from comments.security import ARTICLE_OWN_COOKIE, OWN_COOKIE
from tests.comments.conftest import comment_data, create_url
from tests.factories import ArticleFactory, AuthorFactory, CommentFactory, SourceFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db

SHARED_PAGES = [
    "home",
    "latest",
    "section",
    "tag",
    "source",
    "author",
    "archive",
    "archive-day",
    "article",
    "article-comments-page-2",
    "search",
    "feed",
    "sitemap",
    "sitemap-news",
    "thread",
    "permalink",
    "404",
    "moved-article",
]
# Pages whose own Cache-Control stands for everybody.
OWN_POLICY = {"robots": "public", "csrf-token": "no-store", "healthz": "no-store"}
# A page with a form of its own, rendered with the reader's token: private whatever the cookies.
FORM_PAGES = ["reply", "report"]
READER_STATE = ["session", "messages", ARTICLE_OWN_COOKIE, OWN_COOKIE, "vestnik_primary"]


@pytest.fixture
def urls(db):
    tag, source, author = TagFactory(), SourceFactory(), AuthorFactory()
    article = ArticleFactory(tags=[tag], source=source, authors=[author])
    comment = CommentFactory(article=article)
    moved = ArticleFactory(slug="staro-ime")
    moved.slug = "novo-ime"
    moved.save()  # the old address now answers 301
    day = article.published_at
    return {
        "home": reverse("articles:home"),
        "latest": reverse("articles:latest"),
        "section": article.section.get_absolute_url(),
        "tag": tag.get_absolute_url(),
        "source": source.get_absolute_url(),
        "author": author.get_absolute_url(),
        "archive": reverse("articles:archive"),
        "archive-day": reverse(
            "articles:archive_day", kwargs={"year": day.year, "month": f"{day.month:02}", "day": f"{day.day:02}"}
        ),
        "article": article.get_absolute_url(),
        "article-comments-page-2": article.get_absolute_url() + "?sort=oldest&cpage=2",
        "search": reverse("articles:search") + "?q=новина",
        "feed": reverse("articles:feed"),
        "sitemap": reverse("articles:sitemap"),
        "sitemap-news": reverse("articles:sitemap_news"),
        "thread": reverse("comments:thread", kwargs={"pk": comment.pk}),
        "permalink": reverse("comments:permalink", kwargs={"pk": comment.pk}),
        "404": "/tova-go-nyama-nikade/",
        "moved-article": moved.get_absolute_url().replace("novo-ime", "staro-ime"),
        "robots": reverse("robots"),
        "csrf-token": reverse("csrf_token"),
        "healthz": reverse("healthz"),
        "reply": reverse("comments:reply", kwargs={"pk": comment.pk}),
        "report": reverse("comments:report", kwargs={"pk": comment.pk}),
    }


def reader(cookie: str | None) -> Client:
    client = Client()
    if cookie == "session":
        session = client.session  # an anonymous session, as one left over from an earlier sign-in
        session["anything"] = 1
        session.save()
        client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    elif cookie == "messages":
        client.cookies[settings.MESSAGE_COOKIE_NAME] = "x"
    elif cookie == "signed-in":
        client.force_login(UserFactory())
    elif cookie is not None:
        client.cookies[cookie] = "x"
    return client


def is_shared(response) -> bool:
    cache_control = response.headers["Cache-Control"]
    shared = "public" in cache_control and f"s-maxage={settings.PAGE_CACHE_SHARED_MAX_AGE}" in cache_control
    if shared:
        assert "max-age=0" in cache_control and "Cookie" in response.headers["Vary"]
        assert not response.cookies  # nothing of one reader's in what others get
    return shared


def is_private(response) -> bool:
    cache_control = response.headers["Cache-Control"]
    return "private" in cache_control and ("no-cache" in cache_control or "no-store" in cache_control)


@pytest.mark.parametrize("cookie", [None, "csrftoken", "django_language"])
@pytest.mark.parametrize("name", SHARED_PAGES)
def test_answers_without_reader_state_are_shared(urls, name, cookie):
    for _ in range(2):  # the first answer, and the stored one
        response = reader(cookie).get(urls[name])
        assert response.status_code in (200, 301, 302, 404), name
        assert is_shared(response), (name, response.headers["Cache-Control"])


@pytest.mark.parametrize("cookie", [*READER_STATE, "signed-in"])
@pytest.mark.parametrize("name", SHARED_PAGES)
def test_answers_with_reader_state_are_private(urls, name, cookie):
    reader(None).get(urls[name])  # a shared copy exists
    response = reader(cookie).get(urls[name])
    assert response.status_code in (200, 301, 302, 404), name
    assert is_private(response), (name, cookie, response.headers["Cache-Control"])
    if cookie == "signed-in":
        assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize("cookie", [None, *READER_STATE])
@pytest.mark.parametrize("name", FORM_PAGES)
def test_pages_with_a_form_of_their_own_are_private(urls, name, cookie):
    response = reader(cookie).get(urls[name])
    assert response.status_code == 200 and is_private(response), name
    assert 'name="csrfmiddlewaretoken" value="' in response.content.decode()


@pytest.mark.parametrize("cookie", [None, *READER_STATE])
@pytest.mark.parametrize(("name", "policy"), OWN_POLICY.items())
def test_pages_with_their_own_policy_keep_it(urls, name, policy, cookie):
    response = reader(cookie).get(urls[name])
    assert policy in response.headers["Cache-Control"], (name, response.headers["Cache-Control"])


def test_a_post_and_the_redirect_after_it_are_private(urls):
    article = ArticleFactory()
    poster = Client()
    posted = poster.post(create_url(article), comment_data(article))
    assert posted.status_code == 302 and is_private(posted)
    landed = poster.get(posted.headers["Location"])  # with the message and own-comments cookies
    assert landed.status_code == 200 and is_private(landed)
    assert "Коментарът ви е публикуван" in landed.content.decode() or "published" in landed.content.decode()


def test_an_error_answer_is_never_shared(urls, settings):
    settings.COMMENTS_RATE_VOTE = ["1/m"]
    response = Client().get(urls["article"] + "?cpage=notanumber")
    assert response.status_code == 200  # a bad page number shows page 1, and is not stored
    bad = Client().post(reverse("comments:vote", kwargs={"pk": 10**9}), {"value": "7"})
    assert bad.status_code in (400, 403, 404) and is_private(bad)
