"""Live updates and corrections in a real browser (docs/live-and-corrections.md): an editor adds updates in the
newsroom while a reader's page shows them arrive without reloading; readers without JavaScript see them after a
reload at 375 and 1280 px; a correction added in the newsroom closes the article and lists on /korekcii/; both
page types pass the page-quality checks."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import ArticleNote, LiveUpdate
from articles.roles import EDITOR
from tests.browser.conftest import watch
from tests.browser.helpers import serve_media, sign_in, staff_user
from tests.browser.quality import axe_results, has_horizontal_scroll, nu_results, start_nu
from tests.browser.test_page_quality import choose_language
from tests.factories import ArticleFactory, ArticleNoteFactory, AuthorFactory, ImageFactory, LiveUpdateFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Бурята по Черноморието: пътища, пристанища и ток"
NEW_UPDATES = [
    "Пристанище Варна спира приема на кораби.",
    "Без ток са 14 села в община Аксаково.",
    "Пътят Варна — Бургас е отворен отново.",
]


@pytest.fixture
def fast_polling(settings):
    settings.LIVE_POLL_SECONDS = 1


@pytest.fixture
def reader(browser, live_server):
    """An anonymous reader with JavaScript, beside the signed-in editor, in a context of its own."""
    context = browser.new_context(locale="bg-BG", timezone_id="Europe/Sofia")
    context.set_default_timeout(10_000)
    serve_media(context, live_server)
    page = watch(context.new_page())
    yield page
    context.close()


def live_story():
    article = ArticleFactory(
        title=TITLE, is_live=True, with_image=True, published_at=timezone.now() - timedelta(hours=2)
    )
    LiveUpdateFactory(
        article=article,
        published_at=timezone.now() - timedelta(minutes=30),
        body="<p>Оранжев код за силен вятър във Варна и Бургас.</p>",
        image=ImageFactory(caption="Вълни край Варна", alt_text="Високи вълни на плажа"),
        author=AuthorFactory(name="Ралица Дончева"),
    )
    return article


def add_update(page, text: str) -> None:
    """Type the update into the empty update form's editor (the last one) and save, staying on the form."""
    form = page.locator(".live-updates-inline .inline-related:not(.empty-form)").last
    form.locator("div.tiptap.ProseMirror").click()
    page.keyboard.type(text)
    page.get_by_role("button", name="Запиши и продължи").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator(".errornote")).to_have_count(0)


def test_an_editor_adds_three_updates_and_the_readers_page_shows_them_without_reloading(
    page, context, reader, live_server, fast_polling
):
    article = live_story()
    serve_media(context, live_server)
    reader.goto(live_server.url + article.get_absolute_url())
    expect(reader.locator(".article__header .live-badge")).to_have_text("На живо")
    expect(reader.locator(".live-update")).to_have_count(1)
    reader.evaluate("() => { window.stillTheSamePage = true; }")

    sign_in(page, live_server, staff_user(EDITOR), reverse("admin:articles_article_change", args=[article.pk]))
    expect(page.get_by_role("heading", name=re.compile("Обновявания на живо"))).to_be_visible()
    for number, text in enumerate(NEW_UPDATES, start=1):
        add_update(page, text)
        expect(reader.locator(".live-update").first).to_contain_text(text)
        expect(reader.locator(".live-update")).to_have_count(1 + number)
        expect(reader.locator("[data-live-status]")).to_have_text("1 ново обновяване")
    assert page.problems == []

    # Newest first, each with its permalink and a copy button, and the page never reloaded.
    expect(reader.locator(".live-update__body")).to_have_text([*NEW_UPDATES[::-1], re.compile("Оранжев код")])
    newest = LiveUpdate.objects.filter(article=article).latest("pk")
    link = reader.locator(".live-update").first.locator(".live-update__time")
    expect(link).to_have_attribute("href", f"{article.get_absolute_url()}#update-{newest.pk}")
    assert reader.evaluate("() => window.stillTheSamePage") is True
    assert reader.problems == []
    assert all(u.published_at <= timezone.now() for u in LiveUpdate.objects.all())
    assert "обновяване на живо" in LogEntry.objects.filter(object_id=str(article.pk)).latest("pk").get_change_message()

    # A hidden tab does not ask; shown again, it asks at once and gets what was added meanwhile.
    polls = []
    reader.on("request", lambda request: polls.append(request.url) if "/updates/" in request.url else None)
    reader.evaluate(
        """() => { Object.defineProperty(document, "hidden", {configurable: true, get: () => true});
                   document.dispatchEvent(new Event("visibilitychange")); }"""
    )
    reader.wait_for_timeout(300)
    polls.clear()
    LiveUpdateFactory(article=article, body="<p>Докато разделът беше скрит.</p>")
    reader.wait_for_timeout(2500)
    assert polls == []
    reader.evaluate(
        """() => { Object.defineProperty(document, "hidden", {configurable: true, get: () => false});
                   document.dispatchEvent(new Event("visibilitychange")); }"""
    )
    expect(reader.locator(".live-update").first).to_contain_text("Докато разделът беше скрит.")

    # The story ends: the reader's page stops asking.
    article.is_live = False
    article.save()
    reader.wait_for_timeout(2500)
    polls.clear()
    reader.wait_for_timeout(2500)
    assert polls == []


@pytest.mark.parametrize("width", [375, 1280])
def test_a_reader_without_javascript_sees_new_updates_after_a_reload(nojs_page, live_server, width):
    page = nojs_page
    serve_media(page.context, live_server)
    page.set_viewport_size({"width": width, "height": 900})
    article = live_story()
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator(".live-update")).to_have_count(1)
    expect(page.locator(".live-update img")).to_have_attribute("alt", "Високи вълни на плажа")
    for text in NEW_UPDATES:
        LiveUpdateFactory(article=article, body=f"<p>{text}</p>")
    page.reload()
    expect(page.locator(".live-update__body")).to_have_text([*NEW_UPDATES[::-1], re.compile("Оранжев код")])
    expect(page.locator(".live-update__copy")).to_have_count(0)  # a JavaScript-only control
    assert not has_horizontal_scroll(page)
    # The permalink works without JavaScript: the update is the page's target.
    page.locator(".live-update__time").nth(1).click()
    second = LiveUpdate.objects.filter(article=article).order_by("-published_at", "-pk")[1]
    expect(page).to_have_url(f"{live_server.url}{article.get_absolute_url()}#update-{second.pk}")
    assert page.evaluate("() => document.querySelector(':target').id") == f"update-{second.pk}"
    assert page.problems == []


def test_an_editor_adds_a_correction_and_readers_find_it_on_the_article_and_the_corrections_page(
    page, context, nojs_page, live_server
):
    article = ArticleFactory(title="Парламентът прие бюджета", with_image=True)
    ArticleNoteFactory(text="По-стара поправка на друга статия.", published_at=timezone.now() - timedelta(days=1))
    serve_media(context, live_server)
    sign_in(page, live_server, staff_user(EDITOR), reverse("admin:articles_article_change", args=[article.pk]))
    notes = page.locator("#notes-group")
    notes.get_by_role("button", name=re.compile("Добави друг запис за корекция", re.IGNORECASE)).click()
    form = notes.locator(".inline-related:not(.empty-form)").last
    form.get_by_label("Вид").select_option(label="Корекция")
    form.get_by_label("Текст").fill("Вярната дата на гласуването е 12 декември.")
    page.get_by_role("button", name="Запиши и продължи").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert ArticleNote.objects.filter(article=article, kind="correction").exists()
    assert page.problems == []

    reader = nojs_page
    for width in (375, 1280):
        reader.set_viewport_size({"width": width, "height": 900})
        reader.goto(live_server.url + article.get_absolute_url())
        notes_box = reader.get_by_role("region", name="Корекции и актуализации")
        expect(notes_box.locator("h3")).to_contain_text("Корекция")
        expect(notes_box).to_contain_text("Вярната дата на гласуването е 12 декември.")
        reader.locator(".site-footer").get_by_role("link", name="Корекции").click()
        expect(reader).to_have_url(live_server.url + "/korekcii/")
        expect(reader.get_by_role("heading", level=1)).to_have_text("Корекции и актуализации")
        items = reader.locator(".corrections__item")
        expect(items).to_have_count(2)
        expect(items.first).to_contain_text("Вярната дата на гласуването е 12 декември.")
        assert not has_horizontal_scroll(reader)
        items.first.get_by_role("link", name=article.title).click()
        expect(reader).to_have_url(live_server.url + article.get_absolute_url())
    assert reader.problems == []


def test_the_live_article_and_the_corrections_page_are_valid_accessible_and_fit(
    live_server, page, axe_page, axe_script, vnu_jar, artifacts_dir
):
    article = live_story()
    for text in NEW_UPDATES:
        LiveUpdateFactory(article=article, body=f"<p>{text}</p>", author=AuthorFactory())
    ArticleNoteFactory(article=article, text="Поправено е името на селото.")
    ArticleNoteFactory(kind="update", text="Добавена е позицията на областния управител.")
    pages = {"live-article": article.get_absolute_url(), "corrections": reverse("articles:corrections")}
    html_dir = artifacts_dir.parent / "html"
    html_dir.mkdir(exist_ok=True)
    serve_media(page.context, live_server)
    serve_media(axe_page.context, live_server)
    problems, files = [], []
    for frame in ("bg", "en"):  # the reader's choice of language frames the newsroom's Bulgarian
        choose_language(page, live_server, frame)
        choose_language(axe_page, live_server, frame)
        for name, url in pages.items():
            key = f"live-{frame}-{name}"
            page.set_viewport_size({"width": 375, "height": 800})
            response = page.goto(live_server.url + url)
            assert response.status == 200
            assert page.locator("html").get_attribute("lang") == frame
            files.append(html_dir / f"{key}.html")
            files[-1].write_bytes(response.body())
            if has_horizontal_scroll(page):
                problems.append(f"{key}: horizontal scroll at 375 px")
            page.screenshot(path=str(artifacts_dir / f"{key}-375.png"), full_page=True)
            page.set_viewport_size({"width": 1280, "height": 800})
            page.screenshot(path=str(artifacts_dir / f"{key}-1280.png"), full_page=True)
            axe_page.goto(live_server.url + url)
            problems += [
                f"{key}: axe {text}"
                for impact, text in axe_results(axe_page, axe_script)
                if impact in ("serious", "critical")
            ]
    checker = start_nu(vnu_jar, files)
    problems += [f"{file}: nu {error}" for file, errors in nu_results(checker).items() for error in errors]
    problems += [f"csp/js: {p}" for p in page.problems]
    assert problems == [], "\n".join(problems)
