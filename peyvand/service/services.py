"""Writes of the service desk: the request workflow. Every forbidden step raises a
ValidationError with a Persian message; pages and the API show it as it is."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from peyvand.activities.reminders import notify
from peyvand.core.history import snapshot
from peyvand.core.sequences import ensure_sequence, next_code
from peyvand.core.services import record_delete, record_save
from peyvand.core.workdays import add_working_days
from peyvand.messaging.models import Channel
from peyvand.messaging.services import message_queue
from peyvand.service.models import Request

REQUEST_SEQUENCE = "request"


def request_deadline(request: Request) -> None:
    """The request date plus the urgency's days, counted in working days (weekend,
    official holidays and the managers' overrides skipped)."""
    registered = timezone.localdate(request.created_at)
    request.deadline = add_working_days(registered, request.urgency.deadline_days)


def _tell(request: Request, user, title: str, by) -> None:
    if user.pk != by.pk:
        notify(
            user=user,
            title=title,
            body=f"{request.subject or request.description[:120]}",
            url=request.get_absolute_url(),
        )


@transaction.atomic
def request_register(*, request: Request, by) -> Request:
    """Registers a request: the typed tracking code or the series' next, the deadline,
    and a notification to the assignee (it is unseen until they open it)."""
    if not request.tracking_code:
        ensure_sequence(REQUEST_SEQUENCE, "درخواست‌ها", pattern="{سال}{شماره}", padding=5)
        request.tracking_code = next_code(REQUEST_SEQUENCE)
    request_deadline(request)
    if request.assignee_id == by.pk:
        request.assignee_seen_at = timezone.now()
    record_save(record=request, by=by)
    _tell(request, request.assignee, f"درخواست {request.tracking_code} به شما سپرده شد", by)
    return request


def _creator_only(request: Request, by, action: str) -> None:
    if by.pk != request.owner_id:
        raise ValidationError(f"فقط ثبت‌کننده درخواست می‌تواند آن را {action}.")


def _before_assignee_acts(request: Request, action: str) -> None:
    if request.assignee_has_acted:
        raise ValidationError(
            f"انجام‌دهنده روی این درخواست کار کرده است؛ دیگر نمی‌توان آن را {action}."
        )


def request_check_editable(request: Request, by) -> None:
    """Only the creator edits a request, and only until the assignee has acted."""
    _creator_only(request, by, "ویرایش کند")
    _before_assignee_acts(request, "ویرایش کرد")


@transaction.atomic
def request_update(*, request: Request, by, before: dict) -> Request:
    """The creator's edit, until the assignee has acted. A new assignee gets it as new;
    a new urgency moves the deadline (still from the request date)."""
    request_check_editable(request, by)
    request_deadline(request)
    handed_over = before.get("assignee_id") != request.assignee_id
    if handed_over:
        request.assignee_seen_at = timezone.now() if request.assignee_id == by.pk else None
    record_save(record=request, by=by, before=before)
    if handed_over:
        _tell(request, request.assignee, f"درخواست {request.tracking_code} به شما سپرده شد", by)
    return request


@transaction.atomic
def request_delete(*, request: Request, by) -> None:
    _creator_only(request, by, "حذف کند")
    _before_assignee_acts(request, "حذف کرد")
    record_delete(record=request, by=by)


def _lock(request: Request) -> None:
    """Locks the request's row and reloads the caller's object from it, so a step is
    checked against, and saved from, what is stored now (two clicks never both pass)."""
    Request.objects.select_for_update().filter(pk=request.pk).values_list("pk").get()
    request.refresh_from_db()


@transaction.atomic
def request_done(*, request: Request, by, result: str) -> Request:
    """The assignee marks it done with the result; it awaits the creator's confirmation."""
    _lock(request)
    if by.pk != request.assignee_id:
        raise ValidationError("فقط انجام‌دهنده درخواست می‌تواند آن را انجام‌شده اعلام کند.")
    if request.status != Request.Status.OPEN:
        raise ValidationError("این درخواست پیش‌تر انجام‌شده اعلام شده است.")
    if not result.strip():
        raise ValidationError("نتیجه انجام درخواست را بنویسید.")
    before = snapshot(request)
    request.status = Request.Status.DONE
    request.result = result.strip()
    request.done_at = timezone.now()
    request.creator_seen_at = timezone.now() if request.owner_id == by.pk else None
    record_save(record=request, by=by, before=before)
    _tell(request, request.owner, f"درخواست {request.tracking_code} انجام شد؛ تأیید کنید", by)
    return request


@transaction.atomic
def request_archive(*, request: Request, by) -> Request:
    """The creator confirms the result: the request is archived, for good."""
    _lock(request)
    _creator_only(request, by, "بایگانی کند")
    if request.status != Request.Status.DONE:
        raise ValidationError("فقط درخواست انجام‌شده بایگانی می‌شود.")
    before = snapshot(request)
    request.status = Request.Status.ARCHIVED
    request.archived_at = timezone.now()
    request.creator_seen_at = timezone.now()
    record_save(record=request, by=by, before=before)
    return request


@transaction.atomic
def request_reject(*, request: Request, by, note: str) -> Request:
    """«اشکال دارد»: the creator sends a done request back to the assignee, marked, with
    what is wrong."""
    _lock(request)
    _creator_only(request, by, "برگشت دهد")
    if request.status != Request.Status.DONE:
        raise ValidationError("فقط درخواست انجام‌شده را می‌توان با «اشکال دارد» برگشت داد.")
    if not note.strip():
        raise ValidationError("اشکال کار را بنویسید تا انجام‌دهنده بداند چه باید بکند.")
    before = snapshot(request)
    request.status = Request.Status.OPEN
    request.rejected_at = timezone.now()
    request.rejection_note = note.strip()[:500]
    request.done_at = None
    request.assignee_seen_at = None
    request.creator_seen_at = timezone.now()
    record_save(record=request, by=by, before=before)
    _tell(request, request.assignee, f"درخواست {request.tracking_code} برگشت خورد: اشکال دارد", by)
    return request


def request_seen(*, request: Request, user) -> None:
    """Opening a request clears what made it stand out for this user."""
    now = timezone.now()
    changes = {}
    if user.pk == request.assignee_id and request.assignee_seen_at is None:
        changes["assignee_seen_at"] = now
    if user.pk == request.owner_id and request.creator_seen_at is None:
        changes["creator_seen_at"] = now
    if changes:
        Request.all_objects.filter(pk=request.pk).update(**changes)
        for name, value in changes.items():
            setattr(request, name, value)


def request_sms(*, request: Request, by, to: str, body: str):
    """The SMS to the request's customer (its tracking code on registration, its result
    on archiving), as the user edited it, into the outbox. Raises NotSendable."""
    return message_queue(
        channel=Channel.SMS, to=to, body=body, by=by, contact=request.contact, related=request
    )
