"""Exports of lists: CSV and Excel, streamed with flat memory whatever the row count.
Every list and report exports through these two functions with a list of Columns."""

import csv
import datetime
import functools
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from peyvand.core.dates import format_date


@dataclass(frozen=True)
class Column:
    label: str
    value: Callable[[Any], Any]
    # text | number | date: numbers stay numeric in Excel; a date becomes two columns,
    # the Jalali text people read and a real date Excel can sort and filter.
    kind: str = "text"


@functools.cache
def _choice_labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def choice_label(choices, value: str) -> str:
    """A choice's label for an export cell, translated once per process rather than once
    per row (a lazy label's gettext was a fifth of a 100,000-row export)."""
    return _choice_labels(choices).get(value, value)


def _cells(columns: list[Column], record) -> list:
    cells = []
    for column in columns:
        value = column.value(record)
        if column.kind == "date":
            if isinstance(value, datetime.datetime):
                value = timezone.localtime(value).date()
            cells += [format_date(value, "jalali", "latin") if value else "", value]
        else:
            cells.append("" if value is None else value)
    return cells


def _headers(columns: list[Column]) -> list[str]:
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
    """UTF-8 with a BOM, so Excel opens Persian text correctly."""
    writer = csv.writer(_Echo())

    def rows():
        yield "\ufeff" + writer.writerow(_headers(columns))
        for record in records:
            yield writer.writerow(
                [
                    c.isoformat() if isinstance(c, datetime.date) else c
                    for c in _cells(columns, record)
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(
    records: Iterable, columns: list[Column], filename: str, title: str
) -> FileResponse:
    """A right-to-left sheet written row by row to a temporary file (constant_memory),
    then streamed from disk."""
    output = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    workbook = xlsxwriter.Workbook(output, {"constant_memory": True, "in_memory": False})
    sheet = workbook.add_worksheet(title[:31])
    sheet.right_to_left()
    bold = workbook.add_format({"bold": True, "bg_color": "#E8EEFC"})
    number = workbook.add_format({"num_format": "#,##0"})
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    headers = _headers(columns)
    sheet.write_row(0, 0, headers, bold)
    sheet.set_column(0, len(headers) - 1, 18)
    sheet.freeze_panes(1, 0)
    for row, record in enumerate(records, start=1):
        for col, value in enumerate(_cells(columns, record)):
            if value == "" or value is None:
                continue  # an empty cell costs XlsxWriter as much as a written one
            if isinstance(value, datetime.date):
                sheet.write_datetime(row, col, value, date)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(row, col, value, number)
            else:
                sheet.write_string(row, col, str(value))
    workbook.close()
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
