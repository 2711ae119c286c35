"""Exports of lists: CSV and Excel, streamed with flat memory whatever the row count.
Every list and report exports through these two functions with a list of Columns."""

import csv
import datetime
import functools
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from peyvand.core.dates import format_date, to_jalali, user_calendar
from peyvand.core.digits import localize_label
from peyvand.core.formulas import csv_text
from peyvand.core.text import to_latin_digits, to_persian_digits
from peyvand.core.xlsx import SheetWriter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters a file name may not hold on Windows or in a path (and control characters).
_UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def download_name(
    title: str, extension: str, *, day: datetime.date | None = None, dated: bool = True
) -> str:
    """The name a downloaded file gets: Persian, «مخاطبین ۱۴۰۵-۰۹-۱۳.xlsx» — the title,
    then the Jalali day (today unless ``day``) in Persian digits. ``dated=False`` for a
    title that names its own number or period («پیش فاکتور ۱۴۰۵/۰۰۰۰۲»). Every digit
    becomes Persian, the half-space (ZWNJ) is kept, a slash or another character no file
    name may hold becomes «-», runs of spaces fold into one. Send it with
    ``content_disposition``, which adds the ASCII fallback old clients need."""
    if dated:
        jalali = to_jalali(day or timezone.localdate())
        title = f"{title} {jalali.year:04d}-{jalali.month:02d}-{jalali.day:02d}"
    stem = " ".join(_UNSAFE_IN_NAMES.sub("-", title).split())
    return f"{to_persian_digits(stem)}.{extension}"


def ascii_download_name(filename: str, stem: str = "") -> str:
    """The fallback for ``filename=`` in Content-Disposition, for a client that does not
    read ``filename*``: ``stem`` (or «peyvand») and the ASCII parts of the name — its
    digits in Latin, so the date or number survives — with the extension."""
    name, dot, extension = filename.rpartition(".")
    if not dot:
        name, extension = filename, ""
    kept = re.sub(r"[^A-Za-z0-9._-]+", " ", to_latin_digits(name)).split()
    words = [stem or "peyvand", *(word for word in kept if word.strip("-._"))]
    fallback = "-".join(words)
    return f"{fallback}.{extension}" if extension else fallback


def content_disposition(filename: str, *, as_attachment: bool = True, stem: str = "") -> str:
    """The Content-Disposition header for a download named ``filename`` (core's
    ``download_name``): the ASCII fallback in ``filename=`` and the UTF-8 name in
    ``filename*=`` (RFC 6266), which every current browser prefers. Django's own
    ``content_disposition_header`` sends a non-ASCII name only as ``filename*``."""
    disposition = "attachment" if as_attachment else "inline"
    fallback = ascii_download_name(filename, stem) if not filename.isascii() else filename
    fallback = fallback.replace("\\", "\\\\").replace('"', '\\"')
    header = f'{disposition}; filename="{fallback}"'
    if not filename.isascii():
        header += f"; filename*=utf-8''{quote(filename, safe='')}"
    return header


def _with_extension(filename: str, extension: str) -> str:
    """Callers give a name with its extension (download_name) or, as before, without."""
    suffix = f".{extension}"
    return filename if filename.endswith(suffix) else filename + suffix


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
    labels = [csv_text(localize_label(label)) for label in headers(columns)]

    def rows():
        yield "\ufeff" + writer.writerow(labels)
        for record in records:
            yield writer.writerow(
                [
                    c.isoformat() if isinstance(c, datetime.date) else csv_text(c)
                    for c in cells(columns, record, calendar)
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(_with_extension(filename, "csv"))
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
    response = FileResponse(output, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(_with_extension(filename, "xlsx"))
    return response
