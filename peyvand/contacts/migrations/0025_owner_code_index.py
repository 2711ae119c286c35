from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0024_owner_status_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["owner", "code"], name="contact_owner_code"),
        ),
    ]
