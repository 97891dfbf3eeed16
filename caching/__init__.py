"""Caching, one small package that the apps call and that calls no app (docs/caching.md).

Say what changed:
    site_changed()            everything readers see may have changed (any article, section, tag, ...)
    article_changed(*ids)     these articles' discussions changed
Cache:
    cache_page(params=...)    a view decorator: its pages are stored for readers without reader state
    depends_on(request, article_id=...)   the page being built shows this article's discussion
    fragment(request, name, build, article_id=None)   a part of a page, kept under the same generations
Shell fixes and data migrations that write without the ORM's signals: ``manage.py cache_changed``.
"""

from . import generations
from .fragments import fragment
from .generations import article_changed, site_changed
from .pages import cache_page, is_shared

__all__ = ["article_changed", "cache_page", "depends_on", "fragment", "is_shared", "site_changed"]


def depends_on(request, *, article_id: int) -> None:
    """The page being built for ``request`` shows this article's discussion: read its generation now,
    before the rows it covers, and store the page under it."""
    generations.of(request).get(generations.SITE, generations.article_key(article_id))
