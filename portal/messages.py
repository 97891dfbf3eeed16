"""Flash messages ("Коментарът ви е публикуван.") in a signed cookie of their own, deleted once shown.

In the session, a message gave every reader who commented, voted or reported without JavaScript a
session for SESSION_COOKIE_AGE, and with it pages rendered for them alone instead of cached ones
(docs/caching.md) for hours. The cookie lives until the next page shows the message.
"""

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage


class MessageCookieStorage(CookieStorage):
    """Django's cookie storage under ``MESSAGE_COOKIE_NAME`` (``__Host-messages`` behind TLS, like the other
    cookies); signed, Secure, HttpOnly and SameSite as the session cookie is."""

    @property
    def cookie_name(self) -> str:
        return settings.MESSAGE_COOKIE_NAME
