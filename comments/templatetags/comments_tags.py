from django import template
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from caching import is_shared
from comments import markup
from comments.forms import CommentForm
from comments.markup import own_controls, render_comment
from comments.moderation import discussion_closes_at, discussion_open
from comments.threads import (
    SORTS,
    decorate,
    editable_for_reader,
    own_for_reader,
    page_url,
    parse_page,
    parse_sort,
    thread_block,
    with_held,
)

register = template.Library()


@register.inclusion_tag("comments/_section.html", takes_context=True)
def comments_section(context, article):
    """The discussion under an article: count, form, sort, the page of threads, pagination.

    The thread itself comes rendered from the cache (threads.thread_block, one query when it is
    not cached); this tag adds only what belongs to the reader: the form with its CSRF token (none on a
    page every reader shares: docs/caching.md) and any errors, messages, edit links beside the
    reader's own fresh comments, and their own comments waiting for a moderator (one query, only for a
    reader who has some or is signed in: threads.own_for_reader).
    """
    request = context["request"]
    sort = parse_sort(request.GET.get("sort"))
    page = parse_page(request.GET.get("cpage"))
    is_open = discussion_open(article)
    block = thread_block(request, article, sort=sort, page=page, discussion_open=is_open)

    held, own = own_for_reader(request, article, shown={pk for pk, _level, _html in block.parts})
    parts = with_held(block.parts, held, first_page=block.page == 1) if held else block.parts
    thread_html = joined(parts, {pk: at for pk, at in own.items() if pk not in {c.pk for c in held}})

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


def joined(parts, own: dict[int, int]):
    """The rendered comments ``parts`` as one string, with edit links beside the reader's ``own`` ones.

    One string, not a template loop: a page of threads is up to a few hundred comments.
    """
    if own and any(pk in own for pk, _level, _html in parts):
        controls = ((html, own_controls(pk, level, own[pk]) if pk in own else "") for pk, level, html in parts)
        return format_html_join("", "{}{}", controls)
    # Every part is a comment rendered and escaped by comments.markup: joined, they are as safe.
    # covered by tests/comments/test_threads.py::test_the_joined_thread_keeps_every_comment_escaped
    return mark_safe("".join(html for _pk, _level, html in parts))  # noqa: S308


@register.simple_tag(takes_context=True)
def thread_page_comments(context, parts):
    """A thread's own page of comments, with edit links beside the reader's fresh ones: a reply deep in a
    long thread lands here after a post without JavaScript (the /comments/ cookie, security.OWN_COOKIE)."""
    return joined(parts, editable_for_reader(context["request"]))


@register.simple_tag
def comment_card(comment):
    """One comment on its own, above a reply, report or delete form: no vote or reply buttons."""
    decorate([comment])
    comment.level = 0
    return render_comment(comment, discussion_open=False, actions=False)


@register.filter
def content_words(value):
    """Words of the content (a reader's name, a headline) in the frame's sentence, marked as Bulgarian when
    the frame speaks another language: ``{% blocktranslate with name=parent.author_name|content_words %}``."""
    if markup.content_lang():
        return format_html('<span lang="{}">{}</span>', markup.CONTENT_LANGUAGE, value)
    return conditional_escape(value)


@register.simple_tag
def content_language():
    """The content's language when the frame speaks another one (for static/js/comments.js), else ""."""
    return markup.CONTENT_LANGUAGE if markup.content_lang() else ""


@register.simple_tag
def relative_time_words():
    """naturaltime's words in the active language, for static/js/comments.js (``|json_script``)."""
    return markup.relative_time_words()
