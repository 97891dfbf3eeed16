"""Forms on pages every reader shares: no token in the page; the reader's own from /csrf-token/ (static/js/csrf.js),
or, without JavaScript, the form back once with a token (docs/caching.md)."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_the_token_endpoint_gives_the_reader_a_token_and_cookie_and_is_never_cached():
    reader = Client(enforce_csrf_checks=True)
    response = reader.get(reverse("csrf_token"))
    assert response.status_code == 200 and settings.CSRF_COOKIE_NAME in response.cookies
    assert "no-store" in response.headers["Cache-Control"]
    form = {"language": "en", "next": "/", "csrfmiddlewaretoken": response.json()["token"]}
    assert reader.post(reverse("set_language"), form).status_code == 302
    assert Client(enforce_csrf_checks=True).post(reverse("set_language"), form).status_code == 403  # not theirs
    assert Client().post(reverse("csrf_token")).status_code == 405


def test_the_language_form_without_javascript_is_sent_again_with_one_click():
    article = ArticleFactory()
    reader = Client(enforce_csrf_checks=True)
    page = reader.get(article.get_absolute_url()).content.decode()
    assert 'class="language-form"' in page and "csrfmiddlewaretoken" not in page
    refused = reader.post(reverse("set_language"), {"language": "en", "next": article.get_absolute_url()})
    html = refused.content.decode()
    assert refused.status_code == 403 and "Формулярът е изтекъл" in html
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    assert form["language"] == "en" and form["next"] == article.get_absolute_url()
    again = reader.post(reverse("set_language"), form)
    assert again.status_code == 302 and again.headers["Location"] == article.get_absolute_url()
    assert reader.get(article.get_absolute_url()).headers["Content-Language"] == "en"


def test_the_resend_page_cannot_send_the_reader_off_the_site():
    reader = Client(enforce_csrf_checks=True)
    refused = reader.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', refused.content.decode()))
    again = reader.post(reverse("set_language"), form)
    assert again.status_code == 302 and "evil.example" not in again.headers["Location"]
