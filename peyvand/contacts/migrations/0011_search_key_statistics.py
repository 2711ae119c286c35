from django.db import migrations

import peyvand.core.operations


class Migration(migrations.Migration):
    """A finer sample of the search key lets PostgreSQL see that a common name («کریمی»,
    56,000 of a million) matches many rows: it then walks the newest-first index and stops
    at the page's 21st match (2 ms) instead of collecting every match through the trigram
    index and sorting them (57 ms). bench/contacts_scale.py measures both."""

    dependencies = [("contacts", "0010_contact_custom")]

    operations = [
        peyvand.core.operations.PostgresSQL(
            sql="ALTER TABLE contacts_contact ALTER COLUMN search_key SET STATISTICS 1000",
            reverse_sql="ALTER TABLE contacts_contact ALTER COLUMN search_key SET STATISTICS -1",
        )
    ]
