"""Inserting many rows at once (imports). On PostgreSQL the rows go through COPY, with
primary keys taken from the table's sequence first; elsewhere through bulk_create.

Django's bulk_create on PostgreSQL sends each column as an array (UNNEST), and psycopg
builds those arrays in Python: for 1,000 contacts that was 210 ms against 46 ms for the
database's own work. COPY takes the same rows in about a fifth of the time. Rows are
given as dictionaries, not model instances: building 300,000 instances (a contact, its
phones and its history line per imported row) was a fifth of a 100,000-row import."""

from django.db import connection, models
from django.utils import timezone

# Values psycopg writes as they are: on PostgreSQL Django passes these types through
# unchanged anyway. Other fields (JSON…) go through Django's own preparation.
_PLAIN = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
    models.DecimalField,
    models.DateField,  # and DateTimeField
    models.ForeignKey,
)


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and not field.generated
    ]


def _filler(field: models.Field, now):
    """What a row that does not name ``field`` stores in it: Django's auto_now time or
    the field's default, as save() would."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda: now
    return field.get_default


def bulk_insert(model: type[models.Model], rows: list[dict]) -> list[int]:
    """Inserts ``rows`` (field attnames → values; a missing field takes its default) and
    returns their new primary keys in order. No signals, no save(), no validation: the
    caller has cleaned every value."""
    if not rows:
        return []
    fields = _columns(model)
    now = timezone.now()
    fillers = {field.attname: _filler(field, now) for field in fields}
    for row in rows:
        if not row.keys() <= fillers.keys():  # a misspelt name would be dropped silently
            raise TypeError(f"{model.__name__} has no field {set(row) - fillers.keys()}")
    if connection.vendor != "postgresql":
        objects = model.objects.bulk_create(
            [
                model(
                    **{name: row[name] if name in row else fill() for name, fill in fillers.items()}
                )
                for row in rows
            ]
        )
        return [obj.pk for obj in objects]
    meta = model._meta
    prepare = {field.attname: None if isinstance(field, _PLAIN) else field for field in fields}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        pks = [pk for (pk,) in cursor.fetchall()]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in [meta.pk, *fields])
        table = connection.ops.quote_name(meta.db_table)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for pk, row in zip(pks, rows, strict=True):
                values = [pk]
                for name, field in prepare.items():
                    value = row[name] if name in row else fillers[name]()
                    if field is not None:
                        value = field.get_db_prep_save(value, connection)
                    values.append(value)
                copy.write_row(values)
    return pks
