"""Issue 24's journey in a real browser: a rep issues an invoice for a legal customer with
a good and a service; its PDF has every block of the official layout with phone numbers
and codes in the order they are read; the worker sends it to the fake سامانه مودیان on
loopback and the page shows «تأیید» and its tax ID. A second invoice is refused by the
system with a reason, corrected by a correction invoice from the page, and accepted."""

import datetime
import shutil
import subprocess

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peyvand.core.models import SiteSettings
from peyvand.core.text import to_persian_digits as fa
from peyvand.sales import services as sales
from peyvand.sales.models import Invoice, InvoiceSubject, Product, Quote, QuoteLine, VatRate
from peyvand.tax import sending
from peyvand.tax.fake_moadian import FakeMoadian
from peyvand.tax.models import TaxSubmission
from tests.e2e.test_messaging_journey import run_worker
from tests.sales.test_official_layout import printed
from tests.tax.conftest import MEMORY_ID
from tests.tax.helpers import configure, current_pair, legal_customer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def poppler(tool: str, *args) -> str:
    executable = shutil.which(tool)
    if executable is None:
        pytest.skip("poppler-utils not installed")
    result = subprocess.run([executable, *map(str, args)], capture_output=True, check=True)  # noqa: S603
    return result.stdout.decode()


@pytest.fixture
def fake():
    pair = current_pair()
    # The verdict comes on the first inquiry: the worker's one round settles it.
    with FakeMoadian(taxpayers={MEMORY_ID: [pair.certificate_pem]}, in_progress_inquiries=0) as f:
        f.pair = pair
        yield f


@pytest.fixture
def company(transactional_db, fake):
    configure(fake.pair, fake.url)
    row = SiteSettings.load()
    row.phone = "+982144556677"
    row.postal_code = "1513743111"
    row.address = "تهران، خیابان ملاصدرا، پلاک ۱۲"
    row.save()
    VatRate.objects.get_or_create(valid_from=datetime.date(2024, 3, 20), defaults={"percent": 10})
    return row


def catalogue() -> tuple[Product, Product]:
    good = Product.objects.create(
        code="UPS-3", name="یو پی اس ۳ کاوا", tax_id="2330001234567", unit="دستگاه",
        kind="goods", price=120_000_000,
    )  # fmt: skip
    service = Product.objects.create(
        code="SRV-INST", name="نصب و راه‌اندازی", tax_id="2330007654321", unit="ساعت",
        kind="service", price=2_500_000,
    )  # fmt: skip
    return good, service


def through_the_worker(fake) -> None:
    """The worker sends; the system decides; the worker's poll a few minutes later (it
    asks a minute after sending at the soonest) reads the verdict."""
    run_worker()
    fake.step()
    sending.poll(now=timezone.now() + datetime.timedelta(minutes=5))


def test_an_invoice_goes_to_moadian_and_a_refused_one_is_corrected(
    page, log_in, rep, fake, company, screenshots
):
    good, service = catalogue()
    buyer = legal_customer(rep, phones=[("landline", "+982188776655")])
    log_in(rep)

    # The rep writes the proforma with a good and a service, the customer accepts it,
    # the invoice is issued.
    page.goto(f"/sales/quotes/new/?contact={buyer.pk}")
    page.locator("#id_lines-0-product").select_option(label=good.name)
    page.locator("#id_lines-0-quantity").fill("۲")
    page.locator("#id_lines-1-product").select_option(label=service.name)
    page.locator("#id_lines-1-quantity").fill("۳")
    page.get_by_role("button", name="ذخیره").click()
    expect(page.get_by_text("ذخیره شد.")).to_be_visible()
    page.get_by_role("button", name="پذیرفته شد").click()
    page.get_by_role("button", name="صدور فاکتور").click()
    expect(page.get_by_text("صادر شد.")).to_be_visible()
    invoice = Invoice.objects.get()
    assert invoice.total == (2 * 120_000_000 + 3 * 2_500_000) * 110 // 100
    expect(page.locator("#moadian")).to_contain_text("در صف")

    # The official PDF, read as text and looked at as an image.
    with page.expect_download() as download:
        page.get_by_role("link", name="دریافت PDF").click()
    pdf = screenshots / "tax-journey-invoice.pdf"
    download.value.save_as(pdf)
    # Read without bidi marks and ZWNJ, in single spaces; poppler reads the لا ligature
    # back as «ال», so the texts looked for avoid it.
    text = " ".join(printed(poppler("pdftotext", pdf, "-")).split())
    for block in (
        "صورتحساب فروش", "و خدمات", "مشخصات فروشنده", "مشخصات خریدار", "شرایط و نحوه فروش",
        "مهر و امضای فروشنده", "مهر و امضای خریدار", buyer.name, "یو پی اس", "کاوا",
        "نصب و راه‌اندازی",
    ):  # fmt: skip
        assert printed(block) in text, block
    assert "۰۲۱ ۸۸۷۷ ۶۶۵۵" in text and "۶۶۵۵ ۸۸۷۷ ۰۲۱" not in text  # the buyer's phone
    assert "۰۲۱ ۴۴۵۵ ۶۶۷۷" in text  # the seller's
    assert fa("10101010101") in text and fa("2330001234567") in text
    poppler("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", pdf, pdf.with_suffix(""))

    # The worker sends it; the system accepts it; the page says so, with its tax ID.
    through_the_worker(fake)
    accepted = TaxSubmission.objects.get(invoice=invoice)
    assert accepted.status == TaxSubmission.Status.ACCEPTED, accepted.errors
    page.reload()
    expect(page.locator("#moadian")).to_contain_text("تأیید")
    expect(page.locator("#moadian")).to_contain_text(fa(accepted.tax_id))
    page.screenshot(path=screenshots / "tax-journey-accepted.png", full_page=True)

    # A second invoice: the system refuses it, with its reason on the page.
    quote = sales.quote_save(
        quote=Quote(contact=buyer),
        lines=[QuoteLine(product=good, description=good.name, unit=good.unit, quantity=1)],
        by=rep,
    )
    quote = sales.quote_set_status(quote=quote, by=rep, status=Quote.Status.ACCEPTED)
    second = sales.quote_to_invoice(quote=quote, by=rep)
    fake.reject_next("0303502", "شناسه کالا/خدمت ردیف ۱ با کالای فروخته‌شده منطبق نیست")
    through_the_worker(fake)
    page.goto(second.get_absolute_url())
    expect(page.locator("#moadian")).to_contain_text("رد")
    expect(page.locator("#moadian")).to_contain_text("با کالای فروخته‌شده منطبق نیست")

    # Corrected by a correction invoice: the row's price is fixed on the page.
    page.get_by_role("button", name="اصلاح / برگشت / ابطال").click()
    page.get_by_role("link", name="صدور فاکتور اصلاحی").click()
    expect(page.locator("#id_lines-0-description")).to_have_value(good.name)
    page.locator("#id_lines-0-unit_price").fill("۱۱۵٬۰۰۰٬۰۰۰")
    page.locator("#id_notes").fill("فی طبق توافق اصلاح شد")
    page.get_by_role("button", name="صدور فاکتور اصلاحی").click()
    expect(page.get_by_text("صادر شد.")).to_be_visible()
    correction = Invoice.objects.get(reference=second)
    assert correction.subject == InvoiceSubject.CORRECTION
    assert correction.total == 115_000_000 * 110 // 100
    through_the_worker(fake)
    sent = TaxSubmission.objects.get(invoice=correction)
    assert sent.status == TaxSubmission.Status.ACCEPTED, sent.errors
    page.reload()
    expect(page.locator("h1")).to_contain_text("اصلاحی")
    expect(page.locator("#moadian")).to_contain_text("تأیید")
    expect(page.locator("#moadian")).to_contain_text(fa(sent.tax_id))
    page.screenshot(path=screenshots / "tax-journey-correction.png", full_page=True)
    page.goto(second.get_absolute_url())
    expect(page.locator(".alert-warning")).to_contain_text("جایگزین شده است")
    expect(page.locator("#moadian")).not_to_contain_text("ارسال دوباره")
