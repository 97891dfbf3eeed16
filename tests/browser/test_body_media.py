"""Pictures in the text, galleries and embeds in a real browser: the editor places them in the newsroom, the reader
sees them at 375 and 1280 px with JavaScript on (a keyboard-usable gallery, a video that loads on request only)
and off (a list of figures, a link to the video); the article page passes the page-quality checks."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import Article, BodyImage, GalleryImage, Image, Status
from articles.roles import EDITOR
from tests.browser.conftest import watch
from tests.browser.helpers import serve_media, sign_in, staff_user
from tests.browser.quality import axe_violations, has_horizontal_scroll, nu_errors
from tests.browser.test_newsroom import choose, photo
from tests.factories import ArticleFactory, ImageFactory, SectionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YT = "M7lc1UVf-VE"
YT_URL = f"https://www.youtube.com/watch?v={YT}"
WIDTHS = (375, 1280)
THIRD_PARTY = re.compile(r"youtube|ytimg|googlevideo|doubleclick|google\.com")


def library():
    """Three described pictures in the image library."""
    return [
        ImageFactory(caption=caption, credit="БТА", alt_text=alt)
        for caption, alt in (
            ("Мостът при Видин", "Стоманен мост над широка река"),
            ("Кейът в Русе", "Кей с лодки на Дунав"),
            ("Пристанището в Лом", "Кранове на речно пристанище"),
        )
    ]


def choose_in_row(page, group: str, row: int, text: str) -> None:
    """Pick ``text`` in the image autocomplete of an inline row, as an editor does."""
    page.locator(f"#{group}-{row} .field-image .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=re.compile(f"^{re.escape(text)}$")).click()


def add_row(page, group: str) -> None:
    page.locator(f"#{group}-group .add-row a").click()


def test_an_editor_places_pictures_a_gallery_and_a_video_and_publishes(
    page, context, live_server, tmp_path, artifacts_dir
):
    SectionFactory(name="Регионални")
    bridge, quay, port = library()
    serve_media(context, live_server)
    sign_in(page, live_server, staff_user(EDITOR), reverse("admin:articles_article_add"))

    page.get_by_label("Заглавие").fill("Дунавските пристанища се готвят за сезона")
    page.get_by_label("Резюме").fill("Три града обновяват кейовете си.")
    editor = page.locator("div.tiptap.ProseMirror")
    editor.click()
    page.keyboard.type("Видин, Русе и Лом обновяват кейовете си преди сезона.")
    page.keyboard.press("Enter")
    page.keyboard.type("Работите ще приключат през май.")
    page.keyboard.press("Enter")
    page.keyboard.type(YT_URL)
    page.keyboard.press("Enter")
    page.keyboard.type("Кметовете представиха плановете си във видео.")
    choose(page, "section", "Регионални")
    choose(page, "lead_image", "Мостът при Видин")

    # Pictures in the text: one from the library, one uploaded with “+” from its row.
    add_row(page, "body_images")
    choose_in_row(page, "body_images", 0, "Кейът в Русе")
    page.locator("#id_body_images-0-after_paragraph").fill("1")
    page.locator("#id_body_images-0-caption").fill("Кейът в Русе след ремонта")
    add_row(page, "body_images")
    with page.expect_popup() as opened:
        page.locator("#add_id_body_images-1-image").click()
    popup = watch(opened.value)
    popup.get_by_label("Файл").set_input_files(photo(tmp_path))
    popup.get_by_label("Надпис").fill("Новият кран в Лом")
    popup.get_by_label("Автор на снимката").fill("Вестник")
    popup.get_by_label("Алтернативен текст").fill("Жълт кран над кей")
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Запази", exact=True).click()
    uploaded = Image.objects.get(caption="Новият кран в Лом")
    expect(page.locator("#id_body_images-1-image")).to_have_value(str(uploaded.pk))
    page.locator("#id_body_images-1-after_paragraph").fill("2")

    # The gallery, in the order the positions give.
    for row, (caption, position) in enumerate((("Пристанището в Лом", "2"), ("Мостът при Видин", "1"))):
        add_row(page, "gallery_images")
        choose_in_row(page, "gallery_images", row, caption)
        page.locator(f"#id_gallery_images-{row}-position").fill(position)

    page.get_by_label("Статус").select_option(label="Публикувана")
    page.screenshot(path=str(artifacts_dir / "body-media-admin.png"), full_page=True)
    assert not has_horizontal_scroll(page)  # the rows fit the newsroom's form
    page.get_by_role("button", name="Запиши и продължи").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator(".errornote")).to_have_count(0)
    assert page.problems == [] and popup.problems == []

    article = Article.objects.get()
    assert article.status == Status.PUBLISHED and article.lead_image == bridge
    assert YT_URL in article.body
    assert [(p.image, p.after_paragraph) for p in article.body_images.all()] == [(quay, 1), (uploaded, 2)]
    assert [g.image for g in article.gallery_images.all()] == [bridge, port]

    page.goto(live_server.url + article.get_absolute_url())
    body = page.locator(".article__body")
    expect(body.locator("figure.article__figure--inline")).to_have_count(2)
    expect(body.locator("figure.embed")).to_have_count(1)
    expect(page.locator(".gallery__position")).to_have_text("1 от 2")
    assert page.problems == []


@pytest.fixture
def story():
    """A published story: four paragraphs with a YouTube address among them, two pictures in the text, a gallery
    of four."""
    pictures = [*library(), ImageFactory(caption="Фарът", alt_text="Бял фар на вълнолом")]
    article = ArticleFactory(
        title="Дунавските пристанища се готвят за сезона",
        with_image=True,
        body=(
            "<p>Видин, Русе и Лом обновяват кейовете си.</p><p>Работите ще приключат през май.</p>"
            f'<p><a href="{YT_URL}">{YT_URL}</a></p><p>Кметовете представиха плановете си.</p>'
        ),
    )
    BodyImage.objects.create(article=article, image=pictures[0], after_paragraph=1)
    BodyImage.objects.create(article=article, image=pictures[1], after_paragraph=4, caption="Кейът в Русе")
    for position, image in enumerate(pictures):
        GalleryImage.objects.create(article=article, image=image, position=position)
    return article


def open_story(page, context, live_server, story, width):
    """The story at ``width``, with every request the page makes recorded on ``page.requests``."""
    serve_media(context, live_server)
    # No network to the platform in tests: its frame is answered here (the request is still seen).
    context.route(
        re.compile(r"https://www\.youtube-nocookie\.com/.*"), lambda route: route.fulfill(body="<p>видео</p>")
    )
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + story.get_absolute_url())


@pytest.mark.parametrize("width", WIDTHS)
def test_the_reader_meets_pictures_a_keyboard_gallery_and_a_video_loaded_on_request(
    page, context, live_server, story, width, artifacts_dir
):
    open_story(page, context, live_server, story, width)
    figures = page.locator(".article__body figure.article__figure--inline")
    expect(figures).to_have_count(2)
    for n in range(2):
        figures.nth(n).scroll_into_view_if_needed()
        expect(figures.nth(n).locator("img")).to_have_js_property("complete", True)
        assert figures.nth(n).locator("img").evaluate("img => img.naturalWidth > 0")
    expect(figures.nth(1)).to_contain_text("Кейът в Русе")

    # The gallery: one picture at a time, buttons and arrow keys, the position read out.
    gallery = page.locator("section.gallery")
    position = gallery.locator(".gallery__position")
    expect(position).to_have_text("1 от 4")
    expect(position).to_have_attribute("aria-live", "polite")
    expect(gallery.locator(".gallery__item:visible")).to_have_count(1)
    gallery.get_by_role("button", name="Следваща снимка").click()
    expect(position).to_have_text("2 от 4")
    expect(gallery.locator(".gallery__item:visible img")).to_have_attribute("alt", "Кей с лодки на Дунав")
    page.keyboard.press("ArrowRight")
    expect(position).to_have_text("3 от 4")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(position).to_have_text("4 от 4")  # wraps round
    assert page.evaluate("document.activeElement.textContent") == "Предишна снимка"  # focus stays in the viewer
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(position).to_have_text("1 от 4")
    page.screenshot(path=str(artifacts_dir / f"body-media-js-{width}.png"), full_page=True)

    # The video: nothing from the platform until the reader asks.
    embed = page.locator("figure.embed")
    embed.scroll_into_view_if_needed()
    expect(embed.locator("iframe")).to_have_count(0)
    assert [url for url in page.requests if THIRD_PARTY.search(url)] == []
    embed.get_by_role("button", name="Покажи видеото от YouTube").click()
    frame = embed.locator("iframe")
    expect(frame).to_have_attribute("src", f"https://www.youtube-nocookie.com/embed/{YT}")
    expect(frame).to_have_attribute("title", "Видео от YouTube")
    expect(frame).to_have_attribute("loading", "lazy")
    assert "allow-scripts" in frame.get_attribute("sandbox") and "allow-top-navigation" not in frame.get_attribute(
        "sandbox"
    )
    assert page.evaluate("document.activeElement.tagName") == "IFRAME"
    page.wait_for_function(
        "() => performance.getEntriesByType('resource').some(e => e.name.includes('youtube-nocookie'))"
    )
    assert any("youtube-nocookie.com/embed/" in url for url in page.requests)
    assert not has_horizontal_scroll(page)
    assert page.problems == []  # no CSP violation: the page allows exactly this frame


@pytest.mark.parametrize("width", WIDTHS)
def test_without_javascript_the_gallery_is_a_list_of_figures_and_the_video_a_link(
    nojs_page, live_server, story, width, artifacts_dir
):
    page = nojs_page
    open_story(page, page.context, live_server, story, width)
    gallery = page.locator("section.gallery")
    expect(gallery.locator("figure")).to_have_count(4)
    for n in range(4):
        expect(gallery.locator("figure").nth(n)).to_be_visible()
    expect(gallery.locator(".gallery__controls")).to_be_hidden()
    expect(page.locator(".article__body figure.article__figure--inline")).to_have_count(2)
    embed = page.locator("figure.embed")
    expect(embed.get_by_role("button")).to_be_hidden()
    link = embed.get_by_role("link", name="Отвори в YouTube")
    expect(link).to_have_attribute("href", YT_URL)
    assert [url for url in page.requests if THIRD_PARTY.search(url)] == []
    assert not has_horizontal_scroll(page)
    page.screenshot(path=str(artifacts_dir / f"body-media-nojs-{width}.png"), full_page=True)
    assert page.problems == []


def test_the_article_page_with_pictures_gallery_and_video_passes_the_quality_checks(
    page, axe_page, live_server, story, axe_script, vnu_jar, artifacts_dir
):
    html_dir = artifacts_dir.parent / "html"
    html_dir.mkdir(exist_ok=True)
    open_story(page, page.context, live_server, story, 375)
    response = page.goto(live_server.url + story.get_absolute_url())
    (html_dir / "body-media.html").write_bytes(response.body())
    assert not has_horizontal_scroll(page)
    serve_media(axe_page.context, live_server)
    axe_page.goto(live_server.url + story.get_absolute_url())
    problems = axe_violations(axe_page, axe_script)
    # And once the reader has used the viewer and asked for the video.
    axe_page.locator("section.gallery").get_by_role("button", name="Следваща снимка").click()
    axe_page.route(re.compile(r"https://www\.youtube-nocookie\.com/.*"), lambda route: route.fulfill(body="<p>в</p>"))
    axe_page.get_by_role("button", name="Покажи видеото от YouTube").click()
    expect(axe_page.locator("figure.embed iframe")).to_have_count(1)
    problems += axe_violations(axe_page, axe_script)
    problems += [f"nu {e}" for errors in nu_errors(vnu_jar, [html_dir / "body-media.html"]).values() for e in errors]
    assert problems == [] and page.problems == [], "\n".join(problems + page.problems)
