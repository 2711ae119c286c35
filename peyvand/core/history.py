"""Change history: services take a snapshot before a change and log the difference
after it. Values are stored as display text so history survives later renames."""

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from peyvand.core import events
from peyvand.core.models import ChangeRecord

# Published after every history line is written, in its transaction: ``change`` (the
# ChangeRecord) and ``record``. What reacts to record events (automation's webhooks)
# subscribes to it, so no service has to remember to tell anyone.
RECORD_CHANGED = "core.record_changed"


def _tracked_fields(record: models.Model) -> list[models.Field]:
    excluded = set(getattr(record, "history_exclude", ()))
    return [
        field
        for field in record._meta.concrete_fields
        if field.editable
        and not field.primary_key
        and not isinstance(field, models.GeneratedField)
        and field.name not in excluded
    ]


def snapshot(record: models.Model) -> dict[str, Any]:
    """Raw values of the tracked fields (foreign keys by id, to avoid queries)."""
    return {field.attname: getattr(record, field.attname) for field in _tracked_fields(record)}


def _as_text(record: models.Model, field: models.Field, value: Any) -> str:
    if value is None or value == "":
        return ""
    custom = record.history_text(field.name, value) if hasattr(record, "history_text") else None
    if custom is not None:
        return custom
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.ForeignKey):
        related = (
            getattr(record, field.name, None) if getattr(record, field.attname) == value else None
        )
        if related is None:
            related = field.related_model._base_manager.filter(pk=value).first()
        return str(related) if related is not None else str(value)
    if isinstance(value, bool):
        return "بله" if value else "خیر"
    if isinstance(value, datetime.date):
        # Stored as ISO so each reader sees it in their own calendar.
        return value.isoformat()
    return str(value)


def _value_type(field: models.Field) -> str:
    """How the timeline shows a change's ISO values (a DateTimeField is a DateField too)."""
    if isinstance(field, models.DateTimeField):
        return "datetime"
    return "date" if isinstance(field, models.DateField) else "text"


def log_change(
    record: models.Model,
    *,
    user,
    action: str,
    before: dict[str, Any] | None = None,
) -> ChangeRecord | None:
    """Record an action, right after the save it records. For "changed", ``before`` is
    the snapshot taken before the edit; nothing is written when no tracked field
    changed."""
    changes = []
    if action == ChangeRecord.Action.CHANGED:
        after = snapshot(record)
        fields = {field.attname: field for field in _tracked_fields(record)}
        for attname, old in (before or {}).items():
            new = after.get(attname)
            if old == new:
                continue
            field = fields[attname]
            changes.append(
                {
                    "field": field.name,
                    "label": str(field.verbose_name),
                    "type": _value_type(field),
                    "old": _as_text(record, field, old),
                    "new": _as_text(record, field, new),
                }
            )
        if not changes:
            return None
    change = ChangeRecord.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        user=user,
        # The version the save made: a refused stale edit lists exactly the lines after
        # the version it started from (core.versions).
        at=getattr(record, "updated_at", None) or timezone.now(),
        action=action,
        changes=changes,
    )
    events.publish(RECORD_CHANGED, change=change, record=record)
    return change


def log_event(
    record: models.Model, *, user, field: str, label: str, old: str = "", new: str = ""
) -> ChangeRecord:
    """One history line for a change that is not a field of the record itself (a file,
    the logo, a bank account, a merge): «label: old ← new»."""
    change = ChangeRecord.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        user=user,
        action=ChangeRecord.Action.CHANGED,
        changes=[{"field": field, "label": label, "type": "text", "old": old, "new": new}],
    )
    events.publish(RECORD_CHANGED, change=change, record=record)
    return change
