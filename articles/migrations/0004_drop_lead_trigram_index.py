# The lead's trigram index is not used by search (typos are matched in headlines only).

from django.db import migrations


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_lead_trgm")


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX article_lead_trgm ON articles_article USING gin (lead gin_trgm_ops)")


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0003_newsroom_roles"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveIndex(model_name="article", name="article_lead_trgm")],
            database_operations=[migrations.RunPython(drop_index, create_index)],
        ),
    ]
