from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Site-wide wiring: sign-in bookkeeping for session limits and security events, the site's own system
    checks (portal/checks.py)."""

    name = "portal"
    verbose_name = "Vestnik"

    def ready(self):
        from . import checks, signals  # noqa: F401
