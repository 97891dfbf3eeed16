"""The newsroom speaks Bulgarian throughout: Django's admin, the user forms with their password checks and
django-axes' sign-in records carry no English left over from the packages' incomplete catalogs."""

import html
import re

import pytest
from django.urls import reverse
from django.utils import translation

from portal.apps import PACKAGE_STRINGS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# English the pages showed, each once seen by a Bulgarian editor; matched as whole phrases of the visible text.
ENGLISH = [
    "Model name",
    "Add link",
    "Change or view list link",
    "After you’ve created a user",
    "Error:",
    "This password is too short",
    "It must contain at least",
    "This password is too common",
    "entirely numeric",
    "Axes",
    "Access attempts",
    "Access attempt",
    "access attempt",
    "Access logs",
    "access log",
    "Access failures",
    "access failure",
    "Access lock out",
    "Attempt Time",
    "Locked Out",
    "Logout Time",
    "Path",
    "IP Address",
    "User Agent",
    "Username",
    "HTTP Accept",
    "Failed Logins",
    "Form Data",
    "Meta Data",
    "GET Data",
    "POST Data",
    "Expires At",
    "Not set",
    "Attempt Remaining",
]


def shown_text(response) -> str:
    """What a reader of the page meets: text outside tags (visually hidden headers too) and the titles,
    labels and placeholders of elements; scripts and styles left out."""
    page = response.content.decode()
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    attributes = re.findall(r'\b(?:title|aria-label|placeholder)="([^"]*)"', page)
    text = re.sub(r"<[^>]+>", "\n", page)
    return html.unescape("\n".join([text, *attributes]))


def english_in(response) -> list[str]:
    text = shown_text(response)
    return [phrase for phrase in ENGLISH if re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text)]


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="glavna", staff=True))
    return client


@pytest.fixture
def sign_in_records(client):
    """One record of each kind django-axes keeps: a failed sign-in (attempt and failure) and a successful one."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    AccessAttempt.objects.create(
        username="natrapnik",
        ip_address="203.0.113.9",
        user_agent="curl/8",
        http_accept="*/*",
        path_info="/redakcia/login/",
        get_data="",
        post_data="username=natrapnik",
        failures_since_start=3,
    )
    AccessFailureLog.objects.create(
        username="natrapnik", ip_address="203.0.113.9", user_agent="curl/8", path_info="/redakcia/login/"
    )
    AccessLog.objects.create(username="glavna", ip_address="198.51.100.4", user_agent="Firefox", path_info="/")


def test_the_admin_index_has_no_english(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert english_in(response) == []
    text = shown_text(response)
    assert "Име на модела" in text and "Връзка за добавяне" in text and "Защита на входа" in text


def test_the_user_add_form_and_its_password_errors_have_no_english(admin_client):
    form = admin_client.get(reverse("admin:auth_user_add"))
    assert english_in(form) == []
    assert "След като създадете потребителя" in shown_text(form)
    answers = [
        {"password1": "123", "password2": "123"},  # too short, numeric, common: one answer, three errors
        {"password1": "password1234", "password2": "password1234"},  # common
        {"password1": "ivanpetrov12", "password2": "ivanpetrov12"},  # like the username
    ]
    for passwords in answers:
        response = admin_client.post(
            reverse("admin:auth_user_add"), {"username": "ivanpetrov", "usable_password": "true", **passwords}
        )
        assert response.status_code == 200
        assert english_in(response) == [], passwords
    text = shown_text(
        admin_client.post(reverse("admin:auth_user_add"), {"username": "ivan", "usable_password": "true", **answers[0]})
    )
    assert "Паролата е прекалено къса. Трябва да съдържа поне 12 символа." in text
    assert "Тази парола е често срещана." in text and "Тази парола е изцяло от цифри." in text
    assert "Грешка:" in text


@pytest.mark.parametrize(
    "url",
    [
        "admin:axes_accessattempt_changelist",
        "admin:axes_accesslog_changelist",
        "admin:axes_accessfailurelog_changelist",
    ],
)
def test_the_sign_in_records_have_no_english(admin_client, sign_in_records, url):
    response = admin_client.get(reverse(url))
    assert response.status_code == 200
    assert english_in(response) == []


def test_the_sign_in_records_app_and_a_record_have_no_english(admin_client, sign_in_records):
    from axes.models import AccessAttempt

    app = admin_client.get(reverse("admin:app_list", kwargs={"app_label": "axes"}))
    assert english_in(app) == [] and "Защита на входа" in shown_text(app)
    attempt = AccessAttempt.objects.get()
    record = admin_client.get(reverse("admin:axes_accessattempt_change", args=[attempt.pk]))
    assert record.status_code == 200
    assert english_in(record) == []


def test_every_package_string_has_its_bulgarian():
    with translation.override("bg"):
        shown = {
            string: translation.gettext(string) if isinstance(string, str) else str(string % 12)
            for string in PACKAGE_STRINGS
        }
    assert [string for string, text in shown.items() if text == string or not re.search("[а-я]", text)] == []


def test_the_admin_scripts_speak_bulgarian_where_djangos_catalog_is_silent(admin_client):
    """The group and permission selector of the user form (SelectFilter2.js): static/js/admin-catalog.js."""
    import json
    import re
    from pathlib import Path

    import django
    from django.urls import reverse

    script = (Path(django.__file__).parent / "contrib/admin/static/admin/js/SelectFilter2.js").read_text()
    wanted = set(re.findall(r"gettext\('([^']*)'\)", script)) | set(re.findall(r'gettext\("([^"]*)"\)', script))
    catalog = admin_client.get(reverse("admin:jsi18n")).content.decode()
    found = json.loads(re.search(r"const newcatalog = (\{.*?\});", catalog, re.S).group(1))
    missing = sorted(text for text in wanted if not found.get(text))
    assert missing == []
