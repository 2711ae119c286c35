"""The worker side of the outbox: claim due messages, send them through the gateway or
SMTP, record what happened; poll delivery reports; recover what a killed worker left.

Exactly once: a message is claimed (queued → sending) in a short transaction that skips
rows other workers have locked, stamped with the claiming worker (core.workers), and
every later write is conditional on the state this worker left it in. A worker killed
after the provider took a message but before it wrote "sent" leaves the row "sending";
as soon as that worker is known dead (or, for a claim made outside a worker, after the
claim timeout) recovery takes it back:

- where the provider can be asked by local id (Kavenegar's sms/statuslocalmessageid), it
  is asked: a message it holds becomes "sent" with its id, one it does not is queued
  again. The provider's own dropping of a repeated localid is not relied on: a provider
  restarted between taking a message and answering may have forgotten it;
- otherwise it is queued again only when the provider drops a repeated local id,
  and becomes "unknown" for a person to decide when not — never sent twice by a machine.

The same holds for an attempt whose answer was lost (a dropped connection, a timeout
after the request went out): the message is marked ``maybe_sent_at``, and before it is
sent again the provider is asked."""

import datetime
import logging
import smtplib
import socket
import time

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME
from django.db.models import Case, F, Q, Value, When
from django.template.loader import render_to_string
from django.utils import timezone

from peyvand.core import workers
from peyvand.core.digits import localize_html, localize_sms, localize_text
from peyvand.messaging.gateways import (
    Delivery,
    GatewayError,
    Outgoing,
    Sent,
    SmsGateway,
    get_sms_gateway,
)
from peyvand.messaging.models import Channel, Message, MessagingSettings, OptOut
from peyvand.messaging.smtp import email_connection

logger = logging.getLogger("peyvand.outbox")

# Messages claimed at a time: one sendarray call (Kavenegar takes 200) and one UPDATE
# for their outcomes; small enough that a killed worker leaves little to recover.
BATCH_SIZE = 100
# A deliver task stops after this long; the beat enqueues the next one.
TASK_SECONDS = 60.0
MAX_ATTEMPTS = 6
# Minutes to wait before attempt n+1 (after n failed attempts).
BACKOFF_MINUTES = (1, 5, 15, 60, 180)


def claim_timeout() -> datetime.timedelta:
    """How old a claim is when no live worker can still be sending it (the rule for claims
    whose worker is unknown; a dead worker's are taken at once). Half of it is room for a
    whole batch, every send taking the slower provider's full timeout; a live worker hands
    back what it has not sent once that half has passed (deliver_due), and the other half
    covers the send it was in then."""
    per_send = max(float(settings.SMS_TIMEOUT or 10), float(settings.EMAIL_TIMEOUT or 10))
    return datetime.timedelta(seconds=2 * BATCH_SIZE * per_send)


# Delivery reports are asked for this long after sending, at most every POLL_EVERY.
POLL_FOR = datetime.timedelta(days=3)
POLL_EVERY = datetime.timedelta(minutes=2)
POLL_BATCH = 500  # Kavenegar's status.json takes 500 ids

# What a secret message keeps of its text once the provider has accepted it: nothing.
# Until then (retries after a failure) it keeps it, or it could not be sent again.
FORGET_TEXT = {"body": "", "tokens": []}

STATUS_OF_DELIVERY = {
    Delivery.SENT: Message.Status.SENT,
    Delivery.DELIVERED: Message.Status.DELIVERED,
    Delivery.UNDELIVERED: Message.Status.UNDELIVERED,
}


def due_messages(now: datetime.datetime | None = None):
    """Queued messages whose time has come; SMS wait while the quiet hours last, except
    the immediate ones (sign-in codes)."""
    now = now or timezone.now()
    due = Message.objects.filter(status=Message.Status.QUEUED, scheduled_at__lte=now)
    if MessagingSettings.load().in_quiet_hours(now):
        due = due.filter(Q(channel=Channel.EMAIL) | Q(immediate=True))
    return due


def claim(
    *, limit: int = BATCH_SIZE, sms_resend_safe: bool, template_resend_safe: bool = False
) -> list[int]:
    """Marks up to ``limit`` due messages as this worker's (queued → sending)."""
    now = timezone.now()
    return workers.claim_due(
        due_messages(now),
        order_by=("scheduled_at", "id"),
        limit=limit,
        status=Message.Status.SENDING,
        claimed_at=now,
        claimed_by=workers.current_worker_id,
        attempts=F("attempts") + 1,
        # Whether the provider would drop a repeat of this message (Kavenegar's localid;
        # not on its template sends); SMTP has no idempotency key.
        resend_safe=Case(
            When(channel=Channel.SMS, provider_template="", then=Value(sms_resend_safe)),
            When(channel=Channel.SMS, then=Value(template_resend_safe)),
            default=Value(False),
        ),
    )


def _finish(message: Message, **fields) -> bool:
    """Writes the outcome, only if the row is still this worker's claim (its status and
    claim time as this worker left them); False when it is not."""
    fields["updated_at"] = timezone.now()
    return bool(
        Message.objects.filter(
            pk=message.pk, status=Message.Status.SENDING, claimed_at=message.claimed_at
        ).update(**fields)
    )


SOFTWARE_ERROR = "این پیام به سبب خطای نرم‌افزاری فرستاده نشد؛ به مدیر سامانه خبر دهید."
UNKNOWN_ERROR = (
    "ارسال این پیام نیمه‌کاره ماند و معلوم نیست به گیرنده رسیده باشد؛ برای پرهیز از "
    "ارسال دوباره، خودکار تکرار نمی‌شود. در صورت نیاز آن را دوباره بفرستید."
)


def _failed(
    message: Message, error: str, code: str, backend: str, *, retryable: bool, maybe_sent=False
) -> None:
    # The provider may hold it from this attempt (maybe_sent) or an earlier one.
    maybe_sent_at = timezone.now() if maybe_sent else message.maybe_sent_at
    retry = retryable and message.attempts < MAX_ATTEMPTS
    if (maybe_sent and not message.resend_safe) or (not retry and maybe_sent_at is not None):
        # The provider may hold it and would send a repeat, or we give up on one it may
        # hold: a person decides (not "failed", which a manager resends unasked).
        _finish(
            message,
            status=Message.Status.UNKNOWN,
            last_error=f"{error} {UNKNOWN_ERROR}",
            error_code=code,
            backend=backend,
        )
    elif retry:
        wait = BACKOFF_MINUTES[min(message.attempts, len(BACKOFF_MINUTES)) - 1]
        _finish(
            message,
            status=Message.Status.QUEUED,
            scheduled_at=timezone.now() + datetime.timedelta(minutes=wait),
            last_error=error,
            error_code=code,
            backend=backend,
            maybe_sent_at=maybe_sent_at,
        )
    else:
        _finish(
            message,
            status=Message.Status.FAILED,
            last_error=error,
            error_code=code,
            backend=backend,
        )


def _finish_sent(messages: list[Message], outcomes: list[Sent], backend: str) -> int:
    """Records successful sends with one UPDATE per claim and resulting status (and
    secrecy: a secret text is forgotten in the same write), each row's provider id chosen
    by CASE; conditional on the claim, like every outcome. A batch shares its claim time:
    one UPDATE per status; recovery's messages may come from several claims."""
    now = timezone.now()
    finished = 0
    by_outcome: dict[tuple[datetime.datetime, str, bool], list[tuple[Message, Sent]]] = {}
    for message, sent in zip(messages, outcomes, strict=True):
        status = STATUS_OF_DELIVERY.get(sent.delivery, Message.Status.SENT)
        key = (message.claimed_at, status, message.is_secret)
        by_outcome.setdefault(key, []).append((message, sent))
    for (claimed_at, status, secret), pairs in by_outcome.items():
        finished += Message.objects.filter(
            pk__in=[message.pk for message, _sent in pairs],
            status=Message.Status.SENDING,
            claimed_at=claimed_at,
        ).update(
            status=status,
            backend=backend,
            provider_id=Case(
                *(When(pk=message.pk, then=Value(sent.provider_id)) for message, sent in pairs)
            ),
            sent_at=now,
            delivered_at=now if status == Message.Status.DELIVERED else None,
            last_error="",
            error_code="",
            maybe_sent_at=None,
            updated_at=now,
            **(FORGET_TEXT if secret else {}),
        )
    return finished


def _sms_failed(message: Message, error: GatewayError, gateway: SmsGateway) -> None:
    logger.warning("SMS %s not sent: %s (%s)", message.pk, error.message, error.code)
    _failed(
        message,
        error.message,
        error.code,
        gateway.name,
        retryable=error.retryable,
        maybe_sent=error.maybe_sent,
    )


def _send_sms_array(messages: list[Message], gateway: SmsGateway) -> None:
    """Sends plain SMS in the provider's array calls and records them a batch at a
    time (the localids make a batch lost to a killed worker safe to send again)."""
    outcomes = gateway.send_array(
        [
            Outgoing(
                to=m.to,
                body=localize_sms(m.body, one_time_code=m.is_secret),
                sender=m.sender,
                local_id=m.local_id,
                secret=m.is_secret,
            )
            for m in messages
        ]
    )
    sent_messages, sent = [], []
    for message, outcome in zip(messages, outcomes, strict=True):
        if isinstance(outcome, GatewayError):
            _sms_failed(message, outcome, gateway)
        else:
            sent_messages.append(message)
            sent.append(outcome)
    _finish_sent(sent_messages, sent, gateway.name)


def _send_sms(message: Message, gateway: SmsGateway) -> None:
    try:
        if message.provider_template:
            sent = gateway.send_template(
                to=message.to,
                template=message.provider_template,
                tokens=message.tokens,
                local_id=message.local_id,
                secret=message.is_secret,
            )
        else:
            sent = gateway.send(
                to=message.to,
                body=localize_sms(message.body, one_time_code=message.is_secret),
                sender=message.sender,
                local_id=message.local_id,
                secret=message.is_secret,
            )
    except GatewayError as error:
        _sms_failed(message, error, gateway)
        return
    _finish_sent([message], [sent], gateway.name)


def _messenger():
    """The Bale bot's client (messaging.bale), or None when no bot is set up."""
    from peyvand.messaging.bale import bale_gateway, bale_token  # bale queues through services

    token = bale_token()
    return bale_gateway(token) if token else None


def _send_to_chat(message: Message, messenger) -> None:
    """One message to a customer's chat with our bot, its keyboard if it names one."""
    if messenger is None:
        _failed(
            message,
            "ربات بله تنظیم یا فعال نشده است (تنظیمات ارسال › بله).",
            "no-bot",
            "bale",
            retryable=False,
        )
        return
    try:
        sent = messenger.send(
            to=message.to,
            body=localize_text(message.body, isolate=False),
            keyboard=message.provider_template,
        )
    except GatewayError as error:
        logger.warning("Bale %s not sent: %s (%s)", message.pk, error.message, error.code)
        _failed(message, error.message, error.code, messenger.name, retryable=error.retryable)
        return
    _finish_sent([message], [sent], messenger.name)


def email_message_id(message: Message) -> str:
    """An email's Message-ID: the customer's as received, ours from the local id (the
    same on every attempt; messaging.mail_in finds the message again by it)."""
    if message.received:
        return message.message_id
    return f"<peyvand.{message.local_id}@{DNS_NAME}>"


def _threading(message: Message) -> dict[str, str]:
    """In-Reply-To and References of an answer, so that the customer's mail program
    shows it in their conversation and their next answer names it."""
    answered = message.in_reply_to
    if answered is None or not (parent := email_message_id(answered)):
        return {}
    return {"In-Reply-To": parent, "References": parent}


def build_email(message: Message, connection=None, from_email: str = "") -> EmailMultiAlternatives:
    """The email as it goes out: a plain-text part and a right-to-left HTML part, both
    in Persian digits with phone numbers and codes isolated left to right (core.digits:
    the recipient is a customer, who reads Persian). From: its mailbox's address, or
    ``from_email`` (messaging.smtp.email_connection's)."""
    email = EmailMultiAlternatives(
        subject=localize_text(message.subject, isolate=False),
        body=localize_text(message.body),
        from_email=message.sender or from_email or settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        connection=connection,
        # One Message-ID per message and round, the same on every attempt: a receiving
        # server or a person can tell a repeat from a new message.
        headers={
            "Message-ID": email_message_id(message),
            "Content-Language": "fa",
            **_threading(message),
        },
    )
    email.attach_alternative(
        localize_html(render_to_string("messaging/email.html", {"message": message})),
        "text/html",
    )
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as handle:
            email.attach(attachment.name, handle.read(), attachment.mime_type)
    return email


def _send_email(message: Message, connection, from_email: str) -> None:
    try:
        email = build_email(message, connection, from_email)
    except OSError:
        _failed(
            message,
            "فایل پیوست این ایمیل پیدا نشد؛ ایمیل فرستاده نشد.",
            "attachment",
            "smtp",
            retryable=False,
        )
        return
    try:
        connection.open()  # kept open across the batch (send() alone reconnects each time)
        email.send()
    except smtplib.SMTPRecipientsRefused:
        _failed(
            message,
            "سرور ایمیل نشانی گیرنده را نپذیرفت؛ نشانی را بررسی کنید.",
            "smtp-recipient",
            "smtp",
            retryable=False,
        )
        return
    except (smtplib.SMTPConnectError, ConnectionRefusedError, socket.gaierror) as error:
        logger.warning("Email %s not sent: %s", message.pk, error)
        _failed(
            message,
            "اتصال به سرور ایمیل برقرار نشد؛ دوباره تلاش می‌شود.",
            "smtp-connect",
            "smtp",
            retryable=True,
        )
        connection.close()
        return
    except (smtplib.SMTPException, OSError) as error:
        # The server may have taken the message before the error (a dropped connection
        # after DATA): SMTP cannot tell, so a person decides.
        logger.warning("Email %s: outcome unknown: %s", message.pk, error)
        _failed(
            message,
            "سرور ایمیل در میانه ارسال پاسخ نداد.",
            "smtp",
            "smtp",
            retryable=True,
            maybe_sent=True,
        )
        connection.close()
        return
    _finish(
        message,
        status=Message.Status.SENT,
        backend="smtp",
        sent_at=timezone.now(),
        last_error="",
        error_code="",
        **(FORGET_TEXT if message.is_secret else {}),
    )


def _cancel_opted_out(messages: list[Message]) -> list[Message]:
    """Messages whose recipient opted out after they were queued are cancelled, not sent."""
    opted_out = set(
        OptOut.objects.filter(address__in={m.to for m in messages}).values_list(
            "address", flat=True
        )
    )
    for message in messages:
        if message.to in opted_out:
            _finish(
                message,
                status=Message.Status.CANCELLED,
                last_error="گیرنده پس از ثبت این پیام از دریافت پیام انصراف داد؛ فرستاده نشد.",
                error_code="opted-out",
            )
    return [message for message in messages if message.to not in opted_out]


def _askable(message: Message, gateway: SmsGateway) -> bool:
    """Whether the provider can say if it holds this message (plain SMS: template sends
    carry no local id)."""
    return (
        gateway.local_id_lookup is not None
        and message.channel == Channel.SMS
        and not message.provider_template
    )


ASK_LATE_ERROR = (
    "پاسخ سامانه پیامک به ارسال پیشین این پیام نرسید و اکنون دیگر نمی‌توان از آن پرسید که "
    "پیام را گرفته است یا نه."
)


def _ask_before_resending(messages: list[Message], gateway: SmsGateway) -> list[Message]:
    """Of claimed messages whose earlier attempt may have reached the provider, those it
    holds are recorded as sent; returns the ones to send (it does not hold them). A
    provider that cannot answer now keeps them waiting, as for a failed send."""
    asked, rest = [], []
    for message in messages:
        (asked if message.maybe_sent_at and _askable(message, gateway) else rest).append(message)
    if not asked:
        return messages
    too_late = timezone.now() - gateway.local_id_lookup
    for message in [m for m in asked if m.maybe_sent_at < too_late]:
        _finish(
            message,
            status=Message.Status.UNKNOWN,
            last_error=f"{ASK_LATE_ERROR} {UNKNOWN_ERROR}",
            error_code="unanswered",
            backend=gateway.name,
        )
    asked = [m for m in asked if m.maybe_sent_at >= too_late]
    try:
        found = gateway.sent_local_ids([m.local_id for m in asked]) if asked else {}
    except GatewayError as error:
        logger.warning("Could not ask the provider about %s SMS: %s", len(asked), error.message)
        for message in asked:
            _failed(message, error.message, error.code, gateway.name, retryable=error.retryable)
        return rest
    held = [m for m in asked if m.local_id in found]
    _finish_sent(held, [found[m.local_id] for m in held], gateway.name)
    for message in asked:
        if message.local_id not in found:
            message.maybe_sent_at = None  # the provider said so: a failure now is plain
            rest.append(message)
    return rest


def _release(messages: list[Message]) -> None:
    """Gives unsent claimed messages back to the queue (the task's time is up)."""
    for message in messages:
        _finish(message, status=Message.Status.QUEUED, attempts=F("attempts") - 1)


def deliver_due(*, limit: int | None = None, seconds: float = TASK_SECONDS) -> int:
    """Sends due messages, a claimed batch at a time, until none are left, ``limit``
    have been handled, or ``seconds`` have passed (the beat enqueues the next task, so
    imports and other tasks are not kept waiting behind a 100,000-message broadcast).
    Several workers can run this at once."""
    # What an earlier deliver task of this worker left claimed when the database went
    # away under it: taken back first, not left for the claim timeout.
    recover_stale(own_leftovers=True)
    handled = 0
    started = time.monotonic()
    hand_back_after = claim_timeout().total_seconds() / 2
    gateway = get_sms_gateway()
    connection, from_email = email_connection()
    messenger = None  # the Bale bot's client, made when a message needs it
    try:
        while (limit is None or handled < limit) and time.monotonic() - started < seconds:
            if not workers.sending_allowed():
                break  # this worker's beats are not getting through (see below)
            batch = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - handled)
            ids = claim(
                limit=batch,
                sms_resend_safe=gateway.idempotent,
                template_resend_safe=gateway.template_idempotent,
            )
            if not ids:
                break
            claimed_at = time.monotonic()
            messages = list(
                Message.objects.filter(pk__in=ids, status=Message.Status.SENDING).order_by(
                    "scheduled_at", "id"
                )
            )
            messages = _cancel_opted_out(messages)
            to_send = _ask_before_resending(messages, gateway)
            handled += len(messages) - len(to_send)
            messages = to_send
            if gateway.array_size > 1:
                # Plain SMS go in the provider's array calls; the rest one by one.
                plain = [
                    m for m in messages if m.channel == Channel.SMS and not m.provider_template
                ]
                messages = [m for m in messages if m.channel != Channel.SMS or m.provider_template]
                if plain and not workers.sending_allowed():
                    break  # as below: left to recovery, not sent by a worker taken for dead
                if plain:
                    try:
                        _send_sms_array(plain, gateway)
                    except Exception:
                        logger.exception("SMS %s… could not be sent", plain[0].pk)
                        for message in plain:
                            _failed(message, SOFTWARE_ERROR, "error", gateway.name, retryable=False)
                    handled += len(plain)
            for index, message in enumerate(messages):
                if time.monotonic() - claimed_at > hand_back_after:
                    # Far slower than planned (a provider answering at its timeout):
                    # hand the rest back long before recovery could take them as dead.
                    _release(messages[index:])
                    break
                if not workers.sending_allowed():
                    # This worker's beats are not getting through: another may already
                    # take it for dead and recover these. Send none of them.
                    break
                try:
                    if message.channel == Channel.SMS:
                        _send_sms(message, gateway)
                    elif message.channel == Channel.BALE:
                        if messenger is None:
                            messenger = _messenger()
                        _send_to_chat(message, messenger)
                    else:
                        _send_email(message, connection, from_email)
                except Exception:
                    # One bad message must not strand its batch in "sending".
                    logger.exception("Message %s could not be sent", message.pk)
                    _failed(
                        message,
                        SOFTWARE_ERROR,
                        "error",
                        gateway.name if message.channel == Channel.SMS else "smtp",
                        retryable=False,
                    )
                handled += 1
    finally:
        gateway.close()
        connection.close()
        if messenger is not None:
            messenger.close()
    return handled


def stale_claims(now: datetime.datetime | None = None, *, own_leftovers: bool = False):
    """Messages left "sending" by a worker that is not alive, or claimed longer ago than
    the claim timeout (claims made outside a worker name none). With ``own_leftovers``
    (called from a task of this worker, which runs one task at a time), this worker's own
    claims too: they are what an earlier task of its left when it ended with the database
    away, not a batch in flight."""
    live = workers.live_worker_ids(now)
    now = now or timezone.now()
    expired = Q(claimed_at__lt=now - claim_timeout())
    if workers.current_worker_id and not workers.steady():
        # This worker's beats have not been steady for a whole WORKER_HEARTBEAT_SECONDS
        # (the database just came back): every other one may look dead too, until it
        # beats. Only expired claims are certain.
        stale = expired
    else:
        stale = expired | (~Q(claimed_by="") & ~Q(claimed_by__in=live))
    if own_leftovers and workers.current_worker_id:
        stale |= Q(claimed_by=workers.current_worker_id)
    return Message.objects.filter(stale, status=Message.Status.SENDING)


def _take_back(messages: list[Message], **fields) -> int:
    """One conditional UPDATE per claim: a row another recovery (or a new claim) moved
    meanwhile is left alone."""
    taken = 0
    by_claim: dict[datetime.datetime, list[int]] = {}
    for message in messages:
        by_claim.setdefault(message.claimed_at, []).append(message.pk)
    for claimed_at, ids in by_claim.items():
        taken += Message.objects.filter(
            pk__in=ids, status=Message.Status.SENDING, claimed_at=claimed_at
        ).update(updated_at=timezone.now(), **fields)
    return taken


def recover_stale(
    now: datetime.datetime | None = None, *, own_leftovers: bool = False
) -> tuple[int, int, int]:
    """Takes back the claims dead workers left (and, with ``own_leftovers``, this
    worker's earlier tasks: stale_claims): (queued again, marked unknown, found sent by
    the provider). SMS the provider can be asked about wait for its answer: a provider
    that cannot answer now leaves them for the next recovery."""
    stale = list(
        stale_claims(now, own_leftovers=own_leftovers).only(
            "id",
            "channel",
            "provider_template",
            "resend_safe",
            "claimed_at",
            "maybe_sent_at",
            "send_round",
            "secret_label",
        )
    )
    if not stale:
        return 0, 0, 0
    now = now or timezone.now()
    requeue, unknown, found_sent = [], [], 0
    asked: list[Message] = []
    gateway = get_sms_gateway() if any(m.channel == Channel.SMS for m in stale) else None
    try:
        for message in stale:
            if gateway is not None and _askable(message, gateway):
                # The provider must still know the first send it may hold: this claim's,
                # or an earlier attempt's whose answer was lost.
                first_maybe = min(message.claimed_at, message.maybe_sent_at or message.claimed_at)
                if first_maybe >= now - gateway.local_id_lookup:
                    asked.append(message)
                else:
                    unknown.append(message)  # too late to ask, unsafe to resend
            elif message.resend_safe:
                requeue.append(message)
            else:
                unknown.append(message)
        if asked:
            try:
                found = gateway.sent_local_ids([m.local_id for m in asked])
            except GatewayError as error:
                logger.warning(
                    "Recovery could not ask the provider about %s SMS: %s (%s)",
                    len(asked),
                    error.message,
                    error.code,
                )
            else:
                held = [m for m in asked if m.local_id in found]
                found_sent = _finish_sent(held, [found[m.local_id] for m in held], gateway.name)
                requeue += [m for m in asked if m.local_id not in found]
    finally:
        if gateway is not None:
            gateway.close()
    requeued = _take_back(requeue, status=Message.Status.QUEUED, maybe_sent_at=None)
    unknowns = _take_back(
        unknown,
        status=Message.Status.UNKNOWN,
        last_error=UNKNOWN_ERROR,
        error_code="interrupted",
    )
    if requeued or unknowns or found_sent:
        logger.warning(
            "Recovered %s interrupted messages: %s queued again, %s marked unknown, %s found "
            "sent by the provider",
            requeued + unknowns + found_sent,
            requeued,
            unknowns,
            found_sent,
        )
    return requeued, unknowns, found_sent


def poll_deliveries(now: datetime.datetime | None = None) -> int:
    """Asks the provider what became of sent SMS; returns how many changed."""
    now = now or timezone.now()
    gateway = get_sms_gateway()
    changed = 0
    try:
        pending = Message.objects.filter(
            status=Message.Status.SENT,
            channel=Channel.SMS,
            backend=gateway.name,
            sent_at__gte=now - POLL_FOR,
        ).exclude(checked_at__gt=now - POLL_EVERY)
        # Never-checked rows first (PostgreSQL sorts NULL last by default).
        rows = list(
            pending.order_by(F("checked_at").asc(nulls_first=True), "id").values_list(
                "id", "provider_id"
            )[:POLL_BATCH]
        )
        if not rows:
            return 0
        try:
            states = gateway.status([provider_id for _pk, provider_id in rows if provider_id])
        except GatewayError as error:
            logger.warning("Delivery reports unavailable: %s (%s)", error.message, error.code)
            return 0
        Message.objects.filter(pk__in=[pk for pk, _provider_id in rows]).update(checked_at=now)
        reached = {Message.Status.DELIVERED: [], Message.Status.UNDELIVERED: []}
        for pk, provider_id in rows:
            status = STATUS_OF_DELIVERY.get(states.get(provider_id))
            if status in reached:
                reached[status].append(pk)
        # One UPDATE per outcome, not per message.
        for status, ids, delivered_at, error in (
            (Message.Status.DELIVERED, reached[Message.Status.DELIVERED], now, ""),
            (
                Message.Status.UNDELIVERED,
                reached[Message.Status.UNDELIVERED],
                None,
                "سامانه پیامک گزارش داد که پیام به گوشی گیرنده نرسید.",
            ),
        ):
            if ids:
                changed += Message.objects.filter(pk__in=ids, status=Message.Status.SENT).update(
                    status=status, delivered_at=delivered_at, last_error=error, updated_at=now
                )
    finally:
        gateway.close()
    return changed
