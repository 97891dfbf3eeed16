import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from comments import moderation
from comments.models import Comment, CommentStatus, DiscussionSettings, ModerationWord, Reason
from comments.moderation import ACCEPT, HOLD, REJECT, Submission, moderate
from comments.services import CommentError, comment_create
from comments.text import fingerprint
from tests.factories import ArticleFactory, BlockFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

SOFIA = zoneinfo.ZoneInfo("Europe/Sofia")


def submission(article, body="Нормален коментар по темата.", **fields):
    fields.setdefault("author_key", "i:reader")
    fields.setdefault("ip_hash", "reader")
    return Submission(article=article, body=body, fingerprint=fingerprint(body), **fields)


def post(article, body, **fields):
    fields.setdefault("ip_hash", "reader-ip")
    fields.setdefault("author_name", "Читател")
    return comment_create(article=article, parent=None, body=body, **fields)


# --- Each check ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "expected"), [("", REJECT), ("  ", REJECT), ("я" * 2001, REJECT), ("Добре.", None)])
def test_length_check(article, body, expected):
    decision = moderation.check_length(submission(article, body))
    assert (decision.action if decision else None) == expected


def test_closed_check_for_disabled_and_old_discussions(settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 14
    disabled = ArticleFactory(comments_enabled=False)
    old = ArticleFactory(published_at=timezone.now() - timedelta(days=15))
    fresh = ArticleFactory(published_at=timezone.now() - timedelta(days=13))
    assert moderation.check_closed(submission(disabled)).reason == Reason.CLOSED
    assert moderation.check_closed(submission(old)).reason == Reason.CLOSED
    assert moderation.check_closed(submission(fresh)) is None
    settings.COMMENTS_CLOSE_AFTER_DAYS = 0
    assert moderation.check_closed(submission(old)) is None


def test_repeat_check_looks_back_the_configured_minutes(article):
    text = "Повтарям се."
    CommentFactory(article=article, body=text, author_key="i:reader", fingerprint=fingerprint(text))
    assert moderation.check_repeat(submission(article, text)).action == REJECT
    assert moderation.check_repeat(submission(article, text, author_key="i:other")) is None
    Comment.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    assert moderation.check_repeat(submission(article, text)) is None


def test_three_links_are_held(article):
    two = "https://a.bg https://b.bg"
    assert moderation.check_links(submission(article, two)) is None
    decision = moderation.check_links(submission(article, two + " https://c.bg"))
    assert (decision.action, decision.reason, decision.text) == (HOLD, Reason.LINKS, "3 links")


def test_banned_words_reject_and_suspect_words_hold(article):
    banned = moderation.check_words(submission(article, "Ти си ИДИОТ!"))
    assert (banned.action, banned.reason, banned.text) == (REJECT, Reason.BANNED_WORD, "идиот")
    assert banned.store  # kept as rejected: moderators see it and it counts in the author's history
    suspect = moderation.check_words(submission(article, "Какъв глупак."))
    assert (suspect.action, suspect.reason) == (HOLD, Reason.SUSPECT_WORD)
    assert moderation.check_words(submission(article, "Чудесен ден.")) is None


def test_moderators_add_words_in_admin(article):
    assert moderation.check_words(submission(article, "Ама че мухльо.")) is None
    ModerationWord.objects.create(word="мухльо", action="reject")
    assert moderation.check_words(submission(article, "Ама че мухльо.")).action == REJECT
    ModerationWord.objects.all().delete()
    assert moderation.check_words(submission(article, "Ама че мухльо.")) is None


def test_new_authors_are_held_until_enough_approvals(settings, article):
    settings.COMMENTS_NEW_AUTHOR_HELD = 2
    assert moderation.check_new_author(submission(article)).reason == Reason.NEW_AUTHOR
    CommentFactory(article=article, author_key="i:reader")
    assert moderation.check_new_author(submission(article)).reason == Reason.NEW_AUTHOR
    CommentFactory(article=article, author_key="i:reader")
    assert moderation.check_new_author(submission(article)) is None


def test_new_author_flow_first_two_held_third_published(settings, article):
    settings.COMMENTS_NEW_AUTHOR_HELD = 2
    first = post(article, "Първи коментар.", email="nov@example.org")
    second = post(article, "Втори коментар.", email="nov@example.org")
    assert first.status == second.status == CommentStatus.PENDING
    Comment.objects.filter(pk__in=[first.pk, second.pk]).update(status=CommentStatus.APPROVED)
    third = post(article, "Трети коментар.", email="nov@example.org")
    assert third.status == CommentStatus.APPROVED


def test_authors_often_rejected_lately_are_held(article):
    for status in ["approved", "approved", "rejected"]:
        CommentFactory(article=article, author_key="i:reader", status=status)
    assert moderation.check_rejection_rate(submission(article)).reason == Reason.REJECTION_RATE
    CommentFactory(article=article, author_key="i:reader")
    assert moderation.check_rejection_rate(submission(article)) is None  # 1 of 4 = 25 %
    Comment.objects.filter(status="rejected").update(created_at=timezone.now() - timedelta(days=8))
    assert moderation.check_rejection_rate(submission(article)) is None


@pytest.mark.parametrize("identity", ["user", "email", "ip"])
def test_blocked_authors_are_rejected(article, identity):
    user = UserFactory()
    block = {
        "user": lambda: BlockFactory(user=user, ip_hash=""),
        "email": lambda: BlockFactory(email_hash="mailhash", ip_hash=""),
        "ip": lambda: BlockFactory(ip_hash="reader"),
    }[identity]()
    decision = moderation.check_blocked(
        submission(
            article, user_id=user.pk if identity == "user" else None, email_hash="mailhash" * (identity == "email")
        )
    )
    assert (decision.action, decision.reason) == (REJECT, Reason.BLOCKED)
    block.expires_at = timezone.now() - timedelta(minutes=1)
    block.save()
    assert moderation.check_blocked(submission(article, user_id=user.pk, email_hash="mailhash")) is None


def test_latin_bulgarian_is_held_or_nudged(settings, article):
    text = "zdrasti kak si 6te hodim li utre na mach"
    settings.COMMENTS_LATIN_BULGARIAN = "hold"
    assert moderation.check_latin_bulgarian(submission(article, text)).action == HOLD
    settings.COMMENTS_LATIN_BULGARIAN = "nudge"
    nudge = moderation.check_latin_bulgarian(submission(article, text))
    assert nudge.action == REJECT and not nudge.store
    assert moderation.check_latin_bulgarian(submission(article, text, confirmed_latin=True)) is None
    settings.COMMENTS_LATIN_BULGARIAN = "allow"
    assert moderation.check_latin_bulgarian(submission(article, text)) is None


def test_nudged_reader_confirms_and_is_published(settings, article, post_comment):
    settings.COMMENTS_LATIN_BULGARIAN = "nudge"
    text = "tova e mnogo dobra statia bravo na avtora"
    response = post_comment(article, body=text)
    html = response.content.decode()
    assert response.status_code == 400 and not Comment.objects.exists()
    assert "Моля, пишете на кирилица." in html and 'name="confirm_latin"' in html and text in html
    assert post_comment(article, body=text, confirm_latin="on").status_code == 302
    assert Comment.objects.get().status == CommentStatus.APPROVED


# --- The chain ---------------------------------------------------------------------------------------------


def test_chain_runs_in_the_documented_order():
    names = [path.rsplit(".", 1)[1] for path in moderation.DEFAULT_CHECKS]
    assert names == [
        "check_length",
        "check_closed",
        "check_repeat",
        "check_links",
        "check_words",
        "check_new_author",
        "check_rejection_rate",
        "check_blocked",
        "check_spam",
        "check_latin_bulgarian",
    ]


def test_a_reject_beats_an_earlier_hold(article):
    decision = moderate(submission(article, "https://a.bg https://b.bg https://c.bg идиот"))
    assert (decision.action, decision.reason) == (REJECT, Reason.BANNED_WORD)


def test_the_first_hold_is_the_reason_given(settings, article):
    settings.COMMENTS_NEW_AUTHOR_HELD = 5
    decision = moderate(submission(article, "https://a.bg https://b.bg https://c.bg"))
    assert (decision.action, decision.reason) == (HOLD, Reason.LINKS)


def test_clean_comments_are_accepted(article):
    assert moderate(submission(article)).action == ACCEPT


def test_the_chain_is_configurable(settings, article):
    settings.COMMENTS_CHECKS = ["comments.moderation.check_length"]
    assert moderate(submission(article, "идиот")).action == ACCEPT


# --- Modes -----------------------------------------------------------------------------------------------------


def test_site_wide_pre_moderation_holds_everything(settings, article):
    settings.COMMENTS_MODERATION = "pre"
    decision = moderate(submission(article))
    assert (decision.action, decision.reason) == (HOLD, Reason.PREMODERATION)


def test_per_article_mode_overrides_the_site(settings, article):
    DiscussionSettings.objects.create(article=article, moderation="pre")
    assert moderate(submission(article)).reason == Reason.PREMODERATION
    other = ArticleFactory()
    settings.COMMENTS_MODERATION = "pre"
    DiscussionSettings.objects.create(article=other, moderation="post")
    assert moderate(submission(other)).action == ACCEPT


@pytest.mark.parametrize(
    ("hour", "minute", "held"),
    [(22, 59, False), (23, 0, True), (2, 30, True), (6, 59, True), (7, 0, False), (12, 0, False)],
)
def test_comments_are_held_outside_staffed_hours(settings, article, hour, minute, held):
    settings.COMMENTS_UNSTAFFED_HOURS = "23:00-07:00"
    now = datetime(2025, 12, 5, hour, minute, tzinfo=SOFIA)
    decision = moderate(submission(article, now=now))
    assert (decision.reason == Reason.UNSTAFFED) is held


@pytest.mark.parametrize("spec", ["", "garbage", "25:00-07:00"])
def test_odd_staffed_hours_settings_mean_always_staffed(settings, spec):
    settings.COMMENTS_UNSTAFFED_HOURS = spec
    assert moderation.unstaffed(datetime(2025, 12, 5, 3, 0, tzinfo=SOFIA)) is False


# --- Through the service: what is stored --------------------------------------------------------------------


def test_banned_word_comment_is_stored_rejected_and_never_public(article, client):
    comment = post(article, "Авторът е пълен идиот.")
    assert comment.status == CommentStatus.REJECTED and comment.reason == Reason.BANNED_WORD
    assert comment.reason_text == "идиот"
    article.refresh_from_db()
    assert article.comment_count == 0
    assert "пълен идиот" not in client.get(article.get_absolute_url()).content.decode()


def test_linky_comment_is_pending_and_not_public(article, client):
    comment = post(article, "Вижте https://a.bg и https://b.bg и https://c.bg")
    assert comment.status == CommentStatus.PENDING and comment.reason == Reason.LINKS
    assert "https://c.bg" not in client.get(article.get_absolute_url()).content.decode()


def test_repeat_is_refused_and_not_stored(article):
    post(article, "Едно и също.")
    with pytest.raises(CommentError) as raised:
        post(article, "едно  и  същото.".replace("същото", "също"))
    assert raised.value.code == Reason.REPEAT
    assert Comment.objects.count() == 1


def test_a_blocked_reader_is_refused_through_the_form(article, post_comment):
    from comments.security import ip_hash

    class Request:
        META = {"REMOTE_ADDR": "127.0.0.1"}

    BlockFactory(ip_hash=ip_hash(Request()))
    post_comment(article, body="Пак съм тук.")
    assert Comment.objects.get().status == CommentStatus.REJECTED


def test_rate_limiter_outage_holds_instead_of_failing(monkeypatch, article):
    monkeypatch.setattr("comments.services.rate_limited", lambda *args: None)
    comment = post(article, "Кешът не отговаря.")
    assert comment.status == CommentStatus.PENDING and comment.reason == Reason.RATE_UNAVAILABLE
