"""An issued invoice is never edited: a correction, a return or a cancellation is a new
invoice that replaces it. The customer's account then owes the new version (what paid
the old one pays it), the old one says it was replaced, reports count the sale once,
and the pages explain refusals in Persian and keep what was typed."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from peyvand.core.models import ChangeRecord
from peyvand.finance.models import Account, Entry
from peyvand.sales import selectors
from peyvand.sales import services as sales
from peyvand.sales.models import Invoice, InvoiceLine, InvoiceSubject, Quote, QuoteLine
from peyvand.sales.terms import InstalmentPlan
from tests.api.test_api import auth  # noqa: F401 - a fixture
from tests.factories import ContactFactory
from tests.finance.money import issue_invoice, receive

TODAY = datetime.date.today()


@pytest.fixture
def customer(personas):
    return ContactFactory(owner=personas.owner, name="فروشگاه نور")


def balance(contact) -> int:
    return Account.objects.get(contact=contact).balance


def two_line_invoice(contact, by) -> Invoice:
    """10 × 1,000,000 with 1,000,000 off, and 2 × 3,000,000; no VAT."""
    quote = sales.quote_save(
        quote=Quote(contact=contact),
        lines=[
            QuoteLine(
                description="کارتریج", quantity=10, unit="عدد", unit_price=1_000_000,
                discount=1_000_000, vat_applies=False,
            ),
            QuoteLine(
                description="دستگاه", quantity=2, unit="دستگاه", unit_price=3_000_000,
                discount=0, vat_applies=False,
            ),
        ],
        by=by,
    )  # fmt: skip
    quote = sales.quote_set_status(quote=quote, by=by, status=Quote.Status.ACCEPTED)
    return sales.quote_to_invoice(quote=quote, by=by)


def correct(invoice, by, price: int) -> Invoice:
    return sales.invoice_adjust(
        invoice=invoice,
        subject=InvoiceSubject.CORRECTION,
        by=by,
        lines=[InvoiceLine(description="دستگاه یو پی اس", unit_price=price, vat_applies=False)],
    )


def test_a_correction_replaces_the_invoice_and_what_paid_it_pays_the_new_one(personas, customer):
    invoice = issue_invoice(customer, personas.owner, 50_000_000)
    receive(customer, personas.manager, 30_000_000)
    correction = correct(invoice, personas.owner, 40_000_000)

    invoice.refresh_from_db()
    correction.refresh_from_db()
    assert invoice.superseded and correction.reference == invoice
    assert correction.subject == InvoiceSubject.CORRECTION and correction.number != invoice.number
    assert str(correction).startswith("فاکتور اصلاحی ")
    assert correction.total == 40_000_000 and correction.paid == 30_000_000
    assert correction.payment_status == Invoice.PaymentStatus.PARTLY_PAID
    assert invoice.payment_status == Invoice.PaymentStatus.REPLACED
    assert balance(customer) == 10_000_000
    # The account shows why: the old debt taken back by one credit, the new one owed.
    taken_back = Entry.objects.get(kind=Entry.Kind.REPLACED)
    assert (taken_back.invoice, taken_back.credit, taken_back.allocated) == (
        invoice, 50_000_000, 50_000_000,
    )  # fmt: skip
    assert "جایگزین با فاکتور اصلاحی" in taken_back.description
    # The change to the old invoice is in its history.
    changed = ChangeRecord.objects.get(
        content_type=ContentType.objects.get_for_model(Invoice),
        object_id=invoice.pk,
        action=ChangeRecord.Action.CHANGED,
    )
    assert [change["field"] for change in changed.changes] == ["superseded"]


def test_a_larger_correction_is_owed_in_full_less_what_was_paid(personas, customer):
    invoice = issue_invoice(customer, personas.owner, 10_000_000)
    receive(customer, personas.manager, 10_000_000)
    correction = correct(invoice, personas.owner, 12_000_000)
    correction.refresh_from_db()
    assert (correction.paid, correction.unpaid) == (10_000_000, 2_000_000)
    assert balance(customer) == 2_000_000


def test_a_replaced_invoice_or_a_cancellation_cannot_be_replaced(personas, customer):
    invoice = issue_invoice(customer, personas.owner, 10_000_000)
    correction = correct(invoice, personas.owner, 9_000_000)
    with pytest.raises(ValidationError, match="جایگزین شده"):
        correct(invoice, personas.owner, 8_000_000)
    cancellation = sales.invoice_adjust(
        invoice=correction, subject=InvoiceSubject.CANCELLATION, by=personas.owner, notes="انصراف"
    )
    with pytest.raises(ValidationError, match="ابطالی"):
        correct(cancellation, personas.owner, 8_000_000)
    with pytest.raises(ValidationError, match="علت ابطال"):
        sales.invoice_adjust(
            invoice=issue_invoice(customer, personas.owner, 1_000_000),
            subject=InvoiceSubject.CANCELLATION,
            by=personas.owner,
            notes="  ",
        )


def test_a_return_keeps_the_prices_and_takes_off_the_quantities(personas, customer):
    invoice = two_line_invoice(customer, personas.owner)
    assert invoice.total == 15_000_000
    first, second = invoice.lines.order_by("order")
    returned = sales.invoice_adjust(
        invoice=invoice,
        subject=InvoiceSubject.RETURN,
        by=personas.owner,
        returned={first.pk: Decimal(4), second.pk: Decimal(2)},
    )
    [left] = returned.lines.all()  # the second row came back whole
    assert (left.quantity, left.unit_price, left.discount) == (6, 1_000_000, 600_000)
    assert returned.total == 5_400_000
    assert balance(customer) == 5_400_000


@pytest.mark.parametrize(
    ("returned", "message"),
    [
        ({0: Decimal(11)}, "بین صفر و ۱۰"),
        ({0: Decimal(-1)}, "بین صفر و ۱۰"),
        ({}, "یک ردیف را بنویسید"),
        ({0: Decimal(10), 1: Decimal(2)}, "ابطال کنید"),
    ],
)
def test_a_return_that_the_tax_rules_refuse_is_explained(personas, customer, returned, message):
    invoice = two_line_invoice(customer, personas.owner)
    ids = list(invoice.lines.order_by("order").values_list("pk", flat=True))
    with pytest.raises(ValidationError, match=message):
        sales.invoice_adjust(
            invoice=invoice,
            subject=InvoiceSubject.RETURN,
            by=personas.owner,
            returned={ids[index]: amount for index, amount in returned.items()},
        )
    invoice.refresh_from_db()
    assert not invoice.superseded
    assert Invoice.objects.count() == 1


def test_a_cancellation_owes_nothing_and_what_was_paid_stays_as_credit(personas, customer):
    invoice = issue_invoice(customer, personas.owner, 50_000_000)
    receive(customer, personas.manager, 30_000_000)
    cancellation = sales.invoice_adjust(
        invoice=invoice, subject=InvoiceSubject.CANCELLATION, by=personas.owner, notes="انصراف"
    )
    assert cancellation.total == 0
    assert cancellation.payment_status == Invoice.PaymentStatus.CANCELLED
    assert balance(customer) == -30_000_000
    later = issue_invoice(customer, personas.owner, 20_000_000)
    later.refresh_from_db()
    assert later.paid == 20_000_000
    assert balance(customer) == -10_000_000


def test_an_instalment_plan_loses_a_decrease_from_its_last_instalments(personas, customer):
    plan = InstalmentPlan(count=3, first_due=TODAY + datetime.timedelta(days=30))
    invoice = issue_invoice(customer, personas.owner, 30_000_000, plan=plan)
    correction = correct(invoice, personas.owner, 15_000_000)
    amounts = [row.amount for row in correction.instalments.all()]
    assert amounts == [10_000_000, 5_000_000]
    assert list(
        Entry.objects.filter(invoice=correction)
        .order_by("due_date")
        .values_list("debit", flat=True)
    ) == [10_000_000, 5_000_000]


def test_the_sale_is_counted_once_by_its_latest_version(personas, customer):
    invoice = issue_invoice(customer, personas.owner, 50_000_000)
    correct(invoice, personas.owner, 40_000_000)
    other = issue_invoice(customer, personas.owner, 7_000_000)
    sales.invoice_adjust(
        invoice=other, subject=InvoiceSubject.CANCELLATION, by=personas.owner, notes="انصراف"
    )
    summary = selectors.customer_summary(personas.owner, customer)
    assert (summary.invoices, summary.invoices_total) == (1, 40_000_000)


# The pages ---------------------------------------------------------------------------


def test_the_invoice_page_offers_the_three_replacements_to_who_may_issue(
    client, personas, customer
):
    invoice = issue_invoice(customer, personas.owner, 5_000_000)
    client.force_login(personas.owner)
    page = client.get(invoice.get_absolute_url()).content.decode()
    for subject in ("correction", "return", "cancellation"):
        assert reverse("sales:invoice_adjust", args=[invoice.pk, subject]) in page


def test_a_correction_through_the_page(client, personas, customer):
    invoice = issue_invoice(customer, personas.owner, 5_000_000)
    client.force_login(personas.owner)
    url = reverse("sales:invoice_adjust", args=[invoice.pk, "correction"])
    page = client.get(url).content.decode()
    assert "دستگاه یو پی اس" in page  # the rows to correct, filled in
    data = {
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "1",
        "lines-0-description": "دستگاه یو پی اس ۳ کاوا",
        "lines-0-quantity": "۱",
        "lines-0-unit_price": "۴٬۵۰۰٬۰۰۰",
        "lines-0-discount": "",
        "notes": "فی اشتباه بود",
    }
    response = client.post(url, data)
    correction = Invoice.objects.get(reference=invoice)
    assert response.status_code == 302 and response["Location"] == correction.get_absolute_url()
    assert correction.total == 4_500_000 and correction.notes == "فی اشتباه بود"
    page = client.get(correction.get_absolute_url()).content.decode()
    assert "اصلاحی" in page and invoice.get_absolute_url() in page
    old = client.get(invoice.get_absolute_url()).content.decode()
    assert "جایگزین شده است" in old
    assert reverse("sales:invoice_adjust", args=[invoice.pk, "return"]) not in old


def test_a_refused_return_keeps_what_was_typed(client, personas, customer):
    invoice = two_line_invoice(customer, personas.owner)
    client.force_login(personas.owner)
    url = reverse("sales:invoice_adjust", args=[invoice.pk, "return"])
    data = {
        "returns-TOTAL_FORMS": "2",
        "returns-INITIAL_FORMS": "2",
        "returns-0-returned": "۱۲",
        "returns-1-returned": "",
        "notes": "کالای معیوب",
    }
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "مقدار برگشتی باید بین صفر و ۱۰ باشد" in page
    assert 'value="۱۲"' in page and "کالای معیوب" in page
    assert not Invoice.objects.filter(reference=invoice).exists()


def test_cancelling_through_the_page_asks_the_reason(client, personas, customer):
    invoice = issue_invoice(customer, personas.owner, 5_000_000)
    client.force_login(personas.owner)
    url = reverse("sales:invoice_adjust", args=[invoice.pk, "cancellation"])
    response = client.post(url, {"notes": ""})
    assert "علت ابطال را بنویسید" in response.content.decode()
    response = client.post(url, {"notes": "مشتری انصراف داد"})
    assert response.status_code == 302
    assert Invoice.objects.get(reference=invoice).subject == InvoiceSubject.CANCELLATION


def test_the_replacement_pages_are_closed_to_who_may_not_issue_or_see(client, personas, customer):
    invoice = issue_invoice(customer, personas.owner, 5_000_000)
    url = reverse("sales:invoice_adjust", args=[invoice.pk, "correction"])
    client.force_login(personas.outsider)  # another team's rep: cannot see it
    assert client.get(url).status_code == 404
    client.force_login(personas.owner)
    assert client.get(reverse("sales:invoice_adjust", args=[invoice.pk, "edit"])).status_code == 404


def test_the_export_and_the_api_say_what_replaced_what(client, personas, customer, auth):  # noqa: F811
    invoice = issue_invoice(customer, personas.owner, 5_000_000)
    correction = correct(invoice, personas.owner, 4_000_000)
    client.force_login(personas.owner)
    sheet = client.get(reverse("core:list_export", args=["invoices", "csv"]))
    rows = list(csv.DictReader(io.StringIO(b"".join(sheet.streaming_content).decode("utf-8-sig"))))
    by_number = {row["شماره"]: row for row in rows}
    assert by_number[correction.number]["موضوع"] == "اصلاحی"
    assert by_number[correction.number]["صورتحساب مرجع"] == invoice.number
    assert by_number[invoice.number]["وضعیت پرداخت"] == "جایگزین شده"
    headers = auth("owner")
    read = client.get(f"/api/v1/invoices/{correction.pk}", headers=headers).json()
    assert (read["subject"], read["reference_id"], read["superseded"]) == (2, invoice.pk, False)
    old = client.get(f"/api/v1/invoices/{invoice.pk}", headers=headers).json()
    assert (old["subject"], old["superseded"]) == (1, True)
