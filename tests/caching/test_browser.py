"""static/js/csrf.js in Chromium: a page every reader shares carries no token; the reader gets theirs on first use."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import browser, live_server  # noqa: F401 - the browser suite's fixtures
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIELD = ".language-form [name=csrfmiddlewaretoken]"


@pytest.fixture
def shared_copy_page(browser):  # noqa: F811
    """A browser without cookies: it is served the pages every reader shares."""
    context = browser.new_context(locale="bg-BG")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    yield page
    context.close()


def test_first_focus_fetches_the_readers_token(live_server, shared_copy_page):  # noqa: F811
    page = shared_copy_page
    article = ArticleFactory()
    page.goto(live_server.url + article.get_absolute_url())
    assert page.input_value(FIELD) == ""  # the shared copy holds nobody's token; the script added the field
    page.focus("#language-select")
    # Playwright's own matchers, not wait_for_function: a string function is eval, which the page's CSP refuses.
    expect(page.locator(FIELD)).to_have_value(re.compile(r"^[A-Za-z0-9]{64}$"))
    assert not page.errors


def test_a_submit_before_any_focus_waits_for_the_token_and_goes_through(live_server, shared_copy_page):  # noqa: F811
    page = shared_copy_page
    article = ArticleFactory()
    page.goto(live_server.url + article.get_absolute_url())
    # Set and submit from script: no focus, no pointer, so only the submit handler can fetch the token.
    page.evaluate("document.querySelector('#language-select').value = 'en'")
    assert page.input_value(FIELD) == ""
    page.evaluate("document.querySelector('.language-form').requestSubmit()")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert not page.errors
