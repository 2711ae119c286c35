"""Whole words of one or two characters (issue 26, point 4): fa_short_words exists in
Python, as an SQL function on PostgreSQL (core/migrations/0018) and on every SQLite
connection, and all agree; a short query is matched as whole words (text_condition)."""

import importlib

import pytest
from django.db import connection

from peyvand.core.text import (
    fa_short_words,
    fa_short_words_sql_literals,
    search_span,
    typed_short_words,
)

# (text, its short words). Names as they arrive: Persian, Arabic-Indic and full-width
# digits, Arabic letters, ZWNJ and diacritics inside words, punctuation of both scripts.
TRICKY = [
    ("داروخانه ۱۲ فروردین", " 12 "),
    ("داروخانه ١٢ فروردين", " 12 "),  # Arabic-Indic digits, Arabic yeh
    ("داروخانه ۱۲۰", ""),  # three digits: not a short word
    ("آ", " ا "),
    ("آرش", ""),  # the letter inside a word is no word
    ("بيمه ي ما", " ی ما "),
    ("ك و ي", " ک و ی "),
    ("می‌روم به خانه", " به "),  # ZWNJ joins, it does not split
    ("‌به‌", " به "),  # a stray ZWNJ around a word is dropped with it
    ("مُ ن", " م ن "),  # a diacritic goes, its letter stays
    ("A-1 b.C", " a 1 b c "),
    ("AB/ab", " ab "),  # each word once, lower case
    ("«۱۲»، (۳)؛ ۴؟ ۵!", " 12 3 4 5 "),
    ("۱۲٫۵ و ۱۲", " 12 5 و "),  # Arabic decimal separator
    ("ＡＢ １２", " ab 12 "),  # full-width, NFKC
    ("x\u00a0y\u2003z\tw\nv", " x y z w v "),  # no-break, em space, tab, newline
    ("a_b+c=d", " a b c d "),
    ("کالا — ۳ عدد…", " 3 "),  # dashes and the ellipsis
    ("İ ΣΟ", " İ ΣΟ "),  # non-ASCII case left alone, as in the search key
    ("\u200f۷\u200e", " 7 "),  # bidi marks
    ("ـ", ""),  # a tatweel alone folds to nothing
    ("---", ""),
    ("", ""),
]


@pytest.mark.parametrize(("text", "words"), TRICKY)
def test_the_python_function_finds_the_short_whole_words(text, words):
    assert fa_short_words(text) == words


@pytest.mark.django_db
def test_the_database_function_agrees_with_python_on_every_tricky_string():
    """On SQLite this is the Python function registered per connection; on PostgreSQL
    the SQL function frozen in core/migrations/0018."""
    with connection.cursor() as cursor:
        for text, _words in TRICKY:
            cursor.execute("SELECT fa_short_words(%s)", [text])
            assert cursor.fetchone()[0] == fa_short_words(text), text
        cursor.execute("SELECT fa_short_words(NULL)")
        assert cursor.fetchone()[0] is None
    assert fa_short_words(None) is None


def test_the_frozen_sql_separators_match_the_python_list():
    migration = importlib.import_module("peyvand.core.migrations.0018_fa_short_words")
    separators, spaces = fa_short_words_sql_literals()
    assert [ord(char) for char in separators] == migration.SEPARATORS
    assert spaces == " " * len(separators)


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("۱۲", [" 12 "]),
        ("آ", [" ا "]),
        (" Ab ", [" ab "]),
        ("a b", [" a ", " b "]),  # both words, in any order
        ("(۱)", [" 1 "]),
        ("-", []),  # nothing to search by
        ("", []),
        ("۱۲۳", []),  # long enough for the search key
        ("آرش", []),
    ],
)
def test_a_short_query_is_its_whole_words(typed, words):
    assert typed_short_words(typed) == words


@pytest.mark.parametrize(
    ("text", "key", "span"),
    [
        ("0912 12", "12", (5, 7)),  # the word, not the digits inside the phone
        ("۱۲‌ها (۱۲)", "12", (7, 9)),  # «۱۲‌ها» is one word
        ("مُ ن", "م", (0, 1)),  # a diacritic stays inside its word
        ("ساختمان ۱۲", "12", (8, 10)),
        ("xab", "ab", None),
    ],
)
def test_a_short_word_is_marked_only_where_it_is_a_whole_word(text, key, span):
    assert search_span(text, key, whole_word=True) == span
