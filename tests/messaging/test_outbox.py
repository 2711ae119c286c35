"""The outbox end to end: services queue rows, the real worker command sends them over
HTTP to fake providers on loopback (or SMTP to a real server), statuses follow."""

import datetime

import pytest
from django.utils import timezone

from peyvand.core.dates import to_jalali
from peyvand.core.digits import localize_sms
from peyvand.messaging import outbox, services
from peyvand.messaging.models import (
    Broadcast,
    Channel,
    ContactGroup,
    ContactGroupMember,
    Message,
    MessageTemplate,
    MessagingSettings,
)
from tests.factories import ContactFactory
from tests.messaging.fixtures import API_KEY, run_worker

worker_test = pytest.mark.django_db(transaction=True)


def sms_to(contact, personas, body="سلام {نام}، سفارش شما آماده است.", **kwargs) -> Message:
    return services.message_to_contact(
        contact=contact, channel=Channel.SMS, body=body, by=personas.owner, **kwargs
    )


@worker_test
def test_an_sms_goes_to_kavenegar_once_and_its_delivery_report_is_read(kavenegar, personas):
    contact = ContactFactory(owner=personas.owner, name="رضا کیانی", phones=["+989121234567"])
    message = sms_to(contact, personas)
    assert message.status == Message.Status.QUEUED  # nothing is sent from the request

    run_worker()

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.backend == "kavenegar"
    assert len(kavenegar.received) == 1
    got = kavenegar.received[0]
    assert got["to"] == "09121234567"
    assert got["body"] == "سلام رضا کیانی، سفارش شما آماده است."
    assert got["local_id"] == message.local_id
    assert message.provider_id == str(got["provider_id"])

    kavenegar.set_delivery(message.provider_id, 10)  # 10: delivered to the handset
    assert outbox.poll_deliveries() == 1
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED
    assert message.delivered_at is not None


@worker_test
def test_insufficient_credit_shows_in_persian_stays_retryable_and_loses_nothing(
    kavenegar, personas
):
    contact = ContactFactory(owner=personas.owner, phones=["+989121234567"])
    kavenegar.credit = 0
    message = sms_to(contact, personas)

    run_worker()

    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED  # waits for its next attempt
    assert message.error_code == "418"
    assert "اعتبار" in message.last_error
    assert message.scheduled_at > timezone.now()
    assert kavenegar.received == []

    # Every automatic attempt fails: the message ends "failed", with its error…
    for _attempt in range(outbox.MAX_ATTEMPTS):
        Message.objects.filter(pk=message.pk, status="queued").update(scheduled_at=timezone.now())
        outbox.deliver_due()
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.attempts == outbox.MAX_ATTEMPTS
    assert message.retryable

    # …and once the account is charged, a person sends it again.
    kavenegar.credit = 100
    services.message_retry(message=message, by=personas.manager)
    run_worker()
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.last_error == ""
    assert len(kavenegar.received) == 1


@worker_test
def test_an_invalid_key_fails_at_once_without_retrying(kavenegar, personas, settings):
    settings.SMS_API_KEY = "wrong-key-0000000000"
    contact = ContactFactory(owner=personas.owner, phones=["+989121234567"])
    message = sms_to(contact, personas)
    run_worker()
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.attempts == 1
    assert message.last_error  # Persian, from the gateway
    assert "wrong-key-0000000000" not in message.last_error


@worker_test
def test_sms_wait_through_quiet_hours_and_email_does_not(kavenegar, smtp_server, personas):
    config = MessagingSettings.load()
    now = timezone.localtime()
    config.quiet_start = (now - datetime.timedelta(hours=1)).time().replace(second=0)
    config.quiet_end = (now + datetime.timedelta(hours=1)).time().replace(second=0)
    config.save()
    contact = ContactFactory(owner=personas.owner, phones=["+989121234567"], email="a@example.com")
    sms = sms_to(contact, personas)
    mail = services.message_to_contact(
        contact=contact, channel=Channel.EMAIL, subject="پیش‌فاکتور", body="متن", by=personas.owner
    )

    run_worker()

    sms.refresh_from_db()
    mail.refresh_from_db()
    assert sms.status == Message.Status.QUEUED
    assert kavenegar.received == []
    assert mail.status == Message.Status.SENT
    assert len(smtp_server.messages) == 1


@worker_test
def test_a_scheduled_message_waits_for_its_time(kavenegar, personas):
    contact = ContactFactory(owner=personas.owner, phones=["+989121234567"])
    later = timezone.now() + datetime.timedelta(hours=2)
    message = sms_to(contact, personas, scheduled_at=later)
    outbox.deliver_due()
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED
    Message.objects.filter(pk=message.pk).update(scheduled_at=timezone.now())
    outbox.deliver_due()
    message.refresh_from_db()
    assert message.status == Message.Status.SENT


@worker_test
def test_a_message_the_provider_took_before_the_worker_died_is_not_sent_twice(kavenegar, personas):
    """Kavenegar is asked by local id what it holds: the interrupted send is recorded as
    sent with its id, not sent again."""
    contact = ContactFactory(owner=personas.owner, phones=["+989121234567"])
    message = sms_to(contact, personas)
    assert outbox.claim(limit=10, sms_resend_safe=True) == [message.pk]
    from peyvand.messaging.gateways import get_sms_gateway

    gateway = get_sms_gateway()
    sent = gateway.send(to=message.to, body=message.body, sender="", local_id=message.local_id)
    gateway.close()  # …and the worker dies here, before writing "sent".

    # Claimed outside a worker: nothing says it is dead until the claim timeout.
    assert outbox.recover_stale() == (0, 0, 0)
    later = timezone.now() + outbox.claim_timeout() + datetime.timedelta(seconds=1)
    assert outbox.recover_stale(now=later) == (0, 0, 1)
    outbox.deliver_due()

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.provider_id == sent.provider_id
    assert len(kavenegar.received) == 1
    assert kavenegar.repeats == []  # not even offered again


@worker_test
def test_an_interrupted_send_without_a_local_id_becomes_unknown_not_resent(smsir, personas):
    contact = ContactFactory(owner=personas.owner, phones=["+989121234567"])
    message = sms_to(contact, personas)
    outbox.claim(limit=10, sms_resend_safe=False)
    later = timezone.now() + outbox.claim_timeout() + datetime.timedelta(seconds=1)
    assert outbox.recover_stale(now=later) == (0, 1, 0)
    outbox.deliver_due()
    message.refresh_from_db()
    assert message.status == Message.Status.UNKNOWN
    assert "خودکار تکرار نمی‌شود" in message.last_error
    assert smsir.received == []
    # A person decides: sent again under a new local id.
    services.message_retry(message=message, by=personas.owner)
    outbox.deliver_due()
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert len(smsir.received) == 1


@worker_test
def test_an_email_reaches_a_real_smtp_server_right_to_left_with_a_text_part(smtp_server, personas):
    contact = ContactFactory(owner=personas.owner, name="نگار صادقی", email="Negar@Example.com")
    message = services.message_to_contact(
        contact=contact,
        channel=Channel.EMAIL,
        subject="پیش‌فاکتور {نام}",
        body="{نام} گرامی،\nپیش‌فاکتور پیوست است.",
        by=personas.owner,
    )
    services.message_queue(
        channel=Channel.EMAIL,
        to="negar@example.com",
        subject="با پیوست",
        body="فایل پیوست",
        by=personas.owner,
        attachments=[("پیش‌فاکتور.pdf", b"%PDF-1.4 quote", "application/pdf")],
    )

    run_worker()

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.backend == "smtp"
    assert len(smtp_server.messages) == 2
    mail_from, rcpt_tos, mail = smtp_server.messages[0]
    assert mail_from == "crm@peyvand.example"
    assert rcpt_tos == ["negar@example.com"]
    assert mail["Subject"] == "پیش‌فاکتور نگار صادقی"
    assert mail["Content-Language"] == "fa"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "نگار صادقی گرامی،" in text
    assert 'dir="rtl"' in html
    assert "Vazirmatn" in html
    assert "نگار صادقی گرامی،" in html
    _from, _to, with_file = smtp_server.messages[1]
    (attachment,) = list(with_file.iter_attachments())
    assert attachment.get_filename() == "پیش‌فاکتور.pdf"
    assert attachment.get_content() == b"%PDF-1.4 quote"


@worker_test
def test_opted_out_and_unreachable_contacts_are_skipped_and_counted(kavenegar, personas):
    group = ContactGroup.objects.create(name="مشتریان وفادار", owner=personas.owner)
    reachable = [
        ContactFactory(owner=personas.owner, phones=[f"+98912000000{i}"]) for i in range(3)
    ]
    opted = ContactFactory(owner=personas.owner, phones=["+989120000009"])
    no_mobile = ContactFactory(owner=personas.owner)
    hidden = ContactFactory(owner=personas.outsider, phones=["+989120000008"])  # not visible
    for contact in [*reachable, opted, no_mobile, hidden]:
        ContactGroupMember.objects.create(group=group, contact=contact)
    services.opt_out_set(address=opted.mobile, channel="sms", contact=opted, by=personas.owner)

    broadcast = services.broadcast_create(
        broadcast=Broadcast(
            channel=Channel.SMS,
            title="تبریک یلدا",
            target=Broadcast.Target.GROUP,
            group=group,
            body="{نام} عزیز، یلدا مبارک!",
        ),
        by=personas.owner,
    )
    run_worker()

    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.QUEUED
    assert (broadcast.queued_count, broadcast.opted_out_count, broadcast.no_address_count) == (
        3,
        1,
        1,
    )
    assert sorted(item["to"] for item in kavenegar.received) == [
        "09120000000",
        "09120000001",
        "09120000002",
    ]
    assert {item["body"] for item in kavenegar.received} == {
        f"{contact.name} عزیز، یلدا مبارک!" for contact in reachable
    }
    with pytest.raises(services.NotSendable):
        sms_to(opted, personas)


@worker_test
def test_a_broadcast_goes_to_kavenegar_in_array_calls_each_row_with_its_own_id(kavenegar, personas):
    group = ContactGroup.objects.create(name="همه مشتریان", owner=personas.owner)
    for n in range(250):
        contact = ContactFactory(owner=personas.owner, name=f"مشتری {n}", phones=[f"+98912{n:07d}"])
        ContactGroupMember.objects.create(group=group, contact=contact)
    services.broadcast_create(
        broadcast=Broadcast(
            channel=Channel.SMS,
            title="جشنواره",
            target=Broadcast.Target.GROUP,
            group=group,
            body="{نام} عزیز، جشنواره پاییزه از فردا.",
        ),
        by=personas.owner,
    )

    run_worker()

    # One sendarray call per claimed batch, not one call per message.
    assert kavenegar.calls["sms/sendarray"] == -(-250 // outbox.BATCH_SIZE)
    assert kavenegar.calls["sms/send"] == 0
    by_local_id = {item["local_id"]: item for item in kavenegar.received}
    rows = list(Message.objects.filter(broadcast__isnull=False))
    assert len(rows) == len(by_local_id) == 250
    for row in rows:
        got = by_local_id[row.local_id]
        assert row.status == Message.Status.SENT
        assert row.provider_id == got["provider_id"]
        assert got["to"] == "0" + row.to.removeprefix("+98")
        # Sent as the customer reads it (core.digits.localize_sms); stored as written.
        assert got["body"] == localize_sms(row.body)


@worker_test
def test_birthday_greetings_go_once_a_year_on_the_jalali_birthday(kavenegar, personas):
    today = timezone.localdate()
    born = to_jalali(today).replace(year=1375).togregorian()  # 1375: a leap year
    celebrating = ContactFactory(owner=personas.owner, birthday=born, phones=["+989121111111"])
    ContactFactory(
        owner=personas.owner, birthday=born + datetime.timedelta(days=2), phones=["+989122222222"]
    )
    template = MessageTemplate.objects.create(
        name="تولد", channel="sms", body="{نام} عزیز، تولدت مبارک!", created_by=personas.manager
    )
    config = MessagingSettings.load()
    config.birthday_enabled, config.birthday_template = True, template
    config.birthday_sender, config.birthday_hour = personas.manager, 0
    config.save()

    assert services.birthday_greetings() == 1
    assert services.birthday_greetings() == 0  # the beat runs it often; one greeting a year
    run_worker()
    assert [item["to"] for item in kavenegar.received] == ["09121111111"]
    assert kavenegar.received[0]["body"] == f"{celebrating.name} عزیز، تولدت مبارک!"


@worker_test
def test_the_api_key_never_reaches_the_logs(kavenegar, personas, caplog):
    caplog.set_level("DEBUG")
    caplog.set_level("DEBUG", logger="httpx")  # settings quiet it; the test listens to it
    contact = ContactFactory(owner=personas.owner, phones=["+989121234567"])
    kavenegar.fail_next(418)
    sms_to(contact, personas)
    run_worker()
    assert caplog.records  # the worker did log
    assert API_KEY not in caplog.text


@worker_test
def test_an_opt_out_after_queueing_cancels_the_message_before_it_goes(kavenegar, personas):
    contact = ContactFactory(owner=personas.owner, phones=["+989121234567"])
    later = sms_to(contact, personas, scheduled_at=timezone.now() + datetime.timedelta(days=3))
    soon = sms_to(contact, personas)
    # Recorded straight in the table (as an import or the API might), so only the
    # worker's own check stands between the message and the provider.
    from peyvand.messaging.models import OptOut

    OptOut.objects.create(address=contact.mobile, channel="sms")
    outbox.deliver_due()
    soon.refresh_from_db()
    assert soon.status == Message.Status.CANCELLED
    assert "انصراف" in soon.last_error
    # The page's opt-out also cancels what is still waiting.
    services.opt_out_set(address=contact.mobile, channel="sms", contact=contact, by=personas.owner)
    later.refresh_from_db()
    assert later.status == Message.Status.CANCELLED
    assert kavenegar.received == []


@worker_test
def test_a_lost_answer_from_a_provider_without_local_ids_is_not_sent_again(
    smsir, personas, settings
):
    """SMS.ir took the message but its answer came after our timeout: resending could
    send it twice, so it waits for a person as "unknown"."""
    settings.SMS_TIMEOUT = 0.3
    smsir.delay = 0.6
    contact = ContactFactory(owner=personas.owner, phones=["+989121234567"])
    message = sms_to(contact, personas)
    outbox.deliver_due()
    message.refresh_from_db()
    assert message.status == Message.Status.UNKNOWN
    assert message.error_code == "timeout"
    assert message.backend == "smsir"
    smsir.delay = 0
    outbox.deliver_due()
    assert len(smsir.received) == 1


@worker_test
def test_a_lost_answer_from_kavenegar_is_asked_about_not_sent_again(kavenegar, personas, settings):
    settings.SMS_TIMEOUT = 0.3
    kavenegar.delay = 0.6
    contact = ContactFactory(owner=personas.owner, phones=["+989121234567"])
    message = sms_to(contact, personas)
    outbox.deliver_due()
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED  # retried later under the same localid
    assert message.maybe_sent_at is not None
    kavenegar.delay = 0
    settings.SMS_TIMEOUT = 10  # the retry must not depend on a 0.3 s answer
    Message.objects.filter(pk=message.pk).update(scheduled_at=timezone.now())
    outbox.deliver_due()
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.provider_id == str(kavenegar.received[0]["provider_id"])
    assert message.maybe_sent_at is None
    assert len(kavenegar.received) == 1
    assert kavenegar.repeats == []  # asked by local id first, so not even offered again
    assert kavenegar.calls["sms/statuslocalmessageid"] == 1


def test_an_email_subject_must_be_one_line(personas):
    with pytest.raises(services.NotSendable, match="یک خط"):
        services.message_queue(
            channel=Channel.EMAIL, to="a@example.com", subject="سلام\nBcc: x@y.z", body="متن",
            by=personas.owner,
        )  # fmt: skip


def test_delivery_reports_are_asked_first_for_messages_never_asked(
    kavenegar, personas, monkeypatch
):
    now = timezone.now()
    asked = [
        Message.objects.create(
            channel="sms",
            to="+989121234567",
            body="x",
            owner=personas.owner,
            status="sent",
            backend="kavenegar",
            provider_id=str(n),
            sent_at=now,
            checked_at=now - datetime.timedelta(hours=1),
        )
        for n in range(3)
    ]
    never = Message.objects.create(
        channel="sms", to="+989121234567", body="x", owner=personas.owner, status="sent",
        backend="kavenegar", provider_id="99", sent_at=now,
    )  # fmt: skip
    monkeypatch.setattr(outbox, "POLL_BATCH", 1)
    outbox.poll_deliveries()
    never.refresh_from_db()
    assert never.checked_at is not None
    assert all(m.checked_at == Message.objects.get(pk=m.pk).checked_at for m in asked)


@pytest.mark.parametrize(
    ("born", "today"),
    [
        ("1940-03-21", "2026-03-21"),  # 1 Farvardin 1319 → 1 Farvardin 1405
        ("1996-02-29", "2027-03-01"),  # 10 Esfand 1374 → 10 Esfand 1405
        ("1961-12-22", "2026-12-22"),  # 1 Dey 1340 → 1 Dey 1405
    ],
)
def test_birthdays_follow_the_jalali_date_whatever_the_year(personas, born, today):
    born_on = datetime.date.fromisoformat(born)
    day = datetime.date.fromisoformat(today)
    contact = ContactFactory(owner=personas.owner, birthday=born_on)
    expected = (to_jalali(born_on).month, to_jalali(born_on).day)
    assert (to_jalali(day).month, to_jalali(day).day) == expected  # the case is right
    assert list(services.birthdays_on(day)) == [contact]
    assert list(services.birthdays_on(day + datetime.timedelta(days=1))) == []
