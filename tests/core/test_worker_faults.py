"""The task worker rides out a lost database (issue 22, point 1): a real worker process
reaches PostgreSQL through a TCP relay on loopback that the test cuts and restores —
connections dropped mid-conversation, new ones closed at once — while SMS keep being
queued. Before, the first OperationalError outside a task ended the process."""

import signal

import pytest
from django.db import connection

from peyvand.messaging.models import Message
from peyvand.messaging.tasks import deliver
from tests.messaging.fixtures import worker_process
from tests.servers import Relay, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_worker_rides_out_a_lost_database_and_sends_what_was_queued_meanwhile(
    kavenegar, personas
):
    db = connection.settings_dict
    relay = Relay(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    url = f"postgres://{db['USER']}@127.0.0.1:{relay.port}/{db['NAME']}"
    process = worker_process(kavenegar, "--interval", "0.2", DATABASE_URL=url)
    try:
        Message.objects.create(
            channel="sms", to="+989121110001", body="پیش از قطع", owner=personas.owner
        )
        deliver.enqueue()
        wait_for(lambda: kavenegar.count() == 1, "the first SMS")

        relay.cut()
        # The worker keeps trying (new connections refused) instead of exiting.
        wait_for(lambda: relay.refused >= 3 or process.poll() is not None, "the worker to retry")
        assert process.poll() is None, process.stderr.read().decode()[-2000:]
        Message.objects.create(
            channel="sms", to="+989121110002", body="در قطعی", owner=personas.owner
        )
        deliver.enqueue()

        relay.restore()
        wait_for(lambda: kavenegar.count() == 2 or process.poll() is not None, "the second SMS")
        assert process.poll() is None
        assert sorted(item["to"] for item in kavenegar.received) == ["09121110001", "09121110002"]
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=15)
        finally:
            relay.close()
    assert process.returncode == 0  # a signal still stops it, cleanly
