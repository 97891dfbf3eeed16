"""Every page type: valid HTML (Nu HTML Checker on the HTML the server sent), no serious or critical
accessibility violation (axe-core), no CSP violation or script error, no horizontal scrolling at 375 px, and
screenshots at 375 and 1280 px saved under ARTIFACTS_DIR/screenshots. A summary table goes to stdout
(``pytest -s``)."""

import re
from dataclasses import dataclass, field

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from articles.demo_content import PAGES
from tests.browser.helpers import reader_article, serve_media
from tests.browser.quality import axe_results, has_horizontal_scroll, nu_results, start_nu
from tests.factories import ArticleFactory, CommentFactory, PageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (375, 1280)
# The frames a reader can choose with the language switch: the site speaks Bulgarian unless told otherwise.
FRAMES = ("bg", "en")


@dataclass
class Result:
    name: str
    frame: str = "bg"
    status: int = 0
    nu: list[str] = field(default_factory=list)
    axe: list[str] = field(default_factory=list)  # serious and critical: must be none
    axe_minor: list[str] = field(default_factory=list)  # moderate and minor: reported, not failed
    lang: str = ""
    scrolls: bool = False


def long_discussion(article, *, threads: int = 60, replies: int = 66):
    """A busy discussion: ``threads`` top-level comments, one of them with a long reply chain."""
    roots = [
        CommentFactory(article=article, author_name=f"Читател {i}", body=f"Мнение {i}.\nС втори ред и https://bta.bg/")
        for i in range(threads)
    ]
    busy = roots[-1]
    parent = busy
    for i in range(replies):
        # Nested three deep, then back to the top of the thread: long chains and the depth cap both show.
        parent = CommentFactory(parent=parent if i % 4 else busy, body=f"Отговор {i} в дългата нишка.")
    return busy


def comment_form_error(article):
    """The page a reader without JavaScript gets for a comment the server refuses: the article, errors beside
    the fields, everything typed kept (``form.submit()`` skips the script, as a browser without it does)."""

    def open_in(page, base):
        page.goto(base + article.get_absolute_url())
        form = page.locator("[data-comment-form]")
        form.locator("[name=author_name]").fill("Гост")  # by name: the labels follow the frame's language
        form.locator("[name=body]").fill("   ")
        # Touching the form fetched the reader's CSRF token (static/js/csrf.js); sent before it arrives, the
        # comment would meet the CSRF check (403) instead of the form's own (400).
        expect(form.locator("[name=csrfmiddlewaretoken]")).to_have_value(re.compile(r"^\w{32,}$"))
        with page.expect_navigation() as navigation:
            form.evaluate("form => form.submit()")
        return navigation.value

    return open_in


def page_types():
    article, _related, comments = reader_article(threads=1)
    busy = long_discussion(article)
    quiet = ArticleFactory(section=article.section, title="Тиха новина без коментари")
    total = article.comments.count()
    assert total >= 120, total
    tag, author = article.tags.first(), article.authors.first()
    day = timezone.localtime(article.published_at)
    site_pages = {
        slug: PageFactory(title=title, slug=slug, position=position, body=body)
        for slug, (title, position, body) in PAGES.items()
    }
    return {
        "home": "/",
        "section": article.section.get_absolute_url(),
        "tag": tag.get_absolute_url(),
        "source": article.source.get_absolute_url(),
        "author": author.get_absolute_url(),
        "archive": reverse("articles:archive"),
        "year archive": reverse("articles:archive_year", kwargs={"year": day.year}),
        "month archive": reverse("articles:archive_month", kwargs={"year": day.year, "month": day.month}),
        "day archive": reverse("articles:archive_day", kwargs={"year": day.year, "month": day.month, "day": day.day}),
        **{f"page {slug}": page.get_absolute_url() for slug, page in site_pages.items()},
        f"article ({total} comments)": article.get_absolute_url(),
        "comment thread": reverse("comments:thread", kwargs={"pk": busy.pk}),
        "reply (no JS)": reverse("comments:reply", kwargs={"pk": comments[0].pk}),
        "report (no JS)": reverse("comments:report", kwargs={"pk": comments[0].pk}),
        "search": reverse("articles:search") + "?q=щъркели",
        "404": "/nyama-takava-stranitsa/page/",
        "comment error (no JS)": comment_form_error(quiet),
        "comment gone": reverse("comments:reply", kwargs={"pk": 10**9}),
    }


def expected_status(name: str) -> int:
    if name in ("404", "comment gone"):
        return 404
    return 400 if name.startswith("comment error") else 200


def slug(name: str) -> str:
    """A file name for a page type: “article (127 comments)” → “article”."""
    return "-".join("".join(c if c.isalnum() else " " for c in name.split(" (")[0]).split())


def open_page(page, base: str, how):
    return how(page, base) if callable(how) else page.goto(base + how)


def print_table(results: list[Result]) -> None:
    width = max(len(r.name) for r in results)
    print(
        f"\n{'page type':<{width}}  frame  HTTP  lang  Nu errors  axe serious/critical  axe moderate/minor  scroll@375"
    )
    for r in results:
        print(
            f"{r.name:<{width}}  {r.frame:>5}  {r.status:>4}  {r.lang:>4}  {len(r.nu):>9}  {len(r.axe):>20}"
            f"  {len(r.axe_minor):>18}  {'yes' if r.scrolls else 'no':>10}"
        )
    for r in results:
        for text in r.axe_minor:
            print(f"  {r.name} [{r.frame}]: {text}")


def choose_language(page, live_server, frame: str) -> None:
    """Pick ``frame`` with the language switch in the footer, as a reader does (it sets the language cookie:
    portal/middleware.py, chosen_language)."""
    page.goto(live_server.url + "/")
    if page.locator("html").get_attribute("lang") != frame:
        page.select_option("#language-select", frame)
        with page.expect_navigation():
            page.locator(".language-form button").click()
    assert page.locator("html").get_attribute("lang") == frame


def test_every_page_type_is_valid_accessible_and_fits_small_screens(
    live_server, page, axe_page, axe_script, vnu_jar, artifacts_dir
):
    pages = page_types()
    serve_media(page.context, live_server)
    serve_media(axe_page.context, live_server)
    html_dir = artifacts_dir.parent / "html"
    html_dir.mkdir(exist_ok=True)
    results = {}
    for frame in FRAMES:
        choose_language(page, live_server, frame)
        # As readers see it: at 375 px (no sideways scrolling) and 1280 px; the HTML as the server sent it.
        for name, how in pages.items():
            key = f"{frame}-{slug(name)}"
            result = results[key] = Result(name, frame)
            page.set_viewport_size({"width": 375, "height": 800})
            response = open_page(page, live_server.url, how)
            result.status = response.status
            (html_dir / f"{key}.html").write_bytes(response.body())
            result.scrolls = has_horizontal_scroll(page)
            result.lang = page.locator("html").get_attribute("lang") or ""
            page.screenshot(path=str(artifacts_dir / f"{key}-375.png"), full_page=True)
            page.set_viewport_size({"width": 1280, "height": 800})
            page.screenshot(path=str(artifacts_dir / f"{key}-1280.png"), full_page=True)

    # The Nu HTML Checker works through the saved pages while axe-core goes through them in the browser.
    checker = start_nu(vnu_jar, [html_dir / f"{key}.html" for key in results])
    for frame in FRAMES:
        choose_language(axe_page, live_server, frame)
        for name, how in pages.items():
            open_page(axe_page, live_server.url, how)
            found = axe_results(axe_page, axe_script)
            result = results[f"{frame}-{slug(name)}"]
            result.axe = [text for impact, text in found if impact in ("serious", "critical")]
            result.axe_minor = [text for impact, text in found if impact not in ("serious", "critical")]
    for file, errors in nu_results(checker).items():
        results[file.removesuffix(".html")].nu = errors
    print_table(list(results.values()))

    problems = []
    for r in results.values():
        name = f"{r.name} [{r.frame}]"
        if r.status != expected_status(r.name):
            problems.append(f"{name}: HTTP {r.status}")
        if r.scrolls:
            problems.append(f"{name}: horizontal scroll at 375 px")
        if r.lang != r.frame:
            problems.append(f"{name}: <html lang={r.lang!r}>, not {r.frame}")
        problems += [f"{name}: nu {e}" for e in r.nu] + [f"{name}: axe {v}" for v in r.axe]
    problems += [f"csp/js: {p}" for p in page.problems]
    assert problems == [], "\n".join(problems)
