"""The report periods offered (core.periods computes them) and Jalali month labels."""

import datetime

import jdatetime

from peyvand.core.dates import to_jalali
from peyvand.core.periods import shift_month

PERIODS = {
    "this_month": "این ماه",
    "last_month": "ماه گذشته",
    "this_quarter": "این فصل",
    "last_quarter": "فصل گذشته",
    "this_year": "امسال (سال مالی)",
    "last_year": "سال گذشته",
    "custom": "بازه دلخواه",
}


def jalali_month_label(year: int, month: int) -> str:
    """«آذر 1405»."""
    return f"{jdatetime.date.j_months_fa[month - 1]} {year}"


def jalali_months(start: datetime.date, end: datetime.date) -> list[tuple[int, int]]:
    """(year, month) of every Jalali month the range touches, in order."""
    first, last = to_jalali(start), to_jalali(end)
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = shift_month(year, month, 1)
    return months
