from django.db import migrations

import peyvand.core.operations


class Migration(migrations.Migration):
    """Custom-field filters by equality are containment queries (custom @> {"f3": "x"}),
    served on PostgreSQL as on contacts (contacts 0010)."""

    dependencies = [
        ("sales", "0016_customer_search_key"),
    ]

    operations = [
        peyvand.core.operations.PostgresGinIndex(
            model_name="lead",
            field_name="custom",
            name="lead_custom",
            opclass="jsonb_path_ops",
        ),
    ]
