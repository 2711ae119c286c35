"""A record's timeline: what happened to it, newest first, from every module. core gives
the change history, notes and attachments; later modules (follow-ups, messages, calls)
register their own sources in their AppConfig.ready()."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models

from peyvand.core.models import Attachment, ChangeRecord, Note

LIMIT = 50  # per source; the page shows the newest LIMIT of all


@dataclass(frozen=True)
class TimelineItem:
    at: datetime.datetime
    kind: str  # history | note | attachment | …: picks the row's template and icon
    user: object
    obj: object  # the ChangeRecord, Note, Attachment… itself
    extra: dict = field(default_factory=dict)


TimelineSource = Callable[[models.Model, ContentType], list[TimelineItem]]
timeline_sources: list[TimelineSource] = []


def register_timeline_source(source: TimelineSource) -> None:
    if source not in timeline_sources:
        timeline_sources.append(source)


def _history(record, content_type) -> list[TimelineItem]:
    rows = ChangeRecord.objects.filter(content_type=content_type, object_id=record.pk)
    return [
        TimelineItem(row.at, "history", row.user, row)
        for row in rows.select_related("user")[:LIMIT]
    ]


def _notes(record, content_type) -> list[TimelineItem]:
    rows = Note.objects.filter(content_type=content_type, object_id=record.pk)
    return [
        TimelineItem(row.created_at, "note", row.author, row)
        for row in rows.select_related("author")[:LIMIT]
    ]


def _attachments(record, content_type) -> list[TimelineItem]:
    rows = Attachment.objects.filter(
        content_type=content_type, object_id=record.pk, deleted_at__isnull=True
    )
    return [
        TimelineItem(row.uploaded_at, "attachment", row.uploaded_by, row)
        for row in rows.select_related("uploaded_by")[:LIMIT]
    ]


for _source in (_history, _notes, _attachments):
    register_timeline_source(_source)


def timeline_of(record: models.Model) -> list[TimelineItem]:
    content_type = ContentType.objects.get_for_model(record)
    items = [item for source in timeline_sources for item in source(record, content_type)]
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:LIMIT]
