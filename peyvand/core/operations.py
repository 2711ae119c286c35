"""Migration operations that only make sense on PostgreSQL."""

from django.db.migrations.operations.base import Operation


class PostgresGinIndex(Operation):
    """A GIN index, on PostgreSQL only: ``gin_trgm_ops`` on a search-key column makes
    ``LIKE '%…%'`` an index scan; ``jsonb_path_ops`` on a JSON column serves containment
    (custom field filters). SQLite has neither; the demo is small enough for a scan."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str, field_name: str, name: str, opclass: str):
        self.model_name = model_name
        self.field_name = field_name
        self.name = name
        self.opclass = opclass

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        table = schema_editor.quote_name(model._meta.db_table)
        column = schema_editor.quote_name(model._meta.get_field(self.field_name).column)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(self.name)} "
            f"ON {table} USING gin ({column} {self.opclass})"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(self.name)}")

    def describe(self):
        return f"GIN ({self.opclass}) index {self.name} on {self.model_name}.{self.field_name}"

    def deconstruct(self):
        return (
            self.__class__.__qualname__,
            [],
            {
                "model_name": self.model_name,
                "field_name": self.field_name,
                "name": self.name,
                "opclass": self.opclass,
            },
        )


class PostgresSQL(Operation):
    """Raw SQL run on PostgreSQL only (tuning that SQLite has no notion of)."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, sql: str, reverse_sql: str):
        self.sql = sql
        self.reverse_sql = reverse_sql

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(self.sql)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(self.reverse_sql)

    def describe(self):
        return f"PostgreSQL only: {self.sql[:60]}"

    def deconstruct(self):
        return (self.__class__.__qualname__, [], {"sql": self.sql, "reverse_sql": self.reverse_sql})
