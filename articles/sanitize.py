"""The allow-list for rich article bodies: what the article template styles, nothing else."""

import nh3

TAGS = {"p", "h2", "h3", "strong", "b", "em", "i", "a", "ul", "ol", "li", "blockquote", "br"}
ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def clean_body(html: str) -> str:
    """Sanitised article HTML: allowed tags and link targets only, links marked noopener."""
    return nh3.clean(
        html or "",
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()
