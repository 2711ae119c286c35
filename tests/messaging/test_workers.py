"""Several real worker processes against PostgreSQL and a fake Kavenegar: every message
reaches the provider exactly once, even when a worker is killed mid-batch."""

import signal
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from peyvand.core.bulk import bulk_insert
from peyvand.messaging.models import Message
from peyvand.messaging.tasks import deliver
from tests.messaging.fixtures import worker_process

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def queue(count: int, owner) -> list[int]:
    return bulk_insert(
        Message,
        [
            {"channel": "sms", "to": f"+98912{n:07d}", "body": f"پیام {n}", "owner_id": owner.pk}
            for n in range(count)
        ],
    )


def test_two_workers_send_1000_messages_each_exactly_once(kavenegar, personas):
    assert django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    ids = queue(1000, personas.owner)
    # A message a call, 10 ms each: one worker alone would need ~10 s, longer than one
    # can start after the other on a busy machine, so both surely send a part.
    kavenegar.delay = 0.01
    for _ in range(4):
        deliver.enqueue()
    workers = [worker_process(kavenegar, "--batch") for _ in range(2)]
    for process in workers:
        _out, errors = process.communicate(timeout=180)
        assert process.returncode == 0, errors.decode()[-2000:]

    local_ids = [item["local_id"] for item in kavenegar.received]
    assert len(local_ids) == 1000
    assert set(local_ids) == {str(pk * 1000) for pk in ids}
    assert kavenegar.repeats == []  # nothing was even offered twice
    assert Message.objects.filter(status=Message.Status.SENT).count() == 1000
    from django_tasks_db.models import DBTaskResult

    handled = [r.return_value for r in DBTaskResult.objects.all() if r.return_value]
    assert sum(handled) == 1000
    assert len(handled) >= 2, "both workers should have sent part of the batch"


def test_a_worker_killed_mid_batch_is_taken_over_within_seconds_exactly_once(
    kavenegar, personas, settings
):
    settings.WORKER_HEARTBEAT_SECONDS = 3  # dead after 3 s without a beat (10 s in production)
    beat = {"WORKER_HEARTBEAT_SECONDS": "3"}
    ids = queue(300, personas.owner)
    # The fake records a call's messages, then waits before answering: the kill lands
    # after Kavenegar took a batch and before the worker recorded it.
    kavenegar.delay = 0.5
    deliver.enqueue()
    doomed = worker_process(kavenegar, **beat)
    deadline = time.monotonic() + 60
    while kavenegar.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    doomed.send_signal(signal.SIGKILL)
    doomed.communicate(timeout=10)
    killed_at = time.monotonic()
    assert 0 < kavenegar.count() < 300
    in_flight = Message.objects.filter(status=Message.Status.SENDING).count()
    assert in_flight > 0  # the killed worker's claimed batch
    kavenegar.delay = 0

    survivor = worker_process(kavenegar, **beat)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (
            Message.objects.filter(status=Message.Status.SENDING).exists()
        ):
            time.sleep(0.1)
        taken_back_after = time.monotonic() - killed_at
        while time.monotonic() < deadline and (
            Message.objects.exclude(status=Message.Status.SENT).exists()
        ):
            time.sleep(0.1)
    finally:
        survivor.terminate()
        _out, errors = survivor.communicate(timeout=30)

    print(f"claims of the killed worker taken back {taken_back_after:.1f} s after the kill")
    assert taken_back_after < 30, errors.decode()[-2000:]  # not the claim timeout
    assert not Message.objects.filter(status=Message.Status.SENDING).exists()
    assert Message.objects.filter(status=Message.Status.SENT).count() == 300
    local_ids = [item["local_id"] for item in kavenegar.received]
    assert sorted(local_ids) == sorted(str(pk * 1000) for pk in ids)  # each exactly once
    # Kavenegar was asked what it held of the lost batch: nothing was even offered again.
    assert kavenegar.repeats == []
    assert kavenegar.calls["sms/statuslocalmessageid"] >= 1
