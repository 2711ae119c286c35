from django.db import migrations


def create_row(apps, schema_editor):
    # The single settings row exists from the start, so reading it is one SELECT.
    apps.get_model("core", "SiteSettings").objects.get_or_create(pk=1, defaults={"weekend": [4]})


class Migration(migrations.Migration):
    dependencies = [("core", "0002_fa_search_key")]
    operations = [migrations.RunPython(create_row, migrations.RunPython.noop)]
