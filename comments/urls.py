from django.urls import path, register_converter

from . import views


class IdConverter:
    """A database id: at most 18 digits, so a huge number is a 404, not an overflow in the database."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")

app_name = "comments"

urlpatterns = [
    path("article/<id:article_id>/post/", views.create, name="create"),
    path("<id:pk>/", views.permalink, name="permalink"),
    path("<id:pk>/reply/", views.reply, name="reply"),
    path("<id:pk>/vote/", views.vote, name="vote"),
    path("<id:pk>/report/", views.report, name="report"),
    path("<id:pk>/unreport/", views.unreport, name="unreport"),
    path("<id:pk>/edit/", views.edit, name="edit"),
    path("<id:pk>/delete/", views.delete, name="delete"),
    path("thread/<id:pk>/", views.thread, name="thread"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
