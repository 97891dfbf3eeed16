import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse

from .conftest import PASSWORD, make_reader

pytestmark = pytest.mark.django_db

SIGNUP = {"email": "ivan@example.org", "first_name": "Иван Петров", "password1": PASSWORD, "password2": PASSWORD}


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_sign_up_mails_a_link_that_verifies_the_address_and_signs_in(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = get_user_model().objects.get(email="ivan@example.org")
    assert user.first_name == "Иван Петров"
    assert not user.username.startswith("ivan")
    assert not EmailAddress.objects.get(user=user).verified
    assert "_auth_user_id" not in client.session  # not signed in before the address is verified
    (message,) = mailoutbox
    assert message.to == ["ivan@example.org"]
    assert message.subject.startswith("Вестник: ")

    url = link_in(message)
    page = client.get(url)
    assert page.status_code == 200
    assert "ivan@example.org" in page.content.decode()
    assert not EmailAddress.objects.get(user=user).verified  # opening the link (a mail scanner) confirms nothing
    response = client.post(url)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.session["_auth_user_id"] == str(user.pk)

    client.post(reverse("account_logout"))
    response = client.post(reverse("account_login"), {"login": "IVAN@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")


def test_an_unverified_reader_cannot_sign_in(client, mailoutbox, django_capture_on_commit_callbacks):
    make_reader(email="new@example.org", verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_login"), {"login": "new@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert len(mailoutbox) == 1  # a new link


@pytest.mark.parametrize(
    ("change", "field", "error"),
    [
        ({"email": "not-an-address"}, "email", "Въведете валиден имейл адрес."),
        ({"first_name": " "}, "first_name", None),
        ({"first_name": "Редакцията"}, "first_name", "Моля, изберете друго име."),
        ({"password2": "something-else-entirely"}, "password2", None),
        ({"password1": "short", "password2": "short"}, "password1", None),
    ],
)
def test_sign_up_errors_are_in_bulgarian_and_keep_what_was_typed(client, change, field, error):
    data = {**SIGNUP, **change}
    response = client.post(reverse("account_signup"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    html = response.content.decode()
    message = error or form.errors[field][0]
    assert re.search("[а-я]", message), message  # translated
    assert message in html.replace("&quot;", '"')
    if data["email"].strip():
        assert f'value="{data["email"]}"' in html
    assert 'value="Иван Петров"' in html or field == "first_name"
    assert not get_user_model().objects.filter(email=data["email"]).exists()


def test_signing_up_with_a_taken_address_creates_no_second_account(client, django_capture_on_commit_callbacks):
    make_reader(email="ivan@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), SIGNUP)
    assert get_user_model().objects.filter(email__iexact="ivan@example.org").count() == 1


def test_a_wrong_password_gets_a_translated_error_and_keeps_the_address(client, reader):
    response = client.post(reverse("account_login"), {"login": reader.email, "password": "wrong-password-1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{reader.email}"' in html
    assert response.context["form"].non_field_errors()
    assert re.search("[а-я]", response.context["form"].non_field_errors()[0])


def test_password_reset_mails_a_link_that_sets_a_new_password(
    client, reader, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": reader.email})
    assert response.status_code == 302
    (message,) = mailoutbox
    url = link_in(message)
    response = client.get(url, follow=True)
    assert response.status_code == 200
    new = "nova-parola-za-vhod-77"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(response.redirect_chain[-1][0], {"password1": new, "password2": new})
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.check_password(new)


def test_password_change_needs_the_old_password(reader_client, reader, django_capture_on_commit_callbacks):
    new = "druga-parola-za-vhod-88"
    response = reader_client.post(
        reverse("account_change_password"), {"oldpassword": "wrong", "password1": new, "password2": new}
    )
    assert response.status_code == 200
    assert "oldpassword" in response.context["form"].errors
    with django_capture_on_commit_callbacks(execute=True):
        response = reader_client.post(
            reverse("account_change_password"), {"oldpassword": PASSWORD, "password1": new, "password2": new}
        )
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.check_password(new)


@pytest.mark.parametrize(
    "name", ["account_signup", "account_login", "account_reset_password", "account_email_verification_sent"]
)
def test_entrance_pages_answer_in_bulgarian(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert '<html lang="bg"' in response.content.decode()
