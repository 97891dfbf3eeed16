"""RELIABILITY 45: Redis flushed (or restarted with no persistence) loses nothing that matters.

The cache is the production django-redis setup (tests/caching/helpers.redis_cache) on the
Redis of TEST_REDIS_URL, or of CACHE_URL when that is Redis; without either the tests skip. Each
test fills the cache through real requests, sends a real ``FLUSHDB`` and checks the first requests
after it:

- no authorization changes: sessions are ``cached_db`` (the database holds every session) and
  permissions and ``is_staff`` are read from the database on each request, so a signed-in editor
  still reaches the admin, a signed-in reader and an anonymous visitor still do not (the negative
  control: cache-only sessions sign everybody out);
- the comment rate-limit counters start again: a reader refused with 429 before the flush posts
  normally after it (published at once, not held as "rate limit unavailable"), and no 5xx;
- the comment count on the article page is the database's ``Article.comment_count`` on the very first
  request after the flush, even though this process still holds its own copy of the page from before
  a comment was added.
"""

import os
import re

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article
from articles.roles import EDITOR, account_set_role
from caching import generations
from caching.pages import HEADER, local_pages
from comments.models import Comment, CommentStatus, Reason
from tests.caching.helpers import redis_cache
from tests.comments.conftest import comment_data, create_url
from tests.factories import ArticleFactory, UserFactory

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


def configured_redis_url() -> str | None:
    url = os.environ.get("TEST_REDIS_URL") or os.environ.get("CACHE_URL", "")
    return url if url.startswith(("redis://", "rediss://")) else None


@pytest.fixture
def flush(settings):
    """The production Redis cache for this test; calling the fixture's value sends FLUSHDB."""
    import redis
    from django_redis import get_redis_connection

    url = configured_redis_url()
    if url is None:
        pytest.skip("no Redis URL configured (TEST_REDIS_URL or a redis:// CACHE_URL)")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {url}")
    settings.CACHES = redis_cache(url)
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"  # as in production

    def flushdb():
        connection = get_redis_connection("default")
        connection.flushdb()
        assert connection.dbsize() == 0

    return flushdb


def admin_access(clients: dict[str, Client]) -> dict[tuple[str, str], int]:
    """The status each client gets from a few admin pages."""
    pages = {
        "index": reverse("admin:index"),
        "articles": reverse("admin:articles_article_changelist"),
        "add article": reverse("admin:articles_article_add"),
        "users": reverse("admin:auth_user_changelist"),
    }
    return {(who, page): client.get(url).status_code for who, client in clients.items() for page, url in pages.items()}


def signed_in_clients() -> dict[str, Client]:
    editor = account_set_role(username="urednik", role=EDITOR, password="Dalgo-i-Slozhno-2025!").user
    clients = {"editor": Client(), "reader": Client(), "anonymous": Client()}
    clients["editor"].force_login(editor)
    clients["reader"].force_login(UserFactory(username="chitatel"))
    return clients


def test_a_flush_changes_no_authorization(flush):
    clients = signed_in_clients()
    before = admin_access(clients)
    # An editor (a staff member through the "Редактори" group, not a superuser) works in the newsroom
    # but not in user management; a signed-in reader and an anonymous visitor are sent to the sign-in page.
    assert before[("editor", "index")] == before[("editor", "articles")] == before[("editor", "add article")] == 200
    assert before[("editor", "users")] == 403
    assert {before[(who, page)] for who in ("reader", "anonymous") for page in ("index", "articles", "users")} == {302}

    flush()
    after = admin_access(clients)
    assert after == before
    assert clients["editor"].get(reverse("admin:index")).context["user"].username == "urednik"  # still signed in


def test_negative_control_sessions_only_in_the_cache_are_lost(flush, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    clients = signed_in_clients()
    before = admin_access(clients)
    flush()
    after = admin_access(clients)
    changed = {key for key in before if before[key] != after[key]}
    assert changed and {who for who, _page in changed} == {"editor"}  # signed out by the flush
    assert after[("editor", "index")] == 302


def test_rate_limit_counters_restart_without_a_server_error(flush, settings):
    settings.COMMENTS_RATE_POST_IP = ["2/m", "50/d"]
    article = ArticleFactory()
    reader = Client()

    def post(body):
        return reader.post(create_url(article), comment_data(article, body=body), REMOTE_ADDR="203.0.113.45")

    answers = [post(f"Мнение номер {n} преди изчистването на кеша.").status_code for n in (1, 2, 3)]
    assert answers == [302, 302, 429]  # the limit counted in Redis

    flush()
    resent = comment_data(article, body="Първо мнение след изчистването на кеша.")
    after = reader.post(create_url(article), resent, REMOTE_ADDR="203.0.113.45")
    assert after.status_code == 302
    comment = Comment.objects.get(body="Първо мнение след изчистването на кеша.")
    assert comment.status == CommentStatus.APPROVED and comment.reason != Reason.RATE_UNAVAILABLE
    # The form sent twice after the flush is still one comment: double submits are caught in the database.
    assert reader.post(create_url(article), resent, REMOTE_ADDR="203.0.113.45").status_code < 500
    assert Comment.objects.filter(body=comment.body).count() == 1
    # The counters count again from zero: the 2/m limit is reached after one more post.
    assert post("Още едно мнение след изчистването.").status_code == 302
    assert post("И още едно, вече твърде бързо.").status_code == 429


COUNT_SHOWN = re.compile(r"data-comment-count>(\d+)<")


def shown_counts(response) -> list[int]:
    html = response.content.decode()
    link = re.search(r'class="article__comments-link"><a href="#comments">[^<]*\((\d+)\)', html)
    return [int(link.group(1)), *map(int, COUNT_SHOWN.findall(html))]


def test_the_comment_count_shown_is_the_database_value_on_the_first_request_after_a_flush(flush, settings):
    article = ArticleFactory()
    poster = Client()
    for n in range(3):
        assert poster.post(create_url(article), comment_data(article, body=f"Мнение {n}.")).status_code == 302
    url = article.get_absolute_url()
    first = Client().get(url)
    assert first.headers[HEADER] == "miss" and shown_counts(first) == [3, 3]
    assert Client().get(url).headers[HEADER] == "hit"  # kept in Redis and in this process

    # A fourth comment, then the flush before anybody reads the page again.
    assert poster.post(create_url(article), comment_data(article, body="Четвърто мнение.")).status_code == 302
    flush()
    # Like any process that has not seen that comment: its copy of the page is from before, and it asks the
    # cache for the generations (which the flush lost).
    generations.forget()
    kept = [page.body for page in local_pages._pages.values()]
    assert kept and all(b"data-comment-count>3<" in body for body in kept)  # the page as it was, with 3

    after = Client().get(url)
    stored = Article.objects.get(pk=article.pk).comment_count
    assert stored == 4
    assert after.status_code == 200 and shown_counts(after) == [stored, stored]
    assert after.headers[HEADER] == "miss"  # rendered from the database
