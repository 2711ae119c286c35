"""Migration operations for what the ORM cannot say: PostgreSQL-only indexes and tuning,
and the triggers that copy a customer's search key onto their rows."""

import re
from contextlib import contextmanager

from django.db import migrations
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


class CopyCustomerKey(Operation):
    """Keeps ``customer_key`` (core.models.customer_key_field) of ``model_name``'s rows
    equal to the search key of the contact their ``contact_id`` points at, by triggers,
    so every way a row or a contact is written — a form, an import's bulk insert, a
    merge moving rows to the survivor, an UPDATE from a bench — keeps it right: the row's
    own trigger copies the key on every insert and update (whatever Django sent), and a
    trigger on contacts_contact copies a changed key onto that contact's rows (their
    contact_id index finds them). Then fills the column for the rows there are.

    Why: a list's text matched rows "whose own key holds it OR whose customer is among
    the customers holding it"; a common name (41,000 customers) or «0912» (most of them)
    made PostgreSQL read and hash every such customer first, 200–750 ms a page at the
    issue's volumes, and a name no customer of the list has walked the whole table. With
    the customer's key in the row's own search key, one trigram index answers both."""

    reduces_to_sql = True
    reversible = True
    # What is copied: the row's ``column`` from the contact's ``source``; ``empty`` is
    # what a row without a contact gets (SQL), None for NULL.
    column = "customer_key"
    source = "search_key"
    empty: str | None = "''"

    def __init__(self, model_name: str):
        self.model_name = model_name

    def state_forwards(self, app_label, state):
        pass

    def _names(self, model) -> tuple[str, str, str]:
        table = model._meta.db_table
        return table, f"{table}_{self.column}", f"{table}_{self.column}_from_contact"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        table, own, from_contact = self._names(model)
        # Every name below comes from the model's Meta, none from input (hence S608).
        column, source = self.column, self.source
        copy = f"(SELECT c.{source} FROM contacts_contact c WHERE c.id = {{row}}.contact_id)"  # noqa: S608
        if self.empty is not None:
            copy = f"COALESCE({copy}, {self.empty})"
        if schema_editor.connection.vendor == "postgresql":
            statements = [
                f"CREATE OR REPLACE FUNCTION {own}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN NEW.{column} := {copy.format(row='NEW')}; RETURN NEW; END $$",
                f"CREATE TRIGGER {own} BEFORE INSERT OR UPDATE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {own}()",
                f"CREATE OR REPLACE FUNCTION {from_contact}() RETURNS trigger LANGUAGE plpgsql "  # noqa: S608
                f"AS $$ BEGIN UPDATE {table} SET {column} = NEW.{source} "
                f"WHERE contact_id = NEW.id; RETURN NULL; END $$",
                f"CREATE TRIGGER {from_contact} AFTER UPDATE ON contacts_contact FOR EACH ROW "
                f"WHEN (OLD.{source} IS DISTINCT FROM NEW.{source}) "
                f"EXECUTE FUNCTION {from_contact}()",
            ]
        else:
            # SQLite's triggers cannot change NEW: the row is updated once written (a
            # trigger's own UPDATE does not fire it again: recursive_triggers is off).
            # Only when the copy is wrong: the UPDATE fires the table's other copies'
            # triggers, which would otherwise each write the row again, and so on.
            wrong = f"NEW.{column} IS NOT {copy.format(row='NEW')}"
            statements = [
                f"CREATE TRIGGER {own}_insert AFTER INSERT ON {table} WHEN {wrong} BEGIN "  # noqa: S608
                f"UPDATE {table} SET {column} = {copy.format(row='NEW')} "
                f"WHERE id = NEW.id; END",
                f"CREATE TRIGGER {own}_update AFTER UPDATE ON {table} WHEN {wrong} BEGIN "  # noqa: S608
                f"UPDATE {table} SET {column} = {copy.format(row='NEW')} "
                f"WHERE id = NEW.id; END",
                f"CREATE TRIGGER {from_contact} AFTER UPDATE ON contacts_contact "  # noqa: S608
                f"WHEN OLD.{source} IS NOT NEW.{source} BEGIN "
                f"UPDATE {table} SET {column} = NEW.{source} "
                f"WHERE contact_id = NEW.id; END",
            ]
        for statement in statements:
            schema_editor.execute(statement, params=None)
        schema_editor.execute(
            f"UPDATE {table} SET {column} = c.{source} FROM contacts_contact c "  # noqa: S608
            f"WHERE c.id = {table}.contact_id",
            params=None,
        )
        if schema_editor.connection.vendor == "postgresql":
            # The UPDATE left deferred foreign-key checks pending, and PostgreSQL builds
            # no index on a table with pending trigger events: run them now.
            schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE", params=None)
            schema_editor.execute("SET CONSTRAINTS ALL DEFERRED", params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        table, own, from_contact = self._names(model)
        if schema_editor.connection.vendor == "postgresql":
            statements = [
                f"DROP TRIGGER IF EXISTS {own} ON {table}",
                f"DROP FUNCTION IF EXISTS {own}()",
                f"DROP TRIGGER IF EXISTS {from_contact} ON contacts_contact",
                f"DROP FUNCTION IF EXISTS {from_contact}()",
            ]
        else:
            statements = [
                f"DROP TRIGGER IF EXISTS {own}_insert",
                f"DROP TRIGGER IF EXISTS {own}_update",
                f"DROP TRIGGER IF EXISTS {from_contact}",
            ]
        for statement in statements:
            schema_editor.execute(statement, params=None)

    def describe(self):
        return f"Copy the customer's search key onto {self.model_name} rows (triggers)"

    def deconstruct(self):
        return (self.__class__.__qualname__, [], {"model_name": self.model_name})


class CopyCustomerField(CopyCustomerKey):
    """Keeps ``customer_<field>`` (core.models.customer_copy_field) equal to the row's
    contact's ``<field>`` (a foreign key: owner, category, region), by the same triggers
    as the customer's search key. Why: a list that filters or sees rows by something of
    their customer's read it through a join, and PostgreSQL then walked the whole table
    newest first when the filter matched few of the rows: money follows its customer's
    owner (finance.models.ContactVisibleQuerySet; 1,680 ms at 1,000,000 receipts), the
    leads filter by their customer's category and region (75 ms and 490 ms under load
    at 200,000 leads). On the row, with its own index, it is a column."""

    empty = None

    def __init__(self, model_name: str, field: str):
        self.model_name = model_name
        self.field = field
        self.column = f"customer_{field}_id"
        self.source = f"{field}_id"

    def describe(self):
        return f"Copy the customer's {self.field} onto {self.model_name} rows (triggers)"

    def deconstruct(self):
        return (
            self.__class__.__qualname__,
            [],
            {"model_name": self.model_name, "field": self.field},
        )


class AddFieldKeepingTriggers(migrations.AddField):
    """AddField on a table that triggers name (CopyCustomerKey's), for a column SQLite
    can only add by remaking the table (a stored generated column): SQLite drops the
    table's own triggers with the old table, and refuses to rename the new one into place
    while another table's trigger names it. The triggers naming the table are set aside
    and created again, as they were, once it is back. PostgreSQL adds the column in place
    and keeps its triggers."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        with _triggers_set_aside(schema_editor, to_state, app_label, self.model_name):
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        with _triggers_set_aside(schema_editor, from_state, app_label, self.model_name):
            super().database_backwards(app_label, schema_editor, from_state, to_state)


@contextmanager
def _triggers_set_aside(schema_editor, state, app_label: str, model_name: str):
    if schema_editor.connection.vendor != "sqlite":
        yield
        return
    table = state.apps.get_model(app_label, model_name)._meta.db_table
    naming = re.compile(rf"\b{re.escape(table)}\b")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
        triggers = [(name, sql) for name, sql in cursor.fetchall() if naming.search(sql)]
    for name, _sql in triggers:
        schema_editor.execute(f"DROP TRIGGER {schema_editor.quote_name(name)}", params=None)
    yield
    for _name, sql in triggers:
        schema_editor.execute(sql, params=None)
