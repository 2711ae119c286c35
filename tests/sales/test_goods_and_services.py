"""Goods and services apart (issue 24.2) and the invoice list's payment filter (issue
23): a product's شناسه کالا/خدمت; the proforma and invoice lists, their exports and the
API by kind and payment state; the reports' totals per kind; «مشتریان خدمات»."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from peyvand.accounts.roles import FINANCE
from peyvand.core.text import to_latin_digits, to_persian_digits
from peyvand.sales.models import Invoice, Product, Quote, QuoteLine
from peyvand.sales.services import quote_save, quote_set_status, quote_to_invoice
from tests.api.test_api import auth, token_for  # noqa: F401 - auth is a fixture
from tests.factories import ContactFactory, UserFactory
from tests.finance.money import receive

pytestmark = pytest.mark.django_db

GOODS, SERVICE = "goods", "service"
JSON = "application/json"


def sale(contact, by, amount: int, kind: str = GOODS, *, due_date=None) -> Invoice:
    """An invoice of ``amount`` rials (no VAT) of one kind, issued from an accepted
    proforma the way a rep issues it."""
    quote = quote_save(
        quote=Quote(contact=contact, kind=kind),
        lines=[QuoteLine(description="نصب و راه‌اندازی", unit_price=amount, vat_applies=False)],
        by=by,
    )
    quote = quote_set_status(quote=quote, by=by, status=Quote.Status.ACCEPTED)
    invoice = quote_to_invoice(quote=quote, by=by)
    if due_date is not None:
        Invoice.objects.filter(pk=invoice.pk).update(due_date=due_date)
        invoice.entries.update(due_date=due_date)
    invoice.refresh_from_db()
    return invoice


def numbers(page) -> set[str]:
    return {document.number for document in page.context["page"].items}


def sheet_rows(response) -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in sheet[1]]
    return [
        dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    ]


# شناسه کالا/خدمت ---------------------------------------------------------------------------


def product_data(**changes) -> dict:
    data = {
        "code": "S-100",
        "name": "نصب دوربین مداربسته",
        "kind": SERVICE,
        "tax_id": "",
        "unit": "ساعت",
        "price": "۲٬۵۰۰٬۰۰۰",
        "vat_applies": "on",
        "is_active": "on",
    }
    return data | changes


def test_a_products_tax_id_is_typed_in_persian_digits_and_kept_as_13_latin_ones(client, personas):
    client.force_login(personas.manager)
    saved = client.post(reverse("sales:product_create"), product_data(tax_id="۲۷۲۰۰۰۰-۱۱۴۵۴۲"))
    assert saved.status_code == 302
    product = Product.objects.get()
    assert product.tax_id == "2720000114542"
    listed = client.get(reverse("sales:product_list")).content.decode()
    assert '<span dir="ltr">۲۷۲۰۰۰۰۱۱۴۵۴۲</span>' in listed
    form = client.get(reverse("sales:product_edit", args=[product.pk])).content.decode()
    assert 'value="۲۷۲۰۰۰۰۱۱۴۵۴۲"' in form


@pytest.mark.parametrize("typed", ["۱۲۳۴۵۶۷۸۹۰۱۲", "27200001145420", "27200001145ab"])
def test_a_tax_id_that_is_not_13_digits_is_refused_in_persian_with_what_was_typed_kept(
    client, personas, typed
):
    client.force_login(personas.manager)
    refused = client.post(reverse("sales:product_create"), product_data(tax_id=typed))
    assert refused.status_code == 200
    assert refused.context["form"].errors["tax_id"] == ["شناسه کالا/خدمت باید ۱۳ رقم باشد."]
    # Kept as typed, read with Latin digits and shown in the reader's (core.digits).
    assert refused.context["form"]["tax_id"].value() == to_latin_digits(typed)
    assert f'value="{to_persian_digits(typed)}"' in refused.content.decode()
    assert refused.context["form"]["name"].value() == "نصب دوربین مداربسته"
    assert not Product.objects.exists()


def test_the_tax_id_is_optional_and_the_product_list_filters_by_kind(client, personas):
    client.force_login(personas.manager)
    client.post(reverse("sales:product_create"), product_data())
    client.post(
        reverse("sales:product_create"),
        product_data(code="G-1", name="دوربین مداربسته", kind=GOODS, unit="عدد"),
    )
    assert Product.objects.get(code="S-100").tax_id == ""
    services = client.get(reverse("sales:product_list"), {"kind": SERVICE})
    assert [product.code for product in services.context["page"].items] == ["S-100"]
    everything = client.get(reverse("sales:product_list"), {"kind": "هرچه"})
    assert len(everything.context["page"].items) == 2


def test_the_api_reads_and_checks_the_tax_id(client, personas, auth):  # noqa: F811
    manager = auth("manager")
    payload = {"code": "S-1", "name": "پشتیبانی سالانه", "kind": SERVICE, "price": "1000"}
    url = "/api/v1/products"
    refused = client.post(url, payload | {"tax_id": "123"}, content_type=JSON, headers=manager)
    assert refused.status_code == 422
    assert refused.json()["errors"]["tax_id"][0]["message"] == "شناسه کالا/خدمت باید ۱۳ رقم باشد."
    assert not Product.objects.exists()
    created = client.post(
        url, payload | {"tax_id": "۲۷۲۰۰۰۰۱۱۴۵۴۲"}, content_type=JSON, headers=manager
    )
    assert created.status_code == 201 and created.json()["tax_id"] == "2720000114542"
    Product.objects.create(code="G-1", name="دوربین", kind=GOODS)
    listed = client.get(url, {"kind": SERVICE}, headers=manager).json()["items"]
    assert [item["code"] for item in listed] == ["S-1"]
    assert client.get(url, {"kind": "x"}, headers=manager).status_code == 422


# The proforma and invoice lists by kind --------------------------------------------------


@pytest.fixture
def sales_of_both_kinds(personas):
    """Two goods and two service invoices (with their accepted proformas) of the owner's
    customer, and a service invoice of another team's customer."""
    customer = ContactFactory(owner=personas.owner, name="فروشگاه آریا")
    stranger = ContactFactory(owner=personas.outsider, name="شرکت دیگران")
    return {
        GOODS: [sale(customer, personas.owner, 1_000_000 * n) for n in (1, 2)],
        SERVICE: [sale(customer, personas.owner, 300_000 * n, SERVICE) for n in (1, 2)],
        "stranger": sale(stranger, personas.outsider, 5_000_000, SERVICE),
    }


def test_the_proforma_and_invoice_lists_show_only_the_kind_asked(
    client, personas, sales_of_both_kinds
):
    services = {invoice.number for invoice in sales_of_both_kinds[SERVICE]}
    goods = {invoice.number for invoice in sales_of_both_kinds[GOODS]}
    client.force_login(personas.owner)
    invoices = client.get(reverse("sales:invoice_list"), {"kind": SERVICE})
    assert numbers(invoices) == services  # the other team's service invoice is not theirs
    assert '<option value="service" selected>خدمات</option>' in invoices.content.decode()
    assert numbers(client.get(reverse("sales:invoice_list"), {"kind": GOODS})) == goods
    # A kind that is no kind (a typo in the address bar) filters nothing.
    assert numbers(client.get(reverse("sales:invoice_list"), {"kind": "خدمات"})) == goods | services
    quote_numbers = {
        invoice.quote.number for invoice in sales_of_both_kinds[SERVICE]
    }  # fmt: skip
    quotes = client.get(reverse("sales:quote_list"), {"kind": SERVICE, "status": "accepted"})
    assert numbers(quotes) == quote_numbers
    assert '<option value="service" selected>خدمات</option>' in quotes.content.decode()
    client.force_login(personas.manager)
    everything = client.get(reverse("sales:invoice_list"), {"kind": SERVICE})
    assert numbers(everything) == services | {sales_of_both_kinds["stranger"].number}
    nothing = client.get(reverse("sales:quote_list"), {"kind": GOODS, "status": "draft"})
    assert "پیش فاکتوری با این فیلترها نیست." in nothing.content.decode()


def test_the_kind_and_payment_filters_are_kept_from_page_to_page(client, personas, settings):
    settings.PAGE_SIZE = 2
    customer = ContactFactory(owner=personas.owner)
    for amount in range(1, 6):
        sale(customer, personas.owner, amount * 100_000, SERVICE)
    sale(customer, personas.owner, 900_000, GOODS)
    client.force_login(personas.owner)
    params = {"kind": SERVICE, "payment": "unpaid"}
    seen = []
    url = reverse("sales:invoice_list")
    query = params
    while True:
        page = client.get(url, query)
        seen += [invoice.kind for invoice in page.context["page"].items]
        if not page.context["page"].has_next:
            break
        link = page.content.decode().split('class="page-link" href="?')[-1].split('"')[0]
        query = dict(item.split("=") for item in link.replace("&amp;", "&").split("&"))
        assert query["kind"] == SERVICE and query["payment"] == "unpaid"
    assert seen == [SERVICE] * 5


def test_the_list_exports_honour_the_kind(client, personas, sales_of_both_kinds):
    client.force_login(personas.owner)
    export = reverse("core:list_export", args=["invoices", "xlsx"])
    rows = sheet_rows(client.get(export, {"kind": SERVICE}))
    assert {row["شماره"] for row in rows} == {i.number for i in sales_of_both_kinds[SERVICE]}
    assert {row["نوع"] for row in rows} == {"خدمات"}
    assert sum(row["جمع کل (ریال)"] for row in rows) == 900_000
    quotes = client.get(reverse("core:list_export", args=["quotes", "csv"]), {"kind": GOODS})
    text = b"".join(quotes.streaming_content).decode("utf-8-sig")
    read = list(csv.DictReader(io.StringIO(text)))
    assert {row["نوع"] for row in read} == {"کالا"} and len(read) == 2


def test_the_api_lists_filter_by_kind(client, personas, sales_of_both_kinds, auth):  # noqa: F811
    owner = auth("owner")
    invoices = client.get("/api/v1/invoices", {"kind": SERVICE}, headers=owner).json()
    assert {item["kind"] for item in invoices["items"]} == {SERVICE}
    assert len(invoices["items"]) == 2
    quotes = client.get("/api/v1/quotes", {"kind": GOODS}, headers=owner).json()
    assert {item["kind"] for item in quotes["items"]} == {GOODS} and len(quotes["items"]) == 2
    refused = client.get("/api/v1/invoices", {"kind": "both"}, headers=owner)
    assert refused.status_code == 422 and refused.json()["detail"].endswith(": kind")
    assert "goods" in str(refused.json()["errors"])
    refused = client.get("/api/v1/invoices", {"payment": "soon"}, headers=owner)
    assert refused.status_code == 422 and refused.json()["detail"].endswith(": payment")
    assert "unpaid" in str(refused.json()["errors"])


# The invoice list's payment filter (issue 23) ----------------------------------------------


@pytest.fixture
def invoices_by_payment(personas):
    """A customer's invoices paid through real finance receipts: one paid in full, one
    partly, one unpaid and not yet due, one unpaid past its due date; and another
    customer's unpaid one."""
    today = timezone.localdate()
    customer = ContactFactory(owner=personas.owner, name="فروشگاه آریا")
    other = ContactFactory(owner=personas.owner, name="فروشگاه بهار")
    paid = sale(customer, personas.owner, 1_000_000, due_date=today + datetime.timedelta(30))
    partly = sale(customer, personas.owner, 2_000_000, due_date=today + datetime.timedelta(30))
    later = sale(
        customer, personas.owner, 3_000_000, SERVICE, due_date=today + datetime.timedelta(9)
    )
    overdue = sale(customer, personas.owner, 4_000_000, due_date=today - datetime.timedelta(1))
    for invoice, amount in ((paid, 1_000_000), (partly, 500_000)):
        entry = invoice.entries.get()  # a cash sale: one line on the account
        receive(customer, personas.manager, amount, targets=[(entry.pk, amount)])
    others = sale(other, personas.owner, 700_000, due_date=today - datetime.timedelta(5))
    for invoice in (paid, partly, later, overdue):
        invoice.refresh_from_db()
    assert (paid.paid, partly.paid, later.paid, overdue.paid) == (1_000_000, 500_000, 0, 0)
    return {
        "customer": customer, "paid": paid, "partly": partly, "later": later,
        "overdue": overdue, "other": others,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("payment", "expected"),
    [
        ("unpaid", {"partly", "later", "overdue", "other"}),
        ("overdue", {"overdue", "other"}),
        ("paid", {"paid"}),
        ("", {"paid", "partly", "later", "overdue", "other"}),
        ("nonsense", {"paid", "partly", "later", "overdue", "other"}),
    ],
)
def test_the_invoice_list_filters_by_payment_state(
    client, personas, invoices_by_payment, payment, expected
):
    client.force_login(personas.owner)
    page = client.get(reverse("sales:invoice_list"), {"payment": payment})
    assert numbers(page) == {invoices_by_payment[name].number for name in expected}
    if payment in ("unpaid", "overdue", "paid"):
        assert f'<option value="{payment}" selected>' in page.content.decode()
        for invoice in page.context["page"].items:
            state = invoice.payment_status
            assert state == "paid" if payment == "paid" else state != "paid"
            if payment == "overdue":
                assert state == "overdue"
    api = client.get(
        "/api/v1/invoices",
        {"payment": payment} if payment != "nonsense" else {},
        headers={"Authorization": f"Bearer {token_for(client, 'owner')}"},
    ).json()
    assert {item["number"] for item in api["items"]} == numbers(page)


def test_the_account_pages_link_to_a_customers_unpaid_invoices_works(
    client, personas, invoices_by_payment
):
    customer = invoices_by_payment["customer"]
    client.force_login(personas.owner)
    url = f"{reverse('sales:invoice_list')}?contact={customer.pk}&payment=unpaid"
    assert url == f"/sales/invoices/?contact={customer.pk}&payment=unpaid"
    page = client.get(url)
    assert numbers(page) == {
        invoices_by_payment[name].number for name in ("partly", "later", "overdue")
    }
    html = page.content.decode()
    # Kept (the picker holds it) when another filter changes.
    assert f'<option value="{customer.pk}" selected>{customer.name}</option>' in html
    service_only = client.get(url + "&kind=service")
    assert numbers(service_only) == {invoices_by_payment["later"].number}
    # Leaving the customer (its chip) keeps the other filters.
    assert 'href="?payment=unpaid&amp;kind=service"' in service_only.content.decode()
    client.force_login(personas.outsider)  # a customer the outsider may not see
    hidden = client.get(url)
    assert numbers(hidden) == set() and customer.name not in hidden.content.decode()


def test_the_invoice_export_honours_the_payment_filter_and_says_what_is_left(
    client, personas, invoices_by_payment
):
    client.force_login(personas.owner)
    export = reverse("core:list_export", args=["invoices", "xlsx"])
    rows = sheet_rows(client.get(export, {"payment": "overdue"}))
    assert {row["شماره"] for row in rows} == {
        invoices_by_payment["overdue"].number, invoices_by_payment["other"].number
    }  # fmt: skip
    assert {row["وضعیت پرداخت"] for row in rows} == {"سررسید گذشته"}
    partly = sheet_rows(
        client.get(export, {"payment": "unpaid", "contact": invoices_by_payment["customer"].pk})
    )
    by_number = {row["شماره"]: row for row in partly}
    row = by_number[invoices_by_payment["partly"].number]
    assert (row["پرداخت شده (ریال)"], row["مانده (ریال)"]) == (500_000, 1_500_000)
    assert row["وضعیت پرداخت"] == "بخشی پرداخت شده"


# «مشتریان خدمات» ---------------------------------------------------------------------------


@pytest.fixture
def service_buyers(personas):
    """The owner's customers: one bought services twice (and goods), one goods only;
    a customer of the other team bought a service."""
    buyer = ContactFactory(owner=personas.owner, name="کلینیک آرامش", mobile="+989121112233")
    goods_only = ContactFactory(owner=personas.owner, name="فروشگاه کالا")
    stranger = ContactFactory(owner=personas.outsider, name="شرکت دیگران")
    sale(buyer, personas.owner, 1_200_000, SERVICE)
    sale(buyer, personas.teammate, 800_000, SERVICE)
    sale(buyer, personas.owner, 9_000_000, GOODS)
    sale(goods_only, personas.owner, 5_000_000, GOODS)
    sale(stranger, personas.outsider, 3_000_000, SERVICE)
    return buyer, goods_only, stranger


def test_service_customers_are_those_who_bought_services_as_the_contact_list_sees_them(
    client, personas, service_buyers
):
    buyer, _goods_only, stranger = service_buyers
    url = reverse("sales:service_customers")
    for persona, expected in (
        (personas.owner, [buyer]),
        (personas.teammate, [buyer]),
        (personas.outsider, [stranger]),
        (personas.manager, [stranger, buyer]),  # newest customers first, as the contacts
    ):
        client.force_login(persona)
        page = client.get(url)
        assert [customer.pk for customer in page.context["page"].items] == [
            customer.pk for customer in expected
        ], persona
    client.force_login(personas.owner)
    page = client.get(url)
    row = page.context["page"].items[0]
    assert (row.service_invoices, row.service_total) == (2, 2_000_000)
    assert row.last_service == timezone.localdate()
    html = page.content.decode()
    assert "کلینیک آرامش" in html and "۲٬۰۰۰٬۰۰۰" in html
    assert f"?contact={buyer.pk}&amp;kind=service" in html
    assert "شرکت دیگران" not in html and "فروشگاه کالا" not in html
    # The menu's sales section leads here.
    assert f'href="{url}"' in client.get(reverse("core:home")).content.decode()


def test_service_customers_page_without_counting(client, personas, settings):
    settings.PAGE_SIZE = 2
    names = ["الف", "ب", "پ"]
    for name in names:
        sale(ContactFactory(owner=personas.owner, name=name), personas.owner, 1000, SERVICE)
    client.force_login(personas.owner)
    url = reverse("sales:service_customers")
    first = client.get(url).context["page"]
    second = client.get(url, {"page": 2}).context["page"]
    assert first.has_next and not second.has_next
    assert [c.name for c in first.items + second.items] == list(reversed(names))


def test_service_customers_export_as_the_page_lists_them(client, personas, service_buyers):
    client.force_login(personas.owner)
    rows = sheet_rows(client.get(reverse("core:list_export", args=["service_customers", "xlsx"])))
    assert [(row["مشتری"], row["فاکتورهای خدمات"], row["جمع فاکتورهای خدمات (ریال)"])
            for row in rows] == [("کلینیک آرامش", 2, 2_000_000)]  # fmt: skip
    finance = UserFactory(role=FINANCE)  # reads invoices, exports no contacts
    client.force_login(finance)
    assert client.get(reverse("sales:service_customers")).status_code == 200
    export = client.get(reverse("core:list_export", args=["service_customers", "csv"]))
    assert export.status_code == 403
