"""The SMS provider's and the mail server's settings pages (issue 28, point 6): secrets
encrypted, never shown back; «آزمایش اتصال» against the real parts (the fake Kavenegar
and SMS.ir over HTTP, a real SMTP server with a login on loopback) says in Persian what
failed; the environment's variables win over the pages."""

from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from django.db import connection
from django.urls import reverse

from peyvand.accounts.roles import MANAGER
from peyvand.messaging import outbox, services
from peyvand.messaging.fake_providers import FakeKavenegar, FakeSmsIr
from peyvand.messaging.gateways import sms_config
from peyvand.messaging.models import Channel, Message, SmsSettings, SmtpSettings
from tests.factories import UserFactory
from tests.messaging.fixtures import API_KEY
from tests.servers import free_port

PASSWORD = "S3cret-SMTP-pass"


@pytest.fixture
def manager(client, db):
    user = UserFactory(username="boss", role=MANAGER, email="boss@peyvand.example")
    client.force_login(user)
    return user


@pytest.fixture
def sms_from_the_page(settings):
    """No SMS_BACKEND in the environment: the page decides; SMS_BASE_URL still points the
    provider at its fake on loopback."""
    settings.SMS_BACKEND = ""
    settings.SMS_TIMEOUT = 2.0


def post(client, name: str, fields: dict) -> str:
    return client.post(reverse(name), fields, follow=True).content.decode()


def test_the_sms_page_keeps_the_key_secret_tests_it_and_sends_through_it(
    client, settings, manager, sms_from_the_page
):
    assert sms_config().backend == "console"  # nothing set anywhere: the test gateway
    with FakeKavenegar(api_key=API_KEY, credit=1234) as fake:
        settings.SMS_BASE_URL = fake.base_url
        fields = {"backend": "kavenegar", "api_key": API_KEY, "sender": "۱۰۰۰۴۳۴۶"}
        page = post(client, "messaging:sms_settings", fields | {"action": "test"})
        saved = SmsSettings.load()
        assert (saved.backend, saved.api_key, saved.sender) == ("kavenegar", API_KEY, "10004346")
        assert "کاوه‌نگار پاسخ داد" in page and "۱٬۲۳۴" in page
        assert API_KEY not in page and "ذخیره شده" in page
        assert fake.calls["account/info"] == 1
        # The encrypted column holds no key in the clear.
        with connection.cursor() as cursor:
            cursor.execute("SELECT api_key FROM messaging_smssettings")
            assert API_KEY not in cursor.fetchone()[0]

        # Saved again without typing it: kept. The worker sends through what was saved.
        post(client, "messaging:sms_settings", fields | {"api_key": ""})
        assert SmsSettings.load().api_key == API_KEY
        message = services.message_queue(
            channel=Channel.SMS, to="+989121234567", body="سلام", by=manager
        )
        outbox.deliver_due()
        message.refresh_from_db()
        assert message.status == Message.Status.SENT and message.backend == "kavenegar"
        assert fake.received[-1]["sender"] == "10004346"

        # A wrong key: told in Persian, never echoed.
        page = post(client, "messaging:sms_settings", fields | {"api_key": "WRONG-KEY-1234"})
        page = post(client, "messaging:sms_settings", fields | {"api_key": "", "action": "test"})
        assert "آزمایش اتصال ناموفق" in page and "کلید API سامانه پیامک نامعتبر است" in page
        assert "WRONG-KEY-1234" not in page


def test_the_sms_page_tests_smsir_and_explains_what_is_missing(
    client, settings, manager, sms_from_the_page
):
    with FakeSmsIr(api_key=API_KEY, credit=500) as fake:
        settings.SMS_BASE_URL = fake.base_url
        fields = {"backend": "smsir", "api_key": API_KEY, "sender": "30007732000001"}
        page = post(client, "messaging:sms_settings", fields | {"action": "test"})
        assert "اس‌ام‌اس‌دات‌آی‌آر پاسخ داد" in page and "۵۰۰" in page

    # A provider without its key or line, a line with letters: the form says so in
    # Persian and keeps what was typed.
    SmsSettings.objects.update(api_key="")
    page = post(client, "messaging:sms_settings", {"backend": "kavenegar", "sender": "خط-۱۲"})
    assert "کلید API سامانه پیامک را وارد کنید" in page
    assert "خط فرستنده فقط رقم است" in page and "خط-۱۲" in page
    assert SmsSettings.load().sender == "30007732000001"  # nothing saved

    # The test gateway: nothing to reach, and the page says what it does.
    page = post(client, "messaging:sms_settings", {"backend": "console", "action": "test"})
    assert "سامانه آزمایشی" in page and sms_config().backend == "console"


def test_the_environment_wins_over_the_sms_page(client, settings, manager):
    with FakeKavenegar(api_key=API_KEY) as fake:
        settings.SMS_BACKEND = "kavenegar"
        settings.SMS_API_KEY = API_KEY
        settings.SMS_SENDER = "10004346"
        settings.SMS_BASE_URL = fake.base_url
        SmsSettings.objects.create(pk=1, backend="smsir", api_key="from-the-page", sender="3000")
        page = client.get(reverse("messaging:sms_settings")).content.decode()
        assert "SMS_BACKEND" in page and "disabled" in page
        assert "from-the-page" not in page and API_KEY not in page

        page = post(client, "messaging:sms_settings", {"backend": "console", "action": "test"})
        assert "کاوه‌نگار پاسخ داد" in page  # the environment's provider was asked
        assert SmsSettings.load().backend == "smsir"  # and the page changed nothing
        assert sms_config().backend == "kavenegar" and sms_config().api_key == API_KEY


@dataclass
class LoginMailServer:
    """A real SMTP server on loopback that asks for a login (AUTH PLAIN/LOGIN, without
    TLS: loopback only) and keeps what it is given."""

    port: int = 0
    logins: list = field(default_factory=list)
    messages: list = field(default_factory=list)

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        self.logins.append(auth_data.login.decode())
        ok = auth_data.login == b"crm@peyvand.example" and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok, handled=False)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


@pytest.fixture
def mail_server(settings):
    settings.EMAIL_HOST = ""  # from the page, not the environment
    server = LoginMailServer(port=free_port())
    controller = Controller(
        server,
        hostname="127.0.0.1",
        port=server.port,
        authenticator=server.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    yield server
    controller.stop()


def test_the_mail_server_page_signs_in_sends_a_test_and_keeps_the_password(
    client, manager, mail_server
):
    fields = {
        "host": "127.0.0.1",
        "port": str(mail_server.port),
        "security": "none",
        "username": "crm@peyvand.example",
        "password": PASSWORD,
        "from_email": "crm@peyvand.example",
    }
    page = post(client, "messaging:smtp_settings", fields | {"action": "test"})
    assert "ایمیل آزمایشی به boss@peyvand.example فرستاده شد" in page
    assert mail_server.messages == [("crm@peyvand.example", ["boss@peyvand.example"])]
    assert PASSWORD not in page and "ذخیره شده" in page
    assert SmtpSettings.load().password == PASSWORD

    # Saved again without typing it: kept; the outbox sends through it, From the page's.
    post(client, "messaging:smtp_settings", fields | {"password": ""})
    assert SmtpSettings.load().password == PASSWORD
    message = services.message_queue(
        channel=Channel.EMAIL, to="negar@example.com", subject="سلام", body="متن", by=manager
    )
    outbox.deliver_due()
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert mail_server.messages[-1] == ("crm@peyvand.example", ["negar@example.com"])

    # What failed, in Persian, for each way a server setting can be wrong.
    wrong = {
        "password": (fields | {"password": "not-it"}, "نام کاربری یا رمز عبور را نپذیرفت"),
        "starttls": (fields | {"security": "starttls", "password": ""}, "پشتیبانی نمی‌کند"),
        "ssl": (fields | {"security": "ssl", "password": ""}, "اتصال امن (TLS)"),
        "port": (fields | {"port": str(free_port()), "password": ""}, "اتصال را نپذیرفت"),
        "host": (fields | {"host": "no-such-host.invalid", "password": ""}, "پیدا نشد"),
    }
    for name, (changed, reason) in wrong.items():
        page = post(client, "messaging:smtp_settings", changed | {"action": "test"})
        assert "آزمایش اتصال ناموفق" in page and reason in page, name
        assert "not-it" not in page and PASSWORD not in page, name


def test_a_mail_server_form_with_mistakes_keeps_what_was_typed(client, manager, settings):
    settings.EMAIL_HOST = ""
    page = post(
        client,
        "messaging:smtp_settings",
        {"host": "mail.peyvand.example", "port": "۷۰۰۰۰", "security": "starttls",
         "username": "crm", "password": "", "from_email": "not-an-address"},
    )  # fmt: skip
    assert "mail.peyvand.example" in page and "not-an-address" in page
    assert "رمز عبور این نام کاربری را وارد کنید" in page
    assert not SmtpSettings.objects.filter(host="mail.peyvand.example").exists()


def test_the_environment_wins_over_the_mail_server_page(client, manager, smtp_server, settings):
    SmtpSettings.objects.create(pk=1, host="page.example", from_email="page@peyvand.example")
    page = client.get(reverse("messaging:smtp_settings")).content.decode()
    assert "EMAIL_HOST" in page and "disabled" in page
    post(client, "messaging:smtp_settings", {"host": "other.example", "security": "none"})
    assert SmtpSettings.load().host == "page.example"
    message = services.message_queue(
        channel=Channel.EMAIL, to="negar@example.com", subject="سلام", body="متن", by=manager
    )
    outbox.deliver_due()
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    mail_from, _to, _mail = smtp_server.messages[-1]
    assert mail_from == settings.DEFAULT_FROM_EMAIL  # the environment's, not the page's
