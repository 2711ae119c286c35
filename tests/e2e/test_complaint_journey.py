"""A complaint in a real browser (issue 7): the manager asked for new work to pop up;
support registers a customer's complaint with the manager as control officer; the
manager's open window shows it at once in a dialog, logs a follow-up by keyboard,
closes it with the final result, and the customer reads it on the tracking page."""

import pytest
from playwright.sync_api import expect

from peyvand.accounts.roles import SUPPORT
from peyvand.core.text import to_persian_digits
from peyvand.lookups.models import Channel, FollowUpResult
from peyvand.sales.models import FollowUp
from peyvand.service.models import Complaint
from tests.e2e.bell import wait_for_the_first_bell_poll
from tests.factories import ContactFactory, UserFactory

# PostgreSQL: the bell polls beside the pages' own requests (see conftest on SQLite).
pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_complaint_pops_up_for_its_officer_is_followed_up_closed_and_tracked(
    page, browser, live_server, log_in, manager, settings, screenshots
):
    settings.NOTIFICATION_POLL_SECONDS = 1
    # Lookup defaults come from a data migration that an earlier flush may have emptied.
    Channel.objects.get_or_create(name="تلفن")
    FollowUpResult.objects.get_or_create(name="تماس اولیه", defaults={"priority": 2})
    support = UserFactory(username="poshtiban", first_name="کاوه", last_name="مرادی", role=SUPPORT)
    customer = ContactFactory(owner=support, name="فروشگاه آریا", phones=["+989121234567"])

    # The manager asks for new work to pop up, and keeps Peyvand open.
    officer_context = browser.new_context(
        base_url=live_server.url, locale="fa-IR", timezone_id="Asia/Tehran"
    )
    officer = officer_context.new_page()
    officer.goto("/accounts/login/")
    officer.locator("#id_username").fill(manager.username)
    officer.locator("#id_password").fill("peyvand-demo")
    officer.locator("form button[type=submit]").click()
    officer.get_by_role("button", name="مریم احمدی").click()
    officer.get_by_role("link", name="ترجیحات").click()
    officer.get_by_label("فوراً در پنجره‌ای باز شود").check()
    officer.get_by_role("button", name="ذخیره").click()
    expect(officer.get_by_role("alert")).to_contain_text("ترجیحات ذخیره شد")
    wait_for_the_first_bell_poll(officer)

    log_in(support)
    page.goto(customer.get_absolute_url())
    page.get_by_role("link", name="شکایت تازه").click()
    expect(page.locator("#id_contact")).to_have_value(str(customer.pk))
    page.locator("#id_description").fill("کالا دو هفته دیر رسید و کارتن آن آسیب دیده بود.")
    page.get_by_label("خدمات پس از فروش").check()
    page.locator("#id_officer").select_option(label="مریم احمدی")
    page.get_by_role("button", name="ذخیره").click()
    expect(page.get_by_text("ثبت شد.")).to_be_visible()
    complaint = Complaint.objects.get()

    # At the officer's next poll, a dialog that waits for them.
    dialog = officer.locator("#assignment-dialog")
    expect(dialog).to_be_visible()
    code = to_persian_digits(complaint.tracking_code)  # as every page shows it (core.digits)
    expect(dialog).to_contain_text(f"شکایت {code} به شما سپرده شد")
    officer.screenshot(path=screenshots / "complaint-pop-up.png")
    dialog.get_by_role("link").click()
    expect(officer).to_have_url(f"{live_server.url}{complaint.get_absolute_url()}")

    # A follow-up by keyboard: N opens the entry row, Enter saves.
    officer.locator("body").press("n")
    officer.locator("#id_result").select_option(label="تماس اولیه")
    officer.locator("#id_description").fill("با مشتری تماس گرفتیم؛ کالای جایگزین فرستاده شد.")
    officer.locator("#id_next_date").fill("+2")
    officer.locator("#id_next_date").press("Enter")
    expect(officer.get_by_text("پیگیری ثبت شد.")).to_be_visible()
    assert FollowUp.objects.get().complaint == complaint

    officer.locator("#result").fill("کالای سالم تحویل شد و مشتری راضی است.")
    officer.get_by_role("button", name="بستن شکایت").click()
    expect(officer.get_by_text("با نتیجه نهایی بسته شد")).to_be_visible()
    officer.screenshot(path=screenshots / "complaint-closed.png", full_page=True)
    officer_context.close()

    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto("/service/track/")
    page.locator("#id_code").fill(complaint.tracking_code)
    page.locator("#id_mobile").fill("۰۹۱۲ ۱۲۳ ۴۵۶۷")
    page.get_by_role("button", name="پیگیری").click()
    expect(page.get_by_role("status")).to_contain_text("بسته شده")
    expect(page.get_by_role("status")).to_contain_text("کالای سالم تحویل شد")
    page.screenshot(path=screenshots / "complaint-tracked.png", full_page=True)
