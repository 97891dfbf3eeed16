"""The strict Content-Security-Policy in a real browser: no page of the newsroom breaks it (the reader's pages are
visited by the page-quality and journey tests, which assert the same), and hostile text stored in comments,
names and headlines never runs, whether the page renders it, the script inserts it, or search highlights it."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from articles.roles import EDITOR, MODERATOR
from comments.models import Comment
from tests.browser.helpers import reader_article, serve_media, sign_in, staff_user
from tests.factories import ArticleFactory, CommentFactory, ImageFactory, SourceFactory, TagFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each sets window.__xss or opens a dialog if it ever runs.
PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    "<svg onload=window.__xss=1>",
    '"><script>window.__xss=1</script>',
    "'><img src=x onerror=alert(1)>",
    '<a href="javascript:window.__xss=1">натисни</a>',
    "javascript:window.__xss=1",
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    '<details open ontoggle="window.__xss=1">',
    "&lt;script&gt;window.__xss=1&lt;/script&gt;",
    'https://example.com/"onmouseover="window.__xss=1"',
    "https://example.com/?q=<script>window.__xss=1</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
    "<style>*{background:url(javascript:window.__xss=1)}</style>",
    "\u202e<script>window.__xss=1</script>",
]
INJECTED = "script, iframe, svg, img[onerror], details, math, style, a[href^='javascript']"


def no_payload_ran(page) -> None:
    assert page.evaluate("() => window.__xss") is None
    assert page.locator(f".comments__thread :is({INJECTED})").count() == 0
    for link in page.locator(".comment__body a").all():
        assert link.get_attribute("href").startswith(("http://", "https://")), link.get_attribute("href")
        assert link.get_attribute("rel") == "nofollow ugc noopener"


def test_hostile_comments_names_and_headlines_never_run(page, live_server, settings):
    settings.COMMENTS_THREADS_PER_PAGE = 100
    article, _related, _comments = reader_article(threads=1)
    for payload in PAYLOADS:
        CommentFactory(article=article, author_name=payload[:50], body=f"Мнение с опасен текст: {payload}")
    page.goto(live_server.url + article.get_absolute_url())
    thread = page.locator(".comments__thread")
    for payload in PAYLOADS:
        # Shown as the text it is (the body keeps its line; the name is cut to 50 characters).
        expect(thread).to_contain_text(payload.replace("\u202e", "")[:40])
    no_payload_ran(page)

    # Through the script: a posted comment comes back as a fragment the page inserts; a reply label is
    # built from the parent's name; the report form arrives as a fragment.
    form = page.locator("[data-comment-form]")
    form.get_by_label("Име", exact=True).fill("Гост <svg/onload=window.__xss=1>")
    hostile_text = "Вижте това: <img src=x onerror=alert(1)> <script>window.__xss=1</script>"
    form.get_by_label("Коментар", exact=True).fill(hostile_text)
    form.get_by_role("button", name="Публикувай").click()
    expect(page.locator("[data-comments-status]")).to_have_text("Коментарът ви е публикуван.")
    posted = Comment.objects.get(author_name="Гост <svg/onload=window.__xss=1>")
    expect(page.locator(f"#comment-{posted.pk} .comment__body")).to_contain_text("<img src=x onerror=alert(1)>")
    hostile = Comment.objects.filter(author_name=PAYLOADS[1]).get()
    page.locator(f"#comment-{hostile.pk}").get_by_role("link", name="Отговори").click()
    expect(form.locator("[data-replying]")).to_contain_text(PAYLOADS[1])
    page.locator(f"#comment-{hostile.pk}").get_by_role("link", name="Сигнализирай").click()
    expect(page.locator(f"#comment-{hostile.pk} [data-report-form]")).to_be_visible()
    no_payload_ran(page)
    assert page.problems == []


def test_hostile_headlines_and_search_terms_never_run(page, live_server):
    ArticleFactory(title="Опасно <img src=x onerror=window.__xss=1> заглавие", lead="<script>window.__xss=1</script>")
    for query in ["<img src=x onerror=window.__xss=1>", "заглавие <script>window.__xss=1</script>", "onerror"]:
        page.goto(live_server.url + reverse("articles:search") + "?" + urlencode({"q": query}))
        expect(page.locator("main")).to_contain_text("Опасно <img src=x onerror=window.__xss=1> заглавие")
        assert page.locator("main :is(script, img[onerror])").count() == 0
        assert page.evaluate("() => window.__xss") is None
        expect(page.locator("main input[name=q]")).to_have_value(query)
    assert page.problems == []


def test_newsroom_pages_keep_the_strict_csp(page, context, live_server):
    """Admin pages not visited by the newsroom journeys: lists, an existing article with its image and the
    rich-text editor, the image library, new tag and source forms (slug prefill), the moderation queue."""
    image = ImageFactory()
    body = "<h2>Подзаглавие</h2><p><strong>Текст</strong></p>"
    article = ArticleFactory(lead_image=image, tags=[TagFactory()], body=body)
    CommentFactory(article=article, pending=True)
    SourceFactory()
    serve_media(context, live_server)
    editor = staff_user(EDITOR)
    sign_in(page, live_server, editor)
    for name, args in [
        ("admin:index", []),
        ("admin:articles_article_changelist", []),
        ("admin:articles_article_change", [article.pk]),
        ("admin:articles_image_changelist", []),
        ("admin:articles_image_change", [image.pk]),
        ("admin:articles_tag_add", []),
        ("admin:articles_source_changelist", []),
        ("admin:articles_source_add", []),
        ("admin:comments_comment_changelist", []),
    ]:
        response = page.goto(live_server.url + reverse(name, args=args))
        assert response.status == 200, name
        if name == "admin:articles_article_change":
            expect(page.locator("div.tiptap.ProseMirror h2")).to_have_text("Подзаглавие")
            assert page.locator(".admin-lead-image img").evaluate("img => img.naturalWidth > 0")
        if name == "admin:articles_tag_add":
            page.get_by_label("Име").fill("Стара Загора")
            page.get_by_label("Име").press("End")
            expect(page.get_by_label("Адрес (slug)")).to_have_value("stara-zagora")
    assert page.problems == []

    moderator = staff_user(MODERATOR)
    page.context.clear_cookies()
    sign_in(page, live_server, moderator, reverse("admin:comments_comment_changelist"))
    comment = article.comments.get()
    page.goto(live_server.url + reverse("admin:comments_comment_change", args=[comment.pk]))
    expect(page.get_by_role("heading", level=2).first).to_be_visible()
    assert page.problems == []
