"""What readers get from the front page app: the home page's stories and the breaking-news banner.

Both read the newsroom's rows through fragments kept under the site's generation (docs/caching.md), which
``signals.announce`` renews on every change and at every time a banner starts or ends or an arrangement applies.
"""

import time
from dataclasses import dataclass
from itertools import groupby

import caching
from articles.models import Article, Section

from .models import (
    SECONDARY_LIMIT,
    SECTION_STORIES,
    Arrangement,
    ArrangementSection,
    ArrangementStory,
    BlockSize,
    BreakingNews,
)

LATEST = 12  # the "latest news" grid under the lead (and the secondary row)
BANNERS_KEPT = 20  # banners not ended yet, kept in the fragment (one is shown: the newest started)


@dataclass
class SectionBlock:
    section: Section
    articles: list[Article]
    compact: bool = False


@dataclass
class FrontPage:
    lead: Article | None
    secondary: list[Article]
    latest: list[Article]
    section_blocks: list[SectionBlock]


def current_plan() -> dict | None:
    """The arrangement that applies now, as ids (None: there is none): what the fragment keeps. Three small
    queries (one without an arrangement)."""
    arrangement = Arrangement.objects.applicable().values_list("pk", "lead_id").first()
    if arrangement is None:
        return None
    pk, lead_id = arrangement
    secondary = ArrangementStory.objects.filter(arrangement_id=pk).values_list("article_id", flat=True)
    sections = ArrangementSection.objects.filter(arrangement_id=pk).values_list("section_id", "stories", "size")
    return {"lead": lead_id, "secondary": list(secondary[:SECONDARY_LIMIT]), "sections": list(sections)}


def front_page(request, published) -> FrontPage:
    """The home page's stories. ``published``: the articles readers may see, as cards show them
    (``published().for_listing()``).

    Without an arrangement: the newest top story (else the newest story), the newest others, and the newest
    of every section, as the home page always was. With one: its lead and secondary row, the newest of the
    rest, then the section blocks in its order and sizes, none twice. Pinned articles that are not public (any
    more, or yet) leave their place to the newest. With the plan's fragment warm: three queries.
    """
    plan = caching.fragment(request, "front-page", current_plan)
    if plan is None:
        newest = list(published[: LATEST + 1])
        lead = _top(newest)
        by_section = published.top_per_section(SECTION_STORIES).order_by(
            "section__position", "section__name", "-published_at"
        )
        blocks = [SectionBlock(section, list(items)) for section, items in groupby(by_section, key=_section)]
        latest = [a for a in newest if a != lead][:LATEST]
        return FrontPage(lead=lead, secondary=[], latest=latest, section_blocks=blocks)

    pinned_ids = [pk for pk in [plan["lead"], *plan["secondary"]] if pk]
    pinned = {a.pk: a for a in published.filter(pk__in=pinned_ids)} if pinned_ids else {}
    lead = pinned.get(plan["lead"])
    secondary = [pinned[pk] for pk in plan["secondary"] if pk in pinned and pk != plan["lead"]]
    shown = {a.pk for a in [lead, *secondary] if a}
    newest = list(published.exclude(pk__in=shown)[: LATEST + 1])
    if lead is None:
        lead = _top(newest)
    latest = [a for a in newest if a != lead][:LATEST]
    shown |= {a.pk for a in [lead, *latest] if a}
    blocks = section_blocks(published.exclude(pk__in=shown), plan["sections"])
    return FrontPage(lead=lead, secondary=secondary, latest=latest, section_blocks=blocks)


def _top(newest: list[Article]) -> Article | None:
    """The newest top story, else the newest story."""
    return next((a for a in newest if a.is_featured), newest[0] if newest else None)


def _section(article: Article) -> Section:
    return article.section


def section_blocks(articles, plan_sections) -> list[SectionBlock]:
    """The newest of ``articles`` in each section, in one query: the sections ``plan_sections`` lists ((section
    id, stories, size)) first, in its order and sizes (0 stories: hidden), then the others in their own order."""
    sizes = {section_id: (stories, size) for section_id, stories, size in plan_sections}
    order = {section_id: index for index, (section_id, _stories, _size) in enumerate(plan_sections)}
    hidden = [section_id for section_id, (stories, _size) in sizes.items() if stories == 0]
    most = max([SECTION_STORIES, *(stories for stories, _size in sizes.values())])
    ranked = articles.exclude(section_id__in=hidden).top_per_section(most)
    by_section = ranked.order_by("section__position", "section__name", "-published_at")
    blocks = []
    for section, items in groupby(by_section, key=_section):
        stories, size = sizes.get(section.pk, (SECTION_STORIES, BlockSize.LARGE))
        blocks.append(SectionBlock(section, list(items)[:stories], compact=size == BlockSize.COMPACT))
    blocks.sort(key=lambda block: order.get(block.section.pk, len(order)))  # stable: the rest keep their order
    return blocks


ARTICLE_FIELDS = ("slug", "status", "published_at", "created_at")  # what is_public and the address read


def banners() -> list[tuple[str, str, float, float]]:
    """Every banner not ended or cleared, newest first: (headline, its link, start and end in seconds since the
    epoch, the end ``inf`` when it has none). The link: the article's address while it is public, else the
    editor's address. One query; kept as a fragment."""
    rows = (
        BreakingNews.objects.pending()
        .select_related("article")
        .only("headline", "url", "starts_at", "expires_at", *(f"article__{f}" for f in ARTICLE_FIELDS))
    )
    kept = []
    for banner in rows[:BANNERS_KEPT]:
        article = banner.article
        link = article.get_absolute_url() if article is not None and article.is_public else banner.url
        ends = banner.expires_at.timestamp() if banner.expires_at else float("inf")
        kept.append((banner.headline, link, banner.starts_at.timestamp(), ends))
    return kept


def live_banner(request) -> dict[str, str] | None:
    """The banner to show now, picked at the time of the page from those kept: a banner whose end a lost
    schedule did not announce still goes with the page's own life (PAGE_CACHE_TTL)."""
    kept = caching.fragment(request, "breaking", banners)
    now = time.time()
    live = ({"headline": h, "url": url} for h, url, starts, ends in kept if starts <= now < ends)
    return next(live, None)
