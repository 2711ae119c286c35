from django.db import migrations

GRADES = [("الف", "warning"), ("ب", "primary"), ("ج", "secondary")]


def load(apps, schema_editor):
    Grade = apps.get_model("lookups", "Grade")
    for order, (name, color) in enumerate(GRADES, start=1):
        Grade.objects.get_or_create(name=name, defaults={"color": color, "order": order})


class Migration(migrations.Migration):
    dependencies = [("lookups", "0003_grade")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
