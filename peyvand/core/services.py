"""Writes shared by every business record: soft delete and restore, with history."""

import datetime
import json
from collections.abc import Iterable

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import models, transaction
from django.utils import timezone

from peyvand.core.history import log_change
from peyvand.core.models import (
    BusinessRecord,
    ChangeRecord,
    DeletionUndo,
    HolidayOverride,
    Sequence,
)
from peyvand.core.versions import check_version


def trash_models() -> list[type[BusinessRecord]]:
    """Every concrete business record model: what the trash page lists."""
    return [
        model for model in apps.get_models() if issubclass(model, BusinessRecord) and model.in_trash
    ]


@transaction.atomic
def record_save(
    *,
    record: BusinessRecord,
    by,
    before: dict | None = None,
    version: datetime.datetime | None = None,
) -> BusinessRecord:
    """Saves a business record with its change history: created (``before`` None; ``by``
    owns it unless an owner was set) or changed (``before`` is its snapshot from before
    the edit). A change with the ``version`` the edit started from is refused (StaleEdit)
    if someone saved the record since (core.versions)."""
    if before is None:
        if not record.owner_id:
            record.owner = by
        record.save()
        log_change(record, user=by, action=ChangeRecord.Action.CREATED)
    else:
        check_version(record, version)
        record.save()
        log_change(record, user=by, action=ChangeRecord.Action.CHANGED, before=before)
    return record


@transaction.atomic
def record_delete(
    *, record: BusinessRecord, by, touching: Iterable[Iterable[models.Model]] = ()
) -> BusinessRecord:
    """Moves a record to the trash. ``touching``: the other rows the caller's delete
    goes on to change or remove (a lead's pending follow-ups, their reminders); they are
    kept as they are now, and ``record_restore`` writes them back, so a restore undoes
    the whole delete. Call it before changing them."""
    rows = [row for group in touching for row in group]
    if rows:
        DeletionUndo.objects.update_or_create(
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            defaults={
                "rows": json.loads(serializers.serialize("exact-json", rows)),
                "created_at": timezone.now(),
            },
        )
    record.deleted_at = timezone.now()
    record.deleted_by = by
    record.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    log_change(record, user=by, action=ChangeRecord.Action.DELETED)
    return record


@transaction.atomic
def record_restore(*, record: BusinessRecord, by) -> BusinessRecord:
    """Brings a record back from the trash with what its delete changed besides it."""
    record.deleted_at = None
    record.deleted_by = None
    record.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    # Locked: two managers restoring at once replay it once.
    undo = (
        DeletionUndo.objects.select_for_update()
        .filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)
        .first()
    )
    if undo is not None:
        # Raw saves: every column as it was (a dropped reminder comes back with its id,
        # times and state), updating rows that are there and inserting those deleted.
        for row in serializers.deserialize("python", undo.rows):
            row.save()
        undo.delete()
    record.restored(by=by)
    log_change(record, user=by, action=ChangeRecord.Action.RESTORED)
    return record


def holiday_override_save(*, override: HolidayOverride) -> HolidayOverride:
    override.save()
    return override


def sequence_save(*, sequence: Sequence) -> Sequence:
    sequence.save(update_fields=["name", "pattern", "padding", "yearly", "last_number"])
    return sequence
