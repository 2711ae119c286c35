import django.db.models.functions.text
from django.db import migrations, models

import peyvand.core.operations


def _key(*names):
    """fa_search_key() of the fields, frozen here as core.models.search_key_field makes it."""
    parts = []
    for name in names:
        if parts:
            parts.append(models.Value(" "))
        parts.append(models.F(name))
    return models.GeneratedField(
        db_persist=True,
        expression=models.Func(
            django.db.models.functions.text.Concat(*parts, output_field=models.TextField()),
            function="fa_search_key",
            output_field=models.TextField(),
        ),
        output_field=models.TextField(),
        verbose_name="کلید جستجو",
    )


def _customer_key():
    return models.TextField(
        blank=True, default="", editable=False, verbose_name="کلید جستجوی مشتری"
    )


def _searched(model, table, index, fields, *, replaces):
    """The row's search key over its own fields and its customer's key, the triggers
    that copy the customer's key (after the columns: adding a stored generated column
    remakes the table on SQLite, which a trigger naming it would not survive), its
    trigram index and a finer sample (as contacts/0011: a common word is seen to match
    many rows, a rare one few)."""
    operations = [
        migrations.AddField(model_name=model, name="customer_key", field=_customer_key()),
    ]
    if replaces:
        # A stored generated column cannot be altered: dropped (its index with it) and
        # added again over the new fields.
        operations.append(migrations.RemoveField(model_name=model, name="search_key"))
    return [
        *operations,
        migrations.AddField(model_name=model, name="search_key", field=_key(*fields)),
        peyvand.core.operations.CopyCustomerKey(model_name=model),
        peyvand.core.operations.PostgresGinIndex(
            model_name=model, field_name="search_key", name=index, opclass="gin_trgm_ops"
        ),
        peyvand.core.operations.PostgresSQL(
            sql=f"ALTER TABLE {table} ALTER COLUMN search_key SET STATISTICS 1000",
            reverse_sql=f"ALTER TABLE {table} ALTER COLUMN search_key SET STATISTICS -1",
        ),
    ]


class Migration(migrations.Migration):
    """A lead, proforma or invoice found by its customer's name, company or phone
    through its own search key (core.operations.CopyCustomerKey says why). Every row is rewritten under an exclusive lock (a
    stored generated column is added): at the issue's volumes, a few minutes per million
    rows; plan the upgrade for a quiet hour."""

    dependencies = [
        ("contacts", "0019_birth_month_vip_role_indexes"),
        ("core", "0005_fa_search_key_ascii_lower"),
        ("sales", "0015_invoice_subject_and_year_indexes"),
    ]

    operations = [
        *_searched(
            "lead",
            "sales_lead",
            "lead_search_trgm",
            ("code", "title", "person_name", "customer_key"),
            replaces=True,
        ),
        *_searched(
            "quote", "sales_quote", "quote_search_trgm", ("number", "customer_key"), replaces=False
        ),
        *_searched(
            "invoice",
            "sales_invoice",
            "invoice_search_trgm",
            ("number", "customer_key"),
            replaces=False,
        ),
    ]
