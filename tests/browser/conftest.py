"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's live server.

They run wherever /usr/bin/chromium exists (``apt-get install -y chromium``) and skip with a clear message
otherwise; CI sets REQUIRE_BROWSER=1 so that a missing browser fails instead of skipping.

One Chromium serves the whole session (starting it costs ~2.5 s); each test gets a fresh context (its own
cookies, storage and permissions), so tests stay independent.
"""

import os
import shutil
import threading
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls of the tests are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", ROOT / "artifacts"))
HOW_TO_ENABLE = (
    "browser tests skipped: install Chromium (`apt-get install -y chromium`), "
    "Java and the npm checkers (`npm ci`) to run them; see README"
)
TIMEOUT_MS = 10_000

# The one Playwright driver and Chromium of this test session. Kept at module level, not only in the fixture,
# because modules elsewhere import these fixtures: a second ``sync_playwright()`` in the same thread would fail
# ("Sync API inside the asyncio loop"), so every copy of the fixture shares this one.
_shared: dict = {}


def _unavailable() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not found"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


def _shared_browser():
    if "browser" not in _shared:
        from playwright.sync_api import sync_playwright

        driver = sync_playwright().start()
        _shared["driver"] = driver
        _shared["browser"] = driver.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
    return _shared["browser"]


def pytest_sessionfinish(session, exitstatus):
    browser, driver = _shared.pop("browser", None), _shared.pop("driver", None)
    if browser is not None:
        browser.close()
    if driver is not None:
        driver.stop()


# --- The live server, one request at a time -----------------------------------------------------------------
# On SQLite the test database lives in memory, and Django hands its one connection to every thread of the live
# server and to the test itself. A browser fires requests in parallel (page, jsi18n, autocomplete, the CSRF token,
# the view beacon) and the test queries the database between steps; two threads inside one connection's
# transaction at once fail at random ("database table is locked"; Django's docs warn of it). So Django's views
# run one at a time, and a test's query waits for the request in flight. Static files are served outside it.
_one_at_a_time = threading.RLock()


class _Serialised:
    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        with _one_at_a_time:
            return self.application(environ, start_response)


def _static_then_serialised(application):
    from django.contrib.staticfiles.handlers import StaticFilesHandler

    return StaticFilesHandler(_Serialised(application))


def _after_the_request_in_flight(execute, sql, params, many, context):
    with _one_at_a_time:
        return execute(sql, params, many, context)


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, with Django's views serialised when the database connection is shared."""
    from pytest_django.live_server_helper import LiveServer

    address = request.config.getvalue("liveserver") or os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    server = LiveServer(address, start=False)
    shared = list(server.thread.connections_override.values())
    if shared:
        server.thread.static_handler = _static_then_serialised
        for connection in shared:
            connection.execute_wrappers.append(_after_the_request_in_flight)
    server.start()
    yield server
    server.stop()
    for connection in shared:
        connection.execute_wrappers.remove(_after_the_request_in_flight)


@pytest.fixture(scope="session")
def browser():
    reason = _unavailable()
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required but {reason}")
        pytest.skip(f"{HOW_TO_ENABLE} ({reason})")
    return _shared_browser()


def _context(browser, **kwargs):
    context = browser.new_context(locale="bg-BG", timezone_id="Europe/Sofia", **kwargs)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def watch(page):
    """Record on ``page.problems`` what a reader must never meet: CSP violations, script errors, dialogs
    (a dialog nobody asked for is an executed payload) and server errors."""
    page.problems = []
    page.on("pageerror", lambda exc: page.problems.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: (
            page.problems.append(
                f"console: {msg.text} [{page.url} {msg.location.get('url')}:{msg.location.get('lineNumber')}]"
            )
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )

    def on_dialog(dialog):
        page.problems.append(f"dialog: {dialog.type} {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on(
        "response",
        lambda response: (
            page.problems.append(f"server error {response.status}: {response.url}") if response.status >= 500 else None
        ),
    )
    return page


@pytest.fixture
def context(browser):
    context = _context(browser)
    yield context
    context.close()


@pytest.fixture
def page(context):
    """A page that records CSP violations, uncaught errors, dialogs and 5xx responses in ``page.problems``."""
    return watch(context.new_page())


@pytest.fixture
def nojs_page(browser):
    """A reader without JavaScript: every control must still work as a plain link or form."""
    context = _context(browser, java_script_enabled=False)
    page = watch(context.new_page())
    yield page
    context.close()


@pytest.fixture
def axe_page(browser):
    """A page for axe-core only: its injected script needs the CSP bypassed."""
    context = _context(browser, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts_dir():
    path = ARTIFACTS / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def vnu_jar():
    jar = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    if not jar.exists() or not shutil.which("java"):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("the Nu HTML Checker is required: run `npm ci` and install Java")
        pytest.skip("Nu HTML Checker missing: run `npm ci` (and install Java)")
    return jar


@pytest.fixture(scope="session")
def axe_script():
    path = ROOT / "node_modules" / "axe-core" / "axe.min.js"
    if not path.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("axe-core is required: run `npm ci`")
        pytest.skip("axe-core missing: run `npm ci`")
    return path


@pytest.fixture(autouse=True)
def _settled_server():
    """After each test (its pages closed by then), wait for a request still in flight and drop what it cached:
    no page rendered for one test is served to the next (many tests share addresses such as "/")."""
    yield
    from django.core.cache import cache

    from caching.generations import forget
    from caching.pages import local_pages

    with _one_at_a_time:
        cache.clear()
        local_pages.clear()
    forget()


@pytest.fixture(autouse=True)
def _comment_settings(settings):
    """Comments as a staffed newsroom runs them, without the waits meant for bots and crowds.

    Every browser shares 127.0.0.1, so the per-address limits are raised; the form's minimum fill-in
    time is off (a test types faster than a person). Tests of those features set the real values.
    """
    settings.COMMENTS_UNSTAFFED_HOURS = ""
    settings.COMMENTS_NEW_AUTHOR_HELD = 0
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0
    settings.COMMENTS_RATE_POST_IP = ["1000/m"]
    settings.COMMENTS_RATE_POST_AUTHOR = ["1000/m"]
    settings.COMMENTS_RATE_VOTE = ["1000/m"]
    settings.COMMENTS_RATE_REPORT = ["1000/m"]
