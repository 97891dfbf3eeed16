from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = _("Articles")

    def ready(self):
        from . import search, signals  # noqa: F401  (search registers a SQLite function on connect)
        from .roles import sync_roles_after_migrate

        # Grants role permissions of apps migrated later (e.g. comments) once their rows exist.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="articles.roles.sync")
