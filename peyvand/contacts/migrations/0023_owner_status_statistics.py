from django.db import migrations

import peyvand.core.operations


class Migration(migrations.Migration):
    """Extended statistics on whose a contact is and its status. A rep sees their team's
    contacts, and a rep's contacts are often all of one status (a new rep's are
    prospects, an account manager's customers). Taken as independent, the planner
    expected thousands of a rep's contacts in a status they have none of, and walked the
    whole status index (contact_status_recent) looking for 25: 250 ms at 1,000,000
    contacts for «مشتری». The columns' joint most-common values (one pair per owner and
    status, so up to 1,000 are kept) tell it there are none: it reads the rep's rows
    instead (contact_owner_status_recent, 0024), 13 ms. bench/lists_scale.py measures it.
    The statistics are built by the table's next ANALYZE (README, upgrading); not here,
    where it would also give a new, empty table statistics the test database never had."""

    dependencies = [("contacts", "0022_short_words")]

    operations = [
        peyvand.core.operations.PostgresSQL(
            sql="CREATE STATISTICS IF NOT EXISTS contact_owner_status (mcv, dependencies) "
            "ON owner_id, status FROM contacts_contact",
            reverse_sql="DROP STATISTICS IF EXISTS contact_owner_status",
        ),
        peyvand.core.operations.PostgresSQL(
            sql="ALTER STATISTICS contact_owner_status SET STATISTICS 1000",
            reverse_sql="SELECT 1",
        ),
    ]
