import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import ArticleFactory

from .conftest import PASSWORD, sign_in
from .test_account_page import own_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def attempt(client, email, password, ip="203.0.113.7"):
    return client.post(reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=ip)


def test_five_failed_sign_ins_lock_the_reader_out_even_with_the_right_password(reader, clock):
    client = Client()
    statuses = [attempt(client, reader.email, f"wrong-password-{i}").status_code for i in range(5)]
    assert statuses[:4] == [200] * 4 and statuses[4] == 429
    response = attempt(client, reader.email, PASSWORD)
    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    assert "Твърде много опити" in response.content.decode()


def test_the_lock_counts_the_address_whatever_its_case(reader, clock):
    client = Client()
    for i in range(4):
        attempt(client, reader.email.upper() if i % 2 else reader.email, f"wrong-{i}")
    assert attempt(client, "MARIA@example.org", "wrong-again").status_code == 429


def test_the_lock_ends_after_the_cool_off(reader, clock):
    client = Client()
    for i in range(5):
        attempt(client, reader.email, f"wrong-{i}")
    clock.shift(settings.AXES_COOLOFF_TIME + timezone.timedelta(seconds=1))
    assert attempt(client, reader.email, PASSWORD).status_code == 302
    assert SESSION_KEY in client.session


def test_sign_ups_from_one_address_are_rate_limited(client, clock):
    """allauth's limit (ACCOUNT_RATE_LIMITS), answered with the site's 429 page in Bulgarian."""
    statuses = []
    for i in range(7):
        data = {
            "email": f"r{i}@example.org",
            "first_name": f"Читател {i}",
            "password1": PASSWORD,
            "password2": PASSWORD,
        }
        statuses.append(client.post(reverse("account_signup"), data, REMOTE_ADDR="198.51.100.9").status_code)
    assert statuses[:5] == [302] * 5
    assert statuses[5:] == [429, 429]
    assert (
        "Твърде много опити" in client.post(reverse("account_signup"), {}, REMOTE_ADDR="198.51.100.9").content.decode()
    )


def test_password_reset_mails_to_one_address_are_rate_limited(client, reader, mailoutbox, clock):
    statuses = [
        client.post(
            reverse("account_reset_password"), {"email": reader.email}, REMOTE_ADDR=f"198.51.100.{i}"
        ).status_code
        for i in range(5)
    ]
    assert statuses[:3] == [302] * 3 and statuses[3:] == [429, 429]


def test_a_page_for_a_signed_in_reader_is_private_and_never_reaches_a_guest(client, reader, settings):
    settings.PAGE_CACHE_ENABLED = True
    article = ArticleFactory()
    own_comment(reader, article=article, body="Мнение на Мария под статията.")
    signed_in = Client()
    sign_in(signed_in, reader.email)
    mine = signed_in.get(article.get_absolute_url())
    assert mine.status_code == 200
    assert "private" in mine["Cache-Control"] and "no-store" in mine["Cache-Control"]
    assert "public" not in mine["Cache-Control"]
    profile_link = f'href="{reverse("accounts:profile")}"'
    assert profile_link in mine.content.decode()

    for _ in range(2):  # the first guest fills the shared cache, the second is answered from it
        guest = client.get(article.get_absolute_url())
        html = guest.content.decode()
        assert "public" in guest["Cache-Control"]
        assert profile_link not in html and reverse("account_logout") not in html
        assert reverse("comments:edit", args=[article.comments.get().pk]) not in html

    again = signed_in.get(article.get_absolute_url())  # and a stored guest page never reaches the reader
    assert profile_link in again.content.decode()
    assert "private" in again["Cache-Control"]


@pytest.mark.parametrize("name", ["accounts:profile", "accounts:export", "accounts:delete", "account_email"])
def test_account_pages_are_private(reader_client, name):
    response = reader_client.get(reverse(name))
    assert response.status_code in (200, 302)
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


@pytest.mark.parametrize("name", ["account_login", "account_signup"])
def test_entrance_pages_are_not_stored_for_others(client, name):
    response = client.get(reverse(name))
    assert "public" not in response.get("Cache-Control", "")
    again = Client().get(reverse(name))
    assert again.content != b"" and "public" not in again.get("Cache-Control", "")


def test_signing_out_signs_out(reader_client):
    response = reader_client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert SESSION_KEY not in reader_client.session
