import sys
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

import caching
from comments import threads
from comments.models import Comment, path_segment
from comments.threads import build_thread, flatten, parse_page, parse_sort
from tests.comments.conftest import own_cookie
from tests.factories import ArticleFactory, CommentFactory

# --- Pure helpers: no database ----------------------------------------------------------------------------------


def node(pk, parent=None):
    return SimpleNamespace(pk=pk, parent_id=parent)


def test_build_thread_nests_replies_in_given_order():
    comments = [node(1), node(2, 1), node(3), node(4, 1), node(5, 2)]
    roots = build_thread(comments)
    assert [c.pk for c in roots] == [1, 3]
    assert [c.pk for c in roots[0].replies] == [2, 4]
    assert [c.pk for c in roots[0].replies[0].replies] == [5]


def test_build_thread_treats_orphans_as_roots():
    roots = build_thread([node(7, 99), node(8, 7)])
    assert [c.pk for c in roots] == [7]


def test_flatten_lists_parents_before_their_replies_with_levels(settings):
    settings.COMMENTS_MAX_DEPTH = 2
    flat = flatten(build_thread([node(1), node(2, 1), node(3, 2), node(4, 3), node(5, 1), node(6)]))
    assert [(c.pk, c.level) for c in flat] == [(1, 0), (2, 1), (3, 2), (4, 2), (5, 1), (6, 0)]


def test_a_5000_deep_chain_builds_without_recursion():
    chain = [node(1)] + [node(i, i - 1) for i in range(2, 5001)]
    assert sys.getrecursionlimit() < 5000  # deeper than Python would recurse
    flat = flatten(build_thread(chain))
    assert [c.pk for c in flat] == list(range(1, 5001))


@pytest.mark.parametrize(
    ("value", "expected"), [("best", "best"), ("oldest", "oldest"), ("x", "newest"), (None, "newest")]
)
def test_parse_sort(value, expected):
    assert parse_sort(value) == expected


@pytest.mark.parametrize(("value", "expected"), [("2", 2), ("0", 1), ("-3", 1), ("x", 1), (None, 1), ("10" * 20, 1)])
def test_parse_page(value, expected):
    assert parse_page(value) == expected


# --- With the database ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_query_for_a_page_of_threads():
    article = ArticleFactory()
    roots = CommentFactory.create_batch(5, article=article)
    for root in roots:
        CommentFactory.create_batch(3, parent=root)
    with CaptureQueriesContext(connection) as queries:
        block = threads.build_block(article, sort="newest", page=1, discussion_open=True)
    assert len(queries) == 1
    assert block.total_threads == 5 and len(block.parts) == 20


@pytest.mark.django_db
def test_thread_block_is_cached_until_the_comments_change():
    article = ArticleFactory()
    CommentFactory(article=article, body="първи")
    threads.thread_block(None, article, sort="newest", page=1, discussion_open=True)
    with CaptureQueriesContext(connection) as queries:
        cached = threads.thread_block(None, article, sort="newest", page=1, discussion_open=True)
    assert len(queries) == 0 and len(cached.parts) == 1
    CommentFactory(article=article, body="втори")
    caching.article_changed(article.pk)
    assert len(threads.thread_block(None, article, sort="newest", page=1, discussion_open=True).parts) == 2


@pytest.mark.django_db
def test_cached_thread_keeps_its_html_safe_and_per_language():
    article = ArticleFactory()
    root = CommentFactory(article=article, body="<b>текст</b>")
    CommentFactory(parent=root)
    with translation.override("en"):
        english = threads.thread_block(None, article, sort="newest", page=1, discussion_open=True)
    bulgarian = threads.thread_block(None, article, sort="newest", page=1, discussion_open=True)
    cached = threads.thread_block(None, article, sort="newest", page=1, discussion_open=True)
    assert "in reply to" in english.parts[1][2] and "в отговор на" in bulgarian.parts[1][2]
    assert type(cached.parts[0][2]).__name__ == "SafeString"
    assert "&lt;b&gt;текст&lt;/b&gt;" in cached.parts[0][2]


@pytest.mark.django_db
def test_pinned_threads_come_first_in_every_sort():
    article = ArticleFactory()
    pinned = CommentFactory(article=article, is_pinned=True)
    CommentFactory(article=article, likes=9, score=9)
    CommentFactory(article=article)
    for sort in threads.SORTS:
        block = threads.build_block(article, sort=sort, page=1, discussion_open=True)
        assert block.parts[0][0] == pinned.pk


@pytest.mark.django_db
def test_a_reply_beyond_the_shown_ones_links_to_the_threads_page(settings):
    settings.COMMENTS_REPLIES_SHOWN = 2
    article = ArticleFactory()
    root = CommentFactory(article=article)
    replies = CommentFactory.create_batch(4, parent=root)
    assert threads.comment_url(replies[1]).endswith(f"#comment-{replies[1].pk}")
    assert threads.comment_url(replies[1]).startswith(article.get_absolute_url())
    assert threads.comment_url(replies[3]) == f"/comments/thread/{root.pk}/?page=1#comment-{replies[3].pk}"


@pytest.mark.django_db
def test_10000_comments_5000_deep_render_in_few_queries(client, settings):
    """Built through the ORM around the depth rule: the page must not recurse or query per comment."""
    settings.PAGE_CACHE_ENABLED = False
    article = ArticleFactory()
    root = CommentFactory(article=article)
    rows, parent_id = [], root.pk
    first_id = root.pk + 1
    for i in range(5000):
        pk = first_id + i
        # Paths are capped at 31 levels; deeper than that, siblings' order is what the tree build restores.
        rows.append(
            Comment(
                pk=pk,
                article=article,
                parent_id=parent_id,
                thread_id=root.pk,
                depth=i + 1,
                path=root.path + path_segment(pk),
                author_name="Верига",
                body=f"ниво {i + 1}",
                author_key="i:chain",
                status="approved",
            )
        )
        parent_id = pk
    for i in range(4999):
        pk = first_id + 5000 + i
        rows.append(
            Comment(
                pk=pk,
                article=article,
                thread_id=pk,
                depth=0,
                path=path_segment(pk),
                thread_visible_count=1,
                author_name="Широк",
                body=f"тема {i}",
                author_key=f"i:{i}",
                status="approved",
            )
        )
    Comment.objects.bulk_create(rows, batch_size=1000)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert len(queries) <= 12  # the article page's own budget (tests/articles/test_views.py), not per comment
    chain = client.get(f"/comments/thread/{root.pk}/?page=51")  # the root and 5,000 replies, 100 a page
    assert chain.status_code == 200 and "ниво 5000" in chain.content.decode()


def orm_page(article, *, root_order, offset, limit, replies_shown):
    """What ``Comment.objects.thread_page`` must answer, worked out from the ORM's own rules."""
    roots = Comment.objects.for_article(article).threads().order_by(*root_order, "-pk")[offset : offset + limit]
    rows = []
    for root in roots:
        thread = list(Comment.objects.filter(thread_id=root.pk).displayable().order_by("path"))
        rows += [(c.pk, number, len(thread)) for number, c in enumerate(thread, 1)][: replies_shown + 1]
    return rows


@pytest.mark.django_db
@pytest.mark.parametrize("sort", list(threads.SORTS))
def test_thread_page_sql_answers_as_the_orm_rules_do(sort, settings):
    settings.COMMENTS_HIDE_SCORE = -5
    article = ArticleFactory()
    pinned = CommentFactory(article=article, is_pinned=True)
    CommentFactory.create_batch(4, parent=pinned)  # cut after two replies
    removed_root = CommentFactory(article=article, removed=True)
    CommentFactory(parent=removed_root)  # keeps its removed root as a placeholder
    CommentFactory(article=article, removed=True)  # nothing visible below: not a thread at all
    root = CommentFactory(article=article, score=5, likes=5)
    voted_down = CommentFactory(parent=root, score=-9, dislikes=9)
    CommentFactory(parent=voted_down)  # keeps the hidden reply as a placeholder
    CommentFactory(parent=root, pending=True)  # never shown
    CommentFactory.create_batch(3, article=article, score=2, likes=2)
    CommentFactory(article=ArticleFactory())  # another article's
    order = threads.SORTS[sort][1]
    total = Comment.objects.for_article(article).threads().count()
    assert total == 6
    for offset in (0, 3, 6):
        page = list(Comment.objects.thread_page(article, root_order=order, offset=offset, limit=3, replies_shown=2))
        assert [(c.pk, c.row_number, c.thread_size) for c in page] == orm_page(
            article, root_order=order, offset=offset, limit=3, replies_shown=2
        )
        assert all(c.root_total == total and c.article_id == article.pk for c in page)


@pytest.mark.django_db
def test_the_joined_thread_keeps_every_comment_escaped(client):
    from comments.security import ARTICLE_OWN_COOKIE

    article = ArticleFactory()
    hostile = CommentFactory(
        article=article, author_name='<img src=x onerror="alert(1)">', body="<script>alert(2)</script>"
    )
    CommentFactory(parent=hostile, body='"><svg onload=alert(3)>')
    url = article.get_absolute_url()
    stranger = client.get(url).content.decode()  # the thread joined as it is stored
    client.cookies[ARTICLE_OWN_COOKIE] = own_cookie(hostile)
    owner = client.get(url).content.decode()  # the same with this reader's edit links put in
    for html in (stranger, owner):
        assert "<script>alert(2)" not in html and "<svg onload" not in html and '<img src=x onerror="alert' not in html
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
        assert f'id="comment-{hostile.pk}"' in html and html.count('<article class="comment') == 2
    assert "comment-own" not in stranger
    assert owner.count('<p class="comment-own ') == 1
