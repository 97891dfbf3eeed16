"""The rest of the article page: related thumbnails, the side rail, reading time (docs/article-page.md)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import override

import caching
from articles import stats
from articles.models import Article
from articles.templatetags.article_tags import reading_time
from tests.factories import ArticleFactory, AuthorFactory, ImageFactory, SectionFactory, TagFactory, png_bytes

pytestmark = pytest.mark.django_db


def related_list(html: str) -> str:
    return html.split('<ul class="related__list">', 1)[1].split("</ul>", 1)[0]


def rail(html: str) -> str:
    return html.split('<aside class="most-read"', 1)[1].split("</aside>", 1)[0]


# --- Related articles with thumbnails ------------------------------------------------------------------------


def test_related_items_show_the_smallest_webp_rendition_with_srcset_sizes_and_dimensions(client):
    tag = TagFactory()
    image = ImageFactory(file=ContentFile(png_bytes(1000, 600), name="big.png"), alt_text="Министри на масата")
    article = ArticleFactory(tags=[tag])
    ArticleFactory(title="Със снимка", lead="Едно изречение за снимката.", tags=[tag], lead_image=image)
    image.refresh_from_db()
    small = image.renditions["320"]

    item = related_list(client.get(article.get_absolute_url()).content.decode())

    thumb = re.search(r'<img class="related__thumb"[^>]*>', item).group(0)
    assert f'src="/media/{small}"' in thumb and small.endswith("-320.webp")
    assert 'srcset="' in thumb and " 320w" in thumb and " 1000w" in thumb and 'sizes="7.5rem"' in thumb
    assert 'width="320" height="192"' in thumb  # the rendition's own size: the box is known before it loads
    assert 'loading="lazy"' in thumb and 'alt="Министри на масата"' in thumb
    assert "Със снимка</a>" in item and '<p class="related__lead">Едно изречение за снимката.</p>' in item


def test_a_related_item_without_an_image_gets_a_placeholder_hidden_from_screen_readers(client):
    tag = TagFactory()
    article = ArticleFactory(tags=[tag])
    ArticleFactory(title="Без снимка", tags=[tag])
    item = related_list(client.get(article.get_absolute_url()).content.decode())
    assert "<img" not in item
    assert '<span class="related__thumb related__thumb--empty" aria-hidden="true"></span>' in item


@pytest.mark.parametrize("related", [1, 6])
def test_article_page_query_budget_does_not_grow_with_related_thumbnails(
    client, django_assert_max_num_queries, related
):
    tag = TagFactory()
    article = ArticleFactory(tags=[tag], authors=[AuthorFactory(photo=ImageFactory())], with_image=True)
    ArticleFactory.create_batch(related, tags=[tag], with_image=True)
    client.get("/")  # warm the navigation and the boxes
    # The article: its id, its row, tags, authors (with photos); related: three kinds of candidates, the winners
    # with their images; the comment threads; pictures in the text and gallery (2); live updates and notes (2).
    with django_assert_max_num_queries(13):
        html = client.get(article.get_absolute_url()).content.decode()
    assert html.count('class="related__thumb"') == related


# --- The rail: most read and most commented --------------------------------------------------------------------


def test_most_commented_ranks_this_weeks_articles_by_comment_count_and_leaves_out_the_current_one(client):
    hot = ArticleFactory(title="Горещата", comment_count=30)
    warm = ArticleFactory(title="Топлата", comment_count=12)
    ArticleFactory(title="Миналомесечна", comment_count=99, published_at=timezone.now() - timedelta(days=8))
    ArticleFactory(title="Без коментари", comment_count=0)
    ArticleFactory(title="Чернова", comment_count=50, draft=True)

    assert [title for title, _, _ in stats.most_read_boxes(None)["commented"]] == ["Горещата", "Топлата"]
    on_hot = rail(client.get(hot.get_absolute_url()).content.decode())
    assert "Топлата" in on_hot and "Горещата" not in on_hot
    on_other = rail(client.get(warm.get_absolute_url()).content.decode())
    assert "Горещата" in on_other and "Топлата" not in on_other


def test_the_rail_fragment_is_cached_and_rebuilt_when_the_site_changes(django_assert_num_queries):
    first = ArticleFactory(title="Първа", comment_count=5)
    section = SectionFactory()
    stats.most_read_boxes(None)
    Article.objects.filter(pk=first.pk).update(comment_count=1)
    second = ArticleFactory.build(title="Втора", comment_count=3, section=section, source=None)
    Article.objects.bulk_create([second])  # neither write is seen by the signals
    with django_assert_num_queries(0):
        cached = stats.most_read_boxes(None)["commented"]
    assert [(title, n) for title, _, n in cached] == [("Първа", 5)]

    caching.site_changed()  # what cache_changed (or any save through the ORM) announces
    assert [(title, n) for title, _, n in stats.most_read_boxes(None)["commented"]] == [("Втора", 3), ("Първа", 1)]


def test_comment_counts_reach_the_rail_within_the_cache_ttl(settings):
    story = ArticleFactory(title="Обсъждана", comment_count=0)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert stats.most_read_boxes(None)["commented"] == []
        Article.objects.filter(pk=story.pk).update(comment_count=4)  # what the comments app's services do
        assert stats.most_read_boxes(None)["commented"] == []
        clock.shift(settings.PAGE_CACHE_TTL + 1)
        assert [title for title, _, _ in stats.most_read_boxes(None)["commented"]] == ["Обсъждана"]


@pytest.mark.parametrize("url", ["/", "/latest/", "article", "section"])
def test_home_listing_and_article_pages_put_the_rail_beside_their_content(client, url):
    commented = ArticleFactory(title="Коментирана", comment_count=2)
    article = ArticleFactory()
    url = {"article": article.get_absolute_url(), "section": article.section.get_absolute_url()}.get(url, url)
    html = client.get(url).content.decode()
    layout = html.split('<div class="with-rail">', 1)[1]
    main, after = layout.split('<aside class="most-read"', 1)
    assert '<div class="with-rail__main">' in main
    assert "Най-коментирани" in after and commented.title in after


# --- Reading time ------------------------------------------------------------------------------------------------


def words(n: int) -> str:
    return "<p>" + " ".join(["дума"] * n) + "</p>"


@pytest.mark.parametrize(
    ("body", "minutes"),
    [
        ("", 0),
        ("<p> </p>", 0),
        (words(1), 1),
        (words(200), 1),
        (words(201), 2),
        (words(799), 4),
        (words(2400), 12),
        ("<p>пет&nbsp;думи <strong>в</strong> <a href='https://x.example/'>два</a> абзаца</p><p>тук</p>", 1),
    ],
)
def test_reading_minutes_come_from_the_bodys_words_at_200_a_minute(body, minutes):
    assert Article(body=body).reading_minutes == minutes


def test_markup_is_not_counted_as_words():
    body = "<figure><img src='/a.webp' alt='дълъг алтернативен текст'></figure>" + words(200)
    assert Article(body=body).reading_minutes == 1


@pytest.mark.parametrize(
    ("language", "minutes", "label"),
    [
        ("bg", 1, "1 мин. четене"),
        ("bg", 4, "4 мин. четене"),
        ("bg", 21, "21 мин. четене"),
        ("en", 1, "1 minute read"),
        ("en", 4, "4 minutes read"),
    ],
)
def test_reading_time_label_uses_the_plural_forms_of_the_language(language, minutes, label):
    with override(language):
        assert reading_time(minutes) == label


def test_article_header_shows_the_reading_time(client):
    article = ArticleFactory(body=words(790))
    html = client.get(article.get_absolute_url()).content.decode()
    header = html.split('<header class="article__header">', 1)[1].split("</header>", 1)[0]
    assert '<span class="article__reading-time">4 мин. четене</span>' in header


def test_an_article_without_a_body_shows_no_reading_time(client):
    html = client.get(ArticleFactory(body="").get_absolute_url()).content.decode()
    assert "article__reading-time" not in html and "четене" not in html


# --- Byline ------------------------------------------------------------------------------------------------------


def test_byline_shows_a_small_photo_of_authors_who_have_one(client):
    with_photo = AuthorFactory(name="Мария Петрова", photo=ImageFactory())
    without = AuthorFactory(name="Иван Иванов")
    article = ArticleFactory(authors=[with_photo, without])
    byline = client.get(article.get_absolute_url()).content.decode().split('<p class="article__authors byline">')[1]
    byline = byline.split("</p>", 1)[0]
    photo = re.search(r'<img class="byline__photo"[^>]*>', byline).group(0)
    assert 'alt=""' in photo and 'width="64" height="48"' in photo  # the name follows in the same link
    assert byline.count("<img") == 1 and "Мария Петрова</a>" in byline and "Иван Иванов</a>" in byline
