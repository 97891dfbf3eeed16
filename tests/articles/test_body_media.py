"""Pictures in the text, galleries and click-to-load embeds (articles/body.py, articles/embeds.py)."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from lxml import html as lxml_html

import caching
from articles import embeds
from articles.body import blocks, render_body
from articles.models import Article, BodyImage, GalleryImage, Status
from tests.articles.test_admin import editor, editor_client, form_data  # noqa: F401 - fixtures
from tests.caching.helpers import state
from tests.factories import ArticleFactory, ImageFactory, SectionFactory

pytestmark = pytest.mark.django_db

YT = "dQw4w9WgXcQ"
YT_FRAME_HOST = "https://www.youtube-nocookie.com"


def css(element, selector: str) -> list:
    """Elements under ``element`` matching ``tag``, ``tag.class`` or ``.class`` (lxml without cssselect)."""
    selector, _, attribute = selector.partition("[")
    tag, _, cls = selector.partition(".")
    path = f".//{tag or '*'}"
    if cls:
        path += f"[contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')]"
    if attribute:
        path += f"[@{attribute.rstrip(']')}]"
    return element.xpath(path)


# --- Providers --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, provider, post_id, frame",
    [
        (f"https://www.youtube.com/watch?v={YT}", "youtube", YT, f"https://www.youtube-nocookie.com/embed/{YT}"),
        (f"https://youtube.com/watch?v={YT}&t=42s", "youtube", YT, f"https://www.youtube-nocookie.com/embed/{YT}"),
        (f"https://youtu.be/{YT}", "youtube", YT, f"https://www.youtube-nocookie.com/embed/{YT}"),
        (f"https://m.youtube.com/shorts/{YT}", "youtube", YT, f"https://www.youtube-nocookie.com/embed/{YT}"),
        ("https://vimeo.com/76979871", "vimeo", "76979871", "https://player.vimeo.com/video/76979871?dnt=1"),
        ("https://player.vimeo.com/video/123", "vimeo", "123", "https://player.vimeo.com/video/123?dnt=1"),
        (
            "https://x.com/vestnik/status/1234567890123456789",
            "x",
            "1234567890123456789",
            "https://platform.twitter.com/embed/Tweet.html?id=1234567890123456789&dnt=true",
        ),
        (
            "https://twitter.com/vestnik/status/20",
            "x",
            "20",
            "https://platform.twitter.com/embed/Tweet.html?id=20&dnt=true",
        ),
        (
            "https://www.facebook.com/vestnik.bg/posts/pfbid02abcXYZ",
            "facebook",
            "vestnik.bg/posts/pfbid02abcXYZ",
            "https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2Fvestnik.bg%2Fposts%2Fpfbid02abcXYZ",
        ),
        (
            "https://www.instagram.com/reel/Cx_Yz-12345/",
            "instagram",
            "Cx_Yz-12345",
            "https://www.instagram.com/p/Cx_Yz-12345/embed/",
        ),
        (
            "https://www.tiktok.com/@vestnik.bg/video/7234567890123456789",
            "tiktok",
            "@vestnik.bg/video/7234567890123456789",
            "https://www.tiktok.com/embed/v2/7234567890123456789",
        ),
    ],
)
def test_each_provider_gives_its_id_and_frame_address(url, provider, post_id, frame):
    embed = embeds.parse(url)
    assert embed is not None
    assert (embed.provider.key, embed.id, embed.frame_url) == (provider, post_id, frame)
    assert embed.frame_url.startswith(embed.provider.frame_host + "/")


@pytest.mark.parametrize(
    "url",
    [
        f"https://youtube.com.evil.example/watch?v={YT}",  # lookalike host
        f"https://evil.example/youtube.com/watch?v={YT}",
        f"https://notyoutube.com/watch?v={YT}",
        f"https://www.youtube.com@evil.example/watch?v={YT}",  # userinfo: the host is evil.example
        f"https://user@www.youtube.com/watch?v={YT}",
        f"https://www.youtube.com:8443/watch?v={YT}",
        f"javascript:alert(1)//https://www.youtube.com/watch?v={YT}",
        f"javascript://www.youtube.com/watch?v={YT}",
        f"data:text/html,https://youtu.be/{YT}",
        f"ftp://www.youtube.com/watch?v={YT}",
        "https://www.youtube.com/watch?v=short",  # bad ids
        f"https://www.youtube.com/watch?v={YT}x",
        'https://www.youtube.com/watch?v=dQw4w9WgX"Q',
        f"https://www.youtube.com/watch?v={YT}&v={YT}",
        "https://www.youtube.com/watch",
        "https://vimeo.com/abc",
        "https://vimeo.com/1234567890123",
        "https://x.com/vestnik/status/12ab",
        "https://x.com/vestnik",
        "https://www.facebook.com/vestnik/posts/<script>",
        "https://www.instagram.com/p/a/",
        "https://www.tiktok.com/@vestnik/video/abc",
        "https://www.tiktok.com/embed/v2/7234567890123456789",
        f"https://www.youtube.com/embed/{YT}/../../evil",
        f" https://youtu.be/{YT}\nhttps://evil.example",
        "",
        "https://[::1",  # urlsplit raises
    ],
)
def test_anything_else_is_not_an_embed(url):
    assert embeds.parse(url) is None


# --- The body: blocks, embeds, sanitising ----------------------------------------------------------------------


def test_blocks_are_the_top_level_elements():
    html = '<p>Едно <a href="https://a.example/?x=1&amp;y=%3E">две</a></p><h2>Три</h2><ul><li><p>4</p></li></ul>'
    assert blocks(html) == [
        '<p>Едно <a href="https://a.example/?x=1&amp;y=%3E">две</a></p>',
        "<h2>Три</h2>",
        "<ul><li><p>4</p></li></ul>",
    ]


@pytest.mark.parametrize(
    "paragraph",
    [
        f"<p>https://www.youtube.com/watch?v={YT}</p>",
        f"<p> https://youtu.be/{YT} </p>",
        f'<p><a href="https://youtu.be/{YT}">https://youtu.be/{YT}</a></p>',
        f'<p><a title="Видео" target="_blank" href="https://youtu.be/{YT}">https://youtu.be/{YT}</a></p>',
    ],
)
def test_a_paragraph_holding_only_a_post_address_becomes_a_click_to_load_placeholder(paragraph):
    doc = lxml_html.fragment_fromstring(str(render_body("<p>Преди.</p>" + paragraph)), create_parent="div")
    (figure,) = css(doc, "figure.embed")
    assert figure.get("data-embed-src") == f"https://www.youtube-nocookie.com/embed/{YT}"
    assert css(figure, "a")[0].get("href") == f"https://www.youtube.com/watch?v={YT}"
    assert css(figure, "button.embed__load")[0].get("hidden") is not None  # shown by the script only
    assert not css(doc, "iframe")  # nothing from the platform before the reader asks


@pytest.mark.parametrize(
    "body",
    [
        f'<p><a href="https://youtu.be/{YT}">гледайте видеото</a></p>',  # the editor's own link words
        f"<p>Вижте https://youtu.be/{YT} тук.</p>",  # an address inside a sentence
        "<p>https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ</p>",
        "<p>https://example.org/video/1</p>",
        f"<blockquote><p>https://youtu.be/{YT}</p></blockquote>",  # not a top-level paragraph
    ],
)
def test_other_addresses_stay_text_or_plain_links(body):
    out = str(render_body(body))
    assert "embed" not in out and "<iframe" not in out


@pytest.mark.parametrize(
    "stored",
    [
        f'<figure class="embed" data-embed-src="https://evil.example/"><p>https://youtu.be/{YT}</p></figure>',
        '<iframe src="https://evil.example/"></iframe>',
        '<p data-embed-src="https://evil.example/" onclick="alert(1)">x</p>',
        '<p><a href="javascript:alert(1)">javascript:alert(1)</a></p>',
        '<p>https://youtu.be/dQw4w9WgXcQ"onmouseover="alert(1)</p>',
        '<p><a href="https://youtu.be/dQw4w9WgXcQ" style="x" data-x="y">https://youtu.be/dQw4w9WgXcQ</a></p>',
        "<script>alert(1)</script><p>https://youtu.be/dQw4w9WgXcQ</p>",
    ],
)
def test_no_raw_html_or_attribute_of_the_editor_slips_through(stored):
    out = str(render_body(stored))
    doc = lxml_html.fragment_fromstring(out, create_parent="div")
    assert not doc.xpath(".//script | .//iframe | .//style") and "evil.example" not in out
    for element in doc.iter():
        for name, value in element.attrib.items():
            assert not name.startswith("on") and name not in ("style", "data-x", "src")
            assert not value.strip().lower().startswith("javascript:")
            if name.startswith("data-embed"):
                assert element.tag == "figure" and "embed" in element.get("class")
    for figure in css(doc, "figure.embed"):
        assert figure.get("data-embed-src") == f"https://www.youtube-nocookie.com/embed/{YT}"


def test_the_sanitized_filter_gives_other_rich_text_its_embeds_too():
    from articles.templatetags.article_tags import sanitized

    assert 'class="embed embed--video embed--vimeo"' in sanitized("<p>https://vimeo.com/76979871</p>")


def test_frame_hosts_lists_each_needed_host_once_over_several_texts():
    texts = [
        f"<p>https://youtu.be/{YT}</p><p>https://www.youtube.com/watch?v={YT}</p>",
        "<p>https://x.com/a/status/1</p>",
        "<p>Нищо.</p>",
    ]
    assert embeds.frame_hosts(*texts) == {YT_FRAME_HOST, "https://platform.twitter.com"}
    assert embeds.frame_hosts("<p>https://example.org/</p>", "") == set()


# --- Pictures in the text and the gallery -----------------------------------------------------------------------


@pytest.fixture
def picture():
    return ImageFactory(caption="Мостът при Видин", credit="БТА", alt_text="Стоманен мост над река")


def test_pictures_land_after_the_block_they_name_with_the_lead_images_renditions(db, picture):
    article = ArticleFactory(body="<p>Първи.</p><h2>Втори</h2><p>Трети.</p>")
    BodyImage.objects.create(article=article, image=picture, after_paragraph=0, caption="Преди всичко")
    BodyImage.objects.create(article=article, image=picture, after_paragraph=2, alt_text="Мостът отблизо")
    BodyImage.objects.create(article=article, image=picture, after_paragraph=99, credit="Собствена")
    out = str(render_body(article.body, list(article.body_images.all())))
    doc = lxml_html.fragment_fromstring(out, create_parent="div")
    assert [child.tag for child in doc] == ["figure", "p", "h2", "figure", "p", "figure"]
    first, second, third = css(doc, "figure")
    assert css(first, "span")[0].text == "Преди всичко"
    assert css(second, "img")[0].get("alt") == "Мостът отблизо"
    assert "Собствена" in third.text_content() and "Мостът при Видин" in third.text_content()
    img = css(second, "img")[0]
    assert img.get("srcset") == picture.srcset and img.get("src") == picture.src
    assert (img.get("width"), img.get("height")) == (str(picture.width), str(picture.height))


def test_the_article_page_shows_pictures_gallery_and_lists_all_images_in_json_ld(client, db, picture):
    lead = ImageFactory()
    other = ImageFactory(caption="Кейът", alt_text="Кей с лодки")
    article = ArticleFactory(lead_image=lead, body="<p>Първи.</p><p>Втори.</p>")
    BodyImage.objects.create(article=article, image=picture, after_paragraph=1)
    GalleryImage.objects.create(article=article, image=other, position=2, caption="Втора в галерията")
    GalleryImage.objects.create(article=article, image=picture, position=1)
    doc = lxml_html.fromstring(client.get(article.get_absolute_url()).content)
    body = css(doc, ".article__body")[0]
    assert [child.tag for child in body] == ["p", "figure", "p"]
    gallery = css(doc, "section.gallery")[0]
    figures = css(gallery, "figure")
    assert [css(f, "img")[0].get("alt") for f in figures] == ["Стоманен мост над река", "Кей с лодки"]
    assert "Втора в галерията" in figures[1].text_content()
    controls = css(gallery, ".gallery__controls")[0]
    assert controls.get("hidden") is not None  # a list of figures until the script makes it a viewer
    assert css(controls, "[aria-live]")[0].get("data-template") == "{current} от 2"
    ld = {
        block["@type"]: block
        for block in (json.loads(s.text) for s in doc.iter("script") if s.get("type") == "application/ld+json")
    }
    images = ld["NewsArticle"]["image"]
    assert len(images) == 3  # the lead, then the picture in the text (once, though in the gallery too), the other
    assert all(url.startswith("http://testserver/media/renditions/") for url in images)
    assert images[1] != images[0] and images[2] != images[1]


@pytest.mark.parametrize("count", [1, 10])
def test_article_page_query_budget_with_pictures_and_gallery(client, db, django_assert_max_num_queries, count):
    article = ArticleFactory(with_image=True, body="".join(f"<p>Абзац {n}.</p>" for n in range(12)))
    image = ImageFactory()
    for n in range(count):
        BodyImage.objects.create(article=article, image=ImageFactory() if n % 2 else image, after_paragraph=n)
        GalleryImage.objects.create(article=article, image=ImageFactory() if n % 2 else image, position=n)
    client.get("/")  # the navigation and the most-read boxes
    caching.article_changed(article.pk)
    # The article page's 11 (tests/articles/test_views.py), whether there are 1 or 10 pictures.
    with django_assert_max_num_queries(11):
        response = client.get(article.get_absolute_url())
    assert response.content.decode().count("article__figure--inline") == count


# --- The CSP, with the page cache -------------------------------------------------------------------------------


def _frame_src(response) -> str:
    directives = dict(
        part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";") if part.strip()
    )
    return directives.get("frame-src", "")


def test_a_page_with_an_embed_lets_only_that_platforms_frame_in_also_from_the_page_cache(db):
    article = ArticleFactory(body=f"<p>Видео:</p><p>https://youtu.be/{YT}</p>")
    first, second = Client().get(article.get_absolute_url()), Client().get(article.get_absolute_url())
    assert (state(first), state(second)) == ("miss", "hit")
    for response in (first, second):
        assert _frame_src(response) == YT_FRAME_HOST
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_pages_without_embeds_never_allow_frames(db):
    article = ArticleFactory(body="<p>https://example.org/video</p>")
    ArticleFactory(body=f"<p>https://youtu.be/{YT}</p>")
    for url in (article.get_absolute_url(), article.get_absolute_url(), "/", reverse("articles:search")):
        response = Client().get(url)
        assert "frame-src" not in response.headers["Content-Security-Policy"]


def test_allow_frames_keeps_what_another_text_asked_for():
    class Response:
        _csp_update = {"frame-src": ["https://player.vimeo.com"]}

    response = embeds.allow_frames(Response(), f"<p>https://youtu.be/{YT}</p>")
    assert response._csp_update["frame-src"] == ["https://player.vimeo.com", YT_FRAME_HOST]


# --- The newsroom -----------------------------------------------------------------------------------------------


def _inline(prefix, rows):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for n, row in enumerate(rows):
        data.update({f"{prefix}-{n}-{key}": value for key, value in row.items()})
    return data


def test_an_editor_saves_pictures_in_the_text_and_a_gallery(editor_client, picture):  # noqa: F811
    other = ImageFactory(caption="Кейът", alt_text="Кей с лодки")
    data = form_data(
        body=f"<p>Първи.</p><p>https://youtu.be/{YT}</p>",
        section=str(SectionFactory().pk),
        **_inline("body_images", [{"image": picture.pk, "after_paragraph": "1", "caption": "Свой надпис"}]),
    )
    data.update(
        _inline(
            "gallery_images",
            [{"image": other.pk, "position": "2"}, {"image": picture.pk, "position": "1", "alt_text": "Мостът"}],
        )
    )
    response = editor_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302, response.context and [
        f.formset.errors for f in response.context["inline_admin_formsets"]
    ]
    article = Article.objects.get()
    assert article.body == f"<p>Първи.</p><p>https://youtu.be/{YT}</p>"  # the address stays text for the editor
    (placed,) = article.body_images.all()
    assert (placed.image, placed.after_paragraph, placed.shown_caption) == (picture, 1, "Свой надпис")
    assert [(g.image, g.shown_alt_text) for g in article.gallery_images.all()] == [
        (picture, "Мостът"),
        (other, "Кей с лодки"),
    ]


def test_a_picture_without_any_alternative_text_is_refused_with_a_translated_error(editor_client):  # noqa: F811
    bare = ImageFactory(alt_text="")
    data = form_data(
        section=str(SectionFactory().pk), **_inline("body_images", [{"image": bare.pk, "after_paragraph": "1"}])
    )
    data.update(_inline("gallery_images", []))
    response = editor_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200 and not Article.objects.exists()
    assert "алтернативен текст" in response.content.decode()


def test_the_change_form_offers_the_library_with_upload(editor_client):  # noqa: F811
    article = ArticleFactory(status=Status.DRAFT, published_at=None)
    page = editor_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert "Снимки в текста" in page and "Галерия" in page
    assert 'id="add_id_body_images-__prefix__-image"' in page  # Django's “+” opens the upload form


def test_a_site_page_with_an_embed_allows_its_frame_too(db):
    from tests.factories import PageFactory

    page = PageFactory(body="<p>https://vimeo.com/76979871</p>")
    response = Client().get(page.get_absolute_url())
    assert 'class="embed embed--video embed--vimeo"' in response.content.decode()
    assert _frame_src(response) == "https://player.vimeo.com"


def test_a_new_picture_or_gallery_entry_reaches_the_cached_page_at_once(db, picture):
    article = ArticleFactory()
    url = article.get_absolute_url()
    Client().get(url)
    assert state(Client().get(url)) == "hit"
    GalleryImage.objects.create(article=article, image=picture)
    response = Client().get(url)
    assert state(response) == "miss" and "gallery__figure" in response.content.decode()
    BodyImage.objects.create(article=article, image=picture, after_paragraph=1)
    response = Client().get(url)
    assert state(response) == "miss" and "article__figure--inline" in response.content.decode()


@pytest.mark.parametrize(
    "body",
    [
        "<p>" + "<strong><em>" * 5000 + "x" + "</em></strong>" * 5000 + "</p>",
        "<p>" + "a" * 100_000 + "</p>",
        "<p>" + "a." * 50_000 + "</p>",
        "<p>https://www.youtube.com/watch?v=" + "a" * 100_000 + "</p>",
        '<p><a href="https://youtu.be/' + "x" * 50_000 + '">' + "y" * 50_000 + "</a></p>",
        "<p>" + "<" * 50_000 + 'a="' * 10_000 + "</p>",
    ],
)
def test_hostile_100_kb_bodies_render_quickly(body):
    import time

    started = time.perf_counter()
    render_body(body)
    embeds.frame_hosts(body)
    assert time.perf_counter() - started < 1.0  # about 60 ms here; generous for a shared machine


def test_the_change_form_costs_the_same_with_1_or_10_pictures(editor_client):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for count in (1, 10):
        article = ArticleFactory(with_image=True)
        for n in range(count):
            BodyImage.objects.create(article=article, image=ImageFactory(caption=f"Снимка {n}"), after_paragraph=n)
            GalleryImage.objects.create(article=article, image=ImageFactory(caption=f"Кадър {n}"), position=n)
        url = reverse("admin:articles_article_change", args=[article.pk])
        editor_client.get(url)
        with CaptureQueriesContext(connection) as queries:
            page = editor_client.get(url).content.decode()
        counts.append(len(queries))
        # Each row's chosen picture is named in its autocomplete, without a query of its own.
        assert f'<option value="{article.gallery_images.last().image_id}" selected>Кадър {count - 1}</option>' in page
    assert counts[0] == counts[1] <= 15, counts  # 15: with the live-update and note inlines
