"""Keeping the comments' copy of a reader's address current: reply notifications go to the address the reader
has now, never to one they gave up (allauth's signal, so that allauth needs to know nothing of comments)."""

from allauth.account.signals import email_changed
from django.dispatch import receiver

from comments.models import Comment


@receiver(email_changed, dispatch_uid="accounts.email_changed")
def comments_follow_the_address(sender, request, user, from_email_address, to_email_address, **kwargs):
    # Not shown on any page, so no cache is told (docs/caching.md); the hash (history, blocks) stays as it was.
    Comment.objects.filter(user=user).exclude(email="").update(email=to_email_address.email)
