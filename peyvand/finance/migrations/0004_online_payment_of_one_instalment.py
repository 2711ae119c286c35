import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """An online payment may be for one instalment of an invoice (its account line)."""

    dependencies = [
        ("finance", "0003_open_items_include_amounts"),
    ]

    operations = [
        migrations.AddField(
            model_name="onlinepayment",
            name="instalment",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="online_payments",
                to="finance.entry",
                verbose_name="قسط",
            ),
        ),
    ]
