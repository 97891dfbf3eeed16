"""django-allauth's hooks for Vestnik (ACCOUNT_ADAPTER, SOCIALACCOUNT_ADAPTER, AXES_USERNAME_CALLABLE).

The client address is the one the rest of the site believes (portal.security.client_ip), usernames say
nothing about the reader, a provider's full name is not published on its own, and only providers
configured in settings exist.
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.utils.crypto import get_random_string

from comments.text import clean_line
from portal.mail import send_mail_task, task_enqueue
from portal.security import client_ip

USERNAME_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
# A flash message stays in its cookie until a page shows it, and a page requested with that cookie is
# rendered for one reader instead of coming from the cache: these two would follow a reader to pages that
# show none. The header says as much (its "Вход" or "Изход").
SILENT_MESSAGES = frozenset({"account/messages/logged_in.txt", "account/messages/logged_out.txt"})


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        """allauth's rate limits key on the address every other limit uses (docs/security.md, rule 6)."""
        return client_ip(request)

    def populate_username(self, request, user):
        """A username nobody sees and that tells nothing about its reader (allauth's would start with the e-mail
        address): readers sign in with their address, and comments carry their chosen name."""
        if not user.username:
            user.username = f"reader-{get_random_string(16, USERNAME_ALPHABET)}"

    def send_mail(self, template_prefix, email, context):
        """allauth's mails (verification, password reset, "your password was changed") leave the request as every
        mail of the site does: rendered here, in the reader's language, and sent by a task that is tried again
        when the mail server fails (portal/mail.py). Enqueued with the transaction, so a rolled-back sign-up
        sends nothing."""
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request), **context}
        message = self.render_mail(template_prefix, email, ctx)
        alternatives = getattr(message, "alternatives", [])
        html = next((content for content, mimetype in alternatives if mimetype == "text/html"), "")
        task_enqueue(
            send_mail_task,
            subject=str(message.subject),
            body=str(message.body),
            to=list(message.to),
            from_email=message.from_email,
            html=html,
            headers=dict(message.extra_headers) or None,
        )

    def add_message(self, request, level, message_template=None, message_context=None, extra_tags="", message=None):
        if message_template in SILENT_MESSAGES:
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        """The providers configured in settings (their environment variables) and no others: one added in the
        database would get a button but no address (accounts/auth_urls.py)."""
        apps = super().list_apps(request, provider=provider, client_id=client_id)
        return [app for app in apps if app.pk is None]

    def populate_user(self, request, sociallogin, data):
        """The name under comments starts as the first name the provider gives (never the full name); the reader
        changes it on their account page."""
        user = super().populate_user(request, sociallogin, data)
        user.first_name = clean_line(user.first_name or "")[: settings.COMMENTS_NAME_MAX_LENGTH]
        user.last_name = ""
        return user


def axes_username(request, credentials=None) -> str | None:
    """AXES_USERNAME_CALLABLE: whom a sign-in attempt names: a newsroom username (the admin's form), or the e-mail
    address a reader signs in with (allauth's form sends it as ``login``, authenticate() gets it as ``email``)."""
    if credentials:
        name = credentials.get("username") or credentials.get("email")
    else:
        data = getattr(request, "data", None) or request.POST
        name = data.get("username") or data.get("login")
    if isinstance(name, str) and "@" in name:
        name = name.strip().lower()  # as allauth looks the address up: one counter whatever its case
    return name
