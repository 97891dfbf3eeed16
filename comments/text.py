"""Comment text: cleaning what readers send, showing it safely, and normalising it for word checks."""

import hashlib
import re
import unicodedata

from django.utils.html import escape

# Bidi embeddings, overrides and isolates can reorder what others read (a name that looks like another);
# zero-width and other invisible format characters hide words from moderators.
_BIDI = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
_INVISIBLE = "\u200b\u200c\u2060-\u2064\ufeff\u00ad\u180e"
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_SURROGATE = "\ud800-\udfff"
_STRIP_BODY = re.compile(f"[{_BIDI}{_INVISIBLE}{_CONTROL}{_SURROGATE}\u2028\u2029]")
_STRIP_LINE = re.compile(f"[{_BIDI}{_INVISIBLE}{_CONTROL}{_SURROGATE}\u200d]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")

URL = re.compile(r"\bhttps?://[^\s<>\"'`\u00a0]+", re.IGNORECASE)
_TRAILING = ".,;:!?…»“”'\"*"


def clean_body(text: str) -> str:
    """Reader text as stored: no control, bidi or invisible characters, at most one blank line in a row."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _STRIP_BODY.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def clean_line(text: str) -> str:
    """A one-line value (a name): invisible and control characters removed, spaces collapsed."""
    text = _STRIP_LINE.sub("", text or "")
    # Every other invisible format character too (tag characters U+E0000-E007F, U+206A-206F...): a name
    # carrying one looks exactly like the name without it.
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return _SPACES.sub(" ", re.sub(r"[\t\r\n\u2028\u2029]", " ", text)).strip()


def split_links(line: str) -> list[tuple[str, bool]]:
    """``line`` as (text, is_link) pieces; trailing punctuation and an unbalanced ")" stay outside links."""
    pieces, last = [], 0
    for match in URL.finditer(line):
        url = match.group().rstrip(_TRAILING)
        while url.endswith(")") and url.count(")") > url.count("("):
            url = url[:-1].rstrip(_TRAILING)
        if len(url) <= len("https://"):
            continue
        start = match.start()
        if start > last:
            pieces.append((line[last:start], False))
        pieces.append((url, True))
        last = start + len(url)
    if last < len(line):
        pieces.append((line[last:], False))
    return pieces


def count_links(text: str) -> int:
    """How many http(s) links ``text`` carries, written out or as bare domains with www."""
    return len(URL.findall(text or "")) + len(re.findall(r"(?<![/\w.])www\.\w", text or "", re.IGNORECASE))


def body_html(text: str) -> str:
    """The body as HTML text (not yet marked safe): every piece escaped, line breaks as <br>, plain
    http(s) links as nofollow anchors. markup.render_comment is what marks the finished comment safe."""
    lines = []
    for line in (text or "").split("\n"):
        parts = []
        for piece, is_link in split_links(line):
            if is_link:
                url = escape(piece)
                parts.append(f'<a href="{url}" rel="nofollow ugc noopener">{url}</a>')
            else:
                parts.append(escape(piece))
        lines.append("".join(parts))
    return "<br>".join(lines)


def fingerprint(text: str) -> str:
    """A hash of the text's normalised words, to spot the same comment sent again."""
    words = " ".join(tokens(normalise(text)))
    return hashlib.sha256(words.encode()).hexdigest()


# --- Matching words that readers disguise -----------------------------------------------------------------


def _pairs(*groups: tuple[str, str]) -> dict[int, str]:
    table = {}
    for source, target in groups:
        assert len(source) == len(target), (source, target)
        table.update(str.maketrans(source, target))
    return table


def strip_marks(text: str) -> str:
    """Accents and other combining marks removed (á → a, и́ → и), but not the breve of й, a letter of its own."""
    kept = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.category(ch).startswith("M") and not (ch == "\u0306" and kept and kept[-1] in "иИ"):
            continue
        kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept))


# Capital Latin letters that look like capital Cyrillic ones, then small ones, then digits and signs.
_UPPER_HOMOGLYPHS = str.maketrans("ABCEHKMOPTXY", "АВСЕНКМОРТХУ")
_LOWER_HOMOGLYPHS = _pairs(
    ("aceopxykm", "асеорхукм"), ("αβεηκμοπρτυχ", "авенкмопртух"), ("ᴀʙᴄᴅᴇʜᴋᴍᴏᴘᴛʏ", "авсденкморту")
)
_LEET_CYRILLIC = str.maketrans({"0": "о", "1": "и", "3": "з", "4": "ч", "6": "б", "@": "а", "$": "с", "€": "е"})
_LEET_LATIN = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "€": "e"})
_SHLYOK_DIGITS = str.maketrans({"4": "ч", "6": "ш", "0": "o", "1": "i", "3": "z", "w": "в", "q": "я"})

# Bulgarian typed in Latin letters back to Cyrillic ("shlyokavitsa"): longest first.
_LATIN_TO_CYRILLIC = [
    ("sht", "щ"), ("sh", "ш"), ("ch", "ч"), ("zh", "ж"), ("ts", "ц"), ("yu", "ю"), ("ya", "я"), ("ju", "ю"),
    ("ja", "я"), ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"), ("i", "и"),
    ("j", "й"), ("y", "ъ"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"),
    ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"), ("h", "х"), ("c", "ц"), ("w", "в"), ("q", "я"), ("x", "кс"),
]  # fmt: skip
_LATIN_PATTERN = re.compile("|".join(re.escape(latin) for latin, _ in _LATIN_TO_CYRILLIC))
_LATIN_MAP = dict(_LATIN_TO_CYRILLIC)

_FORMAT_CHARS = re.compile(f"[{_BIDI}{_INVISIBLE}\u200d]")
_INNER_SEPARATORS = re.compile(r"(?<=\w)[.\-_*'`~|+]+(?=\w)")
_REPEATS = re.compile(r"(.)\1+")
_WORD = re.compile(r"\w+")

# Endings a Bulgarian noun or adjective takes: a word in the lists also matches these forms.
ENDINGS = {
    "", "а", "я", "о", "е", "и", "ът", "ят", "та", "то", "те", "ове", "овете", "ите", "ия", "ии", "ища", "ище",
    "ци", "ка", "ки", "ко", "ски", "ска", "ско", "ската", "ското", "ските", "ина", "ини", "щина", "ен", "на",
    "но", "ни", "ест", "ова", "ово", "ови", "ица", "ици", "ята", "ето",
}  # fmt: skip


def normalise(text: str) -> str:
    """NFKC, no invisible characters or accents, inner separators gone (и.д.и.о.т → идиот), case folded."""
    text = strip_marks(unicodedata.normalize("NFKC", text or ""))
    text = _FORMAT_CHARS.sub("", text)
    return _INNER_SEPARATORS.sub("", text).casefold()


def tokens(text: str) -> list[str]:
    """Words of ``text``, with runs of single letters ("и д и о т") also joined into one word."""
    words = _WORD.findall(text)
    joined, run = [], []
    for word in [*words, ""]:
        if len(word) == 1:
            run.append(word)
            continue
        if len(run) >= 3:
            joined.append("".join(run))
        run = []
    return words + joined


def _squeeze(word: str) -> str:
    return _REPEATS.sub(r"\1", word)


def latin_to_cyrillic(text: str) -> str:
    """Latin-typed Bulgarian in Cyrillic letters (zdrasti → здрасти, 6te → ште)."""
    return _LATIN_PATTERN.sub(lambda m: _LATIN_MAP[m.group()], text.translate(_SHLYOK_DIGITS))


def cyrillic_skeleton(text: str) -> str:
    """Latin look-alikes and digits as the Cyrillic letters they stand in for, case folded."""
    text = unicodedata.normalize("NFKC", text or "").translate(_UPPER_HOMOGLYPHS)
    return normalise(text).translate(_LOWER_HOMOGLYPHS).translate(_LEET_CYRILLIC)


def word_variants(text: str) -> dict[str, set[str]]:
    """The words of ``text`` as a reader could have disguised them: for Cyrillic lists and for Latin lists."""
    plain = normalise(text)
    cyrillic = {
        *tokens(cyrillic_skeleton(text)),
        *tokens(latin_to_cyrillic(plain)),
        *tokens(latin_to_cyrillic(plain.translate(_LEET_LATIN))),
    }
    latin = {*tokens(plain), *tokens(plain.translate(_LEET_LATIN))}
    return {
        "cyrillic": {_squeeze(w) for w in cyrillic} | cyrillic,
        "latin": {_squeeze(w) for w in latin} | latin,
    }


def _is_cyrillic(word: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in word)


class WordList:
    """Words to look for; each entry matches its Bulgarian inflected forms, or any word it starts if it ends in *."""

    def __init__(self, entries):
        self.entries = []
        for entry in entries:
            entry = (entry or "").strip()
            if not entry:
                continue
            stem = entry.endswith("*")
            word = entry.rstrip("*")
            script = "cyrillic" if _is_cyrillic(word) else "latin"
            canonical = _squeeze(cyrillic_skeleton(word) if script == "cyrillic" else normalise(word))
            if not canonical:
                continue
            self.entries.append((entry, canonical, stem, script))
            if "ъ" in canonical:  # the official transliteration writes ъ as "a": тъпанар → tapanar
                self.entries.append((entry, canonical.replace("ъ", "а"), stem, script))
            if not stem and script == "cyrillic" and len(canonical) >= 4 and canonical[-1] in "аяое":
                # курва → курви, путка → путки: the final vowel gives way to the ending.
                self.entries.append((entry, canonical[:-1], False, script))

    def find(self, text: str) -> str | None:
        """The first entry ``text`` contains in any disguise, or None."""
        if not self.entries:
            return None
        variants = word_variants(text)
        for entry, canonical, stem, script in self.entries:
            for word in variants[script]:
                if not word.startswith(canonical):
                    continue
                if stem or word[len(canonical) :] in ENDINGS:
                    return entry
        return None


# --- Bulgarian typed in Latin letters --------------------------------------------------------------------

# Words that are Bulgarian when written in Latin letters and rare in English or other languages.
LATIN_BULGARIAN_WORDS = {
    "zdrasti", "zdravei", "zdraveite", "kak", "kakvo", "kakva", "kakav", "koi", "koy", "koya", "koe", "tova",
    "tuk", "tam", "sega", "shte", "6te", "ste", "nqma", "nyama", "njama", "nema", "ima", "imam", "iska", "iskam",
    "mnogo", "malko", "che", "4e", "sam", "sme", "sa", "ne", "da", "ot", "za", "na", "po", "pri", "sas", "s",
    "ama", "ami", "oshte", "o6te", "vsichki", "vsi4ki", "nikoi", "nishto", "ni6to", "nqkoi", "dobre", "lo6o",
    "losho", "hubavo", "ako", "kogato", "zashto", "za6to", "zashtoto", "moje", "mozhe", "mojem", "hodim",
    "pravi", "pravim", "pravite", "bate", "brat", "bratle", "pi4", "pich", "e", "li", "i", "ti", "toi", "tq",
    "tya", "te", "nie", "vie", "az", "mi", "me", "go", "q", "ya", "vlast", "vlastta", "darjava", "durjava",
    "pari", "parite", "bulgaria", "balgaria", "bg", "narod", "naroda", "hora", "horata", "deca", "decata",
    "kade", "kude", "koga", "dnes", "utre", "vchera", "v4era", "si", "ni", "vi", "im", "mu",
}  # fmt: skip
# Words that also occur in English text: they count only next to clearly Bulgarian ones.
_AMBIGUOUS = {"i", "e", "s", "me", "go", "ya", "te", "mi", "ti", "sa", "na", "po", "da", "ne", "li", "im", "bg"}
_LATIN_WORD = re.compile(r"[a-z0-9]+")


def looks_like_latin_bulgarian(text: str) -> bool:
    """True when the text is Bulgarian typed in Latin letters (“zdrasti kak si 6te hodim”)."""
    plain = normalise(text)
    letters = [ch for ch in plain if ch.isalpha()]
    if len(letters) < 8:
        return False
    latin = sum("a" <= ch <= "z" for ch in letters)
    if latin / len(letters) < 0.8:
        return False
    words = _LATIN_WORD.findall(plain)
    if len(words) < 3:
        return False
    strong = sum(1 for w in words if w in LATIN_BULGARIAN_WORDS and w not in _AMBIGUOUS)
    weak = sum(1 for w in words if w in _AMBIGUOUS)
    return strong >= 2 and (strong + weak) / len(words) >= 0.4


# --- Names that pass for someone else's ------------------------------------------------------------------

# Characters that show as nothing yet are not format characters: Hangul fillers, the blank Braille pattern,
# Mongolian variation selectors.
_BLANK_LETTERS = re.compile("[\u115f\u1160\u3164\uffa0\u2800\u180b-\u180f]")


# Names are case folded before these apply, so an upper-case look-alike (B, H, M, T for В, Н, М, Т) is
# listed by its lower-case letter. What imitates a Cyrillic letter: Latin, Greek, small capitals...
_AS_CYRILLIC = _pairs(
    ("abceghkmnoprtuxy", "авседнкмпоргтиху"),
    ("αβεηκμοπρτυχ", "авенкмопртух"),
    ("ᴀʙᴄᴅᴇʜᴋᴍᴏᴘᴛʏ", "авсденкморту"),
    ("ɑɡіј", "адий"),
)
# ...and a Latin one: Cyrillic, Greek, small capitals.
_AS_LATIN = _pairs(
    ("авсдегийкмнопртухѕіјһԁ", "abcgeruukmhonptyxsijhd"),
    ("αβεηικμνοπρτυχ", "abenikmvonptux"),
    ("ᴀʙᴄᴅᴇʜɪᴋᴍɴᴏᴘʀᴛʏ", "abcdehikmnoprty"),
    ("ıɑɡ", "iag"),
)
# Digits and signs as the letters whose shape they copy (0 о, 3 з, 6 б, 8 в) or as "leet" writes them (3 e,
# 4 a, 1 i); a name is read both ways. A sign in no table is a separator, like a space.
_SIGNS_AS_SHAPES = _pairs(("03468@$€", "озчбвасе"))
_SIGNS_AS_LEET = _pairs(("013456789@$€!|", "оиеасбтвдасеии"))
_SIGNS_AS_LATIN = _pairs(("013456789@$€!|", "oieasbtbgaseii"))


def _name_letters(text: str) -> str:
    """Letters only: spaces, dots, hyphens, digits left over and every other sign between them dropped."""
    return _squeeze("".join(ch for ch in text if ch.isalpha()))


def _name_base(text: str) -> str:
    """A name with compatibility forms unified (full-width, circled, mathematical letters), invisible
    characters and combining marks removed and case folded."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = _BLANK_LETTERS.sub("", text).casefold()
    return unicodedata.normalize("NFKC", strip_marks(unicodedata.normalize("NFKD", text)))


def name_readings(name: str) -> dict[str, set[str]]:
    """The ways a reader may read ``name``, as letters only: in Cyrillic (look-alikes as the Cyrillic letters
    they imitate, or Bulgarian typed in Latin letters turned into Cyrillic) and in Latin (look-alikes as Latin
    letters). Repeated letters count once."""
    base = _name_base(name)
    shapes, leet = base.translate(_SIGNS_AS_SHAPES), base.translate(_SIGNS_AS_LEET)
    cyrillic = {_name_letters(text.translate(_AS_CYRILLIC)) for text in (base, shapes, leet)}
    cyrillic |= {_name_letters(latin_to_cyrillic(text)) for text in (base, base.replace("ia", "ия"))}
    latin = {_name_letters(text.translate(_AS_LATIN)) for text in (base, base.translate(_SIGNS_AS_LATIN))}
    return {"cyrillic": cyrillic, "latin": latin}


# Endings a name takes in Bulgarian (the definite article, plurals, the feminine -ка) or in English.
_NAME_ENDINGS = {
    "cyrillic": ("", "а", "ът", "ят", "та", "то", "те", "и", "ите", "ка", "ки", "ката", "ките"),
    "latin": ("", "s"),
}


def _name_forms(word: str) -> dict[str, set[str]]:
    """``word`` and its endings, as each reading writes them."""
    endings = _NAME_ENDINGS["cyrillic" if _is_cyrillic(word) else "latin"]
    forms = [_name_base(word + ending) for ending in endings]
    return {
        "cyrillic": {_name_letters(form.translate(_AS_CYRILLIC)) for form in forms} - {""},
        "latin": {_name_letters(form.translate(_AS_LATIN)) for form in forms} - {""},
    }


def _reads_as(text: str, names: set[str], fillers: set[str]) -> bool:
    """True when ``text`` is nothing but words of ``names`` and ``fillers``, one of them at least a name."""
    reached = {0: False}  # position in text -> whether a name was passed on the way there
    for start in range(len(text)):
        if start not in reached:
            continue
        for word in names | fillers:
            if text.startswith(word, start):
                end = start + len(word)
                reached[end] = reached.get(end, False) or reached[start] or word in names
    return reached.get(len(text), False) is True and len(text) > 0


class NameList:
    """Names no one else may use, in any disguise: full-width or mathematical letters, accents, case,
    invisible and bidi characters, look-alike letters of another script, digits and signs for letters,
    spaces, dots or hyphens between the letters, Bulgarian typed in Latin letters, endings (Редакцията,
    Модераторът). A name is taken when all its letters read as listed names and filler words ("Вестник
    екип", "Редакцията на Вестник"); a listed word next to a name of one's own ("Модератор на спорта",
    "Редактор Иванов") is not."""

    def __init__(self, names, *, fillers=()):
        self.names = {"cyrillic": set(), "latin": set()}
        self.fillers = {"cyrillic": set(), "latin": set()}
        for words, into in ((names, self.names), (fillers, self.fillers)):
            for word in words:
                for script, forms in _name_forms(word).items():
                    into[script] |= forms

    def __contains__(self, name: str) -> bool:
        readings = name_readings(name)
        return any(
            _reads_as(text, self.names[script], self.fillers[script])
            for script, texts in readings.items()
            for text in texts
        )
