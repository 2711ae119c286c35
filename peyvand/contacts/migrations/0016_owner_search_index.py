from django.db import migrations

import peyvand.core.operations


class Migration(migrations.Migration):
    """A rep sees a team's share of the contacts: a search is "these owners AND this
    text". One GIN index over both columns (btree_gin lets owner_id into a GIN index)
    answers it in one scan instead of intersecting the trigram matches of the whole table
    with the owners' rows: «علي كريمي» for a rep 25 → 10 ms, a phone fragment 27 → 17 ms
    at a million contacts. btree_gin is a trusted extension (PostgreSQL 13+): the
    database owner may create it."""

    dependencies = [("contacts", "0015_bank_accounts_addresses")]

    operations = [
        peyvand.core.operations.PostgresSQL(
            sql="CREATE EXTENSION IF NOT EXISTS btree_gin",
            reverse_sql="SELECT 1",  # other indexes may use it; leave it installed
        ),
        peyvand.core.operations.PostgresSQL(
            sql=(
                "CREATE INDEX IF NOT EXISTS contact_owner_search_trgm ON contacts_contact "
                "USING gin (owner_id, search_key gin_trgm_ops)"
            ),
            reverse_sql="DROP INDEX IF EXISTS contact_owner_search_trgm",
        ),
    ]
