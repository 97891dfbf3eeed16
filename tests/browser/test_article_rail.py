"""The rest of the article page in a real browser: the rail beside the article at 1280 px and below it at
375 px (nothing overflowing, nothing shifting), related thumbnails, author pages with photo and bio from the
newsroom to the reader, and page quality of both page types."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw
from playwright.sync_api import expect

from articles.models import ArticleViewCount, Author, Image
from articles.roles import EDITOR
from tests.browser.conftest import watch
from tests.browser.helpers import reader_article, serve_media, sign_in, staff_user
from tests.browser.quality import axe_violations, has_horizontal_scroll, nu_errors
from tests.factories import ArticleFactory, AuthorFactory, ImageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The layout shift of the page so far (CLS without session windows: every shift not caused by input).
LAYOUT_SHIFT = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
  }).observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve(total), 300);
})"""


def busy_article():
    """An article with related stories (with and without images), and other stories read and commented."""
    article, _related, _ = reader_article(threads=2)
    tag = article.tags.first()
    for i in range(3):
        ArticleFactory(
            title=f"Снимка към новина {i}",
            lead="Едно изречение за новината.",
            section=article.section,
            tags=[tag],
            with_image=True,
            published_at=timezone.now() - timedelta(hours=5 + i),
        )
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    for i in range(6):
        story = ArticleFactory(title=f"Четена и коментирана новина {i}", comment_count=20 - i)
        ArticleViewCount.objects.create(article=story, hour=hour, views=100 - i)
    return article


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_rail_sits_beside_the_article_on_desktop_and_below_it_on_a_phone(browser, live_server, javascript):
    article = busy_article()
    context = browser.new_context(locale="bg-BG", timezone_id="Europe/Sofia", java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    serve_media(context, live_server)
    page = watch(context.new_page())
    url = live_server.url + article.get_absolute_url()

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
    expect(page.locator(".most-read")).to_contain_text("Най-четени")
    expect(page.locator(".most-read")).to_contain_text("Най-коментирани")
    main, rail = box(page, ".with-rail__main"), box(page, ".with-rail > .most-read")
    assert rail["x"] >= main["x"] + main["width"], (main, rail)  # to the right
    assert abs(rail["y"] - main["y"]) < 5  # level with the top of the article
    assert rail["width"] >= 250
    assert article.title not in page.locator(".most-read").inner_text()

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(url)
    article_box, related, rail = box(page, "article.article"), box(page, ".related"), box(page, ".most-read")
    comments = box(page, "#comments")
    assert article_box["y"] + article_box["height"] <= related["y"] <= rail["y"] < comments["y"]
    assert abs(rail["x"] - article_box["x"]) < 2 and rail["width"] <= 375
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.locator(".related").scroll_into_view_if_needed()
    thumbs = page.locator("img.related__thumb")
    expect(thumbs).to_have_count(3)
    for i in range(3):  # loaded (lazily) and drawn in the box their width and height reserved
        expect(thumbs.nth(i)).to_have_js_property("complete", True)
        assert thumbs.nth(i).evaluate("img => img.naturalWidth") > 0
    expect(page.locator(".related__thumb--empty")).to_have_count(2)
    if javascript:
        assert page.evaluate(LAYOUT_SHIFT) < 0.01
    assert page.problems == []
    context.close()


def portrait(tmp_path):
    """A portrait-shaped photo drawn with Pillow."""
    path = tmp_path / "portret.jpg"
    image = PILImage.new("RGB", (900, 900), (60, 80, 120))
    draw = ImageDraw.Draw(image)
    draw.ellipse((300, 180, 600, 520), fill=(230, 190, 160))
    draw.ellipse((180, 560, 720, 1100), fill=(30, 30, 40))
    image.save(path, "JPEG", quality=85)
    return path


def test_an_editor_gives_an_author_a_photo_and_bio_and_readers_see_them(page, context, browser, live_server, tmp_path):
    author = AuthorFactory(name="Радостина Колева", slug="radostina-koleva")
    ArticleFactory(title="Общината реши спора за паркирането", authors=[author], with_image=True)
    editor = staff_user(EDITOR)
    serve_media(context, live_server)
    sign_in(page, live_server, editor, reverse("admin:articles_author_change", args=[author.pk]))

    with page.expect_popup() as opened:
        page.locator("#add_id_photo").click()
    popup = watch(opened.value)
    popup.get_by_label("Файл").set_input_files(portrait(tmp_path))
    popup.get_by_label("Надпис").fill("Радостина Колева")
    popup.get_by_label("Автор на снимката").fill("Вестник")
    popup.get_by_label("Алтернативен текст").fill("Портрет на Радостина Колева")
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Запази", exact=True).click()
    assert popup.problems == []
    image = Image.objects.get(caption="Радостина Колева")
    expect(page.locator("#id_photo")).to_have_value(str(image.pk))
    page.get_by_label("Биография").fill("Репортер в рубрика „София“. Пише за градския транспорт.")
    page.get_by_role("button", name="Запиши и продължи").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator(".field-photo_preview img")).to_have_attribute("alt", "Радостина Колева")
    assert Author.objects.get(pk=author.pk).photo_id == image.pk
    assert page.problems == []

    reader_context = browser.new_context(locale="bg-BG", timezone_id="Europe/Sofia")
    serve_media(reader_context, live_server)
    reader = watch(reader_context.new_page())
    for width in (375, 1280):
        reader.set_viewport_size({"width": width, "height": 800})
        reader.goto(live_server.url + author.get_absolute_url())
        expect(reader.get_by_role("heading", level=1)).to_have_text("Радостина Колева")
        photo = reader.get_by_role("img", name="Радостина Колева")
        expect(photo).to_be_visible()
        assert photo.evaluate("img => img.complete && img.naturalWidth > 0")
        assert "webp" in photo.evaluate("img => img.currentSrc")
        expect(reader.locator(".author-header__bio")).to_have_text(
            "Репортер в рубрика „София“. Пише за градския транспорт."
        )
        expect(reader.get_by_role("link", name="Общината реши спора за паркирането")).to_be_visible()
        assert not has_horizontal_scroll(reader)
    # The byline on the article page carries the photo too, and leads back to the author.
    reader.get_by_role("link", name="Общината реши спора за паркирането").click()
    expect(reader.locator(".byline__photo")).to_be_visible()
    reader.locator(".byline__author").click()
    expect(reader).to_have_url(live_server.url + author.get_absolute_url())
    assert reader.problems == []
    reader_context.close()


def test_author_page_and_article_with_rail_and_thumbnails_pass_the_quality_checks(
    live_server, page, axe_page, axe_script, vnu_jar, artifacts_dir
):
    article = busy_article()
    author = article.authors.get()
    author.photo = ImageFactory(alt_text="")
    author.bio = "Репортер; пише за природата и Черноморието."
    author.save()
    pages = {"article-rail": article.get_absolute_url(), "author-photo": author.get_absolute_url()}
    serve_media(page.context, live_server)
    serve_media(axe_page.context, live_server)
    html_dir = artifacts_dir.parent / "html"
    html_dir.mkdir(exist_ok=True)
    problems = []
    for name, url in pages.items():
        page.set_viewport_size({"width": 375, "height": 800})
        response = page.goto(live_server.url + url)
        assert response.status == 200
        (html_dir / f"{name}.html").write_bytes(response.body())
        if has_horizontal_scroll(page):
            problems.append(f"{name}: horizontal scroll at 375 px")
        page.screenshot(path=str(artifacts_dir / f"{name}-375.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 800})
        page.screenshot(path=str(artifacts_dir / f"{name}-1280.png"), full_page=True)
        axe_page.goto(live_server.url + url)
        problems += [f"{name}: axe {v}" for v in axe_violations(axe_page, axe_script)]
    for file, errors in nu_errors(vnu_jar, [html_dir / f"{name}.html" for name in pages]).items():
        problems += [f"{file}: nu {e}" for e in errors]
    problems += [f"csp/js: {p}" for p in page.problems]
    assert problems == [], "\n".join(problems)
