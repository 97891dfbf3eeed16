from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Site-wide wiring: sign-in bookkeeping for session limits and security events."""

    name = "portal"
    verbose_name = "Vestnik"

    def ready(self):
        from . import signals  # noqa: F401
