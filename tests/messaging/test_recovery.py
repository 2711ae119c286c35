"""Taking back what an interrupted send left: a provider that took a message and died
before answering (and forgot the local ids it drops repeats by), a worker that died
holding a claim. Exactly once holds because the outbox asks the provider by local id
(Kavenegar's sms/statuslocalmessageid) instead of trusting its repeat-dropping alone."""

import datetime
import select
import subprocess
import sys
import time

import httpx
import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from peyvand.core import workers
from peyvand.core.models import WorkerHeartbeat
from peyvand.core.scheduler import beat
from peyvand.messaging import outbox
from peyvand.messaging.fake_providers import FakeKavenegar
from peyvand.messaging.gateways import Delivery, GatewayError, Outgoing, get_sms_gateway
from peyvand.messaging.models import Channel, Message
from peyvand.messaging.tasks import deliver, recover
from tests.messaging.fixtures import API_KEY, ROOT, free_port, run_worker, send_through

worker_test = pytest.mark.django_db(transaction=True)


@pytest.fixture
def kavenegar_with_state(settings, tmp_path):
    """A fake Kavenegar that keeps what it sent in a state file, as the real one keeps
    its outbox: restart() forgets the rest (the local ids it drops repeats by)."""
    with FakeKavenegar(api_key=API_KEY, state=tmp_path / "kavenegar.json") as fake:
        send_through(settings, fake, "10004346")
        yield fake


def queue_sms(owner, count: int = 1) -> list[Message]:
    return [
        Message.objects.create(
            channel=Channel.SMS, to=f"+98912000{n:04d}", body=f"پیام {n}", owner=owner
        )
        for n in range(count)
    ]


@worker_test
def test_a_provider_that_dies_before_answering_and_forgets_local_ids_sends_once(
    kavenegar_with_state, personas
):
    fake = kavenegar_with_state
    (message,) = queue_sms(personas.owner)
    fake.crash_next()  # takes the message, then the connection drops unanswered

    outbox.deliver_due()

    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED  # a lost answer: tried again later
    assert message.maybe_sent_at is not None
    assert [r["local_id"] for r in fake.received] == [message.local_id]

    fake.restart()  # same port, same state file; the repeat-dropping index is gone
    Message.objects.filter(pk=message.pk).update(scheduled_at=timezone.now())  # backoff over
    outbox.deliver_due()

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert [r["local_id"] for r in fake.received] == [message.local_id]  # once, to the phone
    assert fake.duplicates() == []
    assert message.provider_id == str(fake.received[0]["provider_id"])
    assert message.maybe_sent_at is None


@worker_test
def test_the_restarted_fake_does_send_a_repeated_local_id_again(kavenegar_with_state):
    """What the test above guards against: after a restart Kavenegar's fake no longer
    drops a repeat, and only sms/statuslocalmessageid still knows the first send."""
    fake = kavenegar_with_state
    one = Outgoing(to="+989121234567", body="سلام", sender="", local_id="7000")
    with get_sms_gateway() as gateway:
        first = gateway.send(to=one.to, body=one.body, sender="", local_id=one.local_id)
        fake.restart()
        gateway.send(to=one.to, body=one.body, sender="", local_id=one.local_id)
        found = gateway.sent_local_ids(["7000", "7001"])

    assert fake.duplicates() == ["7000"]
    assert found == {"7000": found["7000"]}
    assert found["7000"].provider_id == first.provider_id
    assert found["7000"].delivery == Delivery.SENT


@worker_test
def test_a_provider_that_cannot_say_keeps_the_message_waiting(kavenegar_with_state, personas):
    fake = kavenegar_with_state
    (message,) = queue_sms(personas.owner)
    fake.crash_next()
    outbox.deliver_due()
    fake.stop()  # the provider is away: it cannot say whether it holds the message
    Message.objects.filter(pk=message.pk).update(scheduled_at=timezone.now())

    outbox.deliver_due()

    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED
    assert message.maybe_sent_at is not None  # still to be asked before any resend
    assert message.attempts == 2
    assert message.error_code == "network"

    fake.restart()
    Message.objects.filter(pk=message.pk).update(scheduled_at=timezone.now())
    outbox.deliver_due()
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert len(fake.received) == 1


def _heartbeat(worker_id: str, *, seconds_ago: float) -> None:
    WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        host="test",
        pid=1,
        beat_at=timezone.now() - datetime.timedelta(seconds=seconds_ago),
    )


def _claimed_by(worker_id: str, messages: list[Message]) -> None:
    """A worker's claim, as ``claim()`` in that worker stamps it."""
    Message.objects.filter(pk__in=[m.pk for m in messages]).update(
        status=Message.Status.SENDING,
        claimed_at=timezone.now(),
        claimed_by=worker_id,
        attempts=1,
        resend_safe=True,
    )


@worker_test
def test_a_dead_workers_claims_are_taken_back_at_once_asking_the_provider(
    kavenegar_with_state, personas, settings
):
    fake = kavenegar_with_state
    settings.WORKER_HEARTBEAT_SECONDS = 10
    _heartbeat("dead", seconds_ago=30)
    _heartbeat("alive", seconds_ago=1)
    taken, untaken, other = queue_sms(personas.owner, 3)
    _claimed_by("dead", [taken, untaken])
    _claimed_by("alive", [other])
    with get_sms_gateway() as gateway:  # the dead worker got one of its two out
        sent = gateway.send(to=taken.to, body=taken.body, sender="", local_id=taken.local_id)

    assert outbox.recover_stale() == (1, 0, 1)  # now, not after the claim timeout

    taken.refresh_from_db()
    untaken.refresh_from_db()
    other.refresh_from_db()
    assert (taken.status, taken.provider_id) == (Message.Status.SENT, sent.provider_id)
    assert untaken.status == Message.Status.QUEUED
    assert other.status == Message.Status.SENDING  # a live worker's: left to it
    outbox.deliver_due()
    assert sorted(r["local_id"] for r in fake.received) == sorted(
        [taken.local_id, untaken.local_id]
    )
    assert fake.repeats == []


@worker_test
def test_a_dead_claim_waits_while_the_provider_cannot_be_asked(kavenegar_with_state, personas):
    fake = kavenegar_with_state
    _heartbeat("dead", seconds_ago=60)
    (message,) = queue_sms(personas.owner)
    _claimed_by("dead", [message])
    fake.stop()  # the provider is away: nothing is resent or given up on its silence

    assert outbox.recover_stale() == (0, 0, 0)
    message.refresh_from_db()
    assert message.status == Message.Status.SENDING

    fake.restart()
    assert outbox.recover_stale() == (1, 0, 0)


@worker_test
def test_a_worker_that_has_not_beaten_since_an_outage_takes_only_expired_claims(
    kavenegar_with_state, personas, monkeypatch, settings
):
    """After a database outage every worker looks dead until it beats again; the one
    running recovery cannot tell a dead worker from a late one until its own beats have
    been steady for a whole WORKER_HEARTBEAT_SECONDS (the others' turn to beat)."""
    _heartbeat("late", seconds_ago=60)
    _heartbeat("me", seconds_ago=60)
    (message,) = queue_sms(personas.owner)
    _claimed_by("late", [message])
    monkeypatch.setattr(workers, "current_worker_id", "me")

    assert outbox.recover_stale() == (0, 0, 0)
    workers.heartbeat("me")
    assert outbox.recover_stale() == (0, 0, 0)  # one beat after the outage: not yet
    steady_for = settings.WORKER_HEARTBEAT_SECONDS + 1
    monkeypatch.setattr(workers._Pulse, "steady_since", time.monotonic() - steady_for)
    assert outbox.recover_stale() == (1, 0, 0)


@worker_test
def test_a_dead_workers_email_becomes_unknown_at_once(personas, settings):
    settings.WORKER_HEARTBEAT_SECONDS = 10
    _heartbeat("dead", seconds_ago=30)
    mail = Message.objects.create(
        channel=Channel.EMAIL, to="a@example.com", subject="s", body="b", owner=personas.owner
    )
    _claimed_by("dead", [mail])
    Message.objects.filter(pk=mail.pk).update(resend_safe=False)

    assert outbox.recover_stale() == (0, 1, 0)
    mail.refresh_from_db()
    assert mail.status == Message.Status.UNKNOWN


def test_the_claim_timeout_follows_the_providers_timeouts(settings):
    settings.SMS_TIMEOUT = 2.0
    settings.EMAIL_TIMEOUT = 5
    # A batch at the slower provider's timeout per send fits in half of it.
    assert outbox.claim_timeout() == datetime.timedelta(seconds=2 * outbox.BATCH_SIZE * 5)
    settings.SMS_TIMEOUT = 30.0
    assert outbox.claim_timeout() == datetime.timedelta(seconds=2 * outbox.BATCH_SIZE * 30)
    settings.SMS_TIMEOUT, settings.EMAIL_TIMEOUT = 1.0, 1
    assert outbox.claim_timeout() == datetime.timedelta(seconds=200)  # not 15 minutes


@worker_test
def test_a_claim_of_no_worker_is_taken_back_after_the_claim_timeout(
    kavenegar_with_state, personas, settings
):
    settings.SMS_TIMEOUT, settings.EMAIL_TIMEOUT = 1.0, 1
    (message,) = queue_sms(personas.owner)
    assert outbox.claim(limit=1, sms_resend_safe=True) == [message.pk]
    claimed_at = Message.objects.get(pk=message.pk).claimed_at

    just_before = claimed_at + outbox.claim_timeout() - datetime.timedelta(seconds=1)
    assert outbox.recover_stale(now=just_before) == (0, 0, 0)
    just_after = claimed_at + outbox.claim_timeout() + datetime.timedelta(seconds=1)
    assert outbox.recover_stale(now=just_after) == (1, 0, 0)


@worker_test
def test_recovery_runs_before_the_delivery_tasks_already_queued(personas):
    for _ in range(30):
        deliver.enqueue()
    assert "messaging.recover" in beat()  # the scheduler's own way of enqueueing it

    run_worker()

    rows = DBTaskResult.objects.order_by("started_at", "id")
    order = [row.task_path for row in rows]
    assert order[0] == recover.module_path
    assert order.count(deliver.module_path) == 30


# The fake as a process that crashes and restarts ---------------------------------------


def _start_fake(port: int, state, *extra: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "peyvand.messaging.fake_providers", "kavenegar"]
    command += ["--port", str(port), "--api-key", API_KEY, "--state", str(state), *extra]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)  # noqa: S603
    ready, _, _ = select.select([process.stdout], [], [], 15)
    assert ready, "the fake did not say READY within 15 s"
    assert process.stdout.readline().split()[0] == "READY"
    return process


def test_the_fake_process_dies_unanswered_and_remembers_after_a_restart(settings, tmp_path):
    port, state = free_port(), tmp_path / "kavenegar.json"
    settings.SMS_BACKEND = "kavenegar"
    settings.SMS_API_KEY = API_KEY
    settings.SMS_BASE_URL = f"http://127.0.0.1:{port}"
    settings.SMS_TIMEOUT = 5.0

    first = _start_fake(port, state, "--crash-next")
    with get_sms_gateway() as gateway, pytest.raises(GatewayError) as lost:
        gateway.send(to="+989121234567", body="سلام", sender="", local_id="9000")
    assert lost.value.maybe_sent  # no answer after the request went out
    assert first.wait(timeout=10) != 0  # the process died
    first.stdout.close()

    second = _start_fake(port, state)
    try:
        with get_sms_gateway() as gateway:
            assert set(gateway.sent_local_ids(["9000", "9001"])) == {"9000"}
            gateway.send(to="+989121234567", body="سلام", sender="", local_id="9000")
        with httpx.Client(base_url=settings.SMS_BASE_URL, timeout=5) as client:
            counts = client.get("/_fake/count").json()
    finally:
        second.terminate()
        second.wait(timeout=10)
        second.stdout.close()
    # The repeat went to the phone: the restarted process had forgotten the local id.
    assert counts == {"count": 2, "repeats": 0, "duplicates": 1}


@worker_test
def test_a_lost_answer_too_old_to_ask_about_waits_for_a_person(kavenegar_with_state, personas):
    """Kavenegar finds a local id for 12 hours only: past that (SMS held through the
    quiet hours after a lost answer) its silence proves nothing, so nothing is resent."""
    fake = kavenegar_with_state
    (message,) = queue_sms(personas.owner)
    Message.objects.filter(pk=message.pk).update(
        maybe_sent_at=timezone.now() - datetime.timedelta(hours=12)
    )

    outbox.deliver_due()

    message.refresh_from_db()
    assert message.status == Message.Status.UNKNOWN
    assert message.error_code == "unanswered"
    assert "نمی‌توان از آن پرسید" in message.last_error
    assert fake.received == []
    assert fake.calls["sms/statuslocalmessageid"] == 0
