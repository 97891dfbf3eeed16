"""The frame of every page: one name for the site in the masthead and the newsroom, an icon everywhere
(the newsroom included), a search box that says what it is for."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.factories import ArticleFactory, newsroom_user

pytestmark = pytest.mark.django_db


def masthead(html: str) -> str:
    return re.search(r'<a class="site-header__brand"[^>]*>([^<]+)</a>', html).group(1)


def test_masthead_and_newsroom_call_the_site_by_one_name(client):
    assert settings.SITE_NAME == "Вестник"
    assert masthead(client.get("/").content.decode()) == "Вестник"
    login = client.get(reverse("admin:login")).content.decode()
    assert re.search(r'<div id="site-name"><a [^>]*>Вестник\b', login), login.split('<div id="site-name">')[1][:200]
    assert re.search(r"<title>[^<]*Вестник[^<]*</title>", login)
    client.force_login(newsroom_user("editor"))
    index = client.get(reverse("admin:index")).content.decode()
    assert re.search(r'<div id="site-name"><a [^>]*>Вестник\b', index)


def test_english_frame_keeps_the_name_and_marks_it_bulgarian(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert '<a class="site-header__brand" href="/" lang="bg">Вестник</a>' in html


@pytest.mark.parametrize("url_name", ["admin:login", "admin:index", "admin:articles_article_changelist"])
def test_every_newsroom_page_names_the_sites_icon(client, url_name):
    if url_name != "admin:login":  # signed in, the sign-in page sends one on
        client.force_login(newsroom_user("editor"))
    html = client.get(reverse(url_name)).content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in html


def test_favicon_ico_leads_to_an_icon_for_pages_that_name_none(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response.headers["Location"] == "/static/img/favicon.ico"
    with open(finders.find("img/favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file


def test_search_box_in_the_header_has_a_placeholder(client):
    html = client.get(ArticleFactory().get_absolute_url()).content.decode()
    assert 'placeholder="Търсене в сайта"' in html
