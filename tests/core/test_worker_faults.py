"""The task worker rides out a lost database (issue 22, point 1): a real worker process
reaches PostgreSQL through a TCP relay on loopback that the test cuts and restores —
connections dropped mid-conversation, new ones closed at once — while SMS keep being
queued. Before, the first OperationalError outside a task ended the process."""

import contextlib
import select
import signal
import socket
import threading
import time

import pytest
from django.db import connection

from peyvand.messaging.models import Message
from peyvand.messaging.tasks import deliver
from tests.messaging.fixtures import worker_process

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class Relay:
    """127.0.0.1:<port> → the test's PostgreSQL, with a switch. While cut, every live
    connection is closed and new ones are closed as soon as they arrive (counted, so the
    test knows the worker kept trying)."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.cut_off = False
        self.refused = 0
        self.live: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            with self.lock:
                if self.cut_off:
                    self.refused += 1
                    client.close()
                    continue
                upstream = socket.create_connection(self.target)
                self.live += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    def _pipe(self, one: socket.socket, other: socket.socket) -> None:
        try:
            while True:
                ready, _w, _x = select.select([one, other], [], [], 1.0)
                for source in ready:
                    data = source.recv(65536)
                    if not data:
                        return
                    (other if source is one else one).sendall(data)
        except OSError:
            return
        finally:
            one.close()
            other.close()

    def cut(self) -> None:
        with self.lock:
            self.cut_off = True
            for sock in self.live:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self.live = []

    def restore(self) -> None:
        with self.lock:
            self.cut_off = False

    def close(self) -> None:
        self.cut()
        self.listener.close()


def wait_for(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


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
