"""The home page's query budget stays the same however many sections, articles and pins there are."""

import pytest
from django.urls import reverse

from frontpage.models import BlockSize
from tests.factories import ArticleFactory, SectionFactory

from .factories import ArrangementFactory, ArrangementSectionFactory, BreakingNewsFactory

pytestmark = pytest.mark.django_db

# Without the page cache, fragments warm (navigation, most read, the plan, the banner): the pinned articles,
# the newest, the section blocks.
HOME_BUDGET = 3


def build_site(sections: int, per_section: int, *, arranged: bool):
    made = [SectionFactory() for _ in range(sections)]
    articles = [ArticleFactory(section=s, with_image=True) for s in made for _ in range(per_section)]
    BreakingNewsFactory(article=articles[0])
    if arranged:
        arrangement = ArrangementFactory(lead=articles[-1], secondary=articles[1:5])
        for position, section in enumerate(reversed(made)):
            size = BlockSize.COMPACT if position % 2 else BlockSize.LARGE
            ArrangementSectionFactory(arrangement=arrangement, section=section, position=position, size=size)


@pytest.mark.parametrize("arranged", [False, True], ids=["automatic", "arranged"])
@pytest.mark.parametrize(("sections", "per_section"), [(1, 1), (8, 12)], ids=["small", "large"])
def test_home_query_budget_is_constant(
    client, settings, django_assert_max_num_queries, arranged, sections, per_section
):
    settings.PAGE_CACHE_ENABLED = False
    build_site(sections, per_section, arranged=arranged)
    client.get(reverse("articles:home"))  # warm the fragments
    with django_assert_max_num_queries(HOME_BUDGET):
        assert client.get(reverse("articles:home")).status_code == 200


def test_home_queries_with_cold_fragments_stay_few(client, settings, django_assert_max_num_queries):
    settings.PAGE_CACHE_ENABLED = False
    build_site(8, 12, arranged=True)
    # + the plan (3), the banner, the navigation, the footer's pages, the most-read boxes (3): measured 12
    with django_assert_max_num_queries(HOME_BUDGET + 9):
        assert client.get(reverse("articles:home")).status_code == 200
