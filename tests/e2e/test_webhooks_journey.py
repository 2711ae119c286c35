"""A manager connects the accounting system by a webhook in the browser (issue 29): picks
the events, copies the secret shown once, sends a test, and the receiver on loopback
checks the signature with that secret; a lead registered afterwards reaches it too."""

import json

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from standardwebhooks import Webhook

from peyvand.automation import webhooks
from peyvand.automation.models import WebhookSubscription
from peyvand.sales.models import Lead
from peyvand.sales.services import lead_save
from tests.automation.receiver import WebhookReceiver
from tests.e2e.axe import assert_accessible
from tests.factories import ContactFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_manager_connects_a_webhook_and_its_receiver_trusts_what_arrives(
    page, log_in, manager, settings, screenshots
):
    settings.WEBHOOK_PRIVATE_ADDRESSES = True  # the receiver runs on this machine
    with WebhookReceiver() as receiver:
        log_in(manager)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(reverse("automation:webhook_list"))
        page.get_by_role("link", name="وب‌هوک تازه").click()
        page.locator("#id_name").fill("سامانه حسابداری")
        page.locator("#id_url").fill(receiver.url)
        leads = page.get_by_role("group", name="سرنخ‌ها")
        leads.get_by_label("ثبت").check()
        leads.get_by_label("تغییر وضعیت").check()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=screenshots / "webhook-form-390.png", full_page=True)
        page.get_by_role("button", name="ذخیره").click()

        expect(page.get_by_text("وب‌هوک «سامانه حسابداری» ذخیره شد.")).to_be_visible()
        secret = page.locator("#new-secret").inner_text().strip()
        assert secret == WebhookSubscription.objects.get().secret
        page.set_viewport_size({"width": 1366, "height": 768})
        assert_accessible(page, "وب‌هوک")

        page.get_by_role("button", name="ارسال آزمایشی").click()
        expect(page.get_by_text("گیرنده پیام آزمایشی را پذیرفت (پاسخ ۲۰۰).")).to_be_visible()
        expect(page.locator("#new-secret")).to_have_count(0)  # shown once, not again
        [ping] = receiver.received
        assert Webhook(secret).verify(ping.body, ping.headers)["type"] == "webhook.ping"

        lead = lead_save(
            lead=Lead(title="خرید ۱۲ دستگاه", contact=ContactFactory(owner=manager)), by=manager
        )
        webhooks.send_due()
        body = Webhook(secret).verify(receiver.received[1].body, receiver.received[1].headers)
        assert (body["type"], body["data"]["record"]["code"]) == ("sales.lead.created", lead.code)

        page.reload()
        delivered = page.locator("li", has_text="سرنخ: ثبت").first
        expect(delivered).to_contain_text("خرید ۱۲ دستگاه")
        expect(delivered).to_contain_text("رسید")
        delivered.get_by_text("بدنه و پاسخ").click()
        expect(delivered.locator("pre").first).to_contain_text(json.dumps(lead.code))
        # The body, one long line of JSON, wraps inside the page.
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.set_viewport_size({"width": 1366, "height": 768})
        page.screenshot(path=screenshots / "webhook-detail-1366.png", full_page=True)
