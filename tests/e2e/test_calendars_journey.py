"""Issue 26's calendar journey in a real browser: a rep who reads dates in the Hijri
calendar creates a task by typing a Hijri date, and another with the picker; both sit
on the right days of the Hijri calendar page; a manager on the Jalali calendar reads the
same tasks on the right Jalali dates. And the picker's Hijri days are the server's."""

import datetime

import pytest
from playwright.sync_api import expect

from peyvand.activities.models import Task
from peyvand.core.dates import format_date
from tests.e2e.axe import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

A_SUNDAY = datetime.date(2026, 12, 6)  # 26 Jumada al-Thani 1448, 15 Azar 1405
RAJAB_FIRST = datetime.date(2026, 12, 10)  # 1 Rajab 1448 (Jumada al-Thani has 29 days)


def test_a_hijri_user_plans_in_hijri_and_a_jalali_user_reads_the_same_days(
    page, log_in, manager, rep, screenshots
):
    rep.calendar = "hijri"
    rep.save()

    # Typed: a Hijri date, Persian digits.
    log_in(rep)
    page.goto("/tasks/new/")
    page.locator("#id_description").fill("بازدید از کارخانه مهرگان")
    date_input = page.locator("#id_date")
    expect(date_input).to_have_attribute("placeholder", "۱۴۴۵/۰۹/۲۴")
    date_input.fill("۱۴۴۸/۰۶/۲۶")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="ذخیره").click()
    expect(page.get_by_text("وظیفه ذخیره شد.")).to_be_visible()
    assert Task.objects.get(description="بازدید از کارخانه مهرگان").date == A_SUNDAY

    # Picked: the picker opens on the typed month; «ماه بعد», then the 1st by keyboard.
    page.goto("/tasks/new/")
    page.locator("#id_description").fill("تماس با مدیر خرید")
    date_input = page.locator("#id_date")
    date_input.fill("۱۴۴۸/۰۶/۲۰")
    picker = page.get_by_role("dialog", name="انتخاب تاریخ قمری")
    expect(picker).to_be_visible()
    expect(picker.locator(".cp-title")).to_have_text("جمادی\u200cالثانی ۱۴۴۸ ق")
    assert_accessible(page, "وظیفهٔ تازه، با تقویم قمری باز")
    page.screenshot(path=screenshots / "hijri-picker.png")
    picker.get_by_role("button", name="ماه بعد").click()
    expect(picker.locator(".cp-title")).to_have_text("رجب ۱۴۴۸ ق")
    date_input.press("ArrowDown")  # into the grid, on the 20th
    expect(picker.get_by_role("button", name="سه\u200cشنبه ۲۰ رجب ۱۴۴۸")).to_be_focused()
    page.keyboard.press("Home")  # the week's Saturday: the 17th
    page.keyboard.press("PageUp")  # a month back: 17 Jumada al-Thani
    expect(picker.locator(".cp-title")).to_have_text("جمادی\u200cالثانی ۱۴۴۸ ق")
    page.keyboard.press("PageDown")  # 17 Rajab again
    for _ in range(2):
        page.keyboard.press("ArrowUp")  # two weeks back: the 3rd
    for _ in range(2):
        page.keyboard.press("ArrowRight")  # right to left: two days back, the 1st
    expect(picker.get_by_role("button", name="پنجشنبه ۱ رجب ۱۴۴۸")).to_be_focused()
    page.keyboard.press("Enter")
    expect(picker).to_be_hidden()
    expect(date_input).to_have_value("۱۴۴۸/۰۷/۰۱")
    expect(date_input).to_be_focused()
    page.get_by_role("button", name="ذخیره").click()
    expect(page.get_by_text("وظیفه ذخیره شد.")).to_be_visible()
    assert Task.objects.get(description="تماس با مدیر خرید").date == RAJAB_FIRST

    # The Hijri calendar page: the month of Jumada al-Thani, each task on its day.
    page.goto("/calendar/?view=month&date=2026-12-06")
    expect(page.locator("#calendar-title")).to_have_text("جمادی\u200cالثانی ۱۴۴۸ ق")
    sunday = page.locator('td[data-date="2026-12-06"]')
    expect(sunday.locator(".cal-day-number")).to_have_text("۲۶")
    expect(sunday).to_contain_text("بازدید از کارخانه مهرگان")
    rajab = page.locator('td[data-date="2026-12-10"]')
    expect(rajab).to_contain_text("۱ رجب")
    expect(rajab).to_contain_text("تماس با مدیر خرید")
    page.screenshot(path=screenshots / "hijri-calendar-month.png", full_page=True)

    # The same tasks, for a manager on the Jalali calendar.
    page.context.clear_cookies()
    log_in(manager)
    page.goto("/tasks/?assignee=all")
    row = page.locator("tr", has_text="بازدید از کارخانه مهرگان")
    expect(row).to_contain_text("۱۴۰۵/۰۹/۱۵")
    expect(page.locator("tr", has_text="تماس با مدیر خرید")).to_contain_text("۱۴۰۵/۰۹/۱۹")
    page.goto(f"/tasks/{Task.objects.get(description='بازدید از کارخانه مهرگان').pk}/")
    expect(page.locator("#id_date")).to_have_value("۱۴۰۵/۰۹/۱۵")


def test_the_pickers_hijri_days_are_the_servers(page, log_in, rep):
    """The picker computes Hijri days in the browser (from hijri-months.js); the server
    with hijridate. Every day the Umm al-Qura tables cover must read the same in both
    (Chromium's own islamic-umalqura calendar did not, from 1451 on)."""
    rep.calendar = "hijri"
    rep.save()
    log_in(rep)
    start = datetime.date(1924, 8, 1)
    days = (datetime.date(2077, 11, 16) - start).days + 1
    browser_days = page.evaluate(
        """([y, m, d, count]) => {
            const out = [];
            for (let i = 0; i < count; i++) {
              const ms = Date.UTC(y, m - 1, d + i);
              const text = peyvandCalendarPicker.format("hijri", ms);
              const back = peyvandCalendarPicker.dayOf("hijri",
                ...text.replace(/[\u06f0-\u06f9]/g, c => c.charCodeAt(0) - 0x06f0)
                  .split("/").map(Number));
              out.push([text, back === ms]);
            }
            return out;
        }""",
        [start.year, start.month, start.day, days],
    )
    server_days = [format_date(start + datetime.timedelta(days=i), "hijri") for i in range(days)]
    assert [text for text, _ in browser_days] == server_days
    assert all(round_trip for _, round_trip in browser_days)
