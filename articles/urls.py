from django.urls import path, register_converter

from . import views
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
    path("<int:year>/<dd:month>/<dd:day>/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    # Last: a section takes any slug not claimed above (see models.RESERVED_SLUGS).
    path("<slug:slug>/", views.SectionView.as_view(), name="section"),
]
