"""Show or refresh PostgreSQL's `bulgarian` text search configuration (created by migration 0002).

Migration 0002 picks the ispell dictionary when Debian's hunspell-bg files are in PostgreSQL's
tsearch_data, and `unaccent` + `simple` otherwise. Installed the package later? Run
`manage.py search_config --refresh`: it maps the configuration to the dictionary (or back to the
fallback) in place, keeping its identity so running application connections are unaffected, and
recomputes every article's search vector.
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


class Command(BaseCommand):
    help = "Show the Bulgarian text search configuration; --refresh remaps it and recomputes search vectors."

    def add_arguments(self, parser):
        parser.add_argument("--refresh", action="store_true", help="Use the dictionary if installed; recompute.")

    def handle(self, *args, refresh=False, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("Search uses case-folded matching on this database; there is nothing to configure.")
            return
        if refresh:
            self.refresh()
        self.stdout.write(f"{CONFIG}: {', '.join(mapping()) or 'missing (run migrate)'}")

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
