"""The calendar feed (ICS, RFC 5545) of one user's events and tasks, for Google
Calendar, Outlook and Thunderbird. Times are Asia/Tehran wall-clock times with the zone
described in the file, so every client shows them as the user entered them."""

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as IcsEvent

from peyvand.activities.models import Event, Task
from peyvand.core.dates import TEHRAN

# What a client fetches: recent past for context, a year ahead for planning.
PAST_DAYS = 90
FUTURE_DAYS = 366
MAX_ITEMS = 2000


def _uid(kind: str, pk: int) -> str:
    return f"{kind}-{pk}@peyvand"


def _event_component(event: Event, site_url: str) -> IcsEvent:
    item = IcsEvent()
    item.add("uid", _uid("event", event.pk))
    item.add("dtstamp", event.updated_at)
    item.add("summary", event.title)
    if event.start_time:
        start = datetime.datetime.combine(event.date, event.start_time, ZoneInfo(TEHRAN))
        # Without an end time an event takes an hour (never past midnight).
        end = (
            start.replace(hour=event.end_time.hour, minute=event.end_time.minute)
            if event.end_time
            else min(start + datetime.timedelta(hours=1), start.replace(hour=23, minute=59))
        )
        item.add("dtstart", start)
        item.add("dtend", end)
    else:
        item.add("dtstart", event.date)
        item.add("dtend", event.date + datetime.timedelta(days=1))
    if event.location:
        item.add("location", event.location)
    if event.description:
        item.add("description", event.description)
    item.add("status", "CONFIRMED")
    item.add("url", site_url + event.get_absolute_url())
    return item


def _task_component(task: Task, site_url: str) -> IcsEvent:
    """A task as a whole-day event on its date: calendar apps show events everywhere,
    to-dos (VTODO) almost nowhere."""
    item = IcsEvent()
    item.add("uid", _uid("task", task.pk))
    item.add("dtstamp", task.updated_at)
    done = task.status == Task.Status.DONE
    item.add("summary", f"{'✔ ' if done else ''}وظیفه: {task.description[:120]}")
    item.add("dtstart", task.date)
    item.add("dtend", task.date + datetime.timedelta(days=1))
    item.add("description", task.description + (f"\n\n{task.notes}" if task.notes else ""))
    item.add("transp", "TRANSPARENT")  # a task does not make the user busy all day
    item.add("url", site_url + task.get_absolute_url())
    return item


def user_calendar(user, site_url: str) -> bytes:
    """The ICS file of ``user``'s visible events and the tasks assigned to them."""
    today = timezone.localdate()
    window = (
        today - datetime.timedelta(days=PAST_DAYS),
        today + datetime.timedelta(days=FUTURE_DAYS),
    )
    calendar = Calendar()
    calendar.add("prodid", "-//Peyvand CRM//peyvand//FA")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"پیوند — {user}")
    calendar.add("x-wr-timezone", TEHRAN)
    events = (
        Event.objects.attended_by(user)
        .filter(date__range=window)
        .order_by("date", "start_time", "id")[:MAX_ITEMS]
    )
    for event in events:
        calendar.add_component(_event_component(event, site_url))
    tasks = Task.objects.filter(assignee=user, date__range=window).order_by("date", "id")
    for task in tasks[:MAX_ITEMS]:
        calendar.add_component(_task_component(task, site_url))
    calendar.add_missing_timezones()
    return calendar.to_ical()
