import django.db.models.functions.text
from django.db import migrations, models

import peyvand.core.operations


class Migration(migrations.Migration):
    """Whole words of one or two characters (core.models.short_words_field) on requests
    and complaints, with their trigram indexes. Every row is rewritten under an exclusive
    lock (a stored generated column is added): plan the upgrade for a quiet hour."""

    dependencies = [
        ("core", "0018_fa_short_words"),
        ("service", "0014_complaint_source_label_in_persian"),
    ]

    operations = [
        peyvand.core.operations.AddFieldKeepingTriggers(
            model_name="complaint",
            name="short_words",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Func(
                    models.F("description"),
                    function="fa_short_words",
                    output_field=models.TextField(),
                ),
                output_field=models.TextField(),
                verbose_name="کلمه\u200cهای کوتاه",
            ),
        ),
        peyvand.core.operations.AddFieldKeepingTriggers(
            model_name="request",
            name="short_words",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Func(
                    django.db.models.functions.text.Concat(
                        models.F("subject"),
                        models.Value(" "),
                        models.F("description"),
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
            model_name="complaint",
            field_name="short_words",
            name="complaint_short_words_trgm",
            opclass="gin_trgm_ops",
        ),
        peyvand.core.operations.PostgresGinIndex(
            model_name="request",
            field_name="short_words",
            name="request_short_words_trgm",
            opclass="gin_trgm_ops",
        ),
    ]
