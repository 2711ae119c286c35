"""The proforma and invoice lists' totals per kind (issue 24): count and sum of every row
under the filters — goods, services and both — below the table."""

import pytest
from django.urls import reverse

from peyvand.core.models import SiteSettings
from peyvand.sales.models import InvoiceLine, InvoiceSubject, Quote, QuoteLine
from peyvand.sales.services import invoice_adjust, quote_save, quote_set_status
from tests.factories import ContactFactory
from tests.sales.test_goods_and_services import (  # noqa: F401 - two are fixtures
    GOODS,
    SERVICE,
    invoices_by_payment,
    sale,
    sales_of_both_kinds,
)

pytestmark = pytest.mark.django_db


def totals(response) -> list[tuple[str, int, int]]:
    return [(str(row.label), row.count, row.total) for row in response.context["totals"].rows]


def footer(response) -> str:
    html = response.content.decode()
    assert html.count('id="document-totals"') == 1, "no totals under the table"
    return html.split('id="document-totals"')[1].split("</div>")[0]


@pytest.mark.usefixtures("sales_of_both_kinds")
def test_the_invoice_list_totals_each_kind_and_both_over_what_the_user_sees(client, personas):
    client.force_login(personas.owner)
    page = client.get(reverse("sales:invoice_list"))
    # The other team's 5,000,000 service invoice is not the owner's to see nor to sum.
    assert totals(page) == [
        ("کالا", 2, 3_000_000), ("خدمات", 2, 900_000), ("جمع", 4, 3_900_000)
    ]  # fmt: skip
    text = footer(page)
    assert "کالا: ۲ فاکتور، ۳٬۰۰۰٬۰۰۰ ریال" in text
    assert "خدمات: ۲ فاکتور، ۹۰۰٬۰۰۰ ریال" in text
    assert "جمع: ۴ فاکتور، ۳٬۹۰۰٬۰۰۰ ریال" in text
    client.force_login(personas.teammate)  # the owner's team sees the owner's invoices
    assert totals(client.get(reverse("sales:invoice_list")))[-1] == ("جمع", 4, 3_900_000)
    client.force_login(personas.outsider)
    assert totals(client.get(reverse("sales:invoice_list"))) == [
        ("کالا", 0, 0), ("خدمات", 1, 5_000_000), ("جمع", 1, 5_000_000)
    ]  # fmt: skip
    client.force_login(personas.manager)
    assert totals(client.get(reverse("sales:invoice_list")))[-1] == ("جمع", 5, 8_900_000)


@pytest.mark.usefixtures("sales_of_both_kinds")
def test_a_list_narrowed_to_one_kind_totals_that_kind_alone(client, personas):
    client.force_login(personas.owner)
    page = client.get(reverse("sales:invoice_list"), {"kind": SERVICE})
    assert totals(page) == [("خدمات", 2, 900_000)]
    text = footer(page)
    assert "خدمات: ۲ فاکتور، ۹۰۰٬۰۰۰ ریال" in text
    assert "کالا" not in text and "جمع:" not in text
    quotes = client.get(reverse("sales:quote_list"), {"kind": GOODS})
    assert totals(quotes) == [("کالا", 2, 3_000_000)]
    assert "کالا: ۲ پیش فاکتور، ۳٬۰۰۰٬۰۰۰ ریال" in footer(quotes)


@pytest.mark.usefixtures("sales_of_both_kinds")
def test_the_totals_cover_every_page_not_only_the_one_shown(client, personas, settings):
    settings.PAGE_SIZE = 1
    client.force_login(personas.owner)
    page = client.get(reverse("sales:invoice_list"))
    assert len(page.context["page"].items) == 1 and page.context["page"].has_next
    assert totals(page)[-1] == ("جمع", 4, 3_900_000)
    second = client.get(reverse("sales:invoice_list"), {"page": 2})
    assert totals(second) == totals(page)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"payment": "unpaid"},  # partly paid (2,000,000), later, overdue, the other's
            [("کالا", 3, 6_700_000), ("خدمات", 1, 3_000_000), ("جمع", 4, 9_700_000)],
        ),
        ({"payment": "paid"}, [("کالا", 1, 1_000_000), ("خدمات", 0, 0), ("جمع", 1, 1_000_000)]),
        ({"payment": "overdue", "kind": GOODS}, [("کالا", 2, 4_700_000)]),
        (
            {"payment": "unpaid", "contact": "customer"},
            [("کالا", 2, 6_000_000), ("خدمات", 1, 3_000_000), ("جمع", 3, 9_000_000)],
        ),
    ],
)
def test_the_invoice_totals_follow_the_payment_and_customer_filters(
    client,
    personas,
    invoices_by_payment,  # noqa: F811 - the fixture imported above
    params,
    expected,
):
    if params.get("contact"):
        params = params | {"contact": invoices_by_payment["customer"].pk}
    client.force_login(personas.owner)
    page = client.get(reverse("sales:invoice_list"), params)
    assert totals(page) == expected
    # Whole invoices are summed (their «مبلغ کل»), not what is left to pay on them.
    assert totals(page)[-1][2] == sum(invoice.total for invoice in page.context["page"].items)


def test_cancelled_proformas_are_counted_but_not_summed_unless_asked_for(client, personas):
    customer = ContactFactory(owner=personas.owner)
    for kind, amount in ((GOODS, 400_000), (SERVICE, 800_000), (SERVICE, 50_000)):
        quote = quote_save(
            quote=Quote(contact=customer, kind=kind),
            lines=[QuoteLine(description="پشتیبانی", unit_price=amount, vat_applies=False)],
            by=personas.owner,
        )
    quote_set_status(quote=quote, by=personas.owner, status="cancelled", reason="منصرف شد")
    client.force_login(personas.owner)
    page = client.get(reverse("sales:quote_list"))
    assert totals(page) == [("کالا", 1, 400_000), ("خدمات", 2, 800_000), ("جمع", 3, 1_200_000)]
    assert "(۱ پیش فاکتور لغوشده در مبلغ‌ها نیامده است)" in footer(page)
    cancelled = client.get(reverse("sales:quote_list"), {"status": "cancelled"})
    assert totals(cancelled)[-1] == ("جمع", 1, 50_000)
    assert "لغوشده" not in footer(cancelled)
    drafts = client.get(reverse("sales:quote_list"), {"status": "draft"})
    assert totals(drafts)[-1] == ("جمع", 2, 1_200_000)
    assert "لغوشده" not in footer(drafts)


def test_a_sale_corrected_or_cancelled_is_summed_once_by_its_version_in_force(client, personas):
    customer = ContactFactory(owner=personas.owner)
    goods = sale(customer, personas.owner, 1_000_000)
    service = sale(customer, personas.owner, 300_000, SERVICE)
    invoice_adjust(
        invoice=goods,
        subject=InvoiceSubject.CORRECTION,
        by=personas.owner,
        lines=[InvoiceLine(description="دوربین", unit_price=800_000, vat_applies=False)],
    )
    invoice_adjust(
        invoice=service, subject=InvoiceSubject.CANCELLATION, by=personas.owner, notes="انصراف"
    )
    client.force_login(personas.owner)
    page = client.get(reverse("sales:invoice_list"))
    # Every version is listed and counted; only the correction (800,000) is summed: the
    # replaced versions and the cancellation are not sales in force.
    assert len(page.context["page"].items) == 4
    assert totals(page) == [("کالا", 2, 800_000), ("خدمات", 2, 0), ("جمع", 4, 800_000)]
    assert "(۳ فاکتور جایگزین‌شده یا ابطالی در مبلغ‌ها نیامده است)" in footer(page)
    unpaid = client.get(reverse("sales:invoice_list"), {"kind": GOODS, "payment": "unpaid"})
    assert totals(unpaid)[-1][2] == 800_000


@pytest.mark.usefixtures("sales_of_both_kinds")
def test_the_totals_are_in_the_companys_money_unit_and_the_users_digits(client, personas):
    SiteSettings.objects.update_or_create(pk=1, defaults={"money_unit": "toman"})
    client.force_login(personas.owner)
    assert "جمع: ۴ فاکتور، ۳۹۰٬۰۰۰ تومان" in footer(client.get(reverse("sales:invoice_list")))
    personas.owner.digits = "latin"
    personas.owner.save(update_fields=["digits"])
    assert "جمع: 4 فاکتور، 390,000 تومان" in footer(client.get(reverse("sales:invoice_list")))


@pytest.mark.usefixtures("sales_of_both_kinds")
def test_an_empty_list_shows_no_totals(client, personas):
    client.force_login(personas.owner)
    page = client.get(reverse("sales:quote_list"), {"status": "draft"})
    assert page.context["totals"].count == 0
    assert 'id="document-totals"' not in page.content.decode()
    assert "پیش فاکتوری با این فیلترها نیست." in page.content.decode()
