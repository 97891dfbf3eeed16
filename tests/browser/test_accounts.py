"""A reader's account in the browser: sign up, the verification mail's link, commenting under the account's
name, the comment on the account page (and editing it), downloading the data, deleting the account; at 375
and 1280 px, with JavaScript on and off. Then the page quality of the sign-up, sign-in and account pages.

The mail: the live server runs in this process, its tasks run at once (TASKS_BACKEND immediate) and Django's
test mail backend keeps what they send in ``mail.outbox``: the ``mailoutbox`` fixture reads it.
"""

import json
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from comments.models import Comment
from tests.browser.quality import axe_results, has_horizontal_scroll, nu_results, start_nu
from tests.factories import ArticleFactory, CommentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "zelen-kamak-na-brega-42"
NAME = "Гергана Димитрова"
LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+")


@pytest.fixture(autouse=True)
def _plain_http_links(settings):
    settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"  # the live server speaks plain HTTP; production mails https


@pytest.fixture
def js_page(request, page, nojs_page):
    return page if request.param else nojs_page


def sign_up(page, base, email, mailoutbox):
    page.goto(base + reverse("account_signup"))
    page.fill("#id_email", email)
    page.fill("#id_first_name", NAME)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    with page.expect_navigation():
        page.locator("form.account-form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Потвърдете вашия e-mail адрес")
    (message,) = [m for m in mailoutbox if m.to == [email]]
    return LINK.search(message.body).group(0)


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("js_page", [True, False], ids=["js", "nojs"], indirect=True)
def test_a_new_reader_signs_up_comments_edits_downloads_and_deletes(js_page, live_server, mailoutbox, width):
    page, base = js_page, live_server.url
    page.set_viewport_size({"width": width, "height": 900})
    article = ArticleFactory(title="Нова линия на метрото")
    email = f"gergana-{width}@example.bg"

    # Sign up; the mail's link opens a page with a button, which verifies the address and signs the reader in.
    link = sign_up(page, base, email, mailoutbox)
    page.goto(link)
    with page.expect_navigation():
        page.get_by_role("button", name="Потвърди").click()
    expect(page.get_by_role("link", name="Моят профил")).to_be_visible()
    assert not has_horizontal_scroll(page)

    # Comment under the account's name: the form asks for no name or address.
    page.goto(base + article.get_absolute_url())
    form = page.locator("[data-comment-form]")
    expect(form.locator("[name=author_name]")).to_have_count(0)
    expect(form.locator("[name=email]")).to_have_count(0)
    form.locator("[name=body]").fill("Най-после и до нашия квартал.")
    form.locator("button[type=submit]").click()
    expect(page.locator(".comment").filter(has_text="Най-после и до нашия квартал.")).to_contain_text(NAME)
    comment = Comment.objects.get(article=article)
    assert comment.user.email == email and comment.author_name == NAME

    # The account page lists it, with its edit link; the edit is saved.
    page.goto(base + reverse("accounts:profile"))
    mine = page.locator(".account-comment").filter(has_text="Най-после и до нашия квартал.")
    expect(mine).to_contain_text("Публикуван")
    with page.expect_navigation():
        mine.locator(f"a[href='{reverse('comments:edit', args=[comment.pk])}']").click()
    page.locator("textarea[name=body]").fill("Най-после и до нашия квартал! Чакаме я от години.")
    with page.expect_navigation():
        page.locator("form.comment-form button[type=submit]").click()
    comment.refresh_from_db()
    assert comment.body == "Най-после и до нашия квартал! Чакаме я от години."
    assert not has_horizontal_scroll(page)

    # Download my data: a JSON file of the account and its comment.
    page.goto(base + reverse("accounts:profile"))
    with page.expect_download() as download:
        page.get_by_role("link", name="Изтегляне на данните ми").first.click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["account"]["email"] == email
    assert [c["text"] for c in data["comments"]] == [comment.body]

    # Delete the account, keeping the comment as "Изтрит потребител" (the password is asked again first).
    page.get_by_role("link", name="Изтриване на профила").click()
    page.wait_for_url(re.compile(r"/accounts/reauthenticate/"))
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Потвърди").click()
    page.get_by_label("Запазете коментарите ми с подпис „Изтрит потребител“").check()
    page.get_by_label("Разбирам, че профилът ми не може да бъде възстановен.").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Изтриване на профила").click()
    expect(page.locator("h1")).to_have_text("Профилът ви е изтрит")
    expect(page.get_by_role("link", name="Вход")).to_be_visible()
    assert not get_user_model().objects.filter(email=email).exists()
    page.goto(base + article.get_absolute_url())
    expect(page.locator(".comment").filter(has_text="Чакаме я от години.")).to_contain_text("Изтрит потребител")
    assert page.problems == []


def test_bad_sign_up_input_keeps_what_was_typed_without_javascript(nojs_page, live_server):
    page = nojs_page
    page.goto(live_server.url + reverse("account_signup"))
    page.fill("#id_email", "gergana@example.bg")
    page.fill("#id_first_name", NAME)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", "друга-парола-съвсем")
    with page.expect_navigation():
        page.locator("form.account-form button[type=submit]").click()
    expect(page.locator("#id_email")).to_have_value("gergana@example.bg")
    expect(page.locator("#id_first_name")).to_have_value(NAME)
    expect(page.locator(".field__error").first).to_be_visible()
    assert re.search("[а-я]", page.locator(".field__error").first.inner_text())


# --- Page quality ----------------------------------------------------------------------------------------


def signed_in(page, base, user):
    page.goto(base + reverse("account_login"))
    page.fill("#id_login", user.email)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("form.account-form button[type=submit]").click()


def sign_up_with_errors(page, base):
    page.goto(base + reverse("account_signup"))
    page.fill("#id_email", "не-е-адрес")
    page.fill("#id_first_name", " ")
    with page.expect_navigation() as navigation:
        page.locator("form.account-form").evaluate("form => form.submit()")
    return navigation.value


def delete_page(page, base):
    """The delete form, behind allauth's password check (asked again before it)."""
    page.goto(base + reverse("accounts:delete"))
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Потвърди").click()
    return navigation.value


def test_account_pages_are_valid_accessible_and_fit_small_screens(
    live_server, page, axe_page, axe_script, vnu_jar, artifacts_dir
):
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC

    user = get_user_model().objects.create_user("reader-q", "q@example.bg", PASSWORD, first_name=NAME)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    newcomer = get_user_model().objects.create_user("reader-n", "n@example.bg", PASSWORD, first_name="Нов")
    unverified = EmailAddress.objects.create(user=newcomer, email=newcomer.email, verified=False, primary=True)
    confirm_key = EmailConfirmationHMAC(unverified).key
    article = ArticleFactory(title="Качество на страниците")
    for i in range(3):
        CommentFactory(article=article, user=user, author_name=NAME, body=f"Мнение {i}.", author_key=f"u:{user.pk}")
    CommentFactory(article=article, user=user, author_name=NAME, body="Чакащо.", pending=True)
    guest_pages = {
        "sign-up": reverse("account_signup"),
        "sign-up errors": sign_up_with_errors,
        "sign-in": reverse("account_login"),
        "password reset": reverse("account_reset_password"),
        "verification sent": reverse("account_email_verification_sent"),
        "confirm e-mail": reverse("account_confirm_email", args=[confirm_key]),
        "reset mail sent": reverse("account_reset_password_done"),
        "account deleted": reverse("accounts:deleted"),
    }
    own_pages = {
        "account": reverse("accounts:profile"),
        "change password": reverse("account_change_password"),
        "e-mail address": reverse("account_email"),
        "reauthenticate": reverse("account_reauthenticate"),
        "sign out": reverse("account_logout"),
        "delete account": delete_page,
        "article signed in": article.get_absolute_url(),
    }
    html_dir = artifacts_dir.parent / "html"
    html_dir.mkdir(exist_ok=True)
    base = live_server.url
    problems, files = [], []

    def visit(browser_page, pages, *, check):
        for name, how in pages.items():
            key = "accounts-" + re.sub(r"\W+", "-", name)
            response = how(browser_page, base) if callable(how) else browser_page.goto(base + how)
            if not check:
                for text in [
                    t for impact, t in axe_results(browser_page, axe_script) if impact in ("serious", "critical")
                ]:
                    problems.append(f"{name}: axe {text}")
                continue
            expected = 200
            if response.status != expected and name != "sign-up errors":
                problems.append(f"{name}: HTTP {response.status}")
            (html_dir / f"{key}.html").write_bytes(response.body())
            files.append(html_dir / f"{key}.html")
            browser_page.set_viewport_size({"width": 375, "height": 800})
            if has_horizontal_scroll(browser_page):
                problems.append(f"{name}: horizontal scroll at 375 px")
            browser_page.screenshot(path=str(artifacts_dir / f"{key}-375.png"), full_page=True)
            browser_page.set_viewport_size({"width": 1280, "height": 800})
            browser_page.screenshot(path=str(artifacts_dir / f"{key}-1280.png"), full_page=True)

    visit(page, guest_pages, check=True)
    visit(axe_page, guest_pages, check=False)
    signed_in(page, base, user)
    signed_in(axe_page, base, user)
    visit(page, own_pages, check=True)
    visit(axe_page, own_pages, check=False)
    for file, errors in nu_results(start_nu(vnu_jar, files)).items():
        problems += [f"{file}: nu {e}" for e in errors]
    problems += [f"csp/js: {p}" for p in page.problems]
    assert problems == [], "\n".join(problems)
