from django.db import migrations, models

import peyvand.core.operations


class Migration(migrations.Migration):
    """A call found by its contact's name, company or phone through the contact's key
    copied onto the call (core.operations.CopyCustomerKey), apart from the call's own
    search key: the list asks it only where the reader may see the contact. Rewrites
    activities_call: at a million calls, a few minutes."""

    dependencies = [
        ("activities", "0004_list_sorts_and_call_search"),
        ("contacts", "0019_birth_month_vip_role_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="call",
            name="customer_key",
            field=models.TextField(
                blank=True, default="", editable=False, verbose_name="کلید جستجوی مشتری"
            ),
        ),
        peyvand.core.operations.CopyCustomerKey(model_name="call"),
        peyvand.core.operations.PostgresGinIndex(
            model_name="call",
            field_name="customer_key",
            name="call_customer_trgm",
            opclass="gin_trgm_ops",
        ),
        peyvand.core.operations.PostgresSQL(
            sql="ALTER TABLE activities_call ALTER COLUMN customer_key SET STATISTICS 1000",
            reverse_sql="ALTER TABLE activities_call ALTER COLUMN customer_key SET STATISTICS -1",
        ),
    ]
