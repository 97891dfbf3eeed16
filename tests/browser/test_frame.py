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
