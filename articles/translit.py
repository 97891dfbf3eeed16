"""Bulgarian → Latin transliteration (Transliteration Act 2009, the Streamlined System).

Django's ``slugify`` drops Cyrillic and the usual libraries apply Russian rules, so the
table is ours. ``static/js/admin-slug.js`` carries the same table for the admin prefill.
"""

import re

from django.utils.text import slugify

TABLE = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "sht", "ъ": "a", "ь": "y", "ю": "yu", "я": "ya", "ѝ": "i",
}  # fmt: skip

# Words the law spells out: "България" is "Bulgaria", not "Balgaria".
EXCEPTIONS = {"българия": "bulgaria"}

_WORD = re.compile(r"\w+")


def _word(word: str) -> str:
    lower = word.lower()
    if lower in EXCEPTIONS:
        latin = EXCEPTIONS[lower]
    elif lower.endswith("ия"):
        latin = _letters(lower[:-2]) + "ia"
    else:
        latin = _letters(lower)
    if word.isupper() and len(word) > 1:
        return latin.upper()
    if word[:1].isupper():
        return latin[:1].upper() + latin[1:]
    return latin


def _letters(text: str) -> str:
    return "".join(TABLE.get(ch, ch) for ch in text)


def transliterate(text: str) -> str:
    """Bulgarian Cyrillic in ``text`` written in Latin letters; other characters kept."""
    return _WORD.sub(lambda m: _word(m.group()), text)


def slugify_bg(text: str, max_length: int = 200) -> str:
    """An ASCII slug for a Bulgarian (or any Latin) headline."""
    slug = slugify(transliterate(text.lower()))
    return slug[:max_length].rstrip("-")
