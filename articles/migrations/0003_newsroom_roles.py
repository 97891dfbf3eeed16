# Newsroom roles: the groups "Автори", "Редактори", "Модератори" and their permissions
# (articles/roles.py holds the specification). Permissions are created here first, because
# Django's own create_permissions only runs after the whole migrate command.

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    from articles.roles import sync_roles

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, using=schema_editor.connection.alias, apps=apps)
        app_config.models_module = None
    sync_roles(apps=apps, using=schema_editor.connection.alias)


def remove_roles(apps, schema_editor):
    from articles.roles import GROUP_NAMES

    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=GROUP_NAMES.values()).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_search"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
