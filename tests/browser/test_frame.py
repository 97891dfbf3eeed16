"""The frame around every page as readers meet it in the browser: a compact header on a phone that the keyboard
can go through, the footer's pages, and the site's name and icon."""

import pytest
from playwright.sync_api import expect

from tests.factories import ArticleFactory, SectionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The demo newsroom's sections (articles/demo_content.py): with "Последни" and "Архив", eight links.
SECTIONS = ["България", "Свят", "Икономика", "Спорт", "Култура", "Технологии"]
PHONE = {"width": 375, "height": 800}

FOCUSED = """() => {
    const el = document.activeElement, box = el.getBoundingClientRect(), style = getComputedStyle(el);
    return {
        text: el.textContent.trim(),
        inNav: !!el.closest(".site-nav"),
        visible: box.left >= -0.5 && box.right <= window.innerWidth + 0.5 && box.width > 0,
        outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    };
}"""


@pytest.fixture
def sections(db):
    return [SectionFactory(name=name, position=i) for i, name in enumerate(SECTIONS)]


def test_header_on_a_phone_is_at_most_100_px_with_every_section_one_swipe_away(page, live_server, sections):
    ArticleFactory(section=sections[0])
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    height = page.locator(".site-header").evaluate("el => el.getBoundingClientRect().height")
    assert height <= 100, height
    # One row: every link at the same height; the row scrolls sideways inside itself, the page does not.
    tops = page.locator(".site-nav a").evaluate_all("links => links.map(a => a.getBoundingClientRect().top)")
    assert len(tops) == len(SECTIONS) + 2 and len(set(tops)) == 1, tops
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    # The search box is there too, with a hint of what it is for.
    search = page.get_by_role("searchbox", name="Търсене в сайта")
    expect(search).to_be_visible()
    expect(search).to_have_attribute("placeholder", "Търсене в сайта")
    assert page.problems == []


def test_header_on_a_phone_takes_the_keyboard_through_every_section(page, live_server, sections):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    seen = []
    for _ in range(20):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUSED)
        if state["inNav"]:
            seen.append(state)
        elif seen:
            break
    assert [s["text"] for s in seen] == ["Последни", *SECTIONS, "Архив"]
    # Each link the focus reaches is scrolled into view and shows the focus ring.
    assert [s for s in seen if not (s["visible"] and s["outline"])] == []
    page.keyboard.press("Shift+Tab")  # back from the first control after the row to "Архив"
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + "/archive/")
    assert page.problems == []


def test_header_on_a_wide_screen_keeps_the_sections_on_one_line(page, live_server, sections):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/")
    tops = page.locator(".site-nav a").evaluate_all("links => links.map(a => a.getBoundingClientRect().top)")
    assert len(set(tops)) == 1, tops
    assert page.locator(".site-header").evaluate("el => el.getBoundingClientRect().height") <= 140


def console_errors(page) -> list[str]:
    errors = []
    page.on("console", lambda msg: errors.append(f"{msg.text} [{page.url}]") if msg.type == "error" else None)
    return errors


def test_newsroom_pages_show_the_sites_icon_and_log_no_errors(page, live_server):
    from tests.browser.helpers import sign_in, staff_user
    from tests.factories import PageFactory

    errors = console_errors(page)
    icons = []
    page.on("response", lambda r: icons.append((r.url, r.status)) if "favicon" in r.url else None)
    editor = staff_user("editor")
    sign_in(page, live_server, editor)
    expect(page.locator("#site-name")).to_contain_text("Вестник")
    contacts = PageFactory(title="Контакти", slug="kontakti")
    for path in ("/redakcia/", "/redakcia/articles/article/", f"/redakcia/pages/page/{contacts.pk}/change/"):
        page.goto(live_server.url + path)
        expect(page.locator('link[rel="icon"]')).to_have_attribute("href", "/static/img/favicon.svg")
    assert errors == []
    assert len(icons) >= 4 and all(status in (200, 304) for _, status in icons), icons


def test_footer_leads_to_the_sites_pages_on_a_phone(page, live_server):
    from tests.factories import PageFactory

    for position, (title, slug) in enumerate(
        [
            ("За нас", "za-nas"),
            ("Контакти", "kontakti"),
            ("Правила за коментиране", "pravila-za-komentirane"),
            ("Поверителност и бисквитки", "poveritelnost"),
        ]
    ):
        PageFactory(title=title, slug=slug, position=position, body=f"<p>{title}: текст.</p>")
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    footer = page.locator(".site-footer")
    for title in ("За нас", "Контакти", "Правила за коментиране", "Поверителност и бисквитки"):
        expect(footer.get_by_role("link", name=title)).to_be_visible()
    footer.get_by_role("link", name="Правила за коментиране").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Правила за коментиране")
    expect(footer.get_by_role("link", name="Правила за коментиране")).to_have_attribute("aria-current", "page")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert page.problems == []
