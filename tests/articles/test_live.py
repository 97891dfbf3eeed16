"""Live updates and corrections (docs/live-and-corrections.md): models, the article page, the polling endpoint,
feeds, JSON-LD, the page cache, the corrections page and query budgets."""

import json
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from lxml import html as lxml_html

from articles import demo_live
from articles.demo import story_slug
from articles.demo_content import STORIES
from articles.models import Article, ArticleNote, LiveUpdate, NoteKind, Status
from tests.factories import (
    ArticleFactory,
    ArticleNoteFactory,
    AuthorFactory,
    ImageFactory,
    LiveUpdateFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


def ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


def updates_url(article, after=None):
    url = article.get_absolute_url() + "updates/"
    return url if after is None else f"{url}?after={after}"


def cls(node, name: str) -> list:
    """Elements under ``node`` with the class ``name``."""
    return node.xpath(f'.//*[contains(concat(" ", normalize-space(@class), " "), " {name} ")]')


def doc(response):
    return lxml_html.fromstring(response.content.decode())


@pytest.fixture
def live():
    """A live story published two hours ago with three updates, the middle one with a photo and an author."""
    article = ArticleFactory(is_live=True, published_at=ago(hours=2), title="Бурята по Черноморието")
    first = LiveUpdateFactory(article=article, published_at=ago(minutes=90), body="<p>Първо: вятър 90 км/ч.</p>")
    second = LiveUpdateFactory(
        article=article,
        published_at=ago(minutes=60),
        body="<p>Второ: пристанището е затворено.</p>",
        image=ImageFactory(caption="Кораби в Черно море", alt_text="Кораби на котва"),
        author=AuthorFactory(name="Ралица Дончева"),
    )
    third = LiveUpdateFactory(article=article, published_at=ago(minutes=10), body="<p>Трето: вятърът отслабва.</p>")
    return article, [first, second, third]


# --- models and querysets -------------------------------------------------------------------------------------


def test_an_update_is_sanitised_and_moves_the_articles_updated_time(live):
    article, (_first, _second, _third) = live
    update = LiveUpdate.objects.create(
        article=article, body='<p onclick="x()">Ново<script>alert(1)</script> <a href="javascript:x">т</a></p>'
    )
    assert "onclick" not in update.body and "script" not in update.body and "javascript" not in update.body
    article.refresh_from_db()
    assert article.content_updated_at == update.published_at
    # An update dated earlier than the newest leaves the time where it is.
    LiveUpdate.objects.create(article=article, body="<p>Закъсняло</p>", published_at=ago(hours=1, minutes=30))
    article.refresh_from_db()
    assert article.content_updated_at == update.published_at


def test_notes_and_updates_on_drafts_do_not_set_an_updated_time():
    draft = ArticleFactory(draft=True)
    LiveUpdateFactory(article=draft)
    ArticleNoteFactory(article=draft)
    draft.refresh_from_db()
    assert draft.content_updated_at is None


def test_public_querysets_leave_out_drafts_and_scheduled_stories(live):
    article, updates = live
    draft_update = LiveUpdateFactory(article=ArticleFactory(draft=True))
    scheduled_note = ArticleNoteFactory(article=ArticleFactory(scheduled=True))
    note = ArticleNoteFactory(article=article)
    assert set(LiveUpdate.objects.public()) == set(updates)
    assert draft_update not in LiveUpdate.objects.public()
    assert list(ArticleNote.objects.public()) == [note]
    assert scheduled_note not in ArticleNote.objects.public().for_listing()
    assert list(LiveUpdate.objects.filter(article=article).for_page()) == updates[::-1]
    assert list(LiveUpdate.objects.filter(article=article).after(updates[0].pk)) == updates[:0:-1]


def test_str_shows_the_time_and_the_first_words(live):
    _article, (first, *_rest) = live
    assert "Първо: вятър 90 км/ч." in str(first)
    assert str(ArticleNoteFactory(kind=NoteKind.UPDATE, text="Допълнено.")) == "Актуализация: Допълнено."


# --- the article page -----------------------------------------------------------------------------------------


def test_the_article_shows_its_updates_newest_first_with_permalinks(client, live):
    article, (first, second, third) = live
    page = doc(client.get(article.get_absolute_url()))
    items = cls(page, "live-update")
    assert [item.get("id") for item in items] == [f"update-{u.pk}" for u in (third, second, first)]
    links = [cls(item, "live-update__time")[0].get("href") for item in items]
    assert links[0] == f"{article.get_absolute_url()}#update-{third.pk}"
    assert "Трето: вятърът отслабва." in items[0].text_content()
    image = items[1].xpath(".//img")[0]
    assert image.get("alt") == "Кораби на котва" and image.get("srcset").endswith("64w")
    assert "Ралица Дончева" in items[1].text_content()
    box = page.xpath("//*[@data-live-poll]")[0]
    assert box.get("data-live-poll") == updates_url(article)
    assert box.get("data-live-latest") == str(third.pk)
    assert box.get("data-live-one") == "1 ново обновяване"
    assert cls(cls(page, "article__header")[0], "live-badge")[0].text_content() == "На живо"
    assert page.xpath('//script[contains(@src, "live.js")]')


def test_a_story_no_longer_live_keeps_its_updates_but_does_not_poll(client, live):
    article, _updates = live
    article.is_live = False
    article.save()
    page = doc(client.get(article.get_absolute_url()))
    assert len(cls(page, "live-update")) == 3
    assert not page.xpath("//*[@data-live-poll]") and not cls(page, "live-badge")
    assert not page.xpath('//script[contains(@src, "live.js")]')


def test_an_ordinary_article_has_no_live_section(client, article):
    page = doc(client.get(article.get_absolute_url()))
    assert not cls(page, "live") and not cls(page, "article-notes")


def test_notes_close_the_article_oldest_first(client, article):
    ArticleNoteFactory(article=article, text="Поправена е датата.", published_at=ago(hours=1))
    ArticleNoteFactory(article=article, kind=NoteKind.UPDATE, text="Добавена е позицията на МВР.")
    page = doc(client.get(article.get_absolute_url()))
    notes = cls(cls(page, "article-notes")[0], "article-note")
    assert [n.xpath(".//h3")[0].text_content().split()[0] for n in notes] == ["Корекция", "Актуализация"]
    assert "Поправена е датата." in notes[0].text_content()
    assert cls(page, "article-notes")[0].xpath(".//h2")[0].text_content() == "Корекции и актуализации"


def test_live_cards_carry_the_badge(client, live):
    ArticleFactory(title="Обикновена новина")
    page = doc(client.get(reverse("articles:latest")))
    badges = cls(page, "live-badge")
    assert len(badges) == 1
    assert "Бурята по Черноморието" in badges[0].getparent().text_content()


def test_json_ld_date_modified_is_the_newest_update(client, live):
    article, (_first, _second, third) = live
    page = doc(client.get(article.get_absolute_url()))
    blocks = [json.loads(s.text) for s in page.iter("script") if s.get("type") == "application/ld+json"]
    data = next(b for b in blocks if b["@type"] == "NewsArticle")
    expected = timezone.localtime(third.published_at).replace(microsecond=0).isoformat()
    assert data["dateModified"] == expected
    assert page.xpath('//meta[@property="article:modified_time"]')[0].get("content") == expected


def test_a_note_moves_date_modified_too(client, article):
    note = ArticleNoteFactory(article=article)
    article.refresh_from_db()
    assert article.content_updated_at == note.published_at


# --- the polling endpoint -------------------------------------------------------------------------------------


def test_polling_answers_the_updates_after_an_id_newest_first(client, live):
    article, (first, second, third) = live
    response = client.get(updates_url(article, first.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = response.json()
    assert data["live"] is True and data["count"] == 2 and data["latest"] == third.pk
    fragment = lxml_html.fragment_fromstring(data["html"], create_parent="ol")
    assert [li.get("id") for li in fragment] == [f"update-{third.pk}", f"update-{second.pk}"]
    nothing = client.get(updates_url(article, third.pk)).json()
    assert (nothing["count"], nothing["html"], nothing["latest"]) == (0, "", third.pk)
    everything = client.get(updates_url(article)).json()
    assert everything["count"] == 3


def test_polling_is_public_and_page_cached(client, live):
    article, (first, *_rest) = live
    url = updates_url(article, first.pk)
    first_answer = client.get(url)
    assert "public" in first_answer["Cache-Control"] and "s-maxage=1" in first_answer["Cache-Control"]
    assert first_answer["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    LiveUpdateFactory(article=article, body="<p>Четвърто.</p>")
    fresh = client.get(url)
    assert fresh["X-Page-Cache"] == "miss" and fresh.json()["count"] == 3


@pytest.mark.parametrize("after", ["abc", "-1", "1.5", "1e3", "9" * 30, "１２", "0x10", " 1", "1;drop"])
def test_bad_after_values_get_a_translated_400(client, live, after):
    article, _updates = live
    response = client.get(article.get_absolute_url() + "updates/", {"after": after})
    assert response.status_code == 400
    assert response.json()["error"] == "„after“ трябва да е номер на обновяване."


def test_the_end_of_a_story_reaches_the_poll(client, live):
    article, (_first, _second, third) = live
    Article.objects.filter(pk=article.pk).update(is_live=False)
    import caching

    caching.site_changed()
    assert client.get(updates_url(article, third.pk)).json()["live"] is False


@pytest.mark.parametrize("kind", ["draft", "scheduled", "archived"])
def test_polling_a_story_readers_cannot_see_is_404(client, kind):
    traits = {"draft": {"draft": True}, "scheduled": {"scheduled": True}, "archived": {"status": Status.ARCHIVED}}
    article = ArticleFactory(is_live=True, **traits[kind])
    LiveUpdateFactory(article=article)
    assert client.get(updates_url(article, 0)).status_code == 404


def test_polling_under_another_date_or_slug_is_404(client, live):
    article, _updates = live
    assert client.get(f"/2001/01/01/{article.slug}/updates/").status_code == 404
    assert client.get(updates_url(article).replace(article.slug, "nyama-takava")).status_code == 404


def test_a_draft_previewed_by_an_editor_does_not_poll(admin_client):
    draft = ArticleFactory(draft=True, is_live=True)
    LiveUpdateFactory(article=draft)
    page = doc(admin_client.get(draft.get_absolute_url()))
    assert cls(page, "live-update") and not page.xpath("//*[@data-live-poll]")


# --- the page cache -------------------------------------------------------------------------------------------


def test_the_cached_page_shows_a_new_update_and_a_new_note(client, live, settings):
    settings.PAGE_CACHE_ENABLED = True
    article, _updates = live
    url = article.get_absolute_url()
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    LiveUpdateFactory(article=article, body="<p>Спешно: нов сигнал от Шабла.</p>")
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Спешно: нов сигнал от Шабла." in response.content.decode()
    ArticleNoteFactory(article=article, text="Поправено е името на селото.")
    assert "Поправено е името на селото." in client.get(url).content.decode()
    corrections = client.get(reverse("articles:corrections"))
    assert "Поправено е името на селото." in corrections.content.decode()


def test_a_deleted_update_leaves_the_cached_page(client, live):
    article, (first, *_rest) = live
    url = article.get_absolute_url()
    client.get(url)
    first.delete()
    assert "Първо: вятър 90 км/ч." not in client.get(url).content.decode()


# --- feeds ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/feeds/rss/", "/feeds/atom/"])
def test_feeds_carry_the_newest_update(client, live, url):
    _article, (_first, _second, third) = live
    body = client.get(url).content.decode()
    assert "Последно обновяване: Трето: вятърът отслабва." in body
    stamp = timezone.localtime(third.published_at)
    if "atom" in url:
        assert f"<updated>{stamp.isoformat()}</updated>" in body
    else:
        assert "<p>" not in body  # the update's markup is not in the description


def test_feed_budget_does_not_grow_with_updates(client, django_assert_max_num_queries):
    for _i in range(5):
        LiveUpdateFactory.create_batch(4, article=ArticleFactory(is_live=True, with_image=True))
    with django_assert_max_num_queries(3):
        assert client.get("/feeds/rss/").status_code == 200


# --- query budgets --------------------------------------------------------------------------------------------


def count_queries(client, url) -> int:
    from django.core.cache import cache

    from caching.generations import forget
    from caching.pages import local_pages

    cache.clear()
    local_pages.clear()
    forget()
    client.get("/")  # the navigation cache, as every other budget warms it
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("many", [1, 20])
def test_article_page_budget_is_the_same_with_1_or_20_updates_and_notes(client, many, django_assert_max_num_queries):
    article = ArticleFactory(is_live=True, with_image=True)
    author, image = AuthorFactory(), ImageFactory()
    for i in range(many):
        LiveUpdateFactory(article=article, image=image if i % 2 else None, author=author)
        ArticleNoteFactory(article=article)
    client.get("/")
    # The article's budget (test_views.py: 13 with the updates and notes), and one for the updates' frame hosts
    # (the CSP of a live story: articles/views.py).
    with django_assert_max_num_queries(14):
        assert client.get(article.get_absolute_url()).status_code == 200


def test_article_page_queries_do_not_grow(client):
    one, many = ArticleFactory(is_live=True), ArticleFactory(is_live=True)
    image, author = ImageFactory(), AuthorFactory()
    LiveUpdateFactory(article=one, image=image, author=author)
    ArticleNoteFactory(article=one)
    for i in range(20):
        LiveUpdateFactory(article=many, image=ImageFactory() if i % 2 else None, author=AuthorFactory())
        ArticleNoteFactory(article=many)
    assert count_queries(client, one.get_absolute_url()) == count_queries(client, many.get_absolute_url())


@pytest.mark.parametrize("many", [1, 20])
def test_polling_budget(client, many, django_assert_max_num_queries):
    article = ArticleFactory(is_live=True)
    for i in range(many):
        LiveUpdateFactory(article=article, image=ImageFactory() if i % 2 else None, author=AuthorFactory())
    with django_assert_max_num_queries(2):
        assert client.get(updates_url(article, 0)).json()["count"] == many


@pytest.mark.parametrize("many", [1, 20])
def test_corrections_page_budget(client, many, django_assert_max_num_queries):
    for _ in range(many):
        ArticleNoteFactory(article=ArticleFactory(section=SectionFactory()))
    client.get("/")
    with django_assert_max_num_queries(3):
        assert client.get(reverse("articles:corrections")).status_code == 200


# --- the corrections page -------------------------------------------------------------------------------------


def test_corrections_page_lists_public_notes_newest_first_with_links(client, settings):
    settings.ARTICLES_PER_PAGE = 2
    older = ArticleNoteFactory(published_at=ago(days=2), text="По-стара поправка.")
    newer = ArticleNoteFactory(published_at=ago(hours=1), kind=NoteKind.UPDATE, text="По-нова актуализация.")
    newest = ArticleNoteFactory(published_at=ago(minutes=5), text="Най-нова поправка.")
    ArticleNoteFactory(article=ArticleFactory(draft=True), text="Поправка в чернова.")
    first = doc(client.get("/korekcii/"))
    items = cls(first, "corrections__item")
    assert ["Най-нова поправка." in items[0].text_content(), "По-нова актуализация." in items[1].text_content()] == [
        True,
        True,
    ]
    assert items[0].xpath(".//a")[0].get("href") == newest.article.get_absolute_url()
    assert items[1].xpath(".//strong")[0].text_content() == "Актуализация"
    second = client.get("/korekcii/?page=2").content.decode()
    assert "По-стара поправка." in second and "Поправка в чернова." not in second
    assert newer.article.title in first.text_content() and older.article.title in second


def test_the_footer_links_to_the_corrections_page(client, article):
    page = doc(client.get("/"))
    link = cls(page, "site-footer__corrections")[0].xpath(".//a")[0]
    assert link.get("href") == "/korekcii/" and link.text_content() == "Корекции"


def test_a_section_cannot_take_the_corrections_address():
    from django.core.exceptions import ValidationError

    section = SectionFactory.build(name="Корекции", slug="korekcii")
    with pytest.raises(ValidationError):
        section.clean()


# --- demo -----------------------------------------------------------------------------------------------------


def test_the_demo_seeder_makes_a_live_story_a_correction_and_an_update_note():
    SectionFactory(slug="bulgaria", name="България")
    stories = [ArticleFactory(slug=story_slug(s), published_at=ago(days=3 - i)) for i, s in enumerate(STORIES[:2])]
    out = StringIO()
    demo_live.seed(stdout=out)
    demo_live.seed(stdout=out)  # a second run adds nothing
    article = Article.objects.get(slug=demo_live.LIVE_SLUG)
    assert article.is_live and article.is_public
    assert article.live_updates.count() == len(demo_live.UPDATES)
    assert article.live_updates.filter(image__isnull=False).count() >= 0  # the photo when the demo images exist
    kinds = dict(ArticleNote.objects.values_list("article__slug", "kind"))
    assert kinds == {stories[0].slug: NoteKind.CORRECTION, stories[1].slug: NoteKind.UPDATE}
    assert re.search(r"5 updates, 2 notes", out.getvalue())
    demo_live.reset(stdout=out)
    assert not Article.objects.filter(slug=demo_live.LIVE_SLUG).exists() and not ArticleNote.objects.exists()


def test_markup_that_skipped_save_is_sanitised_again_on_the_page_and_in_the_poll(client, live):
    article, (first, *_rest) = live
    evil = '<p>Ок</p><script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">в</a>'
    LiveUpdate.objects.filter(pk=first.pk).update(body=evil)  # a write the model's save() never saw
    LiveUpdate.objects.filter(pk=first.pk).update(author=AuthorFactory(name="<b>Име</b>"))
    import caching

    caching.site_changed()
    page = client.get(article.get_absolute_url()).content.decode()
    poll = client.get(updates_url(article)).json()["html"]
    for html in (page, poll):
        assert "alert(" not in html and "onerror" not in html and "<b>Име</b>" not in html
        assert "&lt;b&gt;Име&lt;/b&gt;" in html


def test_an_update_holding_an_embed_lets_only_its_frame_host_in(client, db):
    article = ArticleFactory(is_live=True, published_at=ago(hours=1), body="<p>Без видео.</p>")
    LiveUpdateFactory(article=article, body="<p>https://www.youtube.com/watch?v=M7lc1UVf-VE</p>")
    policy = client.get(article.get_absolute_url()).headers["Content-Security-Policy"]
    frame_src = next(part for part in policy.split(";") if part.strip().startswith("frame-src"))
    assert frame_src.split()[1:] == ["https://www.youtube-nocookie.com"]


def test_a_live_story_without_embeds_keeps_frames_shut(client, db):
    article = ArticleFactory(is_live=True, published_at=ago(hours=1))
    LiveUpdateFactory(article=article, body="<p>Само текст.</p>")
    assert "frame-src" not in client.get(article.get_absolute_url()).headers["Content-Security-Policy"]
