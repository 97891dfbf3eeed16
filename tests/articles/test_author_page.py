"""Author pages: photo, short biography, their articles, JSON-LD; the photo in the newsroom."""

import json
import re

import pytest
from django.core.files.base import ContentFile
from lxml import html as lxml_html

from articles.models import Author
from tests.factories import ArticleFactory, AuthorFactory, ImageFactory, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def maria():
    photo = ImageFactory(file=ContentFile(png_bytes(800, 800), name="maria.png"), alt_text="Портрет")
    return AuthorFactory(
        name="Мария Петрова", slug="maria-petrova", bio="Пише за парламента.\nДвадесет години в БНР.", photo=photo
    )


def json_ld(html: str) -> list[dict]:
    doc = lxml_html.fromstring(html)
    return [json.loads(s.text) for s in doc.iter("script") if s.get("type") == "application/ld+json"]


def test_author_page_shows_the_photo_named_after_the_author_the_bio_and_their_articles(client, maria):
    ArticleFactory(title="Парламентът прие бюджета", authors=[maria])
    ArticleFactory(title="Чужда статия")
    html = client.get("/author/maria-petrova/").content.decode()

    photo = re.search(r'<img class="author-header__photo"[^>]*>', html).group(0)
    small = maria.photo.renditions["320"]
    assert f'src="/media/{small}"' in photo and 'alt="Мария Петрова"' in photo
    assert 'width="320" height="320"' in photo and " 800w" in photo and 'sizes="8rem"' in photo
    assert '<p class="author-header__bio">Пише за парламента.<br>Двадесет години в БНР.</p>' in html
    assert "<h1>Мария Петрова</h1>" in html
    assert "Парламентът прие бюджета" in html and "Чужда статия" not in html
    assert '<meta name="description" content="Пише за парламента.' in html


def test_author_page_without_photo_or_bio_still_reads_well(client):
    AuthorFactory(name="Иван Иванов", slug="ivan-ivanov")
    html = client.get("/author/ivan-ivanov/").content.decode()
    assert "author-header__photo" not in html and "author-header__bio" not in html
    assert "<h1>Иван Иванов</h1>" in html and '<meta name="description" content="Статии от Иван Иванов">' in html
    assert "Все още няма статии." in html or "No articles yet." in html


def test_unknown_author_is_404(client):
    assert client.get("/author/nikoy/").status_code == 404


def test_author_page_describes_a_person_in_json_ld_and_open_graph(client, maria):
    html = client.get("/author/maria-petrova/").content.decode()
    (profile,) = json_ld(html)
    assert profile["@type"] == "ProfilePage" and profile["url"] == "http://testserver/author/maria-petrova/"
    person = profile["mainEntity"]
    assert person["@type"] == "Person" and person["name"] == "Мария Петрова"
    assert person["description"] == maria.bio and person["url"] == profile["url"]
    assert person["image"]["url"] == f"http://testserver/media/{maria.photo.renditions['640']}"
    assert (person["image"]["width"], person["image"]["height"]) == (640, 640)
    assert person["worksFor"]["name"] == "Вестник"
    assert '<meta property="og:type" content="profile">' in html
    assert '<meta property="og:title" content="Мария Петрова">' in html


def test_person_json_ld_leaves_out_what_the_author_lacks(client):
    AuthorFactory(name="Иван Иванов", slug="ivan-ivanov")
    (profile,) = json_ld(client.get("/author/ivan-ivanov/").content.decode())
    assert "image" not in profile["mainEntity"] and "description" not in profile["mainEntity"]


@pytest.mark.parametrize("articles", [1, 30])
def test_author_page_query_budget(client, maria, django_assert_max_num_queries, articles):
    for _ in range(articles):
        ArticleFactory(authors=[maria, AuthorFactory(photo=ImageFactory())], with_image=True)
    client.get("/")  # warm the navigation and the boxes
    # The author with the photo, the count for the paginator, the page of articles.
    with django_assert_max_num_queries(3):
        assert client.get(maria.get_absolute_url()).status_code == 200


def test_author_page_ends_the_article_bylines_link(client, maria):
    article = ArticleFactory(authors=[maria])
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'<a class="byline__author" href="{maria.get_absolute_url()}">' in html


# --- The newsroom -----------------------------------------------------------------------------------------------


def test_newsroom_author_form_offers_the_photo_in_bulgarian_and_saves_it(staff_client, maria):
    portrait = ImageFactory(caption="Портрет на Иван")
    author = AuthorFactory(name="Иван Иванов", slug="ivan-ivanov")
    url = f"/redakcia/articles/author/{author.pk}/change/"
    page = staff_client.get(url).content.decode()
    assert '<label for="id_photo">Снимка:</label>' in page
    assert "Портрет от библиотеката със снимки" in page
    response = staff_client.post(
        url, {"name": author.name, "slug": author.slug, "photo": portrait.pk, "bio": "Спортен репортер.", "user": ""}
    )
    assert response.status_code == 302
    author.refresh_from_db()
    assert author.photo == portrait and author.bio == "Спортен репортер."
    preview = staff_client.get(url).content.decode()
    assert re.search(r'<img class="admin-image-preview" src="/media/[^"]+" alt="Иван Иванов"', preview)


def test_deleting_the_photo_from_the_library_leaves_the_author(maria):
    maria.photo.delete()
    assert Author.objects.get(pk=maria.pk).photo is None
