"""Several real worker processes against PostgreSQL and a fake Kavenegar: every message
reaches the provider exactly once, even when a worker is killed mid-batch."""

import datetime
import signal
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from peyvand.core.bulk import bulk_insert
from peyvand.messaging import outbox
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


def test_a_worker_killed_mid_batch_loses_nothing_and_double_sends_nothing(kavenegar, personas):
    ids = queue(300, personas.owner)
    # The fake records a call's messages, then waits before answering: the kill lands
    # after Kavenegar took a batch and before the worker recorded it.
    kavenegar.delay = 0.5
    deliver.enqueue()
    process = worker_process(kavenegar)
    deadline = time.monotonic() + 60
    while kavenegar.count() < 60 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)
    assert 60 <= kavenegar.count() < 300

    in_flight = Message.objects.filter(status=Message.Status.SENDING).count()
    assert in_flight > 0  # the killed worker's claimed batch
    # Nothing moves them until their claim has expired…
    assert outbox.recover_stale() == (0, 0)
    later = timezone.now() + outbox.CLAIM_TIMEOUT + datetime.timedelta(seconds=1)
    assert outbox.recover_stale(now=later) == (in_flight, 0)
    kavenegar.delay = 0
    outbox.deliver_due()

    assert Message.objects.filter(status=Message.Status.SENT).count() == 300
    local_ids = [item["local_id"] for item in kavenegar.received]
    assert sorted(local_ids) == sorted(str(pk * 1000) for pk in ids)
    # At most the batch on the wire when the worker died (one sendarray call) was
    # offered again, and Kavenegar dropped each message by its localid.
    assert len(kavenegar.repeats) <= outbox.BATCH_SIZE
