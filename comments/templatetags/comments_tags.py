from datetime import datetime

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from caching import is_shared
from comments.forms import CommentForm
from comments.markup import render_comment
from comments.moderation import discussion_closes_at, discussion_open
from comments.security import own_comments
from comments.threads import SORTS, decorate, page_url, parse_page, parse_sort, thread_block

register = template.Library()


@register.inclusion_tag("comments/_section.html", takes_context=True)
def comments_section(context, article):
    """The discussion under an article: count, form, sort, the page of threads, pagination.

    The thread itself comes rendered from the cache (threads.thread_block, one query when it is
    not cached); this tag adds only what belongs to the reader: the form with its CSRF token (none on a
    page every reader shares: docs/caching.md) and any errors, messages, and edit links beside the
    reader's own fresh comments.
    """
    request = context["request"]
    sort = parse_sort(request.GET.get("sort"))
    page = parse_page(request.GET.get("cpage"))
    is_open = discussion_open(article)
    block = thread_block(request, article, sort=sort, page=page, discussion_open=is_open)

    own = own_comments(request, article_id=article.pk)
    # One string, not a template loop: a page of threads is up to a few hundred comments.
    if own and any(pk in own for pk, _level, _html in block.parts):
        parts = ((html, own_controls(pk, level, own[pk]) if pk in own else "") for pk, level, html in block.parts)
        thread_html = format_html_join("", "{}{}", parts)
    else:
        # Every part is a comment rendered and escaped by comments.markup: joined, they are as safe.
        # covered by tests/comments/test_threads.py::test_the_joined_thread_keeps_every_comment_escaped
        thread_html = mark_safe("".join(html for _pk, _level, html in block.parts))  # noqa: S308

    form = context.get("comment_form")
    if form is None or getattr(form, "article", None) != article:
        form = CommentForm(article=article, user=request.user) if is_open else None
    return {
        "article": article,
        "request": request,
        "user": context.get("user"),
        # Not "csrf_token": an inclusion tag's template gets the page's own under that name.
        "form_csrf_token": "" if is_shared(request) else context.get("csrf_token"),
        "messages": context.get("messages"),
        "form": form,
        "is_open": is_open,
        "closes_at": discussion_closes_at(article),
        "block": block,
        "thread_html": thread_html,
        "sorts": [(key, label, page_url(article, sort=key, page=1)) for key, (label, _order) in SORTS.items()],
        "sort": sort,
        "prev_url": page_url(article, sort=sort, page=block.page - 1) if block.page > 1 else "",
        "next_url": page_url(article, sort=sort, page=block.page + 1) if block.page < block.num_pages else "",
    }


def own_controls(pk: int, level: int, posted_at: float) -> str:
    """Edit and delete links beside a comment of this reader's, while they may still change it."""
    until = datetime.fromtimestamp(posted_at + settings.COMMENTS_EDIT_MINUTES * 60, tz=timezone.get_current_timezone())
    return format_html(
        '<p class="comment-own comment--level-{}"><a href="{}">{}</a> · <a href="{}">{}</a> '
        '<span class="comment-own__until">{}</span></p>',
        level,
        reverse("comments:edit", kwargs={"pk": pk}),
        gettext("Edit"),
        reverse("comments:delete", kwargs={"pk": pk}),
        gettext("Delete"),
        gettext("until %(time)s") % {"time": time_format(until, "H:i")},
    )


@register.simple_tag
def comment_card(comment):
    """One comment on its own, above a reply, report or delete form: no vote or reply buttons."""
    decorate([comment])
    comment.level = 0
    return render_comment(comment, discussion_open=False, actions=False)
