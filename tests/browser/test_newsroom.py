"""The newsroom in a real browser: an editor writes, illustrates, previews, schedules and publishes a story;
an author cannot publish; a moderator approves a held comment. Every admin page is watched for CSP violations."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw
from playwright.sync_api import expect

from articles.models import Article, Image, Status
from articles.roles import AUTHOR, EDITOR, MODERATOR
from tests.browser.conftest import watch
from tests.browser.helpers import reader_article, serve_media, sign_in, staff_user
from tests.factories import ArticleFactory, CommentFactory, SectionFactory, SourceFactory, TagFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Дизелът поевтинява с 12 стотинки от понеделник"


@pytest.fixture
def reader(browser, live_server):
    """An anonymous reader beside the signed-in staff member, in a context of its own."""
    context = browser.new_context(locale="bg-BG", timezone_id="Europe/Sofia")
    context.set_default_timeout(10_000)
    serve_media(context, live_server)
    page = watch(context.new_page())
    yield page
    context.close()


def photo(tmp_path):
    """A real JPEG photo-sized image, drawn with Pillow."""
    path = tmp_path / "benzinostantsia.jpg"
    image = PILImage.new("RGB", (1600, 900), (40, 90, 150))
    draw = ImageDraw.Draw(image)
    for x in range(0, 1600, 80):
        draw.rectangle([x, 500, x + 40, 900], fill=(200, 160 - x // 20, 40))
    image.save(path, "JPEG", quality=85)
    return path


def choose(page, field: str, text: str) -> None:
    """Pick ``text`` in one of the admin's autocomplete (select2) fields, as an editor does: click, type, choose."""
    page.locator(f".field-{field} .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=re.compile(f"^{re.escape(text)}$")).click()


def write_body(page) -> None:
    """A heading and a paragraph with a bold phrase, through the rich-text editor's menu buttons."""
    editor = page.locator("div.tiptap.ProseMirror")
    menu = page.locator(".prose-menubar")
    editor.click()
    menu.locator(".prose-menubar__selected").click()  # the block type: “абзац” until changed
    menu.locator(".prose-menubar__option[data-name=heading2]").click()
    page.keyboard.type("Какво се променя")
    page.keyboard.press("Enter")
    page.keyboard.type("Литър дизел ще струва ")
    menu.get_by_role("button", name="удебелен").click()
    page.keyboard.type("2,35 лева")
    menu.get_by_role("button", name="удебелен").click()
    page.keyboard.type(" на повечето бензиностанции.")
    expect(editor.locator("h2")).to_have_text("Какво се променя")
    expect(editor.locator("p strong")).to_have_text("2,35 лева")


def upload_lead_image(page, tmp_path) -> Image:
    """“+” beside the lead image opens the image form in a popup; saving it fills in the field."""
    with page.expect_popup() as opened:
        page.locator("#add_id_lead_image").click()
    popup = watch(opened.value)
    popup.get_by_label("Файл").set_input_files(photo(tmp_path))
    popup.get_by_label("Надпис").fill("Бензиностанция в София")
    popup.get_by_label("Автор на снимката").fill("БГНЕС")
    popup.get_by_label("Алтернативен текст").fill("Колони за гориво на бензиностанция")
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Запази", exact=True).click()
    assert popup.problems == []
    image = Image.objects.get()
    expect(page.locator("#id_lead_image")).to_have_value(str(image.pk))
    expect(page.locator("#select2-id_lead_image-container")).to_contain_text("Бензиностанция в София")
    return image


def save_and_continue(page) -> None:
    page.get_by_role("button", name="Запиши и продължи").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator(".errornote")).to_have_count(0)


def test_an_editor_writes_previews_schedules_and_publishes_a_story(page, context, reader, live_server, tmp_path):
    SectionFactory(name="Икономика")
    TagFactory(name="горива")
    TagFactory(name="цени")
    SourceFactory(name="Българска телеграфна агенция", short_name="БТА", attribution="предаде БТА")
    ArticleFactory(title="Вчерашна новина")  # the home page is not empty before
    editor = staff_user(EDITOR)
    serve_media(context, live_server)
    sign_in(page, live_server, editor, reverse("admin:articles_article_add"))

    page.get_by_label("Заглавие").fill(TITLE)
    page.get_by_label("Заглавие").press("End")
    expect(page.get_by_label("Адрес (slug)")).to_have_value("dizelat-poevtinyava-s-12-stotinki-ot-ponedelnik")
    page.get_by_label("Резюме").fill("Горивата поевтиняват за втора поредна седмица.")
    write_body(page)
    choose(page, "section", "Икономика")
    choose(page, "tags", "горива")
    choose(page, "tags", "цени")
    image = upload_lead_image(page, tmp_path)
    choose(page, "source", "Българска телеграфна агенция")
    page.get_by_label("Оригинален адрес").fill("https://www.bta.bg/bg/news/economy/42-dizel")
    page.get_by_label("Статус").select_option(label="Чернова")
    save_and_continue(page)
    article = Article.objects.get(title=TITLE)
    assert article.status == Status.DRAFT
    assert "<h2>Какво се променя</h2>" in article.body and "<strong>2,35 лева</strong>" in article.body
    assert sorted(article.tags.values_list("name", flat=True)) == ["горива", "цени"]
    assert article.lead_image_id == image.pk and article.source.short_name == "БТА"

    # Preview: the page as readers will see it, marked as a preview.
    page.get_by_role("link", name="Преглед").click()
    expect(page.get_by_role("status").filter(has_text="Преглед")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".article__body h2")).to_have_text("Какво се променя")
    expect(page.locator(".article__body strong")).to_have_text("2,35 лева")
    figure = page.locator(".article__figure")
    expect(figure).to_contain_text("Снимка: БГНЕС")
    assert figure.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    expect(page.locator(".article__attribution")).to_contain_text("предаде БТА")
    page.go_back()

    # Scheduled for tomorrow at 09:00 Sofia time: readers do not see it yet.
    tomorrow = timezone.localtime() + timedelta(days=1)
    page.get_by_label("Статус").select_option(label="Насрочена")
    page.locator("#id_published_at_0").fill(tomorrow.strftime("%Y-%m-%d"))
    page.locator("#id_published_at_1").fill("09:00:00")
    save_and_continue(page)
    article.refresh_from_db()
    assert article.is_scheduled
    reader.goto(live_server.url + "/")
    expect(reader.get_by_role("link", name="Вчерашна новина").first).to_be_visible()
    expect(reader.get_by_role("link", name=TITLE)).to_have_count(0)

    # Published now: the time cleared means "now".
    page.get_by_label("Статус").select_option(label="Публикувана")
    page.locator("#id_published_at_0").fill("")
    page.locator("#id_published_at_1").fill("")
    save_and_continue(page)
    article.refresh_from_db()
    assert article.is_public
    reader.goto(live_server.url + "/")
    reader.get_by_role("link", name=TITLE).first.click()
    expect(reader).to_have_url(live_server.url + article.get_absolute_url())
    expect(reader.locator(".article__body strong")).to_have_text("2,35 лева")

    # And in the sitemap, fetched as a crawler does (rendering it would only exercise Chromium's XML viewer):
    # the index links the article sitemap, which lists the story.
    index = reader.request.get(live_server.url + "/sitemap.xml").text()
    sitemaps = re.findall(r"<loc>([^<]+)</loc>", index)
    listed = "".join(reader.request.get(url).text() for url in sitemaps if "article" in url)
    assert f"<loc>{live_server.url}{article.get_absolute_url()}</loc>" in listed, sitemaps
    assert page.problems == []
    assert reader.problems == []


def test_an_author_cannot_publish(page, live_server):
    SectionFactory(name="Култура")
    author = staff_user(AUTHOR)
    sign_in(page, live_server, author, reverse("admin:articles_article_add"))
    status = page.get_by_label("Статус")
    expect(status.locator("option")).to_have_text(["Чернова", "За преглед"])
    expect(page.locator("#id_published_at_0")).to_have_count(0)  # the time is shown, not editable

    page.get_by_label("Заглавие").fill("Нова изложба в Пловдив")
    page.get_by_label("Резюме").fill("Галерията показва млади автори.")
    page.locator("div.tiptap.ProseMirror").click()
    page.keyboard.type("Изложбата е отворена до края на месеца.")
    choose(page, "section", "Култура")
    # A crafted form: the status list gains "published" in the page, the server must still refuse it.
    status.evaluate("select => select.add(new Option('Публикувана', 'published', true, true))")
    page.get_by_role("button", name="Запиши и продължи").first.click()
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".field-status .errorlist")).to_contain_text("Направете валиден избор")
    assert not Article.objects.exists()

    # Saved as a draft it is theirs; the list offers no publishing action.
    status.select_option(label="Чернова")
    save_and_continue(page)
    page.goto(live_server.url + reverse("admin:articles_article_changelist"))
    expect(page.get_by_role("link", name="Нова изложба в Пловдив")).to_be_visible()
    actions = page.locator("select[name=action] option").all_inner_texts()
    assert actions and not any("Публикув" in a for a in actions), actions
    assert Article.objects.get().status == Status.DRAFT
    assert page.problems == []


def test_a_moderator_approves_a_held_comment_and_readers_see_it(page, reader, live_server):
    article, _related, _comments = reader_article(threads=1)
    held = CommentFactory(article=article, pending=True, author_name="Нов читател", body="Първият ми коментар тук.")
    reader.goto(live_server.url + article.get_absolute_url())
    expect(reader.locator(".comments__thread")).not_to_contain_text(held.body)

    moderator = staff_user(MODERATOR)
    sign_in(page, live_server, moderator, reverse("admin:comments_comment_changelist"))
    expect(page.locator(".comment-queue-counts")).to_contain_text("Чакат преглед: 1")
    row = page.locator("#result_list tbody tr", has_text=held.body)
    row.get_by_role("button", name="Одобри").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator(".comment-queue-counts")).to_contain_text("Чакат преглед: 0")
    held.refresh_from_db()
    assert held.status == "approved"

    reader.reload()
    expect(reader.locator(f"#comment-{held.pk}")).to_contain_text(held.body)
    expect(reader.locator("[data-comment-count]")).to_have_text("2")
    assert page.problems == []
    assert reader.problems == []
