"""“Download my data”: everything Vestnik keeps about a reader's account, as one JSON document."""

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.utils import timezone

from comments.models import Comment, Report, Vote
from comments.security import author_key
from comments.services import display_name

FORMAT = "vestnik-account-data/1"


def _when(value):
    return value.isoformat() if value else None


def account_data(user, *, absolute) -> dict:
    """The reader's account, addresses, linked providers, comments, reports and votes; ``absolute(path)`` makes
    the site's links absolute. Five queries whatever the number of comments."""
    key = author_key(user_id=user.pk, email_hash="", ip_hash="")
    comments = Comment.objects.filter(user=user).select_related("article").order_by("created_at", "pk")
    return {
        "format": FORMAT,
        "exported_at": _when(timezone.now()),
        "account": {
            "id": user.pk,
            "name": display_name(user),
            "email": user.email,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
            "has_password": user.has_usable_password(),
            "email_addresses": [
                {"email": a.email, "verified": a.verified, "primary": a.primary}
                for a in EmailAddress.objects.filter(user=user).order_by("pk")
            ],
            "linked_accounts": [
                {
                    "provider": s.provider,
                    "uid": s.uid,
                    "date_joined": _when(s.date_joined),
                    "last_login": _when(s.last_login),
                    "data": s.extra_data,
                }
                for s in SocialAccount.objects.filter(user=user).order_by("pk")
            ],
        },
        "comments": [
            {
                "id": c.pk,
                "url": absolute(c.get_absolute_url()),
                "article": {"title": c.article.title, "url": absolute(c.article.get_absolute_url())},
                "in_reply_to": c.reply_to_id,
                "name": c.author_name,
                "email": c.email,
                "text": c.body,
                "status": c.status,
                "status_label": str(c.get_status_display()),
                "posted_at": _when(c.created_at),
                "edited_at": _when(c.edited_at),
                "likes": c.likes,
                "dislikes": c.dislikes,
                "reply_notifications": c.notify_on_reply,
                "address_hash": c.ip_hash,
            }
            for c in comments
        ],
        "reports": [
            {
                "comment": r.comment_id,
                "reason": r.reason,
                "explanation": r.explanation,
                "reported_at": _when(r.created_at),
            }
            for r in Report.objects.filter(reporter_key=key).order_by("created_at", "pk")
        ],
        "votes": [
            {"comment": v.comment_id, "value": v.value, "voted_at": _when(v.created_at)}
            for v in Vote.objects.filter(voter_key=key).order_by("created_at", "pk")
        ],
    }
