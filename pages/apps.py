from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    """The site's own pages (За нас, Контакти, ...); editors edit them (articles/roles.py grants it)."""

    name = "pages"
    verbose_name = _("Site pages")

    def ready(self):
        from . import signals  # noqa: F401  (cache upkeep)
