"""fa_search_key lowers ASCII letters by its translate table instead of lower(): the
Python twin does the same, so both agree whatever the server's locale (see core.text).
Stored search keys are recomputed (a no-op UPDATE rewrites generated columns)."""

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
    *range(0x41, 0x5B),
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
    *range(0x61, 0x7B),
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
    return "U&'" + "".join(f"\\{code:04X}" for code in code_points) + "'"


CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION fa_search_key(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT translate(normalize(value, NFKC), {sql_string(FOLD_FROM + DROP)}, {sql_string(FOLD_TO)}) $$;
"""
# Tables with a search-key column at the time of this migration.
TABLES = ["contacts_contact"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite calls the Python function, already changed
    schema_editor.execute(CREATE_FUNCTION)
    for table in TABLES:
        schema_editor.execute(f"UPDATE {table} SET id = id")  # noqa: S608 - constant names


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_trash_index_and_labels"),
        ("contacts", "0007_trash_index_and_labels"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]
