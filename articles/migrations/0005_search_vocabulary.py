# Search: a vocabulary of the words articles use, for typo tolerance and Latin-letter queries (articles/search.py,
# docs/search.md), kept by triggers; the stored search vector kept in the row where it fits, and its headline, lead
# and tags read as plain text.
#
# PostgreSQL: `articles_search_word` (one row a word, lower case) with a trigram index and a lookup function.
#   Existing vectors move into their rows when next written: `manage.py search_config --refresh` rewrites them
#   all, in batches.
# SQLite: an FTS5 table of each article's text and its `fts5vocab` view `articles_search_vocab`; without FTS5, an
#   empty table of that name (search then corrects no typos).
# The statements are repeated in articles/management/commands/search_config.py, which recreates and refreshes them.

from django.db import DatabaseError, migrations, transaction

# Headline, lead and tag names are plain text: "<" and ">" in them are characters, not the HTML tags the text
# search parser would drop with every word between them (a headline quoting "<img onerror=...>").
SEARCH_VECTOR = """
CREATE OR REPLACE FUNCTION articles_article_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('bulgarian', translate(coalesce(NEW.title, ''), '<>', '  ')), 'A')
        || setweight(to_tsvector('bulgarian', translate(coalesce(NEW.lead, ''), '<>', '  ')), 'B')
        || setweight(to_tsvector('bulgarian', translate(coalesce((
            SELECT string_agg(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id
            WHERE at.article_id = NEW.id), ''), '<>', '  ')), 'B')
        || setweight(to_tsvector('bulgarian', coalesce(NEW.body, '')), 'C');
    RETURN NEW;
END $$;

UPDATE articles_article SET title = title WHERE title ~ '[<>]' OR lead ~ '[<>]';
"""

SEARCH_VECTOR_REVERSE = """
CREATE OR REPLACE FUNCTION articles_article_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('bulgarian', coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector('bulgarian', coalesce(NEW.lead, '')), 'B')
        || setweight(to_tsvector('bulgarian', coalesce((
            SELECT string_agg(t.name, ' ') FROM articles_article_tags at JOIN articles_tag t ON t.id = at.tag_id
            WHERE at.article_id = NEW.id), '')), 'B')
        || setweight(to_tsvector('bulgarian', coalesce(NEW.body, '')), 'C');
    RETURN NEW;
END $$;
"""

POSTGRES = """
-- ts_rank reads the whole vector of every match: out of line (TOAST) that is a second lookup and copy per row,
-- about half of a search's time for a word most articles contain.
ALTER TABLE articles_article ALTER COLUMN search_vector SET STORAGE MAIN;

CREATE TABLE articles_search_word (word text PRIMARY KEY);
CREATE INDEX articles_search_word_trgm ON articles_search_word USING gin (word gin_trgm_ops);

-- The words most similar to each typo. The threshold is the function's own: at pg_trgm's default (0.3) a
-- lookup in 200,000 words took 1.6 ms (p90 4.5 ms), at 0.4 0.9 ms (p90 1.9 ms), for the same recall of
-- one-letter typos of words of five letters and more (98.7 %).
CREATE FUNCTION articles_search_similar(typos text[], per_typo integer)
    RETURNS TABLE (word text, score real) LANGUAGE sql STABLE
    SET pg_trgm.similarity_threshold = 0.4
AS $$
    SELECT near.word, near.score FROM unnest(typos) AS typo(word) CROSS JOIN LATERAL (
        SELECT w.word, similarity(w.word, typo.word) AS score FROM articles_search_word w
        WHERE w.word % typo.word ORDER BY score DESC, w.word LIMIT per_typo
    ) near
$$;

-- Words of letters (tokens asciiword, word, hword_part, hword_asciipart), lower case; HTML tags are not words.
CREATE FUNCTION articles_search_words(doc text) RETURNS SETOF text LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT DISTINCT lower(token) FROM ts_parse('default', doc)
    WHERE tokid IN (1, 2, 10, 11) AND char_length(token) BETWEEN 2 AND 40
$$;

CREATE FUNCTION articles_search_word_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO articles_search_word (word)
        SELECT articles_search_words(concat_ws(' ', translate(NEW.title, '<>', '  '), translate(NEW.lead, '<>', '  '),
                                               NEW.body))
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER articles_search_word_inserted AFTER INSERT ON articles_article
    FOR EACH ROW EXECUTE FUNCTION articles_search_word_add();
CREATE TRIGGER articles_search_word_updated AFTER UPDATE OF title, lead, body ON articles_article
    FOR EACH ROW
    WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.lead IS DISTINCT FROM NEW.lead
          OR OLD.body IS DISTINCT FROM NEW.body)
    EXECUTE FUNCTION articles_search_word_add();

INSERT INTO articles_search_word (word)
    SELECT DISTINCT articles_search_words(
        concat_ws(' ', translate(title, '<>', '  '), translate(lead, '<>', '  '), body)
    ) FROM articles_article
    ON CONFLICT DO NOTHING;
"""

POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS articles_search_word_updated ON articles_article;
DROP TRIGGER IF EXISTS articles_search_word_inserted ON articles_article;
DROP FUNCTION IF EXISTS articles_search_word_add();
DROP FUNCTION IF EXISTS articles_search_words(text);
DROP FUNCTION IF EXISTS articles_search_similar(text[], integer);
DROP TABLE IF EXISTS articles_search_word;
ALTER TABLE articles_article ALTER COLUMN search_vector SET STORAGE EXTENDED;
"""

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE articles_search_text USING fts5(text, tokenize = 'unicode61 remove_diacritics 0', "
    "detail = none)",
    "CREATE VIRTUAL TABLE articles_search_vocab USING fts5vocab(articles_search_text, 'row')",
]
SQLITE_TRIGGERS = [
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
    "INSERT INTO articles_search_text (rowid, text) "
    "SELECT id, title || ' ' || lead || ' ' || body FROM articles_article",
]
SQLITE_WITHOUT_FTS = "CREATE TABLE articles_search_vocab (term text PRIMARY KEY, doc integer NOT NULL)"
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS articles_search_text_inserted",
    "DROP TRIGGER IF EXISTS articles_search_text_updated",
    "DROP TRIGGER IF EXISTS articles_search_text_deleted",
    "DROP TABLE IF EXISTS articles_search_vocab",
    "DROP TABLE IF EXISTS articles_search_text",
]


def create_vocabulary(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        for statement in connection.ops.prepare_sql_script(POSTGRES + SEARCH_VECTOR):
            schema_editor.execute(statement, params=None)
    elif connection.vendor == "sqlite":
        try:
            with transaction.atomic(using=connection.alias):
                for statement in SQLITE_FTS:
                    schema_editor.execute(statement, params=None)
        except DatabaseError:  # SQLite built without FTS5
            schema_editor.execute(SQLITE_WITHOUT_FTS, params=None)
            return
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement, params=None)


def drop_vocabulary(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        for statement in connection.ops.prepare_sql_script(SEARCH_VECTOR_REVERSE + POSTGRES_REVERSE):
            schema_editor.execute(statement, params=None)
    elif connection.vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_drop_lead_trigram_index"),
    ]

    operations = [
        migrations.RunPython(create_vocabulary, drop_vocabulary, elidable=False),
    ]
