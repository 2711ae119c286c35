"""Reads of activities: the home panel, the bell and the customer's history (the
lists are declared in activities.lists)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.utils import timezone

from peyvand.activities.models import Event, Notification, Task
from peyvand.core.registry import HistoryItem


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
