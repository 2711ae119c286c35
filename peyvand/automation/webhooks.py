"""Outgoing webhooks: record events told to other systems over HTTP.

Events come from the change history: every history line (core.history publishes
RECORD_CHANGED in the transaction that writes it) is a record created, changed, deleted
or restored, and a change of a status or stage field is also a «state_changed». For each
active subscription that asked for the event, a WebhookDelivery row is written in that
same transaction — a rolled-back change sends nothing, a committed one is never lost —
and the worker sends it (the ``automation.webhooks`` task, woken on commit; the beat
takes retries as they fall due).

What is sent follows Standard Webhooks (standardwebhooks.com): a JSON body
``{"type", "timestamp", "data"}``, ``data.record`` in the JSON API's own schema of that
record type, and headers ``webhook-id`` (the same on every attempt: receivers drop
repeats by it), ``webhook-timestamp`` (this attempt's, in Unix seconds: receivers refuse
stale ones, so a captured delivery cannot be replayed later) and ``webhook-signature``
(``v1,`` + base64 HMAC-SHA256 of ``id.timestamp.body`` under the subscription's secret).

A record is sent only when the subscription's owner may see it (core's visibility rule,
checked when the delivery is first sent). A refused or unanswered delivery is tried again
with back-off (BACKOFF_MINUTES) up to MAX_ATTEMPTS; after DISABLE_AFTER deliveries in a
row gave up, the subscription is switched off and its owner notified. Addresses inside
the company's network (loopback, private ranges) are refused unless
WEBHOOK_PRIVATE_ADDRESSES is on, so a webhook cannot be aimed at the servers behind
Peyvand."""

import base64
import datetime
import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
from urllib.parse import urlsplit

import httpx
from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peyvand import __version__
from peyvand.activities.reminders import notify
from peyvand.automation.models import SECRET_PREFIX, WebhookDelivery, WebhookSubscription
from peyvand.core import workers
from peyvand.core.models import BusinessRecord, ChangeRecord
from peyvand.core.registry import record_json
from peyvand.messaging.servers import network_problem

logger = logging.getLogger("peyvand.webhooks")

ACTIONS = {
    "created": gettext_lazy("ثبت"),
    "changed": gettext_lazy("ویرایش"),
    "state_changed": gettext_lazy("تغییر وضعیت"),
    "deleted": gettext_lazy("حذف"),
    "restored": gettext_lazy("بازیابی"),
}
# Outbox rows: their sending is the outbox's business, not a history event.
NOT_RECORD_TYPES = frozenset({"messaging.message", "messaging.broadcast"})
# The fields whose change is also a «state_changed» (a lead has both).
STATE_FIELDS = ("status", "stage")
PING = "webhook.ping"
# A rule's «call a webhook» action: "rule.<the rule's id>" (automation.actions).
RULE_PREFIX = "rule."

TIMEOUT_SECONDS = 10.0
MAX_ATTEMPTS = 6
# Minutes before attempt n+1 after n failed ones: about eight and a half hours in all.
BACKOFF_MINUTES = (1, 5, 30, 120, 360)
DISABLE_AFTER = 3  # deliveries in a row that gave up
RESPONSE_KEEP = 2000  # characters of a receiver's answer kept on the delivery
BATCH_SIZE = 20
TASK_SECONDS = 60.0
# A delivery «sending» for longer than this lost its worker: it is sent again (the
# receiver may have it; it drops the repeat by its webhook-id).
CLAIM_TIMEOUT = datetime.timedelta(minutes=5)


def record_types() -> list[type[BusinessRecord]]:
    """Every business record whose history is kept, in the apps' order."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, BusinessRecord) and model._meta.label_lower not in NOT_RECORD_TYPES
    ]


def _state_fields(model) -> list[str]:
    names = {field.name for field in model._meta.concrete_fields}
    return [name for name in STATE_FIELDS if name in names]


def event_type(model, action: str) -> str:
    return f"{model._meta.label_lower}.{action}"


def event_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """The events a subscription may ask for, by record type: (the type's plural name,
    [(event, the action's name)])."""
    return [
        (
            str(model._meta.verbose_name_plural),
            [
                (event_type(model, action), str(label))
                for action, label in ACTIONS.items()
                if action != "state_changed" or _state_fields(model)
            ],
        )
        for model in record_types()
    ]


def event_label(event: str) -> str:
    """«سرنخ: ثبت» for "sales.lead.created"."""
    if event == PING:
        return _("آزمایش اتصال")
    if event.startswith(RULE_PREFIX):
        return _("قانون خودکار")
    label, _dot, action = event.rpartition(".")
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return event
    return f"{model._meta.verbose_name}: {ACTIONS.get(action, action)}"


def events_of(change: ChangeRecord, model) -> list[str]:
    events = [event_type(model, change.action)]
    if change.action == ChangeRecord.Action.CHANGED:
        states = _state_fields(model)
        if any(line.get("field") in states for line in change.changes):
            events.append(event_type(model, "state_changed"))
    return events


def record_changed(*, change: ChangeRecord, record) -> None:
    """core.history's RECORD_CHANGED: a delivery per subscription that asked for it,
    written in the change's own transaction. One query when nobody subscribed."""
    if record._meta.label_lower in NOT_RECORD_TYPES or not isinstance(record, BusinessRecord):
        return
    events = events_of(change, type(record))
    wanted = [
        (subscription, event)
        for subscription in WebhookSubscription.objects.filter(is_active=True).only("events")
        for event in events
        if event in subscription.events
    ]
    if not wanted:
        return
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                subscription=subscription,
                event=event,
                change=change,
                content_type_id=change.content_type_id,
                object_id=change.object_id,
                created_at=change.at,
            )
            for subscription, event in wanted
        ]
    )
    wake_worker()


def wake_worker() -> None:
    """Sends this transaction's deliveries once it commits (one task however many)."""
    from peyvand.automation.tasks import send_webhooks  # tasks import this module

    workers.enqueue_on_commit(send_webhooks)


# Signing


def signature(secret: str, webhook_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{webhook_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secret: str, webhook_id: str, body: str) -> dict[str, str]:
    timestamp = int(time.time())
    return {
        "content-type": "application/json",
        "user-agent": f"Peyvand-Webhooks/{__version__}",
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, webhook_id, timestamp, body),
    }


# Where it may go


def private_address_problem(url: str, *, resolve: bool = True) -> str:
    """Why ``url`` may not be called (its host is inside the company's network), or "".
    Without ``resolve`` only an address written as such (or localhost) is judged: a
    name that does not resolve yet is the sending's problem, not the form's."""
    if settings.WEBHOOK_PRIVATE_ADDRESSES:
        return ""
    parts = urlsplit(url)
    host = parts.hostname or ""
    refused = _(
        "نشانی %(host)s در شبکه‌ی داخلی است؛ وب‌هوک فقط به نشانی‌های اینترنت فرستاده می‌شود."
    ) % {"host": f"\u2066{host}\u2069"}
    if host == "localhost" or host.endswith(".localhost"):
        return refused
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        if not resolve:
            return ""
        try:
            found = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
        except OSError:
            return ""  # the request itself then says the name was not found
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]
    if any(not address.is_global for address in addresses):
        return refused
    return ""


# The body


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "name": user.get_full_name() or str(user)}


def payload(delivery: WebhookDelivery) -> dict | None:
    """The body of a record event, or None when the subscription's owner may not see
    the record (or it is gone)."""
    subscription = delivery.subscription
    if delivery.event == PING:
        data = {"subscription": {"id": subscription.pk, "name": subscription.name}}
        return {"type": PING, "timestamp": delivery.created_at, "data": data}
    model = delivery.content_type.model_class()
    record = (
        model.all_objects.visible_to(subscription.owner).filter(pk=delivery.object_id).first()
        if model is not None
        else None
    )
    if record is None:
        return None
    change = delivery.change
    by_rule = delivery.event.startswith(RULE_PREFIX)
    action = "rule" if by_rule else delivery.event.rsplit(".", 1)[1]
    data = {
        "object": model._meta.label_lower,
        "id": record.pk,
        "action": action,
        "name": str(record),
        "path": record.get_absolute_url() if hasattr(record, "get_absolute_url") else None,
        "deleted": record.deleted_at is not None,
        "at": change.at if change else delivery.created_at,
        "by": _person(change.user) if change else None,
        "changes": [
            {key: line.get(key, "") for key in ("field", "label", "old", "new")}
            for line in (change.changes if change else [])
        ],
        "record": record_json(record),
    }
    if by_rule:
        data["rule"] = {"id": int(delivery.event.removeprefix(RULE_PREFIX))}
    return {"type": delivery.event, "timestamp": delivery.created_at, "data": data}


def encode_body(body: dict) -> str:
    return json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


# Sending


def due(now: datetime.datetime | None = None):
    return WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now or timezone.now()
    )


def take_back_lost(now: datetime.datetime | None = None) -> int:
    """Deliveries a killed worker left «sending»: due again."""
    now = now or timezone.now()
    return WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    ).update(status=WebhookDelivery.Status.PENDING, next_attempt_at=now)


def claim(limit: int = BATCH_SIZE) -> list[int]:
    """Marks up to ``limit`` due deliveries as this worker's; others skip them."""
    now = timezone.now()
    return workers.claim_due(
        due(now),
        order_by=("next_attempt_at", "id"),
        limit=limit,
        status=WebhookDelivery.Status.SENDING,
        claimed_at=now,
        attempts=F("attempts") + 1,
    )


def send_due(seconds: float = TASK_SECONDS) -> int:
    """Sends what is due, batch after batch, for at most about ``seconds``."""
    take_back_lost()
    deadline = time.monotonic() + seconds
    sent = 0
    with httpx.Client(timeout=httpx.Timeout(TIMEOUT_SECONDS), follow_redirects=False) as client:
        while time.monotonic() < deadline:
            ids = claim()
            if not ids:
                break
            for delivery in deliveries_to_send(ids):
                send(delivery, client)
                sent += 1
    return sent


def deliveries_to_send(ids: list[int]):
    return (
        WebhookDelivery.objects.filter(pk__in=ids)
        .select_related("subscription__owner", "change__user", "content_type")
        .order_by("next_attempt_at", "id")
    )


def _finish(delivery: WebhookDelivery, **fields) -> bool:
    """Writes the outcome if the delivery is still this claim's."""
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery.pk, status=WebhookDelivery.Status.SENDING, claimed_at=delivery.claimed_at
        ).update(**fields)
    )


def send(delivery: WebhookDelivery, client: httpx.Client) -> WebhookDelivery.Status:
    """One attempt of a claimed delivery; returns the status it ends in."""
    subscription = delivery.subscription
    if not subscription.is_active and delivery.event != PING:
        return _skipped(delivery, _("اشتراک غیرفعال است."))
    if not delivery.body:
        body = payload(delivery)
        if body is None:
            return _skipped(
                delivery, _("مالک اشتراک اجازه‌ی دیدن این پرونده را ندارد؛ فرستاده نشد.")
            )
        delivery.body = encode_body(body)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(body=delivery.body)
    problem = private_address_problem(subscription.url)
    if problem:
        return _failed(delivery, problem, final=True)
    headers = signed_headers(subscription.secret, delivery.webhook_id, delivery.body)
    try:
        response = client.post(subscription.url, content=delivery.body.encode(), headers=headers)
    except httpx.HTTPError as error:
        return _failed(delivery, request_problem(error, subscription.url))
    answer = {
        "response_status": response.status_code,
        "response_body": response.text[:RESPONSE_KEEP],
    }
    if 200 <= response.status_code < 300:
        _finish(
            delivery,
            status=WebhookDelivery.Status.DELIVERED,
            delivered_at=timezone.now(),
            last_error="",
            **answer,
        )
        WebhookSubscription.objects.filter(pk=subscription.pk, failures_in_row__gt=0).update(
            failures_in_row=0
        )
        return WebhookDelivery.Status.DELIVERED
    if 300 <= response.status_code < 400:
        error = _("گیرنده به نشانی دیگری ارجاع داد (%(status)s)؛ نشانی تازه را در اشتراک بنویسید.")
    else:
        error = _("گیرنده نپذیرفت: پاسخ %(status)s.")
    return _failed(delivery, error % {"status": response.status_code}, **answer)


def _skipped(delivery: WebhookDelivery, reason: str) -> WebhookDelivery.Status:
    _finish(delivery, status=WebhookDelivery.Status.SKIPPED, last_error=reason)
    return WebhookDelivery.Status.SKIPPED


def _failed(
    delivery: WebhookDelivery, error: str, *, final: bool = False, **answer
) -> WebhookDelivery.Status:
    if delivery.event == PING:  # a test is said at once, never tried again
        _finish(delivery, status=WebhookDelivery.Status.FAILED, last_error=error, **answer)
        return WebhookDelivery.Status.FAILED
    if not final and delivery.attempts < MAX_ATTEMPTS:
        wait = BACKOFF_MINUTES[min(delivery.attempts, len(BACKOFF_MINUTES)) - 1]
        _finish(
            delivery,
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at=timezone.now() + datetime.timedelta(minutes=wait),
            last_error=error,
            **answer,
        )
        return WebhookDelivery.Status.PENDING
    if _finish(delivery, status=WebhookDelivery.Status.FAILED, last_error=error, **answer):
        _gave_up(delivery.subscription, error)
    return WebhookDelivery.Status.FAILED


def _gave_up(subscription: WebhookSubscription, error: str) -> None:
    """One more delivery in a row that gave up; at DISABLE_AFTER the subscription is
    switched off and its owner told why."""
    with transaction.atomic():
        locked = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        locked.failures_in_row += 1
        fields = ["failures_in_row"]
        if locked.failures_in_row >= DISABLE_AFTER and locked.is_active:
            locked.is_active = False
            locked.disabled_reason = (
                _("%(count)s ارسال پیاپی ناموفق ماند؛ آخرین خطا: %(error)s")
                % {"count": locked.failures_in_row, "error": error}
            )[:300]
            fields += ["is_active", "disabled_reason"]
            notify(
                user=locked.owner,
                title=_("وب‌هوک «%(name)s» خاموش شد") % {"name": locked.name},
                body=locked.disabled_reason,
                url=reverse("automation:webhook_detail", args=[locked.pk]),
            )
        locked.save(update_fields=[*fields, "updated_at"])


def request_problem(error: httpx.HTTPError, url: str) -> str:
    """An HTTP request that got no answer, in Persian (no English OS text)."""
    host = urlsplit(url).netloc or url
    if isinstance(error, httpx.TimeoutException):
        return _("گیرنده %(where)s در %(seconds)s ثانیه پاسخ نداد.") % {
            "where": f"\u2066{host}\u2069",
            "seconds": int(TIMEOUT_SECONDS),
        }
    cause = error.__context__
    while cause is not None and not isinstance(cause, OSError):
        cause = cause.__context__
    if isinstance(cause, OSError):
        return network_problem(cause, host)
    return _("به گیرنده %(where)s وصل نشد.") % {"where": f"\u2066{host}\u2069"}


def ping(subscription: WebhookSubscription) -> WebhookDelivery:
    """A test delivery, sent now (from the subscription's page), logged like the rest."""
    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        event=PING,
        status=WebhookDelivery.Status.SENDING,
        claimed_at=timezone.now(),
        attempts=1,
    )
    delivery = deliveries_to_send([delivery.pk]).get()
    with httpx.Client(timeout=httpx.Timeout(TIMEOUT_SECONDS), follow_redirects=False) as client:
        send(delivery, client)
    delivery.refresh_from_db()
    return delivery


def resend(delivery: WebhookDelivery) -> bool:
    """A failed or skipped delivery queued again by a manager (the same id and body)."""
    updated = (
        WebhookDelivery.objects.filter(
            pk=delivery.pk,
            status__in=[WebhookDelivery.Status.FAILED, WebhookDelivery.Status.SKIPPED],
        )
        .exclude(event=PING)
        .update(status=WebhookDelivery.Status.PENDING, next_attempt_at=timezone.now(), attempts=0)
    )
    if updated:
        wake_worker()
    return bool(updated)
