"""Persian text: digit conversion, normalisation for storage, and the search key.

The search key (``fa_search_key``) exists three times: here in Python, as an SQL function
on PostgreSQL (created by ``core/migrations/0002_fa_search_key``) and registered from this
module on every SQLite connection. All three must agree; ``tests/core/test_search_key.py``
checks them on a list of tricky strings. So does ``fa_short_words`` (the whole words of
one or two characters: ``core/migrations/0018_fa_short_words``,
``tests/core/test_short_words.py``).
"""

import re
import unicodedata

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
LATIN_DIGITS = "0123456789"

_TO_LATIN_DIGITS = str.maketrans(PERSIAN_DIGITS + ARABIC_INDIC_DIGITS, LATIN_DIGITS * 2)
_TO_PERSIAN_DIGITS = str.maketrans(LATIN_DIGITS + ARABIC_INDIC_DIGITS, PERSIAN_DIGITS * 2)
_ARABIC_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک"})

# One character folded to another for matching (source, target), in code points so that
# invisible characters stay visible in review.
SEARCH_FOLDS: tuple[tuple[int, int], ...] = (
    (0x064A, 0x06CC),  # ي Arabic yeh -> ی
    (0x0649, 0x06CC),  # ى alef maksura -> ی
    (0x0626, 0x06CC),  # ئ yeh with hamza -> ی
    (0x0643, 0x06A9),  # ك Arabic kaf -> ک
    (0x0629, 0x0647),  # ة teh marbuta -> ه
    (0x06C0, 0x0647),  # ۀ heh with yeh -> ه
    (0x0623, 0x0627),  # أ -> ا
    (0x0625, 0x0627),  # إ -> ا
    (0x0671, 0x0627),  # ٱ -> ا
    (0x0622, 0x0627),  # آ -> ا
    (0x0624, 0x0648),  # ؤ -> و
    *((0x06F0 + i, 0x30 + i) for i in range(10)),  # Persian digits
    *((0x0660 + i, 0x30 + i) for i in range(10)),  # Arabic-Indic digits
    *((0x41 + i, 0x61 + i) for i in range(26)),  # A-Z -> a-z
)
# Characters dropped from the key: diacritics, tatweel, zero-width and bidi controls,
# soft hyphen, BOM and whitespace (NFKC has already turned exotic spaces into U+0020).
SEARCH_DROPS: tuple[int, ...] = (
    *range(0x064B, 0x0660),
    0x0670,
    0x0640,
    *range(0x200B, 0x2010),
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
    0x00AD,
    0xFEFF,
    0x0009, 0x000A, 0x000B, 0x000C, 0x000D, 0x0020, 0x0085, 0x00A0, 0x2028, 0x2029,
)  # fmt: skip

_SEARCH_TABLE = dict(SEARCH_FOLDS) | dict.fromkeys(SEARCH_DROPS)


def to_latin_digits(text: str) -> str:
    """Persian and Arabic-Indic digits to ASCII. Python's int() and \\d accept them
    silently, so everything that validates numbers goes through this first."""
    return text.translate(_TO_LATIN_DIGITS)


# A word that may be a record's code (a tracking code: digits, letters, dashes).
_CODE_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_/]{3,29}")


def code_words(text: str) -> list[str]:
    """The words of a text a customer wrote that may be a record's code, in Latin digits
    (an email's subject, a message to the bot: «پیگیری ۱۴۰۵۰۰۰۱۲»), each once."""
    return list(dict.fromkeys(_CODE_WORD.findall(to_latin_digits(text))))


def to_persian_digits(text: str) -> str:
    return text.translate(_TO_PERSIAN_DIGITS)


def normalize_typed_digits(value: str) -> str:
    """What is stored for typed text: every Persian and Arabic-Indic digit Latin (one
    canonical form: sortable, searchable, what the API returns); everything else as
    typed. Every form (core.apps), the API's bodies and the importer read typed text
    through this; pages show it in the reader's digits again (core.digits)."""
    return to_latin_digits(value)


def normalize_persian(text: str) -> str:
    """What we store for typed text: Arabic ي/ى/ك become Persian ی/ک, digits become
    ASCII (normalize_typed_digits), surrounding whitespace goes. Everything else stays
    as typed."""
    return normalize_typed_digits(text.translate(_ARABIC_LETTERS)).strip()


def fa_search_key(text: str | None) -> str | None:
    """The folded form used for matching: NFKC, letters folded, digits to ASCII,
    diacritics/ZWNJ/whitespace dropped, ASCII letters in lower case. Only ASCII is
    lowered, by the same table as the rest: Python's lower() and PostgreSQL's disagree
    on letters such as İ and final Σ, and PostgreSQL's depends on the server locale."""
    if text is None:
        return None
    return unicodedata.normalize("NFKC", text).translate(_SEARCH_TABLE)


# +98…, 0098…, or a bare 98 in front of a whole mobile number (98 912 345 6789).
_INTERNATIONAL_PREFIX = re.compile(r"^(?:\+98|0098|98(?=9\d{9}$))")


def national_phone_key(key: str) -> str:
    """Phones are searchable in national digits (0912…); a query typed with the
    country code (+98 912…, 0098 912…) is turned into that form."""
    return _INTERNATIONAL_PREFIX.sub("0", key) if key[-1:].isdigit() else key


# A trigram index cannot serve fewer characters, and so few would match too much to be
# of use inside words: a shorter text is a code, or a whole word (fa_short_words).
MIN_SEARCH_LENGTH = 3


# What separates words for fa_short_words, besides whitespace: an explicit list, the
# same in the SQL twin (core/migrations/0018_fa_short_words), rather than a regex class
# whose meaning would depend on the PostgreSQL server's locale. Taken after NFKC, which
# has already turned full-width forms and «…» into their plain characters.
WORD_SEPARATORS: tuple[int, ...] = (
    0x0009, 0x000A, 0x000B, 0x000C, 0x000D, 0x0020, 0x0085, 0x00A0, 0x2028, 0x2029,
    *(ord(char) for char in ".,;:!?()[]{}<>\"'`/\\|-_+=*&^%$#@~"),
    0x00AB, 0x00BB,  # « »
    0x060C, 0x061B, 0x061F,  # ، ؛ ؟
    0x066A, 0x066B, 0x066C, 0x066D, 0x06D4,  # ٪ ٫ ٬ ٭ ۔
    0x00B7, 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2022, 0x2026,  # · ‐ – — • …
    0x2018, 0x2019, 0x201C, 0x201D, 0x2039, 0x203A,  # ‘ ’ “ ” ‹ ›
)  # fmt: skip
_WORDS_TABLE = dict.fromkeys(WORD_SEPARATORS, " ")
# Whole words this short are found by fa_short_words (a longer text by the search key).
SHORT_WORD_LENGTH = MIN_SEARCH_LENGTH - 1


def fa_short_words(text: str | None) -> str | None:
    """The whole words of one or two characters in ``text``, each folded as
    fa_search_key folds it, once each in the order first written, between single spaces
    (« 12 ab »); "" when there is none. Words are split at whitespace and the
    WORD_SEPARATORS after NFKC, and folded afterwards (a ZWNJ or a diacritic inside a word
    does not split it). Stored in a ``short_words_field`` column, so that
    ``short_words__contains=" 12 "`` finds «داروخانه ۱۲ فروردین» but not «۱۲۰»; each
    word once, so a long description keeps it short."""
    if text is None:
        return None
    parts = unicodedata.normalize("NFKC", text).translate(_WORDS_TABLE).split(" ")
    words = dict.fromkeys(
        word for word in map(fa_search_key, parts) if 0 < len(word) <= SHORT_WORD_LENGTH
    )
    return f" {' '.join(words)} " if words else ""


def fa_short_words_sql_literals() -> tuple[str, str]:
    """(separators, as many spaces) for SQL ``translate()``: used to freeze the SQL
    function into its migration and to check that the frozen copy still matches."""
    return "".join(map(chr, WORD_SEPARATORS)), " " * len(WORD_SEPARATORS)


# A number typed as people write phones: digits with spaces, hyphens, dots or
# parentheses between them («۰۲۱-۸۸۸۸ ۱۲۳۴», «(021) 8888.1234», «+98 912 123 4567»). Not
# a slash: document numbers (1405/00012) and dates keep it in their keys.
_TYPED_PHONE = re.compile(r"^\+?[\d\s().\-]*\d[\d\s().\-]*$")
_PHONE_SEPARATORS = re.compile(r"[\s().\-]")


def typed_search_key(text: str | None) -> str | None:
    """What a ``search_key`` column is matched with (``search_key__contains``): the
    typed text folded as the column is; a phone number typed with separators as its
    digits alone (a record's phones are in its key as digits: +98… stored, 0… kept),
    with its country code in national form; None when it is shorter than
    MIN_SEARCH_LENGTH."""
    typed = normalize_persian(text or "")
    if _TYPED_PHONE.match(typed):
        typed = _PHONE_SEPARATORS.sub("", typed)
    key = fa_search_key(typed) or ""
    return national_phone_key(key) if len(key) >= MIN_SEARCH_LENGTH else None


def typed_short_words(text: str | None) -> list[str]:
    """What a ``short_words`` column is matched with when the text is too short for the
    search key (typed_search_key is None): each whole word of the typed text, folded
    (fa_short_words), between spaces (« 12 »); a row must hold them all. [] for a text
    long enough for the search key, or with no word in it («-»)."""
    if typed_search_key(text) is not None:
        return []
    words = fa_short_words(normalize_persian(text or "")) or ""
    return [f" {word} " for word in words.split()]


# An Iranian number typed with its prefix (+98 912…, 0098 912…, 0912…): the digits after
# it, which a stored E.164 number (+98912…) holds.
_TYPED_PREFIX = re.compile(r"^(?:\+98|0098|0)")
_PHONE_TYPED = re.compile(r"^[\d\s+().\-]+$")


def number_part(text: str) -> str:
    """The digits a stored number must hold when ``text`` is (part of) a phone number
    in Persian or Latin digits, with or without its leading 0 or +98; else '' (a text
    that is not a number). The call log and the message list search numbers so."""
    typed = to_latin_digits(text).strip()
    if not _PHONE_TYPED.match(typed):
        return ""
    typed = _PHONE_SEPARATORS.sub("", typed)
    return _TYPED_PREFIX.sub("", typed).lstrip("+")


def search_span(text: str, key: str, *, whole_word: bool = False) -> tuple[int, int] | None:
    """Where ``key`` (a search key) matches inside ``text``, as (start, end) positions of
    ``text`` itself: the text is folded character by character as fa_search_key folds it,
    remembering where each folded character came from, so a match across a ZWNJ, a
    space in a phone number or an Arabic ي is found and marked on what the reader sees.
    ``whole_word``: only where the match is a whole word of the text (fa_short_words),
    as a one- or two-character query matches."""
    if not key:
        return None
    folded: list[str] = []
    origin: list[int] = []
    for at, char in enumerate(text):
        for piece in unicodedata.normalize("NFKC", char).translate(_SEARCH_TABLE):
            folded.append(piece)
            origin.append(at)
    joined = "".join(folded)
    found = joined.find(key)
    while found >= 0:
        start, end = origin[found], origin[found + len(key) - 1] + 1
        if not whole_word or (_at_word_edge(reversed(text[:start])) and _at_word_edge(text[end:])):
            return start, end
        found = joined.find(key, found + 1)
    return None


def _at_word_edge(chars) -> bool:
    """Whether the characters after a match (or before it, read backwards) end its word:
    the text ends or a separator comes before any letter, past what fa_search_key drops
    inside a word (a ZWNJ, a diacritic)."""
    for char in chars:
        normal = unicodedata.normalize("NFKC", char)
        if normal.translate(_WORDS_TABLE)[:1] == " ":
            return True
        if normal.translate(_SEARCH_TABLE):
            return False
    return True


def fa_search_key_sql_literals() -> tuple[str, str, str]:
    """(from, to, drop) strings for SQL ``translate()``; used to freeze the SQL function
    into its migration and to check that the frozen copy still matches."""
    return (
        "".join(chr(src) for src, _ in SEARCH_FOLDS),
        "".join(chr(dst) for _, dst in SEARCH_FOLDS),
        "".join(chr(code) for code in SEARCH_DROPS),
    )


# Characters no typed text needs: C0/C1 controls and DEL, and the bidi embeddings,
# overrides and isolates (U+202A–202E, U+2066–2069) that make a name display reversed or
# spoof the text around it. ZWNJ and the LRM/RLM marks stay: Persian needs them.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS_RE = re.compile("[\r\n\t\v\f]+")


def clean_typed_text(text: str, *, multiline: bool) -> str:
    """Typed text without control or direction-override characters; single-line text
    (a name, a code, a subject) also without line breaks or tabs, each run a space."""
    if not multiline:
        text = _LINE_BREAKS_RE.sub(" ", text)
    return _CONTROL_RE.sub("", text)
