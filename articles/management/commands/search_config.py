"""Show or refresh search's database side: PostgreSQL's `bulgarian` text search configuration (migration
0002) and the vocabulary of the articles' words (migration 0005), on PostgreSQL and SQLite.

Migration 0002 picks the ispell dictionary when Debian's hunspell-bg files are in PostgreSQL's
tsearch_data, and `unaccent` + `simple` otherwise. Installed the package later? Run
`manage.py search_config --refresh`: it maps the configuration to the dictionary (or back to the
fallback) in place, keeping its identity so running application connections are unaffected,
recomputes every article's search vector (which also moves vectors written before migration 0005 into
their rows) and rebuilds the vocabulary.

The vocabulary only grows as articles are written; `--vocabulary` rebuilds it alone (dropping words no
article uses any more), e.g. nightly. On SQLite it also recreates the triggers that keep it, which a
migration rebuilding the articles table drops (docs/search.md).
"""

from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection, transaction

CONFIG = "bulgarian"
DICTIONARY = "bulgarian_ispell"
BATCH = 1000
# Fixed statements (no interpolation); bg_bg.dict/.affix come from Debian's hunspell-bg.
CREATE_DICTIONARY = (
    "CREATE TEXT SEARCH DICTIONARY bulgarian_ispell (TEMPLATE = ispell, DictFile = bg_bg, AffFile = bg_bg)"
)
MAP_TO_DICTIONARY = (
    "ALTER TEXT SEARCH CONFIGURATION bulgarian ALTER MAPPING FOR word, hword, hword_part WITH bulgarian_ispell, simple"
)
MAP_TO_FALLBACK = (
    "ALTER TEXT SEARCH CONFIGURATION bulgarian ALTER MAPPING FOR word, hword, hword_part WITH unaccent, simple"
)


def mapping() -> list[str]:
    """The dictionaries a (non-ASCII) word passes through in the configuration, in order."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT d.dictname FROM pg_ts_config c
               JOIN pg_ts_config_map m ON m.mapcfg = c.oid JOIN pg_ts_dict d ON d.oid = m.mapdict
               WHERE c.cfgname = %s
                 AND m.maptokentype = (SELECT tokid FROM ts_token_type('default') WHERE alias = 'word')
               ORDER BY m.mapseqno""",
            [CONFIG],
        )
        return [name for (name,) in cursor.fetchall()]


def dictionary_available() -> bool:
    """True when the ispell dictionary exists or can be created from the installed files."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_ts_dict WHERE dictname = %s", [DICTIONARY])
        if cursor.fetchone():
            return True
        try:
            with transaction.atomic():
                cursor.execute(CREATE_DICTIONARY)
                cursor.execute("SELECT ts_lexize(%s, 'министрите')", [DICTIONARY])
        except DatabaseError:
            return False
        return True


# The vocabulary, rebuilt in place: rows are locked briefly, searches go on meanwhile.
REBUILD_VOCABULARY = [
    "CREATE TEMPORARY TABLE search_words_now ON COMMIT DROP AS "
    "SELECT DISTINCT articles_search_words(concat_ws(' ', translate(title, '<>', '  '), translate(lead, '<>', '  '), "
    "body)) AS word FROM articles_article",
    "DELETE FROM articles_search_word w WHERE NOT EXISTS (SELECT 1 FROM search_words_now n WHERE n.word = w.word)",
    "INSERT INTO articles_search_word (word) SELECT word FROM search_words_now ON CONFLICT DO NOTHING",
]
# SQLite: the FTS5 table whose vocabulary search reads, and its triggers (as migration 0005 creates them).
SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS articles_search_text_inserted",
    "DROP TRIGGER IF EXISTS articles_search_text_updated",
    "DROP TRIGGER IF EXISTS articles_search_text_deleted",
    """CREATE TRIGGER articles_search_text_inserted AFTER INSERT ON articles_article BEGIN
        INSERT OR REPLACE INTO articles_search_text (rowid, text)
            VALUES (new.id, new.title || ' ' || new.lead || ' ' || new.body);
    END""",
    """CREATE TRIGGER articles_search_text_updated AFTER UPDATE OF title, lead, body ON articles_article
    WHEN old.title IS NOT new.title OR old.lead IS NOT new.lead OR old.body IS NOT new.body BEGIN
        INSERT OR REPLACE INTO articles_search_text (rowid, text)
            VALUES (new.id, new.title || ' ' || new.lead || ' ' || new.body);
    END""",
    """CREATE TRIGGER articles_search_text_deleted AFTER DELETE ON articles_article BEGIN
        DELETE FROM articles_search_text WHERE rowid = old.id;
    END""",
    "DELETE FROM articles_search_text",
    "INSERT INTO articles_search_text (rowid, text) "
    "SELECT id, title || ' ' || lead || ' ' || body FROM articles_article",
]


def vocabulary_size() -> int:
    """How many distinct words the vocabulary holds."""
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM articles_search_word" if postgres else "SELECT count(*) FROM articles_search_vocab"
        )
        return cursor.fetchone()[0]


class Command(BaseCommand):
    help = (
        "Show search's configuration; --refresh remaps the dictionary, recomputes search vectors and rebuilds the "
        "vocabulary; --vocabulary rebuilds the vocabulary only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--refresh", action="store_true", help="Use the dictionary if installed; recompute.")
        parser.add_argument("--vocabulary", action="store_true", help="Rebuild the vocabulary of typo tolerance.")

    def handle(self, *args, refresh=False, vocabulary=False, **options):
        if connection.vendor == "postgresql":
            if refresh:
                self.refresh()
            if refresh or vocabulary:
                self.rebuild_vocabulary()
            self.stdout.write(f"{CONFIG}: {', '.join(mapping()) or 'missing (run migrate)'}")
        elif not self.sqlite_has_fts():
            self.stdout.write("This SQLite has no FTS5: search matches words but corrects no typos.")
            return
        elif refresh or vocabulary:
            with transaction.atomic(), connection.cursor() as cursor:
                for statement in SQLITE_TRIGGERS:
                    cursor.execute(statement)
            self.stdout.write("Rebuilt the vocabulary and its triggers.")
        self.stdout.write(f"vocabulary: {vocabulary_size()} words")

    def sqlite_has_fts(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles_search_text'")
            return cursor.fetchone() is not None

    def rebuild_vocabulary(self):
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in REBUILD_VOCABULARY:
                cursor.execute(statement)
        self.stdout.write("Rebuilt the vocabulary.")

    def refresh(self):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [CONFIG])
            if not cursor.fetchone():
                self.stderr.write("The configuration is missing: run `manage.py migrate` first.")
                return
            cursor.execute(MAP_TO_DICTIONARY if dictionary_available() else MAP_TO_FALLBACK)
        total = 0
        with connection.cursor() as cursor:
            last = 0
            while True:
                # In batches, each its own transaction: rows stay locked briefly. The trigger recomputes.
                with transaction.atomic():
                    cursor.execute(
                        "UPDATE articles_article SET title = title WHERE id IN "
                        "(SELECT id FROM articles_article WHERE id > %s ORDER BY id LIMIT %s) RETURNING id",
                        [last, BATCH],
                    )
                    ids = [row[0] for row in cursor.fetchall()]
                if not ids:
                    break
                last, total = max(ids), total + len(ids)
        self.stdout.write(f"Recomputed the search vectors of {total} articles.")
