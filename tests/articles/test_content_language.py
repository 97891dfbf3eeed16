"""Bulgarian content in the English frame: when the reader chose English with the language switch, every
piece of the newsroom's Bulgarian (headlines, leads, bodies, captions, names of sections, tags, sources and
authors, the boxes and lists that show them) carries lang="bg", so screen readers pronounce it as Bulgarian.
In the Bulgarian frame nothing needs marking."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from lxml import html as lxml_html

from articles.models import ArticleViewCount
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    ImageFactory,
    PageFactory,
    SectionFactory,
    SourceFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

CYRILLIC = re.compile(r"[А-Яа-яЁёЪъЬьЮюЯяЩщ]")


@pytest.fixture
def newsroom():
    section = SectionFactory(name="Свят", slug="svyat", description="Международни новини.")
    tags = [TagFactory(name="Армения", slug="armenia"), TagFactory(name="Кавказ", slug="kavkaz")]
    author = AuthorFactory(name="Мария Петрова", slug="maria-petrova", bio="Пише за Кавказ.")
    source = SourceFactory(name="Агенция БГНЕС", short_name="БГНЕС", slug="bgnes", attribution="предаде БГНЕС")
    article = ArticleFactory(
        title="Армения и Азербайджан подписаха мир",
        lead="Двете страни се договориха за границата.",
        body="<p>Подписването беше в Баку.</p><h2>Какво следва</h2><ul><li>Граница.</li></ul>",
        section=section,
        source=source,
        source_url="https://bgnes.example/1",
        lead_image=ImageFactory(caption="Министрите в Баку", credit="БГНЕС", alt_text="Двама министри"),
        tags=tags,
        authors=[author],
        published_at=datetime(2025, 12, 5, 12, 0, tzinfo=UTC),
    )
    other = ArticleFactory(
        title="Мирът на Кавказ", lead="Какво означава споразумението.", section=section, tags=tags, source=source
    )
    ArticleViewCount.objects.create(article=other, hour=timezone.now() - timedelta(hours=1), views=10)
    CommentFactory(article=other)
    PageFactory(title="За нас", slug="za-nas", body="<p>Кои сме.</p>")
    return article, other


def unmarked_bulgarian(html: str) -> list[str]:
    """Text with Cyrillic letters, or an alt text, whose nearest lang="..." is not bg (the comments app's own
    part of the article page left out: tests/comments cover it)."""
    doc = lxml_html.fromstring(html)
    found = []
    for element in doc.body.iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style"):
            continue
        if element.xpath("ancestor-or-self::*[@id='comments']"):
            continue
        texts = [element.text, element.get("alt"), element.get("placeholder"), element.get("aria-label")]
        texts += [child.tail for child in element]
        for text in filter(None, texts):
            if CYRILLIC.search(text):
                lang = element.xpath("ancestor-or-self::*[@lang][1]/@lang")
                if lang != ["bg"]:
                    found.append(f"<{element.tag} class={element.get('class')!r}>: {text.strip()[:60]}")
    return found


def pages(article, other) -> dict[str, str]:
    return {
        "home": "/",
        "article": article.get_absolute_url(),
        "section": article.section.get_absolute_url(),
        "tag": "/tag/armenia/",
        "source": "/source/bgnes/",
        "author": "/author/maria-petrova/",
        "latest": reverse("articles:latest"),
        "archive": reverse("articles:archive"),
        "year": "/archive/2025/",
        "month": "/archive/2025/12/",
        "day": "/archive/2025/12/05/",
        "search": reverse("articles:search") + "?q=Армения",
        "page": "/info/za-nas/",
    }


@pytest.mark.parametrize(
    "name", ["home", "article", "section", "tag", "source", "author", "latest", "archive", "year", "month", "day",
             "search", "page"]
)  # fmt: skip
def test_english_frame_marks_every_bulgarian_text_as_bulgarian(client, newsroom, name):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(pages(*newsroom)[name])
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert unmarked_bulgarian(html) == []


def test_english_frame_marks_the_article_page_piece_by_piece(client, newsroom):
    article, other = newsroom
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(article.get_absolute_url()).content.decode()
    for fragment in (
        '<h1 class="article__title" lang="bg">Армения и Азербайджан подписаха мир</h1>',
        '<p class="article__lead" lang="bg">Двете страни се договориха за границата.</p>',
        '<div class="article__body" lang="bg"><p>Подписването беше в Баку.</p>',
        '<figcaption><span lang="bg">Министрите в Баку</span> <span class="credit">Photo: <span lang="bg">БГНЕС</span>',
        'lang="bg">предаде БГНЕС</a>',
        'More from <span lang="bg">БГНЕС</span>',
        'lang="bg">Мария Петрова</a>',
        'lang="bg">Армения</a>',
        'lang="bg">Свят</a>',
        f'<a href="{other.get_absolute_url()}" lang="bg">Мирът на Кавказ</a>',  # related, most read, commented
    ):
        assert fragment in html, fragment


def test_bulgarian_frame_marks_nothing(client, newsroom):
    for url in pages(*newsroom).values():
        html = client.get(url).content.decode()
        assert '<html lang="bg">' in html
        assert 'lang="bg"' not in html.split("<body>", 1)[1], url
