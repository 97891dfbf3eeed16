"""An editor types a publishing date as Bulgarians write it (04.12.2026) in the newsroom and saves; the calendar's
shortcuts write the same way (portal/formats/bg)."""

import re
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article
from articles.roles import EDITOR
from tests.browser.helpers import sign_in, staff_user
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def save_and_continue(page) -> None:
    page.get_by_role("button", name="Запиши и продължи").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator(".errornote")).to_have_count(0)


def test_an_editor_types_a_bulgarian_date_and_saves(page, live_server):
    year = timezone.localdate().year + 1
    article = ArticleFactory(draft=True, title="Чернова с дата")
    change = reverse("admin:articles_article_change", args=[article.pk])
    sign_in(page, live_server, staff_user(EDITOR), next_url=change)

    page.locator("#id_published_at_0").fill(f"04.12.{year}")
    page.locator("#id_published_at_1").fill("14:46")
    save_and_continue(page)
    expect(page.get_by_text("Въведете валидна дата")).to_have_count(0)
    expect(page.locator("#id_published_at_0")).to_have_value(f"04.12.{year}")
    expect(page.locator("#id_published_at_1")).to_have_value("14:46:00")
    assert Article.objects.get(pk=article.pk).published_at == timezone.make_aware(datetime(year, 12, 4, 14, 46))

    # The list shows it the same way, on a 24-hour clock.
    page.goto(live_server.url + reverse("admin:articles_article_changelist"))
    row = page.locator("#result_list tr", has_text="Чернова с дата")
    expect(row).to_contain_text(f"04.12.{year} 14:46")


def test_the_calendar_shortcuts_write_the_bulgarian_format(page, live_server):
    article = ArticleFactory(draft=True)
    change = reverse("admin:articles_article_change", args=[article.pk])
    sign_in(page, live_server, staff_user(EDITOR), next_url=change)

    page.locator(".field-published_at:has(#id_published_at_0) .datetimeshortcuts").first.get_by_role(
        "link", name="Днес"
    ).click()
    today = timezone.localdate()
    expect(page.locator("#id_published_at_0")).to_have_value(today.strftime("%d.%m.%Y"))
    page.locator(".field-published_at:has(#id_published_at_0) .datetimeshortcuts").last.get_by_role(
        "link", name="Сега"
    ).click()
    expect(page.locator("#id_published_at_1")).to_have_value(re.compile(r"^\d\d:\d\d:\d\d$"))

    # A day picked in the calendar: the 4th of this month, day.month.year.
    page.locator(".field-published_at:has(#id_published_at_0) .datetimeshortcuts").first.locator(
        "a[id^=calendarlink]"
    ).click()
    page.locator(".calendarbox:visible td:not(.nonday) a", has_text=re.compile(r"^4$")).click()
    expect(page.locator("#id_published_at_0")).to_have_value(today.replace(day=4).strftime("%d.%m.%Y"))
    save_and_continue(page)
    saved = timezone.localtime(Article.objects.get(pk=article.pk).published_at)
    assert saved.date() == today.replace(day=4)
