"""Outgoing webhooks (issue 29, point 4): record events reach a receiver on loopback,
signed as Standard Webhooks says (checked by the spec's own library), retried with
back-off, switched off after repeated failure with a notification, and only for records
the subscription's owner may see."""

import datetime
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from peyvand.accounts.roles import MANAGER, SALES
from peyvand.activities.models import Notification
from peyvand.automation import webhooks
from peyvand.automation.models import WebhookDelivery, WebhookSubscription
from peyvand.automation.services import subscription_save
from peyvand.automation.tasks import send_webhooks
from peyvand.sales.models import Lead
from peyvand.sales.services import lead_close, lead_save
from tests.automation.receiver import WebhookReceiver
from tests.factories import ContactFactory, LeadFactory, TeamFactory, UserFactory
from tests.messaging.fixtures import run_worker

Status = WebhookDelivery.Status


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_PRIVATE_ADDRESSES = True  # the receiver is on loopback
    with WebhookReceiver() as server:
        yield server


def subscribe(owner, url: str, events: list[str]) -> tuple[WebhookSubscription, str]:
    return subscription_save(
        subscription=WebhookSubscription(name="حسابداری", url=url, events=events, owner=owner),
        by=owner,
    )


def new_lead(by, **fields) -> Lead:
    contact = ContactFactory(owner=by)
    return lead_save(lead=Lead(title="خرید ۲۰ دستگاه", contact=contact, **fields), by=by)


# The worker runs in this test: its own connections, so real commits.
@pytest.mark.django_db(transaction=True)
def test_a_new_lead_reaches_the_receiver_signed_in_the_apis_own_shape(receiver):
    manager = UserFactory(role=MANAGER)
    _subscription, secret = subscribe(manager, receiver.url, ["sales.lead.created"])
    assert secret.startswith("whsec_")

    lead = new_lead(manager)  # its commit wakes a worker (the task is queued)
    run_worker()

    [request] = receiver.received
    assert request.path == "/hooks/peyvand"
    # The spec's own verifier: the signature, and a timestamp within its tolerance.
    body = Webhook(secret).verify(request.body, request.headers)
    assert body["type"] == "sales.lead.created"
    data = body["data"]
    assert (data["object"], data["id"], data["action"]) == ("sales.lead", lead.pk, "created")
    assert data["record"]["code"] == lead.code and data["record"]["title"] == "خرید ۲۰ دستگاه"
    assert data["by"]["username"] == manager.username
    assert data["path"] == lead.get_absolute_url()
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "QUJD" * 11).verify(request.body, request.headers)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (
        Status.DELIVERED,
        1,
        200,
    )
    assert request.headers["webhook-id"] == delivery.webhook_id
    assert json.loads(delivery.body) == json.loads(request.body)


@pytest.mark.django_db
def test_a_closed_lead_is_a_change_and_a_state_change_and_nothing_else_is_sent(
    receiver, django_capture_on_commit_callbacks
):
    manager = UserFactory(role=MANAGER)
    lead = new_lead(manager)
    subscribe(manager, receiver.url, ["sales.lead.changed", "sales.lead.state_changed"])

    with django_capture_on_commit_callbacks(execute=True):
        lead_close(lead=lead, by=manager, status=Lead.Status.WON)
        new_lead(manager)  # created: not asked for
    webhooks.send_due()

    events = sorted(json.loads(r.body)["type"] for r in receiver.received)
    assert events == ["sales.lead.changed", "sales.lead.state_changed"]
    changes = json.loads(receiver.received[0].body)["data"]["changes"]
    assert {"field": "status", "label": "وضعیت", "old": "باز", "new": "موفق"} in changes


@pytest.mark.django_db
def test_a_change_rolled_back_sends_nothing(receiver, django_capture_on_commit_callbacks):
    manager = UserFactory(role=MANAGER)
    subscribe(manager, receiver.url, ["sales.lead.created"])
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        new_lead(manager)
        raise RuntimeError("the form's next step failed")
    assert callbacks == [] and not WebhookDelivery.objects.exists()


@pytest.mark.django_db
def test_only_records_the_owner_may_see_are_sent(receiver, django_capture_on_commit_callbacks):
    rep, teammate, other = (UserFactory(role=SALES) for _ in range(3))
    TeamFactory(name="فروش تهران").members.add(rep, teammate)
    subscribe(rep, receiver.url, ["sales.lead.created"])

    with django_capture_on_commit_callbacks(execute=True):
        seen = new_lead(teammate)
        unseen = new_lead(other)
    webhooks.send_due()

    assert [json.loads(r.body)["data"]["id"] for r in receiver.received] == [seen.pk]
    skipped = WebhookDelivery.objects.get(object_id=unseen.pk)
    assert skipped.status == Status.SKIPPED and skipped.body == ""
    assert skipped.last_error == "مالک اشتراک اجازه‌ی دیدن این پرونده را ندارد؛ فرستاده نشد."


@pytest.mark.django_db
def test_a_refused_delivery_is_sent_again_later_with_the_same_id_and_body(
    receiver, django_capture_on_commit_callbacks, time_machine
):
    manager = UserFactory(role=MANAGER)
    _subscription, secret = subscribe(manager, receiver.url, ["sales.lead.created"])
    receiver.answers = [503]
    time_machine.move_to(timezone.now(), tick=True)

    with django_capture_on_commit_callbacks(execute=True):
        new_lead(manager)
    webhooks.send_due()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (
        Status.PENDING,
        1,
        503,
    )
    assert delivery.last_error == "گیرنده نپذیرفت: پاسخ 503."
    assert delivery.response_body == "busy, try later"
    wait = delivery.next_attempt_at - timezone.now()
    assert datetime.timedelta(seconds=55) < wait <= datetime.timedelta(minutes=1)

    assert webhooks.send_due() == 0  # not yet due
    time_machine.shift(datetime.timedelta(minutes=1, seconds=1))
    assert webhooks.send_due() == 1

    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    assert int(second.headers["webhook-timestamp"]) > int(first.headers["webhook-timestamp"])
    Webhook(secret).verify(second.body, second.headers)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (Status.DELIVERED, 2, "")


@pytest.mark.django_db
def test_deliveries_that_give_up_in_a_row_switch_the_webhook_off_and_tell_its_owner(
    receiver, django_capture_on_commit_callbacks
):
    manager = UserFactory(role=MANAGER)
    subscription, _secret = subscribe(manager, receiver.url, ["sales.lead.created"])
    receiver.answers = [500] * webhooks.DISABLE_AFTER
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(webhooks.DISABLE_AFTER):
            new_lead(manager)
    # Each at its last attempt: the next failure gives up.
    WebhookDelivery.objects.update(attempts=webhooks.MAX_ATTEMPTS - 1)
    webhooks.send_due()

    assert WebhookDelivery.objects.filter(status=Status.FAILED).count() == webhooks.DISABLE_AFTER
    subscription.refresh_from_db()
    assert not subscription.is_active
    # Stored with Latin digits, shown in the reader's (core.digits).
    assert subscription.disabled_reason == (
        "3 ارسال پیاپی ناموفق ماند؛ آخرین خطا: گیرنده نپذیرفت: پاسخ 500."
    )
    note = Notification.objects.get(user=manager)
    assert note.title == "وب‌هوک «حسابداری» خاموش شد"
    assert note.url == reverse("automation:webhook_detail", args=[subscription.pk])

    with django_capture_on_commit_callbacks(execute=True):
        new_lead(manager)  # switched off: no delivery
    assert WebhookDelivery.objects.count() == webhooks.DISABLE_AFTER


@pytest.mark.django_db
def test_an_unreachable_receiver_is_said_in_persian(settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_PRIVATE_ADDRESSES = True
    with WebhookReceiver() as closed:
        url = closed.url
    manager = UserFactory(role=MANAGER)
    subscribe(manager, url, ["sales.lead.created"])
    with django_capture_on_commit_callbacks(execute=True):
        new_lead(manager)
    webhooks.send_due()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == Status.PENDING
    host = url.split("/")[2]
    assert delivery.last_error == (
        f"سرور \u2066{host}\u2069 اتصال را نپذیرفت؛ نشانی و درگاه را بررسی کنید."
    )


@pytest.mark.django_db
def test_an_address_inside_the_network_is_refused_unless_allowed(
    client, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_PRIVATE_ADDRESSES = False
    manager = UserFactory(role=MANAGER)
    client.force_login(manager)
    page = client.post(
        reverse("automation:webhook_create"),
        {"name": "انبار", "url": "https://10.0.0.7/hook", "events": ["sales.lead.created"],
         "owner": manager.pk, "is_active": "on"},
    )  # fmt: skip
    assert page.status_code == 200
    assert page.context["form"].errors["url"] == [
        "نشانی \u206610.0.0.7\u2069 در شبکه‌ی داخلی است؛ وب‌هوک فقط به نشانی‌های اینترنت"
        " فرستاده می‌شود."
    ]
    assert 'value="https://10.0.0.7/hook"' in page.content.decode()  # kept as typed
    plain = client.post(
        reverse("automation:webhook_create"),
        {"name": "انبار", "url": "http://example.com/hook", "events": ["sales.lead.created"],
         "owner": manager.pk},
    )  # fmt: skip
    assert "نشانی باید با https آغاز شود" in plain.content.decode()

    # One saved while it was allowed is still refused when sent.
    subscribe(manager, "https://127.0.0.1:9/hook", ["sales.lead.created"])
    with django_capture_on_commit_callbacks(execute=True):
        new_lead(manager)
    webhooks.send_due()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == Status.FAILED
    assert "در شبکه‌ی داخلی است" in delivery.last_error


@pytest.mark.django_db
def test_the_secret_is_shown_once_to_whoever_made_it_and_a_new_one_replaces_it(client, receiver):
    manager = UserFactory(role=MANAGER)
    client.force_login(manager)
    made = client.post(
        reverse("automation:webhook_create"),
        {"name": "فروشگاه", "url": receiver.url, "owner": manager.pk, "is_active": "on",
         "events": ["sales.lead.created", "service.request.state_changed"]},
        follow=True,
    )  # fmt: skip
    subscription = WebhookSubscription.objects.get()
    assert subscription.events == ["sales.lead.created", "service.request.state_changed"]
    assert subscription.secret in made.content.decode()
    again = client.get(reverse("automation:webhook_detail", args=[subscription.pk]))
    assert subscription.secret not in again.content.decode()
    listed = client.get(reverse("automation:webhook_list"))
    assert subscription.secret not in listed.content.decode()
    edit = client.get(reverse("automation:webhook_edit", args=[subscription.pk]))
    assert subscription.secret not in edit.content.decode()

    renewed = client.post(reverse("automation:webhook_secret", args=[subscription.pk]), follow=True)
    old = subscription.secret
    subscription.refresh_from_db()
    assert subscription.secret != old and subscription.secret in renewed.content.decode()
    assert old not in renewed.content.decode()

    pinged = client.post(reverse("automation:webhook_ping", args=[subscription.pk]), follow=True)
    assert "گیرنده پیام آزمایشی را پذیرفت (پاسخ ۲۰۰)." in pinged.content.decode()
    [request] = receiver.received
    assert (
        Webhook(subscription.secret).verify(request.body, request.headers)["type"] == "webhook.ping"
    )
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(request.body, request.headers)


@pytest.mark.django_db
def test_a_failed_delivery_is_resent_from_its_page(
    client, receiver, django_capture_on_commit_callbacks
):
    manager = UserFactory(role=MANAGER)
    subscription, _secret = subscribe(manager, receiver.url, ["sales.lead.created"])
    receiver.answers = [410]
    with django_capture_on_commit_callbacks(execute=True):
        new_lead(manager)
    WebhookDelivery.objects.update(attempts=webhooks.MAX_ATTEMPTS - 1)
    webhooks.send_due()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == Status.FAILED

    client.force_login(manager)
    page = client.get(
        reverse("automation:webhook_detail", args=[subscription.pk]), {"status": "failed"}
    )
    assert "گیرنده نپذیرفت: پاسخ ۴۱۰." in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("automation:delivery_resend", args=[delivery.pk]))
    webhooks.send_due()
    delivery.refresh_from_db()
    assert delivery.status == Status.DELIVERED and len(receiver.received) == 2


@pytest.mark.django_db
def test_two_workers_never_take_the_same_delivery(receiver, django_capture_on_commit_callbacks):
    manager = UserFactory(role=MANAGER)
    subscribe(manager, receiver.url, ["sales.lead.created"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for _ in range(3):
            new_lead(manager)
    # Three deliveries in one transaction wake one worker.
    assert [c for c in callbacks if c == send_webhooks.enqueue] == [send_webhooks.enqueue]
    first = webhooks.claim(limit=2)
    second = webhooks.claim(limit=2)
    assert len(first) == 2 and len(second) == 1 and not set(first) & set(second)
    assert webhooks.claim() == []


@pytest.mark.django_db
def test_a_deleted_and_restored_lead_are_events_too(receiver, django_capture_on_commit_callbacks):
    from peyvand.core.services import record_restore
    from peyvand.sales.services import lead_delete

    manager = UserFactory(role=MANAGER)
    lead = LeadFactory(owner=manager)
    subscribe(manager, receiver.url, ["sales.lead.deleted", "sales.lead.restored"])
    with django_capture_on_commit_callbacks(execute=True):
        lead_delete(lead=lead, by=manager)
        record_restore(record=Lead.all_objects.get(pk=lead.pk), by=manager)
    webhooks.send_due()
    bodies = sorted((json.loads(r.body) for r in receiver.received), key=lambda b: b["type"])
    assert [(b["type"], b["data"]["id"]) for b in bodies] == [
        ("sales.lead.deleted", lead.pk),
        ("sales.lead.restored", lead.pk),
    ]


@pytest.mark.django_db
def test_a_webhook_never_sends_more_than_its_maker_sees(client, receiver):
    """Managing webhooks without seeing every record: the webhook can only be one's own
    (its records are those its maker sees), and the log shows no other record's body."""
    from django.contrib.auth.models import Permission

    rep = UserFactory(role=SALES)
    rep.user_permissions.add(Permission.objects.get(codename="manage_automation"))
    boss = UserFactory(role=MANAGER)
    client.force_login(rep)
    refused = client.post(
        reverse("automation:webhook_create"),
        {"name": "همه‌چیز", "url": receiver.url, "events": ["sales.lead.created"],
         "owner": boss.pk, "is_active": "on"},
    )  # fmt: skip
    assert "owner" in refused.context["form"].errors
    assert not WebhookSubscription.objects.exists()

    theirs, _secret = subscribe(boss, receiver.url, ["sales.lead.created"])
    lead = LeadFactory(owner=boss)
    WebhookDelivery.objects.create(
        subscription=theirs,
        event="sales.lead.created",
        content_type_id=ContentType.objects.get_for_model(Lead).pk,
        object_id=lead.pk,
        status=Status.DELIVERED,
        body=json.dumps({"data": {"name": "محرمانه‌ی مدیر"}}),
    )
    page = client.get(reverse("automation:webhook_detail", args=[theirs.pk])).content.decode()
    assert "محرمانه‌ی مدیر" not in page and str(lead) not in page
    assert "سرنخ: ثبت" in page
