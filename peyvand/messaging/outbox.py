"""The worker side of the outbox: claim due messages, send them through the gateway or
SMTP, record what happened; poll delivery reports; recover what a killed worker left.

Exactly once: a message is claimed (queued → sending) in a short transaction that skips
rows other workers have locked, and every later write is conditional on the state this
worker left it in. A worker killed after the provider took a message but before it
wrote "sent" leaves the row "sending": after CLAIM_TIMEOUT it is queued again only when
the provider drops a repeated local id (Kavenegar's ``localid``), otherwise it becomes
"unknown" for a person to decide — never sent twice by a machine."""

import datetime
import logging
import smtplib
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.template.loader import render_to_string
from django.utils import timezone

from peyvand.messaging.gateways import Delivery, GatewayError, SmsGateway, get_sms_gateway
from peyvand.messaging.models import Channel, Message, MessagingSettings

logger = logging.getLogger("peyvand.outbox")

BATCH_SIZE = 50
MAX_ATTEMPTS = 6
# Minutes to wait before attempt n+1 (after n failed attempts).
BACKOFF_MINUTES = (1, 5, 15, 60, 180)
# A claim older than this belongs to a dead worker (a batch takes at most
# BATCH_SIZE × the gateway timeout).
CLAIM_TIMEOUT = datetime.timedelta(minutes=15)
# Delivery reports are asked for this long after sending, at most every POLL_EVERY.
POLL_FOR = datetime.timedelta(days=3)
POLL_EVERY = datetime.timedelta(minutes=2)
POLL_BATCH = 100

STATUS_OF_DELIVERY = {
    Delivery.SENT: Message.Status.SENT,
    Delivery.DELIVERED: Message.Status.DELIVERED,
    Delivery.UNDELIVERED: Message.Status.UNDELIVERED,
}


def due_messages(now: datetime.datetime | None = None):
    """Queued messages whose time has come; SMS wait while the quiet hours last."""
    now = now or timezone.now()
    due = Message.objects.filter(status=Message.Status.QUEUED, scheduled_at__lte=now)
    if MessagingSettings.load().in_quiet_hours(now):
        due = due.filter(channel=Channel.EMAIL)
    return due


def claim(
    *, limit: int = BATCH_SIZE, sms_resend_safe: bool, template_resend_safe: bool = False
) -> list[int]:
    """Marks up to ``limit`` due messages as this worker's (queued → sending)."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            due_messages(now)
            .order_by("scheduled_at", "id")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            Message.objects.filter(pk__in=ids, status=Message.Status.QUEUED).update(
                status=Message.Status.SENDING,
                claimed_at=now,
                attempts=F("attempts") + 1,
                # Whether the provider would drop a repeat of this message (Kavenegar's
                # localid; not on its template sends); SMTP has no idempotency key.
                resend_safe=Case(
                    When(channel=Channel.SMS, provider_template="", then=Value(sms_resend_safe)),
                    When(channel=Channel.SMS, then=Value(template_resend_safe)),
                    default=Value(False),
                ),
            )
    return ids


def _finish(message: Message, **fields) -> None:
    """Writes the outcome, only if the row is still this worker's claim."""
    fields["updated_at"] = timezone.now()
    Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(**fields)


def _failed(message: Message, error: str, code: str, *, retryable: bool) -> None:
    if retryable and message.attempts < MAX_ATTEMPTS:
        wait = BACKOFF_MINUTES[min(message.attempts, len(BACKOFF_MINUTES)) - 1]
        _finish(
            message,
            status=Message.Status.QUEUED,
            scheduled_at=timezone.now() + datetime.timedelta(minutes=wait),
            last_error=error,
            error_code=code,
        )
    else:
        _finish(message, status=Message.Status.FAILED, last_error=error, error_code=code)


def _send_sms(message: Message, gateway: SmsGateway) -> None:
    try:
        if message.provider_template:
            sent = gateway.send_template(
                to=message.to,
                template=message.provider_template,
                tokens=message.tokens,
                local_id=message.local_id,
            )
        else:
            sent = gateway.send(
                to=message.to, body=message.body, sender=message.sender, local_id=message.local_id
            )
    except GatewayError as error:
        logger.warning("SMS %s not sent: %s (%s)", message.pk, error.message, error.code)
        _failed(message, error.message, error.code, retryable=error.retryable)
        return
    now = timezone.now()
    status = STATUS_OF_DELIVERY.get(sent.delivery, Message.Status.SENT)
    _finish(
        message,
        status=status,
        backend=gateway.name,
        provider_id=sent.provider_id,
        sent_at=now,
        delivered_at=now if status == Message.Status.DELIVERED else None,
        last_error="",
        error_code="",
    )


def build_email(message: Message, connection=None) -> EmailMultiAlternatives:
    """The email as it goes out: a plain-text part and a right-to-left HTML part."""
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=message.sender or settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        connection=connection,
        # One Message-ID per message and round: a receiving server or a person can tell
        # a repeat from a new message.
        headers={
            "Message-ID": make_msgid(f"peyvand.{message.local_id}"),
            "Content-Language": "fa",
        },
    )
    email.attach_alternative(
        render_to_string("messaging/email.html", {"message": message}), "text/html"
    )
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as handle:
            email.attach(attachment.name, handle.read(), attachment.mime_type)
    return email


def _send_email(message: Message, connection) -> None:
    try:
        build_email(message, connection).send()
    except smtplib.SMTPRecipientsRefused:
        _failed(
            message,
            "سرور ایمیل نشانی گیرنده را نپذیرفت؛ نشانی را بررسی کنید.",
            "smtp-recipient",
            retryable=False,
        )
        return
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Email %s not sent: %s", message.pk, error)
        _failed(
            message,
            "اتصال به سرور ایمیل برقرار نشد یا ایمیل را نپذیرفت؛ دوباره تلاش می‌شود.",
            "smtp",
            retryable=True,
        )
        return
    _finish(
        message,
        status=Message.Status.SENT,
        backend="smtp",
        sent_at=timezone.now(),
        last_error="",
        error_code="",
    )


def deliver_due(*, limit: int | None = None) -> int:
    """Sends due messages, a claimed batch at a time, until none are left (or ``limit``
    have been handled). Several workers can run this at once."""
    handled = 0
    gateway = get_sms_gateway()
    connection = get_connection(fail_silently=False)
    try:
        while limit is None or handled < limit:
            batch = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - handled)
            ids = claim(
                limit=batch,
                sms_resend_safe=gateway.idempotent,
                template_resend_safe=gateway.template_idempotent,
            )
            if not ids:
                break
            messages = Message.objects.filter(pk__in=ids, status=Message.Status.SENDING)
            for message in messages.order_by("scheduled_at", "id"):
                if message.channel == Channel.SMS:
                    _send_sms(message, gateway)
                else:
                    _send_email(message, connection)
                handled += 1
    finally:
        gateway.close()
        connection.close()
    return handled


def recover_stale(now: datetime.datetime | None = None) -> tuple[int, int]:
    """Claims a dead worker left behind: (queued again, marked unknown)."""
    cutoff = (now or timezone.now()) - CLAIM_TIMEOUT
    stale = Message.objects.filter(status=Message.Status.SENDING, claimed_at__lt=cutoff)
    requeued = stale.filter(resend_safe=True).update(
        status=Message.Status.QUEUED, updated_at=timezone.now()
    )
    unknown = stale.filter(resend_safe=False).update(
        status=Message.Status.UNKNOWN,
        last_error=(
            "ارسال این پیام نیمه‌کاره ماند و معلوم نیست به گیرنده رسیده باشد؛ برای پرهیز از "
            "ارسال دوباره، خودکار تکرار نمی‌شود. در صورت نیاز آن را دوباره بفرستید."
        ),
        error_code="interrupted",
        updated_at=timezone.now(),
    )
    if requeued or unknown:
        logger.warning("Recovered %s interrupted messages, %s marked unknown", requeued, unknown)
    return requeued, unknown


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
        rows = list(
            pending.order_by("checked_at", "id").values_list("id", "provider_id")[:POLL_BATCH]
        )
        if not rows:
            return 0
        try:
            states = gateway.status([provider_id for _pk, provider_id in rows if provider_id])
        except GatewayError as error:
            logger.warning("Delivery reports unavailable: %s (%s)", error.message, error.code)
            return 0
        Message.objects.filter(pk__in=[pk for pk, _provider_id in rows]).update(checked_at=now)
        for pk, provider_id in rows:
            status = STATUS_OF_DELIVERY.get(states.get(provider_id))
            if status in (Message.Status.DELIVERED, Message.Status.UNDELIVERED):
                changed += Message.objects.filter(pk=pk, status=Message.Status.SENT).update(
                    status=status,
                    delivered_at=now if status == Message.Status.DELIVERED else None,
                    last_error=""
                    if status == Message.Status.DELIVERED
                    else ("سامانه پیامک گزارش داد که پیام به گوشی گیرنده نرسید."),
                    updated_at=now,
                )
    finally:
        gateway.close()
    return changed
