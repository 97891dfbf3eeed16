from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ImageFactory,
    SectionFactory,
    SourceFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_article():
    tags = [TagFactory(name="Армения", slug="armenia"), TagFactory(name="Азербайджан", slug="azerbaydzhan")]
    article = ArticleFactory(
        title="Азербайджан и Армения подписаха споразумение",
        slug="azerbaydzhan-i-armenia-podpisaha-sporazumenie",
        lead="Двете страни се договориха за граничните въпроси.",
        body="<p>Първи абзац на новината.</p>",
        source=SourceFactory(short_name="БГНЕС", attribution="предаде БГНЕС"),
        source_url="https://bgnes.example/story/1",
        published_at=datetime(2025, 12, 5, 12, 32, tzinfo=UTC),
        lead_image=ImageFactory(caption="Подписването в Баку", credit="БГНЕС", alt_text="Двама министри"),
        tags=tags,
        authors=[AuthorFactory(name="Мария Петрова", slug="maria-petrova")],
    )
    ArticleFactory(title="Свързана новина за Армения", lead="Едно изречение.", tags=tags[:1])
    return article


def test_article_page_shows_what_the_reference_page_shows(client, full_article):
    response = client.get(full_article.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "5 Декември, 2025 14:32" in html  # Europe/Sofia, UTC+2
    assert "Азербайджан и Армения подписаха споразумение" in html
    assert "Двете страни се договориха" in html
    assert "Подписването в Баку" in html and "Снимка: БГНЕС" in html
    assert 'alt="Двама министри"' in html
    assert "Първи абзац на новината." in html
    assert '<a href="https://bgnes.example/story/1" rel="noopener nofollow">предаде БГНЕС</a>' in html
    assert "Мария Петрова" in html and "/author/maria-petrova/" in html
    assert 'href="/tag/armenia/"' in html
    assert "Сподели:" in html
    assert "Коментари (0)" in html
    assert "Свързани статии" in html and "Свързана новина за Армения" in html
    assert 'rel="canonical" href="http://testserver/2025/12/05/azerbaydzhan-i-armenia-podpisaha-sporazumenie/"' in html


def test_article_page_encodes_share_links_from_the_canonical_url(client, full_article):
    html = client.get(full_article.get_absolute_url()).content.decode()
    encoded = "http%3A%2F%2Ftestserver%2F2025%2F12%2F05%2Fazerbaydzhan-i-armenia-podpisaha-sporazumenie%2F"
    assert f"https://www.facebook.com/sharer/sharer.php?u={encoded}" in html


def test_updated_time_is_shown_only_when_set(client):
    article = ArticleFactory()
    assert "Обновена" not in client.get(article.get_absolute_url()).content.decode()
    article.content_updated_at = timezone.now()
    article.save()
    assert "Обновена" in client.get(article.get_absolute_url()).content.decode()


def test_drafts_and_scheduled_articles_are_404_for_readers(client):
    for article in (ArticleFactory(draft=True), ArticleFactory(scheduled=True)):
        response = client.get(article.get_absolute_url())
        assert response.status_code == 404
        assert "Страницата не е намерена" in response.content.decode()


def test_staff_previews_a_draft_uncached_and_noindex(staff_client):
    article = ArticleFactory(draft=True)
    response = staff_client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "Преглед" in response.content.decode()
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"


def test_unknown_article_is_404(client):
    assert client.get("/2025/01/01/nyama-takava/").status_code == 404


def test_wrong_date_redirects_permanently_to_the_canonical_url(client, article):
    response = client.get(f"/2001/01/01/{article.slug}/")
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


def test_old_slug_redirects_permanently(client, article):
    article = Article.objects.get(pk=article.pk)
    old_url = article.get_absolute_url()
    article.slug = "novo-zaglavie"
    article.save()
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


def test_old_slug_of_an_unpublished_article_is_404(client):
    article = ArticleFactory(slug="star")
    article = Article.objects.get(pk=article.pk)
    old_url = article.get_absolute_url()
    article.slug = "nov"
    article.status = "archived"
    article.save()
    assert client.get(old_url).status_code == 404


def test_home_shows_top_story_latest_and_section_blocks(client):
    sport = SectionFactory(name="Спорт", slug="sport")
    featured = ArticleFactory(
        title="Голямата новина", is_featured=True, published_at=timezone.now() - timedelta(days=1)
    )
    newer = ArticleFactory(title="По-нова новина", section=sport)
    ArticleFactory(title="Скрита чернова", draft=True)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["top"] == featured
    assert newer in response.context["latest"]
    assert "Спорт" in html and "По-нова новина" in html
    assert "Скрита чернова" not in html


@pytest.mark.parametrize("kind", ["section", "tag", "source", "author"])
def test_listing_pages_show_only_their_published_articles(client, kind):
    section, tag, source, author = SectionFactory(), TagFactory(), SourceFactory(), AuthorFactory()
    mine = ArticleFactory(section=section, tags=[tag], source=source, authors=[author], title="Моята статия")
    ArticleFactory(title="Чужда статия")
    ArticleFactory(section=section, tags=[tag], source=source, authors=[author], title="Моя чернова", draft=True)
    subject = {"section": section, "tag": tag, "source": source, "author": author}[kind]
    response = client.get(subject.get_absolute_url())
    assert response.status_code == 200
    assert list(response.context["articles"]) == [mine]
    html = response.content.decode()
    assert subject.name in html and "Чужда статия" not in html and "Моя чернова" not in html


def test_listing_of_unknown_slug_is_404(client):
    assert client.get("/tag/nyama/").status_code == 404
    assert client.get("/nyama-takav-razdel/").status_code == 404


def test_listings_paginate_newest_first(client, settings):
    section = SectionFactory()
    articles = [ArticleFactory(section=section, published_at=timezone.now() - timedelta(hours=h)) for h in range(25)]
    first = client.get(section.get_absolute_url())
    second = client.get(section.get_absolute_url() + "?page=2")
    assert list(first.context["articles"]) == articles[:20]
    assert list(second.context["articles"]) == articles[20:]
    assert 'rel="next"' in first.content.decode()


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999999", "99999999999999999999999", "1'--"])
def test_bad_page_numbers_are_404_not_500(client, page):
    SectionFactory()
    assert client.get(reverse("articles:latest"), {"page": page}).status_code == 404


def test_archive_pages(client):
    article = ArticleFactory(published_at=datetime(2025, 12, 5, 10, 0, tzinfo=UTC))
    ArticleFactory(draft=True)
    index = client.get(reverse("articles:archive"))
    month = client.get("/archive/2025/12/")
    day = client.get("/archive/2025/12/05/")
    empty_day = client.get("/archive/2025/12/06/")
    assert index.status_code == month.status_code == day.status_code == empty_day.status_code == 200
    assert list(month.context["articles"]) == [article] == list(day.context["articles"])
    assert "Декември 2025" in index.content.decode()
    assert list(empty_day.context["articles"]) == []


def test_sitemap_lists_published_articles_and_pages(client):
    article = ArticleFactory()
    draft = ArticleFactory(draft=True)
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    body = client.get("/sitemap-articles.xml").content.decode()
    assert article.get_absolute_url() in body and draft.slug not in body
    pages = client.get("/sitemap-pages.xml").content.decode()
    assert article.section.get_absolute_url() in pages


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


# Query budgets: measured with several rows of everything, so an N+1 would show.


@pytest.fixture
def busy_site():
    sections = SectionFactory.create_batch(5)
    tags = TagFactory.create_batch(6)
    authors = AuthorFactory.create_batch(3)
    for i in range(30):
        ArticleFactory(
            section=sections[i % 5],
            tags=tags[i % 3 : i % 3 + 3],
            authors=authors[:2],
            with_image=True,
            is_featured=i == 3,
        )
    return sections, tags, authors


@pytest.mark.parametrize(
    ("url_name", "budget"),
    [("home", 3), ("latest", 3), ("archive", 4)],
)
def test_page_query_budget(client, busy_site, django_assert_max_num_queries, url_name, budget):
    client.get("/")  # warm the navigation cache
    with django_assert_max_num_queries(budget):
        assert client.get(reverse(f"articles:{url_name}")).status_code == 200


@pytest.mark.parametrize("kind", [0, 1, 2])
def test_subject_listing_query_budget(client, busy_site, django_assert_max_num_queries, kind):
    client.get("/")
    subject = busy_site[kind][0]
    with django_assert_max_num_queries(3):
        assert client.get(subject.get_absolute_url()).status_code == 200


def test_article_page_query_budget(client, busy_site, django_assert_max_num_queries):
    article = Article.objects.published().filter(tags__isnull=False).first()
    for _ in range(5):
        article.pinned_related.add(ArticleFactory(with_image=True))
    client.get("/")  # warm the navigation cache
    # 6 for the article (its id first, then its row, tags, authors, pictures in the text and gallery:
    # docs/caching.md); 4 for related (three kinds of candidates, then the winners); 1 for the page of comment
    # threads (cached afterwards); 2 for live updates and correction notes (tests/articles/test_live.py).
    with django_assert_max_num_queries(13):
        assert client.get(article.get_absolute_url()).status_code == 200
