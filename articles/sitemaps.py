from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Article, Author, Section, Source, Tag


class ArticleSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8
    limit = 5000

    def items(self):
        return Article.objects.published().only("slug", "published_at", "content_updated_at", "created_at")

    def lastmod(self, article):
        return article.content_updated_at or article.published_at


class PageSitemap(Sitemap):
    """The listing pages: home, archive, sections, tags, sources and authors."""

    changefreq = "hourly"
    priority = 0.5

    def items(self):
        pages = [reverse("articles:home"), reverse("articles:archive")]
        for model in (Section, Tag, Source, Author):
            pages += [obj.get_absolute_url() for obj in model.objects.only("slug")]
        return pages

    def location(self, item):
        return item


sitemaps = {"articles": ArticleSitemap, "pages": PageSitemap}
