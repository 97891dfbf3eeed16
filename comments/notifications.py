"""E-mail about comments: replies to readers who asked for it, reports to moderators.

A reader's address is used only to send to that reader; it is never shown, put in a link or
copied into another message. The unsubscribe link carries a signed hash of the address.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import EmailMultiAlternatives, mail_managers
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from .models import Comment
from .security import unsubscribe_token

logger = logging.getLogger(__name__)


def notify_reply(comment_pk: int) -> bool:
    """Tell the author of the comment answered by ``comment_pk`` about the reply, once. True if sent."""
    reply = Comment.objects.select_related("reply_to", "reply_to__user", "article").filter(pk=comment_pk).first()
    if reply is None or not reply.is_visible or reply.reply_notified or reply.reply_to is None:
        return False
    parent = reply.reply_to
    address = parent.email or (parent.user.email if parent.user_id else "")
    if not parent.notify_on_reply or not address or not parent.email_hash or parent.author_key == reply.author_key:
        return False
    # Claim the notification first: two approvals racing each other send one message.
    if not Comment.objects.filter(pk=reply.pk, reply_notified=False).update(reply_notified=True):
        return False
    unsubscribe = settings.SITE_URL.rstrip("/") + reverse(
        "comments:unsubscribe", kwargs={"token": unsubscribe_token(parent.email_hash)}
    )
    link = settings.SITE_URL.rstrip("/") + reply.get_absolute_url()
    with translation.override(settings.LANGUAGE_CODE):
        context = {"reply": reply, "parent": parent, "link": link, "unsubscribe": unsubscribe}
        subject = gettext("%(name)s replied to your comment") % {"name": reply.author_name}
        text = render_to_string("comments/email/reply.txt", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[address],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    try:
        message.send()
    except Exception:  # the mail server is down: the reply is posted all the same
        logger.exception("reply notification for comment %s not sent", reply.pk)
        return False
    return True


def moderator_addresses() -> list[str]:
    """E-mail addresses of active users who may moderate comments."""
    perm = Permission.objects.filter(content_type__app_label="comments", codename="moderate_comment")
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    users = users.filter(Q(is_superuser=True) | Q(user_permissions__in=perm) | Q(groups__permissions__in=perm))
    return sorted(set(users.values_list("email", flat=True)))


def notify_moderators(comment_pk: int, reports: int) -> None:
    """One message to moderators when reports hide a comment."""
    comment = Comment.objects.select_related("article").filter(pk=comment_pk).first()
    if comment is None:
        return
    admin_url = settings.SITE_URL.rstrip("/") + reverse("admin:comments_comment_change", args=[comment.pk])
    with translation.override(settings.LANGUAGE_CODE):
        context = {"comment": comment, "reports": reports, "admin_url": admin_url}
        subject = gettext("Comment hidden after %(reports)s reports") % {"reports": reports}
        text = render_to_string("comments/email/reported.txt", context)
    addresses = moderator_addresses()
    try:
        if addresses:
            EmailMultiAlternatives(subject=subject, body=text, to=addresses).send()
        else:
            mail_managers(subject, text)
    except Exception:
        logger.exception("moderator notification for comment %s not sent", comment.pk)
