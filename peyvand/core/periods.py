"""Named periods around a day — this month, last quarter, this year… in the user's
calendar (Jalali, Gregorian or Hijri), and the fiscal year (always the Jalali year, the
company's) — each a pair of Gregorian dates, inclusive. Reports pick their period with
these; list filters offer them as a date range's presets."""

import datetime

from peyvand.core.dates import month_range, shift_month, to_calendar, year_bounds

__all__ = ["fiscal_year_range", "period_range", "shift_month", "week_range"]


def fiscal_year_range(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The company's fiscal year around ``today``: the Jalali year, whatever calendar
    the user reads dates in."""
    return year_bounds(today, "jalali")


def week_range(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The Iranian week around ``today``: Saturday to Friday."""
    start = today - datetime.timedelta(days=(today.weekday() - 5) % 7)
    return start, start + datetime.timedelta(days=6)


def period_range(
    key: str, today: datetime.date, calendar: str = "jalali"
) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a named period around ``today``: this_month,
    last_month, this_quarter, last_quarter, this_year, last_year (months and years of
    ``calendar``), fiscal_year (the Jalali year); and for lists also today, yesterday,
    tomorrow, this_week, last_week, next_week, next_30_days."""
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
    if key == "fiscal_year":
        return fiscal_year_range(today)
    try:
        year, month, _day = to_calendar(today, calendar)
    except ValueError:  # beyond the Hijri tables: the Jalali month, as dates show it
        calendar = "jalali"
        year, month, _day = to_calendar(today, calendar)
    if key == "this_month":
        return month_range(year, month, calendar)
    if key == "last_month":
        return month_range(*shift_month(year, month, -1), calendar)
    if key in ("this_quarter", "last_quarter"):
        first = (month - 1) // 3 * 3 + 1
        if key == "last_quarter":
            year, first = shift_month(year, first, -3)
        return month_range(year, first, calendar)[0], month_range(year, first + 2, calendar)[1]
    if key == "last_year":
        year -= 1
    elif key != "this_year":
        raise ValueError(f"unknown period {key!r}")
    return month_range(year, 1, calendar)[0], month_range(year, 12, calendar)[1]
