"""RELIABILITY 47-48: hypothesis drives the comment form, the comment endpoints and the search view.

Inputs: text with NUL, lone surrogates, bidi overrides, zero-width characters, ANSI escapes, CR/LF
and the XSS corpus; 10,000-character strings; invalid UTF-8 bytes in raw bodies and query strings;
missing, extra and repeated fields; odd content types; ids of other articles' comments, of pending,
removed and rejected ones, negative, huge and non-integer ids. Each example runs in a transaction
that is rolled back, and after each one the database is checked: no comment with a parent on
another article, a parent that was never visible, itself as parent, or on a closed or unpublished
article.

Examples: the "ci" profile (CI=true) runs 2,300 in all on PostgreSQL (the counted run of CI) and a
tenth of that in CI's SQLite pass; "dev" (the default) a tenth; "long" ten times ``ci``
(``HYPOTHESIS_PROFILE=long``). CI runs are derandomized, so a failure there repeats.
"""

import os
import time
import uuid
from urllib.parse import quote_from_bytes

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from comments.forms import CommentForm
from comments.markup import render_comments
from comments.models import Comment
from comments.security import form_token
from comments.services import CommentError, DuplicateSubmission, comment_create
from comments.text import clean_body, clean_line
from comments.threads import decorate
from tests.factories import ArticleFactory, CommentFactory
from tests.security import oracle
from tests.security.payloads import XSS_CORPUS

pytestmark = pytest.mark.django_db

PROFILES = {"dev": 0.1, "ci": 1, "long": 10}
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "dev")
for _name in PROFILES:
    settings.register_profile(
        _name,
        deadline=None,
        database=None,
        derandomize=_name == "ci",
        print_blob=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )
settings.load_profile(PROFILE)


def examples(ci_count: int) -> int:
    scale = PROFILES[PROFILE]
    if PROFILE == "ci" and connection.vendor != "postgresql":
        scale = PROFILES["dev"]  # CI's SQLite pass: a smoke run; the counted run is the PostgreSQL one
    return max(10, int(ci_count * scale))


COUNTS = {"create": 900, "form": 400, "endpoints": 500, "search": 500}
RAN: dict[str, int] = {}
ALLOWED = {200, 302, 400, 403, 404, 405, 409, 413, 429}

# --- Strategies -------------------------------------------------------------------------------------------

NASTY = [
    "\x00",
    "\ud800",
    "\udfff",
    "\udc80abc",
    "\u202e",
    "\u202a",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u00ad",
    "\x1b[31m",
    "\x1b[2J",
    "\r\n",
    "\r",
    "\u2028",
    "\u2029",
    "\x7f",
    "\x85",
    "\ufffd",
    "\U0001f600",
    "a\u0301",
    "ﬁ",
    "ｓｃｒｉｐｔ",
    "%00",
    "%0d%0a",
    "&#0;",
    "\\u0000",
    "' OR 1=1 --",
    "${jndi:ldap://x}",
]
any_char = st.characters(exclude_categories=())  # every category, surrogates included
hostile_text = st.one_of(
    st.text(any_char, max_size=60),
    st.lists(
        st.one_of(st.sampled_from(NASTY), st.sampled_from(XSS_CORPUS), st.text(any_char, max_size=8)), max_size=8
    ).map("".join),
    st.sampled_from(XSS_CORPUS),
    st.builds(
        lambda c, n: c * n,
        st.sampled_from(["я", "a", "\u200b", "<", "&", "\n", "http://x.bg/ "]),
        st.integers(0, 10_000),
    ),
)


def as_bytes(value) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


field_value = st.one_of(hostile_text, st.binary(max_size=40))


def urlencoded(pairs) -> bytes:
    return b"&".join(
        quote_from_bytes(as_bytes(k)).encode() + b"=" + quote_from_bytes(as_bytes(v)).encode() for k, v in pairs
    )


@pytest.fixture
def world(settings):
    """The articles and comments the fuzzer aims at: valid targets and every kind of invalid one."""
    settings.PAGE_CACHE_ENABLED = False
    settings.TRUSTED_PROXY_COUNT = 1  # X-Forwarded-For is fuzzed too
    article = ArticleFactory()
    other = ArticleFactory()
    closed = ArticleFactory(comments_enabled=False)
    draft = ArticleFactory(draft=True)
    ok = CommentFactory(article=article)
    deep = ok
    for _ in range(settings.COMMENTS_MAX_DEPTH):
        deep = CommentFactory(parent=deep)
    invisible = [
        CommentFactory(article=article, pending=True),
        CommentFactory(article=article, removed=True),
        CommentFactory(article=article, rejected=True),
        CommentFactory(article=article, spam=True),
        CommentFactory(article=article, score=-50, dislikes=50),
    ]
    elsewhere = [CommentFactory(article=other), CommentFactory(article=closed), CommentFactory(article=draft)]
    return {
        "article": article,
        "articles": [article, other, closed, draft],
        "ok": [ok, deep],
        "invisible": invisible,
        "elsewhere": elsewhere,
        "all": [ok, deep, *invisible, *elsewhere],
        "initial": set(Comment.objects.values_list("pk", flat=True)),
    }


def id_strategy(world):
    known = [c.pk for c in world["all"]]
    return st.one_of(
        st.sampled_from(known).map(str),
        st.just(str(max(known) + 1)),  # the next comment's own id: a reply to itself
        st.integers(-(2**64), 2**64).map(str),
        st.sampled_from(["", " ", "0", "-1", "1.0", "1e3", "0x10", "١٢", "12 ", "+5", "99999999999999999999999"]),
        hostile_text,
    )


def check_world(world) -> None:
    """No stored comment has an invalid parent or sits where comments are not taken."""
    new = Comment.objects.exclude(pk__in=world["initial"])
    assert not Comment.objects.filter(parent__isnull=False).exclude(parent__article_id=F("article_id")).exists()
    assert not Comment.objects.filter(parent_id=F("pk")).exists()
    bad_parents = [c.pk for c in world["invisible"] + world["elsewhere"]]
    assert not new.filter(reply_to_id__in=bad_parents).exists()
    assert not new.filter(parent_id__in=bad_parents).exists()
    assert not new.exclude(article=world["article"]).exists()


def rolled_back(func):
    """Run ``func`` in a transaction that is then rolled back: every example starts from the same world."""
    with transaction.atomic():
        try:
            return func()
        finally:
            transaction.set_rollback(True)


# --- The comment form (RELIABILITY 47) --------------------------------------------------------------------

_INVISIBLE = __import__("re").compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff]"
)


def test_comment_form_never_raises_and_valid_comments_round_trip(world):
    article = world["article"]

    @settings(max_examples=examples(COUNTS["form"]))
    @given(
        name=hostile_text,
        body=hostile_text,
        email=st.one_of(st.just(""), st.emails(), hostile_text, st.just("a@example.org\r\nBcc: x@example.org")),
        notify=st.booleans(),
    )
    def run(name, body, email, notify):
        RAN["form"] = RAN.get("form", 0) + 1
        data = {
            "author_name": name,
            "body": body,
            "email": email,
            "notify_on_reply": "on" if notify else "",
            "token": form_token(article.pk, issued_at=time.time() - 10),
            "submission": str(uuid.uuid4()),
        }
        form = CommentForm(data, article=article)
        if not form.is_valid():
            return
        cleaned = form.cleaned_data
        # Names and bodies come out without bidi, zero-width, control characters or lone surrogates.
        assert not _INVISIBLE.search(cleaned["author_name"]) and "\n" not in cleaned["author_name"]
        assert not _INVISIBLE.search(cleaned["body"].replace("\n", ""))
        assert "\r" not in cleaned["email"] and "\n" not in cleaned["email"]

        def save():
            try:
                comment = comment_create(
                    article=article,
                    parent=None,
                    body=cleaned["body"],
                    author_name=cleaned["author_name"],
                    email=cleaned["email"],
                    ip_hash="fuzz",
                    notify_on_reply=cleaned["notify_on_reply"],
                    submission_token=cleaned["submission"],
                    enforce_rate_limits=False,
                )
            except (CommentError, DuplicateSubmission):
                return
            stored = Comment.objects.get(pk=comment.pk)
            assert stored.body == cleaned["body"] == clean_body(body)
            assert stored.author_name == clean_line(name)[:50]
            decorate([stored])
            stored.level = 0
            [(_pk, _level, html)] = render_comments([stored], discussion_open=True)
            assert oracle.problems(html, fragment=True) == []
            check_world(world)

        rolled_back(save)

    run()


# --- The create view, raw bodies (RELIABILITY 48) ---------------------------------------------------------


def test_comment_post_view_never_fails_and_stores_no_invalid_parent(client, world):
    article = world["article"]
    url = reverse("comments:create", kwargs={"article_id": article.pk})
    fields = ["author_name", "email", "body", "parent", "token", "submission", "website", "notify_on_reply"]
    extra = ["is_public", "status", "user", "ip_hash", "article", "depth", "score", "submit_date", "confirm_latin"]
    tokens = st.one_of(
        st.just("valid"),
        st.just("valid"),
        st.just("other-article"),
        st.just("expired"),
        hostile_text,
    )

    @settings(max_examples=examples(COUNTS["create"]))
    @given(
        values=st.fixed_dictionaries(
            {
                "author_name": st.one_of(st.just("Иван"), hostile_text),
                "email": st.one_of(st.just(""), hostile_text),
                "body": st.one_of(st.just("Обикновено мнение по темата."), hostile_text),
                "parent": st.one_of(st.just(""), id_strategy(world)),
                "submission": st.one_of(st.builds(lambda: str(uuid.uuid4())), hostile_text),
                "website": st.one_of(st.just(""), st.just(""), hostile_text),
                "notify_on_reply": st.one_of(st.just(""), st.just("on"), hostile_text),
            }
        ),
        token=tokens,
        drop=st.sets(st.sampled_from(fields), max_size=3),
        repeats=st.lists(st.tuples(st.sampled_from(fields + extra), field_value), max_size=4),
        raw=st.lists(st.tuples(st.sampled_from(fields), st.binary(max_size=30)), max_size=2),
        encoding=st.sampled_from(["urlencoded", "urlencoded", "multipart", "text/plain", "json", "broken-multipart"]),
        as_json=st.booleans(),
        forwarded=st.one_of(st.just(""), st.ip_addresses().map(str), hostile_text.filter(lambda s: s.isascii())),
    )
    def run(values, token, drop, repeats, raw, encoding, as_json, forwarded):
        RAN["create"] = RAN.get("create", 0) + 1
        issued = {
            "valid": form_token(article.pk, issued_at=time.time() - 10),
            "other-article": form_token(world["articles"][1].pk, issued_at=time.time() - 10),
            "expired": form_token(article.pk, issued_at=time.time() - 3 * 3600),
        }
        pairs = [(k, v) for k, v in {**values, "token": issued.get(token, token)}.items() if k not in drop]
        pairs += repeats + raw
        headers = {"Accept": "application/json"} if as_json else {}
        if forwarded:
            headers["X-Forwarded-For"] = forwarded
        note(f"{encoding} {pairs!r}")

        client.cookies.clear()  # a new browser each time: no session left over from a rolled-back example

        def post():
            if encoding == "multipart":
                data = {}
                for k, v in pairs:
                    data.setdefault(k, []).append(as_bytes(v).decode("utf-8", "replace"))
                response = client.post(url, data, headers=headers)
            else:
                body, content_type = {
                    "urlencoded": (urlencoded(pairs), "application/x-www-form-urlencoded"),
                    "text/plain": (urlencoded(pairs), "text/plain"),
                    "json": (b'{"body": "x", "parent": 1}', "application/json"),
                    "broken-multipart": (
                        b'--xx\r\nContent-Disposition: form-data; name="body"\r\n\r\n' + urlencoded(pairs),
                        "multipart/form-data; boundary=xx",
                    ),
                }[encoding]
                response = client.generic("POST", url, body, content_type=content_type, headers=headers)
            assert response.status_code in ALLOWED, response.status_code
            check_world(world)
            return response

        rolled_back(post)

    run()


# --- Reply, vote, report, edit, delete, permalink, thread --------------------------------------------------


def test_comment_endpoints_take_any_id_and_value(client, world):
    targets = ["reply", "vote", "report", "unreport", "edit", "delete", "permalink", "thread"]

    @settings(max_examples=examples(COUNTS["endpoints"]))
    @given(
        target=st.sampled_from(targets),
        method=st.sampled_from(["GET", "POST", "POST", "PUT", "HEAD"]),
        pk=st.one_of(
            st.sampled_from([c.pk for c in world["all"]]),
            st.integers(0, 10**18 - 1),
        ),
        raw_path=st.one_of(st.none(), hostile_text.map(lambda s: quote_from_bytes(as_bytes(s)))),
        pairs=st.lists(
            st.tuples(
                st.sampled_from(["value", "reason", "explanation", "body", "offset", "page", "fragment"]), field_value
            ),
            max_size=5,
        ),
        as_json=st.booleans(),
    )
    def run(target, method, pk, raw_path, pairs, as_json):
        RAN["endpoints"] = RAN.get("endpoints", 0) + 1
        path = f"/comments/{raw_path}/{target}/" if raw_path is not None else f"/comments/{pk}/{target}/"
        if target == "permalink":
            path = path.replace("/permalink/", "/")
        if target == "thread":
            path = f"/comments/thread/{raw_path if raw_path is not None else pk}/"
        headers = {"Accept": "application/json"} if as_json else {}

        def send():
            if method == "GET":
                response = client.generic("GET", f"{path}?{urlencoded(pairs).decode()}", headers=headers)
            else:
                response = client.generic(
                    method, path, urlencoded(pairs), content_type="application/x-www-form-urlencoded", headers=headers
                )
            assert response.status_code in ALLOWED, (path, response.status_code)
            check_world(world)

        rolled_back(send)

    run()


# --- Search ---------------------------------------------------------------------------------------------


def test_search_takes_any_query(client, world):
    ArticleFactory(title="Министрите обсъдиха бюджета", lead="Правителството прие бюджета.")

    @settings(max_examples=examples(COUNTS["search"]))
    @given(
        pairs=st.lists(
            st.tuples(
                st.sampled_from(["q", "q", "page", "section", "date_from", "date_to", "sort", "ordering"]),
                st.one_of(
                    field_value,
                    st.integers(-(2**70), 2**70).map(str),
                    st.sampled_from(["9999-99-99", "0000-01-01", "1-1-1", "2025-02-30", "-user__password", "бюджета"]),
                ),
            ),
            max_size=6,
        ),
    )
    def run(pairs):
        RAN["search"] = RAN.get("search", 0) + 1
        response = client.generic("GET", f"{reverse('articles:search')}?{urlencoded(pairs).decode()}")
        assert response.status_code in {200, 400, 404}, response.status_code
        if response.status_code == 200:
            assert oracle.problems(response.content.decode()) == []

    run()


def test_the_fuzzers_ran_their_examples():
    """Last in this file: the examples counted above reach the profile's total (2,300 in CI)."""
    if set(RAN) != set(COUNTS):
        pytest.skip("only part of the fuzz module ran")
    print(f"hypothesis profile {PROFILE}: {RAN} = {sum(RAN.values())} examples")
    assert sum(RAN.values()) >= 0.9 * sum(examples(n) for n in COUNTS.values())
    if PROFILE == "ci" and connection.vendor == "postgresql":
        assert sum(RAN.values()) >= 2000
