"""The issue's journey in a real browser: a manager assigns a task with a reminder, the
rep gets the pop-up, the email (real SMTP on loopback) and the SMS (fake Kavenegar),
marks it done, and the manager sees it done with its Jalali date."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peyvand.activities import reminders
from peyvand.activities.models import Reminder, Task
from peyvand.core.dates import format_date, format_datetime
from peyvand.lookups.models import Urgency
from tests.e2e.bell import wait_for_the_first_bell_poll
from tests.e2e.test_messaging_journey import run_worker

# PostgreSQL: the bell polls beside the pages' own requests (see conftest on SQLite).
pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_task_with_a_reminder_reaches_the_rep_who_marks_it_done(
    page, browser, live_server, log_in, manager, rep, kavenegar, smtp_server, settings, screenshots
):
    settings.NOTIFICATION_POLL_SECONDS = 1
    # The lookup lists' defaults come from a data migration, which an earlier
    # transactional test's flush may have emptied.
    Urgency.objects.get_or_create(name="فوری", defaults={"deadline_days": 1})
    rep.email, rep.mobile = "reza@example.com", "+989121234567"
    rep.save()

    # The rep has Peyvand open in another window.
    rep_context = browser.new_context(
        base_url=live_server.url, locale="fa-IR", timezone_id="Asia/Tehran"
    )
    rep_page = rep_context.new_page()
    rep_page.goto("/accounts/login/")
    rep_page.locator("#id_username").fill(rep.username)
    rep_page.locator("#id_password").fill("peyvand-demo")
    rep_page.locator("form button[type=submit]").click()
    expect(rep_page.locator("#notification-bell")).to_be_visible()
    wait_for_the_first_bell_poll(rep_page)

    # The manager assigns the task, with a reminder a minute from now by email and SMS.
    log_in(manager)
    page.get_by_role("link", name="وظایف", exact=True).click()
    page.get_by_role("link", name="وظیفه تازه").click()
    page.locator("#id_description").fill("پیش‌فاکتور صنایع مهرگان را امروز بفرستید")
    page.locator("#id_assignee").select_option(str(rep.pk))
    page.locator("#id_urgency").select_option(label="فوری")
    remind = timezone.now() + datetime.timedelta(minutes=1)
    page.locator("#id_remind_at").fill(format_datetime(remind))
    page.keyboard.press("Escape")
    page.locator(".breadcrumb-item.active").click()  # closes the Jalali date picker
    expect(page.locator("#id_remind_at")).to_have_value(format_datetime(remind))
    page.locator("#id_remind_by_email").check()
    page.locator("#id_remind_by_sms").check()
    page.get_by_role("button", name="ذخیره").click()
    expect(page.get_by_text("وظیفه ذخیره شد.")).to_be_visible()

    # The rep's bell pops up the new task at its next poll.
    toasts = rep_page.locator("#notification-toasts")
    expect(toasts).to_contain_text("وظیفه تازه از مریم احمدی")

    # A minute later the worker fires the reminder; the rep is on another site meanwhile.
    rep_page.goto("about:blank")
    Reminder.objects.update(due_at=timezone.now())
    assert reminders.fire_due() == 1
    run_worker()
    assert [item["to"] for item in kavenegar.received] == ["09121234567"]
    assert "پیش‌فاکتور صنایع مهرگان" in kavenegar.received[0]["body"]
    assert [rcpt for _from, rcpt, _mail in smtp_server.messages] == [["reza@example.com"]]

    rep_page.goto("/")
    toast = rep_page.locator("#notification-toasts .toast", has_text="وظیفه: پیش‌فاکتور")
    expect(toast).to_be_visible()
    expect(rep_page.locator("#notification-count")).to_have_text("۲")
    # The bell's name says what the count is (not a bare number) for a screen reader.
    bell = rep_page.locator("#notification-bell")
    expect(bell).to_have_accessible_name(re.compile(r"^اعلان‌ها، \S+ خوانده‌نشده$"))
    rep_page.screenshot(path=screenshots / "task-reminder-toast.png")
    toast.get_by_role("link").click()
    rep_page.get_by_role("button", name="انجام شد").click()
    expect(rep_page.get_by_text("وظیفه انجام شد.")).to_be_visible()
    rep_context.close()

    # The manager sees it done, with the Jalali date.
    assert Task.objects.get().status == Task.Status.DONE
    done_on = format_date(timezone.localdate())
    page.goto("/tasks/?scope=by_me&status=done")
    row = page.locator("main table tr", has_text="پیش‌فاکتور صنایع مهرگان")
    expect(row).to_contain_text(f"انجام شده {done_on}")
    expect(page.locator("#notification-count")).to_have_text("۱")
    page.screenshot(path=screenshots / "task-done.png", full_page=True)
