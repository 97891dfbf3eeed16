"""Which stories the home page shows, and where (frontpage/layout.py, docs/frontpage.md)."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Status
from frontpage.layout import LATEST, front_page
from frontpage.models import BlockSize
from tests.factories import ArticleFactory, SectionFactory

from .factories import ArrangementFactory, ArrangementSectionFactory

pytestmark = pytest.mark.django_db


def page():
    return front_page(None, Article.objects.published().for_listing())


def ago(minutes: int):
    return timezone.now() - timedelta(minutes=minutes)


def every_article(front) -> list[Article]:
    blocks = [a for block in front.section_blocks for a in block.articles]
    return [front.lead, *front.secondary, *front.latest, *blocks]


def test_without_an_arrangement_the_home_page_is_as_it_always_was(client):
    sport = SectionFactory(name="Спорт", position=2)
    news = SectionFactory(name="Новини", position=1)
    others = [ArticleFactory(section=sport if i % 2 else news, published_at=ago(i)) for i in range(15)]
    top = ArticleFactory(is_featured=True, section=news, published_at=ago(7))
    front = page()
    assert front.lead == top and front.secondary == []
    assert front.latest == others[:LATEST]  # the newest, the top story aside
    assert [b.section for b in front.section_blocks] == [news, sport]
    assert all(len(b.articles) == 4 and not b.compact for b in front.section_blocks)
    assert front.section_blocks[0].articles[0] == others[0]  # as before: the blocks repeat the newest
    response = client.get(reverse("articles:home"))
    assert response.context["top"] == top and response.context["secondary"] == []


def test_without_a_top_story_the_newest_leads():
    newest, older = ArticleFactory(published_at=ago(1)), ArticleFactory(published_at=ago(5))
    front = page()
    assert front.lead == newest and front.latest == [older]


def test_the_arrangement_pins_the_lead_and_the_secondary_row_in_order():
    old_lead = ArticleFactory(published_at=ago(600))
    first, second = ArticleFactory(published_at=ago(500)), ArticleFactory(published_at=ago(400))
    ArticleFactory(is_featured=True, published_at=ago(1))
    ArrangementFactory(lead=old_lead, secondary=[second, first])
    front = page()
    assert front.lead == old_lead
    assert front.secondary == [second, first]


def test_latest_fills_what_is_not_pinned_and_no_article_shows_twice():
    section = SectionFactory()
    articles = [ArticleFactory(section=section, published_at=ago(i)) for i in range(20)]
    ArrangementFactory(lead=articles[3], secondary=[articles[0], articles[7]])
    ArrangementSectionFactory(arrangement__lead=None, arrangement__active_from=ago(60), section=section)  # older
    front = page()
    shown = every_article(front)
    assert len(shown) == len(set(shown))
    assert front.latest == [a for a in articles if a not in (articles[3], articles[0], articles[7])][:LATEST]
    assert [a for b in front.section_blocks for a in b.articles] == articles[15:19]  # the newest not shown yet


def test_an_empty_lead_is_filled_by_the_newest_top_story():
    featured = ArticleFactory(is_featured=True, published_at=ago(30))
    pinned = ArticleFactory(published_at=ago(60))
    ArticleFactory(published_at=ago(1))
    ArrangementFactory(lead=None, secondary=[pinned])
    front = page()
    assert front.lead == featured and front.secondary == [pinned]


@pytest.mark.parametrize(
    "take_down",
    [
        {"status": Status.DRAFT, "published_at": None},
        {"status": Status.ARCHIVED},
        {"published_at": timezone.now() + timedelta(days=1)},  # scheduled for later
    ],
    ids=["draft", "unpublished", "scheduled"],
)
def test_a_pinned_article_that_is_not_public_drops_out_and_latest_takes_its_place(take_down):
    lead, second, newest = ArticleFactory(published_at=ago(60)), ArticleFactory(published_at=ago(50)), ArticleFactory()
    ArrangementFactory(lead=lead, secondary=[second])
    Article.objects.filter(pk__in=[lead.pk, second.pk]).update(**take_down)
    front = page()
    assert lead not in every_article(front) and second not in every_article(front)
    assert front.lead == newest and front.secondary == []


def test_a_scheduled_pin_shows_once_its_time_comes():
    due = timezone.now() + timedelta(hours=2)
    scheduled = ArticleFactory(published_at=due)
    ArticleFactory()
    ArrangementFactory(lead=scheduled)
    assert page().lead != scheduled
    with time_machine.travel(due + timedelta(seconds=1), tick=False):
        assert page().lead == scheduled


def test_section_blocks_follow_the_arrangement_order_sizes_and_hidden_ones():
    a, b, c, d = (SectionFactory(name=name, position=i) for i, name in enumerate("АБВГ"))
    for section in (a, b, c, d):
        ArticleFactory.create_batch(20, section=section, published_at=ago(500))  # the newest 13 go to "latest"
    arrangement = ArrangementFactory(lead=None)
    ArrangementSectionFactory(arrangement=arrangement, section=c, position=1, stories=6, size=BlockSize.COMPACT)
    ArrangementSectionFactory(arrangement=arrangement, section=a, position=2, stories=2)
    ArrangementSectionFactory(arrangement=arrangement, section=b, position=3, stories=0)
    front = page()
    blocks = [(block.section, len(block.articles), block.compact) for block in front.section_blocks]
    # c and a as arranged, b hidden, d (not listed) after them in its usual place and size
    assert blocks == [(c, 6, True), (a, 2, False), (d, 4, False)]


def test_a_scheduled_arrangement_takes_over_at_its_time():
    now_lead, later_lead = ArticleFactory(published_at=ago(90)), ArticleFactory(published_at=ago(80))
    ArticleFactory()
    ArrangementFactory(lead=now_lead)
    at = timezone.now() + timedelta(hours=1)
    ArrangementFactory(lead=later_lead, active_from=at)
    assert page().lead == now_lead
    with time_machine.travel(at + timedelta(seconds=1), tick=False):
        assert page().lead == later_lead


def test_the_home_page_shows_the_arranged_rows_in_order(client):
    sport = SectionFactory(name="Спорт", position=5)
    world = SectionFactory(name="Свят", position=1)
    for section in (sport, world):
        ArticleFactory.create_batch(20, section=section, published_at=ago(30))
    lead = ArticleFactory(title="Водещата история", published_at=ago(600))
    second = ArticleFactory(title="Втората история", published_at=ago(700))
    arrangement = ArrangementFactory(lead=lead, secondary=[second])
    ArrangementSectionFactory(arrangement=arrangement, section=sport, position=1, size=BlockSize.COMPACT)
    html = client.get(reverse("articles:home")).content.decode()
    rows = ("Водещата история", "Втората история", 'id="latest-heading"', 'id="section-')
    order = [html.index(text) for text in rows]
    assert order == sorted(order)
    assert html.index('id="section-' + sport.slug) < html.index('id="section-' + world.slug)
    assert 'class="section-block section-block--compact"' in html


def test_a_cached_home_page_switches_to_a_scheduled_arrangement_at_its_time(client):
    from tests.caching.helpers import state

    now_lead = ArticleFactory(title="Сегашната водеща", published_at=ago(90))
    later_lead = ArticleFactory(title="Вечерната водеща", published_at=ago(80))
    ArrangementFactory(lead=now_lead)
    at = timezone.now() + timedelta(seconds=20)  # within PAGE_CACHE_TTL: only the announced time retires the page
    ArrangementFactory(lead=later_lead, active_from=at)
    home = reverse("articles:home")
    assert client.get(home).context["top"] == now_lead
    assert state(client.get(home)) == "hit"
    with time_machine.travel(at + timedelta(milliseconds=10), tick=False):
        response = client.get(home)
        assert state(response) != "hit" and response.context["top"] == later_lead
