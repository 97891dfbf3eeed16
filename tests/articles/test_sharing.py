from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import RequestFactory

from articles.models import Article
from articles.sharing import share_links


def make_article():

    return Article(
        title="Цени & данъци: „нова“ година?",
        slug="tseni-i-danatsi",
        published_at=datetime(2025, 12, 5, 12, 0, tzinfo=UTC),
    )


def links():
    request = RequestFactory().get("/", secure=True, HTTP_HOST="vestnik.example")
    return {key: url for key, _label, url in share_links(request, make_article())}


@pytest.fixture(autouse=True)
def _host(settings):
    settings.ALLOWED_HOSTS = ["vestnik.example"]


CANONICAL = "https://vestnik.example/2025/12/05/tseni-i-danatsi/"


def test_every_network_is_offered():
    assert set(links()) == {"facebook", "x", "linkedin", "telegram", "viber", "whatsapp", "email"}


def test_facebook_and_linkedin_carry_the_encoded_canonical_url():
    for key, param in [("facebook", "u"), ("linkedin", "url")]:
        parts = urlsplit(links()[key])
        assert parts.scheme == "https"
        assert parse_qs(parts.query)[param] == [CANONICAL]
        assert "://vestnik" not in parts.query  # encoded, not raw


def test_x_and_telegram_carry_url_and_title():
    for key in ["x", "telegram"]:
        query = parse_qs(urlsplit(links()[key]).query)
        assert query["url"] == [CANONICAL]
        assert query["text"] == ["Цени & данъци: „нова“ година?"]


def test_ampersand_in_title_cannot_add_parameters():
    query = parse_qs(urlsplit(links()["x"]).query)
    assert set(query) == {"url", "text"}


def test_viber_and_whatsapp_put_title_and_url_in_text():
    for key in ["viber", "whatsapp"]:
        query = parse_qs(urlsplit(links()[key]).query)
        assert query["text"] == [f"Цени & данъци: „нова“ година? {CANONICAL}"]


def test_email_link_is_encoded_mailto():
    url = links()["email"]
    assert url.startswith("mailto:?subject=")
    assert " " not in url and "&body=https%3A%2F%2Fvestnik.example" in url
