"""The share row ("Сподели:") and the keyboard: every share link opens the right network with the article's
canonical address, copy-link copies it, and the comment form, reply and share controls are reachable with Tab
and show where the focus is."""

from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory, SectionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Quotes, an ampersand, a question mark, a percent sign and a hash: each must arrive encoded, not cut the URL.
TITLE = "Цените на „хляба“ & млякото: ръст от 5% за месец? #инфлация"
NETWORKS = {
    "Facebook": "www.facebook.com",
    "X": "x.com",
    "LinkedIn": "www.linkedin.com",
    "Telegram": "t.me",
    "WhatsApp": "wa.me",
}


@pytest.fixture
def article(db):
    return ArticleFactory(title=TITLE, section=SectionFactory(name="Икономика"))


def shared_address(query: dict, key: str) -> str:
    [value] = query[key]
    return value


def test_each_share_link_opens_its_network_with_the_canonical_address(page, context, live_server, article):
    opened = []

    def network(route):
        opened.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<!DOCTYPE html><title>ok</title>")

    for host in NETWORKS.values():
        context.route(f"https://{host}/**", network)
    page.goto(live_server.url + article.get_absolute_url())
    canonical = page.locator("link[rel=canonical]").get_attribute("href")
    assert canonical == live_server.url + article.get_absolute_url()
    share = page.locator(".share")
    expect(share).to_contain_text("Сподели:")

    for label, host in NETWORKS.items():
        link = share.get_by_role("link", name=label, exact=True)
        expect(link).to_have_attribute("target", "_blank")
        assert "noopener" in link.get_attribute("rel")
        with page.expect_popup() as popup:
            link.click()
        popup.value.wait_for_load_state()
        url = urlsplit(opened[-1])
        assert url.scheme == "https" and url.hostname == host, opened[-1]
        query = parse_qs(url.query, strict_parsing=True)
        if label in ("Facebook",):
            assert shared_address(query, "u") == canonical
        elif label in ("X", "LinkedIn", "Telegram"):
            assert shared_address(query, "url") == canonical
        else:
            assert shared_address(query, "text") == f"{TITLE} {canonical}"
        if label in ("X", "Telegram"):
            assert shared_address(query, "text") == TITLE
        popup.value.close()
    assert len(opened) == len(NETWORKS)

    # Apps the browser hands over to (no page to open here): the address is in the href, encoded.
    viber = urlsplit(share.get_by_role("link", name="Viber").get_attribute("href"))
    assert (viber.scheme, viber.netloc) == ("viber", "forward")
    assert parse_qs(viber.query, strict_parsing=True) == {"text": [f"{TITLE} {canonical}"]}
    mail = urlsplit(share.get_by_role("link", name="Имейл").get_attribute("href"))
    assert mail.scheme == "mailto"
    fields = {k: unquote(v) for k, v in (part.split("=", 1) for part in mail.query.split("&"))}
    assert fields == {"subject": TITLE, "body": canonical}
    assert page.problems == []


def test_copy_link_copies_the_canonical_address(page, context, live_server, article):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(live_server.url + article.get_absolute_url())
    copy = page.get_by_role("button", name="Копирай връзката")
    copy.click()
    expect(page.locator(".share__status")).to_have_text("Връзката е копирана.")
    assert page.evaluate("() => navigator.clipboard.readText()") == live_server.url + article.get_absolute_url()
    assert page.problems == []


# Chromium on Linux has no Web Share API; these make the browser one without it, or one with it that records
# what it was asked to share.
NO_NATIVE_SHARE = "delete Navigator.prototype.share; delete Navigator.prototype.canShare;"
RECORDING_SHARE = """
Navigator.prototype.share = function (data) { window.sharedData = data; return Promise.resolve(); };
Navigator.prototype.canShare = function () { return true; };
"""


def test_share_without_the_web_share_api_offers_no_native_share_button(page, live_server, article):
    page.add_init_script(NO_NATIVE_SHARE)
    page.goto(live_server.url + article.get_absolute_url())
    share = page.locator(".share")
    expect(share.get_by_role("button", name="Копирай връзката")).to_be_visible()
    expect(share.get_by_role("button", name="Сподели…")).to_be_hidden()
    expect(share.get_by_role("link", name="Facebook")).to_be_visible()
    assert page.problems == []


def test_share_with_the_web_share_api_hands_the_canonical_address_to_it(page, live_server, article):
    page.add_init_script(RECORDING_SHARE)
    page.goto(live_server.url + article.get_absolute_url())
    native = page.locator(".share").get_by_role("button", name="Сподели…")
    expect(native).to_be_visible()
    native.click()
    page.wait_for_function("() => window.sharedData !== undefined")
    shared = page.evaluate("() => window.sharedData")
    assert shared == {"title": TITLE, "url": live_server.url + article.get_absolute_url()}
    assert page.problems == []


def test_share_without_javascript_shows_only_links_that_work(nojs_page, live_server, article):
    page = nojs_page
    page.goto(live_server.url + article.get_absolute_url())
    share = page.locator(".share")
    for name in ("Копирай връзката", "Сподели…"):
        expect(share.get_by_role("button", name=name, include_hidden=True)).to_be_hidden()
    for label in NETWORKS:
        expect(share.get_by_role("link", name=label, exact=True)).to_be_visible()
    # No empty slots in the row either: every item shown holds a visible control.
    boxes = share.locator(".share__list > li").evaluate_all("items => items.map(li => li.offsetWidth > 0)")
    assert boxes.count(True) == len(NETWORKS) + 2  # the networks, Viber and e-mail
    assert page.problems == []


FOCUS_STATE = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {
        tag: el.tagName.toLowerCase(),
        name: el.getAttribute("aria-label") || el.labels?.[0]?.textContent.trim() || el.textContent.trim(),
        outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
        box: el.getBoundingClientRect().width > 0,
        in: el.closest("[data-comment-form]") ? "form" : el.closest(".share") ? "share"
            : el.closest(".comment") ? "comment:" + el.closest(".comment").id : "",
    };
}"""


def test_comment_form_reply_and_share_controls_are_reachable_by_keyboard_with_visible_focus(page, live_server, article):
    first = CommentFactory(article=article, author_name="Иван", body="Първо мнение.")
    page.goto(live_server.url + article.get_absolute_url())
    seen = []
    for _ in range(250):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        if state["tag"] == "body":
            break
        seen.append(state)
    missing_outline = [s for s in seen if not (s["outline"] and s["box"])]
    assert missing_outline == [], missing_outline
    reached = {(s["in"], s["name"]) for s in seen}
    for wanted in [
        ("share", "Facebook"),
        ("share", "Копирай връзката"),
        ("form", "Име"),
        ("form", "Коментар"),
        ("form", "Публикувай"),
        (f"comment:comment-{first.pk}", "Отговори"),
        (f"comment:comment-{first.pk}", "Сигнализирай"),
    ]:
        assert wanted in reached, (wanted, len(seen), [f"{s['in']} | {s['name']}" for s in seen])

    # The reply works from the keyboard too: Enter on "Отговори" moves the form under the comment and focuses it.
    page.locator(f"#comment-{first.pk}").get_by_role("link", name="Отговори").focus()
    page.keyboard.press("Enter")
    body = page.locator("[data-comment-form]").get_by_label("Коментар", exact=True)
    expect(body).to_be_focused()
    page.keyboard.type("Отговор, написан само с клавиатурата.")
    form = page.locator("[data-comment-form]")
    page.keyboard.press("Shift+Tab")  # the optional e-mail
    page.keyboard.press("Shift+Tab")
    expect(form.get_by_label("Име", exact=True)).to_be_focused()
    page.keyboard.type("Клавиатурен читател")
    for _ in range(4):  # e-mail, comment, the reply notice box, the button
        page.keyboard.press("Tab")
    expect(form.get_by_role("button", name="Публикувай")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(f"#comment-{first.pk} + .comment")).to_contain_text("Отговор, написан само с клавиатурата.")
    assert Comment.objects.get(author_name="Клавиатурен читател").parent_id == first.pk
    assert page.problems == []
