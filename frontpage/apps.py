from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontpageConfig(AppConfig):
    """The home page's arrangement and the breaking-news banner; editors run both (articles/roles.py grants it)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "frontpage"
    verbose_name = _("Front page")

    def ready(self):
        from . import signals  # noqa: F401  (cache upkeep)
