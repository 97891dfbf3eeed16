import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString

from articles.templatetags.article_tags import dateline
from comments.markup import Labels, Urls, render_comment
from tests.comments.test_text import HOSTILE

OUR_TAGS = re.compile(r"</?(article|header|span|a|time|div|button|p|details|summary|br)( [a-z-]+(=\"[^\"<>]*\")?)*>")


def comment(**fields):
    values = {
        "pk": 41,
        "thread_id": 40,
        "level": 1,
        "author_name": "Мария",
        "reply_to_name": "Иван",
        "body": "Текст",
        "created_at": timezone.now() - timedelta(minutes=5),
        "edited_at": None,
        "likes": 3,
        "dislikes": 1,
        "is_pinned": False,
        "is_staff_reply": False,
        "is_placeholder": False,
        "is_collapsed": False,
        "more_replies": 0,
    }
    values.update(fields)
    return SimpleNamespace(**values)


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_names_and_bodies_render_as_text(payload):
    html = render_comment(
        comment(author_name=payload[:60], reply_to_name=payload[:60], body=payload), discussion_open=True
    )
    assert isinstance(html, SafeString)
    leftover = OUR_TAGS.sub("", html)
    assert "<" not in leftover and ">" not in leftover, leftover
    assert not re.search(r'(href|src|action|formaction)="\s*(javascript|data):', html)


def test_comment_markup_has_everything_a_reader_needs():
    html = render_comment(comment(is_staff_reply=True, is_pinned=True, edited_at=timezone.now()), discussion_open=True)
    assert 'id="comment-41"' in html and 'class="comment comment--level-1 comment--pinned comment--staff"' in html
    assert "Редакцията" in html and "Избор на редакцията" in html and "в отговор на Иван" in html
    assert "преди 5\xa0минути" in html and "(редактиран)" in html
    assert f'href="{reverse("comments:permalink", kwargs={"pk": 41})}"' in html
    assert f'formaction="{reverse("comments:vote", kwargs={"pk": 41})}"' in html
    assert f'href="{reverse("comments:reply", kwargs={"pk": 41})}"' in html
    assert f'href="{reverse("comments:report", kwargs={"pk": 41})}"' in html
    assert "<span data-likes>3</span>" in html and "<span data-dislikes>1</span>" in html


def test_closed_discussions_have_no_reply_link_and_cards_no_buttons():
    assert "/reply/" not in render_comment(comment(), discussion_open=False)
    assert "<button" not in render_comment(comment(), discussion_open=True, actions=False)


def test_placeholders_and_collapsed_comments():
    gone = render_comment(
        comment(is_placeholder=True, placeholder="Коментарът е изтрит.", body="таен"), discussion_open=True
    )
    assert "Коментарът е изтрит." in gone and "таен" not in gone and "<button" not in gone
    low = render_comment(comment(is_collapsed=True), discussion_open=True)
    assert '<details class="comment__collapsed"><summary>Коментар с нисък рейтинг — покажи</summary>' in low


def test_show_more_link_follows_the_last_shown_reply():
    html = render_comment(
        comment(more_replies=7, more_url="/comments/thread/40/?page=1", more_offset=11), discussion_open=True
    )
    link = '<a href="/comments/thread/40/?page=1" data-more="40" data-offset="11">покажи още 7 отговора</a>'
    assert f'<p class="comment-more comment--level-1">{link}</p>' in html


@pytest.mark.parametrize(
    "moment", [datetime(2025, 12, 5, 12, 32), datetime(2025, 1, 9, 22, 5), datetime(2025, 7, 31, 23, 59)]
)
def test_dates_read_like_the_article_date_line(moment):
    aware = timezone.make_aware(moment, timezone.get_fixed_timezone(0))
    for language in ("bg", "en"):
        with translation.override(language):
            assert Labels.current().dateline(timezone.localtime(aware)) == dateline(aware)


def test_urls_match_reverse():
    urls = Urls()
    for name in ("permalink", "vote", "reply", "report"):
        assert urls(name, 123) == reverse(f"comments:{name}", kwargs={"pk": 123})


# --- Bulgarian content in an English frame --------------------------------------------------------------------


def test_readers_words_are_marked_bulgarian_in_an_english_frame():
    with translation.override("en"):
        html = render_comment(comment(body="Здравейте"), discussion_open=True)
    assert '<span class="comment__author" lang="bg">Мария</span>' in html
    assert '<div class="comment__body" lang="bg">Здравейте</div>' in html
    assert '<span class="comment__reply-to">in reply to <span lang="bg">Иван</span></span>' in html
    assert ">Reply</a>" in html and "5\xa0minutes ago" in html  # the frame's own words stay English


def test_readers_words_carry_no_language_of_their_own_in_a_bulgarian_frame():
    with translation.override("bg"):
        html = render_comment(comment(body="Здравейте"), discussion_open=True)
    assert ' lang="' not in html
    assert '<span class="comment__reply-to">в отговор на Иван</span>' in html


# --- Relative times: the words the script counts with -----------------------------------------------------


@pytest.mark.parametrize("language", ["bg", "en"])
@pytest.mark.parametrize(
    ("ago", "key", "count"),
    [
        (timedelta(0), "now", 0),
        (timedelta(seconds=1), "second", 1),
        (timedelta(seconds=42), "second", 42),
        (timedelta(minutes=1, seconds=5), "minute", 1),
        (timedelta(minutes=59, seconds=59), "minute", 59),
        (timedelta(hours=1), "hour", 1),
        (timedelta(hours=23, minutes=59), "hour", 23),
        (timedelta(days=3), "day", 3),
        (timedelta(days=1), "day", 1),
    ],
)
def test_relative_time_words_are_naturaltimes_own(time_machine, language, ago, key, count):
    """comments.markup.relative_time_words hands static/js/comments.js naturaltime's words: the same msgids,
    so the same translations (the counting is held by tests/browser/test_comments_js.py)."""
    from django.contrib.humanize.templatetags.humanize import naturaltime

    from comments.markup import relative_time_words

    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    time_machine.move_to(now, tick=False)
    with translation.override(language):
        words = relative_time_words()
        expected = naturaltime(now - ago)
        for tense, moment in (("past", now - ago), ("future", now + ago)):
            if key == "now":
                written = words["now"]
            elif key == "day":
                unit = words[tense]["units"]["day"][0 if count == 1 else 1].replace("%(num)d", str(count))
                written = words[tense]["days"].replace("%(delta)s", unit.replace(" ", "\xa0"))
            else:
                written = words[tense][key][0 if count == 1 else 1].replace("%(count)s", str(count))
            expected = naturaltime(moment)
            assert written == expected, (tense, written, expected)
