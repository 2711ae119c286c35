"""Real parts for the messaging tests: fake Kavenegar and SMS.ir servers on loopback
(the real gateways talk HTTP to them), a real SMTP server (aiosmtpd) on loopback, and
the real worker command, and Debian's Dovecot as the company's IMAP server."""

import email
import email.policy
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.db import connection

from peyvand.messaging.fake_providers import FakeKavenegar, FakeSmsIr
from tests.servers import DovecotServer, free_port

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "4F6B2D7A1C9E3B5D8A0F2E4C6B8D0A1F3E5C7B9D"  # looks like a real key: must never leak


def send_through(settings, fake, sender: str) -> None:
    """Points the SMS settings at ``fake``, as an installation's environment would."""
    settings.SMS_BACKEND = fake.provider
    settings.SMS_API_KEY = API_KEY
    settings.SMS_BASE_URL = fake.base_url
    settings.SMS_SENDER = sender
    settings.SMS_TIMEOUT = 2.0


@pytest.fixture
def kavenegar(settings):
    with FakeKavenegar(api_key=API_KEY) as fake:
        send_through(settings, fake, "10004346")
        yield fake


@pytest.fixture
def smsir(settings):
    with FakeSmsIr(api_key=API_KEY) as fake:
        send_through(settings, fake, "30007732000001")
        yield fake


@dataclass
class Mailbox:
    messages: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback; Django's SMTP backend sends to it."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.DEFAULT_FROM_EMAIL = "crm@peyvand.example"
    yield mailbox
    controller.stop()


def run_worker() -> None:
    """The real worker command, until the queue is empty (no beat: tests say when)."""
    call_command("worker", batch=True, beat_interval=0, no_startup_delay=True, verbosity=0)


def worker_process(fake, *extra: str, **env: str) -> subprocess.Popen:
    """``manage.py worker`` in its own process, on this test's PostgreSQL database, sending
    SMS to ``fake`` (Kavenegar); ``env`` adds settings (EMAIL_PORT…), ``extra`` options."""
    db = connection.settings_dict
    env = {
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "SMS_BACKEND": "kavenegar",
        "SMS_API_KEY": API_KEY,
        "SMS_BASE_URL": fake.base_url,
        "SMS_TIMEOUT": "5",
        "DEBUG": "0",
    } | env
    command = [sys.executable, "manage.py", "worker", "--no-reload", "--no-startup-delay"]
    return subprocess.Popen(  # noqa: S603 - our own command line
        [*command, "--beat-interval", "0", "-v", "0", *extra],
        cwd=ROOT,
        env=os.environ | env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _start_dovecot() -> DovecotServer:
    if not os.path.exists(DovecotServer.BINARY):
        message = "Dovecot is not installed (apt-get install dovecot-imapd)"
        if os.environ.get("PEYVAND_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{message}; PEYVAND_REQUIRE_BROWSER=1 requires it")
        pytest.skip(message)
    server = DovecotServer()
    server.start()
    return server


@pytest.fixture(scope="session")
def dovecot():
    """Debian's Dovecot on loopback (tests.servers.DovecotServer), one per test process;
    each test gets its own user (``imap_user``), so tests never see each other's mail.
    Without the package (``apt-get install dovecot-imapd``) the tests that need it are
    skipped locally and fail in CI (PEYVAND_REQUIRE_BROWSER=1 requires every real part)."""
    server = _start_dovecot()
    yield server
    server.close()


@pytest.fixture
def dovecot_refusing():
    """A Dovecot of the test's own, for a test that signs in with a wrong password:
    Dovecot makes every later sign-in from that address wait (its auth penalty, up to
    15 s), which must not slow the tests that share the session's server."""
    server = _start_dovecot()
    yield server
    server.close()


@pytest.fixture
def imap_user(dovecot) -> str:
    return f"u{secrets.token_hex(6)}"
