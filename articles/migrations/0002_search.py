# Search (PostgreSQL: Bulgarian text search configuration, stored tsvector kept by triggers, GIN and
# trigram indexes) and hourly page-view counts. Everything PostgreSQL-specific is a no-op elsewhere.

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import DatabaseError, migrations, models, transaction
from django.db.migrations.operations.base import Operation

CONFIG = "bulgarian"
DICT_FILE = "bg_bg"  # bg_bg.dict + bg_bg.affix in tsearch_data, from Debian's hunspell-bg


class PostgresOnly(Operation):
    """The wrapped operation changes the model state everywhere but touches only PostgreSQL databases."""

    reversible = True

    def __init__(self, operation):
        self.operation = operation

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.operation], {})

    def state_forwards(self, app_label, state):
        self.operation.state_forwards(app_label, state)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            self.operation.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            self.operation.database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"{self.operation.describe()} (PostgreSQL only)"


def create_text_search_config(apps, schema_editor):
    """A `bulgarian` configuration: the ispell dictionary from hunspell-bg, else `unaccent` + `simple`."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [CONFIG])
        if cursor.fetchone():
            return  # created by an operator beforehand: keep theirs
        try:
            # Needs bg_bg.dict/bg_bg.affix in PostgreSQL's tsearch_data (Debian: apt-get install hunspell-bg).
            with transaction.atomic(using=connection.alias):
                cursor.execute(
                    "CREATE TEXT SEARCH DICTIONARY bulgarian_ispell "
                    f"(TEMPLATE = ispell, DictFile = {DICT_FILE}, AffFile = {DICT_FILE})"
                )
                # Loading the files is lazy: use the dictionary once so missing or broken files fail here.
                cursor.execute("SELECT ts_lexize('bulgarian_ispell', 'министрите')")
            mapping = "bulgarian_ispell, simple"
        except DatabaseError:
            mapping = "unaccent, simple"
        cursor.execute(f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = simple)")
        cursor.execute(f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} ALTER MAPPING FOR word, hword, hword_part WITH {mapping}")


def drop_text_search_config(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")
        cursor.execute("DROP TEXT SEARCH DICTIONARY IF EXISTS bulgarian_ispell")


TRIGGERS = f"""
CREATE FUNCTION articles_article_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('{CONFIG}', coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector('{CONFIG}', coalesce(NEW.lead, '')), 'B')
        || setweight(to_tsvector('{CONFIG}', coalesce((
            SELECT string_agg(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id
            WHERE at.article_id = NEW.id), '')), 'B')
        || setweight(to_tsvector('{CONFIG}', coalesce(NEW.body, '')), 'C');
    RETURN NEW;
END $$;

CREATE TRIGGER articles_article_search_vector
    BEFORE INSERT OR UPDATE OF title, lead, body ON articles_article
    FOR EACH ROW EXECUTE FUNCTION articles_article_search_vector();

-- Tags are part of the vector: adding, removing or renaming one refreshes its articles.
CREATE FUNCTION articles_article_tags_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE articles_article SET title = title WHERE id IN (SELECT article_id FROM new_rows);
    RETURN NULL;
END $$;

CREATE FUNCTION articles_article_tags_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE articles_article SET title = title WHERE id IN (SELECT article_id FROM old_rows);
    RETURN NULL;
END $$;

CREATE FUNCTION articles_tag_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE articles_article SET title = title
        WHERE id IN (SELECT article_id FROM articles_article_tags WHERE tag_id = NEW.id);
    RETURN NULL;
END $$;

CREATE TRIGGER articles_article_tags_added AFTER INSERT ON articles_article_tags
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION articles_article_tags_added();
CREATE TRIGGER articles_article_tags_removed AFTER DELETE ON articles_article_tags
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION articles_article_tags_removed();
CREATE TRIGGER articles_tag_renamed AFTER UPDATE OF name ON articles_tag
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION articles_tag_renamed();

-- Articles that existed before this migration.
UPDATE articles_article SET title = title;
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS articles_tag_renamed ON articles_tag;
DROP TRIGGER IF EXISTS articles_article_tags_removed ON articles_article_tags;
DROP TRIGGER IF EXISTS articles_article_tags_added ON articles_article_tags;
DROP TRIGGER IF EXISTS articles_article_search_vector ON articles_article;
DROP FUNCTION IF EXISTS articles_tag_renamed();
DROP FUNCTION IF EXISTS articles_article_tags_removed();
DROP FUNCTION IF EXISTS articles_article_tags_added();
DROP FUNCTION IF EXISTS articles_article_search_vector();
"""


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0001_initial"),
    ]

    operations = [
        # Both are no-ops outside PostgreSQL; both are trusted extensions (the database owner may create them).
        TrigramExtension(),
        UnaccentExtension(),
        migrations.RunPython(create_text_search_config, drop_text_search_config, elidable=False),
        migrations.AddField(
            model_name="article",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        PostgresOnly(
            migrations.AddIndex(
                model_name="article",
                index=django.contrib.postgres.indexes.GinIndex(fields=["search_vector"], name="article_search_vector"),
            )
        ),
        PostgresOnly(
            migrations.AddIndex(
                model_name="article",
                index=django.contrib.postgres.indexes.GinIndex(
                    fields=["title"], name="article_title_trgm", opclasses=["gin_trgm_ops"]
                ),
            )
        ),
        PostgresOnly(
            migrations.AddIndex(
                model_name="article",
                index=django.contrib.postgres.indexes.GinIndex(
                    fields=["lead"], name="article_lead_trgm", opclasses=["gin_trgm_ops"]
                ),
            )
        ),
        PostgresOnly(migrations.RunSQL(TRIGGERS, DROP_TRIGGERS)),
        migrations.CreateModel(
            name="ArticleViewCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("hour", models.DateTimeField(verbose_name="hour")),
                ("views", models.PositiveIntegerField(default=0, verbose_name="views")),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="view_counts",
                        to="articles.article",
                    ),
                ),
            ],
            options={
                "verbose_name": "page views",
                "verbose_name_plural": "page views",
                "indexes": [models.Index(fields=["hour", "article"], name="article_views_hour")],
                "constraints": [
                    models.UniqueConstraint(fields=("article", "hour"), name="article_views_unique_hour")
                ],
            },
        ),
    ]
