"""Issue 25's journey on the invoice list (the sales documents family) in a real
browser: a manager filters by a period preset, a payment state and a customer's name,
sorts by amount, hides a column, saves the view, opens it again from the «نماها» menu,
and exports it: the Excel file holds exactly the filtered rows, in the page's order."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from peyvand.core.dates import format_date
from peyvand.sales import services as sales
from peyvand.sales.models import GoodsOrService, Invoice, Quote, QuoteLine
from tests.e2e.excel import column, download_excel
from tests.factories import ContactFactory
from tests.finance.money import issue_invoice, receive

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_manager_filters_sorts_saves_and_exports_the_invoice_list(
    page, log_in, manager, rep, screenshots
):
    nour = ContactFactory(owner=rep, name="فروشگاه نور")
    mehr = ContactFactory(owner=rep, name="صنایع مهرگان")
    small = issue_invoice(nour, rep, 2_000_000)
    large = issue_invoice(nour, rep, 9_000_000)
    paid = issue_invoice(nour, rep, 4_000_000)
    receive(nour, manager, 4_000_000, targets=[(paid.entries.get().pk, 4_000_000)])
    other = issue_invoice(mehr, rep, 5_000_000)
    old = issue_invoice(nour, rep, 7_000_000)
    long_ago = datetime.date.today() - datetime.timedelta(days=500)
    Invoice.objects.filter(pk=old.pk).update(date=long_ago, due_date=long_ago)
    log_in(manager)

    page.goto("/sales/invoices/")
    # A preset and a choice apply as soon as they are picked.
    page.locator("select[name=date_period]").select_option(label="امسال")
    expect(page).to_have_url(re.compile("date_period=this_year"))
    page.locator("#filter-payment").select_option(label="پرداخت‌نشده")
    expect(page).to_have_url(re.compile("payment=unpaid"))
    page.locator("#filter-q").fill("نور")
    page.locator("#filter-q").press("Enter")
    expect(page.get_by_text("«نور»")).to_be_visible()  # the text's chip
    # Sorted by amount, largest first.
    page.get_by_role("link", name="مبلغ کل").click()
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("مبلغ کل")
    rows = page.locator("tbody tr td:first-child a")
    expect(rows).to_have_count(2)
    latin = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
    assert [text.translate(latin) for text in rows.all_inner_texts()] == [
        large.number, small.number
    ]  # fmt: skip
    expect(page.locator("#document-totals")).to_contain_text("۱۱٬۰۰۰٬۰۰۰")
    page.screenshot(path=screenshots / "lists-invoices-filtered.png", full_page=True)

    # The kind column hidden: gone from the table, the filters kept.
    page.get_by_role("button", name="ستون‌ها").click()
    page.get_by_label("نوع", exact=True).uncheck()
    page.get_by_role("button", name="ذخیره ستون‌ها").click()
    expect(page.locator("thead th")).to_have_count(6)
    expect(page.locator("thead")).not_to_contain_text("نوع")
    expect(page.locator("tbody tr")).to_have_count(2)

    # Saved under a name, then opened again from the menu after leaving the filters.
    page.get_by_role("button", name="نماها").click()
    page.locator("#invoices-view-name").fill("بدهی‌های نور امسال")
    page.get_by_role("button", name="ذخیره نما").click()
    expect(page.get_by_text("ذخیره شد")).to_be_visible()
    page.goto("/sales/invoices/")
    expect(page.locator("tbody tr")).to_have_count(5)
    page.get_by_role("button", name="نماها").click()
    page.get_by_role("link", name="بدهی‌های نور امسال").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("مبلغ کل")

    # The export holds exactly the filtered rows, in the page's order.
    exported = column(*download_excel(page), "شماره")
    assert exported == [large.number, small.number]
    assert other.number not in exported and old.number not in exported


def _rials(text: str) -> int:
    return int(re.sub(r"\D", "", text.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))))


def test_a_manager_totals_and_exports_a_customers_proformas_over_a_date_range(
    page, log_in, manager, rep, screenshots
):
    """The proformas of one customer (picked by typing its name) over a typed Jalali
    range: the footer's figures are the shown rows' sum — a cancelled proforma listed
    and counted, not summed, and said so — and the Excel file holds the same rows."""
    today = datetime.date.today()
    nour = ContactFactory(owner=rep, name="فروشگاه نور")
    mehr = ContactFactory(owner=rep, name="صنایع مهرگان")

    def proforma(contact, amount, days_ago, kind=GoodsOrService.GOODS, cancelled=False):
        quote = sales.quote_save(
            quote=Quote(contact=contact, kind=kind),
            lines=[QuoteLine(description="دستگاه یو پی اس", unit_price=amount, vat_applies=False)],
            by=rep,
        )
        if cancelled:
            sales.quote_set_status(quote=quote, by=rep, status=Quote.Status.CANCELLED, reason="لغو")
        Quote.objects.filter(pk=quote.pk).update(date=today - datetime.timedelta(days=days_ago))
        return quote

    goods = proforma(nour, 3_000_000, 5)
    service = proforma(nour, 2_500_000, 12, kind=GoodsOrService.SERVICE)
    cancelled = proforma(nour, 7_000_000, 8, cancelled=True)
    old = proforma(nour, 4_000_000, 400)
    other = proforma(mehr, 6_000_000, 3)
    log_in(manager)

    page.goto("/sales/quotes/")
    expect(page.locator("tbody tr")).to_have_count(5)
    page.locator("#filter-contact-ts-control").click()
    page.keyboard.type("نور", delay=50)
    page.get_by_role("option", name="فروشگاه نور").click()
    expect(page).to_have_url(re.compile(f"contact={nour.pk}"))
    start = format_date(today - datetime.timedelta(days=30), "jalali", "fa", "short")
    page.get_by_label("تاریخ: از").fill(start)
    page.get_by_label("تاریخ: تا").fill(format_date(today, "jalali", "fa", "short"))
    page.get_by_label("تاریخ: تا").press("Enter")
    expect(page.get_by_text(f"تاریخ: از {start}")).to_be_visible()
    expect(page.get_by_text("مشتری: فروشگاه نور")).to_be_visible()
    page.get_by_role("link", name="مبلغ کل").click()
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("مبلغ کل")
    numbers = page.locator("tbody tr td:first-child a")
    expect(numbers).to_have_count(3)
    latin = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
    shown = [text.translate(latin) for text in numbers.all_inner_texts()]
    assert shown == [cancelled.number, goods.number, service.number]

    # The footer is the sum of the rows shown, but for the cancelled one.
    headings = [text.strip() for text in page.locator("thead th").all_inner_texts()]
    amount_at, status_at = headings.index("مبلغ کل"), headings.index("وضعیت")
    summed = [
        _rials(row.locator("td").nth(amount_at).inner_text())
        for row in page.locator("tbody tr").all()
        if row.locator("td").nth(status_at).inner_text() != "لغو شده"
    ]
    assert sum(summed) == 5_500_000
    footer = page.locator("#document-totals")
    expect(footer).to_contain_text("کالا: ۲ پیش فاکتور، ۳٬۰۰۰٬۰۰۰")
    expect(footer).to_contain_text("خدمات: ۱ پیش فاکتور، ۲٬۵۰۰٬۰۰۰")
    expect(footer).to_contain_text("جمع: ۳ پیش فاکتور، ۵٬۵۰۰٬۰۰۰")
    expect(footer).to_contain_text("۱ پیش فاکتور لغوشده در مبلغ‌ها نیامده است")

    # The export: the same rows in the same order, the same sum without the cancelled.
    header, lines = download_excel(page)
    assert [line[header.index("شماره")] for line in lines] == shown
    total_at, state_at = header.index("جمع کل (ریال)"), header.index("وضعیت")
    assert sum(line[total_at] for line in lines if line[state_at] != "لغو شده") == 5_500_000
    assert {old.number, other.number}.isdisjoint(line[0] for line in lines)

    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        expect(page.locator("#document-totals")).to_contain_text("۵٬۵۰۰٬۰۰۰")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=screenshots / f"lists-quotes-{width}.png", full_page=True)
