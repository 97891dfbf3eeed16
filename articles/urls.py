from django.urls import path, register_converter

from . import feeds, preview, views
from .converters import TwoDigitConverter

register_converter(TwoDigitConverter, "dd")

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("latest/", views.ArticleListView.as_view(), name="latest"),
    path("tag/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("source/<slug:slug>/", views.SourceView.as_view(), name="source"),
    path("author/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    path("archive/", views.ArchiveView.as_view(), name="archive"),
    path("archive/<int:year>/<dd:month>/", views.MonthView.as_view(), name="archive_month"),
    path("archive/<int:year>/<dd:month>/<dd:day>/", views.DayView.as_view(), name="archive_day"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("feeds/rss/", feeds.LatestFeed(), name="feed"),
    path("feeds/atom/", feeds.LatestAtomFeed(), name="feed_atom"),
    path("feeds/section/<slug:slug>/rss/", feeds.SectionFeed(), name="section_feed"),
    path("feeds/section/<slug:slug>/atom/", feeds.SectionAtomFeed(), name="section_feed_atom"),
    path("feeds/tag/<slug:slug>/rss/", feeds.TagFeed(), name="tag_feed"),
    path("feeds/tag/<slug:slug>/atom/", feeds.TagAtomFeed(), name="tag_feed_atom"),
    path("feeds/source/<slug:slug>/rss/", feeds.SourceFeed(), name="source_feed"),
    path("feeds/source/<slug:slug>/atom/", feeds.SourceAtomFeed(), name="source_feed_atom"),
    path("stats/view/<int:pk>/<str:token>/", views.view_beacon, name="view_beacon"),
    path("preview/<int:pk>/", preview.ArticlePreviewView.as_view(), name="preview"),
    path("<int:year>/<dd:month>/<dd:day>/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    # Last: a section takes any slug not claimed above (see models.RESERVED_SLUGS).
    path("<slug:slug>/", views.SectionView.as_view(), name="section"),
]
