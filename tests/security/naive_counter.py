"""The negative control's server (tests/security/test_concurrency.py): the real site, except that the public
comment count is kept by a naive read-modify-write (``count += 1; save()``) instead of an F() update.

Run only as a gunicorn app by that test: ``tests.security.naive_counter:application``.
"""

# isort: off
from portal.wsgi import application  # first: sets Django up
from articles.models import Article
from comments import services

# isort: on


def naive_count_change(article_id: int, delta: int) -> None:
    if delta:
        article = Article.objects.get(pk=article_id)
        article.comment_count += delta
        article.save(update_fields=["comment_count"])


services._count_change = naive_count_change

__all__ = ["application"]
