"""Threads for display: one ordered query per page, nested and flattened in Python, rendered once and cached.

The rendered thread is a fragment kept under the article's generation (docs/caching.md), which every
change to its comments renews (``caching.article_changed``: the services, and the signals for any
other save or delete), so readers see a new comment at once. What is cached is the same for every
reader: per-reader parts (the form, CSRF tokens, edit links for one's own comments, one's own comments
waiting for a moderator) are added around it by the template tag, never stored in it.
"""

import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

import caching

from .markup import own_controls, render_comments
from .models import Comment, CommentStatus, held_condition
from .security import OWN_COOKIE_LIMIT, own_comments, own_listed

SORTS = {
    "newest": (_("Newest"), ["-is_pinned", "-pk"]),
    "oldest": (_("Oldest"), ["-is_pinned", "pk"]),
    "best": (_("Best"), ["-is_pinned", "-score", "-pk"]),
}
PAGE_PARAM, SORT_PARAM = "cpage", "sort"


def build_thread(comments):
    """Nest ``comments`` into ``replies`` lists (kept in their given order); return the top-level ones."""
    by_id = {c.pk: c for c in comments}
    for c in comments:
        c.replies = []
    for c in comments:
        if c.parent_id in by_id:
            by_id[c.parent_id].replies.append(c)
    return [c for c in comments if c.parent_id not in by_id]


def flatten(roots):
    """The nested comments in display order (parent, then its replies), without recursion.

    Each comment gets ``level``: its depth below the top of what was given, capped at
    COMMENTS_MAX_DEPTH, which templates use as a CSS class. A chain 5,000 replies deep is fine.
    """
    cap = settings.COMMENTS_MAX_DEPTH
    out = []
    stack = [(c, 0) for c in reversed(roots)]
    while stack:
        comment, level = stack.pop()
        comment.level = min(level, cap)
        out.append(comment)
        stack.extend((reply, level + 1) for reply in reversed(getattr(comment, "replies", [])))
    return out


def parse_sort(value) -> str:
    return value if value in SORTS else settings.COMMENTS_DEFAULT_SORT


def parse_page(value) -> int:
    try:
        page = int(value)
    except (TypeError, ValueError):
        return 1
    return page if 1 <= page <= 100_000 else 1


def page_url(article, *, sort: str, page: int) -> str:
    """The article's URL showing one page of its threads in one order, anchored at the comments."""
    params = {}
    if sort != settings.COMMENTS_DEFAULT_SORT:
        params[SORT_PARAM] = sort
    if page > 1:
        params[PAGE_PARAM] = page
    query = f"?{urlencode(params)}" if params else ""
    return f"{article.get_absolute_url()}{query}#comments"


# --- Decorating and rendering comments -------------------------------------------------------------------


def decorate(comments) -> None:
    """Per-comment display facts worked out once in Python: placeholders and collapsing."""
    collapse = settings.COMMENTS_COLLAPSE_SCORE
    for c in comments:
        c.is_placeholder = not c.is_visible
        if c.is_placeholder:
            c.placeholder = (
                _("The comment was deleted.") if c.status == CommentStatus.REMOVED else _("The comment is hidden.")
            )
        c.is_collapsed = not c.is_placeholder and c.score <= collapse
        c.more_replies = 0


@dataclass
class ThreadBlock:
    """A rendered page of threads: what every reader of that page gets."""

    parts: list
    page: int
    num_pages: int
    total_threads: int
    sort: str


def load_page(article, *, sort: str, page: int):
    """(comments in display order, number of threads) for one page of the article's threads."""
    per_page = settings.COMMENTS_THREADS_PER_PAGE
    rows = list(
        Comment.objects.thread_page(
            article,
            root_order=SORTS[sort][1],
            offset=(page - 1) * per_page,
            limit=per_page,
            replies_shown=settings.COMMENTS_REPLIES_SHOWN,
        )
    )
    total = rows[0].root_total if rows else 0
    return rows, total


def build_block(article, *, sort: str, page: int, discussion_open: bool) -> ThreadBlock:
    """Query, nest, flatten and render one page of threads."""
    rows, total = load_page(article, sort=sort, page=page)
    if not rows and page > 1:
        total = Comment.objects.for_article(article).threads().count()
        last = max(1, math.ceil(total / settings.COMMENTS_THREADS_PER_PAGE))
        if last < page:
            page = last
            rows, total = load_page(article, sort=sort, page=page)
    comments = flatten(build_thread(rows))
    decorate(comments)
    # After the last shown comment of a cut thread: "show N more replies", linking to the thread's page.
    last_of_thread, shown = {}, {}
    for c in comments:
        last_of_thread[c.thread_id] = c
        shown[c.thread_id] = shown.get(c.thread_id, 0) + 1
    for c in rows:
        if c.pk == c.thread_id and c.thread_size > shown[c.thread_id]:
            tail = last_of_thread[c.thread_id]
            tail.more_replies = c.thread_size - shown[c.thread_id]
            tail.more_offset = shown[c.thread_id]
            page_number = 1 + shown[c.thread_id] // settings.COMMENTS_THREAD_PAGE_SIZE
            tail.more_url = f"{reverse('comments:thread', kwargs={'pk': c.thread_id})}?page={page_number}"
    parts = render_comments(comments, discussion_open=discussion_open)
    num_pages = max(1, math.ceil(total / settings.COMMENTS_THREADS_PER_PAGE))
    return ThreadBlock(parts=parts, page=page, num_pages=num_pages, total_threads=total, sort=sort)


def mark_held(comments) -> None:
    """Display facts of comments shown to their author alone while they wait for a moderator."""
    decorate(comments)
    cap = settings.COMMENTS_MAX_DEPTH
    for c in comments:
        c.is_own_held = True
        c.is_placeholder = c.is_collapsed = False
        c.level = min(c.depth, cap)


def editable_for_reader(request, *, article_id: int | None = None) -> dict[int, int]:
    """{comment id: posted at (epoch seconds)} of the comments the reader may still edit: those this browser
    posted (its cookie, security.own_comments) and, signed in, the account's, from any browser (one query).
    ``article_id``: only those on that article. None for a page every reader shares (docs/caching.md)."""
    own = own_comments(request, article_id=article_id)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or caching.is_shared(request):
        return own
    since = timezone.now() - timedelta(minutes=settings.COMMENTS_EDIT_MINUTES)
    mine = Comment.objects.filter(
        user_id=user.pk, created_at__gt=since, status__in=[CommentStatus.APPROVED, CommentStatus.PENDING]
    )
    if article_id is not None:
        mine = mine.filter(article_id=article_id)
    # No cap: the edit window and the rate limits (COMMENTS_RATE_POST_AUTHOR) keep the list short.
    for pk, created_at in mine.values_list("pk", "created_at"):
        own.setdefault(pk, int(created_at.timestamp()))
    return own


def own_for_reader(request, article, *, shown) -> tuple[list, dict[int, int]]:
    """The reader's own comments on ``article``: those that wait for a moderator (``mark_held``), and
    {comment id: posted at} of those they may still edit. Held: those this browser posted (its cookie: held
    when posted, or since, by an edit) and, signed in, those of the account. Editable: those the cookie lists
    (security.own_comments) and, signed in, the account's fresh ones, whichever browser posted them. Nothing
    for a page every reader shares (docs/caching.md).

    One query, and none unless the reader is signed in or the cookie lists a comment ``shown`` (the ids on
    the page) lacks.
    """
    editable = own_comments(request, article_id=article.pk)
    if caching.is_shared(request):
        return [], editable
    ids = [pk for pk in own_listed(request, article_id=article.pk) if pk not in shown]
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    if not ids and not signed_in:
        return [], editable
    mine = Q(pk__in=ids) | Q(user_id=user.pk) if signed_in else Q(pk__in=ids)
    wanted = held_condition() & mine
    since = timezone.now() - timedelta(minutes=settings.COMMENTS_EDIT_MINUTES)
    if signed_in:
        # No cap: the edit window and the rate limits (COMMENTS_RATE_POST_AUTHOR) keep this list short.
        fresh = Q(user_id=user.pk, created_at__gt=since, status__in=[CommentStatus.APPROVED, CommentStatus.PENDING])
        wanted |= fresh
    rows = list(
        Comment.objects.for_article(article)
        .filter(wanted)
        .annotate(waits=ExpressionWrapper(held_condition(), output_field=BooleanField()))
        .order_by("pk")
    )
    held = [c for c in rows if c.waits and (c.pk in ids or (signed_in and c.user_id == user.pk))][:OWN_COOKIE_LIMIT]
    mark_held(held)
    for c in rows:
        if signed_in and c.user_id == user.pk and not c.waits and c.created_at > since:
            editable.setdefault(c.pk, int(c.created_at.timestamp()))
    return held, editable


def with_held(parts, held, *, first_page: bool) -> list[tuple[int, int, SafeString]]:
    """``parts`` of a page of threads with the reader's ``held`` comments (``mark_held``) rendered into it: each
    after its parent's replies when its parent is on the page, else at the top of the first page, where its
    "in reply to" says what it answers."""
    parts = list(parts)
    on_top = []
    for c in held:
        at = next((i for i, (pk, _level, _html) in enumerate(parts) if pk == c.parent_id), None)
        if at is None:
            if first_page:
                c.level = 0
                on_top.insert(0, c)  # newest first
            continue
        end = at + 1
        while end < len(parts) and parts[end][1] > parts[at][1]:
            end += 1
        parts.insert(end, render_comments([c], discussion_open=False)[0])
    return render_comments(on_top, discussion_open=False) + parts


def posted_html(comment, *, held: bool) -> str:
    """A comment as static/js/comments.js inserts it for its author right after posting: with the edit links
    (``own_controls``, as on the page the reader comes back to without JavaScript), or, ``held`` for a
    moderator, marked as waiting. Empty for any other comment."""
    if comment.is_visible:
        decorate([comment])
        comment.level = min(comment.depth, settings.COMMENTS_MAX_DEPTH)
        html = render_comments([comment], discussion_open=True)[0][2]
        return html + own_controls(comment.pk, comment.level, comment.created_at.timestamp())
    if held:
        mark_held([comment])
        return render_comments([comment], discussion_open=True)[0][2]
    return ""


def thread_block(request, article, *, sort: str, page: int, discussion_open: bool) -> ThreadBlock:
    """The rendered page of threads, from the cache while the article's comments have not changed."""
    return caching.fragment(
        request,
        f"thread:{article.pk}:{sort}:{page}:{int(discussion_open)}:{get_language()}",
        lambda: build_block(article, sort=sort, page=page, discussion_open=discussion_open),
        article_id=article.pk,
    )


# --- Where a comment is shown ----------------------------------------------------------------------------


def thread_rows(root_id: int):
    """The displayable comments of one thread, in display order."""
    return Comment.objects.filter(thread_id=root_id).displayable().order_by("path")


def comment_url(comment) -> str:
    """The page that shows ``comment`` (article page of its thread, or the thread's own page), anchored at it."""
    article = comment.article
    sort = settings.COMMENTS_DEFAULT_SORT
    root = comment.thread if comment.thread_id else comment
    position = thread_rows(root.pk).filter(path__lt=comment.path).count() if comment.pk != root.pk else 0
    if position > settings.COMMENTS_REPLIES_SHOWN:
        page = 1 + position // settings.COMMENTS_THREAD_PAGE_SIZE
        return reverse("comments:thread", kwargs={"pk": root.pk}) + f"?page={page}#{comment.anchor}"
    before = Comment.objects.for_article(article).threads().filter(_sorts_before(root, sort)).count()
    page = 1 + before // settings.COMMENTS_THREADS_PER_PAGE
    return page_url(article, sort=sort, page=page).replace("#comments", f"#{comment.anchor}")


def _sorts_before(root, sort: str) -> Q:
    """Top-level comments that come before ``root`` in ``sort`` order."""
    before = Q(is_pinned__gt=root.is_pinned)
    same_pin = Q(is_pinned=root.is_pinned)
    if sort == "oldest":
        return before | (same_pin & Q(pk__lt=root.pk))
    if sort == "best":
        return before | (same_pin & (Q(score__gt=root.score) | Q(score=root.score, pk__gt=root.pk)))
    return before | (same_pin & Q(pk__gt=root.pk))
