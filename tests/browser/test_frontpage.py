"""The front page in a real browser: an editor flags breaking news and clears it, an editor arranges the home
page; readers at 375 and 1280 px, with and without JavaScript, see both; the curated home page with the banner
passes the page-quality checks (Nu HTML Checker, axe-core, no sideways scrolling at 375 px)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from articles.roles import EDITOR
from frontpage.models import Arrangement, BreakingNews
from tests.browser.conftest import _context, watch
from tests.browser.helpers import serve_media, sign_in, staff_user
from tests.browser.quality import axe_results, has_horizontal_scroll, nu_results, start_nu
from tests.browser.test_page_quality import choose_language
from tests.factories import ArticleFactory, SectionFactory
from tests.frontpage.factories import ArrangementFactory, ArrangementSectionFactory, BreakingNewsFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADLINE = "Земетресение с магнитуд 4,9 край София, няма пострадали"
READERS = [(375, True), (1280, False), (1280, True), (375, False)]  # width, JavaScript


@pytest.fixture
def readers(browser, live_server):
    """Anonymous readers beside the editor, each in a context of its own: (width, JavaScript) -> page."""
    pages, contexts = {}, []
    for width, js in READERS:
        context = _context(browser, java_script_enabled=js, viewport={"width": width, "height": 900})
        serve_media(context, live_server)
        contexts.append(context)
        pages[(width, js)] = watch(context.new_page())
    yield pages
    for context in contexts:
        context.close()


def choose(page, scope: str, text: str) -> None:
    """Pick ``text`` in an autocomplete (select2) field inside ``scope``, as an editor does: click, type, choose."""
    page.locator(f"{scope} .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=re.compile(f"^{re.escape(text)}$")).click()


def site(*, sections=("Политика", "Спорт", "Култура"), per_section=6):
    made = [SectionFactory(name=name, position=i) for i, name in enumerate(sections, start=1)]
    for section in made:
        for i in range(per_section):
            ArticleFactory(
                section=section,
                title=f"{section.name}: новина {i}",
                published_at=timezone.now() - timedelta(hours=1, minutes=i),
            )
    return made


def test_an_editor_flags_breaking_news_readers_see_it_everywhere_and_it_goes_when_cleared(live_server, page, readers):
    site()
    story = ArticleFactory(title="Трус с магнитуд 4,9 разлюля София", published_at=timezone.now() - timedelta(hours=2))
    base = live_server.url
    sign_in(page, live_server, staff_user(EDITOR))

    page.goto(base + reverse("admin:frontpage_breakingnews_add"))
    page.fill("#id_headline", HEADLINE)
    choose(page, ".field-article", story.title)
    expect(page.locator("#id_expires_at_0")).not_to_have_value("")  # three hours unless the editor says otherwise
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    banner = BreakingNews.objects.get()
    assert banner.is_live and banner.article == story

    for (width, js), reader in readers.items():
        for url in ("/", story.get_absolute_url(), story.section.get_absolute_url()):
            reader.goto(base + url)
            region = reader.get_by_role("region", name="Извънредно")
            expect(region).to_be_visible()
            expect(region.get_by_role("heading", name="Извънредно")).to_be_visible()
            expect(region.get_by_role("link", name=HEADLINE)).to_have_attribute("href", story.get_absolute_url())
            assert not has_horizontal_scroll(reader), (width, js, url)
        reader.goto(base + "/")
        reader.get_by_role("region", name="Извънредно").get_by_role("link", name=HEADLINE).click()
        expect(reader).to_have_url(base + story.get_absolute_url())

    page.goto(base + reverse("admin:frontpage_breakingnews_change", args=[banner.pk]))
    page.get_by_role("button", name="Свали банера сега").click()
    expect(page.locator(".messagelist")).to_contain_text("Банерът е свален")
    banner.refresh_from_db()
    assert banner.cleared_at is not None

    for reader in readers.values():
        for url in ("/", story.get_absolute_url()):
            reader.goto(base + url)
            expect(reader.locator(".breaking")).to_have_count(0)
            expect(reader.get_by_text(HEADLINE)).to_have_count(0)
        assert reader.problems == []
    assert page.problems == []


def test_an_editor_arranges_the_front_page_and_readers_see_it_in_order(live_server, page, readers):
    politics, _sport, culture = site(per_section=10)  # the newest 12 go to "latest", none twice
    two_days_ago = timezone.now() - timedelta(days=2)
    lead = ArticleFactory(title="Водеща: новият бюджет", section=politics, published_at=two_days_ago)
    second = [
        ArticleFactory(title=f"Второстепенна {i}", section=culture, published_at=timezone.now() - timedelta(days=3))
        for i in (1, 2)
    ]
    base = live_server.url
    sign_in(page, live_server, staff_user(EDITOR))

    page.goto(base + reverse("admin:frontpage_arrangement_add"))
    page.fill("#id_name", "Бюджетът на първа страница")
    choose(page, ".field-lead", lead.title)
    choose(page, "#secondary-0 .field-article", second[1].title)
    choose(page, "#secondary-1 .field-article", second[0].title)
    # Every section is listed already, in its usual order: sport goes first, compact, with 5 headlines.
    rows = {page.locator(f"#id_sections-{i}-section option:checked").inner_text(): i for i in range(3)}
    page.fill(f"#id_sections-{rows['Спорт']}-position", "0")
    page.fill(f"#id_sections-{rows['Спорт']}-stories", "5")
    page.select_option(f"#id_sections-{rows['Спорт']}-size", "compact")
    page.fill(f"#id_sections-{rows['Култура']}-stories", "0")  # hidden
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    assert Arrangement.objects.get().lead == lead

    for (width, js), reader in readers.items():
        reader.goto(base + "/")
        expect(reader.locator(".top-story .card__title")).to_have_text(lead.title)
        expect(reader.locator(".secondary-stories .card__title")).to_have_text([second[1].title, second[0].title])
        expect(reader.locator(".section-block h2")).to_have_text(["Спорт", "Политика"])
        expect(reader.locator(".section-block--compact li")).to_have_count(5)
        titles = reader.locator(".card__title, .headline-list a").all_inner_texts()
        assert len(titles) == len(set(titles)), (width, js)  # no story twice
        assert not has_horizontal_scroll(reader), (width, js)
        assert reader.problems == []
    assert page.problems == []


def test_the_curated_home_page_with_the_banner_is_valid_and_accessible(
    live_server, page, axe_page, axe_script, vnu_jar, artifacts_dir
):
    politics, sport, culture = site(per_section=8)
    story = ArticleFactory(title="Водеща история на деня", section=politics, with_image=True)
    arrangement = ArrangementFactory(
        lead=story, secondary=[ArticleFactory(section=s, with_image=True) for s in (sport, culture, politics)]
    )
    ArrangementSectionFactory(arrangement=arrangement, section=sport, position=1, stories=6, size="compact")
    BreakingNewsFactory(headline=HEADLINE, article=story)
    for p in (page, axe_page):
        serve_media(p.context, live_server)
    html_dir = artifacts_dir.parent / "html"
    html_dir.mkdir(exist_ok=True)
    pages = {"home": "/", "article": story.get_absolute_url()}
    problems, files = [], []
    for frame in ("bg", "en"):
        choose_language(page, live_server, frame)
        for name, url in pages.items():
            key = f"frontpage-{frame}-{name}"
            page.set_viewport_size({"width": 375, "height": 800})
            response = page.goto(live_server.url + url)
            assert response.status == 200
            expect(page.locator(".breaking")).to_be_visible()
            (html_dir / f"{key}.html").write_bytes(response.body())
            files.append(html_dir / f"{key}.html")
            if has_horizontal_scroll(page):
                problems.append(f"{key}: horizontal scroll at 375 px")
            page.screenshot(path=str(artifacts_dir / f"{key}-375.png"), full_page=True)
            page.set_viewport_size({"width": 1280, "height": 800})
            page.screenshot(path=str(artifacts_dir / f"{key}-1280.png"), full_page=True)
    checker = start_nu(vnu_jar, files)
    for frame in ("bg", "en"):
        choose_language(axe_page, live_server, frame)
        for name, url in pages.items():
            axe_page.goto(live_server.url + url)
            found = axe_results(axe_page, axe_script)
            problems += [f"{frame}-{name}: axe {text}" for impact, text in found if impact in ("serious", "critical")]
    for file, errors in nu_results(checker).items():
        problems += [f"{file}: nu {e}" for e in errors]
    problems += [f"csp/js: {p}" for p in page.problems]
    assert problems == [], "\n".join(problems)
