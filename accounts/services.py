from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from comments.services import author_forget


def account_delete(*, user: AbstractBaseUser, remove_comments: bool) -> int:
    """Delete a reader's account: their comments removed or kept unsigned (comments.services.author_forget), then
    the account with its addresses and linked providers. Returns how many comments the account had."""
    with transaction.atomic():
        count = author_forget(user=user, remove_comments=remove_comments)
        user.delete()
    return count
