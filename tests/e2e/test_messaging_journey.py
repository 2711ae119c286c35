"""A rep messages customers in a real browser: an SMS to a contact through a fake
Kavenegar on loopback, a scheduled email to a group through a real SMTP server, and
both followed from queued to sent/delivered on the contact's page."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from peyvand.core.dates import format_datetime
from peyvand.core.scheduler import beat
from peyvand.messaging import outbox
from peyvand.messaging.models import ContactGroup, Message
from tests.factories import ContactFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def run_worker() -> None:
    call_command("worker", batch=True, beat_interval=0, no_startup_delay=True, verbosity=0)


def test_a_rep_sends_an_sms_and_a_scheduled_group_email_and_follows_them(
    page,
    log_in,
    rep,
    kavenegar,
    smtp_server,
    screenshots,
):
    customer = ContactFactory(
        owner=rep, name="شهرام فرهادی", phones=["+989121234567"], email="shahram@example.com"
    )
    group = ContactGroup.objects.create(name="نمایندگان شمال", owner=rep)
    agents = [
        ContactFactory(owner=rep, name=f"نماینده {city}", email=f"agent{n}@example.com")
        for n, city in enumerate(["رشت", "ساری"])
    ]
    for agent in [customer, *agents]:
        group.memberships.create(contact=agent)
    log_in(rep)

    # An SMS from the contact's page, with a live preview of what the customer reads.
    page.goto(customer.get_absolute_url())
    page.get_by_role("link", name="ارسال پیامک").click()
    page.locator("#id_body").fill("{نام} عزیز، سفارش شما آماده تحویل است.")
    preview = page.locator("#message-preview")
    expect(preview).to_contain_text("شهرام فرهادی عزیز، سفارش شما آماده تحویل است.")
    expect(preview).to_contain_text("۱ پیامک")
    page.get_by_role("button", name="ارسال").click()
    expect(page.get_by_text("پیام برای ارسال در صف قرار گرفت")).to_be_visible()
    expect(page.locator("#contact-messages")).to_contain_text("در صف")

    # An email to the group, a minute from now (Jalali date and time, Persian digits).
    page.goto(group.get_absolute_url())
    page.get_by_role("link", name="پیام به این گروه").click()
    expect(page.locator("#recipient-count")).to_contain_text("۳ مخاطب")
    page.locator("#id_title").fill("دعوت به همایش نمایندگان")
    page.locator("#id_channel").select_option("email")
    page.locator("#id_subject").fill("دعوت‌نامه {نام}")
    page.locator("#id_body").fill("{نام} گرامی، شما به همایش سالانه دعوت شده‌اید.")
    when = timezone.now() + datetime.timedelta(minutes=2)
    page.locator("#id_scheduled_at").fill(format_datetime(when))
    page.keyboard.press("Escape")
    page.locator("h1").click()  # the Jalali date picker closes when the user clicks elsewhere
    expect(page.locator("#id_scheduled_at")).to_have_value(format_datetime(when))
    page.get_by_role("button", name="ثبت ارسال").click()
    expect(page.get_by_text("ارسال گروهی ثبت شد")).to_be_visible()
    # The progress card polls; SQLite's in-memory test database locks whole tables
    # between threads, so the page waits elsewhere while the worker runs here.
    page.goto("/messages/")

    run_worker()  # the SMS goes; the broadcast becomes three emails waiting for their time
    kavenegar.set_delivery(Message.objects.get(channel="sms").provider_id, 10)
    assert outbox.poll_deliveries() == 1
    assert [item["to"] for item in kavenegar.received] == ["09121234567"]
    assert smtp_server.messages == []
    page.goto(customer.get_absolute_url())
    panel = page.locator("#contact-messages")
    expect(panel.locator("li", has_text="سفارش شما")).to_contain_text("رسید")
    expect(panel.locator("li", has_text="دعوت‌نامه شهرام فرهادی")).to_contain_text("در صف")

    # Two minutes later the emails are due: the worker's beat notices and sends them.
    Message.objects.filter(channel="email").update(scheduled_at=timezone.now())
    page.goto("/messages/")
    assert "messaging.deliver" in beat()
    run_worker()
    assert sorted(rcpt[0] for _from, rcpt, _mail in smtp_server.messages) == [
        "agent0@example.com",
        "agent1@example.com",
        "shahram@example.com",
    ]
    page.goto(customer.get_absolute_url())
    expect(panel.locator("li", has_text="دعوت‌نامه شهرام فرهادی")).to_contain_text("ارسال شد")
    page.screenshot(path=screenshots / "contact-messages.png", full_page=True)
    page.get_by_role("link", name="پیام‌ها").first.click()
    expect(page.locator("main table")).to_contain_text("دعوت‌نامه نماینده رشت")
