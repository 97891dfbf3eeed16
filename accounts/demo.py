"""A demo reader account for ``manage.py seed_demo`` (settings.DEMO_SEEDERS), DEBUG only: its password is public.

The reader has a verified address, so it signs in at once at /accounts/login/, and one comment of its own under
the newest article with a discussion, so the account page shows something.
"""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model

from articles.models import Article
from comments.models import Comment, CommentStatus

EMAIL, PASSWORD, NAME = "chitatel@vestnik.example", "bql-oblak-2025", "Демо Читател"
USERNAME = "reader-demo"
BODY = "Благодаря за подробния материал — чета ви всяка сутрин."


def seed(*, stdout) -> None:
    """Create the demo reader (an existing one keeps its password) and its one comment."""
    if not settings.DEBUG:
        stdout.write("Demo reader skipped: DEBUG is off, and its password is public.")
        return
    user, created = get_user_model().objects.get_or_create(
        username=USERNAME, defaults={"email": EMAIL, "first_name": NAME}
    )
    if created:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(user=user, email=EMAIL, defaults={"verified": True, "primary": True})
    article = Article.objects.published().filter(comments__isnull=False).order_by("-published_at").first()
    if article is not None and not Comment.objects.filter(user=user).exists():
        from comments.services import comment_create, comment_moderate

        comment = comment_create(article=article, parent=None, body=BODY, user=user, enforce_rate_limits=False)
        if comment.status != CommentStatus.APPROVED:  # a new author's first comment waits; a moderator passes it
            comment_moderate(comment_ids=[comment.pk], status=CommentStatus.APPROVED)
    stdout.write(f"Demo reader (sign in at /accounts/login/): {EMAIL} password: {PASSWORD}")


def reset(*, stdout) -> None:
    """Delete the demo reader and its comments."""
    if not settings.DEBUG:
        return
    from .services import account_delete

    for user in get_user_model().objects.filter(username=USERNAME):
        account_delete(user=user, remove_comments=True)
    stdout.write("Demo reader removed.")
