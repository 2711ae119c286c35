"""Issue 25's journey on the activity lists in a real browser: a rep finds calls by part
of a number typed in Persian digits within a date preset, sorts them, hides a column,
saves the view, opens it again from «نماها», and exports it: the Excel file holds
exactly the filtered rows, in the page's order. Then the task list by done and overdue."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peyvand.activities.models import Call, Task
from tests.e2e.excel import column, download_excel
from tests.factories import ContactFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def test_a_rep_filters_sorts_saves_and_exports_the_call_log(page, log_in, rep, screenshots):
    today = timezone.localdate()
    nour = ContactFactory(owner=rep, name="فروشگاه نور", phones=["+989121234567"])

    def call(number: str, when: datetime.datetime, kind: str = "incoming", **extra) -> Call:
        return Call.objects.create(owner=rep, kind=kind, number=number, started_at=when, **extra)

    late = call("+989121234567", _at(today, 10), contact=nour, notes="پیش‌فاکتور")
    early = call("+989121239999", _at(today, 9), kind="outgoing")
    call("+989351112233", _at(today, 11))  # another number
    old = call("+989121230000", _at(today - datetime.timedelta(days=40), 10))  # last month
    log_in(rep)

    page.goto("/calls/")
    expect(page.get_by_text("کاربر: من")).to_be_visible()  # «تماس‌های من» by default
    expect(page.locator("tbody tr")).to_have_count(4)
    page.locator("select[name=date_period]").select_option(label="این ماه")
    expect(page).to_have_url(re.compile("date_period=this_month"))
    page.locator("#filter-q").fill("۰۹۱۲۱۲۳")  # Persian digits, with the leading zero
    page.locator("#filter-q").press("Enter")
    expect(page.get_by_text("«۰۹۱۲۱۲۳»")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(2)
    # Oldest first: the current sort's heading turns it around.
    page.get_by_role("link", name="زمان", exact=True).click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("زمان")
    numbers = page.locator("tbody tr td:nth-child(3)")
    # Each isolated left to right (LRI…PDI, the display rule), so it never reads reversed.
    expect(numbers).to_have_text(["\u2066۰۹۱۲ ۱۲۳ ۹۹۹۹\u2069", "\u2066۰۹۱۲ ۱۲۳ ۴۵۶۷\u2069"])
    page.screenshot(path=screenshots / "lists-calls-filtered.png", full_page=True)

    # The notes column hidden: gone from the table, the filters kept.
    page.get_by_role("button", name="ستون‌ها").click()
    page.get_by_label("یادداشت", exact=True).uncheck()
    page.get_by_role("button", name="ذخیره ستون‌ها").click()
    expect(page.locator("thead th")).to_have_count(6)
    expect(page.locator("thead")).not_to_contain_text("یادداشت")
    expect(page.locator("tbody tr")).to_have_count(2)

    # Saved under a name, then opened again from the menu after leaving the filters.
    page.get_by_role("button", name="نماها").click()
    page.locator("#calls-view-name").fill("تماس‌های ۰۹۱۲۱۲۳ این ماه")
    page.get_by_role("button", name="ذخیره نما").click()
    expect(page.get_by_text("ذخیره شد")).to_be_visible()
    page.goto("/calls/")
    expect(page.locator("tbody tr")).to_have_count(4)
    page.get_by_role("button", name="نماها").click()
    page.get_by_role("link", name="تماس‌های ۰۹۱۲۱۲۳ این ماه").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("زمان")

    # The export holds exactly the filtered rows, in the page's order.
    exported = column(*download_excel(page), "شماره")
    assert exported == [early.number, late.number]
    assert old.number not in exported

    # At phone width the page does not scroll sideways: the table does.
    page.set_viewport_size({"width": 390, "height": 800})
    page.reload()
    expect(page.locator("tbody tr")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_rep_filters_the_task_list_by_done_and_overdue(page, log_in, rep, screenshots):
    today = timezone.localdate()

    def task(description: str, date: datetime.date, **extra) -> Task:
        return Task.objects.create(owner=rep, assignee=rep, description=description, date=date,
                                   **extra)  # fmt: skip

    task("دیروزی عقب‌افتاده", today - datetime.timedelta(days=1))
    task("کار امروز", today)
    task("کار تمام‌شده", today, status="done", done_at=timezone.now())
    log_in(rep)

    page.goto("/tasks/")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)  # «وظایف من», in hand
    page.locator("#filter-status").select_option(label="انجام شده")
    expect(page).to_have_url(re.compile("status=done"))
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("کار تمام‌شده")
    page.locator("#filter-status").select_option(label="در دست انجام")
    page.locator("#filter-overdue").select_option(label="بله")
    expect(page).to_have_url(re.compile("overdue=yes"))
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("دیروزی عقب‌افتاده")
    expect(page.locator("tr.table-danger")).to_have_count(1)
    page.set_viewport_size({"width": 390, "height": 800})
    page.reload()
    expect(rows).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # On the card, «انجام شد» is in the row's «⋯» menu, a thumb's size, not a cell.
    card = rows.first
    expect(card.locator("td.list-action")).to_be_hidden()
    menu = card.get_by_role("button", name="کارهای دیروزی عقب‌افتاده")
    box = menu.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44, box
    menu.click()
    done = card.locator(".list-menu-items").get_by_role("button", name="انجام شد")
    expect(done).to_be_visible()
    page.screenshot(path=screenshots / "lists-tasks-overdue-390.png", full_page=True)
    done.click()
    expect(page.get_by_text("وظیفه انجام شد")).to_be_visible()
    assert Task.objects.get(description="دیروزی عقب‌افتاده").status == Task.Status.DONE
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("وظیفه‌ای با این فیلترها نیست.")
