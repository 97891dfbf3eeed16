"""A reader's journey, with JavaScript and without: home → section → article → the discussion."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from comments.models import Comment, Report, Vote
from tests.browser.helpers import SOURCE_URL, expected_dateline, reader_article, serve_media

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_COMMENT = "Браво на доброволците от Бургас!\nДано и догодина ги посрещнем."
LIKE = re.compile(r"^Харесвам \d+$")
REPLY = "Съгласен съм с вас, гледах ги вчера."


@pytest.fixture
def small_pages(settings):
    """Three threads a page, so that a handful of comments makes a second page."""
    settings.COMMENTS_THREADS_PER_PAGE = 3


def reaches_the_article(page, live_server, article, related):
    """Home → the section in the navigation → the headline; checks everything a reader sees around the text."""
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Раздели").get_by_role("link", name="България").click()
    expect(page).to_have_url(live_server.url + article.section.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text("България")
    page.get_by_role("link", name=article.title).first.click()
    expect(page).to_have_url(live_server.url + article.get_absolute_url())

    expect(page.get_by_role("heading", level=1)).to_have_text(article.title)
    expect(page.locator(".article__date")).to_have_text(expected_dateline(article.published_at))
    image = page.locator(".article__figure img")
    expect(image).to_have_attribute("alt", article.lead_image.alt_text)
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0"), "the lead image did not load"
    expect(page.locator(".article__figure figcaption")).to_contain_text("Снимка: БГНЕС")
    attribution = page.locator(".article__attribution")
    expect(attribution).to_contain_text("предаде БТА")
    expect(attribution.get_by_role("link", name="предаде БТА")).to_have_attribute("href", SOURCE_URL)
    expect(page.locator(".article__authors")).to_contain_text("Мария Иванова")
    tags = page.get_by_role("list", name="Етикети")
    expect(tags.get_by_role("link")).to_have_text(["Бургас", "птици"])
    expect(page.locator(".share")).to_contain_text("Сподели:")
    expect(page.locator(".share__link")).to_have_count(7)
    related_box = page.get_by_role("region", name="Свързани статии")
    expect(related_box.get_by_role("link")).to_have_text([r.title for r in related])


def thread_authors(page) -> list[str]:
    return page.locator(".comments__thread .comment__author").all_inner_texts()


def sorts_and_follows_a_permalink(page, live_server, article, first):
    """Най-стари / Най-добри / Най-нови, then a shared link to a comment on page 2 of the discussion."""
    sort = page.get_by_role("navigation", name="Подреждане на коментарите")
    sort.get_by_role("link", name="Най-стари").click()
    expect(page).to_have_url(re.compile(r"sort=oldest"))
    expect(sort.get_by_role("link", name="Най-стари")).to_have_attribute("aria-current", "true")
    expect(page.locator(".comments__thread .comment").first).to_have_id(f"comment-{first.pk}")

    sort.get_by_role("link", name="Най-добри").click()
    expect(page).to_have_url(re.compile(r"sort=best"))
    liked = Vote.objects.get().comment
    expect(page.locator(".comments__thread .comment").first).to_have_id(f"comment-{liked.pk}")

    sort.get_by_role("link", name="Най-нови").click()
    expect(sort.get_by_role("link", name="Най-нови")).to_have_attribute("aria-current", "true")
    newest = Comment.objects.filter(article=article, parent=None).latest("pk")
    expect(page.locator(".comments__thread .comment").first).to_have_id(f"comment-{newest.pk}")
    expect(page.get_by_role("navigation", name="Страници с коментари")).to_contain_text("Страница 1 от 2")

    # The oldest thread is on page 2 in the default (newest first) order; its permalink opens that page.
    page.goto(live_server.url + reverse("comments:permalink", kwargs={"pk": first.pk}))
    expect(page).to_have_url(re.compile(rf"cpage=2#comment-{first.pk}$"))
    target = page.locator(f"#comment-{first.pk}")
    expect(target).to_be_in_viewport()
    expect(target).to_contain_text(first.body)
    expect(page.get_by_role("navigation", name="Страници с коментари")).to_contain_text("Страница 2 от 2")


def test_a_reader_with_javascript_reads_and_joins_the_discussion(page, context, live_server, small_pages):
    article, related, comments = reader_article()
    serve_media(context, live_server)
    reaches_the_article(page, live_server, article, related)
    count = page.locator("[data-comment-count]")
    expect(count).to_have_text("4")

    # Posts a comment: it appears at the top (newest first) without a reload, and the count goes up.
    page.evaluate("() => { window.__samePage = true; }")
    form = page.locator("[data-comment-form]")
    form.get_by_label("Име", exact=True).fill("Гергана")
    form.get_by_label("Коментар", exact=True).fill(NEW_COMMENT)
    form.get_by_role("button", name="Публикувай").click()
    expect(page.locator("[data-comments-status]")).to_have_text("Коментарът ви е публикуван.")
    posted = Comment.objects.get(author_name="Гергана")
    new = page.locator(f"#comment-{posted.pk}")
    expect(new).to_contain_text("Браво на доброволците от Бургас!")
    expect(new.locator(".comment__body")).to_contain_text("Дано и догодина ги посрещнем.")
    expect(page.locator(".comments__thread .comment").first).to_have_id(f"comment-{posted.pk}")
    expect(count).to_have_text("5")
    expect(form.get_by_label("Коментар", exact=True)).to_have_value("")
    # Her edit and delete links come with it, as they do after the post without JavaScript.
    expect(page.locator(f"#comment-{posted.pk} + .comment-own")).to_contain_text("Редактирай")
    assert page.evaluate("() => window.__samePage") is True, "posting reloaded the page"

    # Replies to another reader: the form opens under that comment, the reply lands right after it.
    parent = comments[3]
    page.locator(f"#comment-{parent.pk}").get_by_role("link", name="Отговори").click()
    expect(form).to_contain_text(f"В отговор на {parent.author_name}")
    expect(form.get_by_label("Коментар", exact=True)).to_be_focused()
    form.get_by_label("Име", exact=True).fill("Гергана")
    form.get_by_label("Коментар", exact=True).fill(REPLY)
    form.get_by_role("button", name="Публикувай").click()
    reply = page.locator(f"#comment-{parent.pk} + .comment")
    expect(reply).to_contain_text(REPLY)
    expect(reply).to_contain_text(f"в отговор на {parent.author_name}")
    expect(count).to_have_text("6")
    assert Comment.objects.get(body=REPLY).parent_id == parent.pk

    # Likes one.
    liked = comments[2]
    like = page.locator(f"#comment-{liked.pk}").get_by_role("button", name=LIKE)
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like.locator("[data-likes]")).to_have_text("1")
    assert Vote.objects.get().comment_id == liked.pk

    # Reports one, choosing a reason.
    reported = comments[3]
    box = page.locator(f"#comment-{reported.pk}")
    box.get_by_role("link", name="Сигнализирай").click()
    box.get_by_label("Обида или тормоз").check()
    box.get_by_role("button", name="Изпрати сигнала").click()
    expect(page.locator("[data-comments-status]")).to_have_text("Благодарим! Модераторите ще прегледат коментара.")
    expect(box.locator("[data-report-form]")).to_have_count(0)
    assert Report.objects.get().comment_id == reported.pk
    assert page.evaluate("() => window.__samePage") is True, "an action reloaded the page"

    sorts_and_follows_a_permalink(page, live_server, article, comments[0])
    assert page.problems == []


def test_a_reader_without_javascript_reads_and_joins_the_discussion(nojs_page, live_server, small_pages):
    page = nojs_page
    article, related, comments = reader_article()
    serve_media(page.context, live_server)
    reaches_the_article(page, live_server, article, related)

    # Posts a comment: a plain form post. The page every reader shares carries no CSRF token (docs/caching.md),
    # so the first send comes back once with what she typed and a token; the second goes through, back to the
    # article at the new comment.
    form = page.locator("[data-comment-form]")
    form.get_by_label("Име", exact=True).fill("Гергана")
    form.get_by_label("Коментар", exact=True).fill(NEW_COMMENT)
    form.get_by_role("button", name="Публикувай").click()
    expect(page.get_by_role("alert")).to_contain_text("Моля, изпратете го отново")
    form = page.locator("[data-comment-form]")
    expect(form.get_by_label("Коментар", exact=True)).to_have_value(NEW_COMMENT)
    assert not Comment.objects.filter(author_name="Гергана").exists()
    form.get_by_role("button", name="Публикувай").click()
    posted = Comment.objects.get(author_name="Гергана")
    expect(page).to_have_url(re.compile(rf"#comment-{posted.pk}$"))
    expect(page.get_by_role("status").filter(has_text="Коментарът ви е публикуван.")).to_be_visible()
    expect(page.locator(f"#comment-{posted.pk} .comment__body")).to_contain_text("Дано и догодина ги посрещнем.")
    expect(page.locator("[data-comment-count]")).to_have_text("5")

    # Replies: the reply link opens a page with the comment and the form.
    parent = comments[3]
    page.locator(f"#comment-{parent.pk}").get_by_role("link", name="Отговори").click()
    expect(page).to_have_url(live_server.url + reverse("comments:reply", kwargs={"pk": parent.pk}))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Отговор на {parent.author_name}")
    page.get_by_label("Име", exact=True).fill("Гергана")
    page.get_by_label("Коментар", exact=True).fill(REPLY)
    page.get_by_role("button", name="Изпрати отговора").click()
    reply = Comment.objects.get(body=REPLY)
    assert reply.parent_id == parent.pk
    expect(page).to_have_url(re.compile(rf"#comment-{reply.pk}$"))
    expect(page.locator(f"#comment-{reply.pk}")).to_contain_text(f"в отговор на {parent.author_name}")

    # Likes one: the button submits the shared actions form.
    liked = comments[2]
    page.locator(f"#comment-{liked.pk}").get_by_role("button", name=LIKE).click()
    expect(page).to_have_url(re.compile(rf"#comment-{liked.pk}$"))
    expect(page.get_by_role("status").filter(has_text="Благодарим за гласа!")).to_be_visible()
    expect(page.locator(f"#comment-{liked.pk} [data-likes]")).to_have_text("1")
    assert Vote.objects.get().comment_id == liked.pk

    # Reports one on the report page, choosing a reason.
    reported = comments[3]
    page.locator(f"#comment-{reported.pk}").get_by_role("link", name="Сигнализирай").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Сигнал за коментар")
    page.get_by_label("Обида или тормоз").check()
    page.get_by_role("button", name="Изпрати сигнала").click()
    expect(page.get_by_role("status").filter(has_text="Модераторите ще прегледат коментара")).to_be_visible()
    assert Report.objects.get().comment_id == reported.pk

    sorts_and_follows_a_permalink(page, live_server, article, comments[0])

    # Having commented, the reader is still served cached pages: no session was started, and the cookie
    # with their edit links goes to this article's page only.
    assert not [c for c in page.context.cookies() if "sessionid" in c["name"]]
    page.goto(live_server.url + "/")
    assert page.goto(live_server.url + "/").headers["x-page-cache"] == "hit"
    assert page.goto(live_server.url + article.get_absolute_url()).headers["x-page-cache"] == "bypass"
    expect(page.locator(f"#comment-{posted.pk} + .comment-own")).to_contain_text("Редактирай")
    assert page.problems == []
