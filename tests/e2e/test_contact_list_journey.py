"""Issue 25's journey on the contact list in a real browser: a manager filters by a
region (its cities come along), VIP and a Jalali birth month, sorts by name, hides a
column, saves the view, opens it again from the «نماها» menu, exports it (the Excel file
holds exactly the filtered rows, in the page's order) and hands a ticked row to another
owner."""

import datetime
import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from peyvand.accounts.roles import SALES
from peyvand.contacts.models import Contact, Region
from peyvand.core.trees import node_create
from peyvand.customfields.models import CustomField
from tests.factories import ContactFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FARVARDIN = datetime.date(1990, 3, 25)  # 5 Farvardin 1369
TIR = datetime.date(1990, 7, 1)  # 10 Tir 1369


def test_a_manager_filters_sorts_saves_exports_and_hands_over_contacts(
    page, log_in, manager, rep, screenshots
):
    province = node_create(node=Region(name="استان آزمون"))
    city = node_create(node=Region(name="شهر آزمون", parent=province))
    elsewhere = node_create(node=Region(name="جای دیگر"))
    newcomer = UserFactory(username="taze", first_name="سارا", last_name="نوری", role=SALES)

    def contact(name, **fields):
        return ContactFactory(owner=rep, name=name, company=f"شرکت {name}", **fields)

    zahra = contact("زهرا", is_vip=True, region=city, birthday=FARVARDIN)
    bahram = contact("بهرام", is_vip=True, region=province, birthday=FARVARDIN)
    contact("تیرماهی", is_vip=True, region=city, birthday=TIR)
    contact("عادی", region=city, birthday=FARVARDIN)
    contact("دوردست", is_vip=True, region=elsewhere, birthday=FARVARDIN)
    log_in(manager)

    page.goto("/contacts/")
    expect(page.locator("tbody tr")).to_have_count(5)
    # The province: its city's contacts come along.
    page.locator("#filter-region").select_option(value=str(province.pk))
    expect(page).to_have_url(re.compile(f"region={province.pk}"))
    expect(page.locator("tbody tr")).to_have_count(4)
    page.get_by_text("فیلترهای بیشتر").click()
    page.locator("#filter-vip").select_option(label="بله")
    expect(page).to_have_url(re.compile("vip=yes"))
    page.locator("#filter-birth_month").select_option(label="فروردین")
    expect(page).to_have_url(re.compile("birth_month=1"))
    expect(page.get_by_text("ماه تولد: فروردین")).to_be_visible()  # its chip
    expect(page.locator("tbody tr")).to_have_count(2)

    # Sorted by name: آ to ی.
    page.get_by_role("link", name="نام", exact=True).click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("نام")
    names = page.locator("tbody tr td:nth-child(3) a")
    expect(names).to_have_text(["بهرام", "زهرا"])
    page.screenshot(path=screenshots / "lists-contacts-filtered.png", full_page=True)

    # The company column hidden: gone from the table, the filters kept.
    headings = page.locator("thead th").count()
    page.get_by_role("button", name="ستون‌ها").click()
    page.get_by_label("شرکت", exact=True).uncheck()
    page.get_by_role("button", name="ذخیره ستون‌ها").click()
    expect(page.locator("thead th")).to_have_count(headings - 1)
    expect(page.locator("thead")).not_to_contain_text("شرکت")
    expect(page.locator("tbody tr")).to_have_count(2)

    # Saved under a name, then opened again from the menu after leaving the filters.
    page.get_by_role("button", name="نماها").click()
    page.locator("#contacts-view-name").fill("ویژه‌های فروردین استان")
    page.get_by_role("button", name="ذخیره نما").click()
    expect(page.get_by_text("ذخیره شد")).to_be_visible()
    page.goto("/contacts/")
    expect(page.locator("tbody tr")).to_have_count(5)
    page.get_by_role("button", name="نماها").click()
    page.get_by_role("link", name="ویژه‌های فروردین استان").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("نام")

    # The export holds exactly the filtered rows, in the page's order.
    with page.expect_download() as download:
        page.get_by_role("link", name="اکسل", exact=True).click()
    # Saved under its Persian name with the Jalali day, the half-space kept.
    assert re.fullmatch(
        r"مخاطبین [۰-۹]{4}-[۰-۹]{2}-[۰-۹]{2}\.xlsx", download.value.suggested_filename
    )
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    header = [cell.value for cell in sheet[1]]
    column = header.index("نام")
    exported = [row[column] for row in sheet.iter_rows(min_row=2, values_only=True) if row[column]]
    assert exported == ["بهرام", "زهرا"]

    # The ticked row only goes to the new owner.
    page.get_by_label("انتخاب زهرا").check()
    page.locator("select[name=owner-person]").select_option(label=str(newcomer))
    page.get_by_role("button", name="تغییر مالک", exact=True).click()
    expect(page.get_by_text("تغییر کرد")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(2)  # back to the same filtered page
    owners = dict(Contact.objects.values_list("name", "owner_id"))
    assert owners[zahra.name] == newcomer.pk
    assert owners[bahram.name] == rep.pk

    # At a phone's width the page does not scroll sideways: the table does.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("tbody tr")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_rep_shows_a_custom_field_as_a_column_and_reads_its_values(
    page, log_in, rep, screenshots
):
    """«ستون‌ها» offers each custom field of contacts; shown, its values read as people
    write them (a Jalali date and a number in Persian digits), and at a phone's width
    the page still does not scroll sideways."""
    signed = CustomField.objects.create(
        target="contacts.contact", label="تاریخ قرارداد", kind="date"
    )
    staff = CustomField.objects.create(
        target="contacts.contact", label="تعداد کارکنان", kind="number"
    )
    ContactFactory(
        owner=rep,
        name="پخش البرز",
        custom={signed.key: "2025-03-20", staff.key: 1250},  # 30 Esfand 1403
    )
    log_in(rep)

    page.goto("/contacts/")
    expect(page.locator("thead")).not_to_contain_text("تاریخ قرارداد")
    page.get_by_role("button", name="ستون‌ها").click()
    page.get_by_label("تاریخ قرارداد", exact=True).check()
    page.get_by_label("تعداد کارکنان", exact=True).check()
    page.get_by_role("button", name="ذخیره ستون‌ها").click()
    expect(page.locator("thead")).to_contain_text("تاریخ قرارداد")
    row = page.locator("tbody tr", has_text="پخش البرز")
    expect(row).to_contain_text("۱۴۰۳/۱۲/۳۰")
    expect(row).to_contain_text("۱٬۲۵۰")

    # Moved one column earlier by the menu's buttons, as any column.
    headings = page.locator("thead th")
    expect(headings.last).to_have_text("تعداد کارکنان")
    page.get_by_role("button", name="ستون‌ها").click()
    page.get_by_role("button", name="تعداد کارکنان یک ستون جلوتر").click()
    expect(headings.last).to_have_text("تاریخ قرارداد")
    expect(headings.nth(headings.count() - 2)).to_have_text("تعداد کارکنان")
    page.screenshot(path=screenshots / "lists-contacts-custom-column.png", full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(row).to_contain_text("۱۴۰۳/۱۲/۳۰")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
