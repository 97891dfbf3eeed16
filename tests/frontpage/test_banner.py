"""The breaking-news banner: on every page, linked, gone when it ends or is cleared, with the page cache on."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from articles.models import Status
from frontpage.models import BreakingNews
from tests.caching.helpers import state
from tests.factories import ArticleFactory, AuthorFactory, CommentFactory, PageFactory, TagFactory

from .factories import BreakingNewsFactory

pytestmark = pytest.mark.django_db

BANNER = 'class="breaking"'


@pytest.fixture
def story(db):
    return ArticleFactory(title="Статия на сайта", tags=[TagFactory()], authors=[AuthorFactory()])


def page_urls(story) -> dict[str, str]:
    site_page = PageFactory()
    return {
        "home": reverse("articles:home"),
        "article": story.get_absolute_url(),
        "latest": reverse("articles:latest"),
        "section": story.section.get_absolute_url(),
        "tag": story.tags.first().get_absolute_url(),
        "source": story.source.get_absolute_url(),
        "author": story.authors.first().get_absolute_url(),
        "archive": reverse("articles:archive"),
        "search": reverse("articles:search") + "?q=статия",
        "site page": site_page.get_absolute_url(),
        "comment thread": reverse("comments:thread", kwargs={"pk": CommentFactory(article=story).pk}),
        "not found": "/няма-такава-страница/",
    }


def test_the_banner_shows_on_every_page_type_with_its_heading_and_link(client, story):
    BreakingNewsFactory(headline="Силно земетресение в Турция", article=story)
    for kind, url in page_urls(story).items():
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == (404 if kind == "not found" else 200), kind
        assert BANNER in html, kind
        assert 'aria-labelledby="breaking-heading"' in html and '<h2 class="breaking__label"' in html, kind
        assert f'<a href="{story.get_absolute_url()}">Силно земетресение в Турция</a>' in html, kind


def test_no_banner_without_a_live_one(client, story):
    BreakingNewsFactory(ended=True)
    BreakingNewsFactory(cleared=True)
    BreakingNewsFactory(starts_at=timezone.now() + timedelta(hours=1))  # later
    assert BANNER not in client.get(reverse("articles:home")).content.decode()


def test_one_banner_at_a_time_the_newest_started(client):
    BreakingNewsFactory(headline="По-стара", starts_at=timezone.now() - timedelta(hours=1))
    BreakingNewsFactory(headline="По-нова")
    html = client.get(reverse("articles:home")).content.decode()
    assert "По-нова" in html and "По-стара" not in html


def test_the_banner_links_to_an_address_or_to_nothing(client):
    BreakingNewsFactory(headline="На живо от мястото", url="https://example.org/live")
    assert '<a href="https://example.org/live">На живо от мястото</a>' in client.get("/").content.decode()


def test_a_banner_s_article_taken_down_leaves_the_headline_without_a_link(client, story):
    BreakingNewsFactory(headline="Текст без връзка", article=story)
    story.status = Status.ARCHIVED
    story.save()
    html = client.get("/").content.decode()
    assert "Текст без връзка" in html and f'href="{story.get_absolute_url()}"' not in html


def test_the_headline_is_escaped(client):
    BreakingNewsFactory(headline='<script>alert(1)</script>"')
    html = client.get("/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_a_cached_page_drops_the_banner_when_it_ends(client, story):
    ends = timezone.now() + timedelta(seconds=20)  # well within PAGE_CACHE_TTL: only the announced end retires it
    BreakingNewsFactory(headline="Временно извънредно", expires_at=ends)
    for url in (reverse("articles:home"), story.get_absolute_url()):
        assert "Временно извънредно" in client.get(url).content.decode()
        cached = client.get(url)
        assert state(cached) == "hit" and "Временно извънредно" in cached.content.decode()
        with time_machine.travel(ends - timedelta(seconds=1), tick=False):
            response = client.get(url)
            assert state(response) == "hit" and "Временно извънредно" in response.content.decode()
        with time_machine.travel(ends + timedelta(milliseconds=10), tick=False):
            response = client.get(url)  # no write at the time: the announced end is part of the generation
            assert "Временно извънредно" not in response.content.decode()
            assert BANNER not in response.content.decode()


def test_a_banner_that_starts_later_appears_on_cached_pages_at_its_time(client):
    starts = timezone.now() + timedelta(seconds=20)
    BreakingNewsFactory(headline="Насрочено извънредно", starts_at=starts)
    assert "Насрочено извънредно" not in client.get("/").content.decode()
    assert state(client.get("/")) == "hit"
    with time_machine.travel(starts + timedelta(milliseconds=10), tick=False):
        assert "Насрочено извънредно" in client.get("/").content.decode()


def test_setting_and_clearing_a_banner_show_at_once_on_cached_pages(client, story):
    url = story.get_absolute_url()
    client.get(url)
    assert state(client.get(url)) == "hit"
    banner = BreakingNews.objects.create(headline="Ново извънредно", expires_at=None)
    assert "Ново извънредно" in client.get(url).content.decode()
    banner.cleared_at = timezone.now()
    banner.save()
    assert "Ново извънредно" not in client.get(url).content.decode()


def test_a_banner_without_an_end_stays_until_cleared(client):
    BreakingNewsFactory(headline="Без край", expires_at=None)
    with time_machine.travel(timezone.now() + timedelta(days=30), tick=False):
        assert "Без край" in client.get("/").content.decode()
