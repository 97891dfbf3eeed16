"""Article search, one entry point for both databases.

PostgreSQL: the stored ``Article.search_vector`` (a Bulgarian ispell configuration, see migration
0002) is matched with web-search syntax (quotes, ``-word``, ``or``), OR'ed with prefix matches of
lightly stemmed words, plus ``pg_trgm`` word similarity on the headline for typos. Ranked by
``ts_rank`` plus the headline's similarity.

Elsewhere (SQLite, the embedded default): every word, lightly stemmed, must occur case-folded in the
headline, lead or body; ranked by where it occurs.

Whatever the reader types is first cleaned by ``clean_query``: never an error, whatever the input.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django import forms
from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.core.paginator import Paginator
from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import Case, F, Func, Q, TextField, Value, When
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Article, Section

SEARCH_CONFIG = "bulgarian"  # created by migration 0002 (ispell from hunspell-bg, else unaccent + simple)
MAX_TERMS = 10
MIN_STEM = 4
TRIGRAM_MIN_LENGTH = 4  # shorter queries match too many words by similarity
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100

_SURROGATES = re.compile("[\ud800-\udfff]")
# C0/C1 controls (NUL included), zero-width characters, bidi embeddings/overrides/isolates, BOM.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_WORD = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
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


def query_terms(query: str) -> list[str]:
    """The distinct words of a cleaned query, lower case, at most ``MAX_TERMS``."""
    terms: list[str] = []
    for word in _WORD.findall(query.casefold()):
        if word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def highlight_pattern(terms: list[str]) -> re.Pattern | None:
    """A regex matching the words a result is highlighted for: word forms of long terms, short terms whole."""
    parts = set()
    for term in terms:
        stem = light_stem(term)
        if len(stem) >= MIN_STEM:
            parts.add(re.escape(stem) + r"\w*")
        else:
            parts.add(re.escape(term) + r"(?!\w)")
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(sorted(parts, key=len, reverse=True)) + ")", re.IGNORECASE)


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


class CaseFold(Func):
    """Unicode case folding in SQLite, whose lower() and LIKE fold ASCII only."""

    function = "vestnik_casefold"
    output_field = TextField()


def _casefold(value):
    return value.casefold() if isinstance(value, str) else value


@receiver(connection_created)
def register_sqlite_functions(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function("vestnik_casefold", 1, _casefold, deterministic=True)


def _postgres_search(articles, query: str, terms: list[str]):
    ts_query = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
    stems = [s for s in dict.fromkeys(light_stem(t) for t in terms) if len(s) >= MIN_STEM]
    if stems:
        # Word forms the dictionary does not know, and typos past the stem. Stems are letters and
        # digits only (``_WORD``), so quoting them keeps to_tsquery's syntax safe.
        prefixes = " & ".join(f"'{stem}':*" for stem in stems)
        ts_query |= SearchQuery(prefixes, config="simple", search_type="raw")
    matches = Article.objects.filter(search_vector=ts_query).values("pk").order_by()
    rank = SearchRank(F("search_vector"), ts_query)
    if len(query) >= TRIGRAM_MIN_LENGTH:
        # A UNION, not an OR in one WHERE: each branch then uses its own GIN index, where an OR
        # made PostgreSQL scan the table (it cannot tell how costly @@ and %> are per row).
        similar = Article.objects.filter(title__trigram_word_similar=query).values("pk").order_by()
        matches = matches.union(similar)
        rank = rank + TrigramWordSimilarity(query, "title")
    return articles.filter(pk__in=matches).annotate(rank=rank)


def _simple_search(articles, terms: list[str]):
    articles = articles.annotate(
        folded_title=CaseFold("title"), folded_lead=CaseFold("lead"), folded_body=CaseFold("body")
    )
    rank = Value(0)
    for stem in dict.fromkeys(light_stem(t) for t in terms):
        articles = articles.filter(
            Q(folded_title__contains=stem) | Q(folded_lead__contains=stem) | Q(folded_body__contains=stem)
        )
        for name, weight in (("folded_title", 4), ("folded_lead", 2), ("folded_body", 1)):
            rank += Case(When(**{f"{name}__contains": stem}, then=Value(weight)), default=Value(0))
    return articles.annotate(rank=rank)


def search_articles(query: str, *, section: str = "", start: date | None = None, end: date | None = None):
    """Published articles matching a cleaned ``query``, best first, each with a ``rank``."""
    articles = Article.objects.published().for_listing()
    if section:
        articles = articles.filter(section__slug=section)
    if start:
        articles = articles.filter(published_at__gte=_day_start(start))
    if end:
        articles = articles.filter(published_at__lt=_day_start(end + timedelta(days=1)))
    terms = query_terms(query)
    if not terms:
        return articles.none()
    if connection.vendor == "postgresql":
        articles = _postgres_search(articles, query, terms)
    else:
        articles = _simple_search(articles, terms)
    return articles.order_by("-rank", "-published_at", "-pk")


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


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
    articles = search_articles(results.query, section=cleaned.get("section", ""), start=start, end=end)
    page = Paginator(articles, settings.SEARCH_RESULTS_PER_PAGE).get_page(params.get("page"))
    pattern = highlight_pattern(query_terms(results.query))
    for article in page.object_list:
        article.title_parts = highlight(article.title, pattern)
        article.lead_parts = highlight(article.lead, pattern)
    results.page_obj = page
    return results
