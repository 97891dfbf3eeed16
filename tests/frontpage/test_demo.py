"""The demo front page: seeded after the demo articles, again without changes, removed by reset."""

from io import StringIO

import pytest
from django.urls import reverse

from frontpage import demo
from frontpage.models import Arrangement, BreakingNews

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_articles(monkeypatch):
    """The demo stories the seeder pins, as articles (not the whole demo: no pictures to draw)."""
    from articles.demo import STORIES, story_slug
    from tests.factories import ArticleFactory

    for story in STORIES:
        if story.state == "published" and story.title.startswith((demo.LEAD, *demo.SECONDARY, demo.BANNER_STORY)):
            ArticleFactory(title=story.title, slug=story_slug(story))


def test_the_demo_arranges_the_front_page_and_leaves_no_banner_on(demo_articles, client):
    out = StringIO()
    demo.seed(stdout=out)
    arrangement = Arrangement.objects.get(name=demo.ARRANGEMENT_NAME)
    assert arrangement.lead.title.startswith(demo.LEAD)
    assert arrangement.secondary.count() == len(demo.SECONDARY)
    banner = BreakingNews.objects.get(headline=demo.BANNER_HEADLINE)
    assert not banner.is_live
    html = client.get(reverse("articles:home")).content.decode()
    assert 'class="breaking"' not in html and 'class="secondary-stories"' in html
    demo.seed(stdout=out)  # again: nothing new
    assert Arrangement.objects.count() == 1 and BreakingNews.objects.count() == 1
    demo.reset(stdout=out)
    assert not Arrangement.objects.exists() and not BreakingNews.objects.exists()


def test_the_demo_waits_for_the_demo_articles():
    out = StringIO()
    demo.seed(stdout=out)
    assert "no demo articles" in out.getvalue() and not Arrangement.objects.exists()
