import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse

from articles.models import Article
from comments.models import Block, Comment, CommentStatus
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:comments_comment_changelist")


def moderate_url(comment, action):
    return reverse("admin:comments_comment_moderate", args=[comment.pk, action])


def staff_with(*codenames):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="comments", codename__in=codenames))
    return user


@pytest.fixture
def moderator(client):
    user = staff_with(
        "view_comment", "change_comment", "delete_comment", "moderate_comment", "block_author", "pin_comment"
    )
    client.force_login(user)
    return user


def count(article):
    return Article.objects.get(pk=article.pk).comment_count


def test_queue_lists_reported_and_pending_first_with_counts(client, moderator, article):
    plain = CommentFactory(article=article, body="обикновен")
    pending = CommentFactory(article=article, body="чакащ", pending=True)
    reported = CommentFactory(article=article, body="докладван", report_count=2)
    html = client.get(CHANGELIST).content.decode()
    assert html.index("докладван") < html.index("чакащ") < html.index("обикновен")
    assert "Чакат преглед: 1" in html and "със сигнали: 1" in html
    assert plain and pending and reported


def test_queue_query_count_does_not_grow_with_comments(client, moderator, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    CommentFactory.create_batch(3)
    client.get(CHANGELIST)
    with CaptureQueriesContext(connection) as few:
        client.get(CHANGELIST)
    budget = len(few.captured_queries)  # read now: the next request clears the query log
    CommentFactory.create_batch(40)
    client.get(CHANGELIST)  # new sections came with the new articles: the navigation cache refills once
    with django_assert_max_num_queries(budget):
        assert client.get(CHANGELIST).status_code == 200
    assert budget <= 10


@pytest.mark.parametrize("query", ["status__exact=pending", "reason__exact=banned_word", "is_pinned__exact=1"])
def test_filters_work(client, moderator, query):
    CommentFactory(pending=True)
    CommentFactory(rejected=True)
    assert client.get(f"{CHANGELIST}?{query}").status_code == 200


def test_search_by_text_name_and_exact_ip_hash(client, moderator):
    target = CommentFactory(body="уникален текст", author_name="Търсен", ip_hash="ab" * 32)
    CommentFactory(body="друг")
    for term in ["уникален", "Търсен", "ab" * 32]:
        html = client.get(CHANGELIST, {"q": term}).content.decode()
        assert f"/{target.pk}/change/" in html and "друг" not in html


def test_author_history_lists_all_their_comments_with_approval_rate(client, moderator):
    mine = [CommentFactory(author_key="e:авторът"), CommentFactory(author_key="e:авторът", rejected=True)]
    CommentFactory(body="чужд коментар")
    html = client.get(CHANGELIST, {"author": "e:авторът"}).content.decode()
    assert all(f"/{c.pk}/change/" in html for c in mine) and "чужд коментар" not in html
    assert "Дял одобрени: 50 %." in html
    change = client.get(reverse("admin:comments_comment_change", args=[mine[0].pk])).content.decode()
    assert "дял одобрени 50 %" in change


def test_one_click_approve_updates_status_count_and_log(client, moderator, article):
    comment = CommentFactory(article=article, pending=True)
    response = client.post(moderate_url(comment, "approve"), HTTP_REFERER="http://testserver" + CHANGELIST)
    assert response.status_code == 302 and response["Location"] == "http://testserver" + CHANGELIST
    comment.refresh_from_db()
    assert comment.status == CommentStatus.APPROVED and comment.moderated_by == moderator
    assert count(article) == 1
    entry = LogEntry.objects.get()
    assert entry.user == moderator and entry.action_flag == CHANGE and entry.object_id == str(comment.pk)


def test_one_click_needs_post_and_a_known_action(client, moderator):
    comment = CommentFactory(pending=True)
    assert client.get(moderate_url(comment, "approve")).status_code == 405
    assert client.post(moderate_url(comment, "explode")).status_code == 403
    assert client.post(reverse("admin:comments_comment_moderate", args=[999999, "approve"])).status_code == 404


def test_one_click_refuses_open_redirects(client, moderator):
    comment = CommentFactory(pending=True)
    response = client.post(moderate_url(comment, "approve"), HTTP_REFERER="https://evil.example/")
    assert response["Location"] == CHANGELIST


def test_bulk_reject_and_spam_keep_the_count_right(client, moderator, article):
    comments = CommentFactory.create_batch(3, article=article)
    assert count(article) == 3
    client.post(CHANGELIST, {"action": "reject", "_selected_action": [comments[0].pk, comments[1].pk]}, follow=True)
    assert count(article) == 1
    client.post(CHANGELIST, {"action": "mark_spam", "_selected_action": [c.pk for c in comments]})
    assert count(article) == 0
    assert set(Comment.objects.values_list("status", flat=True)) == {CommentStatus.SPAM}
    assert LogEntry.objects.count() == 2 + 3


def test_block_author_blocks_by_hashes_and_spams_their_pending(client, moderator, article):
    comment = CommentFactory(article=article, email_hash="e" * 64, ip_hash="i" * 64, author_key="e:" + "e" * 64)
    waiting = CommentFactory(article=article, pending=True, author_key=comment.author_key)
    client.post(moderate_url(comment, "block"))
    block = Block.objects.get()
    assert (block.email_hash, block.ip_hash, block.created_by) == ("e" * 64, "i" * 64, moderator)
    waiting.refresh_from_db()
    assert waiting.status == CommentStatus.SPAM


def test_pin_and_unpin(client, moderator):
    comment = CommentFactory()
    client.post(moderate_url(comment, "pin"))
    comment.refresh_from_db()
    assert comment.is_pinned
    client.post(moderate_url(comment, "unpin"))
    comment.refresh_from_db()
    assert not comment.is_pinned


def test_delete_from_admin_recounts(client, moderator, article):
    comment = CommentFactory(article=article)
    CommentFactory(article=article)
    client.post(reverse("admin:comments_comment_delete", args=[comment.pk]), {"post": "yes"})
    assert count(article) == 1


def test_change_form_shows_buttons_reports_and_is_read_only(client, moderator):
    comment = CommentFactory(pending=True, body="текст за преглед")
    html = client.get(reverse("admin:comments_comment_change", args=[comment.pk])).content.decode()
    assert moderate_url(comment, "approve") in html and moderate_url(comment, "reject") in html
    assert "текст за преглед" in html and 'name="body"' not in html


def test_no_add_from_admin(client, moderator):
    assert client.get(reverse("admin:comments_comment_add")).status_code == 403


def test_staff_without_comment_permissions_see_nothing(client):
    client.force_login(UserFactory(is_staff=True))
    comment = CommentFactory(pending=True)
    assert client.get(CHANGELIST).status_code == 403
    assert client.post(moderate_url(comment, "approve")).status_code == 403
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PENDING


def test_viewers_cannot_moderate(client):
    client.force_login(staff_with("view_comment"))
    comment = CommentFactory(pending=True)
    assert client.get(CHANGELIST).status_code == 200
    assert client.post(moderate_url(comment, "approve")).status_code == 403
    response = client.post(CHANGELIST, {"action": "approve", "_selected_action": [comment.pk]})
    assert response.status_code in (200, 302)
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PENDING


def test_moderators_group_gets_the_comment_permissions(db):
    from django.contrib.auth.models import Group

    roles = pytest.importorskip("articles.roles")  # the newsroom roles live in the articles app
    roles.sync_roles()
    group = Group.objects.get(name="Модератори")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"moderate_comment", "block_author", "pin_comment", "view_comment"} <= codenames


def test_other_comment_models_are_registered(client, moderator):
    for name in ["report", "block", "moderationword", "discussionsettings", "vote"]:
        client.force_login(UserFactory(is_staff=True, is_superuser=True))
        assert client.get(reverse(f"admin:comments_{name}_changelist")).status_code == 200


def test_editor_reply_gets_the_staff_badge_and_skips_the_queue(client, settings, article):
    from tests.comments.conftest import comment_data, create_url

    settings.COMMENTS_MODERATION = "pre"
    editor = staff_with("pin_comment")
    editor.first_name = "Редактор"
    editor.save()
    reader = CommentFactory(article=article)
    client.force_login(editor)
    client.post(create_url(article), comment_data(article, parent=str(reader.pk), body="Отговор на редакцията."))
    reply = Comment.objects.latest("pk")
    assert reply.is_staff_reply and reply.status == CommentStatus.APPROVED
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<span class="badge badge--staff">Редакцията</span>' in html


def test_other_articles_are_untouched_by_bulk_actions(client, moderator):
    mine, other = ArticleFactory(), ArticleFactory()
    c = CommentFactory(article=mine)
    CommentFactory(article=other)
    client.post(CHANGELIST, {"action": "reject", "_selected_action": [c.pk]})
    assert (count(mine), count(other)) == (0, 1)
