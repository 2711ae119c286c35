"""Writes of the service desk: the request workflow. Every forbidden step raises a
ValidationError with a Persian message; pages and the API show it as it is."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from peyvand.activities.reminders import notify
from peyvand.core.dates import format_date
from peyvand.core.history import log_event, snapshot
from peyvand.core.sequences import claim_typed_code, ensure_sequence, next_code
from peyvand.core.services import record_delete, record_save
from peyvand.core.workdays import add_working_days
from peyvand.lookups.models import Channel as LookupChannel
from peyvand.lookups.models import Urgency
from peyvand.messaging.models import Channel
from peyvand.messaging.services import message_queue
from peyvand.sales.services import settle_followups
from peyvand.service.models import Complaint, Request

REQUEST_SEQUENCE = "request"
# The lookups' channel a request opened by email is registered with, where it exists.
EMAIL_CHANNEL = "ایمیل"


def request_deadline(request: Request) -> None:
    """The request date plus the urgency's days, counted in working days (weekend,
    official holidays and the managers' overrides skipped)."""
    registered = timezone.localdate(request.created_at)
    request.deadline = add_working_days(registered, request.urgency.deadline_days)


def _tell(request: Request, user, title: str, by, *, assignment: bool = False) -> None:
    if user.pk != by.pk:
        notify(
            user=user,
            title=title,
            body=f"{request.subject or request.description[:120]}",
            url=request.get_absolute_url(),
            assignment=assignment,
        )


def _tell_watchers(request: Request, title: str, by) -> None:
    """Watchers hear of every update (not the one who made it, nor the creator and the
    assignee, who are told in their own words)."""
    people = (by.pk, request.owner_id, request.assignee_id)
    for user in request.watchers.exclude(pk__in=people):
        _tell(request, user, title, by)


def _names(users) -> str:
    return "، ".join(sorted(str(user) for user in users))


def _set_watchers(request: Request, watchers, by) -> None:
    """The watchers the creator chose; a change is a history line, and newcomers hear
    that they now follow it."""
    before = set(request.watchers.all())
    after = set(watchers)
    if before == after:
        return
    request.watchers.set(after)
    log_event(
        request,
        user=by,
        field="watchers",
        label="دنبال‌کنندگان",
        old=_names(before),
        new=_names(after),
    )
    for user in after - before:
        _tell(request, user, f"دنبال‌کننده درخواست {request.tracking_code} شدید", by)


@transaction.atomic
def request_register(*, request: Request, by, watchers=()) -> Request:
    """Registers a request: the typed tracking code or the series' next, the deadline,
    its watchers, and a notification to the assignee (unseen until they open it)."""
    ensure_sequence(REQUEST_SEQUENCE, "درخواست‌ها", pattern="{سال}{شماره}", padding=5)
    if request.tracking_code:
        claim_typed_code(
            REQUEST_SEQUENCE, model=Request, field="tracking_code", code=request.tracking_code
        )
    else:
        request.tracking_code = next_code(REQUEST_SEQUENCE, model=Request, field="tracking_code")
    request_deadline(request)
    if request.assignee_id == by.pk:
        request.assignee_seen_at = timezone.now()
    record_save(record=request, by=by)
    _set_watchers(request, watchers, by)
    _tell(
        request,
        request.assignee,
        f"درخواست {request.tracking_code} به شما سپرده شد",
        by,
        assignment=True,
    )
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
def request_update(
    *, request: Request, by, before: dict, watchers=None, version: datetime.datetime | None = None
) -> Request:
    """The creator's edit, until the assignee has acted (refused if stale: ``version``,
    see core.versions). A new assignee gets it as new; a new urgency moves the deadline
    (still from the request date); ``watchers`` (when given) replace the current ones."""
    request_check_editable(request, by)
    if request.tracking_code != before.get("tracking_code"):
        claim_typed_code(
            REQUEST_SEQUENCE,
            model=Request,
            field="tracking_code",
            code=request.tracking_code,
            record_pk=request.pk,
        )
    request_deadline(request)
    handed_over = before.get("assignee_id") != request.assignee_id
    if handed_over:
        request.assignee_seen_at = timezone.now() if request.assignee_id == by.pk else None
    record_save(record=request, by=by, before=before, version=version)
    if watchers is not None:
        _set_watchers(request, watchers, by)
    if handed_over:
        _tell(
            request,
            request.assignee,
            f"درخواست {request.tracking_code} به شما سپرده شد",
            by,
            assignment=True,
        )
    _tell_watchers(request, f"درخواست {request.tracking_code} ویرایش شد", by)
    return request


@transaction.atomic
def requests_assign(*, requests, assignee, by) -> int:
    """Hands the given requests to ``assignee`` (the request list's bulk action), each
    as the creator's edit does it (history, the newcomer and the watchers told). Only
    what ``by`` may edit changes: their own requests the assignee has not acted on;
    the rest are skipped. How many changed."""
    changed = 0
    for request in requests.select_for_update():
        if request.assignee_id == assignee.pk:
            continue
        try:
            request_check_editable(request, by)
        except ValidationError:
            continue
        before = snapshot(request)
        request.assignee = assignee
        request_update(request=request, by=by, before=before)
        changed += 1
    return changed


@transaction.atomic
def requests_archive(*, requests, by) -> int:
    """Confirms and archives the given requests (the list's bulk action): those done
    and registered by ``by``, as «تأیید» on each does; the rest are skipped."""
    changed = 0
    for request in requests.filter(owner=by, status=Request.Status.DONE):
        request_archive(request=request, by=by)
        changed += 1
    return changed


@transaction.atomic
def request_delete(*, request: Request, by) -> None:
    _creator_only(request, by, "حذف کند")
    _before_assignee_acts(request, "حذف کرد")
    record_delete(record=request, by=by)


def _lock(record: Request | Complaint) -> None:
    """Locks the record's row and reloads the caller's object from it, so a workflow step
    is checked against, and saved from, what is stored now (two clicks never both pass)."""
    type(record).objects.select_for_update().filter(pk=record.pk).values_list("pk").get()
    record.refresh_from_db()


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
    _tell_watchers(request, f"درخواست {request.tracking_code} انجام شد", by)
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
    _tell(request, request.assignee, f"درخواست {request.tracking_code} تأیید و بایگانی شد", by)
    _tell_watchers(request, f"درخواست {request.tracking_code} بایگانی شد", by)
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
    title = f"درخواست {request.tracking_code} برگشت خورد: اشکال دارد"
    _tell(request, request.assignee, title, by, assignment=True)
    _tell_watchers(request, f"درخواست {request.tracking_code} برگشت خورد: اشکال دارد", by)
    return request


@transaction.atomic
def request_watch(*, request: Request, by, watch: bool) -> None:
    """Anyone who sees a request may follow it (and stop)."""
    if watch == request.watchers.filter(pk=by.pk).exists():
        return
    if watch:
        request.watchers.add(by)
        log_event(request, user=by, field="watchers", label="دنبال‌کننده تازه", new=str(by))
    else:
        request.watchers.remove(by)
        log_event(request, user=by, field="watchers", label="دنبال نمی‌کند", old=str(by))


@transaction.atomic
def request_link(*, request: Request, other: Request, by) -> None:
    """Links two requests (both ways); each one's history records it. The caller has
    checked that they may see both."""
    if other.pk == request.pk:
        raise ValidationError("درخواست را نمی‌توان به خودش پیوند داد.")
    if request.related.filter(pk=other.pk).exists():
        raise ValidationError(f"درخواست {other.tracking_code} پیش‌تر پیوند شده است.")
    request.related.add(other)
    for one, two in ((request, other), (other, request)):
        log_event(one, user=by, field="related", label="درخواست مرتبط", new=two.tracking_code)
    title = f"درخواست {request.tracking_code} به {other.tracking_code} پیوند شد"
    _tell_watchers(request, title, by)


@transaction.atomic
def request_unlink(*, request: Request, other: Request, by) -> None:
    request.related.remove(other)
    for one, two in ((request, other), (other, request)):
        log_event(one, user=by, field="related", label="درخواست مرتبط", old=two.tracking_code)


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


# Complaints ------------------------------------------------------------------------------

COMPLAINT_SEQUENCE = "complaint"


def _complaint_people_only(complaint: Complaint, by, action: str) -> None:
    """A complaint is worked on by its registrar, its control officer and managers."""
    allowed = by.pk in (complaint.owner_id, complaint.officer_id) or by.has_perm("accounts.see_all")
    if not allowed:
        raise ValidationError(f"فقط ثبت‌کننده یا مسئول کنترل شکایت می‌تواند آن را {action}.")


@transaction.atomic
def complaint_register(*, complaint: Complaint, by) -> Complaint:
    """Registers a complaint with the series' next tracking code (a year, a dash and a
    number, unlike a request's) and tells the control officer."""
    ensure_sequence(COMPLAINT_SEQUENCE, "شکایات", pattern="{سال}-{شماره}", padding=4)
    complaint.tracking_code = next_code(COMPLAINT_SEQUENCE, model=Complaint, field="tracking_code")
    record_save(record=complaint, by=by)
    _tell_officer(
        complaint, f"شکایت {complaint.tracking_code} به شما سپرده شد", by, assignment=True
    )
    return complaint


def _tell_officer(complaint: Complaint, title: str, by, *, assignment: bool = False) -> None:
    """Tells the control officer and the registrar (not whoever did it); an
    ``assignment`` (the complaint is handed to the officer) is the officer's alone."""
    people = {complaint.officer} if assignment else {complaint.officer, complaint.owner}
    for user in people:
        if user.pk != by.pk:
            notify(
                user=user,
                title=title,
                body=complaint.description[:120],
                url=complaint.get_absolute_url(),
                assignment=assignment,
            )


def complaint_check_editable(complaint: Complaint, by) -> None:
    _complaint_people_only(complaint, by, "ویرایش کند")
    if not complaint.is_open:
        raise ValidationError("این شکایت بسته شده است؛ برای ویرایش، اول آن را دوباره باز کنید.")


@transaction.atomic
def complaint_update(
    *, complaint: Complaint, by, before: dict, version: datetime.datetime | None = None
) -> Complaint:
    """An edit while it is followed (the actions taken grow as it is worked on; refused
    if stale: ``version``, see core.versions); a new control officer is told."""
    complaint_check_editable(complaint, by)
    record_save(record=complaint, by=by, before=before, version=version)
    if before.get("officer_id") != complaint.officer_id:
        _tell_officer(
            complaint, f"شکایت {complaint.tracking_code} به شما سپرده شد", by, assignment=True
        )
    return complaint


@transaction.atomic
def complaint_close(*, complaint: Complaint, by, result: str) -> Complaint:
    """Closes a complaint with its final result; its pending follow-ups are settled."""
    _lock(complaint)
    _complaint_people_only(complaint, by, "ببندد")
    if not complaint.is_open:
        raise ValidationError("این شکایت پیش‌تر بسته شده است.")
    if not result.strip():
        raise ValidationError("نتیجه نهایی شکایت را بنویسید.")
    before = snapshot(complaint)
    complaint.status = Complaint.Status.CLOSED
    complaint.result = result.strip()
    complaint.closed_at = timezone.now()
    record_save(record=complaint, by=by, before=before)
    settle_followups(complaint.followups.all())
    _tell_officer(complaint, f"شکایت {complaint.tracking_code} بسته شد", by)
    return complaint


@transaction.atomic
def complaint_reopen(*, complaint: Complaint, by) -> Complaint:
    """Back to being followed (the customer was not satisfied after all)."""
    _lock(complaint)
    _complaint_people_only(complaint, by, "دوباره باز کند")
    if complaint.is_open:
        raise ValidationError("این شکایت باز است.")
    before = snapshot(complaint)
    complaint.status = Complaint.Status.FOLLOWING
    complaint.closed_at = None
    record_save(record=complaint, by=by, before=before)
    return complaint


@transaction.atomic
def complaint_delete(*, complaint: Complaint, by) -> None:
    """To the trash, while it is followed and has no follow-ups (a worked complaint is
    history: it is closed, not deleted)."""
    _complaint_people_only(complaint, by, "حذف کند")
    if not complaint.is_open or complaint.followups.exists():
        raise ValidationError("روی این شکایت کار شده است؛ به‌جای حذف، آن را با نتیجه ببندید.")
    record_delete(record=complaint, by=by)


def request_from_message(
    *,
    contact,
    subject: str,
    body: str,
    by,
    assignee=None,
    kind_type=None,
    channel_name: str = EMAIL_CHANNEL,
):
    """A request opened by a customer's message that belongs to nothing yet (a mailbox
    that opens requests, the Bale bot's «ثبت درخواست»: messaging through core.registry):
    the given assignee (else ``by``), type, the first urgency, the channel it came by
    where the lookups have it."""
    urgency = Urgency.objects.filter(is_active=True).order_by("order", "name").first()
    if urgency is None:
        raise ValidationError("هیچ درجه فوریتی تعریف نشده است؛ درخواست از ایمیل ثبت نشد.")
    request = Request(
        contact=contact,
        subject=subject[:200],
        description=body or subject or "(ایمیل بی‌متن)",
        urgency=urgency,
        assignee=assignee or by,
        type1=kind_type,
        channel=LookupChannel.objects.filter(name=channel_name).first(),
        owner=by,
    )
    return request_register(request=request, by=by)


def request_status_text(request: Request) -> str:
    """What a customer is told of their request when they ask by its tracking code (the
    Bale bot), in Persian, dates in the Jalali calendar."""
    text = f"درخواست {request.tracking_code}: {request.get_status_display()}"
    if request.status == Request.Status.OPEN:
        text += f"؛ مهلت انجام {format_date(request.deadline, style='long')}"
    if request.result and request.status != Request.Status.OPEN:
        text += f"\nنتیجه: {request.result[:300]}"
    return text
