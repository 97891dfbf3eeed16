"""Bulgarian content in an English frame: readers' words carry lang="bg"; the frame's words stay English."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class LanguageOfText(HTMLParser):
    """Every piece of visible text with the language it is marked in (the nearest lang attribute)."""

    def __init__(self, frame: str):
        super().__init__(convert_charrefs=True)
        self.stack = [("html", frame)]
        self.texts = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append((tag, dict(attrs).get("lang") or self.stack[-1][1]))

    def handle_endtag(self, tag):
        while len(self.stack) > 1:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if data.strip() and self.stack[-1][0] not in ("script", "style"):
            self.texts.append((data.strip(), self.stack[-1][1]))


def texts_in(html: str, start: str, end: str, frame: str) -> list[tuple[str, str]]:
    part = html[html.index(start) : html.index(end, html.index(start))]
    parser = LanguageOfText(frame)
    parser.feed(part)
    return parser.texts


@pytest.fixture
def english(settings):
    reader = Client()
    reader.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return reader


@pytest.fixture
def discussion():
    article = ArticleFactory(title="Щъркелите се завръщат")
    root = CommentFactory(article=article, author_name="Мария", body="Хубава новина за Бургас.")
    reply = CommentFactory(parent=root, author_name="Петър", body="Съгласен съм с Мария.")
    CommentFactory(article=article, author_name="Гост", body="Много нисък рейтинг.", likes=0, dislikes=5, score=-5)
    return article, root, reply


def test_an_english_frame_marks_every_bulgarian_word_of_the_discussion(english, discussion):
    article, _root, _reply = discussion
    html = english.get(article.get_absolute_url()).content.decode()
    assert '<html lang="en">' in html
    texts = texts_in(html, 'id="comments"', "</section>", "en")
    bulgarian = [text for text, lang in texts if CYRILLIC.search(text)]
    assert {"Мария", "Петър", "Хубава новина за Бургас.", "Съгласен съм с Мария."} <= set(bulgarian)
    unmarked = [text for text, lang in texts if CYRILLIC.search(text) and lang != "bg"]
    assert unmarked == []
    frame = [text for text, lang in texts if lang == "en"]
    assert "Comments (" in frame and "Newest" in frame and "Reply" in frame and "Report" in frame
    assert any(text.startswith("in reply to") for text in frame)
    assert not [text for text in frame if CYRILLIC.search(text)]


def test_a_bulgarian_frame_needs_no_marks(client, discussion):
    article, _root, _reply = discussion
    html = client.get(article.get_absolute_url()).content.decode()
    section = html[html.index('id="comments"') : html.index("</section>", html.index('id="comments"'))]
    assert '<html lang="bg">' in html and ' lang="' not in section


def test_the_comment_pages_mark_names_and_headlines_in_an_english_frame(english, discussion):
    _article, root, reply = discussion
    for url, heading in (
        (reverse("comments:thread", kwargs={"pk": root.pk}), "Discussion started by"),
        (reverse("comments:reply", kwargs={"pk": root.pk}), "Reply to"),
        (reverse("comments:report", kwargs={"pk": reply.pk}), "Report a comment"),
    ):
        html = english.get(url).content.decode()
        texts = texts_in(html, '<main id="main"', "</main>", "en")
        assert [text for text, lang in texts if CYRILLIC.search(text) and lang != "bg"] == [], url
        assert any(text.startswith(heading) for text, lang in texts if lang == "en"), url
        assert ("Щъркелите се завръщат", "bg") in texts, url


def test_the_reply_form_marks_the_name_it_answers(english, discussion):
    _article, root, _reply = discussion
    html = english.get(reverse("comments:reply", kwargs={"pk": root.pk})).content.decode()
    assert 'Replying to <span lang="bg">Мария</span> · <a' in html
    section = html[html.index("data-comment-form") :]
    assert "data-remembered" in section
