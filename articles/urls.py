from django.contrib.sitemaps import views as sitemap_views
from django.urls import path, register_converter

from caching import cache_page

from . import feeds, live, preview, views
from .converters import TwoDigitConverter
from .sitemaps import NewsSitemap, sitemaps

register_converter(TwoDigitConverter, "dd")

app_name = "articles"

# The pages every reader without reader state shares, stored by the page cache (docs/caching.md) with
# the query parameters each may depend on.
listing = cache_page(params=("page",))
article = cache_page(params=("sort", "cpage"))
whole = cache_page()

urlpatterns = [
    path("", whole(views.HomeView.as_view()), name="home"),
    path("latest/", listing(views.ArticleListView.as_view()), name="latest"),
    path("tag/<slug:slug>/", listing(views.TagView.as_view()), name="tag"),
    path("source/<slug:slug>/", listing(views.SourceView.as_view()), name="source"),
    path("author/<slug:slug>/", listing(views.AuthorView.as_view()), name="author"),
    path("archive/", listing(views.ArchiveView.as_view()), name="archive"),
    path("archive/<int:year>/", listing(views.YearView.as_view()), name="archive_year"),
    path("archive/<int:year>/<dd:month>/", listing(views.MonthView.as_view()), name="archive_month"),
    path("archive/<int:year>/<dd:month>/<dd:day>/", listing(views.DayView.as_view()), name="archive_day"),
    path(
        "search/",
        cache_page(params=("q", "section", "date_from", "date_to", "page"))(views.SearchView.as_view()),
        name="search",
    ),
    path("feeds/rss/", whole(feeds.LatestFeed()), name="feed"),
    path("feeds/atom/", whole(feeds.LatestAtomFeed()), name="feed_atom"),
    path("feeds/section/<slug:slug>/rss/", whole(feeds.SectionFeed()), name="section_feed"),
    path("feeds/section/<slug:slug>/atom/", whole(feeds.SectionAtomFeed()), name="section_feed_atom"),
    path("feeds/tag/<slug:slug>/rss/", whole(feeds.TagFeed()), name="tag_feed"),
    path("feeds/tag/<slug:slug>/atom/", whole(feeds.TagAtomFeed()), name="tag_feed_atom"),
    path("feeds/source/<slug:slug>/rss/", whole(feeds.SourceFeed()), name="source_feed"),
    path("feeds/source/<slug:slug>/atom/", whole(feeds.SourceAtomFeed()), name="source_feed_atom"),
    path(
        "sitemap.xml",
        whole(sitemap_views.index),
        {"sitemaps": sitemaps, "sitemap_url_name": "articles:sitemap_section"},
        name="sitemap",
    ),
    # Before the generic pattern: the same address the index lists, with Google News tags.
    path(
        "sitemap-news.xml",
        whole(sitemap_views.sitemap),
        {"sitemaps": {"news": NewsSitemap}, "template_name": "articles/news_sitemap.xml"},
        name="sitemap_news",
    ),
    path(
        "sitemap-<section>.xml",
        cache_page(params=("p",))(sitemap_views.sitemap),
        {"sitemaps": sitemaps},
        name="sitemap_section",
    ),
    path("stats/view/<int:pk>/<str:token>/", views.view_beacon, name="view_beacon"),
    path("preview/<int:pk>/", preview.ArticlePreviewView.as_view(), name="preview"),
    path("<int:year>/<dd:month>/<dd:day>/<slug:slug>/", article(views.ArticleDetailView.as_view()), name="detail"),
    # Live updates and corrections (docs/live-and-corrections.md).
    path(
        "<int:year>/<dd:month>/<dd:day>/<slug:slug>/updates/",
        cache_page(params=("after",))(live.live_updates),
        name="live_updates",
    ),
    path("korekcii/", listing(live.CorrectionsView.as_view()), name="corrections"),
    # An article's address cut short: the archive of that day, month or year. Before sections, which may not
    # take an all-digit slug (models.unique_slug).
    path("<int:year>/<dd:month>/<dd:day>/", views.archive_redirect, name="short_day"),
    path("<int:year>/<dd:month>/", views.archive_redirect, name="short_month"),
    path("<int:year>/", views.archive_redirect, name="short_year"),
    # Last: a section takes any slug not claimed above (see models.RESERVED_SLUGS).
    path("<slug:slug>/", listing(views.SectionView.as_view()), name="section"),
]
