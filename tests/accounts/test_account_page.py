import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory

from .conftest import make_reader

pytestmark = pytest.mark.django_db


def own_comment(reader, **kwargs):
    return CommentFactory(
        user=reader, author_name=reader.first_name, email=reader.email, author_key=f"u:{reader.pk}", **kwargs
    )


def test_the_account_page_needs_a_signed_in_reader(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_account_page_lists_the_readers_comments_with_their_status(reader_client, reader):
    article = ArticleFactory(title="Нов мост над Дунав")
    own_comment(reader, article=article, body="Публикуваното ми мнение.")
    own_comment(reader, article=article, body="Чакащото ми мнение.", pending=True)
    own_comment(reader, article=article, body="Отхвърленото ми мнение.", rejected=True)
    CommentFactory(article=article, body="Чуждо мнение.")
    html = reader_client.get(reverse("accounts:profile")).content.decode()
    assert "Мария Читателка" in html
    assert "Публикуваното ми мнение." in html and "Публикуван" in html
    assert "Чакащото ми мнение." in html and "Очаква модератор" in html
    assert "Отхвърленото ми мнение." in html
    assert "Чуждо мнение." not in html


def test_the_account_page_shows_edit_links_only_within_the_edit_window(reader_client, reader):
    fresh = own_comment(reader)
    old = own_comment(reader)
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=1))
    html = reader_client.get(reverse("accounts:profile")).content.decode()
    assert reverse("comments:edit", args=[fresh.pk]) in html
    assert reverse("comments:edit", args=[old.pk]) not in html


@pytest.mark.parametrize("count", [1, 50])
def test_the_account_page_keeps_its_query_budget(reader_client, reader, count, django_assert_max_num_queries):
    for _ in range(count):
        own_comment(reader)
    # 6, and the breaking-news banner's lookup on a cold cache (frontpage/)
    with django_assert_max_num_queries(7):
        response = reader_client.get(reverse("accounts:profile"))
    assert response.status_code == 200


def test_a_reader_changes_the_name_under_their_comments(reader_client, reader):
    response = reader_client.post(reverse("accounts:name"), {"name": "Мария Г."})
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.first_name == "Мария Г."


@pytest.mark.parametrize("name", ["", "   ", "Редакцията", "x" * 200])
def test_a_bad_name_gets_a_translated_error(reader_client, reader, name):
    response = reader_client.post(reverse("accounts:name"), {"name": name})
    assert response.status_code == 400
    errors = response.context["name_form"].errors["name"]
    assert errors and all(any("а" <= ch <= "я" for ch in e.lower()) for e in errors)
    reader.refresh_from_db()
    assert reader.first_name == "Мария Читателка"


def test_reply_notifications_are_switched_for_one_or_all_comments(reader_client, reader):
    first, second = own_comment(reader), own_comment(reader)
    stranger = CommentFactory(email="other@example.org", notify_on_reply=False)
    reader_client.post(reverse("accounts:notifications"), {"notify": "1"})
    assert set(Comment.objects.filter(notify_on_reply=True).values_list("pk", flat=True)) == {first.pk, second.pk}
    reader_client.post(reverse("accounts:notifications"), {"notify": "0", "comment": first.pk})
    assert not Comment.objects.get(pk=first.pk).notify_on_reply
    assert Comment.objects.get(pk=second.pk).notify_on_reply
    reader_client.post(reverse("accounts:notifications"), {"notify": "1", "comment": stranger.pk})
    assert not Comment.objects.get(pk=stranger.pk).notify_on_reply


@pytest.mark.parametrize(
    "data",
    [{}, {"notify": "maybe"}, {"notify": "1", "comment": "x"}, {"notify": "1", "comment": "99999999999999999999"}],
)
def test_bad_notification_choices_are_refused_without_an_error_page(reader_client, data):
    response = reader_client.post(reverse("accounts:notifications"), data)
    assert response.status_code == 302


def test_download_my_data_holds_the_readers_account_and_comments_only(reader_client, reader):
    mine = own_comment(reader, body="Моето мнение.")
    other = make_reader(email="petar@example.org", name="Петър")
    own_comment(other, body="Мнението на Петър.")
    CommentFactory(body="Мнение на гост.")
    response = reader_client.get(reverse("accounts:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "private" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "maria@example.org"
    assert data["account"]["name"] == "Мария Читателка"
    assert [c["id"] for c in data["comments"]] == [mine.pk]
    assert data["comments"][0]["text"] == "Моето мнение."
    text = response.content.decode()
    assert "Петър" not in text and "petar@example.org" not in text and "гост" not in text


def test_download_my_data_keeps_its_query_budget(reader_client, reader, django_assert_max_num_queries):
    for _ in range(30):
        own_comment(reader)
    with django_assert_max_num_queries(6):
        assert reader_client.get(reverse("accounts:export")).status_code == 200
