from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from articles.models import Article, ArticleRedirect, Section, Status
from tests.factories import ArticleFactory, SectionFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_published_includes_past_articles():
    article = ArticleFactory(published_at=timezone.now() - timedelta(minutes=1))
    assert list(Article.objects.published()) == [article]
    assert article.is_public


def test_published_excludes_drafts():
    article = ArticleFactory(draft=True)
    assert not Article.objects.published().exists()
    assert not article.is_public


def test_published_excludes_scheduled_articles():
    article = ArticleFactory(scheduled=True)
    assert not Article.objects.published().exists()
    assert list(Article.objects.scheduled()) == [article]
    assert article.is_scheduled and not article.is_public


@pytest.mark.parametrize("status", [Status.REVIEW, Status.ARCHIVED])
def test_published_excludes_other_statuses(status):
    ArticleFactory(status=status)
    assert not Article.objects.published().exists()


def test_slug_is_made_from_the_cyrillic_headline():
    article = ArticleFactory(title="Щъркелите в България се завръщат", slug="")
    assert article.slug == "shtarkelite-v-bulgaria-se-zavrashtat"


def test_slug_collisions_get_a_number():
    first = ArticleFactory(title="Буря над Варна", slug="")
    second = ArticleFactory(title="Буря над Варна", slug="")
    third = ArticleFactory(title="Буря над Варна", slug="")
    assert [first.slug, second.slug, third.slug] == ["burya-nad-varna", "burya-nad-varna-2", "burya-nad-varna-3"]


def test_changed_slug_leaves_a_redirect():
    article = ArticleFactory(slug="stara-adresa")
    article = Article.objects.get(pk=article.pk)
    article.slug = "nova-adresa"
    article.save()
    assert ArticleRedirect.objects.get(old_slug="stara-adresa").article == article


def test_changing_back_to_an_old_slug_removes_its_redirect():
    article = ArticleFactory(slug="a")
    article = Article.objects.get(pk=article.pk)
    article.slug = "b"
    article.save()
    article.slug = "a"
    article.save()
    assert list(ArticleRedirect.objects.values_list("old_slug", flat=True)) == ["b"]


def test_body_is_sanitised_on_save():
    article = ArticleFactory(body='<p onclick="x()">Здравей<script>alert(1)</script></p><a href="javascript:x">y</a>')
    assert "script" not in article.body
    assert "onclick" not in article.body
    assert "javascript" not in article.body
    assert "Здравей" in article.body


def test_publishing_without_a_time_stamps_now():
    article = ArticleFactory(status=Status.PUBLISHED, published_at=None)
    assert article.published_at is not None


def test_database_refuses_published_without_time():
    article = ArticleFactory()
    with pytest.raises(IntegrityError):
        Article.objects.filter(pk=article.pk).update(published_at=None)


def test_absolute_url_carries_the_sofia_date():
    # 22:30 UTC on 4 December is already 5 December in Sofia.
    article = ArticleFactory(slug="x", published_at=datetime(2025, 12, 4, 22, 30, tzinfo=UTC))
    assert article.get_absolute_url() == "/2025/12/05/x/"


def test_attribution_line_prefers_the_article_then_the_source():
    source = SourceFactory(short_name="БГНЕС", attribution="предаде БГНЕС")
    assert ArticleFactory(source=source).attribution_line == "предаде БГНЕС"
    assert ArticleFactory(source=source, attribution="по информация на БГНЕС").attribution_line == (
        "по информация на БГНЕС"
    )
    assert ArticleFactory(source=None).attribution_line == ""


def test_source_without_phrase_is_credited_by_short_name():
    source = SourceFactory(short_name="Ройтерс", attribution="")
    assert "Ройтерс" in ArticleFactory(source=source).attribution_line


def test_section_slug_avoids_reserved_paths():
    section = Section.objects.create(name="Tag")
    assert section.slug == "tag-2"


def test_section_str_and_url():
    section = SectionFactory(name="Свят", slug="svyat")
    assert str(section) == "Свят"
    assert section.get_absolute_url() == "/svyat/"
