"""A reader's mistakes and limits: an empty comment, a too-long one, a burst over the rate limit.

Each answer must be a clear Bulgarian message beside the form, with everything the reader typed kept.
"""

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "Петя Стоянова"
EMPTY = "Напишете коментара си."
RATE_LIMITED = "Коментирате твърде често. Моля, изчакайте минута и изпратете отново; текстът ви е запазен."


@pytest.fixture
def two_a_day(settings):
    # A day's window: a burst cannot straddle the window's edge the way it could a minute's.
    settings.COMMENTS_RATE_POST_IP = ["2/d"]


def fill_and_send(page, body: str, name: str = NAME):
    form = page.locator("[data-comment-form]")
    form.get_by_label("Име", exact=True).fill(name)
    form.get_by_label("Коментар", exact=True).fill(body)
    form.get_by_role("button", name="Публикувай").click()
    return form


def expect_kept(page, body: str):
    form = page.locator("[data-comment-form]")
    expect(form.get_by_label("Име", exact=True)).to_have_value(NAME)
    expect(form.get_by_label("Коментар", exact=True)).to_have_value(body)


def meets_every_error(page, live_server, *, with_js: bool):
    article = ArticleFactory(title="Цените на горивата падат")
    page.goto(live_server.url + article.get_absolute_url())
    form = page.locator("[data-comment-form]")

    # Empty: only spaces and line breaks (an empty box is stopped by the browser's own `required`).
    blank = "   \n  "
    fill_and_send(page, blank)
    expect(form.locator(".field__error")).to_have_text([EMPTY])
    expect_kept(page, blank)

    # Too long. The box's maxlength stops typing at the limit, but not every browser or input method honours
    # it; without it the server must answer clearly. With JavaScript the counter warns first.
    long_text = "Дълъг коментар за горивата. " * 80  # 2,240 characters
    form.get_by_label("Коментар", exact=True).evaluate("box => box.removeAttribute('maxlength')")
    form.get_by_label("Коментар", exact=True).fill(long_text)
    if with_js:
        expect(form.locator(".comment-form__counter")).to_have_text("С 240 знака повече от позволеното")
    form.get_by_role("button", name="Публикувай").click()
    expect(form.locator(".field__error")).to_have_text(
        [f"Коментарът е твърде дълъг: най-много 2000 знака (сега има {len(long_text)})."]
    )
    expect_kept(page, long_text)

    # A burst: two comments pass, the third is over the limit and keeps its text.
    for i in (1, 2):
        fill_and_send(page, f"Коментар номер {i} за горивата.")
        expect(page.locator(".comments__thread")).to_contain_text(f"Коментар номер {i} за горивата.")
    third = "Трети коментар, изпратен твърде бързо."
    fill_and_send(page, third)
    expect(form.get_by_role("alert")).to_have_text(RATE_LIMITED)
    expect_kept(page, third)
    assert Comment.objects.filter(article=article).count() == 2
    assert page.problems == []


def test_a_reader_with_javascript_gets_clear_errors_and_keeps_the_text(page, live_server, two_a_day):
    meets_every_error(page, live_server, with_js=True)


def test_a_reader_without_javascript_gets_clear_errors_and_keeps_the_text(nojs_page, live_server, two_a_day):
    meets_every_error(nojs_page, live_server, with_js=False)


def test_a_comment_the_counter_accepts_is_not_refused_as_too_long(page, live_server):
    article = ArticleFactory()
    page.goto(live_server.url + article.get_absolute_url())
    paragraph = "Абзац от дълъг, обмислен коментар. " * 10 + "\n"
    body = (paragraph * 6)[:2000]
    form = page.locator("[data-comment-form]")
    form.get_by_label("Име", exact=True).fill(NAME)
    form.get_by_label("Коментар", exact=True).fill(body)
    expect(form.locator(".comment-form__counter")).to_have_text("Остават 0 знака")
    form.get_by_role("button", name="Публикувай").click()
    expect(page.locator("[data-comments-status]")).to_have_text("Коментарът ви е публикуван.", timeout=3_000)
