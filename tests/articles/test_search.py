import importlib
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.search import (
    clean_query,
    cores,
    edit_distance,
    highlight,
    highlight_pattern,
    light_stem,
    marked,
    parse_query,
    search_articles,
    stems,
    typo_distance,
)
from articles.search_translit import cyrillic_candidates
from tests.factories import ArticleFactory, SectionFactory, TagFactory

pytestmark = pytest.mark.django_db

SEARCH = "/search/"

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


# Pure helpers.


def test_clean_query_drops_control_invisible_and_unpaired_characters():
    assert clean_query("a\x00b\u202ec\ud800d\u200be\x1b[31m") == "a b cd e [31m"


def test_clean_query_collapses_spaces_and_caps_the_length():
    assert clean_query("  Армения \t\n  мир  ") == "Армения мир"
    assert len(clean_query("я" * 5000)) == 200
    assert clean_query(None) == "" and clean_query("\x00\x01") == ""


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("Армения", "армен"),
        ("арменските", "армен"),
        ("Арменя", "армен"),
        ("министрите", "министр"),
        ("София", "софи"),
        ("ЕС", "ес"),
        ("Armenia", "armenia"),
    ],
)
def test_light_stem_removes_bulgarian_endings(word, stem):
    assert light_stem(word) == stem


def _read(parsed):
    """A parsed query as plain data: clauses of terms (quoted terms in quotes), then the excluded terms."""

    def show(term):
        return f'"{term.word}"' if term.quoted else term.word

    return [[show(t) for t in clause] for clause in parsed.clauses], [show(t) for t in parsed.excluded]


def test_parse_query_reads_phrases_exclusions_and_or():
    assert _read(parse_query('"Армения" -война OR армения & 2025 😀')) == (
        [['"армения"'], ["армения"], ["2025"]],
        ["война"],
    )
    assert _read(parse_query('Армения OR Азербайджан -"мирно споразумение" --дъжд')) == (
        [["армения", "азербайджан"]],
        ['"мирно споразумение"', "дъжд"],
    )
    assert _read(parse_query("or мир or")) == ([["мир"]], [])
    assert _read(parse_query("-дъжд or мир")) == ([["мир"]], ["дъжд"])


def test_parse_query_caps_the_words_and_ignores_what_is_not_a_word():
    assert sum(len(t.words) for t in parse_query(" ".join(f"дума{n}" for n in range(50))).terms()) == 10
    for query in ("", "-", '"', "- -- ---", "!", ":*", "&", "😀"):
        assert not parse_query(query)
    assert not parse_query("-дъжд")  # exclusions alone find nothing


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("министър", ["министър", "министр"]),
        ("театъра", ["театър", "театр"]),
        ("армения", ["армен"]),
        ("мир", ["мир"]),
        ("ес", []),
    ],
)
def test_stems_include_the_form_without_the_mobile_er(word, expected):
    assert stems(word) == expected


def test_edit_distance_counts_insertions_deletions_substitutions_and_swaps():
    assert edit_distance("прездент", "президент") == 1
    assert edit_distance("прзеидент", "президент") == 1
    assert edit_distance("буджет", "бюджет") == 1
    assert edit_distance("абв", "абв") == 0
    assert edit_distance("министър", "футбол") == 3  # stops counting past the limit


def test_typo_distance_compares_words_without_their_endings():
    assert "президент" in cores("президентът")
    assert typo_distance("прездент", "президентът") == 1
    assert typo_distance("буджет", "бюджета") == 1
    assert typo_distance("министър", "министрите") == 1


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("byudzhet", "бюджет"),
        ("parlament", "парламент"),
        ("balgaria", "българия"),
        ("bulgaria", "българия"),
        ("shtastie", "щастие"),
        ("pyrvi", "първи"),
        ("tsena", "цена"),
        ("Armenia", "армения"),
        ("yunak", "юнак"),
        ("yabalka", "ябълка"),
    ],
)
def test_latin_words_get_their_cyrillic_spellings(latin, cyrillic):
    assert cyrillic in cyrillic_candidates(latin)


def test_only_latin_words_get_cyrillic_spellings():
    assert cyrillic_candidates("бюджет") == [] and cyrillic_candidates("2025") == []
    assert cyrillic_candidates("budzhet")[0] == "буджет"  # the most likely spelling first; search corrects it
    assert len(cyrillic_candidates("abakadabaka")) <= 24


def test_highlight_marks_word_forms_of_long_terms():
    pattern = highlight_pattern("армения")
    assert highlight("Армения и арменските власти", pattern) == [
        ("Армения", True),
        (" и ", False),
        ("арменските", True),
        (" власти", False),
    ]


def test_highlight_marks_short_terms_only_as_whole_words():
    assert highlight("ЕС и есента", highlight_pattern("ес")) == [("ЕС", True), (" и есента", False)]


def test_highlight_marks_forms_with_a_mobile_er():
    assert highlight("Заместник-министрите", highlight_pattern("министър")) == [
        ("Заместник-", False),
        ("министрите", True),
    ]


def test_marked_reads_the_marks_of_ts_headline():
    assert marked("Заместник-\x02министрите\x03 и \x02бюджета\x03") == [
        ("Заместник-", False),
        ("министрите", True),
        (" и ", False),
        ("бюджета", True),
    ]
    assert marked("") == [] and marked(None) == []


def test_highlight_without_terms_returns_the_text_unmarked():
    assert highlight("Текст", None) == [("Текст", False)]
    assert highlight("", highlight_pattern("дума")) == []
    assert highlight_pattern("-дума") is None


# The search page, on whichever database runs the suite.


@pytest.fixture
def armenia():
    return ArticleFactory(
        title="Армения и Азербайджан подписаха мирно споразумение",
        lead="Арменският премиер обяви края на конфликта в Нагорни Карабах.",
        body="<p>Документът беше подписан във Вашингтон.</p>",
        published_at=timezone.now() - timedelta(hours=3),
    )


@pytest.fixture
def unrelated():
    return ArticleFactory(
        title="Бюджетът за 2026 година беше приет",
        lead="Депутатите гласуваха на второ четене.",
        body="<p>Министрите на финансите коментираха.</p>",
    )


def results(response):
    return list(response.context["search"].page_obj.object_list)


@pytest.mark.parametrize("query", ["Армения", "арменските", "армения мир", "АРМЕНИЯ"])
def test_search_finds_the_story_by_word_forms(client, armenia, unrelated, query):
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    assert results(response) == [armenia]


def test_search_highlights_matches_in_headline_and_lead_with_mark(client, armenia):
    html = client.get(SEARCH, {"q": "арменските"}).content.decode()
    assert "<mark>Армения</mark> и Азербайджан" in html
    assert "<mark>Арменският</mark> премиер" in html
    assert "1 резултат за „арменските“" in html


def test_search_escapes_headlines_and_the_query(client):
    ArticleFactory(title="<script>alert(1)</script> Армения", lead="<img src=x onerror=alert(1)> Армения")
    html = client.get(SEARCH, {"q": "Армения"}).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Армения</mark>" in html
    html = client.get(SEARCH, {"q": "<script>alert(2)</script>"}).content.decode()
    assert "<script>alert(2)" not in html and "&lt;script&gt;alert(2)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    "query",
    ["<img src=x onerror=window.__xss=1>", "onerror=window.__xss=1", "заглавие <script>window.__xss=1</script>"],
)
def test_headline_and_lead_text_that_looks_like_html_is_searched_as_text(client, query):
    article = ArticleFactory(title="Опасно <img src=x onerror=window.__xss=1> заглавие", lead="<script>x=1</script>")
    ArticleFactory(title="Друго заглавие", lead="Без скриптове.")
    assert results(client.get(SEARCH, {"q": query})) == [article]


def test_headline_matches_rank_above_body_matches(client):
    in_body = ArticleFactory(title="Новина за времето", lead="Слънчево.", body="<p>Споменава Армения.</p>")
    in_title = ArticleFactory(
        title="Армения избра президент", lead="Изборите минаха.", published_at=timezone.now() - timedelta(days=3)
    )
    assert results(client.get(SEARCH, {"q": "Армения"})) == [in_title, in_body]


def test_search_skips_drafts_and_scheduled_articles(client):
    ArticleFactory(title="Армения чернова", draft=True)
    ArticleFactory(title="Армения по-късно", scheduled=True)
    assert results(client.get(SEARCH, {"q": "Армения"})) == []


def test_search_filters_by_section(client):
    sport, world = SectionFactory(name="Спорт", slug="sport"), SectionFactory(name="Свят", slug="svyat")
    ArticleFactory(title="Армения спечели мача", section=sport)
    in_world = ArticleFactory(title="Армения и ЕС", section=world)
    assert results(client.get(SEARCH, {"q": "Армения", "section": "svyat"})) == [in_world]


def test_search_filters_by_date_range_in_sofia_time(client):
    early = ArticleFactory(title="Армения през ноември", published_at=datetime(2025, 11, 30, 21, 30, tzinfo=UTC))
    # 00:30 on 1 December in Sofia is still 30 November in UTC.
    december = ArticleFactory(title="Армения през декември", published_at=datetime(2025, 11, 30, 22, 30, tzinfo=UTC))
    response = client.get(SEARCH, {"q": "Армения", "date_from": "2025-12-01", "date_to": "2025-12-01"})
    assert results(response) == [december]
    response = client.get(SEARCH, {"q": "Армения", "date_to": "2025-11-30"})
    assert results(response) == [early]


def test_reversed_date_range_is_swapped(client):
    article = ArticleFactory(title="Армения", published_at=datetime(2025, 6, 10, 12, 0, tzinfo=UTC))
    response = client.get(SEARCH, {"q": "Армения", "date_from": "2025-06-30", "date_to": "2025-06-01"})
    assert results(response) == [article]


@pytest.mark.parametrize(
    ("params", "notice"),
    [
        ({"date_from": "31.02.2025"}, "Началната дата не е валидна"),
        ({"date_to": "2025-13-45"}, "Крайната дата не е валидна"),
        ({"date_from": "99999-01-01"}, "Началната дата не е валидна"),
        ({"date_from": "0001-01-01"}, "Началната дата не е валидна"),
        ({"date_to": "9999-12-31"}, "Крайната дата не е валидна"),
        ({"section": "nyama-takav"}, "Непознат раздел"),
    ],
)
def test_invalid_filters_are_ignored_with_a_notice(client, armenia, params, notice):
    response = client.get(SEARCH, {"q": "Армения", **params})
    assert response.status_code == 200
    assert results(response) == [armenia]
    html = response.content.decode()
    assert 'class="search-notice"' in html and notice in html
    for value in params.values():
        assert f'value="{value}"' not in html  # the ignored filter is not echoed into the form


def test_search_paginates_and_tolerates_bad_page_numbers(client):
    for n in range(25):
        ArticleFactory(title=f"Армения новина {n}", published_at=timezone.now() - timedelta(minutes=n + 1))
    first = client.get(SEARCH, {"q": "Армения"})
    second = client.get(SEARCH, {"q": "Армения", "page": "2"})
    assert len(results(first)) == 20 and len(results(second)) == 5
    assert not set(results(first)) & set(results(second))
    assert 'rel="next"' in first.content.decode()
    for page in ("abc", "0", "-1", "999999", "9" * 40):
        assert client.get(SEARCH, {"q": "Армения", "page": page}).status_code == 200


def test_empty_query_shows_the_form_only(client, armenia):
    response = client.get(SEARCH)
    assert response.status_code == 200
    assert response.context["search"].page_obj is None
    assert 'id="search-q"' in response.content.decode()


def test_search_pages_are_not_indexed(client):
    assert '<meta name="robots" content="noindex, follow">' in client.get(SEARCH, {"q": "x"}).content.decode()


HOSTILE = [
    '"Армения',
    '"мирно споразумение"',
    "Армения OR Азербайджан -война",
    "a & b | !c <-> d:* (e",
    "'; DROP TABLE articles_article; --",
    "%_\\",
    "Ѝ ѝ Ё ё й",
    "Armenia peace treaty",
    "😀🇧🇬👩‍👩‍👧",
    "а\x00б",
    "\x00",
    "\u202eАрмения\u202c",
    "Армения " * 200,
    "x" * 1500,
    "<script>alert(1)</script>",
    "*",
    ":*",
    "!",
    "-",
    "&",
    "ab",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_any_search_term_gives_a_page_never_an_error(client, armenia, query):
    response = client.get(SEARCH, {"q": query, "section": query, "date_from": query, "date_to": query})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "raw",
    [
        "q=%ED%A0%80",  # a lone surrogate, UTF-8 encoded
        "q=%FF%FE%00",  # not UTF-8 at all
        "q=%C0%AF",  # overlong encoding
        "q=a&q=b&q[]=c",
        "q=" + "%D1%8F" * 3000,
        "section[]=x&date_from[]=1",
    ],
)
def test_undecodable_and_repeated_parameters_give_a_page(client, raw):
    assert client.get(f"{SEARCH}?{raw}").status_code == 200


def test_search_query_budget(client, django_assert_max_num_queries):
    sections = SectionFactory.create_batch(3)
    for n in range(30):
        ArticleFactory(title=f"Армения новина {n}", section=sections[n % 3], tags=TagFactory.create_batch(2))
    client.get("/")  # warm the navigation cache
    # Sections for the filter, the count, the page of results.
    with django_assert_max_num_queries(3):
        response = client.get(SEARCH, {"q": "Армения", "page": "2"})
    assert len(results(response)) == 10


def test_header_search_form_is_on_every_page(client, armenia):
    pages = ["/", armenia.get_absolute_url(), armenia.section.get_absolute_url(), "/archive/", SEARCH, "/nyama/x/"]
    for url in pages:
        html = client.get(url).content.decode()
        # Labelled, so that it stays a distinct landmark beside the search page's own form (axe: landmark-unique).
        assert (
            '<form class="site-search" role="search" aria-label="Търсене в сайта" action="/search/" method="get">'
            in html
        ), url
        assert '<label class="visually-hidden" for="site-search-q">' in html, url


def test_search_url_is_reserved_against_section_slugs():
    assert reverse("articles:search") == SEARCH


# Exclusions, typos, highlighting of dictionary forms, queries in Latin letters: on either database.


def vocabulary(word):
    """``[word]`` when the typo vocabulary holds it, else ``[]``."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT word FROM articles_search_word WHERE word = %s", [word])
        else:
            cursor.execute("SELECT term FROM articles_search_vocab WHERE term = %s", [word])
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def dobrudzha():
    rain = ArticleFactory(
        title="Добруджа под дъжд",
        lead="Дъждът спря жътвата в Добруджа.",
        body="<p>Силен дъжд валя цял ден над Добруджа.</p>",
        published_at=timezone.now() - timedelta(hours=2),
    )
    rain_in_body = ArticleFactory(
        title="Добруджа: прибиране на реколтата",
        lead="Комбайните в Добруджа работят денонощно.",
        body="<p>Дъждовете от миналата седмица забавиха работата.</p>",
        published_at=timezone.now() - timedelta(hours=3),
    )
    harvest = ArticleFactory(
        title="Добруджа прибра рекордна реколта",
        lead="Зърнопроизводителите са доволни.",
        body="<p>Слънчево и сухо време през цялото лято.</p>",
        published_at=timezone.now() - timedelta(hours=4),
    )
    return rain, rain_in_body, harvest


@pytest.mark.parametrize(
    "query", ["Добруджа -дъжд", "добруджанските -дъждът", "Добруджа -дъжд -градушка", "Добруджа -dazhd"]
)
def test_an_excluded_word_excludes_in_every_form_and_field(client, dobrudzha, query):
    *_, harvest = dobrudzha
    assert results(client.get(SEARCH, {"q": query})) == [harvest]


@pytest.mark.parametrize("query", ["-дъжд", "² -дъжд", "- -дъжд", '"" -дъжд'])
def test_exclusions_alone_find_nothing(client, dobrudzha, query):
    assert results(client.get(SEARCH, {"q": query})) == []


def test_an_excluded_word_excludes_alternatives_too(client, dobrudzha):
    _, rain_in_body, harvest = dobrudzha
    assert results(client.get(SEARCH, {"q": "реколта OR дъжд -Добруджа"})) == []
    assert results(client.get(SEARCH, {"q": 'Добруджа -"силен дъжд"'})) == [rain_in_body, harvest]


@pytest.fixture
def president():
    return ArticleFactory(
        title="Държавният глава откри сесията",
        lead="Новата сесия на парламента започна.",
        body="<p>В словото си президентът говори за бюджета и изборите.</p>",
    )


@pytest.mark.parametrize(
    ("field", "query"),
    [
        ("body", "прездент"),  # a letter missing
        ("body", "президнетът"),  # two letters swapped
        ("body", "пресидентът"),  # one wrong
        ("body", "изборте"),
        ("lead", "парламинта"),
        ("title", "държавнят"),
    ],
)
def test_typos_are_tolerated_in_headline_lead_and_body(client, president, unrelated, field, query):
    assert results(client.get(SEARCH, {"q": query})) == [president], field


def test_the_page_says_which_other_words_were_searched_for(client, president):
    html = client.get(SEARCH, {"q": "прездент parlament"}).content.decode()
    assert '<p class="search-alternatives">' in html
    assert "президентът, парламент" in html
    assert 'class="search-alternatives"' not in client.get(SEARCH, {"q": "президентът"}).content.decode()


def test_typo_tolerance_follows_new_and_edited_articles(client):
    article = ArticleFactory(title="Без новини", body="<p>Нищо.</p>")
    assert results(client.get(SEARCH, {"q": "кметъд"})) == []
    article.body = "<p>Кметът на Варна подаде оставка.</p>"
    article.save()
    assert vocabulary("кметът") == ["кметът"]
    assert results(client.get(SEARCH, {"q": "кметъд"})) == [article]


def test_a_known_word_is_not_corrected(client):
    ArticleFactory(title="Мачът завърши наравно")
    march = ArticleFactory(title="Мачът на март")  # "марш" is a word: no typo for "март"
    ArticleFactory(title="Протестен марш в центъра")
    assert results(client.get(SEARCH, {"q": "март"})) == [march]


def test_highlight_marks_forms_matched_through_the_dictionary(client):
    ArticleFactory(
        title="Заместник-министрите обсъдиха бюджета",
        lead="Министърът на финансите представи проекта.",
        body="<p>Текст.</p>",
    )
    html = client.get(SEARCH, {"q": "министър"}).content.decode()
    assert "Заместник-<mark>министрите</mark> обсъдиха" in html
    assert "<mark>Министърът</mark> на финансите" in html


def test_highlight_marks_corrected_and_transliterated_words(client, president):
    html = client.get(SEARCH, {"q": "novata sesiya"}).content.decode()
    assert "<mark>Новата</mark> <mark>сесия</mark> на парламента" in html
    html = client.get(SEARCH, {"q": "парламинта"}).content.decode()
    assert "Новата сесия на <mark>парламента</mark> започна." in html


@pytest.mark.parametrize("query", ["budzhet", "byudzhet", "budjet", "parlament", "parlamenta", "BYUDZHETA", "sesiyata"])
def test_a_query_in_latin_letters_finds_cyrillic_articles(client, president, armenia, query):
    assert results(client.get(SEARCH, {"q": query})) == [president]


def test_latin_words_still_find_latin_text(client):
    nato = ArticleFactory(title="Срещата на NATO в Брюксел", lead="Съюзниците се събраха.")
    assert results(client.get(SEARCH, {"q": "NATO"})) == [nato]
    assert results(client.get(SEARCH, {"q": "bryuksel"})) == [nato]


def test_a_page_past_the_last_shows_the_last_page(client):
    for n in range(25):
        ArticleFactory(title=f"Армения новина {n}", published_at=timezone.now() - timedelta(minutes=n + 1))
    for page in ("3", "999999", "9" * 40, "-1", "0"):
        response = client.get(SEARCH, {"q": "Армения", "page": page})
        page_obj = response.context["search"].page_obj
        assert (page_obj.number, len(results(response)), page_obj.paginator.count) == (2, 5, 25), page
    assert results(response)[-1].title == "Армения новина 24"
    assert client.get(SEARCH, {"q": "Армения", "page": "x"}).context["search"].page_obj.number == 1


def test_search_query_budget_with_every_kind_of_term(client, dobrudzha, django_assert_max_num_queries):
    client.get("/")  # warm the navigation cache
    # Sections for the filter, the vocabulary, the page with its count.
    with django_assert_max_num_queries(3):
        response = client.get(SEARCH, {"q": 'Добруджа прездент budzhet "мирно споразумение" -дъжд or мир'})
    assert response.status_code == 200


# PostgreSQL: the stored vector, the Bulgarian configuration, trigram similarity.


def _mapping():
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT DISTINCT d.dictname FROM pg_ts_config c JOIN pg_ts_config_map m ON m.mapcfg = c.oid
               JOIN pg_ts_dict d ON d.oid = m.mapdict WHERE c.cfgname = 'bulgarian'"""
        )
        return {row[0] for row in cursor.fetchall()}


def _dictionary_installed():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_ts_dict WHERE dictname = 'bulgarian_ispell'")
        return cursor.fetchone() is not None


@postgres_only
def test_bulgarian_configuration_uses_the_ispell_dictionary_or_the_fallback():
    mapping = _mapping()
    assert mapping in ({"bulgarian_ispell", "simple"}, {"unaccent", "simple"})
    if _dictionary_installed():
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_tsvector('bulgarian', 'министрите изборите арменските')")
            assert cursor.fetchone()[0] == "'арменски':3 'избор':2 'министър':1"


@postgres_only
def test_migration_falls_back_to_simple_and_unaccent_without_dictionary_files(monkeypatch):
    # DDL is transactional in PostgreSQL: the test's rollback restores the real configuration.
    migration = importlib.import_module("articles.migrations.0002_search")
    with connection.cursor() as cursor:
        cursor.execute("DROP TEXT SEARCH CONFIGURATION bulgarian")
        cursor.execute("DROP TEXT SEARCH DICTIONARY IF EXISTS bulgarian_ispell")
    monkeypatch.setattr(migration, "DICT_FILE", "no_such_dictionary")
    with connection.schema_editor() as editor:
        migration.create_text_search_config(None, editor)
    assert _mapping() == {"unaccent", "simple"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector('bulgarian', 'Café в София')")
        assert cursor.fetchone()[0] == "'cafe':1 'в':2 'софия':3"


@postgres_only
@pytest.mark.parametrize("query", ["Армения", "арменските", "Арменя", "арменя споразумение", "споразумението"])
def test_postgres_finds_word_forms_and_typos(armenia, unrelated, query):
    assert list(search_articles(query)) == [armenia]


@postgres_only
def test_postgres_ranks_by_relevance_not_date(armenia):
    body_only = ArticleFactory(title="Новини от Кавказ", lead="Обзор.", body="<p>Армения, Армения, Армения.</p>")
    assert list(search_articles("Армения")) == [armenia, body_only]


@postgres_only
def test_search_vector_follows_edits_and_tags(armenia):
    assert list(search_articles("Ереван")) == []
    armenia.body = "<p>Срещата продължи в Ереван.</p>"
    armenia.save()
    assert list(search_articles("Ереван")) == [armenia]

    tag = TagFactory(name="Кавказ")
    armenia.tags.add(tag)
    assert list(search_articles("Кавказ")) == [armenia]
    tag.name = "Закавказие"
    tag.save()
    assert list(search_articles("Закавказие")) == [armenia]
    armenia.tags.remove(tag)
    assert list(search_articles("Закавказие")) == []


@postgres_only
def test_search_vector_is_stored_and_indexed(armenia):
    stored = Article.objects.filter(pk=armenia.pk).values_list("search_vector", flat=True).get()
    assert "'армения':1" in stored
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'article_search_vector'")
        assert "USING gin (search_vector)" in cursor.fetchone()[0]
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'article_title_trgm'")
        assert "gin_trgm_ops" in cursor.fetchone()[0]


def test_listings_do_not_load_the_search_vector(armenia, django_assert_num_queries):
    with django_assert_num_queries(1) as captured:
        list(Article.objects.published().for_listing())
    assert "search_vector" not in captured.captured_queries[0]["sql"]


@postgres_only
def test_search_config_command_refreshes_mapping_vectors_and_vocabulary(armenia):
    Article.objects.update(search_vector=None)  # as if computed under another configuration
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO articles_search_word (word) VALUES ('остаряла')")  # no article uses it now
    assert list(search_articles("Армения")) == []
    out = StringIO()
    call_command("search_config", "--refresh", stdout=out)
    assert "Recomputed the search vectors of 1 articles." in out.getvalue()
    expected = "bulgarian_ispell, simple" if _dictionary_installed() else "unaccent, simple"
    assert f"bulgarian: {expected}" in out.getvalue()
    assert list(search_articles("Нагорни Карабах")) == [armenia]
    assert vocabulary("остаряла") == [] and vocabulary("карабах") == ["карабах"]


@postgres_only
def test_search_vector_is_stored_in_the_row_and_the_vocabulary_indexed():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = 'articles_article'::regclass "
            "AND attname = 'search_vector'"
        )
        assert cursor.fetchone()[0] == "m"  # MAIN: compressed in the row, out of it only when it must
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'articles_search_word_trgm'")
        assert "USING gin (word gin_trgm_ops)" in cursor.fetchone()[0]


@postgres_only
def test_vocabulary_holds_the_words_of_headline_lead_and_body_not_html(armenia):
    for word in ("армения", "арменският", "нагорни", "вашингтон"):
        assert vocabulary(word) == [word]
    assert vocabulary("p") == [] and vocabulary("<p>") == []


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite answer")
def test_search_config_command_rebuilds_the_vocabulary_and_its_triggers_on_sqlite(armenia):
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER articles_search_text_inserted")  # as a rebuild of the table would
    ArticleFactory(title="Ереван посреща гости")
    assert vocabulary("ереван") == []
    out = StringIO()
    call_command("search_config", "--vocabulary", stdout=out)
    assert "Rebuilt the vocabulary and its triggers." in out.getvalue()
    assert vocabulary("ереван") == ["ереван"]
    ArticleFactory(title="Тбилиси днес")
    assert vocabulary("тбилиси") == ["тбилиси"]
