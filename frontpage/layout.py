"""What readers get from the front page app: the home page's stories and the breaking-news banners.

Both read the newsroom's rows through fragments kept under the site's generation (docs/caching.md), which
``signals.announce`` renews on every change and at every time a banner starts or ends or an arrangement applies.
"""

import time
from dataclasses import dataclass
from itertools import groupby

import caching
from articles.models import Article, Section

from .models import SECONDARY_LIMIT, SECTION_STORIES, Arrangement, ArrangementSection, ArrangementStory, BreakingNews

LATEST = 12  # the "latest news" grid under the arranged stories
BANNERS_KEPT = 20  # banners not ended yet, kept in the fragment
BANNERS_SHOWN = 3


@dataclass
class FrontPage:
    lead: Article | None
    secondary: list[Article]
    latest: list[Article]
    section_blocks: list[tuple[Section, list[Article]]]


def current_plan() -> dict:
    """The arrangement that applies now, as ids (the automatic front page when there is none): what the
    fragment keeps. Three small queries."""
    arrangement = Arrangement.objects.applicable().values_list("pk", "lead_id").first()
    if arrangement is None:
        return {"lead": None, "secondary": [], "sections": []}
    pk, lead_id = arrangement
    secondary = ArrangementStory.objects.filter(arrangement_id=pk).values_list("article_id", flat=True)
    sections = ArrangementSection.objects.filter(arrangement_id=pk).values_list("section_id", "stories")
    return {"lead": lead_id, "secondary": list(secondary[:SECONDARY_LIMIT]), "sections": list(sections)}


def front_page(request, published) -> FrontPage:
    """The home page's stories, none twice: the lead, the secondary row, the newest of the rest, the section blocks.

    ``published``: the articles readers may see, as cards show them (``published().for_listing()``). Pinned
    articles that are not public (any more, or yet) leave their place to the newest. With the plan's fragment
    warm: one query for the pinned articles (none without pins), one for the newest, one for the blocks.
    """
    plan = caching.fragment(request, "front-page", current_plan)
    pinned_ids = [pk for pk in [plan["lead"], *plan["secondary"]] if pk]
    pinned = {a.pk: a for a in published.filter(pk__in=pinned_ids)} if pinned_ids else {}
    lead = pinned.get(plan["lead"])
    secondary = [pinned[pk] for pk in plan["secondary"] if pk in pinned and pk != plan["lead"]]
    shown = {a.pk for a in [lead, *secondary] if a}
    newest = list(published.exclude(pk__in=shown)[: LATEST + 1])
    if lead is None:  # as without an arrangement: the newest top story, else the newest story
        lead = next((a for a in newest if a.is_featured), newest[0] if newest else None)
    latest = [a for a in newest if a != lead][:LATEST]
    shown |= {a.pk for a in [lead, *latest] if a}
    blocks = section_blocks(published.exclude(pk__in=shown), plan["sections"])
    return FrontPage(lead=lead, secondary=secondary, latest=latest, section_blocks=blocks)


def section_blocks(articles, sizes) -> list[tuple[Section, list[Article]]]:
    """The newest of ``articles`` in each section, in one query: the sections ``sizes`` lists ((section id,
    stories) pairs) first, in its order and sizes (0: hidden), then the others in their own order."""
    size = dict(sizes)
    order = {section_id: index for index, (section_id, _stories) in enumerate(sizes)}
    hidden = [section_id for section_id, stories in sizes if stories == 0]
    ranked = articles.exclude(section_id__in=hidden).top_per_section(max([SECTION_STORIES, *size.values()]))
    by_section = ranked.order_by("section__position", "section__name", "-published_at")
    blocks = [
        (section, list(items)[: size.get(section.pk, SECTION_STORIES)])
        for section, items in groupby(by_section, key=lambda a: a.section)
    ]
    blocks.sort(key=lambda block: order.get(block[0].pk, len(order)))  # stable: the rest keep their order
    return blocks


def banners() -> list[tuple[str, str, float, float]]:
    """Every banner not ended or cleared, newest first: (headline, the article's address while it is public,
    start and end in seconds since the epoch). One query; kept as a fragment."""
    rows = (
        BreakingNews.objects.pending()
        .select_related("article")
        .only("headline", "starts_at", "expires_at", *(f"article__{f}" for f in ARTICLE_FIELDS))
    )
    return [
        (
            banner.headline,
            banner.article.get_absolute_url() if banner.article and banner.article.is_public else "",
            banner.starts_at.timestamp(),
            banner.expires_at.timestamp(),
        )
        for banner in rows[:BANNERS_KEPT]
    ]


ARTICLE_FIELDS = ("slug", "status", "published_at", "created_at")  # what is_public and the address read


def live_banners(request) -> list[dict[str, str]]:
    """The banners to show now: picked at the time of the page from those kept, so a banner a lost schedule
    did not renew still ends with the page's own life (PAGE_CACHE_TTL)."""
    kept = banners() if request is None else caching.fragment(request, "breaking", banners)
    now = time.time()
    live = [{"headline": h, "url": url} for h, url, starts, ends in kept if starts <= now < ends]
    return live[:BANNERS_SHOWN]
