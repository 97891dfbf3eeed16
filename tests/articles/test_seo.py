import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from lxml import html as lxml_html

from articles.seo import json_ld_script
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

URL = "http://testserver/2025/12/05/armenia-mir/"


@pytest.fixture
def story():
    return ArticleFactory(
        title="Армения и Азербайджан подписаха мир",
        slug="armenia-mir",
        lead="Двете страни се договориха за границата.",
        section=SectionFactory(name="Свят", slug="svyat"),
        source=SourceFactory(short_name="БГНЕС"),
        source_url="https://bgnes.example/story/1",
        published_at=datetime(2025, 12, 5, 12, 32, tzinfo=UTC),
        content_updated_at=datetime(2025, 12, 5, 15, 0, tzinfo=UTC),
        lead_image=ImageFactory(file=ContentFile(png_bytes(1600, 900), name="baku.png"), alt_text="Двама министри"),
        tags=[TagFactory(name="Армения"), TagFactory(name="Кавказ")],
        authors=[AuthorFactory(name="Мария Петрова", slug="maria-petrova")],
    )


def head(response):
    assert response.status_code == 200
    return lxml_html.fromstring(response.content).find("head")


def meta(doc, attr):
    """{property: [content, ...]} for <meta property=...> (or name=...)."""
    found = {}
    for element in doc.iter("meta"):
        if element.get(attr):
            found.setdefault(element.get(attr), []).append(element.get("content"))
    return found


def json_ld(doc):
    blocks = [json.loads(s.text) for s in doc.iter("script") if s.get("type") == "application/ld+json"]
    return {block["@type"]: block for block in blocks}


def test_article_page_has_open_graph_and_twitter_card(client, story):
    doc = head(client.get(story.get_absolute_url()))
    og = meta(doc, "property")
    assert og["og:type"] == ["article"]
    assert og["og:title"] == ["Армения и Азербайджан подписаха мир"]
    assert og["og:description"] == ["Двете страни се договориха за границата."]
    assert og["og:url"] == [URL]
    assert og["og:site_name"] == ["Вестник"] and og["og:locale"] == ["bg_BG"]
    (image,) = og["og:image"]
    assert image.startswith("http://testserver/media/renditions/") and image.endswith("-1200.webp")
    assert og["og:image:width"] == ["1200"] and og["og:image:height"] == ["675"]
    assert og["og:image:alt"] == ["Двама министри"]
    assert og["article:published_time"] == ["2025-12-05T14:32:00+02:00"]
    assert og["article:modified_time"] == ["2025-12-05T17:00:00+02:00"]
    assert og["article:section"] == ["Свят"]
    assert og["article:tag"] == ["Армения", "Кавказ"]
    assert og["article:author"] == ["http://testserver/author/maria-petrova/"]
    twitter = meta(doc, "name")
    assert twitter["twitter:card"] == ["summary_large_image"]
    assert twitter["twitter:title"] == og["og:title"] and twitter["twitter:description"] == og["og:description"]
    assert twitter["twitter:image"] == [image]


def test_article_without_image_falls_back_to_the_default_image(client):
    article = ArticleFactory(lead_image=None)
    og = meta(head(client.get(article.get_absolute_url())), "property")
    assert og["og:image"] == ["http://testserver/static/img/og-default.png"]


def test_default_image_is_a_1200_by_630_png():
    from django.contrib.staticfiles import finders
    from PIL import Image

    with Image.open(finders.find("img/og-default.png")) as image:
        assert (image.format, image.size) == ("PNG", (1200, 630))
    with Image.open(finders.find("img/publisher-logo.png")) as logo:
        assert logo.width <= 600 and logo.height <= 60


def test_news_article_json_ld_carries_every_property(client, story):
    data = json_ld(head(client.get(story.get_absolute_url())))["NewsArticle"]
    assert data["@context"] == "https://schema.org"
    assert data["headline"] == "Армения и Азербайджан подписаха мир"
    assert data["description"] == "Двете страни се договориха за границата."
    assert data["image"][0].endswith("-1200.webp") and data["image"][0].startswith("http://testserver/")
    assert data["datePublished"] == "2025-12-05T14:32:00+02:00"
    assert data["dateModified"] == "2025-12-05T17:00:00+02:00"
    assert data["author"] == [
        {"@type": "Person", "name": "Мария Петрова", "url": "http://testserver/author/maria-petrova/"}
    ]
    publisher = data["publisher"]
    assert publisher["name"] == "Вестник" and publisher["@type"] == "NewsMediaOrganization"
    assert publisher["logo"]["url"] == "http://testserver/static/img/publisher-logo.png"
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": URL}
    assert data["articleSection"] == "Свят"
    assert data["keywords"] == ["Армения", "Кавказ"]
    assert data["isBasedOn"] == "https://bgnes.example/story/1"
    assert data["sourceOrganization"] == {
        "@type": "NewsMediaOrganization",
        "name": story.source.name,
        "alternateName": "БГНЕС",
        "url": "https://agency.example/",
    }
    assert data["inLanguage"] == "bg"


def test_json_ld_names_the_source_when_the_original_address_is_unknown(client):
    source = SourceFactory(name="Българска телеграфна агенция", short_name="БТА", url="https://www.bta.bg/")
    article = ArticleFactory(source=source, source_url="")
    data = json_ld(head(client.get(article.get_absolute_url())))["NewsArticle"]
    assert data["sourceOrganization"] == {
        "@type": "NewsMediaOrganization",
        "name": "Българска телеграфна агенция",
        "alternateName": "БТА",
        "url": "https://www.bta.bg/",
    }
    assert "isBasedOn" not in data


def test_json_ld_source_without_a_website_or_short_name_of_its_own(client):
    article = ArticleFactory(source=SourceFactory(name="Тракийски новини", short_name="Тракийски новини", url=""))
    data = json_ld(head(client.get(article.get_absolute_url())))["NewsArticle"]
    assert data["sourceOrganization"] == {"@type": "NewsMediaOrganization", "name": "Тракийски новини"}


def test_json_ld_without_source_url_or_authors(client):
    article = ArticleFactory(source_url="", source=None)
    data = json_ld(head(client.get(article.get_absolute_url())))["NewsArticle"]
    assert "isBasedOn" not in data and "sourceOrganization" not in data
    assert data["author"] == [{"@type": "Organization", "name": "Вестник"}]


def test_breadcrumb_list(client, story):
    data = json_ld(head(client.get(story.get_absolute_url())))["BreadcrumbList"]
    assert data["itemListElement"] == [
        {"@type": "ListItem", "position": 1, "name": "Вестник", "item": "http://testserver/"},
        {"@type": "ListItem", "position": 2, "name": "Свят", "item": "http://testserver/svyat/"},
        {"@type": "ListItem", "position": 3, "name": "Армения и Азербайджан подписаха мир", "item": URL},
    ]


HOSTILE_TITLE = '</script><script>alert(1)</script><!-- "quoted" & \u2028 done'


def test_headline_cannot_break_out_of_the_json_ld_block(client):
    article = ArticleFactory(title=HOSTILE_TITLE, lead="<b>lead</b> & more")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page
    assert page.count("</script>") == page.count("<script")  # every element closes where it should
    data = json_ld(head(client.get(article.get_absolute_url())))
    assert data["NewsArticle"]["headline"] == HOSTILE_TITLE
    assert data["NewsArticle"]["description"] == "<b>lead</b> & more"


def test_json_ld_script_escapes_markup_characters():
    out = json_ld_script({"headline": "</script>&<!--"})
    assert out == ('<script type="application/ld+json">{"headline": "\\u003C/script\\u003E\\u0026\\u003C!--"}</script>')


@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        ("/", "http://testserver/"),
        ("/latest/?page=2&utm_source=x", "http://testserver/latest/?page=2"),
        ("/latest/?page=1", "http://testserver/latest/"),
        ("/svyat/?utm_campaign=y", "http://testserver/svyat/"),
        ("/archive/", "http://testserver/archive/"),
        ("/search/?q=мир", "http://testserver/search/"),
    ],
)
def test_every_page_has_one_canonical_link(client, story, path, canonical):
    for n in range(25):
        ArticleFactory(published_at=timezone.now() - timedelta(hours=n + 1))
    doc = head(client.get(path))
    links = [link.get("href") for link in doc.iter("link") if link.get("rel") == "canonical"]
    assert links == [canonical]


@pytest.mark.parametrize("page", ["9" * 5000, "٣", "²", "-1", "1e3", "\x00"])
def test_odd_page_numbers_never_break_the_canonical_link(client, page):
    for path in ("/latest/", "/search/"):
        response = client.get(path, {"page": page, "q": "мир"})
        assert response.status_code in (200, 404)
        assert '<link rel="canonical" href="http://testserver' in response.content.decode()


def test_article_canonical_ignores_query_strings(client, story):
    doc = head(client.get(story.get_absolute_url() + "?utm_source=facebook&page=3"))
    assert [link.get("href") for link in doc.iter("link") if link.get("rel") == "canonical"] == [URL]


@pytest.mark.parametrize("path", ["/", "/latest/", "/svyat/", "/archive/", "/search/?q=мир"])
def test_other_pages_have_site_wide_social_defaults(client, story, path):
    doc = head(client.get(path))
    og = meta(doc, "property")
    assert og["og:site_name"] == ["Вестник"] and og["og:type"] == ["website"]
    assert og["og:image"] == ["http://testserver/static/img/og-default.png"]
    assert og["og:url"][0].startswith("http://testserver/")
    assert meta(doc, "name")["twitter:card"] == ["summary_large_image"]
    assert json_ld(doc) == {}


def test_previews_are_noindex_and_carry_no_view_beacon(staff_client):
    article = ArticleFactory(draft=True)
    page = staff_client.get(article.get_absolute_url()).content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert "view-beacon" not in page
