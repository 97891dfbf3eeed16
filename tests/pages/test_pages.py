"""The site's own pages (За нас, Контакти, ...): edited in the newsroom, shown sanitised, listed in every page's
footer, stored by the page cache and retired from it when they change."""

import pytest
from django.urls import reverse

from pages.models import Page
from tests.factories import PageFactory, newsroom_user

pytestmark = pytest.mark.django_db


def test_page_shows_its_title_and_text_sanitised(client):
    page = PageFactory(
        title="За нас",
        slug="za-nas",
        body='<p onclick="alert(1)">Кои сме.</p><script>alert(2)</script><img src=x onerror=alert(3)>',
    )
    assert page.body == "<p>Кои сме.</p>"  # cleaned when saved...
    Page.objects.filter(pk=page.pk).update(body="<p>Кои сме.</p><script>alert(4)</script>")  # ...and when shown
    response = client.get("/info/za-nas/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>За нас</h1>" in html and "<p>Кои сме.</p>" in html
    assert "alert" not in html.split("<main", 1)[1]
    assert "<title>За нас | Вестник</title>" in html
    assert '<meta name="description" content="Кои сме.">' in html


def test_a_new_page_gets_a_slug_from_its_title():
    page = Page.objects.create(title="Правила за коментиране", body="<p>Правила.</p>")
    assert page.get_absolute_url() == "/info/pravila-za-komentirane/"


def test_unknown_page_is_404(client):
    assert client.get("/info/nyama-takava/").status_code == 404


def test_every_page_footer_links_to_the_pages_in_their_order(client, article):
    PageFactory(title="Контакти", slug="kontakti", position=2)
    PageFactory(title="За нас", slug="za-nas", position=1)
    for url in ("/", article.get_absolute_url(), "/archive/", "/info/za-nas/", "/nyama-takava/"):
        footer = client.get(url).content.decode().split('<footer class="site-footer">', 1)[1]
        assert footer.index('href="/info/za-nas/"') < footer.index('href="/info/kontakti/"'), url
    here = client.get("/info/kontakti/").content.decode()
    assert '<a href="/info/kontakti/" aria-current="page">Контакти</a>' in here


def test_pages_are_stored_by_the_page_cache_and_a_change_shows_at_once(client):
    page = PageFactory(title="За нас", slug="za-nas")
    client.get("/")
    client.get(page.get_absolute_url())
    assert client.get(page.get_absolute_url()).headers["X-Page-Cache"] == "hit"
    assert client.get("/").headers["X-Page-Cache"] == "hit"

    page.title = "За редакцията"
    page.save()

    assert "За редакцията" in client.get(page.get_absolute_url()).content.decode()
    assert "За редакцията" in client.get("/").content.decode()  # every footer
    page.delete()
    assert "За редакцията" not in client.get("/").content.decode()


def test_page_query_budget(client, django_assert_max_num_queries):
    page = PageFactory()
    client.get("/")  # warm the navigation and footer
    with django_assert_max_num_queries(1):
        assert client.get(page.get_absolute_url()).status_code == 200


def test_editors_edit_pages_in_the_newsroom_and_authors_cannot(client):
    page = PageFactory(title="Контакти", slug="kontakti")
    url = reverse("admin:pages_page_change", args=[page.pk])
    client.force_login(newsroom_user("editor"))
    assert client.get(reverse("admin:index")).status_code == 200
    form = client.get(url)
    assert form.status_code == 200 and 'data-rich-text="article"' in form.content.decode()
    response = client.post(
        url, {"title": "Контакти", "slug": "kontakti", "position": 3, "body": "<p>Пишете ни.</p><script>x</script>"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page.refresh_from_db()
    assert (page.position, page.body) == (3, "<p>Пишете ни.</p>")

    client.force_login(newsroom_user("author"))
    assert client.get(url).status_code == 403
