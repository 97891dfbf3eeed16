"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's live server.

They run wherever /usr/bin/chromium exists (``apt-get install -y chromium``) and skip with a clear message
otherwise; CI sets REQUIRE_BROWSER=1 so that a missing browser fails instead of skipping.
"""

import os
import shutil
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


def _unavailable() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not found"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = _unavailable()
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required but {reason}")
        pytest.skip(f"{HOW_TO_ENABLE} ({reason})")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        yield browser
        browser.close()


def _context(browser, **kwargs):
    context = browser.new_context(locale="bg-BG", timezone_id="Europe/Sofia", **kwargs)
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def context(browser):
    context = _context(browser)
    yield context
    context.close()


@pytest.fixture
def page(context):
    """A page that records CSP violations and uncaught errors in ``page.problems``."""
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda exc: page.problems.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: (
            page.problems.append(f"console: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    return page


@pytest.fixture
def nojs_page(browser):
    context = _context(browser, java_script_enabled=False)
    page = context.new_page()
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
