from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from lxml import etree

from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ImageFactory,
    SectionFactory,
    SourceFactory,
    TagFactory,
    png_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    tags = [TagFactory(name="Армения", slug="armenia"), TagFactory(name="Мир & сигурност", slug="mir")]
    return ArticleFactory(
        title="Армения и Азербайджан подписаха <мирно> споразумение",
        slug="armenia-mir",
        lead="Двете страни се договориха „окончателно“ & без условия.",
        section=SectionFactory(name="Свят", slug="svyat"),
        source=SourceFactory(short_name="БГНЕС", slug="bgnes"),
        published_at=datetime(2025, 12, 5, 12, 32, tzinfo=UTC),
        lead_image=ImageFactory(file=ContentFile(png_bytes(1600, 900), name="baku.png")),
        tags=tags,
        authors=[AuthorFactory(name="Мария Петрова"), AuthorFactory(name="Иван Иванов")],
    )


def parse(response):
    assert response.status_code == 200
    etree.fromstring(response.content)  # strict XML: raises on any well-formedness error
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


@pytest.mark.parametrize(("url", "content_type"), [("/feeds/rss/", "rss+xml"), ("/feeds/atom/", "atom+xml")])
def test_latest_feed_items_carry_every_field(client, story, url, content_type):
    response = client.get(url)
    assert content_type in response["Content-Type"]
    feed = parse(response)
    assert feed.feed.language == "bg"
    assert feed.feed.title == "Вестник: последни новини"
    entry = feed.entries[0]
    assert entry.title == "Армения и Азербайджан подписаха <мирно> споразумение"
    # The summary is HTML (readers render it): the lead's "&" arrives escaped, shown as typed.
    assert entry.summary == "Двете страни се договориха „окончателно“ &amp; без условия."
    assert entry.link == "http://testserver/2025/12/05/armenia-mir/"
    assert entry.id == "http://testserver/2025/12/05/armenia-mir/"
    assert entry.author == "Иван Иванов, Мария Петрова"  # by name, as on the article page
    assert [t.term for t in entry.tags] == ["Свят", "Армения", "Мир & сигурност"]
    # Sofia time, with its offset: 12:32 UTC is 14:32 EET.
    published = entry.get("published")
    assert "14:32:00" in published and ("+0200" in published or "+02:00" in published)
    assert entry.published_parsed[:5] == (2025, 12, 5, 12, 32)
    (enclosure,) = entry.enclosures
    assert enclosure.href.startswith("http://testserver/media/renditions/") and enclosure.href.endswith("-1200.webp")
    assert enclosure.type == "image/webp"
    assert int(enclosure.length) > 0


def test_enclosure_length_is_the_file_size(client, story, settings):
    feed = parse(client.get("/feeds/rss/"))
    enclosure = feed.entries[0].enclosures[0]
    name = enclosure.href.removeprefix("http://testserver/media/")
    assert int(enclosure.length) == (settings.MEDIA_ROOT / name).stat().st_size


def test_items_without_image_or_authors_have_no_enclosure_and_no_author(client):
    ArticleFactory(title="Кратка новина", lead_image=None)
    rss = parse(client.get("/feeds/rss/")).entries[0]
    assert rss.enclosures == [] and "author" not in rss
    atom = parse(client.get("/feeds/atom/"))
    assert atom.feed.author == "Вестник"  # Atom needs an author: the publication's name


def test_latest_feed_skips_drafts_and_scheduled_and_is_newest_first(client, settings):
    settings.FEED_ITEMS = 3
    old = [ArticleFactory(published_at=timezone.now() - timedelta(days=d)) for d in (5, 1, 3, 2)]
    ArticleFactory(draft=True)
    ArticleFactory(scheduled=True)
    titles = [e.title for e in parse(client.get("/feeds/rss/")).entries]
    assert titles == [old[1].title, old[3].title, old[2].title]


@pytest.mark.parametrize("kind", ["section", "tag", "source"])
@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_subject_feeds_list_only_their_articles(client, story, kind, fmt):
    ArticleFactory(title="Чужда новина")
    slug = {"section": "svyat", "tag": "armenia", "source": "bgnes"}[kind]
    feed = parse(client.get(f"/feeds/{kind}/{slug}/{fmt}/"))
    assert [e.title for e in feed.entries] == [story.title]
    assert (
        feed.feed.link
        == {
            "section": "http://testserver/svyat/",
            "tag": "http://testserver/tag/armenia/",
            "source": "http://testserver/source/bgnes/",
        }[kind]
    )


@pytest.mark.parametrize("url", ["/feeds/section/nyama/rss/", "/feeds/tag/nyama/atom/", "/feeds/source/nyama/rss/"])
def test_feeds_of_unknown_subjects_are_404(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(("url", "budget"), [("/feeds/rss/", 3), ("/feeds/atom/", 3), ("/feeds/tag/t/rss/", 4)])
def test_feed_query_budget_does_not_grow_with_items(client, django_assert_max_num_queries, url, budget):
    tag = TagFactory(slug="t")
    for _ in range(3):
        ArticleFactory(tags=[tag, TagFactory()], authors=[AuthorFactory()], with_image=True)
    client.get(url)  # enclosure sizes are remembered in the cache
    with django_assert_max_num_queries(budget):
        assert len(parse(client.get(url)).entries) == 3
    for _ in range(12):
        ArticleFactory(tags=[tag, TagFactory()], authors=AuthorFactory.create_batch(2), with_image=True)
    client.get(url)
    with django_assert_max_num_queries(budget):
        assert len(parse(client.get(url)).entries) == 15


def test_pages_announce_feeds_in_the_head(client, story):
    home = client.get("/").content.decode()
    rss = '<link rel="alternate" type="application/rss+xml" title="Вестник: последни новини (RSS)" href="/feeds/rss/">'
    assert rss in home
    assert 'type="application/atom+xml"' in home and 'href="/feeds/atom/"' in home
    expected = {
        "/svyat/": "/feeds/section/svyat/rss/",
        "/tag/armenia/": "/feeds/tag/armenia/atom/",
        "/source/bgnes/": "/feeds/source/bgnes/rss/",
    }
    for page, feed_url in expected.items():
        html = client.get(page).content.decode()
        assert f'href="{feed_url}"' in html and 'href="/feeds/rss/"' in html, page
    assert 'rel="alternate" type="application/rss+xml"' in client.get(story.get_absolute_url()).content.decode()


@pytest.mark.parametrize("url", ["/feeds/rss/", "/feeds/atom/", "/feeds/tag/odd/rss/"])
def test_characters_xml_cannot_carry_become_replacement_characters(client, url):
    ArticleFactory(
        title="Начало\x02и\x01звънец\x07",  # PostgreSQL refuses NUL in text; SQLite keeps it
        lead="Вертикален\x0bтаб\x1b[31m и \ufffe",
        tags=[TagFactory(name="Етикет\x08", slug="odd")],
        authors=[AuthorFactory(name="Автор\x0c")],
    )
    entry = parse(client.get(url)).entries[0]
    assert entry.title == "Начало\ufffdи\ufffdзвънец\ufffd"
    assert entry.summary == "Вертикален\ufffdтаб\ufffd[31m и \ufffd"
    assert entry.author == "Автор\ufffd"


def test_a_feed_goes_out_while_the_media_storage_does_not_answer(client, monkeypatch):
    from botocore.exceptions import EndpointConnectionError
    from django.core.files.storage import FileSystemStorage

    ArticleFactory(with_image=True, title="Новина със снимка")

    def unreachable(storage, name):
        raise EndpointConnectionError(endpoint_url="https://media.example")

    monkeypatch.setattr(FileSystemStorage, "size", unreachable)  # as the S3 backend fails
    response = client.get("/feeds/rss/")
    assert response.status_code == 200
    entry = parse(response).entries[0]
    assert entry.title == "Новина със снимка" and entry.enclosures[0]["length"] == "0"
