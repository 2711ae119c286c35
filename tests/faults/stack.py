"""Peyvand as production runs it, on loopback, with parts the fault suite may break:
a PostgreSQL cluster of its own (initdb on a private port: it can be restarted and
stopped without touching the machine's server), a Redis of its own, the fake Kavenegar
as a process with a state file (so it can be stopped and started again), gunicorn with
gunicorn.conf.py (gthread), and ``manage.py worker`` under a supervisor that restarts it
when it exits, as the README's systemd unit does (Restart=always)."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psycopg

from tests.servers import RedisServer, free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "5A2C7E9B1D3F4A6C8E0B2D4F6A8C0E1B3D5F7A9C"
PASSWORD = "peyvand-fault-suite"


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class Postgres:
    """A cluster in ``folder``, run as the postgres user when we are root (initdb refuses
    root), trust authentication on 127.0.0.1:<port>."""

    def __init__(self):
        # Its own folder under /tmp: the postgres user cannot enter pytest's (root's, 0700).
        folder = Path(tempfile.mkdtemp(prefix="peyvand-faults-pg-"))
        self.folder = folder
        self.bindir = Path(
            subprocess.run(  # noqa: S603 - our own command line
                [shutil.which("pg_config") or "pg_config", "--bindir"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        )
        self.data = folder / "pgdata"
        self.log = folder / "postgres.log"
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(folder, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/peyvand"
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as session:
            session.execute("CREATE DATABASE peyvand")

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(  # noqa: S603 - our own command line
            [*self.as_postgres, str(self.bindir / tool), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def dsn(self, database: str = "peyvand") -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database}"

    def _ctl(self, *args: str) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", *args)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1"
        self._ctl("-o", options, "start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")

    def restart(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1"
        self._ctl("-m", "fast", "-o", options, "restart")

    def query(self, sql: str, *params):
        with psycopg.connect(self.dsn(), autocommit=True) as session:
            return session.execute(sql, params).fetchall()

    def lock(self, table: str, seconds: float) -> None:
        """Holds an ACCESS EXCLUSIVE lock on ``table`` for ``seconds`` (a long migration,
        a stuck report)."""
        with psycopg.connect(self.dsn()) as session:
            session.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
            time.sleep(seconds)
            session.rollback()

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._ctl("-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


class FakeKavenegar:
    """The fake provider as its own process; its state file keeps what it sent over a
    restart."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.state = folder / "kavenegar.json"
        self.log = folder / "kavenegar.log"
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.start()

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own command line
                [
                    *(sys.executable, "-m", "peyvand.messaging.fake_providers", "kavenegar"),
                    *("--port", str(self.port), "--api-key", API_KEY, "--state", str(self.state)),
                    # Each answer takes a moment, as over the internet: batches are in
                    # flight long enough for the suite to kill a worker during one.
                    *("--delay", "0.3"),
                ],
                cwd=ROOT,
                stdout=log,
                stderr=log,
            )
        assert wait_until(lambda: _listening(self.port), 20), "the fake did not start"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def received(self) -> list[dict]:
        return httpx.get(f"{self.base_url}/_fake/received", timeout=10).json()

    def close(self) -> None:
        if self.process and self.process.poll() is None:
            self.stop()


class Supervised:
    """A command restarted whenever it exits, after a second (systemd's Restart=always,
    RestartSec=1), until closed; ``starts`` counts its starts."""

    def __init__(self, command: list[str], env: dict, log: Path):
        self.command, self.env, self.log = command, env, log
        self.starts = 0
        self.process = None
        self.closing = False
        self.lock = threading.Lock()
        self._start()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own command line
                self.command, cwd=ROOT, env=self.env, stdout=log, stderr=log
            )
        self.starts += 1

    def _watch(self) -> None:
        while not self.closing:
            if self.process.poll() is not None:
                time.sleep(1)
                with self.lock:
                    if not self.closing:
                        self._start()
            time.sleep(0.1)

    def close(self) -> None:
        with self.lock:
            self.closing = True
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Stack:
    def __init__(self, folder: Path):
        self.folder = folder
        self.parts = []
        self.postgres = self._part(Postgres())
        self.redis = self._part(RedisServer())
        self.redis.start()
        self.kavenegar = self._part(FakeKavenegar(folder))
        self.web_port = free_port()
        self.base_url = f"http://127.0.0.1:{self.web_port}"
        self.env = os.environ | {
            "DATABASE_URL": self.postgres.url,
            "REDIS_URL": f"redis://:{self.redis.password}@127.0.0.1:{self.redis.port}/0",
            "SMS_BACKEND": "kavenegar",
            "SMS_API_KEY": API_KEY,
            "SMS_BASE_URL": self.kavenegar.base_url,
            "SMS_SENDER": "10004346",
            "SMS_TIMEOUT": "5",
            "WORKER_HEARTBEAT_SECONDS": "3",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "GUNICORN_BIND": f"127.0.0.1:{self.web_port}",
            "GUNICORN_WORKERS": "2",
            "LOG_LEVEL": "WARNING",
        }
        self.env.pop("PEYVAND_WEB", None)
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("shell", "-v", "0", "-c", SET_UP)
        self.web = None
        self.start_web()
        # Two task workers, as the README advises: one is killed mid-batch, the other
        # takes its claims back.
        self.workers = [
            self._part(
                Supervised(
                    [sys.executable, "manage.py", "worker", "--no-reload", "-v", "0"],
                    self.env,
                    folder / f"worker{number}.log",
                )
            )
            for number in (1, 2)
        ]

    def _part(self, part):
        self.parts.append(part)
        return part

    def manage(self, *args: str) -> None:
        subprocess.run(  # noqa: S603 - our own command line
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True
        )

    def start_web(self) -> None:
        with (self.folder / "gunicorn.log").open("a") as log:
            self.web = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=log,
            )
        assert wait_until(self.health_answers, 60), "gunicorn did not start"

    def health_answers(self) -> bool:
        try:
            return httpx.get(f"{self.base_url}/health/", timeout=5).status_code in (200, 503)
        except httpx.HTTPError:
            return False

    def unexpected_errors(self) -> list[str]:
        """The tracebacks in gunicorn's log whose error is not the database being away or
        giving up (those are the expected 503s): what a 500 came from."""
        log = (self.folder / "gunicorn.log").read_text(errors="replace")
        blocks = log.split("Traceback (most recent call last):")[1:]
        expected = ("OperationalError", "InterfaceError")
        return [
            block[-3000:]
            for block in blocks
            if not any(name in block.strip().splitlines()[-1] for name in expected)
        ]

    def web_workers(self) -> list[int]:
        """gunicorn's worker processes (the master's children)."""
        children = Path(f"/proc/{self.web.pid}/task/{self.web.pid}/children").read_text()
        return [int(pid) for pid in children.split()]

    def close(self) -> None:
        if self.web and self.web.poll() is None:
            self.web.send_signal(signal.SIGTERM)
            try:
                self.web.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.web.kill()
        for part in reversed(self.parts):
            with contextlib.suppress(Exception):
                part.close()


# The suite's users and settings: a manager for the API, a sales rep who browses; no
# quiet hours (the suite may run at night, Tehran time).
SET_UP = f"""
from django.contrib.auth.models import Group
from peyvand.accounts.models import User
from peyvand.accounts.roles import MANAGER, SALES
from peyvand.messaging.models import MessagingSettings
import datetime
for name, role in (("boss", MANAGER), ("rep", SALES)):
    user = User.objects.create_user(name, password={PASSWORD!r}, first_name=name)
    user.groups.add(Group.objects.get(name=role))
settings = MessagingSettings.load()
settings.quiet_start = settings.quiet_end = datetime.time(0, 0)
settings.save()
"""
