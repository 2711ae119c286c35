"""The SQL twin of peyvand.core.text.fa_search_key, on PostgreSQL only (SQLite gets the
Python function per connection). The character tables are frozen here on purpose: if the
Python tables change, write a new migration that replaces the function;
tests/core/test_search_key.py fails until both agree again."""

from django.db import migrations

FOLD_FROM = [
    0x064A,
    0x0649,
    0x0626,
    0x0643,
    0x0629,
    0x06C0,
    0x0623,
    0x0625,
    0x0671,
    0x0622,
    0x0624,
    *range(0x06F0, 0x06FA),
    *range(0x0660, 0x066A),
]
FOLD_TO = [
    0x06CC,
    0x06CC,
    0x06CC,
    0x06A9,
    0x0647,
    0x0647,
    0x0627,
    0x0627,
    0x0627,
    0x0627,
    0x0648,
    *range(0x30, 0x3A),
    *range(0x30, 0x3A),
]
DROP = [
    *range(0x064B, 0x0660),
    0x0670,
    0x0640,
    *range(0x200B, 0x2010),
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
    0x00AD,
    0xFEFF,
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
]


def sql_string(code_points: list[int]) -> str:
    # U&'\XXXX' keeps invisible characters readable and immune to encoding mishaps.
    return "U&'" + "".join(f"\\{code:04X}" for code in code_points) + "'"


# translate(): characters of FROM beyond the length of TO are deleted.
CREATE_FUNCTION = f"""
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE OR REPLACE FUNCTION fa_search_key(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT lower(translate(normalize(value, NFKC), {sql_string(FOLD_FROM + DROP)}, {sql_string(FOLD_TO)})) $$;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_FUNCTION)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS fa_search_key(text)")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
