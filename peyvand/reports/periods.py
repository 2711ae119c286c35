"""The report periods offered (core.periods computes them) and the months of a report's
range, in the reader's calendar."""

import datetime

from peyvand.core.dates import month_names, shift_month, to_calendar

PERIODS = {
    "this_month": "این ماه",
    "last_month": "ماه گذشته",
    "this_quarter": "این فصل",
    "last_quarter": "فصل گذشته",
    "this_year": "امسال (سال مالی)",
    "last_year": "سال گذشته",
    "custom": "بازه دلخواه",
}


def month_label(year: int, month: int, calendar: str) -> str:
    """«آذر 1405», «دسامبر 2026», «رجب 1448 ق»: a month of the reader's calendar."""
    suffix = " ق" if calendar == "hijri" else ""
    return f"{month_names(calendar)[month - 1]} {year}{suffix}"


def months_of(start: datetime.date, end: datetime.date, calendar: str) -> list[tuple[int, int]]:
    """(year, month) of every month of ``calendar`` the range touches, in order."""
    first, last = to_calendar(start, calendar)[:2], to_calendar(end, calendar)[:2]
    months, (year, month) = [], first
    while (year, month) <= last:
        months.append((year, month))
        year, month = shift_month(year, month, 1)
    return months
