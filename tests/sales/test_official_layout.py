"""The official layout of invoices (صورتحساب فروش کالا و خدمات) and proformas (issue 24
point 1): seller and buyer blocks, a row per line with every column, correct totals and
their words, payment terms, stamp and signature boxes; A4 and A5; the browser's print
view; and the buyer fields an invoice lacks, listed before the PDF is made."""

import datetime
import io
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from peyvand.contacts.models import Contact, Region
from peyvand.core.models import SiteSettings
from peyvand.core.text import to_persian_digits
from peyvand.core.trees import node_create
from peyvand.sales import services
from peyvand.sales.documents import missing_buyer_fields
from peyvand.sales.models import Product, Quote, QuoteLine
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

PDFTOTEXT = shutil.which("pdftotext")
PDFINFO = shutil.which("pdfinfo")
BUYER_PHONE = "+982188776655"  # printed «۰۲۱ ۸۸۷۷ ۶۶۵۵»


def poppler(tool: str | None, content: bytes) -> str:
    """What poppler's ``tool`` (pdftotext, pdfinfo) says of the PDF."""
    if tool is None:  # poppler-utils: installed by .ci/run
        message = "poppler-utils not installed (apt-get install poppler-utils)"
        if os.environ.get("PEYVAND_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{message}; CI requires it")
        pytest.skip(message)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(content)
        file.flush()
        return subprocess.run(  # noqa: S603 - poppler's own tools
            # pdftotext writes to its second argument, "-" being the standard output.
            [tool, file.name, *(["-"] if tool == PDFTOTEXT else [])],
            capture_output=True,
            check=True,
        ).stdout.decode()


# pdftotext wraps runs in bidi marks and drops the half-space (ZWNJ); the texts
# compared here go without both. It also reads the لا ligature back as «ال», so the
# texts looked for avoid it («صورتحساب فروش … و خدمات»).
PDF_MARKS = re.compile("[\u200c\u202a-\u202e\u2066-\u2069]")


def pdf_text(content: bytes) -> str:
    if os.environ.get("PEYVAND_DUMP_PDF"):  # to look at: pdftoppm -png -r 80
        Path(os.environ["PEYVAND_DUMP_PDF"]).write_bytes(content)
    return PDF_MARKS.sub("", poppler(PDFTOTEXT, content))


def page_size(pdfinfo: str) -> tuple[int, int]:
    width, height = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", pdfinfo).groups()
    return round(float(width)), round(float(height))


def printed(text: str) -> str:
    return PDF_MARKS.sub("", text)


def png(color=(180, 20, 20)) -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 30), color).save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name="image.png")


@pytest.fixture
def company(db) -> SiteSettings:
    settings = SiteSettings.load()
    settings.company_name = "پیوند"
    settings.legal_name = "شرکت پیوند گستر پارس"
    settings.economic_code = "10380284790"
    settings.national_id = "10380284790"
    settings.registration_number = "45678"
    settings.province, settings.city = "تهران", "تهران"
    settings.address = "خیابان ولیعصر، پلاک ۱۲"
    settings.postal_code = "1234567890"
    settings.phone = "+982144556677"
    settings.logo.save("logo.png", png(), save=False)
    settings.stamp.save("stamp.png", png((20, 20, 180)), save=False)
    settings.save()
    return settings


@pytest.fixture
def buyer(personas) -> Contact:
    province = node_create(node=Region(name="اصفهان"))
    city = node_create(node=Region(name="کاشان", parent=province))
    contact = ContactFactory(
        owner=personas.owner,
        name="بازرگانی نور",
        kind=Contact.Kind.ORGANIZATION,
        economic_code="14003965581",
        national_id="14003965581",
        registration_number="9876",
        address="بلوار امیرکبیر، کوچه ۳",
        postal_code="8715987654",
        region=city,
        phones=[("landline", BUYER_PHONE)],
    )
    return contact


def make_quote(contact, by, **fields) -> Quote:
    panel = Product.objects.create(code="P-100", name="تابلو برق", unit="دستگاه", price=1_000_000)
    quote = Quote(contact=contact, notes="تحویل درب انبار خریدار", **fields)
    lines = [
        QuoteLine(product=panel, description="تابلو برق", quantity=2, unit="دستگاه",
                  unit_price=1_000_000, discount=100_000),
        QuoteLine(description="نصب و راه‌اندازی", quantity=3, unit="ساعت", unit_price=150_000,
                  vat_applies=False),
    ]  # fmt: skip
    return services.quote_save(quote=quote, lines=lines, by=by)


def make_invoice(contact, by, **fields):
    quote = make_quote(contact, by, **fields)
    quote = services.quote_set_status(quote=quote, by=by, status=Quote.Status.ACCEPTED)
    return services.quote_to_invoice(quote=quote, by=by)


def test_the_invoice_pdf_has_every_block_and_the_right_totals(client, personas, company, buyer):
    invoice = make_invoice(buyer, personas.owner, payment_terms="credit", credit_days=30)
    # 2 × 1,000,000 − 100,000 = 1,900,000 (+10% VAT 190,000); 3 × 150,000 = 450,000 exempt
    assert (invoice.subtotal, invoice.discount_total) == (2_450_000, 100_000)
    assert (invoice.vat_total, invoice.total) == (190_000, 2_540_000)
    client.force_login(personas.owner)
    response = client.get(reverse("sales:invoice_pdf", args=[invoice.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in [
        "صورتحساب فروش",
        "و خدمات",
        "فروشنده",
        "شرکت پیوند گستر پارس",
        "۱۰۳۸۰۲۸۴۷۹۰",  # the seller's economic code and national ID
        "۴۵۶۷۸",
        "۱۲۳۴۵۶۷۸۹۰",
        "خیابان ولیعصر",
        "خریدار",
        "بازرگانی نور",
        "۱۴۰۰۳۹۶۵۵۸۱",
        "۹۸۷۶",
        "اصفهان",  # the region and the one above it
        "کاشان",
        "بلوار امیرکبیر",
        "۸۷۱۵۹۸۷۶۵۴",
        "P-۱۰۰",  # the product code
        "تابلو برق",
        "نصب و راه‌اندازی",
        "مبلغ کل پس از تخفیف",
        "جمع مالیات و عوارض",
        "۲٬۴۵۰٬۰۰۰",  # before discount
        "۱۰۰٬۰۰۰",  # discount
        "۲٬۳۵۰٬۰۰۰",  # after discount
        "۱۹۰٬۰۰۰",  # VAT
        "۲٬۵۴۰٬۰۰۰",  # payable
        "جمع کل (مبلغ قابل پرداخت)",
        "دو میلیون و پانصد و چهل هزار ریال",
        "غیرنقدی",
        "۳۰",
        "روزه",
        "تحویل درب انبار خریدار",
        "مهر و امضای فروشنده",
        "مهر و امضای خریدار",
    ]:
        assert printed(expected) in text, expected
    assert "پیش فاکتور" not in text and "اعتبار تا" not in text


def test_the_grand_total_is_the_payable_amount_not_the_sum_before_discount(
    client, personas, company, buyer
):
    """Issue 24: «جمع کل» printed the sum before the discount. The print view has the
    PDF's body, so its HTML shows which amount stands beside which label."""
    invoice = make_invoice(buyer, personas.owner)
    client.force_login(personas.owner)
    page = client.get(reverse("sales:invoice_print", args=[invoice.pk])).content.decode()
    totals = dict(re.findall(r"<tr[^>]*><th>([^<]+)</th><td class=\"num\">([^<]+)</td></tr>", page))
    assert totals == {
        "جمع مبلغ قبل از تخفیف": "۲٬۴۵۰٬۰۰۰ ریال",
        "جمع تخفیف": "۱۰۰٬۰۰۰ ریال",
        "جمع مبلغ پس از تخفیف": "۲٬۳۵۰٬۰۰۰ ریال",
        "مالیات و عوارض ارزش افزوده (۱۰٪)": "۱۹۰٬۰۰۰ ریال",
        "جمع کل (مبلغ قابل پرداخت)": "۲٬۵۴۰٬۰۰۰ ریال",
    }
    detail = client.get(invoice.get_absolute_url()).content.decode()
    assert "جمع مبلغ قبل از تخفیف" in detail and "جمع مبلغ پس از تخفیف" in detail
    assert "۲٬۳۵۰٬۰۰۰" in detail


def test_phone_numbers_and_codes_are_not_reversed(client, personas, company, buyer):
    invoice = make_invoice(buyer, personas.owner)
    client.force_login(personas.owner)
    text = pdf_text(client.get(reverse("sales:invoice_pdf", args=[invoice.pk])).content)
    # Groups in the order they are dialled, not «۶۶۵۵ ۸۸۷۷ ۰۲۱».
    assert "۰۲۱ ۸۸۷۷ ۶۶۵۵" in text
    assert "۰۲۱ ۴۴۵۵ ۶۶۷۷" in text  # the seller's
    assert "۶۶۵۵ ۸۸۷۷ ۰۲۱" not in text and "۶۶۷۷ ۴۴۵۵ ۰۲۱" not in text
    year, serial = invoice.number.split("/")
    assert f"{to_persian_digits(year)}/{to_persian_digits(serial)}" in text


def test_a_proforma_prints_its_title_and_validity_date(client, personas, company, buyer):
    quote = make_quote(buyer, personas.owner, valid_until=datetime.date(2026, 12, 1))
    client.force_login(personas.owner)
    text = pdf_text(client.get(reverse("sales:quote_pdf", args=[quote.pk])).content)
    assert "پیش فاکتور" in text
    assert "صورتحساب فروش" not in text
    assert "اعتبار تا" in text and "۱۴۰۵/۰۹/۱۰" in text
    assert "نقدی" in text and "غیرنقدی" in text  # both boxes, cash ticked


def test_the_pdf_is_a4_by_default_and_a5_on_request(client, personas, company, buyer):
    invoice = make_invoice(buyer, personas.owner)
    client.force_login(personas.owner)
    url = reverse("sales:invoice_pdf", args=[invoice.pk])
    a4 = poppler(PDFINFO, client.get(url).content)
    a5_pdf = client.get(url, {"size": "a5"}).content
    a5 = poppler(PDFINFO, a5_pdf)
    # Landscape: A4 is 842 × 595 points, A5 595 × 420.
    assert page_size(a4) == (842, 595), a4
    assert page_size(a5) == (595, 420), a5
    assert "Pages:           1" in a5
    assert "۲٬۵۴۰٬۰۰۰" in pdf_text(a5_pdf)
    odd = client.get(url, {"size": "letter"}).content
    assert page_size(poppler(PDFINFO, odd)) == (842, 595)


def test_the_print_view_shows_the_same_layout_with_a_print_button(client, personas, company, buyer):
    invoice = make_invoice(buyer, personas.owner)
    client.force_login(personas.owner)
    response = client.get(reverse("sales:invoice_print", args=[invoice.pk]), {"size": "a5"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "صورتحساب فروش کالا و خدمات" in page
    assert "official--a5" in page and "official.css" in page
    assert "data-print" in page and "print.js" in page
    assert '<bdi dir="ltr" class="ltr-code">۰۲۱ ۸۸۷۷ ۶۶۵۵</bdi>' in page
    assert 'src="data:image/png;base64,' in page  # the logo and the stamp
    assert "جمع کل (مبلغ قابل پرداخت)" in page
    assert "missing-buyer-fields" not in page and "print-warning" not in page
    quote_page = client.get(reverse("sales:quote_print", args=[invoice.quote.pk])).content
    assert "اعتبار تا" in quote_page.decode() and "official--a4" in quote_page.decode()


def test_the_official_layout_prints_persian_digits_whatever_the_user_reads(
    client, personas, company, buyer
):
    personas.owner.digits = "en"
    personas.owner.save(update_fields=["digits"])
    invoice = make_invoice(buyer, personas.owner)
    client.force_login(personas.owner)
    page = client.get(reverse("sales:invoice_print", args=[invoice.pk])).content.decode()
    assert "۲٬۵۴۰٬۰۰۰" in page
    assert "تحویل درب انبار خریدار" in page and "P-۱۰۰" in page  # typed text too


def test_missing_buyer_fields_of_a_legal_person(personas):
    contact = ContactFactory(owner=personas.owner, kind=Contact.Kind.ORGANIZATION)
    assert missing_buyer_fields(contact) == ["کد اقتصادی یا شناسه ملی", "کد پستی", "نشانی"]
    contact.national_id = "14003965581"
    contact.address = "  "
    assert missing_buyer_fields(contact) == ["کد پستی", "نشانی"]
    contact.postal_code, contact.address = "8715987654", "کاشان"
    assert missing_buyer_fields(contact) == []


def test_missing_buyer_fields_of_a_natural_person(personas):
    contact = ContactFactory(owner=personas.owner, kind=Contact.Kind.PERSON)
    assert missing_buyer_fields(contact) == ["کد ملی"]
    contact.national_id = "0012345679"
    assert missing_buyer_fields(contact) == []


def test_the_invoice_page_lists_the_missing_buyer_fields_with_a_link_to_the_contact(
    client, personas, company
):
    contact = ContactFactory(owner=personas.owner, kind=Contact.Kind.ORGANIZATION, address="قم")
    invoice = make_invoice(contact, personas.owner)
    client.force_login(personas.owner)
    page = client.get(invoice.get_absolute_url()).content.decode()
    assert 'id="missing-buyer-fields"' in page
    assert "کد اقتصادی یا شناسه ملی، کد پستی" in page
    assert "نشانی</strong>" not in page  # the address is there
    assert reverse("contacts:edit", args=[contact.pk]) in page
    # It warns; the PDF and the print view are still made, printing what there is.
    assert client.get(reverse("sales:invoice_pdf", args=[invoice.pk])).status_code == 200
    printed = client.get(reverse("sales:invoice_print", args=[invoice.pk])).content.decode()
    assert "print-warning" in printed and "کد اقتصادی یا شناسه ملی" in printed


def test_the_proforma_page_warns_before_the_invoice_is_issued(client, personas, company):
    contact = ContactFactory(owner=personas.owner, kind=Contact.Kind.PERSON)
    quote = make_quote(contact, personas.owner)
    client.force_login(personas.owner)
    assert "missing-buyer-fields" not in client.get(quote.get_absolute_url()).content.decode()
    services.quote_set_status(quote=quote, by=personas.owner, status=Quote.Status.ACCEPTED)
    page = client.get(quote.get_absolute_url()).content.decode()
    assert 'id="missing-buyer-fields"' in page and "<strong>کد ملی</strong>" in page
    assert "صدور فاکتور" in page  # it does not block issuing


def test_the_pdf_prints_without_company_identity_or_images(client, personas, buyer):
    invoice = make_invoice(buyer, personas.owner)
    client.force_login(personas.owner)
    text = pdf_text(client.get(reverse("sales:invoice_pdf", args=[invoice.pk])).content)
    assert "پیوند" in text  # the company name stands for the legal name
    assert "مهر و امضای فروشنده" in text


def test_a_line_prints_its_product_s_tax_identifier(client, personas, company, buyer):
    invoice = make_invoice(buyer, personas.owner)
    Product.objects.filter(code="P-100").update(tax_id="2710000123456")
    client.force_login(personas.owner)
    page = client.get(reverse("sales:invoice_print", args=[invoice.pk])).content.decode()
    assert '<bdi dir="ltr" class="ltr-code">۲۷۱۰۰۰۰۱۲۳۴۵۶</bdi>' in page
    text = pdf_text(client.get(reverse("sales:invoice_pdf", args=[invoice.pk])).content)
    assert "۲۷۱۰۰۰۰۱۲۳۴۵۶" in text
