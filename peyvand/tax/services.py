"""Writes of the tax app: queueing an invoice for سامانه مودیان (on the
``sales.invoice_issued`` event when sending is on) and sending a rejected one again."""

from __future__ import annotations

from datetime import UTC

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from peyvand.core.sequences import ensure_sequence, next_code
from peyvand.core.text import to_persian_digits
from peyvand.sales.models import Invoice
from peyvand.tax.mapping import invoice_payload
from peyvand.tax.models import MoadianSettings, Subject, TaxSubmission
from peyvand.tax.taxid import day_number, tax_id

SERIAL_SEQUENCE = "moadian-serial"


def _serial() -> int:
    ensure_sequence(
        SERIAL_SEQUENCE, "سریال صورتحساب مودیان", pattern="{شماره}", padding=1, yearly=False
    )
    return int(next_code(SERIAL_SEQUENCE, model=TaxSubmission, field="serial"))


def _indatim(invoice: Invoice) -> int:
    """The issue instant in ms: when the invoice was issued (its row was made)."""
    issued = invoice.created_at or timezone.now()
    return int(issued.astimezone(UTC).timestamp() * 1000)


def _enqueue_on_commit() -> None:
    from peyvand.tax import tasks

    transaction.on_commit(tasks.send.enqueue)


@transaction.atomic
def submission_queue(
    *, invoice: Invoice, subject: int = Subject.ORIGINAL, reference_tax_id: str = ""
) -> TaxSubmission:
    """Queues ``invoice`` for the worker with a new serial and its tax ID (the UTC day of
    its issue instant)."""
    row = MoadianSettings.load()
    serial = _serial()
    indatim = _indatim(invoice)
    submission = TaxSubmission.objects.create(
        invoice=invoice,
        subject=subject,
        reference_tax_id=reference_tax_id,
        serial=serial,
        tax_id=tax_id(row.memory_id, day_number(indatim), serial),
        indatim=indatim,
    )
    _enqueue_on_commit()
    return submission


def _registered(invoice: Invoice) -> TaxSubmission | None:
    """The latest version of this sale the system holds: the accepted submission of
    ``invoice`` or, walking back the versions it replaced, of the nearest one accepted
    (a version the system refused was never registered there)."""
    while invoice is not None:
        submission = TaxSubmission.objects.filter(invoice=invoice).first()
        if submission is not None and submission.status == TaxSubmission.Status.ACCEPTED:
            return submission
        invoice = invoice.reference
    return None


def invoice_issued(*, invoice: Invoice, by=None, replaces: Invoice | None = None) -> None:
    """Handler of ``sales.invoice_issued``: queued when sending is on and configured.
    A correction, return or cancellation goes with its subject and the tax ID of the
    version the system holds (``irtaxid``); when the system holds none (the replaced
    invoice was refused or never sent), the new version is simply the sale's original,
    and a cancellation has nothing to cancel there. While the replaced invoice still
    awaits the system's answer, replacing it is refused: the answer decides which."""
    row = MoadianSettings.load()
    if not (row.enabled and row.memory_id):
        return
    if replaces is None:
        submission_queue(invoice=invoice)
        return
    pending = TaxSubmission.objects.filter(
        invoice=replaces,
        status__in=(
            TaxSubmission.Status.QUEUED,
            TaxSubmission.Status.SENDING,
            TaxSubmission.Status.SENT,
        ),
    )
    if pending.exists():
        raise ValidationError(
            f"{to_persian_digits(str(replaces))} هنوز در انتظار پاسخ سامانه مودیان است؛ "
            "پس از پاسخ سامانه دوباره تلاش کنید."
        )
    registered = _registered(replaces)
    if registered is not None:
        submission_queue(
            invoice=invoice, subject=invoice.subject, reference_tax_id=registered.tax_id
        )
    elif invoice.subject != Subject.CANCELLATION:
        submission_queue(invoice=invoice)


@transaction.atomic
def submission_resend(*, submission: TaxSubmission) -> TaxSubmission:
    """Sends a rejected or failed submission again, after the user fixed the data: a new
    serial and so a new tax ID (a refused one is never reused), the same issue instant.
    ValidationError (Persian) while the data still has problems or it is not resendable."""
    submission = TaxSubmission.objects.select_for_update().get(pk=submission.pk)
    if not submission.resendable:
        raise ValidationError("فقط ارسالِ ردشده یا ناموفق را می‌توان دوباره فرستاد.")
    if submission.invoice.superseded:
        raise ValidationError(
            "این فاکتور با نسخه تازه‌تری جایگزین شده است؛ نسخه تازه به سامانه فرستاده می‌شود."
        )
    row = MoadianSettings.load()
    if not row.memory_id:
        raise ValidationError("شناسه حافظه مالیاتی در تنظیمات سامانه مودیان خالی است.")
    serial = _serial()
    new_tax_id = tax_id(row.memory_id, day_number(submission.indatim), serial)
    payload = invoice_payload(
        submission.invoice,
        tax_id=new_tax_id,
        indatim=submission.indatim,
        subject=submission.subject,
        reference_tax_id=submission.reference_tax_id,
    )
    if payload.problems:
        raise ValidationError(payload.problems)
    TaxSubmission.objects.filter(pk=submission.pk).update(
        serial=serial,
        tax_id=new_tax_id,
        status=TaxSubmission.Status.QUEUED,
        errors=[],
        last_error="",
        error_code="",
        uid="",
        reference_number="",
        attempts=0,
        scheduled_at=timezone.now(),
        claimed_at=None,
        claimed_by="",
        maybe_sent_at=None,
        sent_at=None,
        checked_at=None,
        settled_at=None,
        updated_at=timezone.now(),
    )
    _enqueue_on_commit()
    submission.refresh_from_db()
    return submission
