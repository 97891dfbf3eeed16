"""RELIABILITY 12: the stored-XSS corpus in every field readers and editors fill, on every page that shows it.

Each payload of ``payloads.XSS_CORPUS`` goes into comment bodies and author names (through the real
comment form and view), search terms, article headlines, leads and bodies, and image alt texts and
captions; every page, fragment, feed and e-mail that shows them is parsed with html5lib and checked
by ``oracle.problems``: no script element but the site's own, no active element, no ``on*``
attribute, no URL with a scheme other than http(s)/mailto. Plain-text fields are stored as typed
(only invisible and control characters are dropped) and shown as that same text.
"""

import json
import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.urls import reverse
from lxml import etree

from articles.feeds import xml_text
from articles.models import Article
from articles.sanitize import clean_body as clean_article_body
from comments.models import Comment
from comments.text import clean_body, clean_line
from tests.factories import ArticleFactory, ImageFactory, SectionFactory, UserFactory
from tests.security import oracle
from tests.security.conftest import JSON, comment_form, create_url, next_address
from tests.security.payloads import RAW_MARKUP, XSS_CORPUS

pytestmark = pytest.mark.django_db

# Characters the comment cleaners drop or turn into spaces: a payload without them is stored exactly.
_CLEANED = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\u00ad\u180e\u061c]|  ")
# Pages that show one payload at a time (a comment's own pages, admin change forms) are checked for a sample;
# pages that show many (article page with every comment, listings, changelists, feeds) carry all of them.
SAMPLE = XSS_CORPUS[::18]  # 16 payloads, one of each kind
ARTICLE_SAMPLE = XSS_CORPUS[::3]  # 92 article pages (headline, caption, JSON-LD), the rest through listings


class Findings:
    """Problems found per rendering, with the count of renderings checked (the N×M of the report)."""

    def __init__(self):
        self.renderings = 0
        self.problems = []
        self.own_scripts = ("/static/", reverse("admin:jsi18n"))

    def check(self, where: str, html: str, *, fragment: bool = False):
        self.renderings += 1
        for problem in oracle.problems(html, fragment=fragment, own_scripts=self.own_scripts):
            self.problems.append(f"{where}: {problem}")

    def assert_clean(self):
        print(f"{len(XSS_CORPUS)} payloads, {self.renderings} renderings checked, {len(self.problems)} problems")
        assert not self.problems, f"{len(self.problems)} problems in {self.renderings} renderings:\n" + "\n".join(
            self.problems[:40]
        )


def html_of(response) -> str:
    assert response.status_code == 200, (response.status_code, response.request["PATH_INFO"], response.get("Location"))
    return response.content.decode()


def exact(payload: str) -> bool:
    return not _CLEANED.search(payload) and payload == payload.strip()


def test_corpus_size_and_coverage():
    assert len(XSS_CORPUS) >= 150
    assert len(set(XSS_CORPUS)) == len(XSS_CORPUS)
    text = "\n".join(XSS_CORPUS).lower()
    for needle in ["<script", "<img", "<svg", "<iframe", "onerror=", "onload=", "javascript:", "data:text/html",
                   "vbscript:", "&#x0d;", "%3a", "](javascript:", "![", "</textarea>", "</title>", "{{", "{%",
                   "</script>", "\u202e", "\u200b", "\x00"]:  # fmt: skip
        assert needle in text, needle


def test_the_oracle_catches_raw_payloads():
    """The oracle can fail: each markup payload pasted unescaped into a page is reported."""
    page = "<!DOCTYPE html><html><head><title>t</title></head><body><div>{}</div></body></html>"
    missed = [p for p in RAW_MARKUP if not oracle.problems(page.format(p))]
    assert len(RAW_MARKUP) >= 100
    assert missed == []
    assert oracle.problems(page.format("<a href='ok'>x</a>")) == []
    assert oracle.problems(page.format('<script type="application/ld+json">{"a": "</b>"}</script>'))


# --- Comments ---------------------------------------------------------------------------------------------


@pytest.fixture
def corpus_thread(client, settings, django_capture_on_commit_callbacks, mailoutbox):
    """Every payload posted through the comment view as a comment's body and (when it fits) its author's
    name, each from a new guest who asked for reply e-mails; then a reply to each with the next payload."""
    settings.COMMENTS_THREADS_PER_PAGE = 1000
    settings.COMMENTS_REPLIES_SHOWN = 5
    settings.COMMENTS_MAX_LINKS = 100  # the link check would hold URL payloads back from the page
    settings.COMMENTS_LATIN_BULGARIAN = "allow"
    settings.PAGE_CACHE_ENABLED = False
    article = ArticleFactory(title="Статия с коментари")
    findings = Findings()
    posted = []  # (payload, name, comment or None)
    with django_capture_on_commit_callbacks(execute=True):
        for i, payload in enumerate(XSS_CORPUS):
            name = payload if 0 < len(clean_line(payload)) <= 50 else f"Читател {i}"
            data = comment_form(
                article, body=payload, author_name=name, email=f"reader{i}@example.org", notify_on_reply="on"
            )
            response = client.post(create_url(article), data, headers=JSON, REMOTE_ADDR=next_address())
            answer = response.json()
            if answer["ok"]:
                findings.check(f"post JSON html #{i}", answer["html"], fragment=True)
                posted.append((payload, name, Comment.objects.get(pk=answer["id"])))
            else:
                findings.check(f"post JSON form_html #{i}", answer["form_html"], fragment=True)
                posted.append((payload, name, None))
        replies = []
        for i, (payload, _name, parent) in enumerate(posted):
            if parent is None or not parent.is_visible or payload not in SAMPLE:
                continue
            body = XSS_CORPUS[(i + 1) % len(XSS_CORPUS)]
            data = comment_form(article, body=body, author_name="Отговарящ", parent=str(parent.pk))
            response = client.post(create_url(article), data, headers=JSON, REMOTE_ADDR=next_address())
            answer = response.json()
            if answer["ok"]:
                findings.check(f"reply JSON html #{i}", answer["html"], fragment=True)
                replies.append(answer["id"])
    return article, posted, replies, findings, list(mailoutbox)


def test_comment_corpus_is_stored_as_typed_and_renders_inert_everywhere(client, admin_client, corpus_thread):
    """One posting of the corpus (291 posts, the slow part) checked three ways."""
    check_comments_stored_as_typed(corpus_thread)
    check_comments_render_as_text(client, admin_client, corpus_thread)
    check_reply_emails(corpus_thread)


def check_comments_stored_as_typed(corpus_thread):
    _article, posted, replies, _findings, _mail = corpus_thread
    stored = [(p, n, c) for p, n, c in posted if c is not None]
    # Refused: only the payloads with a NUL (Django's form fields refuse null characters).
    assert [p for p, _n, c in posted if c is None] == [p for p in XSS_CORPUS if "\x00" in p]
    exact_bodies = 0
    for payload, name, comment in stored:
        assert comment.body == clean_body(payload)
        assert comment.author_name == clean_line(name)
        if exact(payload):
            assert comment.body == payload
            exact_bodies += 1
    assert exact_bodies >= 0.85 * len(stored)
    # Replies (to the sampled comments) carry the next payload: one with a NUL is refused, as above.
    assert len(replies) >= len([c for p, _n, c in stored if c.is_visible and p in SAMPLE]) - 1


def check_comments_render_as_text(client, admin_client, corpus_thread):
    article, posted, replies, findings, _mail = corpus_thread
    visible = [(p, n, c) for p, n, c in posted if c is not None and c.is_visible]
    assert len(visible) >= 0.9 * len(XSS_CORPUS)

    html = html_of(client.get(article.get_absolute_url()))
    findings.check("article page", html)
    root = oracle.parse(html)
    for payload, _name, comment in visible:
        element = oracle.find_by_id(root, f"comment-{comment.pk}")
        assert element is not None, payload
        [body] = oracle.find_by_class(element, "comment__body")
        [author] = oracle.find_by_class(element, "comment__author")
        assert oracle.squash(oracle.text_of(body)) == oracle.squash(comment.body.replace("\n", "")), (
            payload
        )  # <br> between lines
        assert oracle.text_of(author) == comment.author_name

    for payload, _name, comment in posted:
        if comment is None or payload not in SAMPLE:
            continue
        pk = comment.pk
        response = client.get(reverse("comments:permalink", kwargs={"pk": pk}))
        assert response.status_code == 302 and response["Location"].startswith("/"), response["Location"]
        findings.check(f"thread page {pk}", html_of(client.get(reverse("comments:thread", kwargs={"pk": pk}))))
        fragment = client.get(reverse("comments:thread", kwargs={"pk": pk}), {"fragment": "1"}).json()["html"]
        findings.check(f"thread fragment {pk}", fragment, fragment=True)
        findings.check(f"reply page {pk}", html_of(client.get(reverse("comments:reply", kwargs={"pk": pk}))))
        findings.check(f"report page {pk}", html_of(client.get(reverse("comments:report", kwargs={"pk": pk}))))
        report_fragment = client.get(reverse("comments:report", kwargs={"pk": pk}), {"fragment": "1"})
        findings.check(f"report fragment {pk}", html_of(report_fragment), fragment=True)
        change = reverse("admin:comments_comment_change", args=[pk])
        findings.check(f"admin change form {pk}", html_of(admin_client.get(change)))

    # The last posts are this browser's own (the signed cookie): their edit and delete pages.
    for pk in replies[-5:]:
        findings.check(f"edit page {pk}", html_of(client.get(reverse("comments:edit", kwargs={"pk": pk}))))
        findings.check(f"delete page {pk}", html_of(client.get(reverse("comments:delete", kwargs={"pk": pk}))))

    changelist = reverse("admin:comments_comment_changelist")
    pages = -(-Comment.objects.count() // 50)
    for page in range(pages):
        findings.check(f"admin changelist p{page}", html_of(admin_client.get(changelist, {"p": page + 1})))
    for payload in SAMPLE:
        findings.check(f"admin search {payload[:20]!r}", html_of(admin_client.get(changelist, {"q": payload})))
    findings.assert_clean()
    assert findings.renderings >= len(XSS_CORPUS) + 7 * len(SAMPLE)


def test_comment_form_errors_show_the_typed_text_inert(client, settings, article):
    """A refused comment comes back in the form with everything typed: as text, in the full page too."""
    findings = Findings()
    for i, payload in enumerate(XSS_CORPUS):
        if i % 3:
            continue  # a third of the corpus: the full corpus goes through the same template in the test above
        # A name over 50 characters is refused: the page shows the form again with both values.
        data = comment_form(article, body=payload, author_name=f"{payload} {'я' * 50}")
        if i % 27 == 0:
            response = client.post(create_url(article), data, REMOTE_ADDR=next_address())
            assert response.status_code == 400
            findings.check(f"article page with form errors #{i}", response.content.decode())
        else:
            response = client.post(create_url(article), data, headers=JSON, REMOTE_ADDR=next_address())
            assert response.status_code == 400
            findings.check(f"form errors #{i}", response.json()["form_html"], fragment=True)
            form = oracle.parse(response.json()["form_html"], fragment=True)
            [textarea] = [e for e in form.iter() if e.tag == "textarea"]
            assert oracle.squash(oracle.text_of(textarea)) == oracle.squash(payload.replace("\x00", "\ufffd")) or (
                "\r" in payload or "\x00" in payload
            )
    assert Comment.objects.count() == 0
    findings.assert_clean()


def check_reply_emails(corpus_thread):
    """Reply notifications are plain text (no HTML part), with no line break in the subject."""
    _article, posted, replies, _findings, mail = corpus_thread
    assert len(mail) == len(replies) >= len(SAMPLE) - 1
    by_address = {m.to[0]: m for m in mail}
    for i, (_payload, name, _parent) in enumerate(posted):
        message = by_address.get(f"reader{i}@example.org")
        if message is None:
            continue
        assert message.alternatives == []  # no HTML part for a script to hide in
        assert "\n" not in message.subject and "\r" not in message.subject
        assert clean_line(name) in message.body
        reply_body = clean_body(XSS_CORPUS[(i + 1) % len(XSS_CORPUS)])
        assert reply_body[:400] in message.body


# --- Search ---------------------------------------------------------------------------------------------


def visible_chars(text: str) -> str:
    return re.sub(r"[\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufffd]", "", text)


def test_search_terms_are_shown_as_text(client, settings):
    settings.PAGE_CACHE_ENABLED = False
    findings = Findings()
    for i, payload in enumerate(XSS_CORPUS):
        response = client.get(reverse("articles:search"), {"q": payload})
        html = html_of(response)
        findings.check(f"search #{i}", html)
        root = oracle.parse(html)
        [form] = oracle.find_by_class(root, "search-form")
        [query] = [e for e in form.iter() if e.tag == "input" and e.get("name") == "q"]
        typed = payload[: settings.SEARCH_MAX_QUERY_LENGTH]
        # The box shows the query as typed, up to spaces and invisible characters the search drops.
        assert visible_chars(query.get("value", "")) == visible_chars(typed), payload
    # Terms that match hostile headlines and leads: the highlighted results must stay text as well.
    for i, payload in enumerate(XSS_CORPUS[:40]):
        ArticleFactory(title=f"alert новина {i} {storable(payload)}"[:200], lead=storable(payload)[:300])
    for term in ["alert", "script", "img onerror", "новина", "javascript", "svg onload", "msgbox"]:
        html = html_of(client.get(reverse("articles:search"), {"q": term}))
        findings.check(f"search {term!r}", html)
        assert "<mark>" in html or term in ("msgbox",), term
    findings.assert_clean()


# --- Articles and images (editors' fields) ----------------------------------------------------------------


def storable(payload: str) -> str:
    # PostgreSQL text cannot hold NUL; the admin's forms refuse it (ProhibitNullCharactersValidator).
    return payload.replace("\x00", "") if connection.vendor == "postgresql" else payload


@pytest.fixture
def corpus_articles(settings):
    settings.PAGE_CACHE_ENABLED = False
    settings.FEED_ITEMS = len(XSS_CORPUS) + 10
    section = SectionFactory(name="Раздел", slug="razdel")
    articles = []
    for i, raw in enumerate(XSS_CORPUS):
        payload = storable(raw)
        image = ImageFactory(alt_text=payload[:250], caption=payload[:300], with_renditions=False)
        articles.append(
            ArticleFactory(
                title=payload[:200],
                lead=storable(XSS_CORPUS[(i + 1) % len(XSS_CORPUS)])[:300],
                body=f"<p>{payload}</p>" + payload,
                section=section,
                lead_image=image,
            )
        )
    # One rich body with every payload, in and out of paragraphs and links, for the sanitiser.
    everything = "".join(f'<p>{storable(p)}</p><a href="{storable(p)}">{storable(p)}</a>' for p in XSS_CORPUS)
    articles[0].body = everything
    articles[0].save()
    return section, articles


def test_article_payloads_are_stored_as_typed_and_the_body_sanitised(corpus_articles):
    _section, articles = corpus_articles
    for i, article in enumerate(articles):
        article.refresh_from_db()
        payload = storable(XSS_CORPUS[i])
        assert article.title == payload[:200]
        assert article.lead_image.alt_text == payload[:250]
        assert article.lead_image.caption == payload[:300]
        if i:
            assert article.body == clean_article_body(f"<p>{payload}</p>" + payload)
        assert oracle.problems(article.body, fragment=True) == [], payload
    assert len(articles[0].body) > 10_000  # the body with every payload kept its text


def test_article_payloads_render_inert_on_every_page(client, admin_client, corpus_articles):
    section, articles = corpus_articles
    findings = Findings()
    for i, article in enumerate(articles):
        if i and XSS_CORPUS[i] not in ARTICLE_SAMPLE:
            continue
        html = html_of(client.get(article.get_absolute_url()))
        findings.check(f"article {i}", html)
        root = oracle.parse(html)
        [title] = oracle.find_by_class(root, "article__title")
        assert oracle.text_of(title) == article.title.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
        blocks = [e for e in root.iter() if e.tag == "script" and e.get("type") == "application/ld+json"]
        headlines = [json.loads(oracle.text_of(b)).get("headline") for b in blocks]
        assert article.title in headlines, (article.title, headlines)
    for url in [reverse("articles:home"), section.get_absolute_url(), reverse("articles:latest")]:
        findings.check(url, html_of(client.get(url)))
    pages = -(-len(articles) // 20)
    for page in range(2, pages + 1):
        findings.check(f"latest p{page}", html_of(client.get(reverse("articles:latest"), {"page": page})))
    for url in [reverse("admin:articles_article_changelist"), reverse("admin:articles_image_changelist")]:
        for page in range(-(-len(articles) // 100)):
            findings.check(f"{url} p{page}", html_of(admin_client.get(url, {"p": page + 1})))
    for i, article in enumerate(articles):
        if XSS_CORPUS[i] in SAMPLE:
            url = reverse("admin:articles_article_change", args=[article.pk])
            findings.check(f"admin article change {i}", html_of(admin_client.get(url)))
            url = reverse("admin:articles_image_change", args=[article.lead_image_id])
            findings.check(f"admin image change {i}", html_of(admin_client.get(url)))
    findings.assert_clean()


@pytest.mark.parametrize("url", ["/feeds/rss/", "/feeds/atom/", "/feeds/section/razdel/rss/"])
def test_feeds_carry_headlines_as_text_and_leads_as_escaped_html(client, corpus_articles, url):
    """Feed readers show RSS descriptions and Atom type="html" summaries as HTML: a lead must arrive there
    as escaped text, not as markup. Titles are text."""
    response = client.get(url)
    assert response.status_code == 200
    tree = etree.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    if tree.tag == "rss":
        items = [(i.findtext("title"), i.findtext("description")) for i in tree.iter("item")]
    else:
        items = [
            (e.findtext("a:title", namespaces=ns), e.findtext("a:summary", namespaces=ns))
            for e in tree.iterfind("a:entry", ns)
        ]

    # Characters XML cannot carry arrive as U+FFFD (articles.feeds.xml_text), line ends as XML reads them.
    def as_xml_reads(text):
        return xml_text(text).replace("\r\n", "\n").replace("\r", "\n")

    expected = sorted((as_xml_reads(a.title), oracle.squash(as_xml_reads(a.lead))) for a in Article.objects.all())
    shown = []
    for title, description in items:
        problems = oracle.problems(description, fragment=True)
        fragment = oracle.parse(description, fragment=True)
        elements = [e.tag for e in fragment.iter() if isinstance(e.tag, str)][1:]
        assert problems == [] and elements == [], (title, description)
        shown.append((title, oracle.squash(oracle.text_of(fragment))))
    assert sorted(shown) == expected


# --- JSON endpoints -------------------------------------------------------------------------------------


def test_json_answers_escape_markup(client, article):
    """JSON is served as application/json with markup characters escaped, so no browser renders it."""
    comment_response = client.post(
        create_url(article),
        comment_form(article, body=XSS_CORPUS[0], author_name=XSS_CORPUS[-1][:50]),
        headers=JSON,
        REMOTE_ADDR=next_address(),
    )
    for response in [comment_response, client.get(reverse("csrf_token")), client.get(reverse("healthz"))]:
        assert response["Content-Type"] == "application/json"
        assert response["X-Content-Type-Options"] == "nosniff"
        json.loads(response.content)


def test_staff_names_with_payloads_stay_text(client, article):
    """A signed-in reader's account name is shown under their comments: it is text too."""
    user = UserFactory(username="reader-xss", first_name="<img src=x onerror=alert(1)>", last_name="\"'><svg/onload=1>")
    client.force_login(user)
    response = client.post(create_url(article), comment_form(article, author_name=""), headers=JSON)
    assert response.json()["ok"]
    html = html_of(client.get(article.get_absolute_url() + "?" + urlencode({"sort": "newest"})))
    assert oracle.problems(html) == []
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
