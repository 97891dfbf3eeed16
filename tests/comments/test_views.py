import logging
import re
import time
from datetime import timedelta
from unittest.mock import ANY

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import caching
from articles.models import Article
from comments.models import Comment, CommentStatus, Report, Vote
from comments.security import OWN_SALT, form_token
from tests.comments.conftest import comment_data, create_url
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def count(article) -> int:
    return Article.objects.get(pk=article.pk).comment_count


# --- The article page ---------------------------------------------------------------------------------------


def test_article_page_shows_count_form_and_thread(client, article):
    root = CommentFactory(article=article, author_name="Мария", body="Първи коментар")
    CommentFactory(parent=root, author_name="Петър", body="Отговор на Мария")
    html = client.get(article.get_absolute_url()).content.decode()
    section = html[html.index('id="comments"') :]
    assert "Коментари (<span data-comment-count>2</span>)" in section
    assert section.index('class="comment-form"') < section.index('id="comment-' + str(root.pk))
    assert "Първи коментар" in section and "Отговор на Мария" in section
    assert "в отговор на Мария" in section
    assert 'class="comment comment--level-1' in section


def test_pending_rejected_and_spam_comments_are_not_shown(client, article):
    CommentFactory(article=article, body="чака одобрение", pending=True)
    CommentFactory(article=article, body="отхвърлен текст", rejected=True)
    CommentFactory(article=article, body="спам текст", spam=True)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "чака одобрение" not in html and "отхвърлен текст" not in html and "спам текст" not in html
    assert "Коментари (<span data-comment-count>0</span>)" in html


def test_deleted_comment_with_replies_stays_as_a_placeholder(client, article):
    root = CommentFactory(article=article, body="изтрит от автора", removed=True)
    CommentFactory(parent=root, body="отговорът остава")
    CommentFactory(article=article, body="изтрит без отговори", removed=True)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Коментарът е изтрит." in html
    assert "изтрит от автора" not in html and "изтрит без отговори" not in html
    assert "отговорът остава" in html


def test_low_scored_comment_is_collapsed_and_very_low_is_hidden(client, article):
    CommentFactory(article=article, body="спорно мнение", likes=0, dislikes=5, score=-5)
    CommentFactory(article=article, body="много лошо мнение", likes=0, dislikes=10, score=-10)
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<details class="comment__collapsed"><summary>' in html
    assert "спорно мнение" in html
    assert "много лошо мнение" not in html


def test_xss_payloads_in_body_and_name_render_as_text(client, article, post_comment):
    payloads = [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '"><svg onload=alert(1)>',
        "javascript:alert(1)",
        "<a href='javascript:alert(1)'>клик</a>",
        'https://example.org/"onmouseover="alert(1)',
    ]
    for i, payload in enumerate(payloads):
        response = post_comment(article, author_name=f"<b>x{i}</b>"[:50], body=f"{payload} номер {i}")
        assert response.status_code == 302
    html = client.get(article.get_absolute_url()).content.decode()
    section = html[html.index('id="comments"') :]
    assert "<script>alert" not in section and "<img src=x" not in section and "<svg" not in section
    assert "onerror=" not in section.replace("onerror=&quot;", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section
    assert "&lt;b&gt;x0&lt;/b&gt;" in section
    assert 'href="javascript:' not in section
    link = '<a href="https://example.org/" rel="nofollow ugc noopener">https://example.org/</a>&quot;onmouseover'
    assert link in section


def test_plain_links_become_nofollow_anchors_and_line_breaks_stay(client, article):
    CommentFactory(article=article, body="Вижте https://bta.bg/новина.\nВтори ред")
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<a href="https://bta.bg/новина" rel="nofollow ugc noopener">https://bta.bg/новина</a>.<br>Втори ред' in html


def test_article_page_query_count_is_fixed_however_many_comments(client, settings):
    settings.PAGE_CACHE_ENABLED = False
    counts = {}
    for comments in (0, 10, 500):
        article = ArticleFactory()
        roots = [CommentFactory(article=article) for _ in range(min(comments, 60))]
        for i in range(comments - len(roots)):
            CommentFactory(parent=roots[i % len(roots)])
        client.get("/")  # the navigation cache
        client.get(article.get_absolute_url())  # and the page's other caches
        measured = []
        for thread_cached in (False, True):
            if not thread_cached:
                caching.article_changed(article.pk)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(article.get_absolute_url()).status_code == 200
            measured.append(len(queries))  # read now: the next request clears the query log
        counts[comments] = tuple(measured)
    assert counts[0] == counts[10] == counts[500], counts
    cold, warm = counts[0]
    assert cold - warm == 1  # the comments cost one query, and none once the thread is cached
    assert cold <= 7  # tests/articles/test_views.py holds the article page's own budget


def test_a_new_comment_shows_at_once_despite_the_caches(client, article, post_comment):
    client.get(article.get_absolute_url())
    client.get(article.get_absolute_url())
    post_comment(article, body="свеж коментар", client=client)
    other_reader = client.__class__()
    html = other_reader.get(article.get_absolute_url()).content.decode()
    assert "свеж коментар" in html
    assert "Коментари (<span data-comment-count>1</span>)" in html


def test_cached_thread_carries_no_readers_state(client, article, post_comment):
    post_comment(article, body="мой коментар")
    own = client.get(article.get_absolute_url()).content.decode()
    assert "/edit/" in own
    stranger = client.__class__()
    html = stranger.get(article.get_absolute_url()).content.decode()
    assert "мой коментар" in html
    assert "/edit/" not in html and "/delete/" not in html
    section = html[html.index('id="comments"') :]
    thread = section[section.index("data-thread-list") : section.index('id="comment-actions"')]
    assert "csrfmiddlewaretoken" not in thread


def test_sort_orders_threads_and_keeps_replies_together(client, article):
    old = CommentFactory(article=article, body="стар", created_at=timezone.now() - timedelta(hours=2))
    new = CommentFactory(article=article, body="нов")
    best = CommentFactory(article=article, body="най-добър", likes=7, score=7)
    reply = CommentFactory(parent=old, body="отговор на стария")
    url = article.get_absolute_url()

    def order(query):
        html = client.get(url + query).content.decode()
        return [pk for pk in (old.pk, new.pk, best.pk, reply.pk) if f'id="comment-{pk}"' in html] and sorted(
            (html.index(f'id="comment-{pk}"'), pk) for pk in (old.pk, new.pk, best.pk, reply.pk)
        )

    assert [pk for _, pk in order("")] == [best.pk, new.pk, old.pk, reply.pk]
    assert [pk for _, pk in order("?sort=oldest")] == [old.pk, reply.pk, new.pk, best.pk]
    assert [pk for _, pk in order("?sort=best")] == [best.pk, new.pk, old.pk, reply.pk]  # ties: newer first


def test_threads_paginate_by_top_level_comment(client, settings, article):
    settings.COMMENTS_THREADS_PER_PAGE = 2
    first, second, third = (CommentFactory(article=article) for _ in range(3))
    CommentFactory(parent=first)
    page1 = client.get(article.get_absolute_url()).content.decode()
    page2 = client.get(article.get_absolute_url() + "?cpage=2").content.decode()
    assert f'id="comment-{third.pk}"' in page1 and f'id="comment-{second.pk}"' in page1
    assert f'id="comment-{first.pk}"' in page2 and f'id="comment-{first.pk + 3}"' in page2
    assert "?cpage=2#comments" in page1
    assert "Страница 1 от 2" in page1


@pytest.mark.parametrize("page", ["0", "-1", "abc", "999", "1e9", "99999999999999999999"])
def test_odd_page_numbers_never_fail(client, article, page):
    CommentFactory(article=article)
    assert client.get(article.get_absolute_url() + f"?cpage={page}&sort=<x>").status_code == 200


def test_long_reply_chains_show_a_show_more_link(client, settings, article):
    settings.COMMENTS_REPLIES_SHOWN = 3
    root = CommentFactory(article=article)
    replies = [CommentFactory(parent=root) for _ in range(6)]
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'id="comment-{replies[2].pk}"' in html and f'id="comment-{replies[3].pk}"' not in html
    assert "покажи още 3 отговора" in html
    thread = client.get(reverse("comments:thread", kwargs={"pk": root.pk})).content.decode()
    assert all(f'id="comment-{r.pk}"' in thread for r in replies)
    more = client.get(reverse("comments:thread", kwargs={"pk": root.pk}) + "?fragment=1&offset=4").json()
    assert f'id="comment-{replies[3].pk}"' in more["html"] and f'id="comment-{replies[2].pk}"' not in more["html"]


def test_permalink_redirects_to_the_page_that_shows_the_comment(client, settings, article):
    settings.COMMENTS_THREADS_PER_PAGE = 2
    first = CommentFactory(article=article)
    reply = CommentFactory(parent=first)
    CommentFactory(article=article)
    CommentFactory(article=article)
    response = client.get(reverse("comments:permalink", kwargs={"pk": reply.pk}))
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}?cpage=2#comment-{reply.pk}"
    page = client.get(response["Location"]).content.decode()
    assert f'id="comment-{reply.pk}"' in page


def test_permalink_of_a_hidden_comment_goes_to_the_discussion(client, article):
    hidden = CommentFactory(article=article, pending=True)
    response = client.get(reverse("comments:permalink", kwargs={"pk": hidden.pk}))
    assert response["Location"] == f"{article.get_absolute_url()}#comments"


@pytest.mark.parametrize("path", ["/comments/0/", "/comments/999999/", "/comments/1234567890123456789012/"])
def test_unknown_comment_ids_are_404(client, path):
    assert client.get(path).status_code == 404


# --- Posting ------------------------------------------------------------------------------------------------


def test_guest_posts_and_lands_on_the_new_comment(client, article, post_comment):
    response = post_comment(article, body="Много добре написано.")
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    assert comment.status == CommentStatus.APPROVED and comment.author_name == "Иван Петров"
    assert count(article) == 1
    page = client.get(response["Location"]).content.decode()
    assert "Коментарът ви е публикуван." in page


def test_signed_in_reader_posts_under_their_name(client, article, post_comment):
    user = UserFactory(first_name="Елена", last_name="Илиева")
    client.force_login(user)
    post_comment(article, author_name="", body="Пиша като потребител.")
    comment = Comment.objects.get()
    assert comment.user == user and comment.author_name == "Елена Илиева" and comment.author_key == f"u:{user.pk}"


def test_email_is_never_shown(client, article, post_comment):
    post_comment(article, email="tajno@example.org", notify_on_reply="on")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "tajno" not in html
    assert Comment.objects.get().notify_on_reply


def test_reply_nests_under_its_parent(client, article, post_comment):
    root = CommentFactory(article=article, author_name="Мария")
    response = post_comment(article, parent=str(root.pk), body="Съгласен съм.")
    reply = Comment.objects.exclude(pk=root.pk).get()
    assert response.status_code == 302
    assert reply.parent == root and reply.depth == 1 and reply.reply_to_name == "Мария"
    assert reply.path.startswith(root.path)


def test_a_reply_beyond_the_depth_cap_attaches_at_the_deepest_level(settings, article, post_comment):
    settings.COMMENTS_MAX_DEPTH = 2
    root = CommentFactory(article=article)
    child = CommentFactory(parent=root)
    deepest = CommentFactory(parent=child, author_name="Дълбок")
    post_comment(article, parent=str(deepest.pk), body="Още по-дълбоко.")
    reply = Comment.objects.latest("pk")
    assert reply.depth == 2 and reply.parent == child and reply.reply_to == deepest
    assert reply.reply_to_name == "Дълбок"


@pytest.mark.parametrize("parent", ["abc", "-1", "0", "1.5", "١", "999999", "99999999999999999999999", " ", "1 OR 1=1"])
def test_replies_to_impossible_parents_are_refused(article, post_comment, parent):
    CommentFactory(article=article)
    before = Comment.objects.count()
    response = post_comment(article, parent=parent, body="Отговор в нищото.")
    if parent.strip() == "":
        assert response.status_code == 302  # no parent at all: a top-level comment
        return
    assert response.status_code == 400
    assert Comment.objects.count() == before
    assert "Отговор в нищото." in response.content.decode()  # what was typed is kept


@pytest.mark.parametrize("kind", ["other_article", "pending", "removed", "rejected", "spam", "hidden_by_votes"])
def test_replies_to_parents_that_are_not_visible_here_are_refused(article, post_comment, kind):
    parent = {
        "other_article": lambda: CommentFactory(),
        "pending": lambda: CommentFactory(article=article, pending=True),
        "removed": lambda: CommentFactory(article=article, removed=True),
        "rejected": lambda: CommentFactory(article=article, rejected=True),
        "spam": lambda: CommentFactory(article=article, spam=True),
        "hidden_by_votes": lambda: CommentFactory(article=article, dislikes=10, score=-10),
    }[kind]()
    before = Comment.objects.count()
    response = post_comment(article, parent=str(parent.pk), body="Опит за отговор.")
    assert response.status_code == 400
    assert Comment.objects.count() == before
    html = response.content.decode()
    assert "Коментарът, на който отговаряте, вече не е достъпен." in html
    assert parent.author_name not in html and parent.body not in html


def test_a_comment_cannot_reply_to_itself_by_guessing_its_id(article, post_comment):
    next_id = (Comment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    response = post_comment(article, parent=str(next_id), body="Сам на себе си.")
    assert response.status_code == 400
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Напишете коментара си."),
        ("   \n\t  ", "Напишете коментара си."),
        ("\u200b\u202e\u2066", "Напишете коментара си."),
        ("нула\x00байт", "Null"),
    ],
)
def test_empty_or_broken_bodies_are_refused(article, post_comment, body, message):
    response = post_comment(article, body=body)
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_control_and_bidi_characters_are_stripped(article, post_comment):
    post_comment(article, author_name="Ива\u202e\u200bн", body="Текст\u202eс\u0007контролни\u2066знаци")
    comment = Comment.objects.get()
    assert comment.author_name == "Иван" and comment.body == "Текстсконтролнизнаци"


def test_too_long_body_is_refused_with_the_text_kept(article, post_comment, settings):
    body = "а" * (settings.COMMENTS_MAX_LENGTH + 1)
    response = post_comment(article, body=body)
    assert response.status_code == 400 and not Comment.objects.exists()
    html = response.content.decode()
    assert body in html and "твърде дълъг" in html


def test_a_megabyte_body_is_refused_without_a_crash(article, post_comment):
    response = post_comment(article, body="б" * 1_000_000)
    assert response.status_code in (400, 413) and not Comment.objects.exists()


def test_overlong_or_reserved_names_are_refused(article, post_comment):
    assert post_comment(article, author_name="Я" * 51).status_code == 400
    assert post_comment(article, author_name="Редакцията").status_code == 400
    assert post_comment(article, author_name="   ").status_code == 400
    assert not Comment.objects.exists()


def test_form_errors_render_the_article_page_with_everything_typed(client, article, post_comment):
    response = post_comment(article, author_name="Гост Гостев", email="gost@example.org", body="")
    html = response.content.decode()
    assert response.status_code == 400
    assert "<h1" in html and article.title in html
    assert 'value="Гост Гостев"' in html and 'value="gost@example.org"' in html
    assert '<p class="field__error">Напишете коментара си.</p>' in html


def test_honeypot_filled_is_refused_and_logged(article, post_comment, caplog):
    with caplog.at_level(logging.WARNING, logger="vestnik.security"):
        response = post_comment(article, website="http://spam.example")
    assert response.status_code == 400 and not Comment.objects.exists()
    assert [r for r in caplog.records if getattr(r, "event", "") == "honeypot"]


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (lambda a: form_token(a.pk), "много бързо"),
        (lambda a: form_token(a.pk, issued_at=time.time() - 2 * 3600 - 5), "Формулярът беше отворен твърде дълго"),
        (lambda a: form_token(a.pk + 1000, issued_at=time.time() - 10), "Формулярът не можа да бъде проверен"),
        (lambda a: form_token(a.pk, issued_at=time.time() - 10)[:-2] + "xx", "Формулярът не можа да бъде проверен"),
        (lambda a: "", "Формулярът не можа да бъде проверен"),
    ],
)
def test_form_token_checks_time_and_article(article, post_comment, token, message):
    response = post_comment(article, token=token(article), body="Запазен текст")
    html = response.content.decode()
    assert response.status_code == 400 and not Comment.objects.exists()
    assert message in html and "Запазен текст" in html


def test_rate_limit_answers_429_stores_nothing_and_keeps_the_text(client, settings, article, post_comment):
    settings.COMMENTS_RATE_POST_IP = ["2/m", "50/d"]
    assert post_comment(article, body="първи").status_code == 302
    assert post_comment(article, body="втори").status_code == 302
    response = post_comment(article, body="трети, твърде бързо")
    assert response.status_code == 429
    assert Comment.objects.count() == 2
    html = response.content.decode()
    assert "трети, твърде бързо" in html and "Коментирате твърде често" in html


def test_rate_limit_per_author_applies_across_addresses(settings, article, client, post_comment):
    settings.COMMENTS_RATE_POST_AUTHOR = ["1/m"]
    assert post_comment(article, email="a@example.org", REMOTE_ADDR="10.0.0.1").status_code == 302
    second = client.post(
        create_url(article), comment_data(article, email="a@example.org", body="друг текст"), REMOTE_ADDR="10.0.0.2"
    )
    assert second.status_code == 429 and Comment.objects.count() == 1


def test_the_same_text_again_within_minutes_is_refused(article, post_comment):
    assert post_comment(article, body="Същото мнение.").status_code == 302
    response = post_comment(article, body="  същото   мнение. ")
    assert response.status_code == 400 and Comment.objects.count() == 1
    assert "Току-що публикувахте същия коментар." in response.content.decode()


def test_a_form_sent_twice_makes_one_comment(client, article):
    data = comment_data(article)
    first = client.post(create_url(article), data)
    second = client.post(create_url(article), data)
    assert Comment.objects.count() == 1
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]


def test_closed_discussions_refuse_posts_and_show_read_only(client, article, post_comment):
    CommentFactory(article=article, body="стар коментар")
    Article.objects.filter(pk=article.pk).update(comments_enabled=False)
    response = post_comment(article, body="късен коментар")
    assert response.status_code == 403 and Comment.objects.count() == 1
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Коментарите към тази статия са затворени." in html
    assert 'class="comment-form"' not in html and "стар коментар" in html
    assert "/reply/" not in html


def test_discussions_close_by_themselves_after_the_configured_days(settings, post_comment):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 30
    old = ArticleFactory(published_at=timezone.now() - timedelta(days=31))
    response = post_comment(old)
    assert response.status_code == 403 and not Comment.objects.exists()


def test_posting_to_an_unpublished_article_is_404(post_comment):
    draft = ArticleFactory(draft=True)
    assert post_comment(draft).status_code == 404
    assert not Comment.objects.exists()


def test_get_on_the_post_url_is_not_allowed(client, article):
    assert client.get(create_url(article)).status_code == 405


def test_csrf_is_required(article):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(create_url(article), comment_data(article))
    assert response.status_code == 403 and not Comment.objects.exists()


def test_held_comment_is_shown_to_its_author_alone_and_the_author_is_told(client, settings, article, post_comment):
    settings.COMMENTS_MODERATION = "pre"
    response = post_comment(article, body="чакам модератор")
    assert response["Location"] == f"{article.get_absolute_url()}#comments"
    page = client.get(response["Location"]).content.decode()
    assert "Благодарим! Коментарът ви ще се появи, след като модератор го одобри." in page
    assert "чакам модератор" in page and "comment--held" in page  # more in tests/comments/test_own_comments.py
    assert "чакам модератор" not in client.__class__().get(article.get_absolute_url()).content.decode()
    assert count(article) == 0


# --- With JavaScript: the same endpoints answer JSON with server-rendered fragments -----------------------


def test_json_post_returns_the_rendered_comment_and_the_new_count(article, post_comment):
    data = post_comment(article, as_json=True, body="От JavaScript").json()
    comment = Comment.objects.get()
    assert data["ok"] and data["id"] == comment.pk and data["count"] == 1
    assert f'id="comment-{comment.pk}"' in data["html"] and "От JavaScript" in data["html"]
    assert data["token"] and data["submission"]


def test_json_errors_return_the_form_with_errors_and_status(article, post_comment):
    response = post_comment(article, as_json=True, body="")
    assert response.status_code == 400
    data = response.json()
    assert not data["ok"] and "body" in data["errors"] and "field__error" in data["form_html"]


# --- Reply, report and vote pages ------------------------------------------------------------------------------


def test_reply_page_shows_the_parent_and_a_form(client, article):
    parent = CommentFactory(article=article, author_name="Стоян", body="Коментар за отговор")
    html = client.get(reverse("comments:reply", kwargs={"pk": parent.pk})).content.decode()
    assert "Коментар за отговор" in html and f'name="parent" value="{parent.pk}"' in html
    assert "Отговор на Стоян" in html


def test_reply_page_of_a_hidden_comment_is_404(client):
    hidden = CommentFactory(pending=True)
    assert client.get(reverse("comments:reply", kwargs={"pk": hidden.pk})).status_code == 404


def test_vote_like_dislike_and_take_back(client, article):
    comment = CommentFactory(article=article)
    url = reverse("comments:vote", kwargs={"pk": comment.pk})
    headers = {"Accept": "application/json"}
    assert client.post(url, {"value": "1"}, headers=headers).json() == {
        "ok": True, "likes": 1, "dislikes": 0, "score": 1, "vote": 1
    }  # fmt: skip
    assert client.post(url, {"value": "-1"}, headers=headers).json()["score"] == -1
    assert client.post(url, {"value": "-1"}, headers=headers).json()["vote"] == 0
    comment.refresh_from_db()
    assert (comment.likes, comment.dislikes, comment.score) == (0, 0, 0)


def test_vote_without_javascript_redirects_back_to_the_comment(client, article):
    comment = CommentFactory(article=article)
    response = client.post(reverse("comments:vote", kwargs={"pk": comment.pk}), {"value": "1"})
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{comment.pk}")


@pytest.mark.parametrize("value", ["2", "", "1; DROP TABLE", "+1"])
def test_odd_vote_values_are_400(client, value):
    comment = CommentFactory()
    assert client.post(reverse("comments:vote", kwargs={"pk": comment.pk}), {"value": value}).status_code == 400


def test_a_reader_cannot_vote_for_their_own_comment(client, article, post_comment):
    post_comment(article)
    comment = Comment.objects.get()
    assert client.post(reverse("comments:vote", kwargs={"pk": comment.pk}), {"value": "1"}).status_code == 403


def test_report_page_and_report(client, article):
    comment = CommentFactory(article=article)
    url = reverse("comments:report", kwargs={"pk": comment.pk})
    assert "Защо модераторите да погледнат" in client.get(url).content.decode()
    response = client.post(url, {"reason": "insult"})
    assert response.status_code == 302
    assert Report.objects.get().reason == "insult"
    again = client.post(url, {"reason": "spam"})
    assert again.status_code == 409 and Report.objects.count() == 1


def test_illegal_content_reports_need_an_explanation(client):
    comment = CommentFactory()
    url = reverse("comments:report", kwargs={"pk": comment.pk})
    response = client.post(url, {"reason": "illegal", "explanation": "  "})
    assert response.status_code == 400 and not Report.objects.exists()
    assert client.post(url, {"reason": "illegal", "explanation": "Призив към насилие."}).status_code == 302


def test_reports_hide_a_comment_after_the_threshold_exactly_once(settings, article):
    from django.test import Client

    settings.COMMENTS_REPORT_THRESHOLD = 3
    comment = CommentFactory(article=article)
    for i in range(5):
        reader = Client(REMOTE_ADDR=f"10.1.0.{i}")
        reader.post(reverse("comments:report", kwargs={"pk": comment.pk}), {"reason": "insult"})
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PENDING and comment.reason == "reported"
    assert comment.reason_text == "3 reports"  # hidden once, by the third report
    assert comment.report_count == 5  # later reports (from pages opened before) are still kept
    assert count(article) == 0


def test_a_comment_hidden_by_reports_is_not_shown_by_the_report_form(client, settings, article):
    from django.test import Client

    settings.COMMENTS_REPORT_THRESHOLD = 1
    comment = CommentFactory(article=article, body="Тайно съдържание под проверка")
    url = reverse("comments:report", kwargs={"pk": comment.pk})
    Client(REMOTE_ADDR="10.1.0.1").post(url, {"reason": "insult"})
    assert client.get(url).status_code == 404
    invalid = client.post(url, {"reason": "no-such-reason"})
    assert invalid.status_code == 404 and "Тайно съдържание" not in invalid.content.decode()
    accepted = client.post(url, {"reason": "spam"})
    assert accepted.status_code == 302 and accepted["Location"] == article.get_absolute_url()
    assert Report.objects.filter(comment=comment).count() == 2


def test_another_reader_cannot_take_back_my_report(client, article):
    from django.test import Client

    comment = CommentFactory(article=article)
    client.post(reverse("comments:report", kwargs={"pk": comment.pk}), {"reason": "spam"})
    stranger = Client(REMOTE_ADDR="10.9.9.9")
    assert stranger.post(reverse("comments:unreport", kwargs={"pk": comment.pk})).status_code == 404
    assert Report.objects.count() == 1
    assert client.post(reverse("comments:unreport", kwargs={"pk": comment.pk})).status_code == 302
    assert not Report.objects.exists()


# --- Edit and delete one's own comment ----------------------------------------------------------------------


def test_guest_edits_own_comment_within_the_window(client, article, post_comment):
    post_comment(article, body="първа версия")
    comment = Comment.objects.get()
    response = client.post(reverse("comments:edit", kwargs={"pk": comment.pk}), {"body": "поправена версия"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "поправена версия" and comment.edited_at is not None


def test_edit_window_closes_after_fifteen_minutes(client, article, post_comment):
    post_comment(article, body="стара версия")
    comment = Comment.objects.get()
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    response = client.post(reverse("comments:edit", kwargs={"pk": comment.pk}), {"body": "късна промяна"})
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.body == "стара версия"


def test_another_reader_cannot_edit_or_delete(client, article, post_comment):
    from django.test import Client

    post_comment(article, body="само мое")
    comment = Comment.objects.get()
    stranger = Client()
    stranger.cookies = client.cookies.__class__()  # no cookies of the author
    assert stranger.get(reverse("comments:edit", kwargs={"pk": comment.pk})).status_code == 403
    assert stranger.post(reverse("comments:edit", kwargs={"pk": comment.pk}), {"body": "чуждо"}).status_code == 403
    assert stranger.post(reverse("comments:delete", kwargs={"pk": comment.pk})).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "само мое" and comment.status == CommentStatus.APPROVED


def test_a_forged_ownership_cookie_is_ignored(client, article, post_comment):
    from django.test import Client

    post_comment(article)
    comment = Comment.objects.get()
    forger = Client()
    forger.cookies["vestnik_comments"] = f"[[{comment.pk}, {int(time.time())}]]"
    assert forger.post(reverse("comments:delete", kwargs={"pk": comment.pk})).status_code == 403


def test_own_comment_cookies_go_only_where_they_are_read(client, settings, article, post_comment):
    from comments.security import ARTICLE_OWN_COOKIE, OWN_COOKIE

    other = ArticleFactory()
    post_comment(article)
    response = post_comment(other, body="И второ мнение, под друга статия.")
    mine = dict(Comment.objects.values_list("article_id", "pk"))
    everything, this_article = response.cookies[OWN_COOKIE], response.cookies[ARTICLE_OWN_COOKIE]
    assert everything["path"] == "/comments/" and this_article["path"] == other.get_absolute_url()
    for cookie in (everything, this_article):
        assert cookie["httponly"] and cookie["samesite"] == "Lax"
        assert cookie["max-age"] == settings.COMMENTS_EDIT_MINUTES * 60
    assert signing.loads(everything.value, salt=OWN_SALT) == [
        [mine[article.pk], ANY, article.pk],
        [mine[other.pk], ANY, other.pk],
    ]
    assert signing.loads(this_article.value, salt=OWN_SALT) == [[mine[other.pk], ANY, other.pk]]


def test_a_guest_who_posts_without_javascript_gets_no_session(client, settings, article, post_comment):
    """The confirmation travels in a cookie that the page showing it expires: no session is started, so
    the reader is not kept from cached pages for the session's lifetime (articles/cache.py)."""
    response = post_comment(article)
    assert settings.MESSAGE_COOKIE_NAME in response.cookies
    page = client.get(response.url)
    assert "Коментарът ви е публикуван." in page.content.decode()
    assert page.cookies[settings.MESSAGE_COOKIE_NAME]["max-age"] == 0
    assert settings.SESSION_COOKIE_NAME not in client.cookies


def test_edit_links_show_only_beside_comments_of_the_article_on_the_page(client, article, post_comment):
    from comments.security import ARTICLE_OWN_COOKIE

    other = ArticleFactory()
    post_comment(article)
    post_comment(other, body="И второ мнение, под друга статия.")  # this client sends its list to every page
    assert ARTICLE_OWN_COOKIE in client.cookies
    mine = Comment.objects.get(article=other)
    assert reverse("comments:edit", kwargs={"pk": mine.pk}) in client.get(other.get_absolute_url()).content.decode()
    assert "comment-own" not in client.get(article.get_absolute_url()).content.decode()


def test_signed_in_author_edits_by_account(client, article):
    user = UserFactory()
    comment = CommentFactory(article=article, user=user, author_key=f"u:{user.pk}")
    client.force_login(user)
    assert client.post(reverse("comments:edit", kwargs={"pk": comment.pk}), {"body": "нов текст"}).status_code == 302
    client.force_login(UserFactory())
    assert client.post(reverse("comments:edit", kwargs={"pk": comment.pk}), {"body": "чужд"}).status_code == 403


def test_delete_keeps_the_thread_and_fixes_the_count(client, article, post_comment):
    post_comment(article, body="ще го изтрия")
    comment = Comment.objects.get()
    CommentFactory(parent=comment, body="отговор под изтрития")
    assert count(article) == 2
    response = client.post(reverse("comments:delete", kwargs={"pk": comment.pk}))
    assert response.status_code == 302
    assert count(article) == 1
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Коментарът е изтрит." in html and "ще го изтрия" not in html and "отговор под изтрития" in html


def test_edit_with_a_banned_word_takes_the_comment_down(client, article, post_comment):
    post_comment(article, body="нормален текст")
    comment = Comment.objects.get()
    client.post(reverse("comments:edit", kwargs={"pk": comment.pk}), {"body": "ти си идиот"})
    comment.refresh_from_db()
    assert comment.status == CommentStatus.REJECTED and count(article) == 0


# --- E-mail: opt-in reply notification with one-click unsubscribe --------------------------------------------


def test_reply_notification_and_unsubscribe(
    client, article, post_comment, mailoutbox, django_capture_on_commit_callbacks
):
    from django.test import Client

    post_comment(article, email="avtor@example.org", notify_on_reply="on", body="Питам нещо.")
    parent = Comment.objects.get()
    replier = Client(REMOTE_ADDR="10.2.2.2")
    with django_capture_on_commit_callbacks(execute=True):
        replier.post(create_url(article), comment_data(article, parent=str(parent.pk), author_name="Отговарящ"))
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["avtor@example.org"] and "Отговарящ" in message.subject
    assert "avtor@example.org" not in message.body
    link = next(line for line in message.body.splitlines() if "/comments/unsubscribe/" in line).strip()
    path = link[link.index("/comments/") :]
    assert client.get(path).status_code == 200
    assert not Comment.objects.get(pk=parent.pk).notify_on_reply
    assert client.get("/comments/unsubscribe/bad-token/").status_code == 400


def test_replies_to_oneself_send_no_mail(article, post_comment, mailoutbox, django_capture_on_commit_callbacks):
    post_comment(article, email="sam@example.org", notify_on_reply="on", body="Първо.")
    parent = Comment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(article, email="sam@example.org", parent=str(parent.pk), body="Сам си отговарям.")
    assert mailoutbox == []


# --- No server error, whatever is sent -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"parent": "\x00"},
        {"author_name": "\x00"},
        {"email": "not-an-address"},
        {"submission": "not-a-uuid"},
        {"token": "\x00\x01"},
        {"notify_on_reply": "on"},
        {"confirm_latin": "maybe"},
    ],
)
def test_hostile_fields_never_cause_a_server_error(article, post_comment, fields):
    response = post_comment(article, **fields)
    assert response.status_code < 500


def test_invalid_utf8_is_answered_without_a_server_error(client, article):
    body = b"author_name=%ED%A0%80&body=%FF%FE%ED%A0%80&token=x"
    response = client.post(create_url(article), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and not Comment.objects.exists()


def test_posting_costs_a_fixed_number_of_queries(article, post_comment):
    post_comment(article, body="първи")  # the reader's session starts here
    with CaptureQueriesContext(connection) as few:
        post_comment(article, body="втори")
    budget = len(few)  # read now: the next request clears the query log
    for _ in range(20):
        CommentFactory(article=article)
    with CaptureQueriesContext(connection) as many:
        post_comment(article, body="трети")
    assert len(many) == budget


def test_line_breaks_count_once_against_the_limit(settings, article, post_comment):
    settings.COMMENTS_MAX_LENGTH = 20
    body = "ред едно\r\nред две\r\nтри"  # 20 characters as the browser counts them, 22 as sent
    assert post_comment(article, body=body).status_code == 302
    assert Comment.objects.get().body == "ред едно\nред две\nтри"


def test_a_vote_without_javascript_shows_in_the_page_it_returns_to(client, article):
    comment = CommentFactory(article=article)
    client.get(article.get_absolute_url())  # the thread is cached now
    response = client.post(reverse("comments:vote", kwargs={"pk": comment.pk}), {"value": "1"}, follow=True)
    assert f'id="comment-{comment.pk}"' in response.content.decode()
    assert "<span data-likes>1</span>" in response.content.decode()


@pytest.mark.parametrize("replies", [1, 30])
def test_comment_pages_have_fixed_query_budgets(client, article, post_comment, django_assert_max_num_queries, replies):
    root = CommentFactory(article=article)
    for _ in range(replies):
        CommentFactory(parent=root)
    post_comment(article, body="мой коментар")  # this reader's session and own-comment cookie
    mine = Comment.objects.latest("pk")
    client.get("/")  # the navigation cache
    reply = Comment.objects.filter(parent=root).latest("pk")
    budgets = {
        reverse("comments:thread", kwargs={"pk": root.pk}): 2,  # the root and article, a page of the thread
        reverse("comments:reply", kwargs={"pk": root.pk}): 1,
        reverse("comments:report", kwargs={"pk": root.pk}): 1,
        reverse("comments:edit", kwargs={"pk": mine.pk}): 1,
        reverse("comments:delete", kwargs={"pk": mine.pk}): 1,
        reverse("comments:permalink", kwargs={"pk": reply.pk}): 4,  # comment, shown?, place in thread, page
    }
    for url, budget in budgets.items():
        with django_assert_max_num_queries(budget):
            assert client.get(url).status_code in (200, 302), url


# --- A post without a CSRF token (a no-JS reader on a page from the shared micro-cache) ---------------------


def test_a_post_without_csrf_token_gets_its_form_back_with_a_fresh_token(article, settings):
    from django.test import Client

    reader = Client(enforce_csrf_checks=True)  # never saw a page with a token: no cookie, no field
    body = "Мнение, написано без JavaScript <b>и</b> със знаци < > &"
    data = comment_data(article, body=body, author_name="Гост от кеша")
    refused = reader.post(create_url(article), data)
    assert refused.status_code == 403 and not Comment.objects.exists()
    html = refused.content.decode()
    assert "Формулярът не можа да бъде проверен" in html
    assert "Мнение, написано без JavaScript &lt;b&gt;и&lt;/b&gt; със знаци &lt; &gt; &amp;" in html  # kept, as text
    assert 'value="Гост от кеша"' in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert settings.CSRF_COOKIE_NAME in refused.cookies  # the token's cookie comes with it
    fields = dict(re.findall(r'<input type="hidden" name="(token|submission)" value="([^"]+)"', html))
    assert set(fields) == {"token", "submission"}
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0  # the reader reads the message first; the test does not wait
    again = reader.post(create_url(article), {**data, **fields, "csrfmiddlewaretoken": token})
    assert again.status_code == 302
    assert Comment.objects.get().body == body


def test_a_vote_without_csrf_token_is_sent_again_with_one_click(article):
    from django.test import Client

    comment = CommentFactory(article=article)
    reader = Client(enforce_csrf_checks=True)  # a page every reader shares carries no token
    vote_url = reverse("comments:vote", kwargs={"pk": comment.pk})
    refused = reader.post(vote_url, {"value": "-1", "extra": "dropped"})
    html = refused.content.decode()
    assert refused.status_code == 403 and "Формулярът е изтекъл" in html
    assert Comment.objects.get().dislikes == 0
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    assert set(form) == {"csrfmiddlewaretoken", "value"} and form["value"] == "-1"
    assert f'action="{vote_url}"' in html
    assert reader.post(vote_url, form).status_code == 302
    assert Comment.objects.get().dislikes == 1


def test_a_csrf_failure_of_any_other_form_keeps_the_plain_page(article):
    from django.test import Client

    comment = CommentFactory(article=article)
    refused = Client(enforce_csrf_checks=True).post(reverse("comments:unreport", kwargs={"pk": comment.pk}))
    html = refused.content.decode()
    assert refused.status_code == 403 and "Формулярът е изтекъл" in html and "<form" not in html


# --- Comments of articles readers cannot see ----------------------------------------------------------------

# How an article stops being public: back to draft, scheduled again for later, or unpublished.
NOT_PUBLIC = {
    "draft": lambda now: {"status": "draft"},
    "scheduled": lambda now: {"status": "published", "published_at": now + timedelta(days=2)},
    "archived": lambda now: {"status": "archived"},
}
JSON = {"Accept": "application/json"}
MISSING = 987654321  # an id no comment or article has


def every_comment_endpoint(article_id: int, theirs: int, mine: int):
    """(name, method, url, data, headers) of every comments/urls.py endpoint and its JSON/fragment variant.

    ``theirs`` is another reader's comment (voted on, reported, replied to), ``mine`` the reader's own
    (edited, deleted); ``theirs`` is also the root of its thread.
    """

    def url(name, pk):
        return reverse(f"comments:{name}", kwargs={"pk": pk})

    return [
        ("create", "post", create_url(article_id), {"body": "Още едно мнение тук."}, {}),
        ("create json", "post", create_url(article_id), {"body": "Още едно мнение тук."}, JSON),
        ("create reply", "post", create_url(article_id), {"parent": str(theirs)}, {}),
        ("permalink", "get", url("permalink", theirs), None, {}),
        ("permalink json", "get", url("permalink", theirs), None, JSON),
        ("reply", "get", url("reply", theirs), None, {}),
        ("reply json", "get", url("reply", theirs), None, JSON),
        ("vote", "post", url("vote", theirs), {"value": "1"}, {}),
        ("vote json", "post", url("vote", theirs), {"value": "-1"}, JSON),
        ("vote odd value", "post", url("vote", theirs), {"value": "7"}, {}),
        ("report form", "get", url("report", theirs), None, {}),
        ("report fragment", "get", url("report", theirs) + "?fragment=1", None, {}),
        ("report form json", "get", url("report", theirs), None, JSON),
        ("report", "post", url("report", theirs), {"reason": "spam"}, {}),
        ("report json", "post", url("report", theirs), {"reason": "insult"}, JSON),
        ("unreport", "post", url("unreport", theirs), {}, {}),
        ("unreport json", "post", url("unreport", theirs), {}, JSON),
        ("edit form", "get", url("edit", mine), None, {}),
        ("edit", "post", url("edit", mine), {"body": "Тайно поправен текст."}, {}),
        ("edit json", "post", url("edit", mine), {"body": "Тайно поправен текст."}, JSON),
        ("delete form", "get", url("delete", mine), None, {}),
        ("delete", "post", url("delete", mine), {}, {}),
        ("delete json", "post", url("delete", mine), {}, JSON),
        ("thread", "get", url("thread", theirs), None, {}),
        ("thread page 2", "get", url("thread", theirs) + "?page=2", None, {}),
        ("thread fragment", "get", url("thread", theirs) + "?fragment=1&offset=0", None, {}),
        ("thread json", "get", url("thread", theirs), None, JSON),
    ]


def send(client, method, url, data, headers, article_id):
    if method == "get":
        return client.get(url, headers=headers)
    if url.endswith("/post/"):
        data = comment_data(Article(pk=article_id), **data)
    return client.post(url, data, headers=headers)


def comparable(response, *ids) -> str:
    """The answer as a reader sees it, without what differs between any two answers (ids, nonces, tokens)."""
    text = response.content.decode(errors="replace")
    for value in ids:
        text = re.sub(rf"\b{value}\b", "ID", text)
    return re.sub(r'(nonce|value|content)="[^"]{20,}"', r'\1="…"', text)


def comments_state():
    """Everything a comment endpoint may change."""
    return (
        list(Comment.objects.order_by("pk").values_list("pk", "body", "status", "likes", "dislikes", "score")),
        list(Comment.objects.order_by("pk").values_list("report_count", "edited_at", "notify_on_reply")),
        list(Report.objects.order_by("pk").values_list("pk", "comment_id", "reporter_key", "reason")),
        list(Vote.objects.order_by("pk").values_list("pk", "comment_id", "value")),
        list(Article.objects.order_by("pk").values_list("pk", "comment_count")),
    )


@pytest.fixture
def hidden_discussion(client, post_comment):
    """A discussion the reader took part in (their own comment, a report of another's), then the article
    stopped being public. Returns a function that hides it in one of the NOT_PUBLIC ways."""
    article = ArticleFactory(slug="tajnata-chernova", published_at=timezone.now() - timedelta(days=3))
    theirs = CommentFactory(article=article, body="Чуждо мнение")
    for _ in range(3):
        CommentFactory(parent=theirs)  # a thread with replies (thread page, fragment)
    post_comment(article, body="Моето мнение под статията.")  # the reader owns it (cookie)
    mine = Comment.objects.get(body="Моето мнение под статията.")
    assert client.post(reverse("comments:report", kwargs={"pk": theirs.pk}), {"reason": "spam"}).status_code == 302
    address = article.get_absolute_url()

    def hide(state: str):
        Article.objects.filter(pk=article.pk).update(**NOT_PUBLIC[state](timezone.now()))
        caching.article_changed(article.pk)
        return article, theirs, mine, address

    return hide


@pytest.mark.parametrize("state", NOT_PUBLIC)
def test_every_comment_endpoint_answers_404_for_a_comment_of_a_non_public_article(client, hidden_discussion, state):
    article, theirs, mine, address = hidden_discussion(state)
    before = comments_state()
    endpoints = every_comment_endpoint(article.pk, theirs.pk, mine.pk)
    missing = every_comment_endpoint(MISSING, MISSING, MISSING)
    for (name, method, url, data, headers), twin in zip(endpoints, missing, strict=True):
        response = send(client, method, url, data, headers, article.pk)
        assert response.status_code == 404, (name, response.status_code, response.get("Location"))
        assert "Location" not in response, name
        page = response.content.decode(errors="replace")
        assert article.slug not in page and address not in page, name
        assert str(article.published_at.year) + "/" not in page, name
        # Exactly what an id that never existed gets: nothing tells the two apart.
        nowhere = send(client, twin[1], twin[2], twin[3], twin[4], MISSING)
        assert response.status_code == nowhere.status_code, name
        assert response["Content-Type"] == nowhere["Content-Type"], name
        ids = (article.pk, theirs.pk, mine.pk, MISSING)
        assert comparable(response, *ids) == comparable(nowhere, *ids), name
    assert comments_state() == before


@pytest.mark.parametrize("state", NOT_PUBLIC)
def test_votes_and_reports_on_a_non_public_article_are_not_counted_against_the_reader(
    client, settings, hidden_discussion, state
):
    _article, theirs, _mine, _address = hidden_discussion(state)
    settings.COMMENTS_RATE_VOTE = ["1/m"]
    settings.COMMENTS_RATE_REPORT = ["2/h"]  # the report made before the article was hidden is one
    url = reverse("comments:vote", kwargs={"pk": theirs.pk})
    report_url = reverse("comments:report", kwargs={"pk": theirs.pk})
    for _ in range(3):
        assert client.post(url, {"value": "1"}).status_code == 404
        assert client.post(report_url, {"reason": "insult"}).status_code == 404
    public = CommentFactory(article=ArticleFactory())
    assert client.post(reverse("comments:vote", kwargs={"pk": public.pk}), {"value": "1"}).status_code == 302
    assert client.post(reverse("comments:report", kwargs={"pk": public.pk}), {"reason": "spam"}).status_code == 302


@pytest.mark.parametrize("state", NOT_PUBLIC)
def test_a_vote_without_csrf_token_on_a_non_public_article_is_not_offered_again(hidden_discussion, state):
    from django.test import Client

    article, theirs, _mine, address = hidden_discussion(state)
    reader = Client(enforce_csrf_checks=True)
    response = reader.post(reverse("comments:vote", kwargs={"pk": theirs.pk}), {"value": "1"})
    page = response.content.decode()
    assert response.status_code == 404 and "<form" not in page.split("<main", 1)[-1].split("</main>")[0]
    assert address not in page and article.slug not in page
    nowhere = reader.post(reverse("comments:vote", kwargs={"pk": MISSING}), {"value": "1"})
    assert comparable(response, theirs.pk, MISSING) == comparable(nowhere, theirs.pk, MISSING)
    assert Comment.objects.get(pk=theirs.pk).likes == 0


def test_a_reader_takes_back_a_report_while_the_article_is_public(client, article):
    comment = CommentFactory(article=article)
    client.post(reverse("comments:report", kwargs={"pk": comment.pk}), {"reason": "spam"})
    response = client.post(reverse("comments:unreport", kwargs={"pk": comment.pk}), headers=JSON)
    assert response.json()["ok"] is True and not Report.objects.exists()
