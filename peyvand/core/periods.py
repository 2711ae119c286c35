"""Named Jalali periods around a day — this month, last quarter, this year (the fiscal
year is the Jalali year)… — each a pair of Gregorian dates, inclusive. Reports pick
their period with these; list filters offer them as a date range's presets."""

import datetime

from peyvand.core.dates import days_in_jalali_month, from_jalali, to_jalali


def _month(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    return from_jalali(year, month, 1), from_jalali(year, month, days_in_jalali_month(year, month))


def shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def week_range(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The Iranian week around ``today``: Saturday to Friday."""
    start = today - datetime.timedelta(days=(today.weekday() - 5) % 7)
    return start, start + datetime.timedelta(days=6)


def period_range(key: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a named period around ``today``: this_month,
    last_month, this_quarter, last_quarter, this_year, last_year; and for lists also
    today, yesterday, tomorrow, this_week, last_week, next_week, next_30_days."""
    day = datetime.timedelta(days=1)
    if key == "today":
        return today, today
    if key == "yesterday":
        return today - day, today - day
    if key == "tomorrow":
        return today + day, today + day
    if key in ("this_week", "last_week", "next_week"):
        shift = {"this_week": 0, "last_week": -7, "next_week": 7}[key]
        return week_range(today + datetime.timedelta(days=shift))
    if key == "next_30_days":
        return today, today + datetime.timedelta(days=30)
    jalali = to_jalali(today)
    year, month = jalali.year, jalali.month
    if key == "this_month":
        return _month(year, month)
    if key == "last_month":
        return _month(*shift_month(year, month, -1))
    if key in ("this_quarter", "last_quarter"):
        first = (month - 1) // 3 * 3 + 1
        if key == "last_quarter":
            year, first = shift_month(year, first, -3)
        return _month(year, first)[0], _month(year, first + 2)[1]
    if key == "last_year":
        year -= 1
    elif key != "this_year":
        raise ValueError(f"unknown period {key!r}")
    return _month(year, 1)[0], _month(year, 12)[1]
