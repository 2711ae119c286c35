"""Custom field values as people read them, and as export columns."""

from peyvand.core.exports import Column
from peyvand.core.templatetags.peyvand import fa_date, fa_number
from peyvand.customfields.models import CustomField, sections


def display_value(field: CustomField, raw) -> str:
    if raw is None or raw == "":
        return ""
    value = field.from_json(raw)
    if field.kind == CustomField.Kind.BOOLEAN:
        return "بله" if value else "خیر"
    if field.kind == CustomField.Kind.DATE:
        return fa_date(value)
    if field.kind == CustomField.Kind.NUMBER:
        return fa_number(value)
    return str(value)


def value_sections(fields: list[CustomField], record) -> list[tuple[str, list]]:
    """[(section, [(label, text), …]), …] of the fields that have a value."""
    stored = record.custom or {}
    result = []
    for title, members in sections(fields):
        rows = [
            (field.label, display_value(field, stored.get(field.key)))
            for field in members
            if stored.get(field.key) not in (None, "")
        ]
        if rows:
            result.append((title, rows))
    return result


def history_text(target: str, values: dict) -> str:
    """A record's custom values for its change history: «label: value»، …"""
    fields = {field.key: field for field in CustomField.objects.filter(target=target)}
    parts = [
        f"{fields[key].label}: {display_value(fields[key], raw)}" if key in fields else str(raw)
        for key, raw in values.items()
    ]
    return "، ".join(parts)


def export_columns(fields: list[CustomField]) -> list[Column]:
    """One column per field: numbers numeric and dates as dates in Excel."""

    def reader(field: CustomField):
        if field.kind == CustomField.Kind.NUMBER:
            return lambda record: _number(field.from_json((record.custom or {}).get(field.key)))
        if field.kind in (CustomField.Kind.DATE,):
            return lambda record: field.from_json((record.custom or {}).get(field.key))
        if field.kind == CustomField.Kind.BOOLEAN:
            return lambda record: display_value(field, (record.custom or {}).get(field.key))
        return lambda record: (record.custom or {}).get(field.key, "")

    kinds = {CustomField.Kind.NUMBER: "number", CustomField.Kind.DATE: "date"}
    return [Column(field.label, reader(field), kinds.get(field.kind, "text")) for field in fields]


def _number(value):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
