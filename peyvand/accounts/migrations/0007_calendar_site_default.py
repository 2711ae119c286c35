from django.db import migrations, models


def follow_site_default(apps, schema_editor):
    # Jalali was everyone's default and the only site calendar until now, so a user on
    # Jalali sees no change when moved to «پیش‌فرض سازمان» — and follows the manager's
    # choice from now on. Gregorian and Hijri were chosen on purpose and stay.
    User = apps.get_model("accounts", "User")
    User.objects.filter(calendar="jalali").update(calendar="default")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_start_page"),
        ("core", "0017_calendar_site_default"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="calendar",
            field=models.CharField(
                choices=[
                    ("default", "پیش\u200cفرض سازمان"),
                    ("jalali", "شمسی"),
                    ("gregorian", "میلادی"),
                    ("hijri", "قمری"),
                ],
                default="default",
                max_length=10,
                verbose_name="تقویم",
            ),
        ),
        migrations.RunPython(follow_site_default, migrations.RunPython.noop),
    ]
