"""Reads of activities: the task and call lists, the home panel and the bell."""

from operator import attrgetter

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from peyvand.activities.calls import caller_number
from peyvand.activities.forms import CallFilterForm, TaskFilterForm
from peyvand.activities.models import Call, Event, Notification, Task
from peyvand.core.exports import Column, choice_label
from peyvand.core.registry import HistoryItem


def tasks_for_list(
    user, *, status: str = "open", scope: str = "mine", urgency=None, overdue: bool = False
) -> QuerySet[Task]:
    tasks = Task.objects.visible_to(user).select_related("assignee", "owner", "urgency", "team")
    if status in ("open", "done"):
        tasks = tasks.filter(status=status)
    if scope == "mine":
        tasks = tasks.filter(assignee=user)
    elif scope == "by_me":
        tasks = tasks.filter(owner=user).exclude(assignee=user)
    elif scope == "team":
        teams = user.teams.filter(is_active=True)
        tasks = tasks.filter(Q(assignee_id__in=user.team_member_ids()) | Q(team__in=teams))
    if urgency is not None:
        tasks = tasks.filter(urgency=urgency)
    if overdue:
        tasks = tasks.filter(status=Task.Status.OPEN, date__lt=timezone.localdate())
    if status == "done":
        return tasks.order_by("-done_at", "-id")
    return tasks.order_by("date", F("urgency__order").asc(nulls_last=True), "id")


def todays_tasks(user, limit: int = 20) -> list[Task]:
    """The user's open tasks for today and before (overdue), most urgent first."""
    return list(
        Task.objects.filter(assignee=user, status=Task.Status.OPEN, date__lte=timezone.localdate())
        .select_related("urgency", "owner")
        .order_by(F("urgency__order").asc(nulls_last=True), "date", "id")[:limit]
    )


# The bell shows "۹۹+" past 99: counting further would only make a busy user's every
# poll slower.
UNSEEN_COUNT_CAP = 100


def unseen_count(user) -> int:
    """The user's unseen notifications, counted up to ``UNSEEN_COUNT_CAP``."""
    unseen = Notification.objects.filter(user=user, seen_at__isnull=True)
    return unseen[:UNSEEN_COUNT_CAP].count()


def todays_events(user, limit: int = 20) -> list[Event]:
    """Today's events the user is in (their own and their teams'), by time."""
    return list(
        Event.objects.attended_by(user)
        .filter(date=timezone.localdate())
        .select_related("team")
        .order_by(F("start_time").asc(nulls_first=True), "id")[:limit]
    )


def calls_for_list(user, *, kind: str = "", scope: str = "mine", number: str = ""):
    """The calls the user may see, each naming its contact only if they may see it."""
    found = (
        Call.objects.visible_to(user).with_contact_shown_to(user).select_related("contact", "owner")
    )
    if scope == "mine":
        found = found.filter(owner=user)
    if kind in Call.Kind.values:
        found = found.filter(kind=kind)
    if number:
        found = found.filter(number=caller_number(number))
    return found.order_by("-started_at", "-id")


def task_history(user, contact, limit: int) -> list[HistoryItem]:
    """The tasks about a customer (those made on its page) on its history page."""
    tasks = Task.objects.visible_to(user).filter(
        content_type=ContentType.objects.get_for_model(contact), object_id=contact.pk
    )
    return [
        HistoryItem(
            task,
            f"وظیفه: {task.description[:80]}",
            task.date,
            task.get_status_display(),
            task.status == Task.Status.OPEN,
        )
        for task in tasks.order_by("-date", "-id")[:limit]
    ]


def task_rows(user, params):
    """The task list's export (``core.background_exports``): its rows under its filters."""
    form = TaskFilterForm(params or None)
    filters = form.cleaned_data if form.is_valid() else {}
    tasks = tasks_for_list(
        user,
        status=filters.get("status") or "open",
        scope=filters.get("scope") or "mine",
        urgency=filters.get("urgency"),
        overdue=bool(filters.get("overdue")),
    )
    columns = [
        Column("تاریخ", attrgetter("date"), "date"),
        Column("شرح وظیفه", attrgetter("description")),
        Column("انجام‌دهنده", lambda task: str(task.assignee)),
        Column("واگذارکننده", lambda task: str(task.owner)),
        Column("فوریت", lambda task: task.urgency.name if task.urgency_id else ""),
        Column("وضعیت", lambda task: choice_label(Task.Status, task.status)),
        Column("زمان انجام", attrgetter("done_at"), "date"),
    ]
    return tasks, columns


def call_rows(user, params):
    """The call log's export (``core.background_exports``): its rows under its filters."""
    form = CallFilterForm(params or None)
    filters = form.cleaned_data if form.is_valid() else {}
    calls = calls_for_list(
        user,
        kind=filters.get("kind") or "",
        scope=filters.get("scope") or "mine",
        number=filters.get("q") or "",
    )
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
    return calls, columns
