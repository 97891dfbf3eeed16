"""The newsroom's side: an editor sets and clears the banner and arranges the home page in the admin."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.roles import EDITOR, MODERATOR
from frontpage.models import Arrangement, BlockSize, BreakingNews
from tests.caching.helpers import state
from tests.factories import ArticleFactory, SectionFactory, newsroom_user

from .factories import BreakingNewsFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(newsroom_user(EDITOR))
    return client


def parts(moment) -> tuple[str, str]:
    local = timezone.localtime(moment)
    return local.strftime("%d.%m.%Y"), local.strftime("%H:%M:%S")


def banner_data(**overrides) -> dict:
    starts, ends = parts(timezone.now() - timedelta(minutes=1)), parts(timezone.now() + timedelta(hours=2))
    return {
        "headline": "Голям пожар в центъра на Пловдив",
        "article": "",
        "url": "",
        "starts_at_0": starts[0],
        "starts_at_1": starts[1],
        "expires_at_0": ends[0],
        "expires_at_1": ends[1],
        "_save": "Save",
        **overrides,
    }


def arrangement_data(*, lead="", secondary=(), sections=(), **overrides) -> dict:
    day, time = parts(timezone.now() - timedelta(minutes=1))
    data = {
        "name": "Изборна нощ",
        "active_from_0": day,
        "active_from_1": time,
        "lead": str(lead),
        "secondary-TOTAL_FORMS": str(len(secondary)),
        "secondary-INITIAL_FORMS": "0",
        "sections-TOTAL_FORMS": str(len(sections)),
        "sections-INITIAL_FORMS": "0",
        "_save": "Save",
    }
    for i, pk in enumerate(secondary):
        data.update({f"secondary-{i}-article": str(pk), f"secondary-{i}-position": str(i + 1)})
    for i, (pk, stories, size) in enumerate(sections):
        data.update(
            {
                f"sections-{i}-section": str(pk),
                f"sections-{i}-position": str(i + 1),
                f"sections-{i}-stories": str(stories),
                f"sections-{i}-size": size,
            }
        )
    data.update(overrides)
    return data


def test_editors_run_the_front_page_and_moderators_do_not(client):
    for role, status in ((EDITOR, 200), (MODERATOR, 403)):
        client.force_login(newsroom_user(role))
        for name in ("frontpage_breakingnews_add", "frontpage_arrangement_add"):
            assert client.get(reverse(f"admin:{name}")).status_code == status, (role, name)


def test_an_editor_sets_a_banner_and_readers_see_it_at_once(editor_client, client):
    story = ArticleFactory()
    reader = type(client)()
    reader.get("/")
    assert state(reader.get("/")) == "hit"
    response = editor_client.post(reverse("admin:frontpage_breakingnews_add"), banner_data(article=story.pk))
    assert response.status_code == 302
    banner = BreakingNews.objects.get()
    assert banner.article == story and banner.is_live
    html = reader.get("/").content.decode()
    assert f'<a href="{story.get_absolute_url()}">Голям пожар в центъра на Пловдив</a>' in html


def test_the_banner_form_offers_article_autocomplete_and_explains_itself(editor_client):
    html = editor_client.get(reverse("admin:frontpage_breakingnews_add")).content.decode()
    assert 'class="admin-autocomplete' in html and 'name="article"' in html
    assert 'name="expires_at_0"' in html and 'name="_clear"' not in html  # nothing to clear yet
    assert "Едно кратко изречение" in html and "Празно: докато редактор не го свали." in html  # in Bulgarian


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"headline": ""}, "headline"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"expires_at_0": "01.01.2020"}, "expires_at"),
    ],
)
def test_a_bad_banner_is_refused_with_an_error(editor_client, overrides, field):
    response = editor_client.post(reverse("admin:frontpage_breakingnews_add"), banner_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not BreakingNews.objects.exists()


def test_a_banner_without_an_end_is_accepted(editor_client):
    data = banner_data(expires_at_0="", expires_at_1="", url="https://example.org/live")
    assert editor_client.post(reverse("admin:frontpage_breakingnews_add"), data).status_code == 302
    assert BreakingNews.objects.get().expires_at is None


def test_the_clear_button_takes_the_banner_off_every_page(editor_client, client):
    banner = BreakingNewsFactory(headline="Ще бъде свален")
    url = reverse("admin:frontpage_breakingnews_change", args=[banner.pk])
    assert 'name="_clear"' in editor_client.get(url).content.decode()
    reader = type(client)()
    assert "Ще бъде свален" in reader.get("/").content.decode()
    data = banner_data(headline=banner.headline, _clear="1")
    data.pop("_save")
    assert editor_client.post(url, data).status_code == 302
    banner.refresh_from_db()
    assert banner.cleared_at is not None and not banner.is_live
    assert "Ще бъде свален" not in reader.get("/").content.decode()


def test_the_clear_action_takes_selected_banners_off(editor_client):
    live, other = BreakingNewsFactory(), BreakingNewsFactory()
    response = editor_client.post(
        reverse("admin:frontpage_breakingnews_changelist"),
        {"action": "clear_now", "_selected_action": [live.pk]},
    )
    assert response.status_code == 302
    live.refresh_from_db(), other.refresh_from_db()
    assert live.cleared_at is not None and other.cleared_at is None


def test_the_banner_list_shows_each_one_s_state(editor_client):
    BreakingNewsFactory(headline="Сега"), BreakingNewsFactory(headline="Свършил", ended=True)
    response = editor_client.get(reverse("admin:frontpage_breakingnews_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "status-badge--published" in html and "status-badge--draft" in html


def test_a_new_arrangement_starts_from_every_section_in_order(editor_client):
    first, second = SectionFactory(position=1), SectionFactory(position=2)
    html = editor_client.get(reverse("admin:frontpage_arrangement_add")).content.decode()
    assert f'<option value="{first.pk}" selected>' in html and f'<option value="{second.pk}" selected>' in html
    assert 'name="secondary-0-article"' in html and 'class="admin-autocomplete' in html
    assert "Компактен: само заглавия" in html and "0 скрива блока." in html


def test_an_editor_arranges_the_home_page_and_readers_see_it_at_once(editor_client, client):
    sport, world = SectionFactory(name="Спорт", position=2), SectionFactory(name="Свят", position=1)
    for section in (sport, world):
        ArticleFactory.create_batch(16, section=section)
    lead = ArticleFactory(title="Водеща: изборите", published_at=timezone.now() - timedelta(days=2))
    seconds = [ArticleFactory(published_at=timezone.now() - timedelta(days=3)) for _ in range(3)]
    reader = type(client)()
    reader.get("/")
    data = arrangement_data(
        lead=lead.pk,
        secondary=[s.pk for s in seconds],
        sections=[(sport.pk, 6, BlockSize.COMPACT), (world.pk, 2, BlockSize.LARGE)],
    )
    response = editor_client.post(reverse("admin:frontpage_arrangement_add"), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    arrangement = Arrangement.objects.get()
    assert [s.article for s in arrangement.secondary.all()] == seconds
    page = reader.get("/")
    assert page.context["top"] == lead and page.context["secondary"] == seconds
    assert [(b.section, len(b.articles), b.compact) for b in page.context["section_blocks"]] == [
        (sport, 6, True),
        (world, 2, False),
    ]


@pytest.mark.parametrize("problem", ["lead again", "five", "draft lead", "same section twice", "too many stories"])
def test_a_bad_arrangement_is_refused_with_an_error(editor_client, problem):
    section = SectionFactory()
    lead, draft = ArticleFactory(), ArticleFactory(draft=True)
    others = [ArticleFactory().pk for _ in range(5)]
    data = {
        "lead again": arrangement_data(lead=lead.pk, secondary=[lead.pk]),
        "five": arrangement_data(lead=lead.pk, secondary=others),
        "draft lead": arrangement_data(lead=draft.pk),
        "same section twice": arrangement_data(sections=[(section.pk, 4, "large"), (section.pk, 2, "compact")]),
        "too many stories": arrangement_data(sections=[(section.pk, 13, "large")]),
    }[problem]
    response = editor_client.post(reverse("admin:frontpage_arrangement_add"), data)
    assert response.status_code == 200
    assert response.context["errors"]
    assert not Arrangement.objects.exists()


def test_article_autocomplete_offers_published_articles_only(editor_client):
    ArticleFactory(title="Публикувана за избор"), ArticleFactory(title="Чернова за избор", draft=True)
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "frontpage", "model_name": "arrangement", "field_name": "lead", "term": "за избор"},
    )
    assert [r["text"] for r in response.json()["results"]] == ["Публикувана за избор"]


def test_the_arrangement_list_says_which_one_is_on_the_site(editor_client):
    from .factories import ArrangementFactory

    ArrangementFactory(name="Старата", active_from=timezone.now() - timedelta(days=1))
    ArrangementFactory(name="Текущата")
    ArrangementFactory(name="Утрешната", active_from=timezone.now() + timedelta(days=1))
    html = editor_client.get(reverse("admin:frontpage_arrangement_changelist")).content.decode()
    assert html.count("status-badge--published") == 1
    assert html.count("status-badge--scheduled") == 1 and html.count("status-badge--draft") == 1


def test_the_secondary_rows_come_numbered_and_can_be_added_without_the_admin_script(editor_client):
    from .factories import ArrangementFactory

    html = editor_client.get(reverse("admin:frontpage_arrangement_add")).content.decode()
    for n in range(4):
        assert f'name="secondary-{n}-position" value="{n + 1}"' in html
    arrangement = ArrangementFactory(secondary=[ArticleFactory()])
    html = editor_client.get(reverse("admin:frontpage_arrangement_change", args=[arrangement.pk])).content.decode()
    assert 'name="secondary-3-article"' in html and 'name="secondary-4-article"' not in html  # 1 kept + 3 empty
