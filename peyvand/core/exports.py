"""Exports of lists: CSV and Excel, streamed with flat memory whatever the row count.
Every list and report exports through these two functions with a list of Columns."""

import csv
import datetime
import functools
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from peyvand.core.dates import format_date, user_calendar
from peyvand.core.formulas import csv_text
from peyvand.core.xlsx import SheetWriter


@dataclass(frozen=True)
class Column:
    label: str
    value: Callable[[Any], Any]
    # text | number | date: numbers stay numeric in Excel; a date becomes two columns,
    # the text people read, in the calendar of whoever exports (Jalali, Gregorian or
    # Hijri), and a real date Excel can sort and filter.
    kind: str = "text"


@functools.cache
def _choice_labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def choice_label(choices, value: str) -> str:
    """A choice's label for an export cell, translated once per process rather than once
    per row (a lazy label's gettext was a fifth of a 100,000-row export)."""
    return _choice_labels(choices).get(value, value)


def cells(columns: list[Column], record, calendar: str = "jalali") -> list:
    cells = []
    for column in columns:
        value = column.value(record)
        if column.kind == "date":
            if isinstance(value, datetime.datetime):
                value = timezone.localtime(value).date()
            cells += [format_date(value, calendar, "latin") if value else "", value]
        else:
            cells.append("" if value is None else value)
    return cells


def headers(columns: list[Column]) -> list[str]:
    headers = []
    for column in columns:
        headers += (
            [column.label, f"{column.label} (میلادی)"] if column.kind == "date" else [column.label]
        )
    return headers


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(records: Iterable, columns: list[Column], filename: str) -> StreamingHttpResponse:
    """UTF-8 with a BOM, so Excel opens Persian text correctly; text that Excel would
    run as a formula is quoted (core.formulas)."""
    writer = csv.writer(_Echo())
    # Read now: the rows are written after the view has returned, when the request's
    # preferences are no longer active.
    calendar = user_calendar()

    def rows():
        yield "\ufeff" + writer.writerow([csv_text(label) for label in headers(columns)])
        for record in records:
            yield writer.writerow(
                [
                    c.isoformat() if isinstance(c, datetime.date) else csv_text(c)
                    for c in cells(columns, record, calendar)
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(
    records: Iterable, columns: list[Column], filename: str, title: str
) -> FileResponse:
    """A right-to-left sheet written row by row to a temporary file (constant memory),
    then streamed from disk."""
    output = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    calendar = user_calendar()
    with SheetWriter(output, title=title, headers=headers(columns)) as sheet:
        for record in records:
            sheet.write_row(cells(columns, record, calendar))
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
