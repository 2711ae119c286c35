"""The customer's category and region on leads, kept by triggers (CopyCustomerField), for
the list's subtree filters without a join through the contact, filled for the leads there
are before their indexes are built; the year index ends in the list's order."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import peyvand.core.operations


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0022_short_words"),
        ("lookups", "0005_grade_credit_days_grade_credit_limit_and_more"),
        ("sales", "0020_lead_people_statistics"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="lead",
            name="lead_fiscal_year",
        ),
        migrations.AddField(
            model_name="lead",
            name="customer_category",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="contacts.category",
                verbose_name="صنف مشتری",
            ),
        ),
        migrations.AddField(
            model_name="lead",
            name="customer_region",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="contacts.region",
                verbose_name="منطقه مشتری",
            ),
        ),
        peyvand.core.operations.CopyCustomerField(model_name="lead", field="category"),
        peyvand.core.operations.CopyCustomerField(model_name="lead", field="region"),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                fields=["fiscal_year", "status", "-created_at", "-id"], name="lead_fiscal_year"
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                fields=["customer_category", "-created_at", "-id"], name="lead_customer_category"
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                fields=["customer_region", "-created_at", "-id"], name="lead_customer_region"
            ),
        ),
    ]
