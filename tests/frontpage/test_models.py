"""The front page's rows: what the database and the forms refuse, which banners and arrangements apply."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from frontpage.models import Arrangement, BreakingNews
from tests.factories import ArticleFactory

from .factories import ArrangementFactory, ArrangementSectionFactory, ArrangementStoryFactory, BreakingNewsFactory

pytestmark = pytest.mark.django_db


def test_a_new_banner_is_live_for_three_hours_by_default():
    banner = BreakingNews.objects.create(headline="Извънредно")
    assert banner.is_live
    assert timedelta(hours=2, minutes=59) < banner.expires_at - timezone.now() <= timedelta(hours=3)
    assert list(BreakingNews.objects.live()) == [banner]


def test_live_and_pending_banners():
    live = BreakingNewsFactory()
    endless = BreakingNewsFactory(expires_at=None)
    later = BreakingNewsFactory(starts_at=timezone.now() + timedelta(hours=1))
    BreakingNewsFactory(ended=True)
    BreakingNewsFactory(cleared=True)
    assert set(BreakingNews.objects.live()) == {live, endless}
    assert set(BreakingNews.objects.pending()) == {live, endless, later}
    assert live.is_live and endless.is_live and not later.is_live


def test_a_banner_must_end_after_it_starts():
    now = timezone.now()
    banner = BreakingNews(headline="Обратно", starts_at=now, expires_at=now - timedelta(minutes=1))
    with pytest.raises(ValidationError) as error:
        banner.full_clean()
    assert "expires_at" in error.value.message_dict
    with pytest.raises(IntegrityError):
        banner.save()


def test_a_banner_links_to_an_article_or_an_address_not_both():
    banner = BreakingNews(headline="Двойно", article=ArticleFactory(), url="https://example.org/")
    with pytest.raises(ValidationError) as error:
        banner.full_clean()
    assert "url" in error.value.message_dict


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/file", "не е адрес"])
def test_a_banner_address_is_http_or_https(url):
    with pytest.raises(ValidationError) as error:
        BreakingNews(headline="Връзка", url=url).full_clean()
    assert "url" in error.value.message_dict


def test_only_published_articles_can_be_picked():
    draft = ArticleFactory(draft=True)
    for instance in (
        BreakingNews(headline="Чернова", article=draft),
        Arrangement(name="Чернова", lead=draft),
    ):
        with pytest.raises(ValidationError):
            instance.full_clean()


def test_the_newest_arrangement_whose_time_has_come_applies():
    ArrangementFactory(active_from=timezone.now() - timedelta(days=1))
    current = ArrangementFactory(active_from=timezone.now() - timedelta(hours=1))
    upcoming = ArrangementFactory(active_from=timezone.now() + timedelta(hours=1))
    assert Arrangement.objects.applicable().first() == current
    assert list(Arrangement.objects.upcoming()) == [upcoming]


def test_an_article_appears_once_per_arrangement():
    story = ArrangementStoryFactory()
    with pytest.raises(IntegrityError):
        ArrangementStoryFactory(arrangement=story.arrangement, article=story.article)


def test_a_section_block_shows_at_most_twelve_stories():
    block = ArrangementSectionFactory.build(stories=13)
    with pytest.raises(ValidationError) as error:
        block.full_clean(exclude=["arrangement", "section"])
    assert "stories" in error.value.message_dict
