from django.db import migrations

import peyvand.core.operations


class Migration(migrations.Migration):
    """Custom-field filters by equality are containment queries (custom @> {"f3": "x"}),
    served on PostgreSQL as on contacts (contacts 0010)."""

    dependencies = [
        ("contacts", "0019_birth_month_vip_role_indexes"),
    ]

    operations = [
        peyvand.core.operations.PostgresGinIndex(
            model_name="phonebookentry",
            field_name="custom",
            name="phonebookentry_custom",
            opclass="jsonb_path_ops",
        ),
    ]
