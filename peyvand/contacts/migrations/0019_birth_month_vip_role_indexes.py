from django.db import migrations, models

import peyvand.core.operations


def fill_birth_months(apps, schema_editor):
    """The Jalali month of every stored birthday: one UPDATE per month over the distinct
    days (a few thousand however many contacts)."""
    from peyvand.contacts.models import jalali_month

    Contact = apps.get_model("contacts", "Contact")
    born = Contact._base_manager.filter(birthday__isnull=False)
    by_month: dict[int, list] = {}
    for day in born.order_by().values_list("birthday", flat=True).distinct():
        by_month.setdefault(jalali_month(day), []).append(day)
    for month, days in by_month.items():
        for start in range(0, len(days), 2000):
            born.filter(birthday__in=days[start : start + 2000]).update(birth_month=month)


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0018_contact_registration_number"),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="birth_month",
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_birth_months, migrations.RunPython.noop),
        # The list's filters: VIPs and a birth month (few rows each, newest first) …
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                condition=models.Q(("is_vip", True)),
                fields=["-created_at", "-id"],
                name="contact_vip_recent",
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                condition=models.Q(("birth_month__isnull", False)),
                fields=["birth_month", "-created_at", "-id"],
                name="contact_birth_month",
            ),
        ),
        # … and a role (roles @> '["agent"]'): containment, as the custom fields.
        peyvand.core.operations.PostgresGinIndex(
            model_name="contact",
            field_name="roles",
            name="contact_roles",
            opclass="jsonb_path_ops",
        ),
    ]
