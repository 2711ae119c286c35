import django.db.models.functions.text
from django.db import migrations, models

import peyvand.core.operations


class Migration(migrations.Migration):
    """Whole words of one or two characters (core.models.short_words_field) on contacts
    and phone-book entries, each with its trigram index: «۱۲» finds «داروخانه ۱۲ فروردین»
    by the word, through the index, at a million rows. Every row is rewritten under an
    exclusive lock (a stored generated column is added): plan the upgrade for a quiet
    hour."""

    dependencies = [
        ("core", "0018_fa_short_words"),
        ("contacts", "0021_status_kind_indexes"),
    ]

    operations = [
        peyvand.core.operations.AddFieldKeepingTriggers(
            model_name="contact",
            name="short_words",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Func(
                    django.db.models.functions.text.Concat(
                        models.F("name"),
                        models.Value(" "),
                        models.F("company"),
                        output_field=models.TextField(),
                    ),
                    function="fa_short_words",
                    output_field=models.TextField(),
                ),
                output_field=models.TextField(),
                verbose_name="کلمه\u200cهای کوتاه",
            ),
        ),
        migrations.AddField(
            model_name="phonebookentry",
            name="short_words",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Func(
                    django.db.models.functions.text.Concat(
                        models.F("name"),
                        models.Value(" "),
                        models.F("company"),
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
            model_name="contact",
            field_name="short_words",
            name="contact_short_words_trgm",
            opclass="gin_trgm_ops",
        ),
        peyvand.core.operations.PostgresGinIndex(
            model_name="phonebookentry",
            field_name="short_words",
            name="phonebook_short_words_trgm",
            opclass="gin_trgm_ops",
        ),
    ]
