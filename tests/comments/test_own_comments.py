"""What a reader sees of their own comments: edit links at once, and comments waiting for a moderator.

Both are the reader's alone: they are added to the page rendered for a reader with the own-comments
cookie (or signed in), never to the thread every reader shares (docs/caching.md).
"""

import re
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from comments.markup import own_controls
from comments.models import Comment, CommentStatus
from comments.security import ARTICLE_OWN_COOKIE
from comments.services import comment_moderate
from comments.threads import with_held
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

OWN = re.compile(r'<p class="comment-own[^"]*">.*?</p>')
WAITING = '<p class="comment__held">'


def page(client, article, query="") -> str:
    return client.get(article.get_absolute_url() + query).content.decode()


def waiting_text() -> str:
    """The mark of a comment waiting for a moderator, as the Bulgarian page writes it (escaped)."""
    with translation.override("bg"):
        return escape(translation.gettext("Awaiting a moderator's approval. Only you can see it."))


@pytest.fixture
def premoderated(settings):
    settings.COMMENTS_MODERATION = "pre"


# --- 1. Edit links at once ------------------------------------------------------------------------------------


def test_a_comment_posted_with_javascript_comes_with_its_edit_links(client, article, post_comment):
    data = post_comment(article, as_json=True, body="С JavaScript, и веднага с връзките.").json()
    comment = Comment.objects.get()
    [controls] = OWN.findall(data["html"])
    assert reverse("comments:edit", kwargs={"pk": comment.pk}) in controls
    assert reverse("comments:delete", kwargs={"pk": comment.pk}) in controls
    assert data["html"].index(f'id="comment-{comment.pk}"') < data["html"].index(controls)
    # The very markup the page shows beside it after a reload (comments.markup.own_controls, once).
    assert controls in page(client, article)
    assert controls == own_controls(comment.pk, 0, comment.created_at.timestamp())


def test_a_reply_posted_with_javascript_comes_with_its_edit_links_at_its_level(client, article, post_comment):
    parent = CommentFactory(article=article)
    data = post_comment(article, as_json=True, parent=str(parent.pk), body="Отговор с връзки.").json()
    reply = Comment.objects.get(parent=parent)
    [controls] = OWN.findall(data["html"])
    assert 'class="comment-own comment--level-1"' in controls
    assert reverse("comments:edit", kwargs={"pk": reply.pk}) in controls


def test_a_second_answer_for_the_same_form_adds_nothing(client, article, post_comment):
    post_comment(article, as_json=True, body="Веднъж.", submission="9a0e9a63-7a4e-4f7e-9d1e-8d0f1e2c3b4a")
    again = post_comment(article, as_json=True, body="Веднъж.", submission="9a0e9a63-7a4e-4f7e-9d1e-8d0f1e2c3b4a")
    assert again.json()["html"] == "" and Comment.objects.count() == 1


# --- 2. Held comments shown to their author ----------------------------------------------------------------


def test_a_held_comment_shows_to_its_author_marked_as_waiting(client, article, post_comment, premoderated):
    response = post_comment(article, body="Чакам одобрение, но го виждам.")
    held = Comment.objects.get()
    assert held.status == CommentStatus.PENDING
    mine = client.get(response["Location"])
    html = mine.content.decode()
    card = html[html.index(f'id="comment-{held.pk}"') :]
    card = card[: card.index("</article>")]
    assert "comment--held" in html and WAITING in card and waiting_text() in card
    assert "Чакам одобрение, но го виждам." in card
    assert "comment__actions" not in card and "/vote/" not in card  # nothing to vote on or answer yet
    assert "data-comments-empty" not in html
    assert "Коментари (<span data-comment-count>0</span>)" in html  # not counted
    assert "private" in mine["Cache-Control"]  # the page of a reader with reader state (docs/caching.md)


def test_a_held_comment_is_never_shown_to_anyone_else_nor_cached_for_them(client, article, post_comment, premoderated):
    post_comment(article, body="Само за автора.")
    assert "Само за автора." in page(client, article)  # the author's page first: the thread is cached now
    stranger = Client()
    for _ in range(2):  # built, then from the page cache
        html = page(stranger, article)
        assert "Само за автора." not in html and "comment--held" not in html
    signed_in = Client()
    signed_in.force_login(UserFactory())
    assert "Само за автора." not in page(signed_in, article)


def test_a_held_comment_shows_with_javascript_marked_as_waiting(client, article, post_comment, premoderated):
    data = post_comment(article, as_json=True, body="Задържан, но вмъкнат.").json()
    held = Comment.objects.get()
    assert data["ok"] and not data["visible"] and data["id"] == held.pk and data["count"] == 0
    assert f'id="comment-{held.pk}"' in data["html"] and "comment--held" in data["html"]
    assert WAITING in data["html"] and "Задържан, но вмъкнат." in data["html"]
    assert "comment__actions" not in data["html"] and "comment-own" not in data["html"]
    assert "Задържан, но вмъкнат." in page(client, article)  # and after a reload, as without JavaScript


def test_a_held_reply_shows_after_its_parent_and_its_replies(client, article, post_comment, premoderated, settings):
    settings.COMMENTS_MODERATION = "post"
    parent = CommentFactory(article=article, body="Родител")
    child = CommentFactory(parent=parent, body="По-ранен отговор")
    later = CommentFactory(article=article, body="Друга нишка")
    settings.COMMENTS_MODERATION = "pre"
    post_comment(article, parent=str(parent.pk), body="Моят задържан отговор")
    html = page(client, article)
    order = [html.index(text) for text in ("Друга нишка", "Родител", "По-ранен отговор", "Моят задържан отговор")]
    assert order == sorted(order), "newest thread first, then the parent's thread with the held reply last"
    assert later.pk and child.pk
    mine = Comment.objects.get(body="Моят задържан отговор")
    assert f'class="comment comment--level-1 comment--held" id="comment-{mine.pk}"' in html


def test_a_signed_in_author_sees_held_comments_of_the_account_from_any_device(client, article):
    user = UserFactory()
    CommentFactory(article=article, user=user, author_key=f"u:{user.pk}", pending=True, body="От телефона")
    CommentFactory(article=article, pending=True, body="На някой друг")
    client.force_login(user)
    html = page(client, article)
    assert "От телефона" in html and "comment--held" in html
    assert "На някой друг" not in html


def test_held_comments_leave_the_authors_page_once_moderated(client, article, post_comment, premoderated):
    post_comment(article, body="Ще бъде одобрен.")
    post_comment(article, body="Ще бъде отхвърлен.")
    approved, rejected = Comment.objects.order_by("pk")
    comment_moderate(comment_ids=[approved.pk], status=CommentStatus.APPROVED)
    comment_moderate(comment_ids=[rejected.pk], status=CommentStatus.REJECTED)
    html = page(client, article)
    assert "Ще бъде одобрен." in html and "Ще бъде отхвърлен." not in html
    assert "comment--held" not in html


def test_a_held_comment_waits_on_its_authors_page_longer_than_the_edit_window(
    client, article, post_comment, premoderated, time_machine
):
    post_comment(article, body="Модераторът спи.")
    held = Comment.objects.get()
    time_machine.move_to(timezone.now() + timedelta(hours=9))  # a night of pre-moderation later
    html = page(client, article)
    assert "Модераторът спи." in html and "comment--held" in html
    edit = client.post(reverse("comments:edit", kwargs={"pk": held.pk}), {"body": "късна промяна"})
    assert edit.status_code == 403  # the edit window is what it was
    time_machine.move_to(timezone.now() + timedelta(hours=16))
    assert "Модераторът спи." not in page(client, article)


def test_the_cookie_of_a_held_comment_lives_as_long_as_it_is_shown(article, post_comment, premoderated, settings):
    from comments.security import OWN_COOKIE, OWN_HELD_SECONDS

    response = post_comment(article)
    for name in (OWN_COOKIE, ARTICLE_OWN_COOKIE):
        assert OWN_HELD_SECONDS - 5 <= response.cookies[name]["max-age"] <= OWN_HELD_SECONDS
    settings.COMMENTS_MODERATION = "post"
    published = post_comment(ArticleFactory(), body="Публикуван, под друга статия.")
    assert published.cookies[ARTICLE_OWN_COOKIE]["max-age"] == settings.COMMENTS_EDIT_MINUTES * 60
    assert published.cookies[OWN_COOKIE]["max-age"] >= OWN_HELD_SECONDS - 5  # it still lists the held one


def test_an_own_comment_edited_into_review_stays_on_its_authors_page(client, article, post_comment):
    post_comment(article, body="Първо нормално.")
    comment = Comment.objects.get()
    client.post(
        reverse("comments:edit", kwargs={"pk": comment.pk}), {"body": "Вижте http://a.bg http://b.bg http://c.bg"}
    )
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PENDING
    html = page(client, article)
    assert "http://a.bg" in html and "comment--held" in html
    assert "http://a.bg" not in page(Client(), article)


def test_the_page_of_a_reader_with_held_comments_keeps_a_fixed_query_budget(
    client, settings, article, post_comment, django_assert_max_num_queries
):
    settings.PAGE_CACHE_ENABLED = False
    for i in range(3):
        CommentFactory(article=article, body=f"Видим {i}")
    client.get("/")  # the navigation cache
    page(Client(), article)  # the page's shared caches, and the thread
    with CaptureQueriesContext(connection) as shared:
        page(Client(), article)
    settings.COMMENTS_MODERATION = "pre"
    counts = []
    for held in (1, 5):
        while Comment.objects.filter(status=CommentStatus.PENDING).count() < held:
            post_comment(article, body=f"Задържан {time.monotonic_ns()}")
        page(client, article)  # the thread again, after the posts renewed the article's generation
        with CaptureQueriesContext(connection) as mine:
            html = page(client, article)
        assert html.count("comment--held") == held
        counts.append(len(mine))
    assert counts[0] == counts[1] == len(shared) + 1, (len(shared), counts)  # one query for them, however many
    with django_assert_max_num_queries(len(shared) + 1):
        page(client, article)


def test_a_reader_whose_cookie_lists_no_missing_comment_costs_no_query(client, article, post_comment):
    post_comment(article, body="Публикуван, на страницата.")
    page(client, article)
    with CaptureQueriesContext(connection) as mine:
        page(client, article)
    with CaptureQueriesContext(connection) as stranger:
        page(Client(), article)
    assert len(mine) <= len(stranger)


def test_a_forged_held_item_shows_nothing(article):
    other = CommentFactory(article=article, pending=True, body="Чужд задържан")
    forger = Client()
    forger.cookies[ARTICLE_OWN_COOKIE] = f"[[{other.pk}, {int(time.time())}, {article.pk}, 1]]"
    assert "Чужд задържан" not in page(forger, article)
    # Signed, but by someone else's secret: the same.
    forged = signing.dumps([[other.pk, int(time.time()), article.pk, 1]], salt="another-salt", compress=True)
    forger.cookies[ARTICLE_OWN_COOKIE] = forged
    assert "Чужд задържан" not in page(forger, article)


def test_held_comments_go_after_their_parent_or_at_the_top_of_the_first_page():
    def part(pk, level):
        return (pk, level, f"<article id=c{pk}></article>")

    def held(pk, parent_id, depth):
        return SimpleNamespace(
            pk=pk, thread_id=pk, parent_id=parent_id, depth=depth, level=depth, author_name="Аз", reply_to_name="",
            body="задържан", created_at=timezone.now(), edited_at=None, likes=0, dislikes=0, is_pinned=False,
            is_staff_reply=False, is_placeholder=False, is_collapsed=False, more_replies=0, is_own_held=True,
        )  # fmt: skip

    parts = [part(1, 0), part(2, 1), part(3, 2), part(4, 0)]
    placed = with_held(parts, [held(10, 2, 2), held(11, None, 0), held(12, 99, 1), held(13, 4, 1)], first_page=True)
    assert [pk for pk, _level, _html in placed] == [12, 11, 1, 2, 3, 10, 4, 13]
    assert [level for pk, level, _html in placed if pk in (12, 11, 10)] == [0, 0, 2]
    later = with_held(parts, [held(11, None, 0), held(10, 2, 2)], first_page=False)
    assert [pk for pk, _level, _html in later] == [1, 2, 3, 10, 4]


def test_a_held_comment_shows_its_hostile_text_as_text(client, article, post_comment, premoderated):
    post_comment(article, author_name='<img src=x onerror="alert(1)">', body="<script>alert(2)</script>")
    html = page(client, article)
    assert "comment--held" in html and "<script>alert(2)" not in html and '<img src=x onerror="alert' not in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html


def test_a_reply_deep_in_a_long_thread_gets_its_edit_links_on_the_threads_page(client, settings, article, post_comment):
    settings.COMMENTS_REPLIES_SHOWN = 2
    root = CommentFactory(article=article)
    for _ in range(3):
        CommentFactory(parent=root)
    response = post_comment(article, parent=str(root.pk), body="Отговор в края на дълга нишка.")
    mine = Comment.objects.get(body="Отговор в края на дълга нишка.")
    assert response["Location"].startswith(reverse("comments:thread", kwargs={"pk": root.pk}))
    html = client.get(response["Location"]).content.decode()
    [controls] = OWN.findall(html)
    assert html.index(f'id="comment-{mine.pk}"') < html.index(controls)
    assert reverse("comments:edit", kwargs={"pk": mine.pk}) in controls
    assert "comment-own" not in Client().get(response["Location"]).content.decode()
