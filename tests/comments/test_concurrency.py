"""Data integrity under concurrency, on real PostgreSQL (skipped on SQLite, which serialises writers).

Threads post through the Django test client (each thread has its own database connection) or call
the services directly. Run with, e.g.:
DATABASE_URL=postgres://postgres@127.0.0.1:5432/vestnik_comments CACHE_URL=redis://127.0.0.1:6379/5
"""

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import close_old_connections, connection, connections, transaction
from django.test import Client

from articles.models import Article
from comments import services
from comments.models import Comment, CommentStatus, Report, Vote
from tests.comments.conftest import comment_data, create_url
from tests.factories import ArticleFactory, CommentFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def in_threads(jobs, workers=8):
    """Run callables concurrently, each thread with its own connection, closed afterwards."""

    def run(job):
        try:
            return job()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, jobs))


def count(article) -> int:
    return Article.objects.get(pk=article.pk).comment_count


def test_concurrent_posts_are_each_stored_once_and_counted():
    article = ArticleFactory()
    payloads = [comment_data(article, body=f"Мнение номер {i} по темата.") for i in range(120)]

    def post(data, i):
        return lambda: Client(REMOTE_ADDR=f"10.0.{i // 250}.{i % 250}").post(create_url(article), data).status_code

    statuses = in_threads([post(data, i) for i, data in enumerate(payloads)], workers=10)
    assert statuses == [302] * 120
    bodies = list(Comment.objects.filter(article=article).values_list("body", flat=True))
    assert sorted(bodies) == sorted(p["body"] for p in payloads)
    assert count(article) == Comment.objects.visible().filter(article=article).count() == 120


def test_a_naive_read_modify_write_counter_loses_updates():
    """Negative control: the same race against `count += 1; save()` is caught by the check above."""
    article = ArticleFactory()

    def naive():
        close_old_connections()
        fresh = Article.objects.get(pk=article.pk)
        time.sleep(0.01)  # the window every real request has between its read and its write
        fresh.comment_count += 1
        fresh.save(update_fields=["comment_count"])

    in_threads([naive] * 40, workers=10)
    assert count(article) < 40


def test_the_same_form_sent_ten_times_at_once_makes_one_comment():
    article = ArticleFactory()
    data = comment_data(article, body="Два пъти натиснах бутона.")
    barrier = threading.Barrier(10)

    def send():
        barrier.wait()
        response = Client().post(create_url(article), data)
        return response.status_code, response.get("Location")

    results = in_threads([send] * 10, workers=10)
    results += [
        (r.status_code, r.get("Location")) for r in (Client().post(create_url(article), data) for _ in range(10))
    ]
    comment = Comment.objects.get()
    assert {status for status, _ in results} == {302}
    assert {location for _, location in results} == {f"{article.get_absolute_url()}#comment-{comment.pk}"}
    assert count(article) == 1


def test_a_reply_holding_the_parent_makes_the_removal_wait(monkeypatch):
    article = ArticleFactory()
    parent = CommentFactory(article=article)
    locked, go = threading.Event(), threading.Event()
    real_moderate = services.moderate

    def slow_moderate(submission):  # runs while the reply holds the parent's row lock
        locked.set()
        go.wait(5)
        return real_moderate(submission)

    monkeypatch.setattr(services, "moderate", slow_moderate)
    removed = threading.Event()

    def reply():
        return services.comment_create(
            article=article, parent=parent.pk, body="Бърз отговор.", author_name="А", ip_hash="a"
        )

    def remove():
        locked.wait(5)
        services.comment_moderate(comment_ids=[parent.pk], status=CommentStatus.REJECTED)
        removed.set()

    with ThreadPoolExecutor(max_workers=2) as pool:
        replying = pool.submit(lambda: (reply(), connections.close_all()))
        removing = pool.submit(lambda: (remove(), connections.close_all()))
        assert locked.wait(5)
        time.sleep(0.3)
        assert not removed.is_set()  # blocked on the parent's row lock
        go.set()
        replying.result(10)
        removing.result(10)
    stored = Comment.objects.get(parent=parent)
    parent.refresh_from_db()
    assert stored.created_at < parent.moderated_at  # attached while the parent was still visible
    assert count(article) == 1


def test_a_reply_after_the_removal_is_refused():
    article = ArticleFactory()
    parent = CommentFactory(article=article)
    holding, release = threading.Event(), threading.Event()

    def moderator():  # takes the row lock first and removes the parent
        with transaction.atomic():
            Comment.objects.select_for_update().get(pk=parent.pk)
            Comment.objects.filter(pk=parent.pk).update(status=CommentStatus.REMOVED)
            holding.set()
            release.wait(5)

    def reply():
        holding.wait(5)
        try:
            services.comment_create(article=article, parent=parent.pk, body="Късно.", author_name="Б", ip_hash="b")
        except services.CommentError as error:
            return error.code
        return "stored"

    with ThreadPoolExecutor(max_workers=2) as pool:
        moderating = pool.submit(lambda: (moderator(), connections.close_all()))
        replying = pool.submit(lambda: (reply(), connections.close_all()))
        assert holding.wait(5)
        time.sleep(0.3)
        release.set()
        moderating.result(10)
        outcome, _ = replying.result(10)
    assert outcome == "parent"
    assert not Comment.objects.filter(parent=parent).exists()


def test_replies_racing_a_removal_never_attach_to_a_removed_parent():
    article = ArticleFactory()
    parent = CommentFactory(article=article)
    barrier = threading.Barrier(21)

    def reply(i):
        def job():
            barrier.wait()
            try:
                services.comment_create(
                    article=article, parent=parent.pk, body=f"Отговор {i}", author_name="В", ip_hash=f"r{i}"
                )
            except services.CommentError:
                return "refused"
            return "stored"

        return job

    def remove():
        barrier.wait()
        time.sleep(0.005)
        services.comment_moderate(comment_ids=[parent.pk], status=CommentStatus.REJECTED)
        return "removed"

    outcomes = in_threads([reply(i) for i in range(10)] + [remove] + [reply(i) for i in range(10, 20)], workers=21)
    parent.refresh_from_db()
    stored = Comment.objects.filter(parent=parent)
    assert outcomes.count("stored") == stored.count()
    assert all(reply.created_at < parent.moderated_at for reply in stored)
    assert count(article) == stored.count()


def test_concurrent_reports_hide_the_comment_exactly_once(settings, mailoutbox):
    settings.COMMENTS_REPORT_THRESHOLD = 5
    settings.MANAGERS = [("Модерация", "mod@example.org")]
    article = ArticleFactory()
    comment = CommentFactory(article=article)
    barrier = threading.Barrier(20)

    def report(i):
        def job():
            barrier.wait()
            return services.comment_report(comment_id=comment.pk, reporter_key=f"u:{i}", reason="insult")

        return job

    hid = in_threads([report(i) for i in range(20)], workers=20)
    comment.refresh_from_db()
    assert Report.objects.filter(comment=comment).count() == 20 == comment.report_count
    assert hid.count(True) == 1
    assert comment.status == CommentStatus.PENDING and count(article) == 0
    assert len(mailoutbox) == 1


def test_concurrent_votes_keep_counters_equal_to_the_votes():
    comment = CommentFactory()
    barrier = threading.Barrier(30)

    def vote(i):
        def job():
            barrier.wait()
            return services.comment_vote(comment_id=comment.pk, voter_key=f"i:{i}", value=1 if i % 3 else -1)

        return job

    in_threads([vote(i) for i in range(30)], workers=30)
    comment.refresh_from_db()
    likes = Vote.objects.filter(comment=comment, value=1).count()
    dislikes = Vote.objects.filter(comment=comment, value=-1).count()
    assert (comment.likes, comment.dislikes, comment.score) == (likes, dislikes, likes - dislikes) == (20, 10, 10)


def test_mixed_moderation_race_leaves_no_drift():
    article = ArticleFactory()
    comments = CommentFactory.create_batch(30, article=article)
    ids = [c.pk for c in comments]

    def post(i):
        return lambda: services.comment_create(
            article=article, parent=None, body=f"Нов {uuid.uuid4()}", author_name="Г", ip_hash=f"p{i}"
        )

    def moderate(status, chunk):
        return lambda: services.comment_moderate(comment_ids=chunk, status=status)

    jobs = [post(i) for i in range(20)]
    jobs += [moderate(CommentStatus.REJECTED, ids[i : i + 10]) for i in range(0, 30, 5)]
    jobs += [moderate(CommentStatus.APPROVED, ids[i : i + 7]) for i in range(0, 30, 3)]
    jobs += [lambda pk=pk: services.comment_remove(comment=Comment.objects.get(pk=pk)) for pk in ids[::4]]
    in_threads(jobs, workers=12)
    assert count(article) == Comment.objects.visible().filter(article=article).count()
    assert services.comment_count_refresh() == 0
