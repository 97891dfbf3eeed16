"""The demo front page, loaded by ``manage.py seed_demo`` (settings.DEMO_SEEDERS), after the demo articles.

A curated arrangement: a lead story, four secondary stories from other sections, and the section blocks in
an order of the newsroom's own (Sport and Technology as compact lists of headlines). A breaking-news banner
is seeded too, but already ended: it shows the newsroom what one looks like in the admin, and the site shows
no banner that nobody remembers to clear. "Save as new" on it, with a later end, puts one on every page.

Idempotent: the rows are found by their name and headline; an arrangement an editor has changed is left as it is.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from articles.demo import STORIES, story_slug
from articles.models import Article, Section

from .models import Arrangement, ArrangementSection, ArrangementStory, BlockSize, BreakingNews
from .signals import announce

ARRANGEMENT_NAME = "Демо: подредена начална страница"
BANNER_HEADLINE = "Демо: земетресение с магнитуд 5,8 в Западна Турция, няма пострадали българи"

LEAD = "Лидерите на ЕС се договориха"  # the start of the demo stories' titles
SECONDARY = (
    "Годишната инфлация се забави",
    "Националният отбор по футбол победи",
    "Народният театър открива сезона",
    "Силен вятър и проливен дъжд затвориха",
)
BANNER_STORY = "Земетресение с магнитуд 5,8"
# slug: (stories, size), in the order the home page shows them; sections not listed follow.
SECTION_BLOCKS = {
    "svyat": (4, BlockSize.LARGE),
    "bulgaria": (4, BlockSize.LARGE),
    "ikonomika": (4, BlockSize.LARGE),
    "sport": (6, BlockSize.COMPACT),
    "kultura": (4, BlockSize.LARGE),
    "tehnologii": (6, BlockSize.COMPACT),
}


def _demo_articles(*beginnings: str) -> dict[str, Article]:
    """The published demo articles whose titles start so, by beginning."""
    slugs = {story_slug(s): b for b in beginnings for s in STORIES if s.title.startswith(b) and s.state == "published"}
    return {slugs[a.slug]: a for a in Article.objects.published().filter(slug__in=slugs)}


def seed(*, stdout) -> None:
    """Create the demo arrangement and the (ended) demo banner if missing."""
    now = timezone.now()
    articles = _demo_articles(LEAD, *SECONDARY, BANNER_STORY)
    if LEAD not in articles:
        stdout.write("frontpage.demo: no demo articles yet (run articles.demo.seed first).")
        return
    with transaction.atomic():
        arrangement, created = Arrangement.objects.get_or_create(
            name=ARRANGEMENT_NAME, defaults={"lead": articles[LEAD], "active_from": now - timedelta(hours=1)}
        )
        if created:
            ArrangementStory.objects.bulk_create(
                ArrangementStory(arrangement=arrangement, article=articles[b], position=i)
                for i, b in enumerate(SECONDARY, start=1)
                if b in articles
            )
            sections = Section.objects.in_bulk(list(SECTION_BLOCKS), field_name="slug")
            ArrangementSection.objects.bulk_create(
                ArrangementSection(arrangement=arrangement, section=sections[slug], position=i, stories=n, size=size)
                for i, (slug, (n, size)) in enumerate(SECTION_BLOCKS.items(), start=1)
                if slug in sections
            )
        _banner, banner_created = BreakingNews.objects.get_or_create(
            headline=BANNER_HEADLINE,
            defaults={
                "article": articles.get(BANNER_STORY),
                "starts_at": now - timedelta(hours=4),
                "expires_at": now - timedelta(hours=1),
            },
        )
        announce()  # bulk_create sends no signals
    stdout.write(
        f"frontpage.demo: arrangement {'created' if created else 'kept'}, "
        f"breaking-news example {'created' if banner_created else 'kept'} (ended: no banner on the site)."
    )


def reset(*, stdout) -> None:
    """Delete the demo arrangement and the demo banner."""
    with transaction.atomic():
        arrangements, _ = Arrangement.objects.filter(name=ARRANGEMENT_NAME).delete()
        banners, _ = BreakingNews.objects.filter(headline=BANNER_HEADLINE).delete()
    stdout.write(f"frontpage.demo: {arrangements + banners} rows deleted.")
