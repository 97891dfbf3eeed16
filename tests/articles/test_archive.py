"""The archive: the index by year and month, a year's months, a month's days, a day's articles, and an
article's address cut short (``/2026/12/04/``) leading to them."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def links(html: str) -> list[tuple[str, str]]:
    """(href, text) of every link in the archive's lists of dates (not the links to the dates before and after)."""
    between = html.split("</h1>", 1)[1].split('<div class="list">')[0]
    dates = re.sub(r'<nav class="archive-nav".*?</nav>', "", between, flags=re.S)
    return [(href, text.strip()) for href, text in re.findall(r'<a[^>]*href="([^"]+)"[^>]*>([^<]+)<', dates)]


@pytest.fixture
def november():
    """Articles on 3 and 21 November 2025 (Sofia time), one in December 2025 and one in March 2024."""
    return [
        ArticleFactory(published_at=datetime(2025, 11, 3, 9, 0, tzinfo=UTC)),
        ArticleFactory(published_at=datetime(2025, 11, 21, 23, 30, tzinfo=UTC)),  # 22 November in Sofia
        ArticleFactory(published_at=datetime(2025, 11, 21, 8, 0, tzinfo=UTC)),
        ArticleFactory(published_at=datetime(2025, 12, 5, 10, 0, tzinfo=UTC)),
        ArticleFactory(published_at=datetime(2024, 3, 1, 10, 0, tzinfo=UTC)),
    ]


def test_month_lists_its_days_each_linking_to_the_day(client, november):
    html = client.get("/archive/2025/11/").content.decode()
    assert links(html) == [
        ("/archive/2025/11/03/", "3 Ноември"),
        ("/archive/2025/11/21/", "21 Ноември"),
        ("/archive/2025/11/22/", "22 Ноември"),
    ]


def test_year_lists_its_months_and_articles(client, november):
    response = client.get("/archive/2025/")
    assert response.status_code == 200
    html = response.content.decode()
    assert links(html) == [("/archive/2025/11/", "Ноември 2025"), ("/archive/2025/12/", "Декември 2025")]
    assert list(response.context["articles"]) == [november[3], november[1], november[2], november[0]]
    assert "<h1>Архив: 2025</h1>" in html
    assert 'href="/archive/2024/"' in html  # the year before


def test_index_groups_the_months_under_their_years(client, november):
    html = client.get(reverse("articles:archive")).content.decode()
    assert links(html) == [
        ("/archive/2025/", "2025"),
        ("/archive/2025/12/", "Декември 2025"),
        ("/archive/2025/11/", "Ноември 2025"),
        ("/archive/2024/", "2024"),
        ("/archive/2024/03/", "Март 2024"),
    ]


def test_day_links_up_to_its_month_and_year_and_to_the_days_around(client, november):
    html = client.get("/archive/2025/11/21/").content.decode()
    assert 'href="/archive/2025/11/">Ноември 2025</a>' in html and 'href="/archive/2025/">2025</a>' in html
    assert 'href="/archive/2025/11/20/"' in html and 'href="/archive/2025/11/22/"' in html


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/2025/11/21/", "/archive/2025/11/21/"),
        ("/2025/11/", "/archive/2025/11/"),
        ("/2025/", "/archive/2025/"),
    ],
)
def test_an_article_address_cut_short_leads_to_the_archive(client, november, path, target):
    response = client.get(path)
    assert response.status_code == 301 and response.headers["Location"] == target
    assert client.get(target).status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/2025/13/", "/2025/02/30/", "/0/", "/99999999999999999999/01/", "/archive/2025/13/", "/archive/0/"],
)
def test_impossible_dates_are_404(client, path):
    assert client.get(path).status_code == 404


def test_a_section_never_takes_the_site_pages_prefix():
    assert SectionFactory(name="Info", slug="").slug == "info-2"


def test_a_section_never_takes_an_all_digit_address(client):
    section = SectionFactory(name="2026", slug="")
    assert section.slug != "2026" and client.get(section.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("path", ["/archive/2025/", "/archive/2025/11/", "/archive/2025/11/21/"])
def test_archive_pages_are_stored_by_the_page_cache(client, november, path):
    client.get(path)
    assert client.get(path).headers["X-Page-Cache"] == "hit"


@pytest.mark.parametrize(
    ("path", "budget"), [("/archive/2025/", 4), ("/archive/2025/11/", 4), ("/archive/2025/11/21/", 3)]
)
def test_archive_query_budget(client, november, django_assert_max_num_queries, path, budget):
    client.get("/")  # warm the navigation cache
    with django_assert_max_num_queries(budget):
        assert client.get(path).status_code == 200
