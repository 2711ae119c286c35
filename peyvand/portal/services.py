"""Writes of the customer portal: granting access, sending and checking sign-in codes,
and a customer's survey answers."""

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.contacts.models import Contact
from peyvand.core.history import log_change, snapshot
from peyvand.core.models import ChangeRecord
from peyvand.lookups.models import Channel as LookupChannel
from peyvand.lookups.models import Urgency
from peyvand.messaging.models import Channel
from peyvand.messaging.services import NotSendable, message_queue
from peyvand.portal import selectors
from peyvand.portal.models import PortalAccess, PortalCode
from peyvand.service.models import Request, ServiceSettings
from peyvand.service.services import request_register
from peyvand.surveys.models import SurveyResponse
from peyvand.surveys.services import survey_record

CODE_LIFETIME = datetime.timedelta(minutes=5)
RESEND_AFTER = datetime.timedelta(seconds=60)
CODES_PER_HOUR = 5
MAX_ATTEMPTS = 5


class PortalError(Exception):
    """Why a code was not sent or not accepted, in Persian."""


def _code_hash(mobile: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"portal:{mobile}:{code}".encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def access_save(*, access: PortalAccess, by, before: dict | None) -> PortalAccess:
    """Saves a contact's portal access with a history line (who granted or changed it)."""
    if access.contact.kind != Contact.Kind.ORGANIZATION:
        access.include_people = False
    access.updated_by = by
    access.save()
    if before is None:
        log_change(access, user=by, action=ChangeRecord.Action.CREATED)
    else:
        log_change(access, user=by, action=ChangeRecord.Action.CHANGED, before=before)
    return access


def access_snapshot(access: PortalAccess) -> dict | None:
    return snapshot(access) if access.pk else None


@transaction.atomic
def code_send(*, mobile: str, company: str) -> bool:
    """Texts a sign-in code to ``mobile`` if it may enter some contact's portal (True);
    sends nothing for any other number (False), so that the page answers alike. Raises
    PortalError when codes were asked for too often."""
    contacts = selectors.login_contacts(mobile)
    if not contacts:
        return False
    now = timezone.now()
    recent = list(
        PortalCode.objects.select_for_update()
        .filter(mobile=mobile, created_at__gte=now - datetime.timedelta(hours=1))
        .order_by("-created_at")
    )
    if len(recent) >= CODES_PER_HOUR:
        raise PortalError("در یک ساعت گذشته چند بار کد خواسته شد؛ کمی بعد دوباره امتحان کنید.")
    if recent and now - recent[0].created_at < RESEND_AFTER:
        wait = int((RESEND_AFTER - (now - recent[0].created_at)).total_seconds()) + 1
        raise PortalError(f"کد پیشین همین حالا فرستاده شد؛ {wait} ثانیه دیگر دوباره بخواهید.")
    code = f"{secrets.randbelow(10**6):06d}"
    # A new code replaces the earlier ones.
    PortalCode.objects.filter(mobile=mobile, used_at__isnull=True).update(expires_at=now)
    PortalCode.objects.create(
        mobile=mobile,
        code_hash=_code_hash(mobile, code),
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    contact = contacts[0]
    template = settings.PORTAL_SMS_TEMPLATE
    try:
        message_queue(
            channel=Channel.SMS,
            to=mobile,
            body=f"کد ورود شما به پرتال مشتریان {company}: {code}\nاین کد را به کسی ندهید.",
            by=contact.owner,
            contact=contact,
            immediate=True,
            provider_template=template,
            tokens=[code] if template else None,
            # Whoever reads the code signs in as the customer: staff see only that it went.
            secret_label=_("کد ورود پرتال"),
        )
    except NotSendable as error:
        raise PortalError(str(error)) from error
    return True


def code_check(*, mobile: str, code: str) -> None:
    """Accepts the latest unexpired code for ``mobile`` once; raises PortalError for a
    wrong, expired, used or over-guessed code. Wrong guesses are counted even so."""
    now = timezone.now()
    with transaction.atomic():
        latest = (
            PortalCode.objects.select_for_update()
            .filter(mobile=mobile, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if latest is None:
            outcome = "expired"
        elif latest.attempts >= MAX_ATTEMPTS:
            outcome = "too_many"
        else:
            latest.attempts += 1
            right = hmac.compare_digest(latest.code_hash, _code_hash(mobile, code))
            if right:
                latest.used_at = now
            latest.save(update_fields=["attempts", "used_at"])
            outcome = "ok" if right else "wrong"
    if outcome == "expired":
        raise PortalError("کد منقضی شده یا به کار رفته است؛ کد تازه‌ای بخواهید.")
    if outcome == "too_many":
        raise PortalError("چند بار کد نادرست وارد شد؛ کد تازه‌ای بخواهید.")
    if outcome == "wrong":
        raise PortalError("کد درست نیست. کد ۶ رقمی پیامک شده را بنویسید.")


def signed_in(contact: Contact) -> None:
    PortalAccess.objects.filter(contact=contact).update(last_login_at=timezone.now())


def survey_answer(*, response: SurveyResponse, scores: dict[int, int]) -> SurveyResponse:
    """A customer's own answers from the portal: the survey belongs to whoever owns the
    invoice or project; the history shows no staff member as its author."""
    response.owner = response.subject.owner
    return survey_record(response=response, scores=scores, by=None)


NO_PORTAL_REQUESTS = "ثبت درخواست در پرتال فعلاً ممکن نیست؛ با ما تماس بگیرید."
# The channel a portal request is registered with, when the lookup list has it.
PORTAL_CHANNEL = "وب‌سایت"


def request_assignee():
    """Who receives the customers' portal requests (service settings); None: the portal
    takes no requests."""
    assignee = ServiceSettings.load().portal_assignee
    return assignee if assignee is not None and assignee.is_active else None


def request_from_portal(*, request: Request, contact: Contact) -> Request:
    """A customer's own request: registered (tracking code, deadline in working days, the
    assignee told) for the user who receives portal requests, who is also its registrant
    and so confirms it once done."""
    assignee = request_assignee()
    if assignee is None:
        raise PortalError(NO_PORTAL_REQUESTS)
    request.contact = contact
    request.assignee = assignee
    request.urgency = (
        Urgency.objects.active().filter(name="عادی").first()
        or Urgency.objects.active().order_by("deadline_days", "id").last()
    )
    if request.urgency is None:
        raise PortalError(NO_PORTAL_REQUESTS)
    request.channel = LookupChannel.objects.active().filter(name=PORTAL_CHANNEL).first()
    return request_register(request=request, by=assignee)
