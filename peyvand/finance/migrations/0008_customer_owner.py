"""The customer's owner on receipts and cheques, kept by triggers (CopyCustomerField), so
that a rep's visibility (their team's customers' money) needs no join; filled for the
rows there are before their indexes are built."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import peyvand.core.operations


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0021_status_kind_indexes"),
        ("finance", "0007_customer_search_key"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="cheque",
            name="customer_owner",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="کارشناس مشتری",
            ),
        ),
        migrations.AddField(
            model_name="receipt",
            name="customer_owner",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="کارشناس مشتری",
            ),
        ),
        peyvand.core.operations.CopyCustomerField(model_name="cheque", field="owner"),
        peyvand.core.operations.CopyCustomerField(model_name="receipt", field="owner"),
        migrations.AddIndex(
            model_name="cheque",
            index=models.Index(
                fields=["customer_owner", "due_date", "id"], name="cheque_customer_owner"
            ),
        ),
        migrations.AddIndex(
            model_name="cheque",
            index=models.Index(fields=["owner", "due_date", "id"], name="cheque_owner_due"),
        ),
        migrations.AddIndex(
            model_name="receipt",
            index=models.Index(
                fields=["customer_owner", "-date", "-id"], name="receipt_customer_owner"
            ),
        ),
    ]
