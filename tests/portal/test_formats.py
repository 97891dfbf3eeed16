"""Bulgarian dates (portal/formats/bg): typed as Bulgarians write them, shown with a 24-hour clock, in the
newsroom and on the site; ISO still accepted; English keeps Django's formats."""

import re
from datetime import date, datetime, time

import pytest
from django import forms
from django.urls import reverse
from django.utils import formats, timezone, translation

from articles.models import Article, Status
from articles.roles import EDITOR
from tests.factories import ArticleFactory, newsroom_user

pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.localdate().year + 1


@pytest.fixture
def editor_client(client):
    client.force_login(newsroom_user(EDITOR, author_name="Елена Редакторова"))
    return client


def article_post(article, **fields):
    """What the article change form posts for ``article`` (a draft), with ``fields`` changed."""
    data = {
        "title": article.title,
        "slug": article.slug,
        "lead": article.lead,
        "body": article.body,
        "status": Status.DRAFT,
        "section": str(article.section_id),
        "published_at_0": "",
        "published_at_1": "",
        "comments_enabled": "on",
        "source_url": "",
        "attribution": "",
        "_continue": "Запиши и продължи",
        # The inlines' management forms (pictures in the text, gallery): none posted.
        **{
            f"{prefix}-{name}": "0"
            for prefix in ("body_images", "gallery_images")
            for name in ("TOTAL_FORMS", "INITIAL_FORMS")
        },
    }
    data.update(fields)
    return data


def sofia(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


@pytest.mark.parametrize(
    ("typed_date", "typed_time", "expected"),
    [
        (f"04.12.{NEXT_YEAR}", "14:46", (NEXT_YEAR, 12, 4, 14, 46)),
        (f"4.12.{NEXT_YEAR}", "9:05", (NEXT_YEAR, 12, 4, 9, 5)),
        (f"04.12.{NEXT_YEAR % 100:02d}", "14:46:30", (NEXT_YEAR, 12, 4, 14, 46, 30)),
        (f"{NEXT_YEAR}-12-04", "14:46:05", (NEXT_YEAR, 12, 4, 14, 46, 5)),  # ISO, as before
    ],
)
def test_the_editor_types_the_publishing_date_as_bulgarians_write_it(editor_client, typed_date, typed_time, expected):
    article = ArticleFactory(draft=True)
    url = reverse("admin:articles_article_change", args=[article.pk])
    response = editor_client.post(url, article_post(article, published_at_0=typed_date, published_at_1=typed_time))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Article.objects.get(pk=article.pk).published_at == sofia(*expected)


def test_a_us_date_is_refused_not_misread(editor_client):
    article = ArticleFactory(draft=True)
    url = reverse("admin:articles_article_change", args=[article.pk])
    response = editor_client.post(
        url, article_post(article, published_at_0=f"12/04/{NEXT_YEAR}", published_at_1="14:46")
    )
    assert response.status_code == 200
    assert "Въведете валидна дата." in response.content.decode()
    assert Article.objects.get(pk=article.pk).published_at is None


def test_the_change_form_shows_the_date_the_bulgarian_way_and_keeps_the_seconds(editor_client):
    article = ArticleFactory(draft=True, published_at=sofia(NEXT_YEAR, 12, 4, 14, 46, 5))
    html = editor_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert re.search(rf'name="published_at_0" value="04\.12\.{NEXT_YEAR}"', html)
    # Saved again unchanged, the article keeps its time to the second.
    assert re.search(r'name="published_at_1" value="14:46:05"', html)


def test_admin_lists_show_dates_with_a_24_hour_clock(editor_client):
    ArticleFactory(title="Следобедна новина", published_at=sofia(2025, 12, 4, 14, 46))
    html = editor_client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "04.12.2025 14:46" in html
    assert "след обяд" not in html and "преди обяд" not in html and "Дек." not in html


def test_the_admin_calendar_writes_the_first_input_format(editor_client):
    catalog = editor_client.get(reverse("admin:jsi18n")).content.decode()
    assert re.search(r'"DATE_INPUT_FORMATS": \[\s*"%d\.%m\.%Y"', catalog)
    assert re.search(r'"DATETIME_INPUT_FORMATS": \[\s*"%d\.%m\.%Y %H:%M"', catalog)
    assert re.search(r'"TIME_INPUT_FORMATS": \[\s*"%H:%M:%S"', catalog)


def test_site_forms_read_bulgarian_dates_too():
    with translation.override("bg"):
        assert forms.DateField().clean("04.12.2026") == date(2026, 12, 4)
        assert forms.DateField().clean("2026-12-04") == date(2026, 12, 4)
        assert forms.DateTimeField().clean("04.12.2026 14:46") == sofia(2026, 12, 4, 14, 46)
        assert forms.TimeField().clean("14:46") == time(14, 46)
        with pytest.raises(forms.ValidationError):
            forms.DateField().clean("12/04/2026")


def test_bulgarian_display_formats():
    moment = sofia(2026, 12, 4, 14, 46)
    with translation.override("bg"):
        assert formats.date_format(moment, "DATE_FORMAT") == "04.12.2026"
        assert formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") == "04.12.2026 14:46"
        assert formats.date_format(moment, "SHORT_DATE_FORMAT") == "04.12.2026"
        assert formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT") == "04.12.2026 14:46"
        assert formats.time_format(time(14, 46)) == "14:46"
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1
        assert formats.number_format(1234.5, 1) == "1234,5"


def test_english_keeps_djangos_formats():
    with translation.override("en"):
        assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%Y-%m-%d"
        assert formats.date_format(date(2026, 12, 4), "DATE_FORMAT") == "Dec. 4, 2026"
