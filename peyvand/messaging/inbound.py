"""What customers send us: the SMS read from the provider, each recorded once as a
received ``Message`` in the customer's conversation (the contact's messages, in and out).

The provider hands each received SMS over once (Kavenegar's sms/receive marks it read,
SMS.ir's receive/latest answers it once), so they are recorded as soon as they arrive,
one row each; the unique (backend, provider_id) of a received message makes a second
worker reading at the same moment, or a run repeated after a crash, record nothing twice.
What a worker took and died with before recording is caught up hourly (catch_up_sms).
"""

import logging
import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from peyvand.accounts.models import User
from peyvand.accounts.selectors import users_who_can
from peyvand.activities.reminders import notify
from peyvand.contacts.selectors import contact_with_number
from peyvand.core.text import fa_search_key
from peyvand.core.validators import any_number
from peyvand.messaging.gateways import (
    GatewayError,
    Incoming,
    get_sms_gateway,
    sms_backend,
    sms_config,
)
from peyvand.messaging.models import Channel, Message, MessagingSettings
from peyvand.messaging.selectors import who_answers
from peyvand.messaging.services import message_received, opt_out_set

logger = logging.getLogger("peyvand.sms")

# A reply that is only one of these asks to receive nothing more: «لغو11» is the
# operators' word for advertising lines; the rest are what people actually type. Kept
# as search keys (core.text.fa_search_key: digits, letters, spaces and case folded).
OPT_OUT_WORDS = frozenset(
    fa_search_key(word) for word in ("لغو", "لغو11", "11", "انصراف", "off", "stop")
)
_PUNCTUATION = re.compile(r"[.,!؟?،]+")


def is_opt_out(text: str) -> bool:
    """Whether a reply is an opt-out word alone (in any digits, spacing or case, a full
    stop or an exclamation mark aside)."""
    return _PUNCTUATION.sub("", fa_search_key(text)) in OPT_OUT_WORDS


def receive_sms() -> int:
    """Reads the SMS sent to our line since the last run and records each once; returns
    how many were new. A provider that does not answer is tried again next run."""
    return _read(lambda gateway: gateway.receive())


def catch_up_sms() -> int:
    """Records what the provider still holds of SMS it handed over already and we lack:
    those a worker took and died with before recording them (hourly)."""
    return _read(lambda gateway: gateway.received_before(), only_missing=True)


def _read(ask, *, only_missing: bool = False) -> int:
    config = sms_config()
    if not sms_backend(config).receives:
        return 0
    unknown_owner = owner_of_unknown_numbers()
    if unknown_owner is None:
        # Taken from the provider, an SMS from a number not among the contacts would
        # have nobody to belong to: it waits there until a user exists.
        logger.error("Received SMS not read: no active user manages messaging")
        return 0
    with get_sms_gateway(config) as gateway:
        try:
            received = ask(gateway)
        except GatewayError as error:
            logger.warning("Received SMS unavailable: %s (%s)", error.message, error.code)
            return 0
    if only_missing and received:
        known = set(
            Message.objects.filter(
                direction=Message.Direction.IN,
                backend=gateway.name,
                provider_id__in=[sms.provider_id for sms in received],
            ).values_list("provider_id", flat=True)
        )
        received = [sms for sms in received if sms.provider_id not in known]
    return sum(
        record_sms(sms, backend=gateway.name, unknown_owner=unknown_owner) for sms in received
    )


def owner_of_unknown_numbers() -> User | None:
    """Who an SMS from a number not among the contacts belongs to: the user the
    messaging settings name, else the first who manages messaging."""
    chosen = MessagingSettings.load().inbound_owner
    if chosen is not None and chosen.is_active:
        return chosen
    return users_who_can("messaging.manage_messaging").filter(is_active=True).order_by("pk").first()


def record_sms(sms: Incoming, *, backend: str, unknown_owner: User) -> bool:
    """Records one received SMS (False: recorded before) and tells its owner (the
    contact's, or ``unknown_owner``); an opt-out word also records the number's wish
    not to receive more."""
    number = any_number(sms.sender)
    contact = contact_with_number(number)
    owner = who_answers(None, contact, unknown_owner)
    message = Message(
        channel=Channel.SMS,
        direction=Message.Direction.IN,
        status=Message.Status.RECEIVED,
        to=number,
        contact=contact,
        owner=owner,
        body=sms.text,
        sender=sms.line,
        backend=backend,
        provider_id=sms.provider_id,
        created_at=sms.received_at,
        scheduled_at=sms.received_at,
        sent_at=sms.received_at,
    )
    try:
        with transaction.atomic():
            message.save()
            message_received(message)
            opting_out = is_opt_out(sms.text) and number.startswith("+")
            if opting_out:
                opt_out_set(
                    address=number,
                    channel=Channel.SMS,
                    contact=contact,
                    by=None,
                    reason=_("پیامک «%(text)s» از خود مشترک") % {"text": sms.text.strip()[:50]},
                )
            who = contact.name if contact is not None else message.national_to
            notify(
                user=owner,
                title=(
                    _("%(who)s از دریافت پیامک انصراف داد") if opting_out else _("پیامک از %(who)s")
                )
                % {"who": who},
                body=sms.text[:200],
                url=message.get_absolute_url(),
            )
    except IntegrityError:
        return False  # another worker, or an earlier run, recorded it
    return True
