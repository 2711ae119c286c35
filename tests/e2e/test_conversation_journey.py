"""Issue 28's journey in a real browser: a customer emails the support address (a real
IMAP server, Debian's Dovecot) → a request with the email and its file; the agent
answers from the request (out through a real SMTP server, threaded); the customer's
answer joins the same request; their SMS (fake Kavenegar) and Bale message (fake Bale
Bot API) join their conversation on the contact's page; the agent's answer reaches Bale."""

from email.message import EmailMessage

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from peyvand.accounts.roles import MANAGER, SUPPORT
from peyvand.lookups.models import Urgency
from peyvand.messaging import bale, inbound, mail_in
from peyvand.messaging.fake_bale import FakeBale
from peyvand.messaging.models import BaleSettings, Mailbox, Message
from peyvand.service.models import Request
from tests.e2e.axe import assert_accessible
from tests.factories import ContactFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CHAT = 4_440_001


def run_worker() -> None:
    call_command("worker", batch=True, beat_interval=0, no_startup_delay=True, verbosity=0)


def customer_email(subject: str, text: str, *, in_reply_to: str = "", pdf: bool = False) -> bytes:
    email = EmailMessage()
    email["From"] = "Ziba Ahmadi <ziba@example.ir>"
    email["To"] = "support@peyvand.example"
    email["Subject"] = subject
    email["Message-ID"] = f"<{abs(hash((subject, text)))}@example.ir>"
    if in_reply_to:
        email["In-Reply-To"] = in_reply_to
    email.set_content(text)
    if pdf:
        email.add_attachment(PDF, maintype="application", subtype="pdf", filename="فاکتور.pdf")
    return email.as_bytes()


@pytest.fixture
def fake_bale(settings):
    with FakeBale() as fake:
        settings.BALE_BOT_TOKEN = fake.token
        settings.BALE_BASE_URL = fake.base_url
        yield fake


def test_one_conversation_by_email_sms_and_bale(
    page, log_in, dovecot, imap_user, smtp_server, kavenegar, fake_bale
):
    Urgency.objects.get_or_create(name="عادی", defaults={"deadline_days": 3})
    agent = UserFactory(username="kaveh", first_name="کاوه", last_name="مرادی", role=SUPPORT)
    lead = UserFactory(username="lead", role=MANAGER)
    customer = ContactFactory(
        owner=agent, name="زیبا احمدی", email="ziba@example.ir", phones=["+989121234567"]
    )
    Mailbox.objects.create(
        name="پشتیبانی", address="support@peyvand.example", host="127.0.0.1",
        port=dovecot.port, security=Mailbox.Security.NONE, username=imap_user,
        password=dovecot.password, owner=lead, opens="service.request", assignee=agent,
    )  # fmt: skip
    BaleSettings.objects.update_or_create(
        pk=1, defaults={"is_active": True, "owner": lead, "bot_username": "peyvand_bot"}
    )

    # The customer writes to support, with a file: a request opens by itself.
    dovecot.deliver(imap_user, customer_email("فاکتور اشتباه", "مبلغ فاکتور درست نیست.", pdf=True))
    assert mail_in.read_mailboxes() == 1
    request = Request.objects.get()
    assert request.contact == customer

    log_in(agent)
    page.goto(request.get_absolute_url())
    conversation = page.locator("#conversation")
    expect(conversation).to_contain_text("مبلغ فاکتور درست نیست.")
    expect(page.get_by_role("link", name="فاکتور.pdf").first).to_be_visible()
    assert_accessible(page, "request-conversation")

    # The agent answers from the request.
    conversation.get_by_role("link", name="پاسخ").click()
    expect(page.locator("#id_subject")).to_have_value(f"Re: فاکتور اشتباه [{persian(request)}]")
    page.locator("#id_body").fill("سلام، فاکتور اصلاح‌شده فردا فرستاده می‌شود.")
    page.get_by_role("button", name="ارسال پاسخ").click()
    expect(page.get_by_text("پاسخ برای ارسال در صف قرار گرفت")).to_be_visible()
    run_worker()
    [(_sender, recipients, sent)] = smtp_server.messages
    assert recipients == ["ziba@example.ir"]

    # Her mail program answers it: the answer joins the request.
    dovecot.deliver(
        imap_user,
        customer_email("Re: فاکتور اشتباه", "ممنون، منتظرم.", in_reply_to=sent["Message-ID"]),
    )
    assert mail_in.read_mailboxes() == 1
    assert Request.objects.count() == 1
    page.reload()
    expect(page.locator("#conversation")).to_contain_text("ممنون، منتظرم.")
    expect(page.locator("#conversation")).to_contain_text("فاکتور اصلاح‌شده فردا")

    # An SMS and a Bale message from her: in her conversation on her page.
    kavenegar.inbound("09121234567", "فاکتور را پیامک هم کنید.")
    inbound.receive_sms()
    fake_bale.customer_shares_phone(CHAT, "989121234567", name="زیبا")
    fake_bale.customer_writes(CHAT, "سلام از بله؛ فاکتور رسید؟", name="زیبا")
    bale.receive_bale()
    page.goto(customer.get_absolute_url())
    messages = page.locator("#contact-messages")
    expect(messages).to_contain_text("فاکتور را پیامک هم کنید.")
    expect(messages).to_contain_text("سلام از بله؛ فاکتور رسید؟")
    expect(messages).to_contain_text("ممنون، منتظرم.")

    # The agent answers on Bale, from the message.
    from_bale = Message.objects.get(channel="bale", direction="in")
    page.goto(from_bale.get_absolute_url())
    page.get_by_role("link", name="پاسخ").first.click()
    page.locator("#id_body").fill("بله، دیروز فرستاده شد.")
    page.get_by_role("button", name="ارسال پاسخ").click()
    expect(page.get_by_text("پاسخ برای ارسال در صف قرار گرفت")).to_be_visible()
    run_worker()
    assert {"chat_id": CHAT, "text": "بله، دیروز فرستاده شد."}.items() <= fake_bale.sent[-1].items()


def persian(request: Request) -> str:
    return request.tracking_code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
