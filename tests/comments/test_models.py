import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from comments.models import Block, Comment, path_segment
from tests.factories import ArticleFactory, CommentFactory, ReportFactory, VoteFactory

pytestmark = pytest.mark.django_db


def test_path_segments_sort_like_the_numbers():
    numbers = [1, 9, 10, 35, 36, 1295, 1296, 10**9, 10**12]
    assert sorted(numbers, key=path_segment) == numbers
    assert {len(path_segment(n)) for n in numbers} == {8}


def test_reply_path_starts_with_its_parents_path():
    root = CommentFactory()
    reply = CommentFactory(parent=root)
    deeper = CommentFactory(parent=reply)
    assert root.path == path_segment(root.pk)
    assert reply.path.startswith(root.path) and deeper.path.startswith(reply.path)
    assert {root.thread_id, reply.thread_id, deeper.thread_id} == {root.pk}
    assert deeper.depth == 2


def test_thread_in_path_order_lists_each_reply_after_its_parent():
    root = CommentFactory()
    first = CommentFactory(parent=root)
    second = CommentFactory(parent=root)
    under_first = CommentFactory(parent=first)
    ordered = list(Comment.objects.filter(thread_id=root.pk).order_by("path").values_list("pk", flat=True))
    assert ordered == [root.pk, first.pk, under_first.pk, second.pk]


def test_visible_is_approved_and_not_voted_down_to_the_hiding_score(settings):
    shown = CommentFactory()
    CommentFactory(pending=True)
    CommentFactory(removed=True)
    CommentFactory(likes=0, dislikes=10, score=-10)
    assert list(Comment.objects.visible()) == [shown]
    assert [c.is_visible for c in Comment.objects.order_by("pk")] == [True, False, False, False]


def test_displayable_keeps_a_removed_comment_that_has_visible_replies():
    root = CommentFactory(removed=True)
    CommentFactory(parent=root)
    lonely = CommentFactory(removed=True)
    assert root in Comment.objects.displayable()
    assert lonely not in Comment.objects.displayable()


def test_for_article_scopes_to_one_article():
    mine = CommentFactory()
    CommentFactory()
    assert list(Comment.objects.for_article(mine.article)) == [mine]


def test_a_comment_cannot_be_its_own_parent():
    comment = CommentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.filter(pk=comment.pk).update(parent_id=comment.pk, depth=1)


def test_score_must_equal_likes_minus_dislikes():
    comment = CommentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.filter(pk=comment.pk).update(likes=3)


def test_depth_must_match_having_a_parent():
    with pytest.raises(IntegrityError), transaction.atomic():
        CommentFactory(depth=2)


def test_one_vote_per_voter_and_comment():
    vote = VoteFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        VoteFactory(comment=vote.comment, voter_key=vote.voter_key)


def test_one_report_per_reporter_and_comment():
    report = ReportFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportFactory(comment=report.comment, reporter_key=report.reporter_key)


def test_a_block_must_name_someone():
    with pytest.raises(IntegrityError), transaction.atomic():
        Block.objects.create(reason="nobody")


def test_block_matching_by_any_identity():
    block = Block.objects.create(email_hash="e1")
    assert list(Block.objects.matching(email_hash="e1", ip_hash="zzz")) == [block]
    assert not Block.objects.matching(ip_hash="e1").exists()
    assert not Block.objects.matching().exists()


def test_moderation_queue_puts_reported_and_pending_first():
    article = ArticleFactory()
    plain = CommentFactory(article=article)
    pending = CommentFactory(article=article, pending=True)
    reported = CommentFactory(article=article, report_count=2)
    assert list(Comment.objects.moderation_queue()) == [reported, pending, plain]


def test_absolute_url_is_the_permalink():
    comment = CommentFactory()
    assert comment.get_absolute_url() == reverse("comments:permalink", kwargs={"pk": comment.pk})
    assert comment.anchor == f"comment-{comment.pk}"
