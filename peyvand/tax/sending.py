"""The worker side of سامانه مودیان: claim queued submissions, send them, ask for the
verdicts of sent ones, take back what a killed worker left — exactly once, as the SMS
outbox does (messaging.outbox):

- a submission is claimed (queued → sending) in a short transaction that skips rows other
  workers have locked, stamped with the worker; every later write is conditional on that
  claim (status and claim time);
- before the POST its uid (the requestTraceId) is written, so an answer lost on the way
  back (``maybe_sent``) or a worker killed mid-send leaves a uid to ask about: before
  sending again the system is asked by uid, and only a NOT_FOUND is sent again (with a
  new uid). A tax ID the system accepted twice would be refused as a duplicate anyway,
  but a duplicate would also turn an accepted invoice «رد» here;
- retryable failures (timeouts, the system's 5xx) wait with backoff; data problems
  (``tax.mapping``) and refusals are «خطا» with Persian reasons, for a person to fix and
  send again.
"""

from __future__ import annotations

import datetime
import logging
import time
import uuid

from django.db.models import F, Q
from django.utils import timezone

from peyvand.core import workers
from peyvand.tax.client import (
    FAILED,
    IN_PROGRESS,
    NOT_FOUND,
    SUCCESS,
    MoadianClient,
    MoadianError,
    get_moadian_client,
)
from peyvand.tax.mapping import invoice_payload
from peyvand.tax.models import MoadianSettings, TaxSubmission

logger = logging.getLogger("peyvand.tax.sending")

BATCH_SIZE = 50
TASK_SECONDS = 60.0
MAX_ATTEMPTS = 6
BACKOFF_MINUTES = (1, 5, 15, 60, 180)
POLL_EVERY = datetime.timedelta(minutes=1)
POLL_BATCH = 100
# A claim older than this has no live worker sending it (claims made outside a worker).
CLAIM_TIMEOUT = datetime.timedelta(minutes=10)

Status = TaxSubmission.Status

DATA_ERROR = "اطلاعات فاکتور برای سامانه مودیان کامل نیست؛ پس از اصلاح، دوباره بفرستید."
SOFTWARE_ERROR = "ارسال این فاکتور به سبب خطای نرم‌افزاری انجام نشد؛ به مدیر سامانه خبر دهید."


def due(now: datetime.datetime | None = None):
    return TaxSubmission.objects.filter(
        status=Status.QUEUED, scheduled_at__lte=now or timezone.now()
    )


def claim(*, limit: int = BATCH_SIZE) -> list[int]:
    now = timezone.now()
    return workers.claim_due(
        due(now),
        order_by=("scheduled_at", "id"),
        limit=limit,
        status=Status.SENDING,
        claimed_at=now,
        claimed_by=workers.current_worker_id,
        attempts=F("attempts") + 1,
        updated_at=now,
    )


def _finish(submission: TaxSubmission, **fields) -> bool:
    """Writes an outcome only while the row is still this claim."""
    fields["updated_at"] = timezone.now()
    return bool(
        TaxSubmission.objects.filter(
            pk=submission.pk, status=Status.SENDING, claimed_at=submission.claimed_at
        ).update(**fields)
    )


def _problems(items) -> list[dict[str, str]]:
    return [{"code": p.code, "message": p.message} for p in items]


def _failed(submission: TaxSubmission, error: MoadianError) -> None:
    maybe_sent_at = timezone.now() if error.maybe_sent else submission.maybe_sent_at
    if error.retryable and submission.attempts < MAX_ATTEMPTS:
        wait = BACKOFF_MINUTES[min(submission.attempts, len(BACKOFF_MINUTES)) - 1]
        _finish(
            submission,
            status=Status.QUEUED,
            scheduled_at=timezone.now() + datetime.timedelta(minutes=wait),
            last_error=error.message,
            error_code=error.code,
            maybe_sent_at=maybe_sent_at,
        )
    else:
        _finish(
            submission,
            status=Status.FAILED,
            last_error=error.message,
            error_code=error.code,
            errors=_problems(error.problems),
            maybe_sent_at=maybe_sent_at,
        )


def _settle(submission: TaxSubmission, result, *, from_status: str) -> bool:
    """Records a verdict (or that the system holds it, still in progress)."""
    now = timezone.now()
    conditional = TaxSubmission.objects.filter(pk=submission.pk, status=from_status)
    if from_status == Status.SENDING:
        conditional = conditional.filter(claimed_at=submission.claimed_at)
    fields = {
        "uid": result.uid or submission.uid,
        "reference_number": result.reference_number or submission.reference_number,
        "checked_at": now,
        "updated_at": now,
        "maybe_sent_at": None,
    }
    if result.status == SUCCESS:
        fields |= {"status": Status.ACCEPTED, "settled_at": now, "errors": [], "last_error": ""}
    elif result.status == FAILED:
        errors = _problems(result.errors)
        fields |= {
            "status": Status.REJECTED,
            "settled_at": now,
            "errors": errors,
            "last_error": "؛ ".join(e["message"] for e in errors)
            or "سامانه مودیان صورتحساب را رد کرد.",
            "error_code": errors[0]["code"] if errors else "",
        }
    else:
        fields["status"] = Status.SENT
    if from_status == Status.SENDING and "sent_at" not in fields:
        fields["sent_at"] = submission.sent_at or now
    return bool(conditional.update(**fields))


def _ask_first(submission: TaxSubmission, client: MoadianClient) -> bool:
    """For a submission whose earlier attempt may have reached the system: True when it
    still has to be sent (the system does not know its uid), after recording what the
    system holds otherwise. A system that cannot answer now keeps it waiting."""
    if not (submission.maybe_sent_at and submission.uid):
        return True
    try:
        results = client.inquire_by_uid([submission.uid])
    except MoadianError as error:
        _failed(submission, error)
        return False
    result = next((r for r in results if r.uid == submission.uid), None)
    if result is None or result.status == NOT_FOUND:
        return True
    _settle(submission, result, from_status=Status.SENDING)
    return False


def _send_one(submission: TaxSubmission, client: MoadianClient) -> None:
    payload = invoice_payload(
        submission.invoice,
        tax_id=submission.tax_id,
        indatim=submission.indatim,
        subject=submission.subject,
        reference_tax_id=submission.reference_tax_id,
    )
    if payload.problems:
        _finish(
            submission,
            status=Status.FAILED,
            errors=[{"code": "data", "message": problem} for problem in payload.problems],
            last_error=DATA_ERROR,
            error_code="data",
        )
        return
    if not _ask_first(submission, client):
        return
    trace_id = str(uuid.uuid4())
    # The uid is on the row before the request goes out: whatever happens next, the
    # system can be asked about it.
    if not _finish(submission, uid=trace_id):
        return
    submission.uid = trace_id
    try:
        [sent] = client.send_invoices([payload.data], trace_ids=[trace_id])
    except MoadianError as error:
        logger.warning("Tax submission %s not sent: %s (%s)", submission.pk, error.message,
                       error.code)  # fmt: skip
        _failed(submission, error)
        return
    now = timezone.now()
    _finish(
        submission,
        status=Status.SENT,
        uid=sent.uid,
        reference_number=sent.reference_number,
        sent_at=now,
        maybe_sent_at=None,
        last_error="",
        error_code="",
        errors=[],
    )


def _release(submissions: list[TaxSubmission]) -> None:
    for submission in submissions:
        _finish(submission, status=Status.QUEUED, attempts=F("attempts") - 1)


def send_due(*, limit: int | None = None, seconds: float = TASK_SECONDS) -> int:
    """Sends due submissions until none are left, ``limit`` are handled or ``seconds``
    pass. Nothing is claimed while sending is off or the settings cannot make a client
    (the rows wait in the queue, the reason logged)."""
    recover_stale(own_leftovers=True)
    if not MoadianSettings.load().enabled or not due().exists():
        return 0
    try:
        client = get_moadian_client()
    except MoadianError as error:
        logger.warning("Moadian sending waits: %s", error.message)
        return 0
    handled = 0
    started = time.monotonic()
    try:
        while (limit is None or handled < limit) and time.monotonic() - started < seconds:
            batch = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - handled)
            ids = claim(limit=batch)
            if not ids:
                break
            submissions = list(
                TaxSubmission.objects.filter(pk__in=ids, status=Status.SENDING)
                .select_related("invoice__contact")
                .order_by("scheduled_at", "id")
            )
            for index, submission in enumerate(submissions):
                if not workers.sending_allowed() or time.monotonic() - started >= seconds:
                    _release(submissions[index:])
                    break
                try:
                    _send_one(submission, client)
                except Exception:
                    logger.exception("Tax submission %s could not be sent", submission.pk)
                    _finish(
                        submission, status=Status.FAILED, last_error=SOFTWARE_ERROR,
                        error_code="error",
                    )  # fmt: skip
                handled += 1
    finally:
        client.close()
    return handled


def poll(now: datetime.datetime | None = None) -> int:
    """Asks the system for the verdicts of sent submissions; returns how many changed."""
    now = now or timezone.now()
    rows = list(
        TaxSubmission.objects.filter(status=Status.SENT)
        .exclude(checked_at__gt=now - POLL_EVERY)
        .exclude(uid="")
        .order_by(F("checked_at").asc(nulls_first=True), "id")[:POLL_BATCH]
    )
    if not rows:
        return 0
    try:
        client = get_moadian_client()
    except MoadianError as error:
        logger.warning("Moadian verdicts wait: %s", error.message)
        return 0
    changed = 0
    try:
        try:
            results = {r.uid: r for r in client.inquire_by_uid([row.uid for row in rows])}
        except MoadianError as error:
            logger.warning("Moadian inquiry failed: %s (%s)", error.message, error.code)
            return 0
        for row in rows:
            result = results.get(row.uid)
            if (
                result is None
                or result.status in (IN_PROGRESS, NOT_FOUND)
                or not (result.accepted or result.rejected)
            ):
                TaxSubmission.objects.filter(pk=row.pk, status=Status.SENT).update(checked_at=now)
                continue
            changed += _settle(row, result, from_status=Status.SENT)
    finally:
        client.close()
    return changed


def stale_claims(now: datetime.datetime | None = None, *, own_leftovers: bool = False):
    live = workers.live_worker_ids(now)
    now = now or timezone.now()
    stale = Q(claimed_at__lt=now - CLAIM_TIMEOUT)
    if not (workers.current_worker_id and not workers.steady()):
        stale |= ~Q(claimed_by="") & ~Q(claimed_by__in=live)
    if own_leftovers and workers.current_worker_id:
        stale |= Q(claimed_by=workers.current_worker_id)
    return TaxSubmission.objects.filter(stale, status=Status.SENDING)


def recover_stale(now: datetime.datetime | None = None, *, own_leftovers: bool = False) -> int:
    """Queues again what a dead worker left "sending". One that had a uid may have reached
    the system: it is marked so, and asked about before it is sent again."""
    taken = 0
    for submission in stale_claims(now, own_leftovers=own_leftovers).only(
        "id", "claimed_at", "uid", "maybe_sent_at"
    ):
        taken += TaxSubmission.objects.filter(
            pk=submission.pk, status=Status.SENDING, claimed_at=submission.claimed_at
        ).update(
            status=Status.QUEUED,
            maybe_sent_at=(submission.maybe_sent_at or submission.claimed_at)
            if submission.uid
            else None,
            updated_at=timezone.now(),
        )
    if taken:
        logger.warning("Recovered %s interrupted Moadian submissions", taken)
    return taken
