"""Writes of the messaging module: queueing messages (one, or a broadcast expanded in
the background), retrying and cancelling, opt-outs and groups. Sending itself is the
worker's (messaging.outbox); a web request only ever adds rows."""

import datetime
import logging
from collections.abc import Iterable, Iterator

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, QuerySet, When
from django.http import QueryDict
from django.utils import timezone

from peyvand.contacts.lists import CONTACTS
from peyvand.contacts.models import Contact
from peyvand.core import events
from peyvand.core.attachments import check_upload
from peyvand.core.bulk import bulk_insert
from peyvand.core.dates import to_jalali
from peyvand.core.models import Attachment, SiteSettings
from peyvand.core.services import record_save
from peyvand.core.validators import normalize_mobile
from peyvand.messaging.models import (
    Broadcast,
    Channel,
    ContactGroup,
    ContactGroupMember,
    Mailbox,
    Message,
    MessageAttachment,
    MessagingSettings,
    MessengerLink,
    Occasion,
    OptOut,
)
from peyvand.messaging.selectors import bale_chat
from peyvand.messaging.text import (
    check_placeholders,
    contact_values,
    placeholder_values,
    render,
)

logger = logging.getLogger("peyvand.outbox")

EXPAND_CHUNK = 5000
# How long before its time a scheduled broadcast becomes messages (100,000 take ~10 s).
EXPAND_AHEAD = datetime.timedelta(minutes=10)


class NotSendable(Exception):
    """Why a message cannot be queued, in Persian."""


def normalize_address(channel: str, address: str) -> str:
    """The canonical recipient (E.164 mobile, lower-case email, a messenger's chat id)
    or a Persian error."""
    if channel == Channel.SMS:
        return normalize_mobile(address)
    if channel == Channel.BALE:
        chat_id = address.strip()
        if not chat_id.lstrip("-").isascii() or not chat_id.lstrip("-").isdigit():
            raise ValidationError("شناسه گفتگوی بله درست نیست.", code="invalid_chat")
        return chat_id
    address = address.strip().lower()
    try:
        validate_email(address)
    except ValidationError as error:
        raise ValidationError("نشانی ایمیل درست نیست.", code="invalid_email") from error
    return address


def contact_address(contact: Contact, channel: str) -> str:
    """Where a message to the contact goes: their mobile, their email, or their chat
    with our bot (the chat they linked by sharing their number); "" if they have none."""
    if channel == Channel.SMS:
        return contact.mobile
    if channel == Channel.BALE:
        link = bale_chat(contact)
        return link.chat_id if link is not None else ""
    return contact.email.strip().lower()


def is_opted_out(address: str) -> bool:
    return OptOut.objects.filter(address=address).exists()


def wake_delivery(when: datetime.datetime) -> None:
    """Wakes a worker, once the transaction commits, for messages due at ``when`` if that
    is now; later ones are the beat's (every few seconds it enqueues delivery when
    something has fallen due). Code queueing many messages calls it once."""
    if when <= timezone.now():
        from peyvand.messaging.tasks import deliver  # tasks import services

        transaction.on_commit(deliver.enqueue)


@transaction.atomic
def message_queue(
    *,
    channel: str,
    to: str,
    body: str,
    by,
    contact: Contact | None = None,
    subject: str = "",
    scheduled_at: datetime.datetime | None = None,
    related=None,
    sender: str = "",
    attachments: Iterable[tuple[str, bytes, str]] = (),
    wake: bool = True,
    immediate: bool = False,
    provider_template: str = "",
    tokens: list[str] | None = None,
    secret_label: str = "",
    in_reply_to: Message | None = None,
) -> Message:
    """Adds one message to the outbox. ``to`` is checked and normalised; an opted-out
    recipient raises NotSendable. ``wake=False``: the caller queues many and calls
    wake_delivery once. ``immediate``: sent in the quiet hours too. ``provider_template``
    and ``tokens``: sent through the provider's template call (verify/lookup).
    ``secret_label``: the text is a secret for the recipient alone (a sign-in code…);
    staff see this label instead («کد ورود پرتال»), and the text is forgotten once the
    provider has accepted it. An SMS to a contact who linked their Bale chat and asked
    for our news there goes there too, or only there (that copy is returned)."""
    chat = _notified_chat(channel, contact, secret_label or provider_template)
    only_bale = chat is not None and chat.notify == MessengerLink.Notify.ONLY
    try:
        to = normalize_address(channel, to)
    except ValidationError as error:
        raise NotSendable(error.messages[0]) from error
    if not only_bale and is_opted_out(to):
        raise NotSendable("گیرنده از دریافت پیام انصراف داده است؛ پیام فرستاده نمی‌شود.")
    if not body.strip():
        raise NotSendable("متن پیام خالی است.")
    if channel == Channel.EMAIL and not subject.strip():
        raise NotSendable("موضوع ایمیل را بنویسید.")
    if "\n" in subject or "\r" in subject:
        raise NotSendable("موضوع ایمیل باید یک خط باشد.")
    common = {
        "body": body,
        "subject": subject,
        "contact": contact,
        "owner": by,
        "immediate": immediate,
        "scheduled_at": scheduled_at or timezone.now(),
        "related": related,
        "in_reply_to": in_reply_to,
    }
    # The customer's copy in their Bale chat: beside the SMS, or instead of it.
    if chat is not None:
        message = Message.objects.create(channel=Channel.BALE, to=chat.chat_id, **common)
    if not only_bale:
        message = Message.objects.create(
            channel=channel,
            to=to,
            sender=sender,
            provider_template=provider_template,
            tokens=tokens or [],
            secret_label=secret_label,
            **common,
        )
    for name, content, mime_type in attachments:
        attachment = MessageAttachment(message=message, name=name, mime_type=mime_type)
        attachment.file.save(name, ContentFile(content), save=True)
    if wake:
        wake_delivery(message.scheduled_at)
    return message


# Published when a customer's message (SMS, email, Bale) has been recorded, in the
# transaction that records it: ``message``. Automatic emails (auto-replies, bounces) are
# not: nobody wrote them. Automation's rules «a message received» subscribe.
MESSAGE_RECEIVED = "messaging.message_received"


def message_received(message: Message) -> None:
    if not message.automatic:
        events.publish(MESSAGE_RECEIVED, message=message)


def keep_received_files(
    message: Message, files: list[tuple[str, bytes]], *, record, owner, note: str, kept_in: str = ""
) -> list[str]:
    """A customer's files (an email's, a Bale message's) on the received message and on
    the record it joins, under core.attachments' rules (type by content, size limit);
    returns a line in Persian for each file refused (``kept_in``: where it still is)."""
    refused = []
    for name, data in files:
        upload = ContentFile(data, name=name)
        try:
            accepted = check_upload(upload)
        except ValidationError as error:
            line = f"پیوست «{name}» جدا نگه داشته نشد: {error.messages[0]}"
            refused.append(f"{line} ({kept_in})" if kept_in else line)
            continue
        attachment = MessageAttachment(message=message, name=name, mime_type=accepted.mime_type)
        attachment.file.save(name, upload, save=True)
        if record is not None:
            Attachment.objects.create(
                record=record,
                file=attachment.file.name,
                original_name=name,
                mime_type=accepted.mime_type,
                size=len(data),
                note=note[:200],
                uploaded_by=owner,
            )
    return refused


def _notified_chat(channel: str, contact: Contact | None, special: str) -> MessengerLink | None:
    """The contact's Bale chat, when it takes our SMS too (or instead): not a secret (a
    sign-in code) nor a provider's template, which stay SMS."""
    if channel != Channel.SMS or contact is None or special:
        return None
    chat = bale_chat(contact)
    return chat if chat is not None and chat.notify != MessengerLink.Notify.SMS else None


def message_to_contact(
    *,
    contact: Contact,
    channel: str,
    body: str,
    by,
    subject: str = "",
    scheduled_at: datetime.datetime | None = None,
    related=None,
    attachments: Iterable[tuple[str, bytes, str]] = (),
) -> Message:
    """A message from the contact's page, or about one of their records (``related``:
    a request…, whose conversation it joins; an email's answer comes back to it): its
    mobile, email or chat, placeholders filled in; an email may carry files."""
    check_placeholders(body + subject)
    if attachments and channel != Channel.EMAIL:
        raise NotSendable("فایل فقط با ایمیل فرستاده می‌شود.")
    address = contact_address(contact, channel)
    if not address:
        raise NotSendable(
            {
                Channel.SMS: "این مخاطب تلفن همراه ندارد.",
                Channel.EMAIL: "این مخاطب ایمیل ندارد.",
                Channel.BALE: "این مخاطب هنوز شماره خود را به ربات بله نداده است.",
            }[channel]
        )
    return _queue_written(
        channel=channel,
        to=address,
        body=body,
        subject=subject,
        by=by,
        contact=contact,
        scheduled_at=scheduled_at,
        related=related,
        sender=reply_address(related),
        attachments=attachments,
    )


def reply_address(related) -> str:
    """The From of an email about a record, so that the customer's answer is read back
    in and threaded to it: an active mailbox that opens such records (the support
    address), else the first active mailbox that opens nothing (a sales address), else
    any active one; "" (the mail server's sender) when none is read."""
    if related is None:
        return ""
    label = related._meta.label_lower
    mailbox = (
        Mailbox.objects.filter(is_active=True)
        .order_by(Case(When(opens=label, then=0), When(opens="", then=1), default=2), "pk")
        .first()
    )
    return mailbox.address if mailbox is not None else ""


def reply_subject(received: Message) -> str:
    """An email answer's subject: «Re: » theirs (as every mail program writes it), with
    the tracking code of the record it is about, so that the customer's next answer
    finds the record even from a mail program that drops the threading headers."""
    subject = received.subject or ""
    if not subject.lower().startswith("re:"):
        subject = f"Re: {subject}".strip()
    code = getattr(received.related, "tracking_code", "")
    if code and code not in subject:
        subject = f"{subject} [{code}]"
    return subject[:200]


def message_reply(
    *,
    received: Message,
    body: str,
    by,
    subject: str = "",
    scheduled_at: datetime.datetime | None = None,
) -> Message:
    """The answer to a customer's message: to the number (or address) that wrote, by the
    same channel, in the same conversation (the same record; an email from the mailbox
    it came to, threaded to it by In-Reply-To); placeholders filled as for its contact."""
    check_placeholders(body + subject)
    return _queue_written(
        channel=received.channel,
        to=received.to,
        body=body,
        subject=subject if received.channel == Channel.EMAIL else "",
        by=by,
        contact=received.contact,
        scheduled_at=scheduled_at,
        related=received.related,
        sender=received.mailbox.address if received.mailbox_id else "",
        in_reply_to=received,
    )


def _queue_written(
    *,
    channel: str,
    to: str,
    body: str,
    by,
    contact: Contact | None,
    subject: str = "",
    scheduled_at: datetime.datetime | None,
    related=None,
    sender: str = "",
    in_reply_to: Message | None = None,
    attachments: Iterable[tuple[str, bytes, str]] = (),
) -> Message:
    """What a person wrote (placeholders checked by the caller), filled in as for
    ``contact`` and the sender, queued; an email ends with the company's signature
    (the messaging settings')."""
    values = placeholder_values(
        contact=contact, sender=by, company_name=SiteSettings.load().company_name
    )
    signature = MessagingSettings.load().email_signature.strip()
    if channel == Channel.EMAIL and signature:
        body = f"{body.rstrip()}\n\n--\n{signature}"
    return message_queue(
        channel=channel,
        to=to,
        body=render(body, values),
        subject=render(subject, values),
        by=by,
        contact=contact,
        scheduled_at=scheduled_at,
        related=related,
        sender=sender,
        in_reply_to=in_reply_to,
        attachments=attachments,
    )


@transaction.atomic
def message_retry(*, message: Message, by) -> Message:
    """A person sends a failed, undelivered or unknown message again, now. A message the
    provider may already hold goes under a new local id, so the provider sends it."""
    if is_opted_out(message.to):
        raise NotSendable("گیرنده از دریافت پیام انصراف داده است؛ پیام فرستاده نمی‌شود.")
    if message.text_forgotten:
        raise NotSendable(
            "متن این پیام محرمانه پس از تحویل به سامانه ارسال پاک شده است و دوباره فرستاده "
            "نمی‌شود؛ گیرنده باید پیام تازه‌ای بخواهد."
        )
    new_round = message.provider_id != "" or message.status == Message.Status.UNKNOWN
    # Conditional: two clicks, or a worker that took it meanwhile, change nothing twice.
    retried = Message.objects.filter(pk=message.pk, status__in=Message.RETRYABLE).update(
        status=Message.Status.QUEUED,
        scheduled_at=timezone.now(),
        attempts=0,
        provider_id="",
        last_error="",
        error_code="",
        send_round=F("send_round") + (1 if new_round else 0),
        maybe_sent_at=None,  # a new round, or nothing the provider could hold
        updated_at=timezone.now(),
    )
    if not retried:
        raise NotSendable("فقط پیام‌های ناموفق، نرسیده یا نامعلوم دوباره فرستاده می‌شوند.")
    logger.info("Message %s queued again by %s", message.pk, by)
    message.refresh_from_db()
    wake_delivery(message.scheduled_at)
    return message


def message_cancel(*, message: Message, by) -> bool:
    """Cancels a message still waiting in the queue; False if a worker took it first."""
    cancelled = Message.objects.filter(pk=message.pk, status=Message.Status.QUEUED).update(
        status=Message.Status.CANCELLED,
        last_error=f"لغو شده توسط {by}",
        updated_at=timezone.now(),
    )
    return bool(cancelled)


def opt_out_set(*, address: str, channel: str, contact: Contact | None, by, reason: str = ""):
    """Records the wish and cancels what is still queued for that address (a worker
    also checks again just before sending)."""
    address = normalize_address(channel, address)
    OptOut.objects.get_or_create(
        address=address,
        defaults={"channel": channel, "contact": contact, "created_by": by, "reason": reason},
    )
    Message.objects.filter(to=address, status=Message.Status.QUEUED).update(
        status=Message.Status.CANCELLED,
        last_error="گیرنده از دریافت پیام انصراف داد؛ فرستاده نشد.",
        error_code="opted-out",
        updated_at=timezone.now(),
    )


def opt_out_clear(*, address: str) -> None:
    OptOut.objects.filter(address=address).delete()


# Groups ------------------------------------------------------------------------------


def group_add_contacts(*, group: ContactGroup, contacts: QuerySet[Contact]) -> int:
    """Adds contacts (already filtered to what the user may see) to a group; returns how
    many were new to it."""
    existing = set(group.memberships.values_list("contact_id", flat=True))
    new_ids = [pk for pk in contacts.values_list("pk", flat=True).iterator() if pk not in existing]
    ContactGroupMember.objects.bulk_create(
        [ContactGroupMember(group=group, contact_id=pk) for pk in new_ids],
        batch_size=2000,
        ignore_conflicts=True,
    )
    return len(new_ids)


@transaction.atomic
def group_save(
    *,
    group: ContactGroup,
    by,
    before: dict | None = None,
    version: datetime.datetime | None = None,
) -> ContactGroup:
    """Creates (``before`` None) or updates a group, with its change history (refused if
    stale: ``version``, see core.versions)."""
    return record_save(record=group, by=by, before=before, version=version)


def group_remove_contact(*, group: ContactGroup, contact_id: int) -> None:
    group.memberships.filter(contact_id=contact_id).delete()


# Broadcasts --------------------------------------------------------------------------


@transaction.atomic
def broadcast_create(*, broadcast: Broadcast, by) -> Broadcast:
    """Saves a broadcast; a background task turns it into messages (expand_broadcast)."""
    check_placeholders(broadcast.body + broadcast.subject)
    broadcast.owner = by
    broadcast.status = Broadcast.Status.PENDING
    broadcast.save()
    from peyvand.messaging.tasks import expand  # tasks import services

    # A campaign set for a later day is expanded shortly before it goes: members added
    # and opt-outs recorded meanwhile count, and {تاریخ} is the day it is sent.
    run_after = broadcast.scheduled_at - EXPAND_AHEAD
    task = expand.using(run_after=run_after) if run_after > timezone.now() else expand
    transaction.on_commit(lambda: task.enqueue(broadcast.pk))
    return broadcast


def broadcast_recipients(broadcast: Broadcast) -> QuerySet[Contact]:
    """The contacts a broadcast goes to, as its author may see them now."""
    user = broadcast.owner
    if broadcast.target == Broadcast.Target.GROUP:
        members = ContactGroupMember.objects.filter(group_id=broadcast.group_id)
        return Contact.objects.visible_to(user).filter(pk__in=members.values("contact_id"))
    if broadcast.target == Broadcast.Target.LIST:
        contacts = CONTACTS.rows(user, QueryDict(broadcast.filters))
        return contacts
    raise ValueError(f"broadcast {broadcast.pk} has no recipient list of its own")


def _rows(
    broadcast: Broadcast, contacts: Iterator[dict], opted_out: set[str], counts: dict
) -> Iterator[dict]:
    values = placeholder_values(
        sender=broadcast.owner, company_name=SiteSettings.load().company_name
    )
    seen: set[str] = set()
    for contact in contacts:
        if broadcast.channel == Channel.SMS:
            address = contact["mobile"]
        else:
            address = contact["email"].strip().lower()
        if not address:
            counts["no_address"] += 1
            continue
        if address in opted_out:
            counts["opted_out"] += 1
            continue
        if address in seen:  # two contacts with one number get one message
            continue
        seen.add(address)
        values |= contact_values(contact["name"], contact["company"], contact["code"])
        yield {
            "channel": broadcast.channel,
            "to": address,
            "contact_id": contact["id"],
            "subject": render(broadcast.subject, values),
            "body": render(broadcast.body, values),
            "owner_id": broadcast.owner_id,
            "scheduled_at": broadcast.scheduled_at,
            "broadcast_id": broadcast.pk,
        }


def expand_broadcast(broadcast: Broadcast, contacts: QuerySet[Contact] | None = None) -> int:
    """Writes one queued message per recipient, in chunks (COPY on PostgreSQL); skips and
    counts opted-out contacts and those without a number/email. Idempotent: a broadcast
    that is no longer pending is left alone."""
    if broadcast.status != Broadcast.Status.PENDING:
        return 0
    if contacts is None:
        contacts = broadcast_recipients(broadcast)
    opted_out = set(
        OptOut.objects.filter(channel=broadcast.channel).values_list("address", flat=True)
    )
    counts = {"no_address": 0, "opted_out": 0}
    rows = _rows(
        broadcast,
        contacts.order_by("pk")
        .values("id", "name", "company", "code", "mobile", "email")
        .iterator(chunk_size=EXPAND_CHUNK),
        opted_out,
        counts,
    )
    queued = 0
    with transaction.atomic():
        # Locks the broadcast: a second delivery of the task waits, then sees it done.
        locked = Broadcast.objects.select_for_update().get(pk=broadcast.pk)
        if locked.status != Broadcast.Status.PENDING:
            return 0
        chunk: list[dict] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == EXPAND_CHUNK:
                queued += len(bulk_insert(Message, chunk))
                chunk = []
        queued += len(bulk_insert(Message, chunk))
        Broadcast.objects.filter(pk=broadcast.pk).update(
            status=Broadcast.Status.QUEUED,
            queued_count=queued,
            opted_out_count=counts["opted_out"],
            no_address_count=counts["no_address"],
            updated_at=timezone.now(),
        )
        wake_delivery(broadcast.scheduled_at)
    return queued


@transaction.atomic
def broadcast_cancel(*, broadcast: Broadcast, by) -> int:
    """Stops a broadcast: one not yet expanded never will be, and its messages still in
    the queue are cancelled (those a worker holds go out). Returns how many."""
    locked = Broadcast.objects.select_for_update().get(pk=broadcast.pk)
    if locked.status == Broadcast.Status.FAILED:
        return 0
    Broadcast.objects.filter(pk=locked.pk).update(
        status=Broadcast.Status.CANCELLED, updated_at=timezone.now()
    )
    cancelled = Message.objects.filter(broadcast=locked, status=Message.Status.QUEUED).update(
        status=Message.Status.CANCELLED,
        last_error=f"ارسال گروهی لغو شد توسط {by}",
        updated_at=timezone.now(),
    )
    logger.info("Broadcast %s cancelled by %s: %s messages", locked.pk, by, cancelled)
    return cancelled


@transaction.atomic
def broadcast_retry(*, broadcast: Broadcast, by) -> int:
    """Sends again, now, a broadcast's failed messages and those waiting for a retry
    (after the credit was topped up, say); opted-out recipients stay out. Returns how
    many. Messages the provider may hold (unknown) are left to a person, one by one."""
    now = timezone.now()
    mine = Message.objects.filter(broadcast=broadcast).exclude(
        to__in=OptOut.objects.values("address")
    )
    waiting = mine.filter(status=Message.Status.QUEUED, attempts__gt=0, scheduled_at__gt=now)
    hurried = waiting.update(scheduled_at=now, updated_at=now)
    failed = mine.filter(status=Message.Status.FAILED)
    retried = failed.update(
        status=Message.Status.QUEUED,
        scheduled_at=now,
        attempts=0,
        last_error="",
        error_code="",
        # A failure after the provider gave an id goes under a new local id.
        send_round=Case(When(provider_id="", then=F("send_round")), default=F("send_round") + 1),
        provider_id="",
        maybe_sent_at=None,
        updated_at=now,
    )
    if hurried or retried:
        logger.info(
            "Broadcast %s: %s messages sent again by %s", broadcast.pk, retried + hurried, by
        )
        wake_delivery(now)
    return hurried + retried


# Occasions ---------------------------------------------------------------------------


def birthdays_on(day: datetime.date) -> QuerySet[Contact]:
    """Contacts whose Jalali birthday falls on ``day`` (Esfand 30 birthdays are
    celebrated on Esfand 29 in common years). A Jalali anniversary drifts up to a day
    against the Gregorian calendar, so the database narrows by Gregorian month/day ± 3
    and Python decides."""
    today = to_jalali(day)
    # A Jalali anniversary drifts up to two days against the Gregorian date over a
    # lifetime; 29 February births are looked for whenever the window is near it.
    candidates = [day + datetime.timedelta(days=delta) for delta in range(-3, 4)]
    condition = (
        Q(birthday__month=2, birthday__day=29)
        if any((c.month, c.day) in ((2, 28), (3, 1)) for c in candidates)
        else Q()
    )
    for candidate in candidates:
        condition |= Q(birthday__month=candidate.month, birthday__day=candidate.day)
    ids = []
    for pk, birthday in Contact.objects.filter(condition).values_list("pk", "birthday"):
        born = to_jalali(birthday)
        month, date_of_month = born.month, born.day
        if month == 12 and date_of_month == 30 and not today.isleap():
            date_of_month = 29
        if (month, date_of_month) == (today.month, today.day):
            ids.append(pk)
    return Contact.objects.filter(pk__in=ids)


def birthday_greetings(now: datetime.datetime | None = None) -> int:
    """Queues today's birthday greetings once the configured hour has come; each contact
    gets one a year however often this runs (the message's dedupe key)."""
    now = now or timezone.now()
    config = MessagingSettings.load()
    if not config.birthday_enabled or config.birthday_template is None:
        return 0
    sender = config.birthday_sender
    if sender is None or timezone.localtime(now).hour < config.birthday_hour:
        return 0
    day = timezone.localdate(now)
    if config.birthdays_done_on == day:  # the beat asks every few minutes; once a day
        return 0
    year = to_jalali(day).year
    template = config.birthday_template
    values = placeholder_values(sender=sender, company_name=SiteSettings.load().company_name)
    queued = 0
    for contact in birthdays_on(day).exclude(mobile=""):
        if is_opted_out(contact.mobile):
            continue
        values |= contact_values(contact.name, contact.company, contact.code)
        try:
            with transaction.atomic():
                Message.objects.create(
                    channel=Channel.SMS,
                    to=contact.mobile,
                    contact=contact,
                    body=render(template.body, values),
                    owner=sender,
                    dedupe_key=f"birthday:{contact.pk}:{year}",
                )
        except IntegrityError:  # already greeted this year
            continue
        queued += 1
    MessagingSettings.objects.filter(pk=config.pk).update(birthdays_done_on=day)
    if queued:
        wake_delivery(now)
    return queued


# Occasions ---------------------------------------------------------------------------


@transaction.atomic
def occasion_save(
    *,
    occasion: Occasion,
    by,
    before: dict | None = None,
    version: datetime.datetime | None = None,
) -> Occasion:
    """Creates (``before`` None) or updates an occasion, with its change history (refused
    if stale: ``version``, see core.versions). A changed date or hour does not resend
    this year's: ``last_year`` stays."""
    check_placeholders(occasion.body + occasion.subject)
    return record_save(record=occasion, by=by, before=before, version=version)


def occasion_campaigns(now: datetime.datetime | None = None) -> int:
    """Starts this year's broadcast of every active occasion whose Jalali day is today and
    whose hour has come; returns how many started. The beat runs this every few
    minutes on every worker: a conditional UPDATE of ``last_year`` lets one of them
    start each occasion once a year."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    today = to_jalali(local.date())
    # day >= today: an occasion on 30 Esfand falls on the month's last day (29).
    due = (
        Occasion.objects.filter(
            is_active=True, month=today.month, day__gte=today.day, hour__lte=local.hour
        )
        .exclude(last_year=today.year)
        .select_related("group", "owner")
    )
    started = 0
    for occasion in due:
        if occasion.day_in(today.year) != today.day:
            continue
        if occasion.group.is_deleted or not occasion.owner.is_active:
            logger.warning("Occasion %s skipped: its group or owner is gone", occasion.pk)
            continue
        with transaction.atomic():
            taken = (
                Occasion.objects.filter(pk=occasion.pk)
                .exclude(last_year=today.year)
                .update(last_year=today.year, updated_at=now)
            )
            if not taken:  # another worker started it
                continue
            broadcast_create(
                broadcast=Broadcast(
                    channel=occasion.channel,
                    title=f"{occasion.title} {today.year}",
                    target=Broadcast.Target.GROUP,
                    group=occasion.group,
                    subject=occasion.subject,
                    body=occasion.body,
                    scheduled_at=now,
                    occasion=occasion,
                ),
                by=occasion.owner,
            )
        started += 1
    return started
