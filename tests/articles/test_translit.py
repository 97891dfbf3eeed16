import pytest

from articles.translit import slugify_bg, transliterate


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("София", "sofia"),
        ("България", "bulgaria"),
        ("Юлия", "yulia"),
        ("Вилияна", "viliyana"),
        ("щастие", "shtastie"),
        ("ъгъл", "agal"),
        ("джудже", "dzhudzhe"),
        ("Цар", "tsar"),
        ("Йордан", "yordan"),
        ("Щъркелите в България се завръщат", "shtarkelite-v-bulgaria-se-zavrashtat"),
        ("Азербайджан и Армения", "azerbaydzhan-i-armenia"),
        ("Хасково, Ямбол и Русе", "haskovo-yambol-i-ruse"),
        ("ѝ", "i"),
        ("Чичо Стоян – 100%!", "chicho-stoyan-100"),
        ("Mixed NATO и ЕС", "mixed-nato-i-es"),
        ("ь", "y"),
    ],
)
def test_slugify_bg_follows_the_official_system(text, slug):
    assert slugify_bg(text) == slug


def test_iya_becomes_ia_only_at_the_end_of_a_word():
    assert slugify_bg("история историята") == "istoria-istoriyata"


def test_transliterate_keeps_case_and_punctuation():
    assert transliterate("Щастие, ЮГ и България!") == "Shtastie, YUG i Bulgaria!"


def test_slug_is_cut_at_a_word_boundary_without_trailing_hyphen():
    slug = slugify_bg("дума " * 100, max_length=23)
    assert len(slug) <= 23
    assert not slug.endswith("-")


def test_text_without_letters_gives_an_empty_slug():
    assert slugify_bg("!!! ???") == ""
