"""The daily calendar's day, week and month views: which days a view shows, in the
user's calendar (a Jalali, Gregorian or Hijri month), weeks from Saturday to Friday,
each day with its events, its tasks, and whether it is a holiday.

A view costs a fixed number of queries whatever its length: events, tasks and the
holiday overrides of the range, one query each."""

import datetime
from dataclasses import dataclass, field

from django.db.models import F, QuerySet

from peyvand.activities.models import Event, Task
from peyvand.core import dates
from peyvand.core.dates import WEEKDAYS, format_date
from peyvand.core.workdays import WorkCalendar

VIEWS = ("day", "week", "month")
_SATURDAY = 5  # date.weekday()


@dataclass
class CalendarDay:
    date: datetime.date
    weekday: str
    day_number: str  # in the user's calendar: "8" (shown in their digits, core.digits)
    month_name: str  # "آذر"
    in_period: bool
    is_today: bool
    holiday: str | None
    is_day_off: bool
    events: list[Event] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)


@dataclass
class CalendarPage:
    view: str
    title: str
    start: datetime.date
    end: datetime.date
    previous: datetime.date
    following: datetime.date
    weeks: list[list[CalendarDay]]

    @property
    def days(self) -> list[CalendarDay]:
        return [day for week in self.weeks for day in week]


def week_start(day: datetime.date) -> datetime.date:
    """The Saturday on or before ``day``."""
    return day - datetime.timedelta(days=(day.weekday() - _SATURDAY) % 7)


def month_bounds(day: datetime.date, calendar: str) -> tuple[datetime.date, datetime.date]:
    """First and last day of the month ``day`` is in, in the user's calendar."""
    return dates.month_bounds(day, calendar)


def _title(view: str, start: datetime.date, end: datetime.date, calendar: str, digits: str) -> str:
    if view == "day":
        return format_date(start, calendar, digits, "full")
    if view == "month":
        # "آذر ۱۴۰۵", "جمادی‌الثانی ۱۴۴۸ ق": the long form without its day.
        return format_date(start, calendar, digits, "long").split(" ", 1)[1]
    first, last = (format_date(day, calendar, digits, "long") for day in (start, end))
    return f"{first} تا {last}"


def _period(view: str, day: datetime.date, calendar: str):
    """(first, last) day of the period and the dates the previous/next buttons go to."""
    one = datetime.timedelta(days=1)
    if view == "day":
        return day, day, day - one, day + one
    if view == "week":
        start = week_start(day)
        return start, start + 6 * one, start - 7 * one, start + 7 * one
    first, last = month_bounds(day, calendar)
    return first, last, month_bounds(first - one, calendar)[0], last + one


def calendar_page(
    *,
    events: QuerySet[Event],
    tasks: QuerySet[Task],
    view: str,
    day: datetime.date,
    today: datetime.date,
    calendar: str = "jalali",
    digits: str = "fa",
    weekend: list[int] | None = None,
) -> CalendarPage:
    """``events`` and ``tasks`` are the visible ones the view may show (already
    filtered by who is asking and what they chose); this picks the period's."""
    start, end, previous, following = _period(view, day, calendar)
    # A month grid runs from the Saturday before the 1st to the Friday after the last.
    grid_start = week_start(start) if view == "month" else start
    grid_end = week_start(end) + datetime.timedelta(days=6) if view == "month" else end
    work = WorkCalendar(grid_start, grid_end, weekend)
    by_day: dict[datetime.date, CalendarDay] = {}
    current = grid_start
    while current <= grid_end:
        holiday = work.holiday_name(current)
        _year, _month, day_number, month_name = dates.calendar_parts(current, calendar)
        by_day[current] = CalendarDay(
            date=current,
            weekday=WEEKDAYS[(current.weekday() + 2) % 7],
            day_number=str(day_number),  # in the reader's digits on the page (core.digits)
            month_name=month_name,
            in_period=start <= current <= end,
            is_today=current == today,
            holiday=holiday,
            is_day_off=not work.is_working_day(current),
        )
        current += datetime.timedelta(days=1)
    for event in events.filter(date__range=(grid_start, grid_end)).order_by(
        "date", F("start_time").asc(nulls_first=True), "id"
    ):
        by_day[event.date].events.append(event)
    for task in tasks.filter(date__range=(grid_start, grid_end)).order_by(
        "date", F("urgency__order").asc(nulls_last=True), "id"
    ):
        by_day[task.date].tasks.append(task)
    days = list(by_day.values())
    weeks = [days[index : index + 7] for index in range(0, len(days), 7)]
    return CalendarPage(
        view=view,
        title=_title(view, start, end, calendar, digits),
        start=start,
        end=end,
        previous=previous,
        following=following,
        weeks=weeks,
    )
