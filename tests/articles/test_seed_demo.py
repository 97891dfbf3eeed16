import json
import re
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles import demo
from articles.demo_content import IMAGES, SECTIONS, STORIES
from articles.models import Article, Author, Image, Section, Source, Status, Tag
from articles.sanitize import clean_body
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

REAL_DRAW = demo.draw_picture  # the autouse fixture below swaps in a cached, smaller copy
_pictures: dict = {}
calls: list = []


def first_seeder(*, stdout):
    calls.append(("first", stdout))


def second_seeder(*, stdout):
    calls.append(("second", stdout))
    stdout.write("second seeder wrote this")


@pytest.fixture(autouse=True)
def small_images(monkeypatch, settings):
    """Only this seeder, with small pictures drawn once per test session (intake and renditions still run)."""
    settings.DEMO_SEEDERS = ["articles.demo.seed"]
    monkeypatch.setattr(demo, "IMAGE_SIZE", (400, 266))
    draw = demo.draw_picture

    def cached(section, seed):
        if (section, seed) not in _pictures:
            _pictures[(section, seed)] = draw(section, seed)
        return _pictures[(section, seed)].copy()

    monkeypatch.setattr(demo, "draw_picture", cached)


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def media_files(settings) -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def snapshot(settings) -> dict:
    return {
        "counts": {m.__name__: m.objects.count() for m in (Section, Tag, Source, Author, Image, Article)},
        "links": (
            Article.tags.through.objects.count(),
            Article.authors.through.objects.count(),
            Article.pinned_related.through.objects.count(),
        ),
        "articles": sorted(
            Article.objects.values_list("slug", "published_at", "modified_at", "lead_image_id", "body", "status")
        ),
        "images": sorted(Image.objects.values_list("pk", "file", "renditions")),
        "files": media_files(settings),
    }


def test_seed_demo_fills_the_portal_with_published_articles():
    out = seed()

    published = Article.objects.published()
    assert published.count() >= 40
    assert Section.objects.count() >= 5
    assert sorted(Section.objects.values_list("position", flat=True)) == list(range(1, len(SECTIONS) + 1))
    assert set(Section.objects.values_list("name", flat=True)) >= {"България", "Свят", "Икономика", "Спорт", "Култура"}
    assert Tag.objects.count() >= 25
    assert {"София", "Пловдив", "Народно събрание", "Европейски съюз", "НАТО", "инфлация", "футбол"} <= set(
        Tag.objects.values_list("name", flat=True)
    )
    assert Source.objects.exclude(attribution="").count() >= 4
    assert Author.objects.count() >= 3
    assert published.exclude(source_url="").count() >= 3
    assert 1 <= published.filter(is_featured=True).count() <= 2
    assert Article.pinned_related.through.objects.count() >= 3
    assert "Demo content ready" in out
    assert re.search(r"in \d+\.\d\d s", out)


def test_seeded_articles_are_complete_news_stories():
    seed()

    for article in Article.objects.published().prefetch_related("tags", "authors").select_related("lead_image"):
        assert article.title and article.slug
        assert len(article.lead) <= 200
        assert not re.search(r"[.!?…] [А-ЯA-Z„]", article.lead), f"lead of {article.slug} is not one sentence"
        assert 3 <= article.body.count("<p>") <= 6
        assert "<blockquote>" in article.body and "<h2>" in article.body
        assert article.body == clean_body(article.body)
        assert 2 <= len(article.tags.all()) <= 5
        assert 1 <= len(article.authors.all()) <= 2
        image = article.lead_image
        assert image is not None, article.slug
        assert (image.width, image.height) == demo.IMAGE_SIZE
        assert image.caption and image.credit and image.alt_text
        assert image.renditions
        assert all(default_storage.exists(name) for name in [image.file.name, *image.renditions.values()])
    assert Article.objects.published().filter(body__contains="<ul>").exists()


def test_seeded_dates_fall_within_the_last_30_days_at_plausible_hours():
    seed()

    now = timezone.now()
    sofia = ZoneInfo("Europe/Sofia")
    for published_at in Article.objects.published().values_list("published_at", flat=True):
        assert now - timedelta(days=30) <= published_at <= now
        assert 7 <= published_at.astimezone(sofia).hour <= 22
    days = {p.astimezone(sofia).date() for p in Article.objects.published().values_list("published_at", flat=True)}
    assert len(days) >= 20


def test_one_scheduled_and_one_draft_article_stay_hidden_from_readers(client):
    seed()

    scheduled = Article.objects.get(status=Status.PUBLISHED, published_at__gt=timezone.now())
    draft = Article.objects.get(status=Status.DRAFT)
    assert timezone.now() + timedelta(days=1) < scheduled.published_at <= timezone.now() + timedelta(days=2)
    published = Article.objects.published()
    assert scheduled not in published and draft not in published
    assert client.get(scheduled.get_absolute_url()).status_code == 404
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_second_run_changes_nothing(settings):
    seed()
    before = snapshot(settings)

    out = seed()

    assert snapshot(settings) == before
    assert "(0 drawn)" in out and "0 created, 0 updated, 0 links changed" in out


def test_scheduled_story_is_rescheduled_once_its_time_has_come():
    seed()
    scheduled = Article.objects.scheduled().get()
    Article.objects.filter(pk=scheduled.pk).update(published_at=timezone.now() - timedelta(minutes=5))

    seed()

    assert Article.objects.scheduled().get().pk == scheduled.pk


def test_images_that_lost_their_files_are_drawn_again(settings):
    seed()
    image = Image.objects.get(caption=IMAGES["parliament"][1])
    default_storage.delete(image.file.name)

    out = seed()

    image.refresh_from_db()
    assert "(1 drawn)" in out
    assert default_storage.exists(image.file.name)
    assert Image.objects.filter(caption=IMAGES["parliament"][1]).count() == 1


def test_edited_demo_article_is_brought_back_in_line():
    seed()
    article = Article.objects.get(slug=demo.story_slug(STORIES[0]))
    article.tags.clear()
    Article.objects.filter(pk=article.pk).update(lead="Променен увод.")

    seed()

    article.refresh_from_db()
    assert article.lead == STORIES[0].lead
    assert sorted(article.tags.values_list("name", flat=True)) == sorted(STORIES[0].tags)


def test_reset_deletes_demo_rows_and_files_but_keeps_what_editors_added(settings, django_capture_on_commit_callbacks):
    seed()
    section = Section.objects.get(slug="sport")
    own = ArticleFactory(section=section, slug="redaktsionna-statia")
    old_files = media_files(settings)
    old_ids = set(Article.objects.exclude(pk=own.pk).values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        out = seed("--reset")

    assert "removed 49 articles and 24 images" in out
    assert Article.objects.filter(pk=own.pk, section=section).exists()
    assert not old_ids & set(Article.objects.values_list("pk", flat=True))
    assert Article.objects.published().count() >= 40
    assert not old_files & media_files(settings)
    assert Image.objects.count() == len(IMAGES)


def test_seed_demo_runs_the_seeders_named_in_settings_in_order(settings):
    calls.clear()
    settings.DEMO_SEEDERS = [f"{__name__}.first_seeder", f"{__name__}.second_seeder"]

    out = seed()

    assert [name for name, _ in calls] == ["first", "second"]
    assert all(stdout is not None for _, stdout in calls)
    assert "second seeder wrote this" in out
    assert f"{__name__}.second_seeder:" in out
    assert Article.objects.count() == 0


def test_seed_demo_reports_a_seeder_it_cannot_import(settings):
    settings.DEMO_SEEDERS = ["articles.demo.no_such_seeder"]

    with pytest.raises(CommandError, match="no_such_seeder"):
        seed()


def test_demo_pages_render(client):
    seed()
    featured = Article.objects.published().filter(is_featured=True).order_by("-published_at").first()

    home = client.get("/")
    detail = client.get(featured.get_absolute_url())

    assert home.status_code == 200
    assert featured.title in home.text
    assert detail.status_code == 200
    assert "<blockquote>" in detail.text
    assert featured.lead_image.caption in detail.text


def test_seed_demo_writes_the_sites_pages_that_the_footer_links_to(client):
    from pages.models import Page

    seed()
    titles = ["За нас", "Контакти", "Правила за коментиране", "Поверителност и бисквитки"]
    assert list(Page.objects.values_list("title", flat=True)) == titles
    footer = client.get("/").text.split('<footer class="site-footer">', 1)[1]
    links = [re.sub(r"<[^>]+>", "", link) for link in re.findall(r"<a [^>]*>.*?</a>", footer)]
    assert links == [*titles, "Корекции"]  # and the corrections page (docs/live-and-corrections.md)
    kept = list(Page.objects.values_list("slug", "body", "updated_at"))

    seed()

    assert list(Page.objects.values_list("slug", "body", "updated_at")) == kept
    for page in Page.objects.all():
        assert client.get(page.get_absolute_url()).status_code == 200


def test_every_seeded_story_from_an_agency_names_it_in_its_structured_data(client):
    seed()
    from_sources = Article.objects.published().filter(source__isnull=False).select_related("source")
    assert from_sources.count() > from_sources.exclude(source_url="").count() > 0
    for article in from_sources:
        html = client.get(article.get_absolute_url()).text
        data = json.loads(
            re.search(r'<script type="application/ld\+json">(\{"@context".*?"NewsArticle".*?)</script>', html).group(1)
        )
        assert data["sourceOrganization"]["name"] == article.source.name, article.slug
        assert data.get("isBasedOn", "") == article.source_url, article.slug


def test_timeline_keeps_every_story_in_the_past_even_just_after_midnight():
    sofia = ZoneInfo("Europe/Sofia")
    for now in (datetime(2026, 3, 29, 0, 20, tzinfo=sofia), datetime(2026, 7, 1, 23, 50, tzinfo=sofia)):
        times = demo.timeline(now)
        assert len(times) == sum(story.state == "published" for story in STORIES)
        assert all(now - timedelta(days=30) <= t <= now - timedelta(minutes=15) for t in times.values())


def test_drawn_picture_is_a_1200_by_800_composition(monkeypatch):
    monkeypatch.setattr(demo, "IMAGE_SIZE", (1200, 800))

    picture = REAL_DRAW("sport", "stadium")

    assert (picture.size, picture.mode) == ((1200, 800), "RGB")
    assert picture.getcolors(maxcolors=1000) is None  # a gradient with shapes, not a flat fill
    assert REAL_DRAW("sport", "stadium").tobytes() == picture.tobytes()  # the same key draws the same picture
