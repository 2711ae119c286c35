"""Lead codes and proforma and invoice numbers (issue 21, point 7): a record holding a
code on its series' path — imported, restored from a backup, numbered under an earlier
pattern — made every later automatic one fail the unique constraint (a 500), forever:
the failed transaction rolled the counter back. Each series steps over it, on the pages
and over the API."""

import pytest
from django.urls import reverse

from peyvand.core.dates import jalali_today
from peyvand.sales import services
from peyvand.sales.models import Invoice, Lead, Quote, QuoteLine
from tests.api.test_api import auth  # noqa: F401 - a fixture
from tests.factories import ContactFactory, LeadFactory
from tests.sales.test_quotes import line, quote_data

pytestmark = pytest.mark.django_db

JSON = "application/json"


def document_number(number: int) -> str:
    """Proformas' and invoices' «{سال}/{شماره}» this year, five digits."""
    return f"{jalali_today().year}/{number:05d}"


def accepted_quote(contact, by) -> Quote:
    quote = services.quote_save(
        quote=Quote(contact=contact),
        lines=[QuoteLine(description="نصب و راه‌اندازی", unit_price=12_000_000)],
        by=by,
    )
    return services.quote_set_status(quote=quote, by=by, status=Quote.Status.ACCEPTED)


def test_leads_step_over_a_code_a_lead_holds(client, personas, auth):  # noqa: F811
    owner = personas.owner
    LeadFactory(owner=owner, code=f"L{jalali_today().year}00001")
    contact = ContactFactory(owner=owner)
    client.force_login(owner)
    data = {"contact": contact.pk, "title": "خرید تابلو", "stars": "1", "responsible": owner.pk}
    for _ in range(2):
        assert client.post(reverse("sales:lead_create"), data).status_code == 302
    for _ in range(2):
        answer = client.post(
            "/api/v1/leads",
            {"contact_id": contact.pk, "title": "خرید کابل"},
            content_type=JSON,
            headers=auth("owner"),
        )
        assert answer.status_code == 201, answer.content
    codes = list(Lead.objects.order_by("pk").values_list("code", flat=True))
    assert codes == [f"L{jalali_today().year}{number:05d}" for number in range(1, 6)]


def test_proformas_step_over_a_number_a_proforma_holds(client, personas, auth):  # noqa: F811
    owner = personas.owner
    contact = ContactFactory(owner=owner)
    held = accepted_quote(contact, owner)
    Quote.all_objects.filter(pk=held.pk).update(number=document_number(2))
    client.force_login(owner)
    for _ in range(2):
        page = client.post(
            reverse("sales:quote_create"),
            quote_data(contact, line(0, description="حمل", unit_price="۵۰۰٬۰۰۰")),
        )
        assert page.status_code == 302
    for _ in range(2):
        answer = client.post(
            "/api/v1/quotes",
            {"contact_id": contact.pk, "lines": [{"description": "حمل", "unit_price": "500000"}]},
            content_type=JSON,
            headers=auth("owner"),
        )
        assert answer.status_code == 201, answer.content
    numbers = list(Quote.objects.order_by("pk").values_list("number", flat=True))
    assert numbers == [document_number(n) for n in range(2, 7)]


def test_invoices_step_over_a_number_an_invoice_holds(client, personas, auth):  # noqa: F811
    owner = personas.owner
    contact = ContactFactory(owner=owner)
    held = services.quote_to_invoice(quote=accepted_quote(contact, owner), by=owner)
    Invoice.all_objects.filter(pk=held.pk).update(number=document_number(2))
    quotes = [accepted_quote(contact, owner) for _ in range(4)]
    client.force_login(owner)
    for quote in quotes[:2]:
        assert client.post(reverse("sales:quote_invoice", args=[quote.pk])).status_code == 302
    for quote in quotes[2:]:
        answer = client.post(
            f"/api/v1/quotes/{quote.pk}/invoice", {}, content_type=JSON, headers=auth("owner")
        )
        assert answer.status_code == 201, answer.content
    numbers = list(Invoice.objects.order_by("pk").values_list("number", flat=True))
    assert numbers == [document_number(n) for n in range(2, 7)]
