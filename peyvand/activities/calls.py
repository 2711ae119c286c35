"""The call log (تماس‌ها): calls logged by hand and calls the PBX reports.

A PBX (Asterisk, Issabel, FreePBX) reports a call twice: when it rings (``ring``: the
user on that extension gets a pop-up with the caller's contact card) and when it ends
(``end``: duration and disposition; an unanswered incoming call becomes «بی‌پاسخ» and a
call-back task for that user). Both reports carry the PBX's call id, so a report sent
again, or an ``end`` without a ``ring``, never makes a second call or a second task."""

import datetime
import functools
from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.accounts.models import User
from peyvand.activities.models import Call, Task
from peyvand.activities.reminders import notify
from peyvand.activities.services import task_save
from peyvand.contacts.selectors import contact_with_number
from peyvand.core.history import log_change, snapshot
from peyvand.core.models import ChangeRecord
from peyvand.core.services import record_save
from peyvand.core.validators import any_number


class BadCallReport(ValueError):
    """A PBX report we cannot record; the message is Persian, for the PBX's log."""


def user_on_extension(extension: str) -> User | None:
    if not extension:
        return None
    return User.objects.filter(extension=extension, is_active=True).order_by("pk").first()


def _caller_card(call: Call, staff: User) -> tuple[str, str]:
    """The pop-up's title and body: who is calling, as the card shows them to ``staff``
    (a contact they may not see is a number, as on the call's page)."""
    number = call.national_number
    contact = call.show_contact_to(staff).shown_contact
    if contact is None:
        title = _("تماس ورودی از %(number)s") % {"number": number}
        if call.contact_id:
            return title, _("این شماره مال مخاطبی است که شما اجازه دیدن پرونده‌اش را ندارید.")
        return title, _("این شماره در مخاطبین نیست؛ برای ثبت مخاطب باز کنید.")
    details = " · ".join(
        part
        for part in (
            "VIP" if contact.is_vip else "",
            contact.company,
            str(contact.grade or ""),
            _("کد %(code)s") % {"code": contact.code},
            number,
        )
        if part
    )
    return _("تماس ورودی: %(contact)s") % {"contact": contact}, details


@transaction.atomic
def call_log(
    *, call: Call, by, before: dict | None = None, version: datetime.datetime | None = None
) -> Call:
    """Saves a call typed by a user (new, or an edit of its notes and contact; refused if
    stale: ``version``, see core.versions)."""
    call.number = any_number(call.number)
    if call.contact_id is None and before is None:
        call.contact = contact_with_number(call.number)
    return record_save(record=call, by=by, before=before, version=version)


def _callback_task(call: Call) -> Task:
    """The call-back task; it names the caller, and is about them, only if its assignee
    may see them (else it is about the call, which shows the number)."""
    number = call.national_number
    contact = call.show_contact_to(call.owner).shown_contact
    task = Task(
        assignee=call.owner,
        owner=call.owner,
        date=timezone.localdate(),
        description=_("تماس بی‌پاسخ از %(who)s؛ با %(number)s تماس بگیرید.")
        % {"who": str(contact) if contact else number, "number": number},
    )
    task.related = contact or call
    return task_save(task=task, by=call.owner)


def pbx_report(
    *,
    integration: User,
    event: str,
    call_id: str,
    number: str,
    extension: str = "",
    direction: str = "in",
    duration: int = 0,
    answered: bool | None = None,
) -> tuple[Call, bool]:
    """Records one PBX report; returns the call and whether it was new. ``integration``
    (the webhook token's user) owns calls on extensions that belong to nobody."""
    if event not in ("ring", "end"):
        raise BadCallReport("event باید ring یا end باشد.")
    if direction not in ("in", "out"):
        raise BadCallReport("direction باید in یا out باشد.")
    if not call_id:
        raise BadCallReport("call_id (شناسهٔ تماس در مرکز تلفن) لازم است.")
    digits = any_number(number)
    if not digits:
        raise BadCallReport("شماره تماس‌گیرنده (number) خالی یا نامعتبر است.")
    record = functools.partial(
        _pbx_record, integration, event, call_id, digits, extension, direction, duration, answered
    )
    try:
        with transaction.atomic():
            return record()
    except IntegrityError:
        # Two reports of one new call raced (ring and end together): the other one
        # created it, so this one now finds and updates it.
        with transaction.atomic():
            return record()


def _pbx_record(integration, event, call_id, number, extension, direction, duration, answered):
    now = timezone.now()
    call = Call.all_objects.select_for_update().filter(pbx_id=call_id).first()
    created = call is None
    if created:
        staff = user_on_extension(extension)
        call = Call(
            pbx_id=call_id,
            kind=Call.Kind.INCOMING if direction == "in" else Call.Kind.OUTGOING,
            number=number,
            contact=contact_with_number(number),
            extension=extension,
            owner=staff or integration,
            started_at=now,
        )
        record_save(record=call, by=staff or integration)
        if event == "ring" and direction == "in" and staff is not None:
            title, body = _caller_card(call, staff)
            notify(user=staff, title=title, body=body, url=call.get_absolute_url())
    if event == "end" and call.ended_at is None:
        before = snapshot(call)
        call.ended_at = now
        call.duration = max(duration, 0)
        # Without a disposition, a call that lasted no time was not answered.
        unanswered = answered is False or (answered is None and call.duration == 0)
        missed = call.kind == Call.Kind.INCOMING and unanswered
        if missed:
            call.kind = Call.Kind.MISSED
            call.callback_task = _callback_task(call)
        call.save(update_fields=["ended_at", "duration", "kind", "callback_task", "updated_at"])
        if not created:
            log_change(call, user=call.owner, action=ChangeRecord.Action.CHANGED, before=before)
    return call, created


def new_contact_url(call: Call) -> str:
    """The new-contact form, its first phone filled with the caller's number."""
    return f"{reverse('contacts:create')}?{urlencode({'phone': call.number})}"
