"""The article form in a real browser: the rich-text editor and the slug prefill work under the strict CSP."""

import pytest
from django.urls import reverse

from articles.models import Article
from articles.roles import EDITOR
from tests.browser.conftest import browser, context, page  # noqa: F401  (fixtures: one Chromium, CSP watch)
from tests.factories import SectionFactory, newsroom_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "dalga-parola-za-redaktora"

WORD_PASTE = (
    "<html><head><meta charset=utf-8><style>p.MsoNormal{margin:0}</style>"
    "<!--[if gte mso 9]><xml><w:WordDocument></w:WordDocument></xml><![endif]--></head><body>"
    '<h1 style="color:red">Заглавие от Word</h1>'
    "<p class=MsoNormal><span style='font-family:Calibri;mso-bidi-font-weight:bold'>Текст от <b>Word</b></span></p>"
    "<table><tr><td>клетка</td></tr></table><img src=x onerror=\"alert('xss')\">"
    '<p><a href="javascript:alert(1)">лоша връзка</a> <u>подчертан</u></p>'
    "<p ONCLICK = 'x()' style = \"a:b\">край</p><svg><style>*{}</style></svg></body></html>"
)


def sign_in(page, live_server, username, next_url):  # noqa: F811
    page.goto(f"{live_server.url}{reverse('admin:login')}?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**{next_url}")


def test_an_editor_writes_with_the_rich_text_editor_under_the_strict_csp(page, live_server):  # noqa: F811
    editor = newsroom_user(EDITOR)
    editor.set_password(PASSWORD)
    editor.save()
    section = SectionFactory(name="България")
    sign_in(page, live_server, editor.username, reverse("admin:articles_article_add"))
    csp = page.evaluate("() => document.querySelector('meta[http-equiv]') === null")
    assert csp  # the policy comes in the header, nothing relaxes it in the page

    prose = page.locator("div.tiptap.ProseMirror")
    prose.wait_for()
    assert page.locator(".prose-menubar button[data-name=bold]").get_attribute("title") == "удебелен"
    assert page.locator(".prose-menubar button[data-name=link]").get_attribute("title") == "добави връзка"
    assert page.locator(".prose-menubar button[data-name=bulletList]").count() == 1
    assert page.locator(".prose-menubar button[data-name=table], .prose-menubar button[data-name=image]").count() == 0

    page.fill("#id_title", "Щъркелите в България се завръщат")
    page.locator("#id_title").press("End")
    assert page.input_value("#id_slug") == "shtarkelite-v-bulgaria-se-zavrashtat"

    prose.click()
    page.keyboard.type("Първи абзац ")
    page.keyboard.press("Control+b")
    page.keyboard.type("удебелен")
    page.keyboard.press("Control+b")
    page.keyboard.press("Enter")
    page.evaluate(
        """html => {
            const data = new DataTransfer();
            data.setData("text/html", html);
            data.setData("text/plain", "fallback");
            document.querySelector("div.tiptap.ProseMirror")
              .dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
        }""",
        WORD_PASTE,
    )
    body = page.eval_on_selector("#id_body", "e => e.value")
    assert "<strong>удебелен</strong>" in body
    assert "Текст от" in body and "клетка" in body and "край" in body
    for leftover in ("<h1", "style=", "class=", "<table", "<img", "<span", "javascript:", "<u>"):
        assert leftover not in body, (leftover, body)

    page.fill("#id_lead", "Първите птици кацнаха край Бургас.")
    page.evaluate(
        "([id, name]) => document.getElementById('id_section').add(new Option(name, id, true, true))",
        [str(section.pk), section.name],
    )
    page.click("input[name=_continue]")
    page.wait_for_url("**/change/")
    article = Article.objects.get()
    assert article.slug == "shtarkelite-v-bulgaria-se-zavrashtat"
    assert "<strong>удебелен</strong>" in article.body and "<script" not in article.body
    # The saved text opens in the editor again.
    assert page.locator("div.tiptap.ProseMirror strong").first.inner_text() == "удебелен"
    assert page.problems == []
