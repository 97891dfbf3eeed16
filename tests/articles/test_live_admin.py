"""Live updates and correction notes in the newsroom (admin inlines): adding, validation, history, roles, budget."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from articles.models import Article, ArticleNote, LiveUpdate, Status
from articles.roles import AUTHOR, EDITOR
from tests.articles.test_admin import change_url, form_data, local_parts
from tests.factories import (
    ArticleFactory,
    ArticleNoteFactory,
    AuthorFactory,
    ImageFactory,
    LiveUpdateFactory,
    newsroom_user,
)

pytestmark = pytest.mark.django_db

UPDATES, NOTES = "live_updates", "notes"


@pytest.fixture
def editor():
    return newsroom_user(EDITOR, author_name="Елена Редакторова")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def inline_data(prefix, rows, initial=0):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial)}
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def post(client, article, updates=(), notes=(), **overrides):
    data = form_data(article, status=Status.PUBLISHED, is_live="on", **overrides)
    data.update(inline_data(UPDATES, list(updates)))
    data.update(inline_data(NOTES, list(notes)))
    return client.post(change_url(article), data)


def test_an_editor_adds_an_update_timed_now_sanitised_credited_and_in_the_history(editor_client, editor):
    article = ArticleFactory(with_image=True)
    profile = editor.author_profile
    form = editor_client.get(change_url(article)).content.decode()
    assert f'<option value="{profile.pk}" selected>Елена Редакторова</option>' in form  # credited by default
    before = timezone.now()
    response = post(
        editor_client,
        article,
        updates=[
            {
                "body": '<p>Пътят е <b>отворен</b>.</p><img src=x onerror="alert(1)">',
                "published_at_0": "",
                "author": str(profile.pk),
            }
        ],
    )
    assert response.status_code == 302, response.context and response.context["inline_admin_formsets"]
    update = LiveUpdate.objects.get()
    assert update.body == "<p>Пътят е <b>отворен</b>.</p>"
    assert update.published_at >= before and update.author.user == editor
    article.refresh_from_db()
    assert article.is_live and article.content_updated_at == update.published_at
    entry = LogEntry.objects.filter(object_id=str(article.pk)).latest("action_time")
    assert "обновяване на живо" in entry.get_change_message()


def test_an_update_in_the_future_or_without_text_is_refused(editor_client):
    article = ArticleFactory(with_image=True)
    day, clock = local_parts(timezone.now() + timedelta(hours=2))
    response = post(
        editor_client, article, updates=[{"body": "<p>Утре.</p>", "published_at_0": day, "published_at_1": clock}]
    )
    assert response.status_code == 200
    assert "Обновяване не може да е с бъдеща дата." in response.content.decode()
    response = post(editor_client, article, updates=[{"body": "<p> </p>", "published_at_0": "", "image": ""}])
    assert "Напишете текста на обновяването." in response.content.decode()
    assert not LiveUpdate.objects.exists()


def test_an_editor_adds_a_correction(editor_client):
    article = ArticleFactory(with_image=True)
    post(
        editor_client,
        article,
        notes=[
            {
                "kind": "correction",
                "text": "Вярната дата е 12 декември.",
                "published_at_0": "",
            }
        ],
    )
    note = ArticleNote.objects.get()
    assert note.text == "Вярната дата е 12 декември." and note.article == article
    assert Article.objects.get(pk=article.pk).content_updated_at == note.published_at


def test_a_post_without_the_inlines_leaves_updates_and_notes_alone(editor_client):
    article = ArticleFactory(with_image=True)
    LiveUpdateFactory(article=article)
    ArticleNoteFactory(article=article)
    response = editor_client.post(change_url(article), form_data(article, status=Status.PUBLISHED))
    assert response.status_code == 302
    assert LiveUpdate.objects.count() == 1 and ArticleNote.objects.count() == 1


def test_the_change_form_shows_the_inlines_in_bulgarian(editor_client):
    body = editor_client.get(change_url(ArticleFactory())).content.decode()
    assert "Обновявания на живо" in body and "Корекции и актуализации" in body
    assert "На живо" in body


def test_authors_do_not_get_the_inlines(client):
    author = newsroom_user(AUTHOR)
    client.force_login(author)
    draft = ArticleFactory(draft=True, created_by=author)
    body = client.get(change_url(draft)).content.decode()
    assert "live_updates-TOTAL_FORMS" not in body


@pytest.mark.parametrize("many", [1, 20])
def test_the_change_form_budget_does_not_grow_with_updates(editor_client, many, django_assert_max_num_queries):
    article = ArticleFactory(with_image=True, is_live=True)
    for i in range(many):
        LiveUpdateFactory(article=article, image=ImageFactory() if i % 2 == 0 else None, author=AuthorFactory())
        ArticleNoteFactory(article=article)
    editor_client.get(change_url(article))
    with django_assert_max_num_queries(15):
        assert editor_client.get(change_url(article)).status_code == 200


def test_the_empty_update_form_leaves_the_time_empty_for_the_moment_of_saving(editor_client):
    from lxml import html as lxml_html

    article = ArticleFactory(is_live=True)
    LiveUpdateFactory(article=article)
    page = lxml_html.fromstring(editor_client.get(change_url(article)).content.decode())
    assert page.xpath('//input[@name="live_updates-0-published_at_0"]/@value')  # the existing update's date
    assert page.xpath('//input[@name="live_updates-1-published_at_0"]/@value') in ([], [""])
    assert page.xpath('//input[@name="notes-__prefix__-published_at_0"]/@value') in ([], [""])
