"""The one renderer of stored rich text (article bodies, and any text shown through the ``sanitized`` filter).

Stored HTML goes through the allow-list again (sanitize.clean_body); then each top-level block is looked at:
a paragraph holding only the address of an allowed platform's post becomes a click-to-load embed
(embeds.py), and the article's pictures in the text are placed after the block they name. Everything the
editor typed stays inside the sanitised blocks; the embeds and figures are built here from validated data.
"""

import re

from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from . import embeds
from .sanitize import clean_body

# A tag of nh3's serialised output: attribute values are always double-quoted and hold no '"'.
_TAG = re.compile(r'<(/?)([a-z][a-z0-9]*)(?:\s+[^\s"=>/]+(?:="[^"]*")?)*\s*/?>')
_VOID = frozenset({"br", "hr", "img", "wbr"})


def blocks(html: str) -> list[str]:
    """Sanitised HTML cut into its top-level elements (bare text between them is a block of its own)."""
    out, depth, start = [], 0, 0
    for match in _TAG.finditer(html):
        closing, name = match.group(1), match.group(2)
        if name in _VOID:
            continue
        if not closing:
            if depth == 0:
                if html[start : match.start()].strip():
                    out.append(html[start : match.start()].strip())
                start = match.start()
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                out.append(html[start : match.end()])
                start = match.end()
    if html[start:].strip():
        out.append(html[start:].strip())
    return out


def render_figure(placed) -> str:
    return render_to_string("articles/_body_figure.html", {"placed": placed})


def render_embed(embed: embeds.Embed) -> str:
    """The click-to-load placeholder: a link to the post; static/js/body-media.js shows the button that loads the
    frame. Built with format_html rather than a template: a body may hold many (3,000 cost 0.4 s by template)."""
    provider = embed.provider
    return format_html(
        '<figure class="embed embed--{kind} embed--{key}" data-embed-src="{src}" data-embed-title="{title}" '
        'data-embed-sandbox="{sandbox}" data-embed-allow="{allow}">\n'
        '  <p class="embed__note">{note}</p>\n'
        '  <p class="embed__link"><a href="{link}" rel="noopener nofollow">{open}</a></p>\n'
        '  <button type="button" class="embed__load" hidden>{label}</button>\n'
        "</figure>",
        kind=provider.kind,
        key=provider.key,
        src=embed.frame_url,
        title=embeds.frame_title(provider),
        sandbox=embeds.SANDBOX,
        allow=provider.allow,
        note=_(
            "Content from %(name)s: it loads only when you ask, and %(name)s may then collect data about your visit."
        )
        % {"name": provider.name},
        link=embed.link_url,
        open=_("Open on %(name)s") % {"name": provider.name},
        label=embeds.button_label(provider),
    )


def render_body(html: str, body_images=()) -> SafeString:
    """Stored rich text as the page shows it: sanitised, with embeds, and ``body_images`` after their blocks."""
    parts = blocks(clean_body(html))
    placed = sorted(body_images, key=lambda p: (p.after_paragraph, p.pk or 0))
    out = []
    for number, block in enumerate(parts):
        while placed and placed[0].after_paragraph <= number:
            out.append(render_figure(placed.pop(0)))
        embed = embeds.paragraph_embed(block)
        out.append(render_embed(embed) if embed else block)
    out.extend(render_figure(p) for p in placed)
    # The only mark_safe for stored rich text: every block came out of clean_body, every figure and embed out of an
    # autoescaping template or format_html fed validated data; covered by tests/articles/test_body_media.py.
    return mark_safe("\n".join(out))  # noqa: S308
