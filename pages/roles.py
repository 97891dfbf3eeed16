"""Editors (the newsroom's Редактори, articles/roles.py) look after the site's pages as they do sections."""

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS


def grant_editors(*, apps=global_apps, using: str = DEFAULT_DB_ALIAS) -> None:
    """Give the editors' group every permission of this app (add, change, delete, view pages)."""
    from articles.roles import EDITOR, GROUP_NAMES

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.using(using).get_or_create(name=GROUP_NAMES[EDITOR])
    group.permissions.add(*Permission.objects.using(using).filter(content_type__app_label="pages"))


def grant_editors_after_migrate(sender, using=DEFAULT_DB_ALIAS, apps=global_apps, **kwargs) -> None:
    """post_migrate: the permissions exist by now (auth creates them first, its receiver came earlier)."""
    try:
        apps.get_model("pages", "Page")
    except LookupError:  # a partial migration state
        return
    grant_editors(apps=apps, using=using)
