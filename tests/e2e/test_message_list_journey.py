"""Issue 25's journey on the message list in a real browser: a rep finds the SMS sent to
a number by part of it typed in Persian digits within a date preset, sorts them oldest
first, hides a column, saves the view, opens it again from «نماها», and exports it: the
Excel file holds exactly the filtered rows, in the page's order, and no secret text."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peyvand.messaging.models import Message
from tests.e2e.excel import download_excel
from tests.factories import ContactFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CODE = "735102"


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def test_a_rep_filters_sorts_saves_and_exports_the_messages(page, log_in, rep, screenshots):
    today = timezone.localdate()
    nour = ContactFactory(owner=rep, name="فروشگاه نور", phones=["+989121234567"])

    def sms(to: str, when: datetime.datetime, body: str = "سلام", **extra) -> Message:
        return Message.objects.create(owner=rep, channel="sms", to=to, body=body,
                                      created_at=when, scheduled_at=when, **extra)  # fmt: skip

    late = sms("+989121234567", _at(today, 10), "فاکتور شما صادر شد", contact=nour)
    early = sms("+989121239999", _at(today, 9), status="failed", last_error="اعتبار کافی نیست")
    sms("+989351112233", _at(today, 11))  # another number
    old = sms("+989121230000", _at(today - datetime.timedelta(days=40), 10))  # last month
    # A sign-in code to the same customer: found by its number, its text never shown.
    secret = sms("+989121234567", _at(today, 8), f"کد ورود: {CODE}", contact=nour,
                 secret_label="کد ورود پرتال", immediate=True)  # fmt: skip
    log_in(rep)

    page.goto("/messages/")
    expect(page.locator("tbody tr")).to_have_count(5)
    page.locator("select[name=created_period]").select_option(label="این ماه")
    expect(page).to_have_url(re.compile("created_period=this_month"))
    expect(page.locator("tbody tr")).to_have_count(4)
    page.locator("#filter-q").fill("۰۹۱۲۱۲۳")  # Persian digits, with the leading zero
    page.locator("#filter-q").press("Enter")
    expect(page.get_by_text("«۰۹۱۲۱۲۳»")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(3)
    expect(page.locator("tbody")).not_to_contain_text(CODE)
    expect(page.locator("tbody")).to_contain_text("کد ورود پرتال — متن محرمانه است")
    # Oldest first: the current sort's heading turns it around.
    page.get_by_role("link", name="زمان ثبت", exact=True).click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("زمان ثبت")
    recipients = page.locator("tbody tr td:nth-child(3) span.ltr")
    # Each isolated left to right (LRI…PDI, the display rule), so it never reads reversed.
    expect(recipients).to_have_text(
        [f"\u2066{number}\u2069" for number in ("۰۹۱۲ ۱۲۳ ۴۵۶۷", "۰۹۱۲ ۱۲۳ ۹۹۹۹", "۰۹۱۲ ۱۲۳ ۴۵۶۷")]
    )
    # The failed one can be sent again from here.
    expect(page.get_by_role("button", name="ارسال دوباره")).to_have_count(1)
    page.screenshot(path=screenshots / "lists-messages-filtered.png", full_page=True)

    # The channel column hidden: gone from the table, the filters kept.
    page.get_by_role("button", name="ستون‌ها").click()
    page.locator("#messages-col-channel").uncheck()
    page.get_by_role("button", name="ذخیره ستون‌ها").click()
    expect(page.locator("thead th")).to_have_count(6)
    expect(page.locator("thead")).not_to_contain_text("نوع")
    expect(page.locator("tbody tr")).to_have_count(3)

    # Saved under a name, then opened again from the menu after leaving the filters.
    page.get_by_role("button", name="نماها").click()
    page.locator("#messages-view-name").fill("پیام‌های ۰۹۱۲۱۲۳ این ماه")
    page.get_by_role("button", name="ذخیره نما").click()
    expect(page.get_by_text("ذخیره شد")).to_be_visible()
    page.goto("/messages/")
    expect(page.locator("tbody tr")).to_have_count(5)
    page.get_by_role("button", name="نماها").click()
    page.get_by_role("link", name="پیام‌های ۰۹۱۲۱۲۳ این ماه").click()
    expect(page.locator("tbody tr")).to_have_count(3)
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("زمان ثبت")

    # The export holds exactly the filtered rows, in the page's order, no secret text.
    header, rows = download_excel(page)
    column = header.index("شماره / نشانی")
    assert [row[column] for row in rows] == [secret.to, early.to, late.to]
    assert old.to not in [row[column] for row in rows]
    assert CODE not in str(rows)

    # At phone width the page does not scroll sideways: the table does.
    page.set_viewport_size({"width": 390, "height": 800})
    page.reload()
    expect(page.locator("tbody tr")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
