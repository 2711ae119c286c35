"""Custom fields on a list (core.lists). As one filter: ``cf<id>`` for text (contains),
choice and yes/no (equals, ``1``/``0``), ``cf<id>_from`` / ``cf<id>_to`` for numbers
and Jalali dates. As columns (``ListSpec.more_columns``): one per field, hidden until a
user shows it. The fields are read once per request, whether any is set or shown."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import connection
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.safestring import SafeString, mark_safe

from peyvand.core.dates import parse_date, user_calendar
from peyvand.core.lists import Column, Filter, Reading
from peyvand.core.text import normalize_persian
from peyvand.customfields.display import display_value
from peyvand.customfields.forms import parse_decimal
from peyvand.customfields.models import CustomField

# Any custom field's parameter, of a field that exists or not (what a chip's × removes).
PARAMETER = re.compile(r"^cf\d+(?:_from|_to)?$")
RANGED = (CustomField.Kind.NUMBER, CustomField.Kind.DATE)
YES_NO = [("1", "بله"), ("0", "خیر")]


def parameter(field: CustomField, suffix: str = "") -> str:
    return f"cf{field.pk}{suffix}"


def target_fields(reading: Reading, target: str) -> list[CustomField]:
    """The active custom fields of ``target``: one query per request, shared by the
    filters and the columns."""
    return reading.source(f"custom:{target}", lambda: list(CustomField.objects.for_target(target)))


@dataclass(frozen=True, kw_only=True)
class CustomFieldFilters(Filter):
    """The active custom fields of ``target`` ("contacts.contact"), each filtered by its
    own parameters. A value that cannot be read (a date that does not exist, a number
    with letters) is dropped with a Persian warning."""

    name: str = "custom"
    label: str = "اطلاعات تکمیلی"
    target: str
    template = "customfields/lists/_filters.html"

    def fields(self, reading: Reading) -> list[CustomField]:
        return target_fields(reading, self.target)

    def names(self, reading: Reading | None = None) -> tuple[str, ...]:
        """The ``cf<id>…`` parameters of the target's fields (known once the request
        has read them)."""
        if reading is None:
            return ()
        names = []
        for field in self.fields(reading):
            suffixes = ("_from", "_to") if field.kind in RANGED else ("",)
            names += [parameter(field, suffix) for suffix in suffixes]
        return tuple(names)

    def parameters(self) -> dict[str, tuple[Any, str]]:
        # ``cf<id>…`` are rows, not declared names: the API reads them from the query
        # string and says so in its description.
        return {}

    def clear(self, params: QueryDict) -> None:
        for name in [name for name in params if PARAMETER.match(name)]:
            params.pop(name, None)

    def read(self, params: QueryDict, reading: Reading) -> Any:
        values: dict[int, tuple] = {}
        for field in self.fields(reading):
            if field.kind in RANGED:
                low = self._bound(field, params.get(parameter(field, "_from"), ""), reading)
                high = self._bound(field, params.get(parameter(field, "_to"), ""), reading)
                if low is not None or high is not None:
                    values[field.pk] = (low, high)
                continue
            raw = normalize_persian(params.get(parameter(field), "")).strip()
            if not raw:
                continue
            if field.kind == CustomField.Kind.BOOLEAN:
                if raw not in ("1", "0"):
                    continue
                values[field.pk] = (raw == "1",)
            else:
                values[field.pk] = (raw[:100],)
        return values or None

    @staticmethod
    def _bound(field: CustomField, raw: str, reading: Reading):
        raw = raw.strip()
        if not raw:
            return None
        try:
            if field.kind == CustomField.Kind.DATE:
                return field.to_json(parse_date(raw, user_calendar(), today=reading.today))
            return field.to_json(parse_decimal(raw))
        except forms.ValidationError as error:
            reading.warnings.append(f"این فیلتر به کار نرفت؛ «{field.label}»: {error.messages[0]}")
            return None

    def narrow(self, queryset: QuerySet, value: Any, reading: Reading) -> QuerySet:
        for field in self.fields(reading):
            if field.pk not in value:
                continue
            lookup = f"custom__{field.key}"
            if field.kind in RANGED:
                low, high = value[field.pk]
                if low is not None:
                    queryset = queryset.filter(**{f"{lookup}__gte": low})
                if high is not None:
                    queryset = queryset.filter(**{f"{lookup}__lte": high})
            elif field.kind == CustomField.Kind.TEXT:
                queryset = queryset.filter(**{f"{lookup}__icontains": value[field.pk][0]})
            elif connection.features.supports_json_field_contains:
                # Containment is what PostgreSQL's GIN index on the column serves.
                queryset = queryset.filter(custom__contains={field.key: value[field.pk][0]})
            else:
                queryset = queryset.filter(**{lookup: value[field.pk][0]})
        return queryset

    def options(self, reading: Reading) -> list[dict]:
        """What the bar renders: each field with its parameters and the values typed."""
        rows = []
        for field in self.fields(reading):
            ranged = field.kind in RANGED
            rows.append(
                {
                    "field": field,
                    "ranged": ranged,
                    "names": [parameter(field, "_from"), parameter(field, "_to")]
                    if ranged
                    else [parameter(field)],
                    "options": YES_NO
                    if field.kind == CustomField.Kind.BOOLEAN
                    else [(option, option) for option in field.option_list],
                }
            )
        return rows

    def chip(self, value: Any, reading: Reading) -> str:
        shown = []
        for field in self.fields(reading):
            if field.pk not in value:
                continue
            if field.kind in RANGED:
                low, high = value[field.pk]
                parts = [
                    f"{word} {display_value(field, bound)}"
                    for word, bound in (("از", low), ("تا", high))
                    if bound is not None
                ]
                shown.append(f"{field.label} {' '.join(parts)}")
            else:
                shown.append(f"{field.label}: {display_value(field, value[field.pk][0])}")
        return "، ".join(shown)


def column_key(field: CustomField) -> str:
    return f"custom:{field.key}"


def custom_cell(field: CustomField):
    """A row's value of ``field`` as people read it (customfields.display): a date in the
    reader's calendar and digits, a number grouped in their digits and left to right (a
    minus sign stays in front), yes/no as «بله/خیر», text escaped."""
    wrap = {
        CustomField.Kind.NUMBER: '<span class="ltr text-nowrap">{}</span>',
        CustomField.Kind.DATE: '<span class="text-nowrap">{}</span>',
    }.get(field.kind, "{}")

    def cell(row) -> SafeString:
        raw = (row.custom or {}).get(field.key)
        try:
            text = display_value(field, raw)
        except (ValueError, TypeError, ArithmeticError):
            # A value no form wrote (a hand edit in the database): shown as stored,
            # rather than a list page that fails for every row.
            text = str(raw)
        if not text:
            return mark_safe("")
        return mark_safe(wrap.format(html.escape(text)))  # noqa: S308 - escaped here

    return cell


@dataclass(frozen=True)
class CustomFieldColumns:
    """The active custom fields of ``target`` as a list's columns (``ListSpec.more_columns``),
    keyed ``custom:f<id>`` and hidden until a user shows them from «ستون‌ها». A field
    deactivated or removed leaves the columns, and the saved choices skip its key. The
    list's rows must load ``custom`` (the cells read it from each row)."""

    target: str

    def __call__(self, reading: Reading) -> list[Column]:
        return [
            Column(column_key(field), field.label, custom_cell(field), default=False)
            for field in target_fields(reading, self.target)
        ]


def typed_values(params: QueryDict, rows: list[dict]) -> list[dict]:
    """The bar's rows with what was typed in each input (a bad date too, to correct)."""
    return [{**row, "values": [params.get(name, "") for name in row["names"]]} for row in rows]
