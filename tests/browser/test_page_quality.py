"""Every page type: valid HTML (Nu), no serious accessibility violations (axe), no CSP violation,
no horizontal scrolling at 375 px, screenshots at 375 and 1280 px saved as artifacts."""

import contextlib

import pytest
from django.urls import NoReverseMatch, reverse

from tests.browser.quality import axe_violations, has_horizontal_scroll, nu_errors
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory, SourceFactory, TagFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def page_urls():
    section = SectionFactory(name="България", slug="bulgaria")
    tags = TagFactory.create_batch(3)
    source, author = SourceFactory(), AuthorFactory()
    articles = [
        ArticleFactory(section=section, tags=tags, source=source, authors=[author], with_image=True, is_featured=i == 0)
        for i in range(8)
    ]
    article = articles[0]
    urls = {
        "home": "/",
        "section": section.get_absolute_url(),
        "tag": tags[0].get_absolute_url(),
        "source": source.get_absolute_url(),
        "author": author.get_absolute_url(),
        "archive": reverse("articles:archive"),
        "article": article.get_absolute_url(),
        "404": "/nyama-takava-stranitsa/page/",
    }
    with contextlib.suppress(NoReverseMatch):
        urls["search"] = reverse("articles:search") + "?q=новина"
    return urls


def test_every_page_type_is_valid_accessible_and_fits_small_screens(
    live_server, page, axe_page, axe_script, vnu_jar, artifacts_dir, tmp_path
):
    urls = page_urls()
    html_files, problems = [], []
    for name, url in urls.items():
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            response = page.goto(live_server.url + url)
            assert response.status == (404 if name == "404" else 200), name
            page.screenshot(path=str(artifacts_dir / f"{name}-{width}.png"), full_page=True)
            if width == 375 and has_horizontal_scroll(page):
                problems.append(f"{name}: horizontal scroll at 375 px")
        html = tmp_path / f"{name}.html"
        html.write_text(page.content(), encoding="utf-8")
        html_files.append(html)
        axe_page.goto(live_server.url + url)
        problems += [f"{name}: axe {v}" for v in axe_violations(axe_page, axe_script)]
    problems += [f"csp/js: {p}" for p in page.problems]
    for file, errors in nu_errors(vnu_jar, html_files).items():
        problems += [f"{file}: nu {e}" for e in errors]
    assert problems == [], "\n".join(problems)
