"""The markup of one comment, built in Python: the thread under an article, a thread's own page, the
comment shown above a reply/report/delete form, and the fragment JavaScript inserts after posting all
come from ``render_comment``, so they cannot drift apart.

Why not a template: a page of threads renders dozens to hundreds of comments, and a template (or an
``{% include %}``) per comment costs about a millisecond each (../shared/TOOLING.md, "Rendering
costs"), ``format_html`` about a tenth of that; escaping and joining plain strings costs a few
microseconds. Every value that is not a constant of this module goes through ``escape`` (the body
through ``text.body_html``: escaped, then linkified), and only the finished string is marked safe.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import NaturalTimeFormatter, naturaltime
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import MONTHS
from django.utils.formats import time_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from .text import body_html

# What readers write here is Bulgarian, whatever language the frame around it speaks (the language switch).
CONTENT_LANGUAGE = "bg"


def content_lang() -> str:
    """The attribute that marks readers' words (names, comments) as Bulgarian in a frame in another language."""
    frame = translation.get_language() or settings.LANGUAGE_CODE
    return "" if frame.split("-")[0] == CONTENT_LANGUAGE else f' lang="{CONTENT_LANGUAGE}"'


def readers_words(text: str, lang: str) -> str:
    """A reader's name (or other words), escaped, in a span carrying ``lang`` (``content_lang()``) if any."""
    return f"<span{lang}>{escape(text)}</span>" if lang else escape(text)


@dataclass(frozen=True)
class Labels:
    """Translated words, escaped once per batch of comments rather than looked up per comment."""

    staff: str
    pick: str
    in_reply_to: str
    edited: str
    collapsed: str
    like: str
    dislike: str
    reply: str
    report: str
    held: str
    months: tuple
    lang: str  # ' lang="bg"' on readers' words when the frame speaks another language, else ""

    @classmethod
    def current(cls) -> "Labels":
        return cls(
            staff=escape(gettext("Editorial team")),
            pick=escape(gettext("Editors' pick")),
            in_reply_to=escape(gettext("in reply to %(name)s")),
            edited=escape(gettext("edited")),
            collapsed=escape(gettext("Low-rated comment: show")),
            like=escape(gettext("Like")),
            dislike=escape(gettext("Dislike")),
            reply=escape(gettext("Reply")),
            report=escape(gettext("Report")),
            held=escape(gettext("Awaiting a moderator's approval. Only you can see it.")),
            months=tuple(str(MONTHS[m]) for m in range(1, 13)),
            lang=content_lang(),
        )

    def name(self, name: str) -> str:
        return readers_words(name, self.lang)

    def dateline(self, local) -> str:
        """“5 Декември, 2025 14:32”, as article_tags.dateline writes it (``local``: in the site's time zone)."""
        return f"{local.day} {self.months[local.month - 1]}, {local.year} {local:%H:%M}"


class Urls:
    """The comment URLs, reversed once with a marker id and filled in per comment."""

    MARK = "987654321"

    def __init__(self):
        self.patterns = {
            name: reverse(f"comments:{name}", kwargs={"pk": int(self.MARK)}).split(self.MARK)
            for name in ("permalink", "vote", "reply", "report")
        }

    def __call__(self, name: str, pk: int) -> str:
        head, tail = self.patterns[name]
        return f"{head}{int(pk)}{tail}"


def _header(c, labels: Labels, urls: Urls) -> str:
    badges = ""
    if c.is_staff_reply:
        badges += f' <span class="badge badge--staff">{labels.staff}</span>'
    if c.is_pinned:
        badges += f' <span class="badge badge--pick">{labels.pick}</span>'
    reply_to = ""
    if c.reply_to_name:
        reply_to = labels.in_reply_to % {"name": labels.name(c.reply_to_name)}
        reply_to = f' <span class="comment__reply-to">{reply_to}</span>'
    edited = f' <span class="comment__edited">({labels.edited})</span>' if c.edited_at else ""
    local = timezone.localtime(c.created_at)
    # Milliseconds: static/js/comments.js counts from this instant as naturaltime counts from created_at.
    return (
        f'<header class="comment__header"><span class="comment__author"{labels.lang}>{escape(c.author_name)}</span>'
        f'{badges}{reply_to} <a class="comment__time" href="{urls("permalink", c.pk)}"><time '
        f'datetime="{local.isoformat(timespec="milliseconds")}" data-relative>{escape(naturaltime(c.created_at))}'
        f'</time></a> <span class="comment__date">{escape(labels.dateline(local))}</span>{edited}</header>'
    )


def _actions(c, labels: Labels, urls: Urls, discussion_open: bool) -> str:
    vote = urls("vote", c.pk)
    reply = ""
    if discussion_open:
        reply = (
            f' <a class="comment__reply" href="{urls("reply", c.pk)}" data-reply="{int(c.pk)}" '
            f'data-reply-name="{escape(c.author_name)}">{labels.reply}</a>'
        )
    return (
        '<div class="comment__actions">'
        f'<button type="submit" class="vote vote--up" form="comment-actions" formaction="{vote}" name="value" '
        f'value="1" data-vote="1"><span aria-hidden="true">▲</span> <span class="visually-hidden">{labels.like}'
        f"</span> <span data-likes>{int(c.likes)}</span></button> "
        f'<button type="submit" class="vote vote--down" form="comment-actions" formaction="{vote}" name="value" '
        f'value="-1" data-vote="-1"><span aria-hidden="true">▼</span> <span class="visually-hidden">{labels.dislike}'
        f"</span> <span data-dislikes>{int(c.dislikes)}</span></button>{reply} "
        f'<a class="comment__report" href="{urls("report", c.pk)}" data-report="{int(c.pk)}">{labels.report}</a></div>'
    )


def render_comment(
    c, *, discussion_open: bool, actions: bool = True, labels: Labels | None = None, urls: Urls | None = None
) -> SafeString:
    """One comment as HTML (an <article>, plus "show N more replies" after the last shown one of a thread).

    ``c`` carries the display facts of ``threads.decorate`` and ``level`` (its indentation); ``is_own_held``: a
    comment waiting for a moderator, shown to its author alone (marked so, without votes, reply or report).
    """
    labels = labels or Labels.current()
    urls = urls or Urls()
    level = int(c.level)
    held = getattr(c, "is_own_held", False)
    classes = f"comment comment--level-{level}"
    if c.is_pinned:
        classes += " comment--pinned"
    if c.is_staff_reply:
        classes += " comment--staff"
    if held:
        classes += " comment--held"
    if c.is_placeholder:
        classes += " comment--placeholder"
        inner = f'<p class="comment__placeholder">{escape(c.placeholder)}</p>'
    else:
        body = f'<div class="comment__body"{labels.lang}>{body_html(c.body)}</div>'
        if c.is_collapsed:
            body = f'<details class="comment__collapsed"><summary>{labels.collapsed}</summary>{body}</details>'
        if held:
            inner = _header(c, labels, urls) + f'<p class="comment__held">{labels.held}</p>' + body
        else:
            inner = _header(c, labels, urls) + body + (_actions(c, labels, urls, discussion_open) if actions else "")
    more = ""
    if getattr(c, "more_replies", 0):
        text = ngettext("show %(n)s more reply", "show %(n)s more replies", c.more_replies) % {"n": c.more_replies}
        more = (
            f'\n<p class="comment-more comment--level-{level}"><a href="{escape(c.more_url)}" '
            f'data-more="{int(c.thread_id)}" data-offset="{int(c.more_offset)}">{escape(text)}</a></p>'
        )
    html = (
        f'<article class="{classes}" id="comment-{int(c.pk)}" data-comment="{int(c.pk)}" '
        f'data-thread="{int(c.thread_id)}" data-level="{level}">{inner}</article>{more}\n'
    )
    # The only mark_safe of the comments app: every reader-supplied value above went through escape()
    # (the body through text.body_html); ids and counters through int(). Hostile names and bodies are
    # tested in tests/comments/test_markup.py::test_hostile_names_and_bodies_render_as_text.
    return mark_safe(html)  # noqa: S308


def render_comments(comments, *, discussion_open: bool) -> list[tuple[int, int, SafeString]]:
    """[(id, level, HTML)] for each comment, in the given order."""
    labels, urls = Labels.current(), Urls()
    return [
        (c.pk, c.level, render_comment(c, discussion_open=discussion_open, labels=labels, urls=urls)) for c in comments
    ]


def own_controls(pk: int, level: int, posted_at: float) -> SafeString:
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


# --- The words of relative times, for the script that keeps them fresh ------------------------------------


def _forms(lazy, key: str) -> list[str]:
    """[the form for 1, the form for more] of one of naturaltime's plural strings, unfilled (``str.format``
    leaves %-placeholders alone). Both languages of the site have these two forms (``n != 1``)."""
    return [lazy.format(**{key: n}) for n in (1, 2)]


def relative_time_words() -> dict:
    """What naturaltime writes ("преди 5 минути", "5 minutes ago"), word for word, in the active language:
    its own strings, taken from django.contrib.humanize. static/js/comments.js counts as naturaltime does
    and fills them in (the templates hand them over with json_script)."""
    strings = NaturalTimeFormatter.time_strings
    words = {"now": str(strings["now"]), "comma": _join_with()}
    for tense, units in (
        ("past", NaturalTimeFormatter.past_substrings),
        ("future", NaturalTimeFormatter.future_substrings),
    ):
        words[tense] = {
            "second": _forms(strings[f"{tense}-second"], "count"),
            "minute": _forms(strings[f"{tense}-minute"], "count"),
            "hour": _forms(strings[f"{tense}-hour"], "count"),
            "days": str(strings[f"{tense}-day"]),
            "units": {unit: _forms(lazy, "num") for unit, lazy in units.items()},
        }
    return words


def _join_with() -> str:
    """django.utils.timesince's separator of units ("1 ден, 3 часа"), from Django's catalog."""
    separator = ", "
    return translation.gettext(separator)  # a variable, not a literal: makemessages leaves it to Django's catalog
