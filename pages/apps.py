from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = _("Site pages")

    def ready(self):
        from . import signals  # noqa: F401  (cache upkeep)
        from .roles import grant_editors_after_migrate

        post_migrate.connect(grant_editors_after_migrate, sender=self)
