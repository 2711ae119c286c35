"""The form dialog (core.dialog) in a real Chromium at 1366×768: a rep back from a call
logs it from the customer's page in a dialog over it (the lead picked, by telephone); a
refused form stays in the dialog with what was typed and Escape closes it; «+» on the
keyboard opens the quick menu; a card on the pipeline board moves by choosing its stage
(no mouse drag)."""

import pytest
from playwright.sync_api import expect

from peyvand.lookups.models import Channel, FollowUpResult
from peyvand.sales.models import FollowUp, Lead
from tests.e2e.dialog import open_dialog
from tests.factories import ContactFactory, LeadFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_call_is_logged_in_a_dialog_over_the_customers_page(page, live_server, log_in, rep):
    phone, _ = Channel.objects.get_or_create(name=Channel.PHONE)
    FollowUpResult.objects.get_or_create(name="تماس اولیه", defaults={"priority": 1})
    customer = ContactFactory(owner=rep, name="فروشگاه لوازم خانگی آرمان", phones=["+989121234987"])
    lead = LeadFactory(owner=rep, contact=customer, title="یخچال ساید بای ساید", stage="new")
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(rep)

    # «+» on the keyboard opens the quick menu, the follow-up among its entries.
    page.keyboard.press("+")
    expect(page.get_by_role("link", name="پیگیری سرنخ")).to_be_visible()
    page.keyboard.press("Escape")

    page.goto(customer.get_absolute_url())
    page.get_by_role("link", name="ثبت تماس در پیگیری").click()
    dialog = open_dialog(page)
    expect(page.locator("#form-dialog-title")).to_have_text("ثبت تماس در پیگیری سرنخ")
    # Its only open lead, by telephone, now.
    expect(dialog.locator("#id_lead")).to_have_value(str(lead.pk))
    expect(dialog.locator("#id_channel")).to_have_value(str(phone.pk))
    dialog.locator("#id_description").fill("کاتالوگ خواستند")
    # No result chosen: refused in Persian, in the dialog, the description kept.
    dialog.get_by_role("button", name="ثبت پیگیری").click()
    expect(dialog.get_by_text("این فیلد لازم است").first).to_be_visible()
    expect(dialog.locator("#id_description")).to_have_value("کاتالوگ خواستند")
    assert not FollowUp.objects.exists()
    dialog.locator("#id_result").select_option(label="تماس اولیه")
    dialog.get_by_role("button", name="ثبت پیگیری").click()
    message = page.locator("#content > .alert").first
    expect(message).to_contain_text("ثبت شد")
    expect(page.locator("#form-dialog")).to_be_hidden()
    assert page.url.endswith(customer.get_absolute_url())
    followup = FollowUp.objects.get()
    assert (followup.lead, followup.channel) == (lead, phone)
    assert followup.description == "کاتالوگ خواستند"
    message.get_by_role("link", name="نمایش").click()
    expect(page.locator("h1")).to_contain_text(lead.title)

    # Escape closes the dialog; nothing is saved.
    page.goto(customer.get_absolute_url())
    page.get_by_role("link", name="ثبت تماس در پیگیری").click()
    open_dialog(page)
    dialog.locator("#id_description").fill("نیمه‌کاره")
    dialog.locator("#id_description").press("Escape")
    expect(page.locator("#form-dialog")).to_be_hidden()
    assert FollowUp.objects.count() == 1

    # The board: a card moves by choosing its stage, by touch or keyboard.
    page.goto("/sales/leads/board/")
    card = page.locator(f"#lead-card-{lead.pk}")
    card.get_by_role("combobox").select_option(label="مذاکره")
    expect(page.locator(f"[data-stage=negotiation] #lead-card-{lead.pk}")).to_be_visible()
    lead.refresh_from_db()
    assert lead.stage == Lead.Stage.NEGOTIATION
