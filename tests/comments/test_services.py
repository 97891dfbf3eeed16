import uuid

import pytest
from django.core.management import call_command

from articles.models import Article
from comments import services
from comments.models import Comment, CommentStatus, Reason, Report, Vote
from comments.services import CommentError, DuplicateSubmission
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def count(article) -> int:
    return Article.objects.get(pk=article.pk).comment_count


def create(article, parent=None, **fields):
    fields.setdefault("body", f"Коментар {uuid.uuid4().hex[:6]}")
    fields.setdefault("author_name", "Читател")
    fields.setdefault("ip_hash", "ip-1")
    return services.comment_create(article=article, parent=parent, **fields)


def test_create_counts_visible_comments_only(settings, article):
    create(article)
    settings.COMMENTS_MODERATION = "pre"
    create(article)
    assert count(article) == 1
    assert list(Comment.objects.values_list("status", flat=True).order_by("pk")) == ["approved", "pending"]


def test_create_sets_thread_path_and_keys(article):
    root = create(article, email="Reader@Example.org ")
    reply = create(article, parent=root, ip_hash="ip-2")
    assert root.thread_id == root.pk and reply.thread_id == root.pk
    assert reply.path == root.path + reply.path[-8:] and reply.depth == 1
    assert root.author_key == f"e:{root.email_hash}" and reply.author_key == "i:ip-2"
    assert root.email == "Reader@Example.org"


def test_create_refuses_a_parent_from_another_article(article):
    stranger = CommentFactory()
    with pytest.raises(CommentError) as raised:
        create(article, parent=stranger.pk)
    assert raised.value.code == "parent" and Comment.objects.count() == 1


def test_create_refuses_a_parent_removed_meanwhile(article):
    parent = create(article)
    services.comment_remove(comment=parent)
    with pytest.raises(CommentError):
        create(article, parent=parent)


def test_create_attaches_deep_replies_at_the_cap(settings, article):
    settings.COMMENTS_MAX_DEPTH = 1
    root = create(article)
    child = create(article, parent=root, ip_hash="ip-2")
    grandchild = create(article, parent=child, ip_hash="ip-3", body="дълбоко")
    assert grandchild.parent_id == root.pk and grandchild.depth == 1 and grandchild.reply_to_id == child.pk


def test_the_same_submission_token_makes_one_comment(article):
    token = uuid.uuid4()
    first = create(article, submission_token=token, body="веднъж")
    with pytest.raises(DuplicateSubmission) as raised:
        create(article, submission_token=token, body="веднъж")
    assert raised.value.comment == first and Comment.objects.count() == 1


def test_a_shared_token_from_a_cached_page_does_not_merge_different_readers(article):
    token = uuid.uuid4()
    create(article, submission_token=token, ip_hash="a", body="първи читател")
    create(article, submission_token=token, ip_hash="b", body="втори читател")
    assert Comment.objects.count() == 2


def test_staff_replies_skip_the_queue_and_get_the_badge(settings, article):
    settings.COMMENTS_MODERATION = "pre"
    from django.contrib.auth.models import Permission

    editor = UserFactory(first_name="Редактор", last_name="Редакторов")
    editor.user_permissions.add(Permission.objects.get(codename="pin_comment"))
    editor = type(editor).objects.get(pk=editor.pk)
    comment = create(article, user=editor, author_name="ignored")
    assert comment.is_staff_reply and comment.status == CommentStatus.APPROVED and comment.reason == Reason.STAFF
    assert comment.author_name == "Редактор Редакторов"


def test_moderation_moves_the_count_both_ways_and_ignores_repeats(article):
    comments = [CommentFactory(article=article) for _ in range(3)]
    pending = CommentFactory(article=article, pending=True)
    ids = [c.pk for c in comments]
    assert len(services.comment_moderate(comment_ids=ids[:2], status=CommentStatus.REJECTED)) == 2
    assert count(article) == 1
    assert services.comment_moderate(comment_ids=ids[:2], status=CommentStatus.REJECTED) == []
    assert count(article) == 1
    services.comment_moderate(comment_ids=[pending.pk, ids[0]], status=CommentStatus.APPROVED)
    assert count(article) == 3


def test_moderation_across_articles_moves_each_count(article):
    other = ArticleFactory()
    a, b = CommentFactory(article=article), CommentFactory(article=other)
    services.comment_moderate(comment_ids=[a.pk, b.pk], status=CommentStatus.SPAM)
    assert count(article) == count(other) == 0


def test_votes_move_counters_and_hide_at_the_threshold(article):
    comment = CommentFactory(article=article)
    for i in range(9):
        services.comment_vote(comment_id=comment.pk, voter_key=f"i:{i}", value=-1)
    assert count(article) == 1
    result = services.comment_vote(comment_id=comment.pk, voter_key="i:last", value=-1)
    assert (result.likes, result.dislikes, result.score) == (0, 10, -10)
    assert count(article) == 0  # hidden from readers: no longer in the public count
    with pytest.raises(CommentError):  # a hidden comment cannot be voted back up by strangers
        services.comment_vote(comment_id=comment.pk, voter_key="i:friend", value=1)
    assert Vote.objects.count() == 10


def test_vote_switch_and_take_back(article):
    comment = CommentFactory(article=article)
    assert services.comment_vote(comment_id=comment.pk, voter_key="i:x", value=1).score == 1
    assert services.comment_vote(comment_id=comment.pk, voter_key="i:x", value=-1).score == -1
    back = services.comment_vote(comment_id=comment.pk, voter_key="i:x", value=-1)
    assert (back.score, back.value) == (0, 0) and not Vote.objects.exists()


def test_authors_cannot_vote_or_report_themselves(article):
    comment = CommentFactory(article=article, author_key="i:me")
    with pytest.raises(CommentError):
        services.comment_vote(comment_id=comment.pk, voter_key="i:me", value=1)
    with pytest.raises(CommentError):
        services.comment_report(comment_id=comment.pk, reporter_key="i:me", reason="spam")
    assert not Report.objects.exists()


def test_reports_hide_exactly_once_and_notify_once(settings, article, mailoutbox, django_capture_on_commit_callbacks):
    settings.COMMENTS_REPORT_THRESHOLD = 3
    settings.MANAGERS = [("Модерация", "mod@example.org")]
    comment = CommentFactory(article=article)
    with django_capture_on_commit_callbacks(execute=True):
        hidden = [
            services.comment_report(comment_id=comment.pk, reporter_key=f"i:{i}", reason="hate") for i in range(3)
        ]
    assert hidden == [False, False, True]
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PENDING and comment.hidden_by_reports_at is not None
    assert count(article) == 0 and len(mailoutbox) == 1
    services.comment_moderate(comment_ids=[comment.pk], status=CommentStatus.APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.comment_report(comment_id=comment.pk, reporter_key="i:late", reason="hate") is False
    comment.refresh_from_db()
    assert comment.status == CommentStatus.APPROVED and len(mailoutbox) == 1  # reviewed: not hidden again


def test_one_report_per_reader(article):
    comment = CommentFactory(article=article)
    services.comment_report(comment_id=comment.pk, reporter_key="i:x", reason="spam")
    with pytest.raises(CommentError) as raised:
        services.comment_report(comment_id=comment.pk, reporter_key="i:x", reason="insult")
    assert raised.value.status == 409 and Report.objects.count() == 1


def test_unreport_touches_only_ones_own_report(article):
    comment = CommentFactory(article=article)
    services.comment_report(comment_id=comment.pk, reporter_key="i:x", reason="spam")
    assert services.comment_unreport(comment_id=comment.pk, reporter_key="i:y") is False
    assert services.comment_unreport(comment_id=comment.pk, reporter_key="i:x") is True
    comment.refresh_from_db()
    assert comment.report_count == 0 and not Report.objects.exists()


def test_remove_keeps_the_row_and_fixes_the_count(article):
    comment = CommentFactory(article=article)
    services.comment_remove(comment=comment)
    comment.refresh_from_db()
    assert comment.status == CommentStatus.REMOVED and count(article) == 0


def test_edit_that_adds_a_suspect_word_holds_the_comment(article):
    comment = create(article, body="Спокоен текст.")
    services.comment_edit(comment=comment, body="Ти си глупак.")
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PENDING and comment.reason == Reason.SUSPECT_WORD and count(article) == 0


def test_editing_a_held_comment_does_not_publish_it(settings, article):
    settings.COMMENTS_MODERATION = "pre"
    comment = create(article, body="Чакам одобрение.")
    services.comment_edit(comment=comment, body="Поправих запетая.")
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PENDING


def test_block_author_spams_their_waiting_comments(article):
    comment = CommentFactory(article=article, author_key="e:x", email_hash="x")
    waiting = CommentFactory(article=article, pending=True, author_key="e:x")
    block = services.author_block(comment=comment, reason="троли")
    waiting.refresh_from_db()
    assert block.email_hash == "x" and waiting.status == CommentStatus.SPAM


def test_recount_fixes_drift_and_reports_it(article):
    CommentFactory.create_batch(2, article=article)
    Article.objects.filter(pk=article.pk).update(comment_count=7)
    assert services.comment_count_refresh() == 1
    assert count(article) == 2
    assert services.comment_count_refresh() == 0


def test_recount_command(article, capsys):
    CommentFactory(article=article)
    Article.objects.filter(pk=article.pk).update(comment_count=0)
    call_command("comments_recount")
    assert "1 article counts fixed" in capsys.readouterr().out
    assert count(article) == 1


def test_reply_notification_is_sent_once(article, mailoutbox, django_capture_on_commit_callbacks):
    from comments.models import Notification, NotificationState
    from comments.notifications import deliver_notification, notify_reply

    parent = create(article, email="p@example.org", notify_on_reply=True, ip_hash="p")
    with django_capture_on_commit_callbacks(execute=True):
        reply = create(article, parent=parent, ip_hash="r")
    assert len(mailoutbox) == 1
    notification = Notification.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        notify_reply(reply.pk)  # approved again
    assert deliver_notification.enqueue(notification.pk).return_value == "skipped"  # a duplicate task
    notification.refresh_from_db()
    assert len(mailoutbox) == 1 and notification.state == NotificationState.SENT and notification.attempts == 1


def test_no_notification_without_opt_in(article, mailoutbox, django_capture_on_commit_callbacks):
    parent = create(article, email="p@example.org", notify_on_reply=False, ip_hash="p")
    with django_capture_on_commit_callbacks(execute=True):
        create(article, parent=parent, ip_hash="r")
    assert mailoutbox == []


def test_notification_when_a_held_reply_is_approved(settings, article, mailoutbox, django_capture_on_commit_callbacks):
    parent = create(article, email="p@example.org", notify_on_reply=True, ip_hash="p")
    settings.COMMENTS_MODERATION = "pre"
    with django_capture_on_commit_callbacks(execute=True):
        reply = create(article, parent=parent, ip_hash="r")
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_moderate(comment_ids=[reply.pk], status=CommentStatus.APPROVED)
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["p@example.org"]


def test_notification_emails_are_plain_text(settings, article, mailoutbox, django_capture_on_commit_callbacks):
    """The e-mail templates turn autoescaping off: text mail shows "<" and "&" as typed, and carries no address."""
    settings.COMMENTS_REPORT_THRESHOLD = 1
    settings.MANAGERS = [("Модерация", "mod@example.org")]
    parent = create(article, email="p@example.org", notify_on_reply=True, ip_hash="p", author_name="Поля <П>")
    with django_capture_on_commit_callbacks(execute=True):
        reply = create(article, parent=parent, ip_hash="r", author_name="Рая & Ко", body='a < b & "c"')
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_report(comment_id=reply.pk, reporter_key="i:x", reason="spam")
    assert len(mailoutbox) == 2, [m.subject for m in mailoutbox]
    notice, report = mailoutbox
    assert 'a < b & "c"' in notice.body and "Поля <П>" in notice.body and "Рая & Ко" in notice.subject
    assert "&lt;" not in notice.body + report.body and "&amp;" not in notice.body + report.body
    assert "p@example.org" not in notice.body and notice.to == ["p@example.org"]
    assert "/comments/unsubscribe/" in notice.body and notice.extra_headers["List-Unsubscribe"].startswith("<http")
    assert 'a < b & "c"' in report.body


def test_thread_counts_follow_every_change(settings, article):
    def thread_count(root):
        return Comment.objects.get(pk=root.pk).thread_visible_count

    root = create(article, ip_hash="a")
    reply = create(article, parent=root, ip_hash="b")
    assert thread_count(root) == 2
    services.comment_remove(comment=root)
    assert thread_count(root) == 1  # the reply keeps the thread on the page
    assert list(Comment.objects.threads()) == [Comment.objects.get(pk=root.pk)]
    services.comment_moderate(comment_ids=[reply.pk], status=CommentStatus.REJECTED)
    assert thread_count(root) == 0 and not Comment.objects.threads().exists()
    services.comment_moderate(comment_ids=[reply.pk], status=CommentStatus.APPROVED)
    settings.COMMENTS_REPORT_THRESHOLD = 1
    services.comment_report(comment_id=reply.pk, reporter_key="i:z", reason="spam")
    assert thread_count(root) == 0
    services.comment_moderate(comment_ids=[reply.pk], status=CommentStatus.APPROVED)
    for i in range(10):
        services.comment_vote(comment_id=reply.pk, voter_key=f"i:{i}", value=-1)
    assert thread_count(root) == 0
    assert services.comment_count_refresh() == 0
