"""What static/js/comments.js does for a reader's own comments and for the times it keeps fresh.

Edit links at once, held comments marked as waiting (and shown to their author alone), the guest's name
remembered on this device (never in a cookie), relative times that read as the server writes them, and
the Bulgarian of readers' words marked in an English frame.
"""

import json
import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone, translation
from playwright.sync_api import expect

from comments.models import Comment, CommentStatus
from tests.factories import ArticleFactory, CommentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME, EMAIL = "Гергана Димитрова", "gergana@example.bg"


def bg(msgid: str) -> str:
    """A string new to the catalog, as the Bulgarian page writes it (the msgid until it is translated)."""
    with translation.override("bg"):
        return translation.gettext(msgid)


HELD_CLASS = re.compile(r"\bcomment--held\b")


def post(page, body: str, *, name: str = NAME, email: str = ""):
    form = page.locator("[data-comment-form]")
    form.get_by_label("Име", exact=True).fill(name)
    if email:
        form.locator("[name=email]").fill(email)
    form.get_by_label("Коментар", exact=True).fill(body)
    form.get_by_role("button", name="Публикувай").click()
    return form


# --- 1. Edit links at once --------------------------------------------------------------------------------


def test_a_posted_comment_gets_its_edit_links_at_once(page, live_server):
    article = ArticleFactory(title="Нов парк в Лозенец")
    page.goto(live_server.url + article.get_absolute_url())
    page.evaluate("() => { window.__samePage = true; }")
    post(page, "Чудесна новина за квартала.")
    expect(page.locator("[data-comments-status]")).to_have_text("Коментарът ви е публикуван.")
    posted = Comment.objects.get()
    own = page.locator(f"#comment-{posted.pk} + .comment-own")
    expect(own.get_by_role("link", name="Редактирай")).to_have_attribute("href", f"/comments/{posted.pk}/edit/")
    expect(own.get_by_role("link", name="Изтрий")).to_have_attribute("href", f"/comments/{posted.pk}/delete/")
    assert page.evaluate("() => window.__samePage") is True, "the links came with a reload"

    # A reply gets them too, at its level, and they work: the edit page opens.
    page.locator(f"#comment-{posted.pk}").get_by_role("link", name="Отговори").click()
    post(page, "И още нещо: пейките.")
    expect(page.locator(".comments__thread")).to_contain_text("И още нещо: пейките.")
    reply = Comment.objects.get(parent=posted)
    expect(page.locator(f"#comment-{reply.pk} + .comment-own.comment--level-1")).to_contain_text("Редактирай")
    page.locator(f"#comment-{reply.pk} + .comment-own").get_by_role("link", name="Редактирай").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Редактиране на коментар")
    assert page.problems == []


# --- 2. Held comments shown to their author ---------------------------------------------------------------


def test_a_held_comment_is_shown_to_its_author_with_javascript_and_to_nobody_else(page, browser, live_server, settings):
    settings.COMMENTS_MODERATION = "pre"
    article = ArticleFactory(title="Ремонтът на моста продължава")
    CommentFactory(article=article, body="Вече одобрен коментар.")
    page.goto(live_server.url + article.get_absolute_url())
    post(page, "Дано да го завършат до зимата.")
    expect(page.locator("[data-comments-status]")).to_contain_text("след като модератор го одобри")
    held = Comment.objects.get(status=CommentStatus.PENDING)
    card = page.locator(f"#comment-{held.pk}")
    expect(card).to_have_class(HELD_CLASS)
    expect(card.locator(".comment__held")).to_be_visible()
    expect(card.locator(".comment__body")).to_have_text("Дано да го завършат до зимата.")
    expect(card.locator("button, [data-reply], [data-report]")).to_have_count(0)
    expect(page.locator("[data-comment-count]")).to_have_text("1")  # not counted before it is approved
    expect(page.locator(".comments__thread .comment").first).to_have_id(f"comment-{held.pk}")

    page.reload()  # the page rendered for its author shows it in the same place, the same way
    expect(page.locator(f"#comment-{held.pk}")).to_have_class(HELD_CLASS)
    expect(page.locator(".comments__thread .comment").first).to_have_id(f"comment-{held.pk}")

    other = browser.new_context(locale="bg-BG", timezone_id="Europe/Sofia")
    try:
        stranger = other.new_page()
        stranger.goto(live_server.url + article.get_absolute_url())
        expect(stranger.locator(".comments__thread")).to_contain_text("Вече одобрен коментар.")
        expect(stranger.locator(f"#comment-{held.pk}")).to_have_count(0)
        expect(stranger.locator(".comment--held")).to_have_count(0)
    finally:
        other.close()
    assert page.problems == []


def test_a_held_comment_is_shown_to_its_author_without_javascript(nojs_page, live_server, settings):
    page = nojs_page
    settings.COMMENTS_MODERATION = "pre"
    article = ArticleFactory(title="Ремонтът на моста продължава")
    page.goto(live_server.url + article.get_absolute_url())
    post(page, "Без JavaScript, но го виждам.")
    expect(page.get_by_role("alert")).to_contain_text("Моля, изпратете го отново")  # no token on a shared page
    page.locator("[data-comment-form]").get_by_role("button", name="Публикувай").click()
    expect(page.get_by_role("status").filter(has_text="след като модератор го одобри")).to_be_visible()
    held = Comment.objects.get()
    card = page.locator(f"#comment-{held.pk}")
    expect(card).to_have_class(HELD_CLASS)
    expect(card.locator(".comment__body")).to_have_text("Без JavaScript, но го виждам.")
    expect(card.locator(".comment__held")).to_be_visible()
    assert page.problems == []


# --- 3. The name remembered on this device ------------------------------------------------------------------


def test_the_guests_name_and_email_are_remembered_on_this_device_and_in_no_cookie(page, context, live_server):
    first, second = ArticleFactory(title="Първа статия"), ArticleFactory(title="Втора статия")
    page.goto(live_server.url + first.get_absolute_url())
    form = page.locator("[data-comment-form]")
    note = form.locator("[data-remembered]")
    expect(note).to_be_visible()  # says it will be remembered, before it is
    expect(note.get_by_role("button")).to_be_hidden()
    post(page, "Първи коментар.", email=EMAIL)
    expect(page.locator("[data-comments-status]")).to_have_text("Коментарът ви е публикуван.")
    expect(note.get_by_role("button", name=bg("Forget them"))).to_be_visible()

    page.goto(live_server.url + second.get_absolute_url())
    form = page.locator("[data-comment-form]")
    expect(form.get_by_label("Име", exact=True)).to_have_value(NAME)
    expect(form.locator("[name=email]")).to_have_value(EMAIL)
    form.get_by_label("Коментар", exact=True).fill("Втори коментар, без да пиша името.")
    form.get_by_role("button", name="Публикувай").click()
    expect(page.locator("[data-comments-status]")).to_have_text("Коментарът ви е публикуван.")
    assert Comment.objects.get(article=second).author_name == NAME
    assert Comment.objects.get(article=second).email == EMAIL

    # Personal data stays in this browser's storage: no cookie carries the name or the address.
    for cookie in context.cookies():
        value = unquote(cookie["value"])
        assert NAME not in value and EMAIL not in value and "gergana" not in value, cookie["name"]
    stored = json.loads(page.evaluate("() => localStorage.getItem('vestnik.commenter')"))
    assert stored == {"name": NAME, "email": EMAIL}

    # A reply form opened under a comment is the same form: filled in too. A field the reader typed wins.
    page.reload()
    form = page.locator("[data-comment-form]")
    expect(form.get_by_label("Име", exact=True)).to_have_value(NAME)
    form.locator("[data-forget]").click()  # off this device, and off the form
    expect(form.get_by_label("Име", exact=True)).to_have_value("")
    expect(form.locator("[name=email]")).to_have_value("")
    assert page.evaluate("() => localStorage.getItem('vestnik.commenter')") is None
    page.reload()
    expect(page.locator("[data-comment-form]").get_by_label("Име", exact=True)).to_have_value("")
    assert page.problems == []


def test_without_javascript_nothing_is_remembered(nojs_page, live_server):
    page = nojs_page
    first, second = ArticleFactory(), ArticleFactory()
    page.goto(live_server.url + first.get_absolute_url())
    expect(page.locator("[data-remembered]")).to_be_hidden()  # it would not be true
    post(page, "Без JavaScript.")
    page.locator("[data-comment-form]").get_by_role("button", name="Публикувай").click()  # the shared page's token
    expect(page.get_by_role("status").filter(has_text="Коментарът ви е публикуван.")).to_be_visible()
    page.goto(live_server.url + second.get_absolute_url())
    expect(page.locator("[data-comment-form]").get_by_label("Име", exact=True)).to_have_value("")
    for cookie in page.context.cookies():
        assert NAME not in unquote(cookie["value"]), cookie["name"]


# --- 6. Bulgarian content in an English frame -----------------------------------------------------------------


def test_in_an_english_frame_readers_words_are_marked_bulgarian(page, context, live_server, settings):
    settings.LANGUAGE_COOKIE_NAME = "django_language"  # the language switch's, without __Host- (plain HTTP here)
    article = ArticleFactory(title="Щъркелите се завръщат")
    comment = CommentFactory(article=article, author_name="Мария", body="Хубава новина.")
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("lang", "en")
    card = page.locator(f"#comment-{comment.pk}")
    expect(card.locator(".comment__author")).to_have_attribute("lang", "bg")
    expect(card.locator(".comment__body")).to_have_attribute("lang", "bg")
    card.get_by_role("link", name="Reply").click()
    label = page.locator("[data-comment-form] [data-replying]")
    expect(label).to_contain_text("Replying to Мария")
    expect(label.locator("span[lang=bg]")).to_have_text("Мария")
    expect(label.get_by_role("link", name="Cancel")).to_be_visible()
    assert page.problems == []


# --- 5. Relative times read the same from the server and from the script -----------------------------------

AGES = {
    "now": timedelta(0),
    "a second": timedelta(seconds=1),
    "seconds": timedelta(seconds=59, milliseconds=999),
    "a minute": timedelta(seconds=60),
    "minutes": timedelta(minutes=59, seconds=59, milliseconds=999),
    "an hour": timedelta(hours=1),
    "hours": timedelta(hours=23, minutes=59, seconds=59),
    "a day": timedelta(days=1),
    "a day and hours": timedelta(days=1, hours=3, minutes=59),
    "days": timedelta(days=6, hours=23),
    "a week": timedelta(days=7),
    "weeks and days": timedelta(days=17, hours=5),
    "a month or so": timedelta(days=31, hours=2),
    "months": timedelta(days=95),
    "a year": timedelta(days=366),
    "years and months": timedelta(days=800),
    "from the future": -timedelta(seconds=30),
    "hours from the future": -timedelta(hours=2, minutes=1),
    "days from the future": -timedelta(days=2, hours=1),
}


LATER = timedelta(days=1, hours=1, minutes=1, seconds=1)  # most texts change by then


@pytest.fixture
def at_a_fixed_moment(time_machine):
    """Server time stopped at a whole second (in this process, so in the live server too)."""
    moment = timezone.now().replace(microsecond=0) - timedelta(days=3)
    time_machine.move_to(moment, tick=False)
    return moment


@pytest.mark.parametrize("language", ["bg", "en"])
def test_relative_times_read_the_same_from_the_server_and_from_the_script(
    browser, live_server, settings, time_machine, at_a_fixed_moment, language
):
    moment = at_a_fixed_moment
    settings.LANGUAGE_COOKIE_NAME = "django_language"  # the language switch's, without __Host- (plain HTTP here)
    article = ArticleFactory(published_at=moment - timedelta(days=900))
    comments = {
        label: CommentFactory(article=article, body=label, created_at=moment - age) for label, age in AGES.items()
    }

    def naturaltimes(at) -> dict:
        time_machine.move_to(at, tick=False)
        with translation.override(language):
            texts = {label: str(naturaltime(c.created_at)) for label, c in comments.items()}
        time_machine.move_to(moment, tick=False)
        return texts

    expected, expected_later = naturaltimes(moment), naturaltimes(moment + LATER)
    if language == "bg":
        assert (
            expected["minutes"] == "преди 59\xa0минути" and expected["a day and hours"] == "преди 1\xa0ден, 3\xa0часа"
        )
    assert sum(expected[label] != expected_later[label] for label in AGES) > len(AGES) // 2

    def times(*, java_script: bool, clock) -> dict:
        context = browser.new_context(locale="bg-BG", timezone_id="Europe/Sofia", java_script_enabled=java_script)
        try:
            context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
            page = context.new_page()
            page.clock.set_fixed_time(clock)  # the page's clock (the server's stays at ``moment``)
            page.goto(live_server.url + article.get_absolute_url())
            expect(page.locator("html")).to_have_attribute("lang", language)
            return {label: page.locator(f"#comment-{c.pk} time").inner_text() for label, c in comments.items()}
        finally:
            context.close()

    # The server's words, and the script's at the same moment: the same, to the last non-breaking space.
    assert times(java_script=False, clock=moment) == expected
    assert times(java_script=True, clock=moment) == expected
    # A day later, without asking the server: the script counts as naturaltime would then.
    assert times(java_script=True, clock=moment + LATER) == expected_later
