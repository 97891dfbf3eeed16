from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from comments import services
from comments.models import Block, Comment, CommentStatus
from comments.services import DELETED_AUTHOR_NAME
from tests.factories import ArticleFactory, CommentFactory

from .conftest import PASSWORD, make_reader, reauthenticate, sign_in
from .test_account_page import own_comment

pytestmark = pytest.mark.django_db


def delete(client, choice):
    reauthenticate(client)
    return client.post(reverse("accounts:delete"), {"comments": choice, "confirm": "on"})


def test_deleting_asks_for_the_password_again_first(reader_client, reader):
    response = reader_client.post(reverse("accounts:delete"), {"comments": "remove", "confirm": "on"})
    assert response.status_code == 302 and response.url.startswith(reverse("account_reauthenticate"))
    assert get_user_model().objects.filter(pk=reader.pk).exists()
    response = reader_client.post(reverse("account_reauthenticate"), {"password": "wrong-password"})
    assert response.status_code == 200 and response.context["form"].errors
    assert get_user_model().objects.filter(pk=reader.pk).exists()


def test_deleting_the_account_with_its_comments_removes_them(reader_client, reader):
    article = ArticleFactory()
    alone = own_comment(reader, article=article, body="Само мое.")
    answered = own_comment(reader, article=article, body="Мое, с отговор.")
    reply = CommentFactory(parent=answered, body="Чужд отговор.")
    other = CommentFactory(article=article)
    response = delete(reader_client, "remove")
    assert response.status_code == 302 and response.url == reverse("accounts:deleted")
    assert not get_user_model().objects.filter(pk=reader.pk).exists()
    assert not EmailAddress.objects.filter(email=reader.email).exists()
    assert not Comment.objects.filter(pk=alone.pk).exists()
    answered.refresh_from_db()
    assert answered.status == CommentStatus.REMOVED and answered.body == "" and answered.user_id is None
    assert answered.author_name == DELETED_AUTHOR_NAME and answered.email == ""
    reply.refresh_from_db()
    assert reply.reply_to_name == DELETED_AUTHOR_NAME
    assert Comment.objects.filter(pk=other.pk).exists()
    assert "_auth_user_id" not in reader_client.session
    assert reader_client.get(reverse("accounts:deleted")).status_code == 200


def test_deleting_the_account_can_keep_its_comments_as_a_deleted_user(reader_client, reader, article):
    kept = own_comment(reader, article=article, body="Остава видимо.", notify_on_reply=True)
    delete(reader_client, "keep")
    kept.refresh_from_db()
    assert kept.status == CommentStatus.APPROVED and kept.body == "Остава видимо."
    assert kept.user_id is None and kept.author_name == "Изтрит потребител"
    assert kept.email == "" and kept.email_hash == "" and not kept.notify_on_reply
    html = reader_client.get(article.get_absolute_url()).content.decode()
    assert "Изтрит потребител" in html and "Мария Читателка" not in html


def test_deleting_the_account_is_all_or_nothing(reader_client, reader):
    comment = own_comment(reader)
    reauthenticate(reader_client)
    failing = mock.patch.object(get_user_model(), "delete", side_effect=RuntimeError("database went away"))
    with failing, pytest.raises(RuntimeError):
        reader_client.post(reverse("accounts:delete"), {"comments": "remove", "confirm": "on"})
    comment.refresh_from_db()
    assert comment.user_id == reader.pk and comment.body
    assert get_user_model().objects.filter(pk=reader.pk).exists()


@pytest.mark.parametrize("data", [{}, {"comments": "keep"}, {"comments": "all", "confirm": "on"}])
def test_deleting_needs_a_choice_and_a_confirmation(reader_client, reader, data):
    reauthenticate(reader_client)
    response = reader_client.post(reverse("accounts:delete"), data)
    assert response.status_code == 400
    assert any("а" <= ch <= "я" for e in response.context["form"].errors.values() for ch in str(e).lower())
    assert get_user_model().objects.filter(pk=reader.pk).exists()


def test_a_block_on_the_account_outlives_its_deletion(reader_client, reader):
    comment = own_comment(reader)
    services.author_block(comment=comment, reason="обиди")
    delete(reader_client, "keep")
    (block,) = Block.objects.all()
    assert block.user_id is None and block.email_hash == services.make_email_hash("maria@example.org")


def test_blocking_a_readers_comment_blocks_the_account(reader, article, client):
    comment = own_comment(reader, article=article)
    services.author_block(comment=comment, reason="обиди")
    reader.email = "new-address@example.org"  # a new address does not get round the block
    reader.save()
    again = services.comment_create(article=article, parent=None, body="Пак съм тук.", user=reader, ip_hash="other")
    assert again.status == CommentStatus.REJECTED and again.reason == "blocked"


def test_blocking_a_guest_comment_blocks_the_account_that_verified_its_address(reader, article):
    guest = CommentFactory(article=article, author_name="Гост", email=reader.email, email_hash="h", author_key="e:h")
    waiting = own_comment(reader, article=article, pending=True)
    block = services.author_block(comment=guest, reason="спам")
    assert block.user_id == reader.pk
    waiting.refresh_from_db()
    assert waiting.status == CommentStatus.SPAM


def test_a_guest_address_nobody_verified_blocks_no_account(article):
    unverified = make_reader(email="someone@example.org", verified=False)
    guest = CommentFactory(article=article, email="someone@example.org", email_hash="h", author_key="e:h")
    assert services.author_block(comment=guest).user_id is None
    assert unverified.is_active


def test_a_reader_cannot_open_the_newsroom(reader_client):
    admin = "/" + settings.ADMIN_URL
    response = reader_client.get(admin)
    assert response.status_code == 302
    assert "login" in response.url
    assert reader_client.get(admin + "comments/comment/").status_code == 302


def test_a_readers_password_does_not_open_the_newsroom(client, reader):
    response = client.post(
        "/" + settings.ADMIN_URL + "login/", {"username": reader.email, "password": PASSWORD}, follow=True
    )
    assert "_auth_user_id" not in client.session
    response = client.post("/" + settings.ADMIN_URL + "login/", {"username": reader.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_staff_cannot_delete_their_account_here(client, staff_user):
    staff_user.set_password(PASSWORD)
    staff_user.save()
    EmailAddress.objects.create(user=staff_user, email=staff_user.email, verified=True, primary=True)
    sign_in(client, staff_user.email)
    reauthenticate(client)
    response = client.post(reverse("accounts:delete"), {"comments": "remove", "confirm": "on"})
    assert response.status_code == 403
    assert get_user_model().objects.filter(pk=staff_user.pk).exists()


def test_the_data_download_of_a_deleted_account_is_gone(reader_client, reader):
    delete(reader_client, "remove")
    response = reader_client.get(reverse("accounts:export"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
