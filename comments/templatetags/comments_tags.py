from datetime import datetime

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

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
    not cached); this tag adds only what belongs to the reader: the form with its CSRF token and
    any errors, messages, and edit links beside the reader's own fresh comments.
    """
    request = context["request"]
    sort = parse_sort(request.GET.get("sort"))
    page = parse_page(request.GET.get("cpage"))
    is_open = discussion_open(article)
    block = thread_block(article, sort=sort, page=page, discussion_open=is_open)

    own = own_comments(request)
    edit_seconds = settings.COMMENTS_EDIT_MINUTES * 60
    items = []
    for pk, level, html in block.parts:
        controls = None
        if pk in own:
            controls = {
                "edit": reverse("comments:edit", kwargs={"pk": pk}),
                "delete": reverse("comments:delete", kwargs={"pk": pk}),
                "until": datetime.fromtimestamp(own[pk] + edit_seconds, tz=timezone.get_current_timezone()),
                "level": level,
            }
        items.append((html, controls))

    form = context.get("comment_form")
    if form is None or getattr(form, "article", None) != article:
        form = CommentForm(article=article, user=request.user) if is_open else None
    return {
        "article": article,
        "request": request,
        "user": context.get("user"),
        "csrf_token": context.get("csrf_token"),
        "messages": context.get("messages"),
        "form": form,
        "is_open": is_open,
        "closes_at": discussion_closes_at(article),
        "block": block,
        "items": items,
        "sorts": [(key, label, page_url(article, sort=key, page=1)) for key, (label, _order) in SORTS.items()],
        "sort": sort,
        "prev_url": page_url(article, sort=sort, page=block.page - 1) if block.page > 1 else "",
        "next_url": page_url(article, sort=sort, page=block.page + 1) if block.page < block.num_pages else "",
    }


@register.simple_tag
def comment_card(comment):
    """One comment on its own, above a reply, report or delete form: no vote or reply buttons."""
    decorate([comment])
    comment.level = 0
    return render_comment(comment, discussion_open=False, actions=False)
