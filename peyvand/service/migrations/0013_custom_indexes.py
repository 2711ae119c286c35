from django.db import migrations

import peyvand.core.operations


class Migration(migrations.Migration):
    """Custom-field filters by equality are containment queries (custom @> {"f3": "x"}),
    served on PostgreSQL as on contacts (contacts 0010)."""

    dependencies = [
        ("service", "0012_complaint_start_pages"),
    ]

    operations = [
        peyvand.core.operations.PostgresGinIndex(
            model_name="request",
            field_name="custom",
            name="request_custom",
            opclass="jsonb_path_ops",
        ),
        peyvand.core.operations.PostgresGinIndex(
            model_name="complaint",
            field_name="custom",
            name="complaint_custom",
            opclass="jsonb_path_ops",
        ),
    ]
