"""Report periods in the Jalali calendar: this month, this quarter (فصل), this fiscal
year (the Jalali year)…, or a custom range; each a pair of Gregorian dates, inclusive."""

import datetime

import jdatetime

from peyvand.core.dates import days_in_jalali_month, from_jalali, to_jalali

PERIODS = {
    "this_month": "این ماه",
    "last_month": "ماه گذشته",
    "this_quarter": "این فصل",
    "last_quarter": "فصل گذشته",
    "this_year": "امسال (سال مالی)",
    "last_year": "سال گذشته",
    "custom": "بازه دلخواه",
}


def _month(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    return from_jalali(year, month, 1), from_jalali(year, month, days_in_jalali_month(year, month))


def _shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def period_range(key: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a named period around ``today``."""
    jalali = to_jalali(today)
    year, month = jalali.year, jalali.month
    if key == "this_month":
        return _month(year, month)
    if key == "last_month":
        return _month(*_shift_month(year, month, -1))
    if key in ("this_quarter", "last_quarter"):
        first = (month - 1) // 3 * 3 + 1
        if key == "last_quarter":
            year, first = _shift_month(year, first, -3)
        return _month(year, first)[0], _month(year, first + 2)[1]
    if key == "last_year":
        year -= 1
    return _month(year, 1)[0], _month(year, 12)[1]


def week_range(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The Iranian week around ``today``: Saturday to Friday."""
    start = today - datetime.timedelta(days=(today.weekday() - 5) % 7)
    return start, start + datetime.timedelta(days=6)


def jalali_month_label(year: int, month: int) -> str:
    """«آذر 1405»."""
    return f"{jdatetime.date.j_months_fa[month - 1]} {year}"


def jalali_months(start: datetime.date, end: datetime.date) -> list[tuple[int, int]]:
    """(year, month) of every Jalali month the range touches, in order."""
    first, last = to_jalali(start), to_jalali(end)
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = _shift_month(year, month, 1)
    return months
