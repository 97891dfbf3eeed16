"""Bulgarian typed in Latin letters, back to Cyrillic, for search (``articles/translit.py`` goes the other way).

Readers without a Bulgarian keyboard write the official transliteration (``byudzhet``), or something near it:
``budzhet``, ``budjet``, ``parlament``, ``balgaria``, ``bulgaria``, ``pyrvi``. ``cyrillic_candidates`` spells
a Latin word in Cyrillic, most likely spelling first, then the spellings that differ from it in one or two
ambiguous letters (``a`` may stand for ``ъ`` as the law writes it; ``u`` and ``y`` for ``ъ`` as people do;
``ts`` for ``ц`` or ``тс``...). Search keeps the candidates the articles' vocabulary knows, plus the first one,
and corrects that one like a typo (``буджет`` → ``бюджет``).
"""

import re
from itertools import combinations

from .translit import EXCEPTIONS

MAX_CANDIDATES = 24
MAX_CHANGES = 2  # alternative letters per candidate, beyond the most likely spelling
MAX_LENGTH = 40  # no word is longer

# Latin letter groups, longest first, and what they may stand for, most likely first.
# fmt: off
GROUPS = {
    "sht": ("щ", "шт"), "sch": ("щ",), "zh": ("ж",), "ch": ("ч",), "sh": ("ш",), "ts": ("ц", "тс"),
    "yu": ("ю",), "ju": ("ю",), "iu": ("ю", "иу"), "ya": ("я",), "ja": ("я",), "yo": ("йо", "ьо"),
    "kh": ("х",), "ck": ("к",), "ph": ("ф",), "dj": ("дж",),
    "a": ("а", "ъ"), "b": ("б",), "c": ("ц", "к"), "d": ("д",), "e": ("е",), "f": ("ф",), "g": ("г",),
    "h": ("х",), "i": ("и", "й"), "j": ("ж", "й"), "k": ("к",), "l": ("л",), "m": ("м",), "n": ("н",),
    "o": ("о",), "p": ("п",), "q": ("к",), "r": ("р",), "s": ("с",), "t": ("т",), "u": ("у", "ъ", "ю"),
    "v": ("в",), "w": ("в",), "x": ("кс",), "y": ("й", "ъ", "и", "ь"), "z": ("з",),
}
# fmt: on
_GROUP = re.compile("|".join(sorted(GROUPS, key=len, reverse=True)))
_LATIN_WORD = re.compile("[a-z]+")
# The law's "-ия" at the end of a word is "-ia"; people also write "-iya" and "-ija".
_ENDINGS = (("iya", "ия"), ("ija", "ия"), ("ia", "ия"))
REVERSE_EXCEPTIONS = {latin: cyrillic for cyrillic, latin in EXCEPTIONS.items()}


def is_latin(word: str) -> bool:
    """True for a word of Latin letters only (``budzhet``), the words worth spelling in Cyrillic."""
    return bool(_LATIN_WORD.fullmatch(word.casefold()))


def _segments(word: str) -> list[tuple[str, ...]]:
    """The word cut into letter groups, each with the Cyrillic it may stand for."""
    ending = ()
    for latin, cyrillic in _ENDINGS:
        if word.endswith(latin) and len(word) > len(latin):
            word, ending = word[: -len(latin)], [(cyrillic,)]
            break
    return [GROUPS[group] for group in _GROUP.findall(word)] + list(ending)


def cyrillic_candidates(word: str, limit: int = MAX_CANDIDATES) -> list[str]:
    """Cyrillic spellings of a Latin ``word``, the most likely first; empty for any other word."""
    word = word.casefold()
    if not is_latin(word) or len(word) > MAX_LENGTH:
        return []
    found = [REVERSE_EXCEPTIONS[word]] if word in REVERSE_EXCEPTIONS else []
    segments = _segments(word)
    first = [options[0] for options in segments]
    ambiguous = [n for n, options in enumerate(segments) if len(options) > 1]
    for changes in range(MAX_CHANGES + 1):
        for positions in combinations(ambiguous, changes):
            spellings = [first]
            for n in positions:
                spellings = [[*s[:n], option, *s[n + 1 :]] for s in spellings for option in segments[n][1:]]
            for spelling in spellings:
                candidate = "".join(spelling)
                if candidate not in found:
                    found.append(candidate)
                if len(found) >= limit:
                    return found
    return found
