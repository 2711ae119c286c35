"""Attachments: what may be uploaded, checked by content (not by the name or the type the
browser claims), and how files are listed for a record.

Only the types below are accepted, and each file's first bytes must match its type, so
an HTML page renamed to .png cannot be stored and later served as a page (stored XSS).
Downloads are sent with the type decided here, nosniff, and as attachments except for
images."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models

from peyvand.core.models import Attachment


@dataclass(frozen=True)
class FileKind:
    mime_type: str
    signatures: tuple[bytes, ...]  # the file must start with one of these (empty: text)


_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # old Office formats
FILE_KINDS: dict[str, FileKind] = {
    ".jpg": FileKind("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": FileKind("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": FileKind("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".gif": FileKind("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": FileKind("image/webp", (b"RIFF",)),
    ".pdf": FileKind("application/pdf", (b"%PDF-",)),
    ".docx": FileKind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP
    ),
    ".xlsx": FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".pptx": FileKind(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP
    ),
    ".doc": FileKind("application/msword", _OLE),
    ".xls": FileKind("application/vnd.ms-excel", _OLE),
    ".zip": FileKind("application/zip", _ZIP),
    ".rar": FileKind("application/vnd.rar", (b"Rar!\x1a\x07",)),
    ".txt": FileKind("text/plain; charset=utf-8", ()),
    ".csv": FileKind("text/csv; charset=utf-8", ()),
}


def max_bytes() -> int:
    return settings.ATTACHMENT_MAX_MB * 1024 * 1024


def check_upload(upload) -> FileKind:
    """The kind of an uploaded file, or a ValidationError in Persian."""
    suffix = Path(upload.name).suffix.lower()
    kind = FILE_KINDS.get(suffix)
    if kind is None:
        allowed = "، ".join(sorted({s.lstrip(".") for s in FILE_KINDS}))
        raise ValidationError(f"این نوع فایل پذیرفته نمی‌شود؛ نوع‌های مجاز: {allowed}.")
    if upload.size > max_bytes():
        raise ValidationError(f"حجم فایل بیش از {settings.ATTACHMENT_MAX_MB} مگابایت است.")
    if upload.size == 0:
        raise ValidationError("فایل خالی است.")
    head = upload.read(512)
    upload.seek(0)
    if kind.signatures and not head.startswith(kind.signatures):
        raise ValidationError(f"محتوای فایل با پسوند {suffix} آن جور نیست.")
    if not kind.signatures:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            if error.start < len(head) - 3:  # not just a character cut at the sample's end
                raise ValidationError("فایل متنی نیست یا با UTF-8 ذخیره نشده است.") from None
    return kind


def attachments_of(record: models.Model) -> models.QuerySet[Attachment]:
    return Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        deleted_at__isnull=True,
    ).select_related("uploaded_by")


def attachments_card(user, record: models.Model) -> dict:
    """What ``core/_attachments.html`` needs on a record's page: its files, the size
    limit, and whether this user may add and remove them (the permission the upload
    view checks: changing the record)."""
    meta = record._meta
    return {
        "attachments": list(attachments_of(record)),
        "attachment_max_mb": settings.ATTACHMENT_MAX_MB,
        "can_annotate": user.has_perm(f"{meta.app_label}.change_{meta.model_name}"),
    }


def attachments_of_records(records: list[models.Model]) -> list[Attachment]:
    """The live files of several records (a customer and its leads, requests…), newest
    first, each with ``record`` set to its record: one query whatever their kinds."""
    by_key = {}
    ids_by_type: dict[int, list[int]] = {}
    for record in records:
        content_type = ContentType.objects.get_for_model(record)
        by_key[(content_type.pk, record.pk)] = record
        ids_by_type.setdefault(content_type.pk, []).append(record.pk)
    if not ids_by_type:
        return []
    condition = models.Q()
    for content_type_id, ids in ids_by_type.items():
        condition |= models.Q(content_type_id=content_type_id, object_id__in=ids)
    files = list(
        Attachment.objects.filter(condition, deleted_at__isnull=True)
        .select_related("uploaded_by")
        .order_by("-uploaded_at", "-id")
    )
    for file in files:
        file.record = by_key[(file.content_type_id, file.object_id)]
    return files
