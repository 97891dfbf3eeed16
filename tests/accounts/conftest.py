import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from tests.factories import UserFactory

PASSWORD = "zelen-kamak-na-brega-42"


def make_reader(*, email="maria@example.org", name="Мария Читателка", verified=True, password=PASSWORD):
    """A reader as sign-up leaves one: an e-mail address (verified once they opened the link), a name, a password."""
    user = UserFactory(username=f"reader-{email.split('@')[0]}", email=email, first_name=name)
    user.set_password(password)
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def sign_in(client, email, password=PASSWORD):
    """Sign in through the reader's sign-in form (allauth records it: recent enough to delete an account)."""
    return client.post(reverse("account_login"), {"login": email, "password": password})


def reauthenticate(client, password=PASSWORD):
    """Confirm the password again, as allauth asks before deleting an account."""
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.fixture
def reader(db):
    return make_reader()


@pytest.fixture
def reader_client(client, reader):
    response = sign_in(client, reader.email)
    assert response.status_code == 302, response.content.decode()[:2000]
    return client
