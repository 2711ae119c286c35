"""Issue 25's journey on the cheque list (the money family) in a real browser: a
manager narrows the cheques in hand to the next 30 days and a customer's name, sorts by
amount, hides a column, saves the view, opens it again from «نماها», and exports it: the
Excel file holds exactly the filtered cheques, in the page's order."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from peyvand.core.dates import format_date
from peyvand.finance import services
from tests.e2e.excel import column, download_excel
from tests.factories import ContactFactory
from tests.finance.money import pay_back, receive, receive_cheque

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TODAY = datetime.date.today()


def test_a_manager_filters_sorts_saves_and_exports_the_cheque_list(
    page, log_in, manager, rep, screenshots
):
    nour = ContactFactory(owner=rep, name="فروشگاه نور")
    mehr = ContactFactory(owner=rep, name="صنایع مهرگان")

    def cheque(contact, amount, days, sayad):
        return receive_cheque(
            contact, manager, amount, due_date=TODAY + datetime.timedelta(days=days),
            sayad_id=sayad,
        )  # fmt: skip

    small = cheque(nour, 2_000_000, 5, "1000000000000001")
    large = cheque(nour, 9_000_000, 20, "1000000000000002")
    later = cheque(nour, 7_000_000, 90, "1000000000000003")  # past the next 30 days
    other = cheque(mehr, 5_000_000, 10, "1000000000000004")  # another customer
    cleared = cheque(nour, 4_000_000, 3, "1000000000000005")
    services.cheque_move(cheque=cleared, status="cleared", by=manager, date=TODAY)
    log_in(manager)

    page.goto("/finance/cheques/")
    # The list starts at the cheques in hand: the cleared one is not there.
    expect(page.get_by_text("وضعیت: در دست وصول")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(4)
    page.locator("select[name=due_period]").select_option(label="۳۰ روز آینده")
    expect(page).to_have_url(re.compile("due_period=next_30_days"))
    page.locator("#filter-q").fill("نور")
    page.locator("#filter-q").press("Enter")
    expect(page.get_by_text("«نور»")).to_be_visible()
    page.get_by_role("link", name="مبلغ").click()
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("مبلغ")
    latin = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
    sayads = page.locator("tbody tr td:nth-child(2) a")
    expect(sayads).to_have_count(2)
    assert [text.translate(latin) for text in sayads.all_inner_texts()] == [
        large.sayad_id, small.sayad_id
    ]  # fmt: skip
    page.screenshot(path=screenshots / "lists-cheques-filtered.png", full_page=True)

    # The bank column hidden; the filters kept.
    page.get_by_role("button", name="ستون‌ها").click()
    page.get_by_label("بانک", exact=True).uncheck()
    page.get_by_role("button", name="ذخیره ستون‌ها").click()
    expect(page.locator("thead")).not_to_contain_text("بانک")
    expect(page.locator("tbody tr")).to_have_count(2)

    # Saved, left, and opened again from the menu.
    page.get_by_role("button", name="نماها").click()
    page.locator("#cheques-view-name").fill("چک‌های نور این ماه")
    page.get_by_role("button", name="ذخیره نما").click()
    expect(page.get_by_text("ذخیره شد")).to_be_visible()
    page.goto("/finance/cheques/?status=all")
    expect(page.locator("tbody tr")).to_have_count(5)
    page.get_by_role("button", name="نماها").click()
    page.get_by_role("link", name="چک‌های نور این ماه").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("مبلغ")
    expect(page.locator("thead")).not_to_contain_text("بانک")

    # The export holds exactly the filtered cheques, in the page's order.
    exported = column(*download_excel(page), "شناسه صیادی")
    assert exported == [large.sayad_id, small.sayad_id]
    assert {later.sayad_id, other.sayad_id, cleared.sayad_id}.isdisjoint(exported)


def _rials(text: str) -> int:
    return int(re.sub(r"\D", "", text.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))))


def test_a_manager_totals_and_exports_a_customers_receipts_over_a_date_range(
    page, log_in, manager, rep, screenshots
):
    """A customer's receipts and payments (picked by typing its name) over a typed
    Jalali range: the footer's two lines are the shown rows' sums, money in and money
    out apart, and the Excel file holds the same rows, in the page's order."""
    nour = ContactFactory(owner=rep, name="فروشگاه نور")
    mehr = ContactFactory(owner=rep, name="صنایع مهرگان")

    def ago(days):
        return TODAY - datetime.timedelta(days=days)

    large = receive(nour, manager, 3_000_000, date=ago(5))
    small = receive(nour, manager, 2_000_000, date=ago(10))
    refund = pay_back(nour, manager, 500_000, date=ago(7))
    old = receive(nour, manager, 4_000_000, date=ago(100))
    other = receive(mehr, manager, 6_000_000, date=ago(3))
    log_in(manager)

    page.goto("/finance/receipts/")
    expect(page.locator("tbody tr")).to_have_count(5)
    page.locator("#filter-contact-ts-control").click()
    page.keyboard.type("نور", delay=50)
    page.get_by_role("option", name="فروشگاه نور").click()
    expect(page).to_have_url(re.compile(f"contact={nour.pk}"))
    start = format_date(ago(30), "jalali", "fa", "short")
    page.get_by_label("تاریخ: از").fill(start)
    page.get_by_label("تاریخ: تا").fill(format_date(TODAY, "jalali", "fa", "short"))
    page.get_by_label("تاریخ: تا").press("Enter")
    expect(page.get_by_text(f"تاریخ: از {start}")).to_be_visible()
    expect(page.get_by_text("طرف حساب: فروشگاه نور")).to_be_visible()
    page.get_by_role("link", name="مبلغ", exact=True).click()
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("مبلغ")
    numbers = page.locator("tbody tr td:first-child a")
    expect(numbers).to_have_count(3)
    latin = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
    shown = [text.translate(latin) for text in numbers.all_inner_texts()]
    assert shown == [large.number, small.number, refund.number]

    # Each footer line is the sum of its direction's rows on the page.
    headings = [text.strip() for text in page.locator("thead th").all_inner_texts()]
    amount_at, direction_at = headings.index("مبلغ"), headings.index("نوع")
    sums = {"دریافت": 0, "پرداخت": 0}
    for row in page.locator("tbody tr").all():
        cells = row.locator("td")
        sums[cells.nth(direction_at).inner_text()] += _rials(cells.nth(amount_at).inner_text())
    assert sums == {"دریافت": 5_000_000, "پرداخت": 500_000}
    footer = page.locator("#list-totals")
    expect(footer).to_contain_text("دریافت: ۲ فقره، ۵٬۰۰۰٬۰۰۰")
    expect(footer).to_contain_text("پرداخت: ۱ فقره، ۵۰۰٬۰۰۰")

    # The export: the same rows in the same order, the same sums.
    header, lines = download_excel(page)
    assert [line[header.index("شماره")] for line in lines] == shown
    kind_at, rials_at = header.index("نوع"), header.index("مبلغ (ریال)")
    assert {kind: sum(line[rials_at] for line in lines if line[kind_at] == kind)
            for kind in sums} == sums  # fmt: skip
    assert {old.number, other.number}.isdisjoint(line[0] for line in lines)

    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        expect(page.locator("#list-totals")).to_contain_text("۵٬۰۰۰٬۰۰۰")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=screenshots / f"lists-receipts-{width}.png", full_page=True)
