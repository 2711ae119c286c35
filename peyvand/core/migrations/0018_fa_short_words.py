"""The SQL twin of peyvand.core.text.fa_short_words, on PostgreSQL only (SQLite gets the
Python function per connection, core.apps). The separators are frozen here on purpose:
if the Python list changes, write a new migration that replaces the function (and
rewrites the rows, as core/0005 does); tests/core/test_short_words.py fails until both
agree again. It splits with translate() and string_to_array() on a plain space, never a
regex class, so its words do not depend on the server's locale; fa_search_key folds each
word as the Python twin does."""

from django.db import migrations

SEPARATORS = [
    0x0009,
    0x000A,
    0x000B,
    0x000C,
    0x000D,
    0x0020,
    0x0085,
    0x00A0,
    0x2028,
    0x2029,
    *(ord(char) for char in ".,;:!?()[]{}<>\"'`/\\|-_+=*&^%$#@~"),
    0x00AB,
    0x00BB,
    0x060C,
    0x061B,
    0x061F,
    0x066A,
    0x066B,
    0x066C,
    0x066D,
    0x06D4,
    0x00B7,
    0x2010,
    0x2011,
    0x2012,
    0x2013,
    0x2014,
    0x2015,
    0x2022,
    0x2026,
    0x2018,
    0x2019,
    0x201C,
    0x201D,
    0x2039,
    0x203A,
]
# As core.text.SHORT_WORD_LENGTH.
SHORT_WORD_LENGTH = 2


def sql_string(code_points: list[int]) -> str:
    # U&'\XXXX' keeps invisible characters readable and immune to encoding mishaps.
    return "U&'" + "".join(f"\\{code:04X}" for code in code_points) + "'"


# Each word once, in the order first written (min(at)); no word: '' (string_agg of no
# rows is NULL). STRICT: NULL in, NULL out, as fa_search_key. BEGIN ATOMIC (PostgreSQL
# 14+, as Django 5.2 requires): the body is bound when created, so the fa_search_key it
# calls is found whatever the search_path of whoever writes a row (pg_restore runs with
# an empty one, and recomputes generated columns as it loads them).
CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION fa_short_words(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
SELECT COALESCE(' ' || string_agg(word, ' ' ORDER BY first_at) || ' ', '')
FROM (
    SELECT word, min(at) AS first_at
    FROM (
        SELECT fa_search_key(part) AS word, at
        FROM unnest(string_to_array(
            translate(normalize(value, NFKC), {sql_string(SEPARATORS)}, {sql_string([0x20] * len(SEPARATORS))}),
            ' '
        )) WITH ORDINALITY AS parts(part, at)
    ) AS folded
    WHERE length(word) BETWEEN 1 AND {SHORT_WORD_LENGTH}
    GROUP BY word
) AS words;
END
"""  # noqa: S608 - frozen constants, no input


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_FUNCTION)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS fa_short_words(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0017_calendar_site_default"),
        ("core", "0005_fa_search_key_ascii_lower"),  # the fa_search_key() it calls
    ]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
