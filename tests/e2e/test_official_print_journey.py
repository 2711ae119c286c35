"""The official invoice printed from the browser (issue 24): the invoice page's «چاپ»
opens the print view, which breaks no Content-Security-Policy rule, and what Chromium
prints keeps the phone numbers in the order they are dialled, on A4 or A5 paper."""

import datetime
import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from peyvand.contacts.models import Contact
from peyvand.core.models import SiteSettings
from peyvand.sales import services
from peyvand.sales.models import Quote, QuoteLine, VatRate
from tests.factories import ContactFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def poppler(tool: str, path) -> str:
    executable = shutil.which(tool)
    if executable is None:
        pytest.skip("poppler-utils not installed")
    command = [executable, str(path), *(["-"] if tool == "pdftotext" else [])]
    return subprocess.run(command, capture_output=True, check=True).stdout.decode()  # noqa: S603


def test_a_rep_prints_the_official_invoice_from_the_browser(page, log_in, rep, screenshots):
    VatRate.objects.get_or_create(valid_from=datetime.date(2024, 3, 20), defaults={"percent": 10})
    company = SiteSettings.load()
    company.legal_name, company.phone = "شرکت پیوند گستر پارس", "+982144556677"
    company.save()
    buyer = ContactFactory(
        owner=rep, name="بازرگانی نور", kind=Contact.Kind.ORGANIZATION,
        phones=[("landline", "+982188776655")],
    )  # fmt: skip
    quote = services.quote_save(
        quote=Quote(contact=buyer),
        lines=[QuoteLine(description="تابلو برق", quantity=2, unit_price=1_000_000, discount=100)],
        by=rep,
    )
    quote = services.quote_set_status(quote=quote, by=rep, status=Quote.Status.ACCEPTED)
    invoice = services.quote_to_invoice(quote=quote, by=rep)
    log_in(rep)

    page.goto(invoice.get_absolute_url())
    # The buyer lacks a postal code, an address and codes: said before anything prints.
    expect(page.locator("#missing-buyer-fields")).to_contain_text("کد پستی")
    page.get_by_role("link", name="چاپ").click()
    expect(page.locator("h1")).to_have_text("صورتحساب فروش کالا و خدمات")
    expect(page.get_by_role("button", name="چاپ")).to_be_visible()
    page.screenshot(path=screenshots / "official-print-view.png", full_page=True)

    for size, page_size in (("a4", (842, 595)), ("a5", (595, 420))):
        page.get_by_role("link", name=size.upper(), exact=True).click()
        expect(page.locator("article.official")).to_have_class(f"official official--{size}")
        pdf = screenshots / f"official-print-{size}.pdf"
        page.emulate_media(media="print")
        page.pdf(path=pdf, prefer_css_page_size=True)
        page.emulate_media(media="screen")
        info = poppler("pdfinfo", pdf)
        width, height = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups()
        assert (round(float(width)), round(float(height))) == page_size, info
        text = poppler("pdftotext", pdf)
        assert "۰۲۱ ۸۸۷۷ ۶۶۵۵" in text and "۶۶۵۵ ۸۸۷۷ ۰۲۱" not in text
        assert "۲٬۱۹۹٬۸۹۰" in text  # 2,000,000 − 100, plus 10% VAT
