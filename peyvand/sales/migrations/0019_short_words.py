import django.db.models.functions.text
from django.db import migrations, models

import peyvand.core.operations


class Migration(migrations.Migration):
    """Whole words of one or two characters (core.models.short_words_field) on leads,
    with their trigram index. Every row is rewritten under an exclusive lock (a stored
    generated column is added): plan the upgrade for a quiet hour."""

    dependencies = [
        ("core", "0018_fa_short_words"),
        ("sales", "0018_unpaid_number_index"),
    ]

    operations = [
        peyvand.core.operations.AddFieldKeepingTriggers(
            model_name="lead",
            name="short_words",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Func(
                    django.db.models.functions.text.Concat(
                        models.F("title"),
                        models.Value(" "),
                        models.F("person_name"),
                        output_field=models.TextField(),
                    ),
                    function="fa_short_words",
                    output_field=models.TextField(),
                ),
                output_field=models.TextField(),
                verbose_name="کلمه\u200cهای کوتاه",
            ),
        ),
        peyvand.core.operations.PostgresGinIndex(
            model_name="lead",
            field_name="short_words",
            name="lead_short_words_trgm",
            opclass="gin_trgm_ops",
        ),
    ]
