from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, SectionFactory, TagFactory

pytestmark = pytest.mark.django_db


def ago(hours):
    return timezone.now() - timedelta(hours=hours)


def test_related_orders_pinned_then_shared_tags_then_section_then_newest():
    section, other = SectionFactory(), SectionFactory()
    t1, t2, t3 = TagFactory.create_batch(3)
    pinned = ArticleFactory(section=other, published_at=ago(100))
    article = ArticleFactory(section=section, tags=[t1, t2, t3], pinned=[pinned])
    two_tags = ArticleFactory(section=other, tags=[t1, t2], published_at=ago(50))
    one_tag_same_section = ArticleFactory(section=section, tags=[t3], published_at=ago(40))
    one_tag_other_section_newer = ArticleFactory(section=other, tags=[t1], published_at=ago(2))
    same_section_old = ArticleFactory(section=section, published_at=ago(30))
    same_section_new = ArticleFactory(section=section, published_at=ago(3))
    ArticleFactory(section=other)  # unrelated: no tag, other section

    related = list(Article.objects.related_to(article, limit=10))

    assert related == [
        pinned,
        two_tags,
        one_tag_same_section,
        one_tag_other_section_newer,
        same_section_new,
        same_section_old,
    ]


def test_related_never_includes_the_article_itself_or_unpublished_ones():
    tag = TagFactory()
    article = ArticleFactory(tags=[tag])
    ArticleFactory(tags=[tag], draft=True)
    ArticleFactory(tags=[tag], scheduled=True)
    pinned_draft = ArticleFactory(draft=True)
    article.pinned_related.add(pinned_draft)
    assert list(Article.objects.related_to(article)) == []


def test_related_is_limited():
    tag = TagFactory()
    article = ArticleFactory(tags=[tag])
    ArticleFactory.create_batch(8, tags=[tag])
    assert len(Article.objects.related_to(article, limit=6)) == 6


@pytest.mark.parametrize("others", [5, 40])
def test_related_takes_fixed_queries_however_many_articles_share_a_tag(others, django_assert_num_queries):
    tags = TagFactory.create_batch(3)
    article = ArticleFactory(tags=tags)
    ArticleFactory.create_batch(others, tags=tags)
    article = Article.objects.prefetch_related("tags").get(pk=article.pk)
    # The candidates (sharing tags, pinned, newest of the section): one UNION ALL where the database
    # allows a LIMIT inside one (PostgreSQL), three queries elsewhere; then the winners' rows.
    lookups = 1 if connection.features.supports_slicing_ordering_in_compound else 3
    with django_assert_num_queries(lookups + 1):
        assert len(list(Article.objects.related_to(article))) == min(others, 6)


def test_top_per_section_keeps_the_newest_of_each_section():
    a, b = SectionFactory(), SectionFactory()
    newest_a = [ArticleFactory(section=a, published_at=ago(h)) for h in (1, 2)]
    ArticleFactory(section=a, published_at=ago(3))
    only_b = ArticleFactory(section=b, published_at=ago(5))
    top = set(Article.objects.published().top_per_section(2))
    assert top == {*newest_a, only_b}
