"""Real servers and connections for the tests that break them (issue 22): free ports,
waiting with a deadline, a TCP relay that can cut a connection, a private redis-server.
The fault suite (tests/faults) and the fault tests under tests/core share these."""

import contextlib
import grp
import imaplib
import os
import pwd
import secrets
import select
import shutil
import signal
import socket
import subprocess
import tempfile
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


class DovecotServer:
    """Debian's Dovecot (/usr/sbin/dovecot, package dovecot-imapd) on a free loopback
    port, in a private directory: any user name with ``password``, Maildir mail, no TLS
    (loopback only). Tests deliver mail the way a mail server does, by
    IMAP APPEND (``deliver``), and read what a mailbox holds with ``imaplib``."""

    BINARY = "/usr/sbin/dovecot"

    def __init__(self):
        self.port = free_port()
        # A short path: the auth sockets' names must fit in a unix socket address.
        self.root = tempfile.mkdtemp(prefix="dc", dir="/tmp")
        # Every user name signs in with this password (a static passdb): each test
        # takes a user of its own, and nothing has to be reloaded for it.
        self.password = secrets.token_hex(8)
        self.process: subprocess.Popen | None = None

    def _config(self) -> str:
        root = self.root
        if os.geteuid() == 0:
            # Dovecot reads mail as an unprivileged user and runs its login processes
            # as dovenull: the Debian package's own users.
            mail_user = pwd.getpwnam("nobody")
            uid, gid = mail_user.pw_uid, mail_user.pw_gid
            privileges = ""
        else:
            uid, gid = os.getuid(), os.getgid()
            user, group = pwd.getpwuid(uid).pw_name, grp.getgrgid(gid).gr_name
            privileges = (
                f"default_internal_user = {user}\ndefault_login_user = {user}\n"
                f"default_internal_group = {group}\n"
                "service imap-login {\n  chroot =\n}\nservice anvil {\n  chroot =\n}\n"
            )
        self.mail_owner = (uid, gid)
        return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_failure_delay = 0
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:~/Maildir
# IDLE tells of new mail within a second (inotify may be missing in a container).
mailbox_idle_check_interval = 1 secs
passdb {{
  driver = static
  args = password={self.password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
{privileges}"""

    def start(self) -> None:
        for folder in ("run", "state", "home"):
            os.makedirs(os.path.join(self.root, folder), exist_ok=True)
        config = os.path.join(self.root, "dovecot.conf")
        with open(config, "w") as handle:
            handle.write(self._config())
        # The mail user (nobody, when the tests run as root) must reach its home.
        os.chmod(self.root, 0o755)  # noqa: S103 - a throwaway test directory
        os.chown(os.path.join(self.root, "home"), *self.mail_owner)
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            [self.BINARY, "-F", "-c", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for(self.answers, "Dovecot to answer", seconds=20)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as probe:
                return probe.recv(64).startswith(b"* OK")
        except OSError:
            return False

    def client(self, user: str) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(user, self.password)
        return client

    def deliver(self, user: str, raw: bytes, folder: str = "INBOX") -> int:
        """Puts one email into a user's folder as a mail server would; returns its UID."""
        client = self.client(user)
        try:
            status, answer = client.append(folder, "", None, raw)
            assert status == "OK", answer
            # [APPENDUID <uidvalidity> <uid>] (RFC 4315)
            return int(answer[0].split(b"APPENDUID ")[1].split(b"]")[0].split()[1])
        finally:
            client.logout()

    def log(self) -> str:
        try:
            with open(os.path.join(self.root, "dovecot.log")) as handle:
                return handle.read()
        except FileNotFoundError:
            return ""

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)
