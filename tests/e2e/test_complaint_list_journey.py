"""Issue 25's journey on the complaint list (the service family) in a real browser: from
«شکایت‌های من» a manager's search finds a complaint in another tab (and the page says the
search looked in every tab); then on «همه شکایت‌ها» they filter by product, staff member,
control officer and a typed Jalali date range, sort oldest first, hide a column (and stay
on the tab), save the view, open it again from «نماها» and export it: the Excel file holds
exactly the filtered rows, in the page's order."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peyvand.accounts.roles import SUPPORT
from peyvand.core.dates import format_date
from peyvand.sales.models import Product
from peyvand.service import services
from peyvand.service.models import Complaint
from tests.e2e.excel import column, download_excel
from tests.factories import ContactFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LATIN = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")


def test_a_manager_searches_filters_sorts_saves_and_exports_the_complaint_list(
    page, log_in, manager, rep, screenshots
):
    support = UserFactory(username="poshtiban", first_name="کاوه", last_name="مرادی", role=SUPPORT)
    nour = ContactFactory(owner=rep, name="فروشگاه نور")
    printer = Product.objects.create(code="P1", name="چاپگر لیزری", price=1000)
    software = Product.objects.create(code="S1", name="نرم‌افزار حسابداری", price=1000)
    today = timezone.localdate()

    def complaint(description, *, officer, days_ago, by=None, **fields):
        item = Complaint(contact=nour, officer=officer, description=description, **fields)
        item = services.complaint_register(complaint=item, by=by or rep)
        Complaint.objects.filter(pk=item.pk).update(date=today - datetime.timedelta(days=days_ago))
        return item

    # The two that every filter below keeps: the printer, about the support colleague,
    # the rep its control officer, within the last month.
    older = complaint("چاپگر دیر رسید", officer=rep, days_ago=10, product=printer, staff=support)
    newer = complaint("چاپگر خراب بود", officer=rep, days_ago=3, product=printer, staff=support)
    # Each of these misses exactly one filter.
    boxed = complaint("کارتن شکسته رسید", officer=rep, days_ago=2, staff=support)  # no product
    others = [
        complaint("نصب ناقص", officer=rep, days_ago=4, product=software, staff=support),
        complaint("چاپگر بدون کابل", officer=rep, days_ago=5, product=printer, staff=rep),
        complaint("چاپگر دوم", officer=manager, days_ago=6, product=printer, staff=support),
        complaint("چاپگر پارسال", officer=rep, days_ago=100, product=printer, staff=support),
    ]
    log_in(manager)

    # «شکایت‌های من» (the manager is their control officer) does not hold the rep's
    # complaints; a search finds one all the same, and says where it looked.
    page.goto("/service/complaints/")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("چاپگر دوم")
    page.locator("#filter-q").fill("شکسته")
    page.locator("#filter-q").press("Enter")
    expect(page.get_by_text("جستجو در همه شکایت‌هایی است که می‌بینید")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr td:first-child a")).to_have_text(
        boxed.tracking_code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    )

    page.get_by_role("link", name="همه شکایت‌ها").click()
    expect(page.locator("tbody tr")).to_have_count(7)
    page.get_by_text("فیلترهای بیشتر").click()
    page.locator("#filter-product").select_option(label="چاپگر لیزری")
    expect(page).to_have_url(re.compile(f"product={printer.pk}"))
    page.locator("#filter-staff").select_option(label=str(support))
    expect(page).to_have_url(re.compile(f"staff={support.pk}"))
    page.locator("#filter-officer").select_option(label=str(rep))
    expect(page).to_have_url(re.compile(f"officer={rep.pk}"))
    expect(page.locator("tbody tr")).to_have_count(3)
    # The last month, typed in Persian digits as a Jalali date.
    start = format_date(today - datetime.timedelta(days=30), "jalali", "fa", "short")
    page.get_by_label("تاریخ: از").fill(start)
    page.get_by_label("تاریخ: تا").fill(format_date(today, "jalali", "fa", "short"))
    page.get_by_label("تاریخ: تا").press("Enter")
    expect(page).to_have_url(re.compile("date_from="))
    expect(page.get_by_text(f"تاریخ: از {start}")).to_be_visible()  # its chip
    expect(page.locator("tbody tr")).to_have_count(2)
    assert "view=all" in page.url  # still the tab of everything

    # Oldest first: the date's heading turns the newest-first order around.
    page.get_by_role("link", name="تاریخ", exact=True).click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("تاریخ")
    codes = page.locator("tbody tr td:first-child a")
    expect(codes).to_have_count(2)
    shown = [text.translate(LATIN) for text in codes.all_inner_texts()]
    assert shown == [older.tracking_code, newer.tracking_code]
    page.screenshot(path=screenshots / "lists-complaints-filtered.png", full_page=True)

    # The source column hidden: gone from the table; the tab and the filters kept.
    headings = page.locator("thead th").count()
    page.get_by_role("button", name="ستون‌ها").click()
    page.get_by_label("منبع", exact=True).uncheck()
    page.get_by_role("button", name="ذخیره ستون‌ها").click()
    expect(page.locator("thead th")).to_have_count(headings - 1)
    expect(page.locator("thead")).not_to_contain_text("منبع")
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("تاریخ")

    # Saved under a name, then opened again from the menu after leaving the filters.
    page.get_by_role("button", name="نماها").click()
    page.locator("#complaints-view-name").fill("چاپگرهای کاوه ماه اخیر")
    page.get_by_role("button", name="ذخیره نما").click()
    expect(page.get_by_text("ذخیره شد")).to_be_visible()
    page.goto("/service/complaints/")
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_role("button", name="نماها").click()
    page.get_by_role("link", name="چاپگرهای کاوه ماه اخیر").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("تاریخ")
    expect(page.locator("thead")).not_to_contain_text("منبع")
    expect(page.locator(".nav-pills .active")).to_have_text("همه شکایت‌ها")

    # The export holds exactly the filtered rows, in the page's order.
    header, rows = download_excel(page)
    exported_codes = column(header, rows, "کد پیگیری")
    assert exported_codes == [older.tracking_code, newer.tracking_code]
    assert {boxed.tracking_code, *(item.tracking_code for item in others)}.isdisjoint(
        exported_codes
    )
    assert "شرح شکایت" in header

    # A laptop's and a phone's width: the page itself never scrolls sideways.
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        expect(page.locator("tbody tr")).to_have_count(2)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=screenshots / f"lists-complaints-{width}.png", full_page=True)
