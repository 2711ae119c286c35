"""One kind of digit on the page, in the form and in the PDF: a rep edits a proforma whose
inputs show Persian digits, types a line «خرید ۲۰ دستگاه» with a Persian quantity, and
reads it back in Persian on the page and in the PDF; Latin digits are what is stored."""

import datetime
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from peyvand.sales import services
from peyvand.sales.models import Quote, QuoteLine, VatRate
from tests.factories import ContactFactory
from tests.sales.test_official_layout import pdf_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_rep_types_persian_digits_and_reads_them_back_on_the_page_and_in_the_pdf(
    page, log_in, rep, screenshots
):
    VatRate.objects.get_or_create(valid_from=datetime.date(2024, 3, 20), defaults={"percent": 10})
    contact = ContactFactory(owner=rep, name="مهندس کیوان رستمی", phones=["+989123456789"])
    line = QuoteLine(description="تابلو برق", quantity=2, unit="دستگاه", unit_price=690_000_000)
    quote = services.quote_save(quote=Quote(contact=contact), lines=[line], by=rep)
    log_in(rep)

    page.goto(f"/sales/quotes/{quote.pk}/edit/")
    # What was stored in Latin digits shows in Persian in every input.
    expect(page.locator("#id_lines-0-quantity")).to_have_value("۲")
    expect(page.locator("#id_lines-0-unit_price")).to_have_value("۶۹۰,۰۰۰,۰۰۰")
    assert re.fullmatch("[۰-۹/]+", page.locator("#id_date").input_value())
    page.screenshot(path=screenshots / "digits-quote-form.png", full_page=True)

    page.locator("#id_lines-0-description").fill("خرید ۲۰ دستگاه")
    page.locator("#id_lines-0-quantity").fill("۲۰")
    page.get_by_role("button", name="ذخیره").click()
    expect(page.get_by_text("مالیات بر ارزش افزوده (۱۰٪)")).to_be_visible()

    saved = QuoteLine.objects.get(document=quote)
    assert (saved.description, saved.quantity) == ("خرید 20 دستگاه", 20)  # stored Latin
    expect(page.locator("main")).to_contain_text("خرید ۲۰ دستگاه")
    assert not re.search("[0-9]", page.locator("main").inner_text().replace("PDF", ""))

    with page.expect_download() as download:
        page.get_by_role("link", name="دریافت PDF").click()
    text = pdf_text(Path(download.value.path()).read_bytes())
    assert "خرید۲۰دستگاه" in re.sub(r"\s+", "", text)
    assert not re.search("[0-9]", text)
