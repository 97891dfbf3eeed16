"""Factories of the front page app (kept here, next to its tests; tests/factories.py holds the other apps')."""

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from tests.factories import ArticleFactory, SectionFactory


class BreakingNewsFactory(DjangoModelFactory):
    """A banner on the site now, for three hours."""

    class Meta:
        model = "frontpage.BreakingNews"

    headline = factory.Sequence(lambda n: f"Извънредна новина номер {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=5))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=3))

    class Params:
        ended = factory.Trait(expires_at=factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1)))
        cleared = factory.Trait(cleared_at=factory.LazyFunction(timezone.now))


class ArrangementFactory(DjangoModelFactory):
    """An arrangement that applies now (``secondary``: articles in order)."""

    class Meta:
        model = "frontpage.Arrangement"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Подредба {n}")
    active_from = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1))
    lead = factory.SubFactory(ArticleFactory)

    @factory.post_generation
    def secondary(self, create, extracted, **kwargs):
        for position, article in enumerate(extracted or [], start=1):
            ArrangementStoryFactory(arrangement=self, article=article, position=position)


class ArrangementStoryFactory(DjangoModelFactory):
    class Meta:
        model = "frontpage.ArrangementStory"

    arrangement = factory.SubFactory(ArrangementFactory)
    article = factory.SubFactory(ArticleFactory)
    position = 0


class ArrangementSectionFactory(DjangoModelFactory):
    class Meta:
        model = "frontpage.ArrangementSection"

    arrangement = factory.SubFactory(ArrangementFactory)
    section = factory.SubFactory(SectionFactory)
    position = 0
    stories = 4
