"""Article search, one entry point for both databases (docs/search.md has the long version).

The reader's text is cleaned (``clean_query``: never an error, whatever the input) and parsed like a web
search (``parse_query``): words, ``"quoted phrases"``, ``-excluded`` words or phrases, ``or`` between two
items. Every word may also stand for other words (``expand``): its Cyrillic spellings when typed in Latin
letters (``articles/search_translit.py``) and, for a word no article contains, the near spellings that
articles do contain (typos), looked up in a vocabulary of the articles' words. An excluded word excludes
in every form search matches it in.

PostgreSQL: the stored ``Article.search_vector`` (a Bulgarian ispell configuration, migration 0002) is
matched with a tsquery built here: each word's dictionary forms, the prefix of its stem and its
alternatives; ranked by ``ts_rank``; headline and lead highlighted by ``ts_headline`` with the same query,
so forms found through the dictionary are marked too. The vocabulary is ``articles_search_word`` with a
trigram index (migration 0005).

Elsewhere (SQLite, the embedded default): the words' stems (or short words whole) at the start of a word
of the headline, lead or body, case-insensitively (Python regular expressions); ranked by where they
occur. The vocabulary is an FTS5 index's (migration 0005); typos are corrected by one edit.

One page of results is one statement (the matches, their number and the page, highlighted); with the
sections for the filter and the vocabulary lookup a search costs three queries whatever it finds.
"""

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Article, Section, Status
from .search_translit import cyrillic_candidates, is_latin

SEARCH_CONFIG = "bulgarian"  # created by migration 0002 (ispell from hunspell-bg, else unaccent + simple)
MAX_TERMS = 10
MIN_STEM = 4
MIN_PREFIX = 3  # shorter words match only whole: "ЕС" is not "есента"
TYPO_MIN_LENGTH = 4  # shorter words have too many neighbours one letter away
TYPO_MAX_LENGTH = 30  # longer "words" are no typos of any word (and would cost thousands of lookups)
MAX_ALTERNATIVES = 6  # other words one query word may stand for
SIMILAR_CANDIDATES = 20  # most similar vocabulary words fetched per typo (PostgreSQL), then checked by edits
MAX_PAGE = 10**6  # page numbers past this are "the last page" too
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100
HIT, END = "\x02", "\x03"  # ts_headline's marks; taken out of the text first

_SURROGATES = re.compile("[\ud800-\udfff]")
# C0/C1 controls (NUL included), zero-width characters, bidi embeddings/overrides/isolates, BOM.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_WORD = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_MARKS = re.compile(f"{HIT}([^{END}]*){END}")
# "министър" → "министри", "театър" → "театри": the ъ before a final consonant drops in other forms.
_MOBILE_ER = re.compile("^(.{3,})ъ([бвгджзклмнпрстфхцчшщ])$")
BULGARIAN_LETTERS = "абвгдежзийклмнопрстуфхцчшщъьюя"
LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# Bulgarian inflection: definite articles, plurals, adjective and a few verb endings. Longest first.
# fmt: off
_SUFFIXES = sorted((
    "ските", "ската", "ското", "ският", "ския", "овете", "евете", "ищата", "ците", "ите", "ята",
    "ът", "ят", "та", "то", "те", "ия", "ие", "ии", "ове", "еве", "ища", "ски", "ска", "ско", "ха", "ше",
    "а", "я", "о", "е", "и", "у", "ю",
), key=len, reverse=True)
# fmt: on


def clean_query(raw, max_length: int | None = None) -> str:
    """The reader's text without control, invisible or unpaired characters, spaces collapsed, capped."""
    max_length = max_length or settings.SEARCH_MAX_QUERY_LENGTH
    text = str(raw or "")[: max_length * 4]  # bound the work before normalising
    text = _SURROGATES.sub("", text)
    text = unicodedata.normalize("NFC", _INVISIBLE.sub(" ", text))
    return " ".join(text.split())[:max_length].strip()


def light_stem(word: str) -> str:
    """A Cyrillic word without its inflectional ending (“арменските” → “армен”), lower case."""
    word = word.casefold()
    if not _CYRILLIC.search(word):
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


def stems(word: str) -> list[str]:
    """What forms of ``word`` start with: its light stem, and that without a mobile “ъ”; a three-letter
    word itself (“мир” → “мирно”); nothing for shorter words, which match only whole."""
    stem = light_stem(word)
    if len(stem) < MIN_STEM:
        stem = word.casefold() if len(word) >= MIN_PREFIX else ""
    found = [stem] if stem else []
    if mobile := _MOBILE_ER.match(stem):
        found.append(mobile[1] + mobile[2])
    return found


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) from ``a`` to ``b``; ``limit + 1`` past it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before, row = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (ca != cb))
            if before is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        if min(current) > limit:
            return limit + 1
        before, row = row, current
    return min(row[-1], limit + 1)


def one_edit_away(word: str) -> set[str]:
    """Every string one edit from ``word`` in its alphabet (Bulgarian or Latin)."""
    letters = LATIN_LETTERS if is_latin(word) else BULGARIAN_LETTERS
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    found = {a + b[1:] for a, b in splits if b}
    found |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    found |= {a + c + b[1:] for a, b in splits if b for c in letters}
    found |= {a + c + b for a, b in splits for c in letters}
    found.discard(word)
    return found


def max_typos(word: str) -> int:
    """Edits a word may be away from what it stands for: none below four letters (or past any word's
    length), two from nine."""
    if not TYPO_MIN_LENGTH <= len(word) <= TYPO_MAX_LENGTH:
        return 0
    return 1 if len(word) < 9 else 2


# Parsing ----------------------------------------------------------------------------------------


@dataclass
class Term:
    """A word, or the words of a phrase, as typed (lower case), and the other words it may stand for."""

    words: tuple[str, ...]
    quoted: bool = False  # a phrase or a quoted word: matched as written, never expanded
    alternatives: list[str] = field(default_factory=list)
    used: list[str] = field(default_factory=list)  # the alternatives articles use (the page names them)
    # The text the word was typed in when it held more words ("onerror=window.__xss"): on PostgreSQL that
    # text as the text search parser reads it (a file name, a host...) also satisfies the word.
    chunk: str = ""

    @property
    def word(self) -> str:
        return " ".join(self.words)

    @property
    def expandable(self) -> bool:
        return not self.quoted and len(self.words) == 1

    def forms(self) -> list[str]:
        """The word and its alternatives; a phrase is its own single form."""
        return [self.word, *self.alternatives]


@dataclass
class ParsedQuery:
    """What a query asks for: every clause (any of its terms) and none of the excluded terms."""

    clauses: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.clauses)  # exclusions alone find nothing

    def terms(self) -> list[Term]:
        return [term for clause in self.clauses for term in clause]


def parse_query(query: str) -> ParsedQuery:
    """A cleaned query in web-search syntax: ``"a phrase"``, ``-word``, ``-"phrase"``, ``a or b``; at most
    ``MAX_TERMS`` words. Punctuation separates words; anything else is ignored, never an error."""
    parsed, budget = ParsedQuery(), MAX_TERMS
    pending_or = after_positive = False  # "or" joins the items either side of it, both sought
    for match in _TOKEN.finditer(query):
        negated, quoted, chunk = match[1] == "-", match[2], match[3]
        if chunk is not None:
            negated = chunk.startswith("-") and chunk.strip("-") != ""
            chunk = chunk.lstrip("-")
            if chunk.casefold() == "or" and not negated:
                pending_or = after_positive  # an "or" with nothing sought before it is dropped
                continue
        words = _WORD.findall((quoted if chunk is None else chunk).casefold())[:budget]
        if not words:
            continue
        budget -= len(words)
        if negated:
            parsed.excluded.append(Term(tuple(words), quoted=chunk is None or len(words) > 1))
        elif chunk is None:
            _add(parsed, Term(tuple(words), quoted=True), pending_or)
        else:
            for n, word in enumerate(words):
                # "<" and ">" as the search vector reads headlines and leads: characters, not HTML tags.
                text = chunk.casefold().replace("<", " ").replace(">", " ") if len(words) > 1 else ""
                _add(parsed, Term((word,), chunk=text), pending_or and n == 0)
        pending_or, after_positive = False, not negated
        if not budget:
            break
    return parsed


def _add(parsed: ParsedQuery, term: Term, alternative: bool) -> None:
    if any(term.words == other.words and term.quoted == other.quoted for other in parsed.terms()):
        return
    if alternative:
        parsed.clauses[-1].append(term)
    else:
        parsed.clauses.append([term])


# Alternatives: Cyrillic spellings of Latin words, corrections of typos ------------------------------


def expand(parsed: ParsedQuery) -> ParsedQuery:
    """``parsed`` with each word's alternatives (Cyrillic spellings, typo corrections) filled in.

    One vocabulary lookup for the whole query. A word articles use (as written or with an ending) is
    taken as written; one they do not is also read as the words they use a typo or two away. Excluded
    words get their Cyrillic spellings, never corrections (that would hide what the reader did not type).
    """
    plans = []  # (term, Cyrillic spellings, the word to correct or "")
    terms = [(term, True) for term in parsed.terms()] + [(term, False) for term in parsed.excluded]
    for term, positive in terms:
        if not term.expandable:
            continue
        spellings = cyrillic_candidates(term.word)
        typo = (spellings[0] if spellings else term.word) if positive else ""
        if not max_typos(typo) or typo.isdigit():
            typo = ""
        if spellings or typo:
            plans.append((term, spellings, typo))
    if not plans:
        return parsed
    words = {word for term, spellings, typo in plans for word in [term.word, *spellings, typo] if word}
    known, similar = lookup_vocabulary(sorted(words), sorted({typo for _, _, typo in plans if typo}))
    for term, spellings, typo in plans:
        found = spellings[:1] + [s for s in spellings[1:] if s in known]
        if typo and typo not in known and term.word not in known:
            found += similar.get(typo, [])
        term.alternatives = [w for w in dict.fromkeys(found) if w != term.word][:MAX_ALTERNATIVES]
        term.used = [w for w in term.alternatives if w in known or w in similar.get(typo, ())]
    return parsed


def word_forms(word: str) -> list[str]:
    """``word`` and ``word`` with each inflectional ending, for asking whether articles use it in any form."""
    return [word, *(word + suffix for suffix in _SUFFIXES)] if _CYRILLIC.search(word) else [word]


def lookup_vocabulary(words: list[str], typos: list[str]) -> tuple[set[str], dict[str, list[str]]]:
    """Which of ``words`` articles use (as written or with an ending), and for each of ``typos`` the
    nearest words they use, at most ``max_typos`` edits away (``typo_distance``), best first."""
    forms = sorted({form for word in words for form in word_forms(word)})
    lookup = _postgres_vocabulary if connection.vendor == "postgresql" else _sqlite_vocabulary
    rows = lookup(forms, typos)
    used = {word for word, _ in rows}
    known = {word for word in words if used.intersection(word_forms(word))}
    similar = {}
    for typo in typos:
        near = sorted((typo_distance(typo, word), -score, word) for word, score in set(rows) if word != typo)
        similar[typo] = [word for distance, _, word in near if distance <= max_typos(typo)][:3]
    return known, similar


def typo_distance(typo: str, word: str) -> int:
    """Edits from ``typo`` to ``word``, or between the two without their endings when fewer: “прездент” is
    one from “президентът”, “буджет” one from “бюджета” (the vocabulary holds the forms articles use)."""
    limit = max_typos(typo)
    return min(edit_distance(a, b, limit) for a in cores(typo) for b in cores(word))


def cores(word: str) -> set[str]:
    """``word`` and what is left of it without each inflectional ending it may have (three letters at least)."""
    found = {word}
    if _CYRILLIC.search(word):
        found.update(word[: -len(s)] for s in _SUFFIXES if word.endswith(s) and len(word) - len(s) >= 3)
    return found


def _postgres_vocabulary(forms: list[str], typos: list[str]) -> list[tuple[str, float]]:
    # Typos: the words sharing enough trigrams (articles_search_similar, migration 0005: a trigram
    # similarity of 0.4 or more, through the GIN index), scored by similarity; Python keeps those within
    # the edit distance. Forms asked about come back with score 1.
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT word, 1.0 FROM articles_search_word WHERE word = ANY(%s::text[])
               UNION ALL
               SELECT word, score FROM articles_search_similar(%s::text[], %s)""",
            [forms, typos, SIMILAR_CANDIDATES],
        )
        return cursor.fetchall()


def _sqlite_vocabulary(forms: list[str], typos: list[str]) -> list[tuple[str, float]]:
    # Typos: the words starting with any spelling one edit from a core of the typo (so every word whose
    # core is one edit away, see typo_distance), each a range lookup in the FTS5 vocabulary; scored by
    # how many articles use them.
    prefixes = set()
    for core in (core for typo in typos for core in cores(typo) if len(core) >= MIN_STEM):
        prefixes |= {core, *one_edit_away(core)}
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT term, doc FROM articles_search_vocab WHERE term IN (SELECT value FROM json_each(%s))
               UNION ALL
               SELECT v.term, v.doc FROM json_each(%s) AS p
               JOIN articles_search_vocab AS v ON v.term >= p.value AND v.term < p.value || char(1114111)""",
            [json.dumps(forms, ensure_ascii=False), json.dumps(sorted(prefixes), ensure_ascii=False)],
        )
        return cursor.fetchall()


# Matching and ranking ----------------------------------------------------------------------------


def _tsquery(term: Term) -> tuple[str, list]:
    """The tsquery of a term: a phrase as written; a word's dictionary forms and stem prefixes, and its
    alternatives'. Stems are letters and digits only (``_WORD``), so quoting them keeps to_tsquery safe."""
    config = f"'{SEARCH_CONFIG}'::regconfig"
    if not term.expandable:
        return f"phraseto_tsquery({config}, %s)", [term.word]
    parts, params = [], []
    for form in term.forms():
        parts.append(f"plainto_tsquery({config}, %s)")
        params.append(form)
        prefixes = " | ".join(f"'{stem}':*" for stem in stems(form) if _WORD.fullmatch(stem))
        if prefixes:
            parts.append("to_tsquery('simple', %s)")
            params.append(prefixes)
    if term.chunk:
        parts.append(f"plainto_tsquery({config}, %s)")
        params.append(term.chunk)
    return "(" + " || ".join(parts) + ")", params


_NOT_LETTER_AFTER = r"(?![^\W_])"  # words as ``_WORD`` reads them: "__xss" holds the word "xss"


def _pattern(terms: list[Term]) -> str:
    """A regular expression for the terms: stems at the start of a word, short words and phrases whole."""
    parts = set()
    for term in terms:
        if not term.expandable:
            parts.add(r"[\W_]+".join(map(re.escape, term.words)) + _NOT_LETTER_AFTER)
            continue
        for form in term.forms():
            form_stems = stems(form)
            parts.update(re.escape(stem) + r"[^\W_]*" for stem in form_stems)
            if not form_stems:
                parts.add(re.escape(form) + _NOT_LETTER_AFTER)
    return r"(?i)(?<![^\W_])(?:" + "|".join(sorted(parts, key=lambda p: (-len(p), p))) + ")"


def _postgres_match(parsed: ParsedQuery) -> tuple[str, list, str, list]:
    """The tsquery a matching article satisfies, and the one (its terms, any of them) it is ranked and
    highlighted by."""
    positive, positive_params = [], []
    for clause in parsed.clauses:
        sqls, params = zip(*map(_tsquery, clause), strict=True)
        positive.append("(" + " || ".join(sqls) + ")")
        positive_params += [p for ps in params for p in ps]
    match, match_params = list(positive), list(positive_params)
    for term in parsed.excluded:
        sql, params = _tsquery(term)
        match.append(f"!!{sql}")
        match_params += params
    # Ranked and highlighted by the terms OR'ed: ts_rank compares every pair of an AND query's items at
    # every pair of their positions (a ten-word query took 200 ms for 5,000 articles), an OR query's
    # items one by one.
    return " && ".join(match), match_params, " || ".join(positive), positive_params


_TEXT = "(a.title || ' ' || a.lead || ' ' || a.body)"


def _sqlite_match(parsed: ParsedQuery) -> tuple[str, list, str, list]:
    """The condition a matching article meets, and its rank: 4 for the headline, 2 the lead, 1 the body."""
    conditions, params, ranks, rank_params = [], [], [], []
    for clause in parsed.clauses:
        pattern = _pattern(clause)
        conditions.append(f"{_TEXT} REGEXP %s")
        params.append(pattern)
        ranks.append("(a.title REGEXP %s) * 4 + (a.lead REGEXP %s) * 2 + (a.body REGEXP %s)")
        rank_params += [pattern] * 3
    for term in parsed.excluded:
        conditions.append(f"NOT {_TEXT} REGEXP %s")
        params.append(_pattern([term]))
    return " AND ".join(conditions), params, " + ".join(ranks), rank_params


# One page of results: the matches, their number and the page's articles, in one statement.

_PAGE_SQL = """
WITH hits AS {materialized} (
    SELECT a.id, a.published_at, {rank} AS rank
    FROM articles_article a
    WHERE a.status = %s AND a.published_at <= %s {filters} AND {match}
),
total AS (SELECT count(*) AS n FROM hits),
page AS (
    SELECT id, rank FROM hits ORDER BY rank DESC, published_at DESC, id DESC
    LIMIT %s OFFSET (SELECT {least}(%s, {greatest}(n - 1, 0) / %s * %s) FROM total)
)
SELECT a.id, a.title, a.slug, a.lead, a.section_id, a.published_at, a.created_at, page.rank, total.n AS total,
       s.name AS section_name, s.slug AS section_slug{headlines}
FROM page JOIN articles_article a ON a.id = page.id JOIN articles_section s ON s.id = a.section_id, total
ORDER BY page.rank DESC, a.published_at DESC, a.id DESC
"""

_HEADLINE = (
    f"ts_headline('{SEARCH_CONFIG}'::regconfig, translate(a.{{field}}, %s, ''), {{query}}, %s) AS {{field}}_marked"
)


@dataclass
class Filters:
    section: str = ""
    start: date | None = None
    end: date | None = None

    def sql(self) -> tuple[str, list]:
        sql, params = "", []
        if self.section:
            sql += " AND a.section_id IN (SELECT id FROM articles_section WHERE slug = %s)"
            params.append(self.section)
        if self.start:
            sql += " AND a.published_at >= %s"
            params.append(_day_start(self.start))
        if self.end:
            sql += " AND a.published_at < %s"
            params.append(_day_start(self.end + timedelta(days=1)))
        return sql, params


def find(parsed: ParsedQuery, filters: Filters, *, page: int = 1, per_page: int = 20) -> tuple[list[Article], int]:
    """One page of the published articles matching an expanded query, best first, and how many match.

    A ``page`` past the last (or below 1) gives the last page, as ``Paginator.get_page`` does. Each
    article has ``rank``, and ``title_parts``/``lead_parts`` for highlighting (see ``highlight``).
    """
    if not parsed:
        return [], 0
    offset = (min(page, MAX_PAGE) - 1) * per_page if page >= 1 else MAX_PAGE * per_page
    filters_sql, filters_params = filters.sql()
    postgres = connection.vendor == "postgresql"
    if postgres:
        match, match_params, positive, positive_params = _postgres_match(parsed)
        options = f"HighlightAll=true, StartSel={HIT}, StopSel={END}"
        sql = _PAGE_SQL.format(
            materialized="MATERIALIZED",
            rank=f"ts_rank(a.search_vector, {positive})",
            filters=filters_sql,
            # A query whose words all come to no lexeme would be its exclusions alone: it finds nothing.
            match=f"a.search_vector @@ ({match}) AND numnode({positive}) > 0",
            least="LEAST",
            greatest="GREATEST",
            headlines="".join(", " + _HEADLINE.format(field=name, query=positive) for name in ("title", "lead")),
        )
        match_params += positive_params
        rank_params, headline_params = positive_params, [HIT + END, *positive_params, options] * 2
    else:
        match, match_params, rank, rank_params = _sqlite_match(parsed)
        sql = _PAGE_SQL.format(
            materialized="", rank=rank, filters=filters_sql, match=match, least="min", greatest="max", headlines=""
        )
        headline_params = []
    page_params = [per_page, offset, per_page, per_page]
    params = [*rank_params, Status.PUBLISHED, timezone.now(), *filters_params, *match_params, *page_params]
    params += headline_params
    # Only values go as parameters; the text is this module's fragments and placeholders, whatever was typed.
    # covered by tests/articles/test_search.py::test_any_search_term_gives_a_page_never_an_error
    articles = list(Article.objects.raw(sql, params))
    pattern = None if postgres else re.compile(_pattern(parsed.terms()))
    for article in articles:
        article.section = Section.from_db(
            connection.alias, ["id", "name", "slug"], [article.section_id, article.section_name, article.section_slug]
        )
        if postgres:
            article.title_parts = marked(article.title_marked)
            article.lead_parts = marked(article.lead_marked)
        else:
            article.title_parts = highlight(article.title, pattern)
            article.lead_parts = highlight(article.lead, pattern)
    return articles, articles[0].total if articles else 0


def search_articles(
    query: str, *, section: str = "", start: date | None = None, end: date | None = None, limit: int = 100
) -> list[Article]:
    """The first ``limit`` published articles matching a cleaned ``query``, best first."""
    return find(expand(parse_query(query)), Filters(section, start, end), per_page=limit)[0]


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# Highlighting -----------------------------------------------------------------------------------


def marked(text: str | None) -> list[tuple[str, bool]]:
    """``ts_headline``'s output cut into ``(piece, is_match)`` pairs at its marks."""
    if not text:
        return []
    pieces, pos = [], 0
    for match in _MARKS.finditer(text):
        if match.start() > pos:
            pieces.append((text[pos : match.start()], False))
        pieces.append((match[1], True))
        pos = match.end()
    if pos < len(text):
        pieces.append((text[pos:], False))
    return [(piece.replace(HIT, "").replace(END, ""), is_match) for piece, is_match in pieces if piece]


def highlight(text: str, pattern: re.Pattern | None) -> list[tuple[str, bool]]:
    """``text`` cut into ``(piece, is_match)`` pairs; the template escapes each piece and marks matches."""
    if not text:
        return []
    if pattern is None:
        return [(text, False)]
    pieces, pos = [], 0
    for match in pattern.finditer(text):
        if match.start() > pos:
            pieces.append((text[pos : match.start()], False))
        pieces.append((match.group(), True))
        pos = match.end()
    if pos < len(text):
        pieces.append((text[pos:], False))
    return pieces


def highlight_pattern(query: str) -> re.Pattern | None:
    """A regex matching the words a result is highlighted for (SQLite): stems of long words, short words whole."""
    parsed = parse_query(query)
    return re.compile(_pattern(parsed.terms())) if parsed else None


# The search page --------------------------------------------------------------------------------


class SearchForm(forms.Form):
    """The search page's filters. Invalid filters are dropped with a notice; the query is never refused."""

    q = forms.CharField(label=gettext_lazy("Search for"), required=False, widget=forms.SearchInput)
    section = forms.ChoiceField(label=gettext_lazy("Section"), required=False)
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, sections=(), **kwargs):
        kwargs.setdefault("auto_id", "search-%s")
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [("", _("All sections")), *sections]
        self.fields["q"].widget.attrs["maxlength"] = settings.SEARCH_MAX_QUERY_LENGTH

    def _clean_date(self, name):
        value = self.cleaned_data.get(name)
        if value and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise forms.ValidationError(_("Enter a valid date."), code="invalid")
        return value

    def clean_date_from(self):
        return self._clean_date("date_from")

    def clean_date_to(self):
        return self._clean_date("date_to")

    def clean_q(self):
        return clean_query(self.cleaned_data.get("q"))


@dataclass
class SearchResults:
    form: SearchForm
    query: str = ""
    page_obj: object = None
    notices: list[str] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)  # words articles use searched for too


class _Found:
    """What the paginator pages through: the ``total`` matches, of which one page has been fetched."""

    def __init__(self, total: int, page: list):
        self.total, self.page = total, page

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, key):
        return self.page


def page_number(raw) -> int:
    """The page asked for as ``Paginator.get_page`` reads it: 1 when not a number, 0 (the last) below 1."""
    try:
        number = int(str(raw)) if raw is not None else 1
    except ValueError:
        return 1
    return number if number >= 1 else 0


def run_search(params) -> SearchResults:
    """Search for the GET ``params`` of the search page: the query, filters, a page of highlighted results."""
    # QueryDict values may carry anything; the form sees cleaned strings only.
    data = {key: clean_query(params.get(key), max_length=80) for key in ("section", "date_from", "date_to")}
    data["q"] = clean_query(params.get("q"))
    sections = list(Section.objects.values_list("slug", "name"))
    form = SearchForm(data, sections=sections)
    form.is_valid()
    results = SearchResults(form=form)
    notices = {
        "section": _("Unknown section: showing results from all sections."),
        "date_from": _("The start date is not a valid date and was ignored."),
        "date_to": _("The end date is not a valid date and was ignored."),
    }
    results.notices = [notices[name] for name in notices if name in form.errors]
    # An ignored filter is shown empty: the form says what was searched, and a date input gets a date.
    form.data = {**data, **dict.fromkeys(set(form.errors) & set(notices), "")}
    cleaned = form.cleaned_data
    results.query = cleaned.get("q", "")
    start, end = cleaned.get("date_from"), cleaned.get("date_to")
    if start and end and start > end:
        start, end = end, start
    if not results.query:
        return results
    per_page = settings.SEARCH_RESULTS_PER_PAGE
    number = page_number(clean_query(params.get("page"), max_length=20) or None)
    parsed = parse_query(results.query)
    if parsed:
        expand(parsed)
        results.alternatives = list(dict.fromkeys(word for term in parsed.terms() for word in term.used))
    articles, total = find(parsed, Filters(cleaned.get("section", ""), start, end), page=number, per_page=per_page)
    paginator = Paginator(_Found(total, articles), per_page)
    results.page_obj = paginator.get_page(min(number, MAX_PAGE) or paginator.num_pages)
    return results
