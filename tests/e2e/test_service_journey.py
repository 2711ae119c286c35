"""The service desk's journey in a real browser (issue 7): support registers a phone
request for a customer and assigns it to the manager, who marks it done; support sends
it back («اشکال دارد»), the manager fixes it, support archives it, and the customer
sees «بایگانی شده» on the public page with the tracking code and their mobile."""

import datetime
import zoneinfo

import pytest
import time_machine
from playwright.sync_api import expect

from peyvand.accounts.roles import SUPPORT
from peyvand.lookups.models import Channel, Urgency
from peyvand.service.models import Request
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.e2e


def test_a_request_is_registered_done_sent_back_fixed_archived_and_tracked(
    page, live_server, log_in, manager, screenshots
):
    # Lookup defaults come from a data migration that an earlier flush may have emptied.
    Channel.objects.get_or_create(name="تلفن")
    # This company gives urgent requests two working days (managers set the days).
    Urgency.objects.update_or_create(name="فوری", defaults={"deadline_days": 2})
    support = UserFactory(username="poshtiban", first_name="کاوه", last_name="مرادی", role=SUPPORT)
    customer = ContactFactory(owner=support, name="فروشگاه آریا", phones=["+989121234567"])

    log_in(support)
    page.goto(customer.get_absolute_url())
    page.get_by_role("link", name="درخواست تازه").click()
    expect(page.locator("#id_contact")).to_have_value(str(customer.pk))  # the page's customer
    page.locator("#id_channel").select_option(label="تلفن")
    page.locator("#id_subject").fill("خرابی دستگاه کارت‌خوان")
    page.locator("#id_description").fill("دستگاه روشن می‌شود ولی کارت را نمی‌خواند.")
    page.locator("#id_urgency").select_option(label="فوری")
    page.locator("#id_assignee").select_option(label="مریم احمدی")
    # Registered on Wednesday 1404/12/27, the day before the Nowruz holidays: two
    # working days are Thursday 1404/12/28 and — past 29 Esfand (Friday), Nowruz
    # (1–4 Farvardin) and Eid al-Fitr — Wednesday 1405/01/05.
    wednesday = datetime.datetime(2026, 3, 18, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Tehran"))
    with time_machine.travel(wednesday, tick=True):
        page.get_by_role("button", name="ذخیره").click()
        expect(page.get_by_text("ثبت شد.")).to_be_visible()
    item = Request.objects.get()
    assert item.contact == customer and item.channel.name == "تلفن"
    assert item.deadline == datetime.date(2026, 3, 25)
    expect(page.locator("dt:has-text('تاریخ درخواست') + dd")).to_contain_text("۱۴۰۴/۱۲/۲۷")
    expect(page.locator("dt:has-text('مهلت انجام') + dd")).to_contain_text("۱۴۰۵/۰۱/۰۵")
    page.screenshot(path=screenshots / "request-deadline-after-nowruz.png", full_page=True)

    def as_user(user):
        # Leave the page first: its bell poll, answered after the cookies are cleared,
        # would set a fresh CSRF cookie under the login form's feet.
        page.goto("about:blank")
        page.context.clear_cookies()
        log_in(user)
        page.get_by_role("link", name="درخواست‌ها", exact=True).click()

    as_user(manager)
    expect(page.locator("tbody tr").first).to_contain_text("تازه")
    page.locator("tbody tr a").first.click()
    page.locator("#result").fill("کارت‌خوان تمیز شد")
    page.get_by_role("button", name="انجام شد").click()
    expect(page.get_by_text("به ثبت‌کننده برای تأیید رفت")).to_be_visible()

    as_user(support)
    page.get_by_role("link", name="ارسالی‌های من").click()
    expect(page.locator("tbody tr").first).to_contain_text("در انتظار تأیید")
    page.locator("tbody tr a").first.click()
    page.get_by_label("اشکال کار").fill("هنوز بعضی کارت‌ها را نمی‌خواند")
    page.get_by_role("button", name="اشکال دارد").click()
    expect(page.get_by_text("به انجام‌دهنده برگشت")).to_be_visible()

    as_user(manager)
    expect(page.locator("tbody tr").first).to_contain_text("برگشتی: اشکال دارد")
    page.locator("tbody tr a").first.click()
    page.locator("#result").fill("هد کارت‌خوان عوض شد")
    page.get_by_role("button", name="انجام شد").click()

    as_user(support)
    page.get_by_role("link", name="ارسالی‌های من").click()
    page.locator("tbody tr a").first.click()
    page.get_by_role("button", name="تأیید و بایگانی").click()
    expect(page.get_by_text("تأیید و بایگانی شد")).to_be_visible()
    page.screenshot(path=screenshots / "request-archived.png", full_page=True)

    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto("/service/track/")
    page.locator("#id_code").fill(item.tracking_code)
    page.locator("#id_mobile").fill("۰۹۱۲ ۱۲۳ ۴۵۶۷")
    page.get_by_role("button", name="پیگیری").click()
    expect(page.get_by_role("status")).to_contain_text("بایگانی شده")
    expect(page.get_by_role("status")).to_contain_text("هد کارت‌خوان عوض شد")
    page.screenshot(path=screenshots / "request-tracked.png", full_page=True)
