"""Writes of activities: tasks and calendar events, with their reminders and the
notifications they cause."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from peyvand.activities.models import Event, Notification, Task
from peyvand.activities.reminders import (
    notify,
    pending_reminders,
    reminder_clear,
    reminder_set,
)
from peyvand.core.history import log_change
from peyvand.core.models import ChangeRecord
from peyvand.core.services import record_delete, record_save

TASK_REMINDER = "task"
EVENT_REMINDER = "event"


def can_assign(user, assignee) -> bool:
    return assignee == user or user.has_perm("activities.assign_task")


def _schedule_reminder(task: Task) -> None:
    if task.status == Task.Status.OPEN and task.remind_at:
        reminder_set(
            user=task.assignee,
            due_at=task.remind_at,
            title=f"وظیفه: {task.description}",
            target=task,
            purpose=TASK_REMINDER,
            by_email=task.remind_by_email,
            by_sms=task.remind_by_sms,
        )
    else:
        reminder_clear(target=task, purpose=TASK_REMINDER)


@transaction.atomic
def task_save(
    *, task: Task, by, before: dict | None = None, version: datetime.datetime | None = None
) -> Task:
    """Creates (``before`` None) or updates a task (refused if stale: ``version``, see
    core.versions); (re)schedules its reminder for the assignee and tells a new assignee
    who gave it to them."""
    if not can_assign(by, task.assignee):
        raise PermissionDenied("شما اجازه واگذاری وظیفه به دیگران را ندارید.")
    creating = before is None
    record_save(record=task, by=by, before=before, version=version)
    _schedule_reminder(task)
    reassigned = before is not None and before.get("assignee_id") != task.assignee_id
    if (creating or reassigned) and task.assignee_id != by.pk:
        notify(
            user=task.assignee,
            title=f"وظیفه تازه از {by}",
            body=task.description[:300],
            url=task.get_absolute_url(),
            assignment=True,
        )
    return task


@transaction.atomic
def task_done(*, task: Task, by) -> bool:
    """Marks an open task done now; its reminder is dropped and whoever assigned it is
    told. False if it was done already (a second click changes nothing)."""
    now = timezone.now()
    changed = Task.objects.filter(pk=task.pk, status=Task.Status.OPEN).update(
        status=Task.Status.DONE, done_at=now, updated_at=now
    )
    if not changed:
        return False
    task.refresh_from_db()
    log_change(task, user=by, action=ChangeRecord.Action.CHANGED, before={"status": "open"})
    reminder_clear(target=task, purpose=TASK_REMINDER)
    if task.owner_id != by.pk:
        notify(
            user=task.owner,
            title=f"{by} وظیفه را انجام داد",
            body=task.description[:300],
            url=task.get_absolute_url(),
        )
    return True


@transaction.atomic
def tasks_done(*, tasks, by) -> int:
    """Marks the given open tasks done (the task list's bulk action), each as «انجام شد»
    does; how many were still open."""
    return sum(task_done(task=task, by=by) for task in tasks.filter(status=Task.Status.OPEN))


@transaction.atomic
def task_reopen(*, task: Task, by) -> bool:
    now = timezone.now()
    changed = Task.objects.filter(pk=task.pk, status=Task.Status.DONE).update(
        status=Task.Status.OPEN, done_at=None, updated_at=now
    )
    if changed:
        task.refresh_from_db()
        log_change(task, user=by, action=ChangeRecord.Action.CHANGED, before={"status": "done"})
        _schedule_reminder(task)
    return bool(changed)


def notifications_seen(*, user, ids: list[int] | None = None) -> int:
    """Marks the user's notifications (all, or these) as seen."""
    unseen = Notification.objects.filter(user=user, seen_at__isnull=True)
    if ids is not None:
        unseen = unseen.filter(pk__in=ids)
    return unseen.update(seen_at=timezone.now())


# Calendar events ---------------------------------------------------------------------


def event_audience(event: Event) -> list:
    """Who is reminded of an event: its owner, and the members of its team."""
    people = {event.owner_id: event.owner}
    if event.team_id:
        people.update((member.pk, member) for member in event.team.members.filter(is_active=True))
    return list(people.values())


def _schedule_event_reminders(event: Event) -> None:
    reminder_clear(target=event, purpose=EVENT_REMINDER)
    due_at = event.remind_at() if event.deleted_at is None else None
    if due_at is None:
        return
    when = event.start_time.strftime("%H:%M") if event.start_time else ""
    for user in event_audience(event):
        reminder_set(
            user=user,
            due_at=due_at,
            title=f"رویداد: {event.title} {when}".strip(),
            body=event.location,
            target=event,
            purpose=EVENT_REMINDER,
            by_email=event.remind_by_email,
            by_sms=event.remind_by_sms,
        )


@transaction.atomic
def event_save(
    *, event: Event, by, before: dict | None = None, version: datetime.datetime | None = None
) -> Event:
    """Creates or changes an event (refused if stale: ``version``, see core.versions)
    and (re)schedules its reminders."""
    record_save(record=event, by=by, before=before, version=version)
    _schedule_event_reminders(event)
    return event


@transaction.atomic
def event_set_done(*, event: Event, by, done: bool = True) -> bool:
    """Ticks an event done (its reminders are dropped) or not done; False if unchanged."""
    changed = Event.objects.filter(pk=event.pk, is_done=not done).update(
        is_done=done, done_at=timezone.now() if done else None, updated_at=timezone.now()
    )
    if changed:
        event.refresh_from_db()
        log_change(event, user=by, action=ChangeRecord.Action.CHANGED, before={"is_done": not done})
        _schedule_event_reminders(event)
    return bool(changed)


@transaction.atomic
def event_delete(*, event: Event, by) -> None:
    """To the trash; its reminders are dropped, and come back with it."""
    record_delete(
        record=event, by=by, touching=[pending_reminders(targets=[event], purpose=EVENT_REMINDER)]
    )
    reminder_clear(target=event, purpose=EVENT_REMINDER)
