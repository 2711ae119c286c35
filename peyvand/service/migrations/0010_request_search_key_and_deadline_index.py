import django.db.models.functions.text
from django.db import migrations, models

import peyvand.core.operations


class Migration(migrations.Migration):
    """The request list's text search (tracking code, subject and description, folded
    by fa_search_key and matched by a trigram index on PostgreSQL) and its sort by
    deadline. Adding a stored generated column rewrites service_request under an
    exclusive lock: at 500,000 requests, plan the upgrade for a quiet hour."""

    dependencies = [
        ("core", "0005_fa_search_key_ascii_lower"),
        ("service", "0009_portal_assignee"),
    ]

    operations = [
        migrations.AddField(
            model_name="request",
            name="search_key",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Func(
                    django.db.models.functions.text.Concat(
                        models.F("tracking_code"),
                        models.Value(" "),
                        models.F("subject"),
                        models.Value(" "),
                        models.F("description"),
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
            model_name="request",
            field_name="search_key",
            name="request_search_trgm",
            opclass="gin_trgm_ops",
        ),
        # As contacts/0011: a finer sample lets PostgreSQL see that a common word matches
        # many requests (walk the newest-first index) and a rare one few (the trigrams).
        peyvand.core.operations.PostgresSQL(
            sql="ALTER TABLE service_request ALTER COLUMN search_key SET STATISTICS 1000",
            reverse_sql="ALTER TABLE service_request ALTER COLUMN search_key SET STATISTICS -1",
        ),
        migrations.AddIndex(
            model_name="request",
            index=models.Index(fields=["deadline", "id"], name="request_deadline"),
        ),
    ]
