from datetime import timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from .models import Article, Author, Section, Source, Tag


class LatestFromOneAggregate:
    """The index's lastmod of a sitemap of articles from one aggregate: Django's default calls ``lastmod`` on
    every item (5,000 rows read for the index alone, ~100 ms)."""

    def lastmod(self, article):
        return article.content_updated_at or article.published_at

    def get_latest_lastmod(self):
        latest = self.items().order_by().aggregate(latest=Max(Coalesce("content_updated_at", "published_at")))
        return latest["latest"]


class ArticleSitemap(LatestFromOneAggregate, Sitemap):
    changefreq = "daily"
    priority = 0.8
    limit = 5000

    def items(self):
        return Article.objects.published().only("slug", "published_at", "content_updated_at", "created_at")


class PageSitemap(Sitemap):
    """The listing pages: home, archive, sections, tags, sources and authors.

    Items are names and objects, and an address is built only for the page of the sitemap being shown:
    the index only counts them (building ~300 addresses there cost half its time).
    """

    changefreq = "hourly"
    priority = 0.5

    def items(self):
        pages = ["articles:home", "articles:archive"]
        for model in (Section, Tag, Source, Author):
            pages += list(model.objects.only("slug"))
        return pages

    def location(self, item):
        return reverse(item) if isinstance(item, str) else item.get_absolute_url()


class NewsSitemap(LatestFromOneAggregate, Sitemap):
    """Google News: articles published in the last ``NEWS_SITEMAP_DAYS`` days, at most 1,000 per page.

    Served at /sitemap-news.xml with the news template (portal/urls.py).
    """

    limit = 1000

    def items(self):
        since = timezone.now() - timedelta(days=settings.NEWS_SITEMAP_DAYS)
        return (
            Article.objects.published()
            .filter(published_at__gte=since)
            .only("title", "slug", "published_at", "content_updated_at", "created_at")
            .order_by("-published_at", "-pk")
        )


sitemaps = {"articles": ArticleSitemap, "pages": PageSitemap, "news": NewsSitemap}
