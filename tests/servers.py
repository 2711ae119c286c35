"""Real servers and connections for the tests that break them (issue 22): free ports,
waiting with a deadline, a TCP relay that can cut a connection, a private redis-server.
The fault suite (tests/faults) and the fault tests under tests/core share these."""

import contextlib
import os
import secrets
import select
import signal
import socket
import subprocess
import threading
import time

import redis


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, seconds: float, step: float = 0.05):
    """Polls ``condition`` until it holds or ``seconds`` pass; returns its last value."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return condition()


def wait_for(condition, what: str, seconds: float = 60) -> None:
    """Like wait_until, failing the test with ``what`` when the time is up."""
    assert wait_until(condition, seconds), f"timed out waiting for {what}"


class Relay:
    """127.0.0.1:<port> → a server (the test's PostgreSQL, a Redis), with a switch. While
    cut, every live connection is closed and new ones are closed as soon as they arrive
    (counted, so the test knows its client kept trying)."""

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
        except (OSError, ValueError):
            # cut() closed the sockets under this thread: select() then finds a closed
            # one (fd -1, ValueError) or recv/send a reset one (OSError), by timing.
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


class RedisServer:
    """/usr/bin/redis-server on a free loopback port, without persistence: stopping it
    loses its data, as a restarted production Redis without a disk may."""

    def __init__(self):
        self.port = free_port()
        self.password = secrets.token_hex(8)  # to see that no log line shows it
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            [
                "/usr/bin/redis-server",
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--requirepass", self.password,
                "--save", "",
                "--appendonly", "no",
                "--daemonize", "no",
            ],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(self.answers, "redis-server to answer", seconds=10)

    def answers(self) -> bool:
        try:
            return self.direct().ping()
        except redis.exceptions.ConnectionError:
            return False

    def direct(self) -> redis.Redis:
        return redis.Redis(port=self.port, password=self.password, socket_timeout=2)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def hang(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)

    def wake(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def close(self) -> None:
        if self.process.poll() is None:
            self.wake()
            self.stop()
