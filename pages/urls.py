from django.urls import path

from caching import cache_page

from . import views

app_name = "pages"

urlpatterns = [
    path("<slug:slug>/", cache_page()(views.PageView.as_view()), name="detail"),
]
