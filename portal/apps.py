from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext_lazy

# Strings of Django's admin and of django-axes that their own Bulgarian catalogs lack (new in Django 5.x, or
# never translated), or translate wrongly. The project's catalog (LOCALE_PATHS) wins over the packages', so
# their Bulgarian lives in locale/bg; they are named here only so that `make messages` keeps them there
# (an entry no source file names becomes obsolete and is dropped from the compiled catalog).
# tests/portal/test_admin_language.py renders the pages that show them.
PACKAGE_STRINGS = (
    # django.contrib.admin: the screen-reader headers of the app list, the user add form, the login page
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Error:"),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("In case you’ve forgotten, you are:"),
    # django.contrib.auth: Django 5.2 changed this message, its bg catalog still has the old one
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
    ),
    gettext_noop(
        "Whether the user will be able to authenticate using a password or not. If disabled, they may still be "
        "able to authenticate using other backends, such as Single Sign-On or LDAP."
    ),
    gettext_noop("%(model)s instance with %(field)s %(value)r is not a valid choice."),
    # django-axes (no Bulgarian catalog): its admin, models and messages
    gettext_noop("Locked Out"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Account locked: too many login attempts. Please try again later."),
    gettext_noop("Account locked: too many login attempts. Contact an admin to unlock your account."),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("Access Attempt"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
)


class PortalConfig(AppConfig):
    """Site-wide wiring: sign-in bookkeeping for session limits and security events, the site's own system
    checks (portal/checks.py), a translatable name for django-axes in the newsroom."""

    name = "portal"
    verbose_name = "Вестник"

    def ready(self):
        from . import checks, signals  # noqa: F401

        # django-axes names itself "Axes" (its label), which no catalog can translate.
        apps.get_app_config("axes").verbose_name = _("Sign-in protection")
