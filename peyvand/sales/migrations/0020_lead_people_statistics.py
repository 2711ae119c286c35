"""Extended statistics on who a lead is of (owner, responsible, next follow-up's user), on
PostgreSQL. A rep's leads are those of their team's people in any of these roles; the
team filter asks for another team's responsible. Taken as independent, the planner
expected hundreds of such leads and walked the whole date index (lead_recent) looking
for 25 of them — 353 ms at 200,000 leads for a team whose leads the rep cannot see —
where the columns' joint values (most values) tell it there are none: 19 ms."""

from django.db import migrations

CREATE = (
    "CREATE STATISTICS IF NOT EXISTS lead_people (mcv, dependencies) "
    "ON owner_id, responsible_id, next_by_id FROM sales_lead"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        schema_editor.execute("ANALYZE sales_lead")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS lead_people")


class Migration(migrations.Migration):
    dependencies = [("sales", "0019_short_words")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
