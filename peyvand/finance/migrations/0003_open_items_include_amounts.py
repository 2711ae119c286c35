from django.db import migrations, models


class Migration(migrations.Migration):
    """The open-item partial indexes carry the amounts (INCLUDE, on PostgreSQL) so that a
    sum over every open line is an index-only scan (finance.models, Entry.Meta)."""

    dependencies = [
        ("finance", "0002_invoices_on_accounts"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="entry", name="entry_open_debit"),
        migrations.RemoveIndex(model_name="entry", name="entry_open_credit"),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                condition=models.Q(("debit__gt", models.F("allocated"))),
                fields=["contact", "due_date", "id"],
                include=("debit", "allocated"),
                name="entry_open_debit",
            ),
        ),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                condition=models.Q(("credit__gt", models.F("allocated"))),
                fields=["contact", "date", "id"],
                include=("credit", "allocated"),
                name="entry_open_credit",
            ),
        ),
    ]
