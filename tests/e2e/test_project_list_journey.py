"""Issue 25's journey on the project list in a real browser: a manager narrows the
projects to the running ones of a customer picked by typing part of its name, one
responsible rep and a start date range typed in Persian digits, sorts oldest first,
hides a column, saves the view, opens it again from «نماها» and exports it: the Excel
file holds exactly the filtered rows, in the page's order."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peyvand.core.dates import format_date
from peyvand.surveys.models import Project
from tests.e2e.excel import column, download_excel
from tests.factories import ContactFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ACTIVE, PLANNED = Project.Status.ACTIVE, Project.Status.PLANNED


def test_a_manager_filters_sorts_saves_and_exports_the_project_list(
    page, log_in, manager, rep, screenshots
):
    today = timezone.localdate()
    nour = ContactFactory(owner=rep, name="فروشگاه نور")
    mehr = ContactFactory(owner=rep, name="صنایع مهرگان")

    def project(name, contact, days_ago, status=ACTIVE, owner=rep):
        start = today - datetime.timedelta(days=days_ago)
        return Project.objects.create(
            owner=owner, contact=contact, name=name, start=start, status=status
        )

    # The two that every filter below keeps; each of the others misses exactly one.
    project("نصب شبکه نور", nour, 20)
    project("پشتیبانی نور", nour, 5)
    project("طراحی سایت نور", nour, 10, status=PLANNED)
    project("سرور مهرگان", mehr, 7)
    project("بازبینی مدیر", nour, 8, owner=manager)
    project("آموزش پارسال", nour, 300)
    log_in(manager)

    page.goto("/surveys/projects/")
    expect(page.locator("tbody tr")).to_have_count(6)
    page.locator("#filter-status").select_option(label="در حال اجرا")
    expect(page).to_have_url(re.compile("status=active"))
    # The customer picker asks the server as one types part of the name.
    page.locator("#filter-contact-ts-control").click()
    page.keyboard.type("نور", delay=50)
    page.get_by_role("option", name="فروشگاه نور").click()
    expect(page).to_have_url(re.compile(f"contact={nour.pk}"))
    expect(page.get_by_text("مشتری: فروشگاه نور")).to_be_visible()  # its chip
    page.locator("#filter-owner").select_option(label=str(rep))
    expect(page).to_have_url(re.compile(f"owner={rep.pk}"))
    expect(page.locator("tbody tr")).to_have_count(3)
    start = format_date(today - datetime.timedelta(days=60), "jalali", "fa", "short")
    page.get_by_label("تاریخ شروع: از").fill(start)
    page.get_by_label("تاریخ شروع: تا").fill(format_date(today, "jalali", "fa", "short"))
    page.get_by_label("تاریخ شروع: تا").press("Enter")
    expect(page).to_have_url(re.compile("start_from="))
    expect(page.get_by_text(f"تاریخ شروع: از {start}")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(2)

    # Oldest first: the start's heading turns the newest-first order around.
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("شروع")
    page.get_by_role("link", name="شروع", exact=True).click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("شروع")
    names = page.locator("tbody tr td:first-child a")
    expect(names).to_have_text(["نصب شبکه نور", "پشتیبانی نور"])
    page.screenshot(path=screenshots / "lists-projects-filtered.png", full_page=True)

    # The end column hidden: gone from the table, the filters kept.
    headings = page.locator("thead th").count()
    page.get_by_role("button", name="ستون‌ها").click()
    page.get_by_label("پایان", exact=True).uncheck()
    page.get_by_role("button", name="ذخیره ستون‌ها").click()
    expect(page.locator("thead th")).to_have_count(headings - 1)
    expect(page.locator("thead")).not_to_contain_text("پایان")
    expect(page.locator("tbody tr")).to_have_count(2)

    # Saved under a name, then opened again from the menu after leaving the filters.
    page.get_by_role("button", name="نماها").click()
    page.locator("#projects-view-name").fill("پروژه‌های جاری نور")
    page.get_by_role("button", name="ذخیره نما").click()
    expect(page.get_by_text("ذخیره شد")).to_be_visible()
    page.goto("/surveys/projects/")
    expect(page.locator("tbody tr")).to_have_count(6)
    page.get_by_role("button", name="نماها").click()
    page.get_by_role("link", name="پروژه‌های جاری نور").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("شروع")
    expect(page.locator("thead")).not_to_contain_text("پایان")

    # The export holds exactly the filtered rows, in the page's order.
    exported = column(*download_excel(page), "پروژه")
    assert exported == ["نصب شبکه نور", "پشتیبانی نور"]

    # A laptop's and a phone's width: the page itself never scrolls sideways.
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        expect(page.locator("tbody tr")).to_have_count(2)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=screenshots / f"lists-projects-{width}.png", full_page=True)
