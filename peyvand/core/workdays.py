"""Working-day calendar: the weekly days off (SiteSettings.weekend), Iran's official
holidays from the ``holidays`` package, and the managers' overrides on top."""

import datetime
from functools import lru_cache

import holidays

from peyvand.core.models import HolidayOverride, SiteSettings


@lru_cache(maxsize=64)
def official_holidays(year: int) -> dict[datetime.date, str]:
    """Official Iranian holidays of a Gregorian year, with Persian names. The package's
    data is fixed for a given version, so caching it in the process is safe."""
    return dict(holidays.country_holidays("IR", years=year, language="fa_IR"))


class WorkCalendar:
    """Reads the settings and overrides once; answer many questions with one object."""

    def __init__(self, start: datetime.date, end: datetime.date, weekend: list[int] | None = None):
        self.weekend = set(SiteSettings.load().weekend if weekend is None else weekend)
        self.overrides = {
            override.date: override
            for override in HolidayOverride.objects.filter(date__range=(start, end))
        }

    def holiday_name(self, day: datetime.date) -> str | None:
        override = self.overrides.get(day)
        if override is not None:
            return override.note if override.is_holiday else None
        return official_holidays(day.year).get(day)

    def is_working_day(self, day: datetime.date) -> bool:
        override = self.overrides.get(day)
        if override is not None:
            return not override.is_holiday
        return day.weekday() not in self.weekend and day not in official_holidays(day.year)


# Nowruz plus a weekend is the longest run of days off; a year covers anything sane.
_LOOKAHEAD_DAYS = 366


def is_working_day(day: datetime.date) -> bool:
    return WorkCalendar(day, day).is_working_day(day)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date ``days`` working days after ``start``: the days after ``start`` are
    counted, so Friday + 1 is Saturday. Zero days means "the same day if it is a working
    day, else the next working day" (an urgent request is due today)."""
    if days < 0:
        raise ValueError("days must not be negative")
    calendar = WorkCalendar(start, start + datetime.timedelta(days=days * 2 + _LOOKAHEAD_DAYS))
    day = start
    if days == 0:
        while not calendar.is_working_day(day):
            day += datetime.timedelta(days=1)
    remaining = days
    while remaining:
        day += datetime.timedelta(days=1)
        if calendar.is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if end <= start)."""
    if end <= start:
        return 0
    calendar = WorkCalendar(start, end)
    return sum(
        calendar.is_working_day(start + datetime.timedelta(days=offset))
        for offset in range(1, (end - start).days + 1)
    )
