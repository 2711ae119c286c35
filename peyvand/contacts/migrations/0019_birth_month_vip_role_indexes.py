from django.db import migrations, models

import peyvand.core.operations


def fill_birth_months(apps, schema_editor):
    """The Jalali month of every stored birthday (a few rows: most contacts have none)."""
    from peyvand.contacts.models import jalali_month

    Contact = apps.get_model("contacts", "Contact")
    born = Contact._base_manager.filter(birthday__isnull=False).only("pk", "birthday")
    for contact in born.iterator(chunk_size=2000):
        Contact._base_manager.filter(pk=contact.pk).update(
            birth_month=jalali_month(contact.birthday)
        )


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
