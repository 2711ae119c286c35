"""Reminders: one mechanism for every "remind me at…" in Peyvand (tasks now; events and
follow-ups' next dates later). ``reminder_set`` schedules or moves a record's reminder;
the worker's ``fire_due`` fires what is due, once: in-app notification always, email and
SMS through the outbox when asked.

Exactly once: due rows are claimed and marked fired in the same transaction that writes
their notifications and outbox messages, skipping rows another worker has locked. A
worker that dies mid-way rolls everything back and the reminder fires on the next scan;
one that finished has left ``fired_at`` set, so nothing fires twice."""

import datetime
import logging
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from peyvand.activities.models import Notification, Reminder
from peyvand.messaging.models import Channel
from peyvand.messaging.services import NotSendable, message_queue, wake_delivery

logger = logging.getLogger("peyvand.reminders")

FIRE_BATCH = 500


def _target_key(target: models.Model | None) -> dict:
    if target is None:
        return {"content_type": None, "object_id": None}
    return {
        "content_type": ContentType.objects.get_for_model(target),
        "object_id": target.pk,
    }


def reminder_set(
    *,
    user,
    due_at: datetime.datetime,
    title: str,
    target: models.Model | None = None,
    purpose: str = "",
    body: str = "",
    url: str = "",
    by_email: bool = False,
    by_sms: bool = False,
) -> Reminder:
    """Schedules ``user``'s reminder about ``target`` for ``purpose`` at ``due_at``,
    replacing the one it had. A new time fires again even if the old one had fired; the
    same time (an edit of something else) does not fire twice."""
    key = {"user": user, "purpose": purpose, **_target_key(target)}
    fields = {
        "due_at": due_at,
        "title": " ".join(title.split())[:200],  # one line: it is also an email subject
        "body": body,
        "url": url or (target.get_absolute_url() if target is not None else ""),
        "by_email": by_email,
        "by_sms": by_sms,
    }
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().filter(**key).first()
        if reminder is None:
            return Reminder.objects.create(**key, **fields)
        if reminder.due_at != due_at:
            fields["fired_at"] = None
        for name, value in fields.items():
            setattr(reminder, name, value)
        reminder.save()
    return reminder


def pending_reminders(*, targets: Iterable[models.Model], purpose: str = "") -> QuerySet:
    """The reminders ``reminder_clear`` would drop for these records (of one model)."""
    targets = list(targets)
    if not targets:
        return Reminder.objects.none()
    return Reminder.objects.filter(
        purpose=purpose,
        fired_at__isnull=True,
        content_type=ContentType.objects.get_for_model(targets[0]),
        object_id__in=[target.pk for target in targets],
    )


def reminder_clear(*, target: models.Model, purpose: str = "", user=None) -> int:
    """Drops the pending reminders of ``target`` (for one user, or everyone's)."""
    pending = pending_reminders(targets=[target], purpose=purpose)
    if user is not None:
        pending = pending.filter(user=user)
    return pending.delete()[0]


def due_reminders(now: datetime.datetime | None = None):
    return Reminder.objects.filter(fired_at__isnull=True, due_at__lte=now or timezone.now())


def notify(
    *, user, title: str, body: str = "", url: str = "", assignment: bool = False
) -> Notification:
    """An in-app notification for ``user`` (the bell, a toast at their next poll). An
    ``assignment`` (new work handed to them) pops up as a dialog when they asked for
    that in their preferences."""
    pop_up = assignment and user.pop_up_assignments
    return Notification.objects.create(user=user, title=title, body=body, url=url, pop_up=pop_up)


def fire_due(now: datetime.datetime | None = None, *, limit: int = FIRE_BATCH) -> int:
    """Fires up to ``limit`` due reminders; returns how many. Several workers may run it."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            due_reminders(now)
            .order_by("due_at", "id")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:limit]
        )
        if not ids:
            return 0
        Reminder.objects.filter(pk__in=ids).update(fired_at=now)
        reminders = list(Reminder.objects.filter(pk__in=ids).select_related("user"))
        Notification.objects.bulk_create(
            Notification(user=r.user, title=r.title, body=r.body, url=r.url, created_at=now)
            for r in reminders
        )
        copies = sum(_send_copies(reminder) for reminder in reminders)
        if copies:
            wake_delivery(now)  # one deliver task for the whole batch
    logger.info("Fired %s reminders", len(reminders))
    return len(reminders)


def _send_copies(reminder: Reminder) -> int:
    """Queues the email and SMS copies asked for; returns how many were queued."""
    user = reminder.user
    text = reminder.title + (f"\n{reminder.body}" if reminder.body else "")
    copies = []
    if reminder.by_email and user.email:
        copies.append((Channel.EMAIL, user.email))
    if reminder.by_sms and user.mobile:
        copies.append((Channel.SMS, user.mobile))
    queued = 0
    for channel, address in copies:
        try:
            with transaction.atomic():
                message_queue(
                    channel=channel,
                    to=address,
                    subject=f"یادآوری: {reminder.title}"[:200] if channel == Channel.EMAIL else "",
                    body=text,
                    by=user,
                    related=reminder.target,
                    wake=False,
                )
        except NotSendable as error:
            # The in-app notification still goes; the user sees why the copy did not.
            notify(user=user, title="یادآوری فرستاده نشد", body=f"{reminder.title}: {error}")
        else:
            queued += 1
    return queued
