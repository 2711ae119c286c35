"""The reports by goods and services (issue 24.2): «مشتریان و خریدها» and «فروش، وصول
و مانده» total each kind as the invoices of that kind add up, for whoever reads them;
the survey reports count the surveys of one kind's invoices."""

import datetime
import random

import pytest
from django.urls import reverse
from django.utils import timezone

from peyvand.core.dates import format_date
from peyvand.sales.models import Invoice, Quote
from peyvand.surveys.models import Question, Questionnaire, SurveyResponse
from peyvand.surveys.services import survey_record
from tests.factories import ContactFactory
from tests.sales.test_goods_and_services import GOODS, SERVICE, sale

pytestmark = pytest.mark.django_db


def this_week() -> dict:
    """A custom period around today: the invoices issued in the test fall in it."""
    today = timezone.localdate()
    return {
        "period": "custom",
        "date_from": format_date(today - datetime.timedelta(days=3)),
        "date_to": format_date(today + datetime.timedelta(days=3)),
    }


@pytest.fixture
def random_sales(personas):
    """Twenty invoices of random kinds and amounts among four customers of two teams."""
    rng = random.Random(2024)  # deterministic: the same "random" data every run
    customers = [
        ContactFactory(owner=personas.owner, name="فروشگاه آریا"),
        ContactFactory(owner=personas.teammate, name="کلینیک آرامش"),
        ContactFactory(owner=personas.owner, name="شرکت بهار"),
        ContactFactory(owner=personas.outsider, name="شرکت دیگران"),
    ]
    for _number in range(20):
        customer = rng.choice(customers)
        sale(customer, customer.owner, rng.randrange(1, 500) * 10_000, rng.choice([GOODS, SERVICE]))
    kinds = {invoice.kind for invoice in Invoice.objects.all()}
    assert kinds == {GOODS, SERVICE}  # the seed gives both kinds
    return customers


def sums_by_kind(invoices) -> dict[str, int]:
    return {
        kind: sum(invoice.total for invoice in invoices if invoice.kind == kind)
        for kind in (GOODS, SERVICE)
    }


@pytest.mark.parametrize("reader", ["manager", "owner"])
def test_the_customer_report_totals_each_kind_as_its_invoices_add_up(
    client, personas, random_sales, reader
):
    user = getattr(personas, reader)
    client.force_login(user)
    url = reverse("reports:show", args=["customers"])
    result = client.get(url, this_week()).context["result"]
    seen = list(Invoice.objects.visible_to(user))
    expected = sums_by_kind(seen)
    (total,) = result.footer
    assert (total["goods_total"], total["service_total"]) == (expected[GOODS], expected[SERVICE])
    assert total["invoices_total"] == sum(expected.values())
    assert total["invoices"] == len(seen)
    # Each customer's row splits their own invoices the same way.
    for row in result.rows:
        theirs = [invoice for invoice in seen if invoice.contact.name == row["label"]]
        assert (row["goods_total"], row["service_total"]) == tuple(sums_by_kind(theirs).values())
    assert sum(row["service_total"] for row in result.rows) == expected[SERVICE]
    labels = [column.label for column in result.columns]
    assert "فاکتورهای کالا (ریال)" in labels and "فاکتورهای خدمات (ریال)" in labels

    # Asked for services alone: only services' invoices and proformas count.
    services = client.get(url, this_week() | {"kind": SERVICE})
    (total,) = services.context["result"].footer
    assert total["invoices_total"] == expected[SERVICE]
    assert total["invoices"] == sum(1 for invoice in seen if invoice.kind == SERVICE)
    quotes = Quote.objects.visible_to(user).filter(kind=SERVICE)
    assert total["quotes_total"] == sum(quote.total for quote in quotes)
    html = services.content.decode()
    assert '<option value="service" selected>خدمات</option>' in html
    assert "<strong>نوع:</strong> خدمات" in html


def test_the_customer_reports_exports_and_api_carry_the_kind(client, personas, random_sales):
    client.force_login(personas.manager)
    params = this_week() | {"kind": GOODS}
    pdf = client.get(reverse("reports:export", args=["customers", "pdf"]), params)
    assert pdf.status_code == 200
    token = client.post(
        "/api/v1/auth/token",
        {"username": personas.manager.username, "password": "peyvand-demo"},
        content_type="application/json",
    ).json()["token"]
    data = client.get(
        "/api/v1/reports/customers", params, headers={"Authorization": f"Bearer {token}"}
    ).json()
    goods = sum_of(Invoice.objects.filter(kind=GOODS))
    assert data["footer"][0][4] == goods  # the «جمع فاکتورها (ریال)» column
    listed = client.get("/api/v1/reports", headers={"Authorization": f"Bearer {token}"}).json()
    customers = next(report for report in listed if report["slug"] == "customers")
    assert "kind" in customers["filters"]


def sum_of(invoices) -> int:
    return sum(invoice.total for invoice in invoices)


def test_the_sales_totals_split_invoices_into_goods_and_services(client, personas, random_sales):
    client.force_login(personas.manager)
    url = reverse("reports:show", args=["money_totals"])
    result = client.get(url, this_week() | {"group": "user"}).context["result"]
    (total,) = result.footer
    assert total["goods"] == sum_of(Invoice.objects.filter(kind=GOODS))
    assert total["service"] == sum_of(Invoice.objects.filter(kind=SERVICE))
    assert total["invoiced"] == total["goods"] + total["service"]
    for row in result.rows:
        assert row["invoiced"] == row["goods"] + row["service"]


def test_the_survey_reports_take_the_kind_of_the_surveyed_invoice(client, personas):
    questionnaire = Questionnaire.objects.create(name="رضایت از خرید")
    question = Question.objects.create(
        questionnaire=questionnaire, text="از خرید راضی بودید؟", min_score=1, max_score=5
    )
    for kind, score, name in ((GOODS, 5, "فروشگاه کالا"), (SERVICE, 1, "کلینیک خدمات")):
        invoice = sale(ContactFactory(owner=personas.owner, name=name), personas.owner, 1000, kind)
        survey_record(
            response=SurveyResponse(
                questionnaire=questionnaire, contact=invoice.contact, invoice=invoice
            ),
            scores={question.pk: score},
            by=personas.owner,
        )
    client.force_login(personas.manager)
    url = reverse("reports:show", args=["survey_questions"])

    def average(**kind) -> float:
        (row,) = client.get(url, this_week() | kind).context["result"].rows
        return row["average"]

    assert (average(), average(kind=GOODS), average(kind=SERVICE)) == (3.0, 5.0, 1.0)
    customers = client.get(
        reverse("reports:show", args=["survey_customers"]), this_week() | {"kind": SERVICE}
    ).context["result"]
    assert [(row["label"], row["invoices"]) for row in customers.rows] == [("کلینیک خدمات", 1)]
    assert "فقط نظرسنجی‌های فاکتورهای همان نوع" in customers.note
