"""The activity lists' exports (``core.background_exports``): the rows each list shows
under its filters, in its order (activities.lists), for Excel, CSV, PDF and the
background."""

from operator import attrgetter

from django.http import QueryDict

from peyvand.activities.lists import CALLS, EVENTS, TASKS
from peyvand.activities.models import Call, Task
from peyvand.core.exports import Column, choice_label


def task_rows(user, params: QueryDict):
    columns = [
        Column("تاریخ", attrgetter("date"), "date"),
        Column("شرح وظیفه", attrgetter("description")),
        Column("انجام‌دهنده", lambda task: str(task.assignee)),
        Column("واگذارکننده", lambda task: str(task.owner)),
        Column("گروه", lambda task: task.team.name if task.team_id else ""),
        Column("فوریت", lambda task: task.urgency.name if task.urgency_id else ""),
        Column("وضعیت", lambda task: choice_label(Task.Status, task.status)),
        Column("زمان انجام", attrgetter("done_at"), "date"),
    ]
    return TASKS.rows(user, params), columns


def call_rows(user, params: QueryDict):
    """The contact is named only to a reader who may see it (``with_contact_shown_to``
    in the list's base)."""
    columns = [
        Column("زمان", attrgetter("started_at"), "date"),
        Column("نوع تماس", lambda call: choice_label(Call.Kind, call.kind)),
        Column("شماره", attrgetter("number")),
        Column("مخاطب", lambda call: call.shown_contact.name if call.shown_contact_id else ""),
        Column("داخلی", attrgetter("extension")),
        Column("مدت (ثانیه)", attrgetter("duration"), "number"),
        Column("کاربر", lambda call: str(call.owner)),
        Column("یادداشت", attrgetter("notes")),
    ]
    return CALLS.rows(user, params), columns


def _clock(moment) -> str:
    return moment.strftime("%H:%M") if moment else ""


def event_rows(user, params: QueryDict):
    columns = [
        Column("تاریخ", attrgetter("date"), "date"),
        Column("ساعت شروع", lambda event: _clock(event.start_time)),
        Column("ساعت پایان", lambda event: _clock(event.end_time)),
        Column("عنوان", attrgetter("title")),
        Column("محل", attrgetter("location")),
        Column("گروه", lambda event: event.team.name if event.team_id else "شخصی"),
        Column("ثبت‌کننده", lambda event: str(event.owner)),
        Column("انجام شده", lambda event: "بله" if event.is_done else "خیر"),
        Column("توضیح", attrgetter("description")),
    ]
    return EVENTS.rows(user, params), columns
