"""The sales rep's day in a real browser: a lead for a new customer, three follow-ups
by keyboard alone (N, typing, Enter; «+۳» for the next date), then a proforma with
VAT, its PDF, and the invoice."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peyvand.core.text import to_persian_digits
from peyvand.core.workdays import add_working_days
from peyvand.lookups.models import Channel, FollowUpResult
from peyvand.messaging.models import Message
from peyvand.sales.models import FollowUp, Invoice, Lead, Quote, VatRate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_rep_creates_a_lead_logs_three_follow_ups_by_keyboard_and_invoices_it(
    page, live_server, log_in, rep, screenshots
):
    # The lookup lists' and VAT rates' defaults come from data migrations that an earlier
    # transactional test's flush may have emptied.
    FollowUpResult.objects.get_or_create(name="تماس اولیه", defaults={"priority": 1})
    Channel.objects.get_or_create(name="تلفن")
    VatRate.objects.get_or_create(valid_from=datetime.date(2024, 3, 20), defaults={"percent": 10})
    log_in(rep)

    page.get_by_role("link", name="سرنخ‌ها").click()
    page.get_by_role("link", name="سرنخ تازه").click()
    page.get_by_text("مشتری تازه است؟").click()
    page.locator("#id_new_contact_name").fill("مهندس کیوان رستمی")
    page.locator("#id_new_contact_mobile").fill("۰۹۱۲ ۳۴۵ ۶۷۸۹")
    page.locator("#id_title").fill("تابلو برق کارخانه")
    page.locator("label[for=id_stars_2]").click()
    page.get_by_role("button", name="ذخیره").click()
    expect(page.get_by_text("ثبت شد.")).to_be_visible()
    lead = Lead.objects.get()
    assert lead.contact.name == "مهندس کیوان رستمی"

    for number, (text, next_date) in enumerate(
        [("کاتالوگ خواستند", ""), ("قیمت را پرسیدند", ""), ("جلسه هفته بعد", "+۳")], start=1
    ):
        page.locator("h1").click()  # nothing focused: the shortcut is the page's
        page.keyboard.press("n")
        expect(page.locator("#id_result")).to_be_focused()
        page.keyboard.press("ArrowDown")  # the first result
        page.keyboard.press("Tab")  # channel
        page.keyboard.press("Tab")  # the person talked to
        page.keyboard.type("آقای رستمی")
        page.keyboard.press("Tab")  # description
        page.keyboard.type(text)
        if next_date:
            page.keyboard.press("Tab")
            page.keyboard.type(next_date)
        page.keyboard.press("Enter")
        expect(page.get_by_text("پیگیری ثبت شد.")).to_be_visible()
        expect(page.locator("[id^=followup-]")).to_have_count(number)
    page.screenshot(path=screenshots / "lead-followups.png", full_page=True)

    latest = FollowUp.objects.order_by("-id").first()
    assert FollowUp.objects.count() == 3
    assert latest.description == "جلسه هفته بعد"
    assert timezone.localtime(latest.next_at).date() == add_working_days(timezone.localdate(), 3)
    assert latest.next_by == rep
    # The lead's summary follows without a reload: the last result and the next date.
    expect(page.locator("#lead-summary")).to_contain_text("تماس اولیه")
    expect(page.locator("#lead-summary")).to_contain_text("با " + rep.get_full_name())
    expect(page.locator("#lead-title")).to_contain_text("در تماس")  # the stage moved on
    page.locator(f"#followup-{latest.pk}").get_by_role("button", name="تبدیل به وظیفه").click()
    expect(page.get_by_text("وظیفه ساخته شد.")).to_be_visible()
    expect(page.locator(f"#followup-{latest.pk}")).to_contain_text("وظیفه ساخته شده")

    # A proforma with VAT, its PDF, accepted and invoiced.
    page.get_by_role("link", name="پیش فاکتور", exact=True).click()
    page.locator("#id_lines-0-description").fill("تابلو برق ۴۰۰ آمپر")
    page.locator("#id_lines-0-quantity").fill("۲")
    page.locator("#id_lines-0-unit_price").fill("۱۰۰٬۰۰۰٬۰۰۰")
    page.get_by_role("button", name="ذخیره").click()
    expect(page.get_by_text("مالیات بر ارزش افزوده (۱۰٪)")).to_be_visible()
    quote = Quote.objects.get()
    assert quote.total == 220_000_000
    with page.expect_download() as download:
        page.get_by_role("link", name="دریافت PDF").click()
    # Named in Persian (the UTF-8 filename*), the number in Persian digits.
    number = to_persian_digits(quote.number.replace("/", "-"))
    assert download.value.suggested_filename == f"پیش فاکتور {number}.pdf"
    # Sent to the customer by SMS (its link), then chased on the proforma's own page.
    page.get_by_role("link", name="پیامک").click()
    expect(page.locator("#id_to")).to_have_value("+۹۸۹۱۲۳۴۵۶۷۸۹")  # as the page shows it
    page.get_by_role("button", name="ارسال").click()
    expect(page.get_by_text("در صف ارسال قرار گرفت")).to_be_visible()
    assert "/sales/shared/" in Message.objects.get().body
    page.locator("h1").click()
    page.keyboard.press("n")
    expect(page.locator("#id_result")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("پیش فاکتور را دیدند")
    page.keyboard.press("Enter")
    expect(page.get_by_text("پیگیری ثبت شد.")).to_be_visible()
    assert FollowUp.objects.filter(quote=quote).count() == 1
    page.get_by_role("button", name="پذیرفته شد").click()
    page.get_by_role("button", name="صدور فاکتور").click()
    expect(page.get_by_text("صادر شد.")).to_be_visible()
    assert Invoice.objects.get().total == 220_000_000
    page.screenshot(path=screenshots / "invoice.png", full_page=True)
