"""The activity lists on core.lists (issue 25): the call log's text search (a search key
over the number and the notes, trigram-indexed on PostgreSQL) and the indexes that
serve the task list's sort by date and the event list's sort by start."""

import django.db.models.functions.text
from django.db import migrations, models

import peyvand.core.operations


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0003_pop_up_assignments"),
        ("core", "0005_fa_search_key_ascii_lower"),  # the fa_search_key() SQL function
    ]

    operations = [
        migrations.AddField(
            model_name="call",
            name="search_key",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Func(
                    django.db.models.functions.text.Concat(
                        models.F("number"),
                        models.Value(" "),
                        models.F("notes"),
                        output_field=models.TextField(),
                    ),
                    function="fa_search_key",
                    output_field=models.TextField(),
                ),
                output_field=models.TextField(),
                verbose_name="کلید جستجو",
            ),
        ),
        peyvand.core.operations.PostgresGinIndex(
            model_name="call",
            field_name="search_key",
            name="call_search_trgm",
            opclass="gin_trgm_ops",
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["date", "start_time", "id"], name="event_date"),
        ),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(fields=["date", "id"], name="task_date"),
        ),
    ]
