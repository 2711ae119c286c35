"""The API's proforma and invoice PDFs on A4 or A5 (``?size=a5``), as the pages give
them; the page size read from the PDF's MediaBox."""

import re

import pytest

from tests.api.test_api import auth  # noqa: F401 - a fixture
from tests.factories import ContactFactory
from tests.sales.test_goods_and_services import sale
from tests.sales.test_quotes import pdf_objects

pytestmark = pytest.mark.django_db

# Landscape, in points: A4 is 842 × 595, A5 595 × 420.
A4, A5 = (842, 595), (595, 420)


def page_sizes(response) -> list[tuple[int, int]]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/pdf"
    boxes = re.findall(
        rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf_objects(response.content)
    )
    return [(round(float(width)), round(float(height))) for width, height in boxes]


@pytest.fixture
def invoice(personas):
    return sale(ContactFactory(owner=personas.owner), personas.owner, 2_500_000)


@pytest.mark.parametrize("document", ["invoices", "quotes"])
def test_the_pdf_is_a4_by_default_and_a5_with_size_a5(
    client,
    auth,  # noqa: F811
    invoice,
    document,
):
    pk = invoice.pk if document == "invoices" else invoice.quote.pk
    url = f"/api/v1/{document}/{pk}/pdf"
    owner = auth("owner")
    assert page_sizes(client.get(url, headers=owner)) == [A4]
    assert page_sizes(client.get(url, {"size": "a4"}, headers=owner)) == [A4]
    assert page_sizes(client.get(url, {"size": "a5"}, headers=owner)) == [A5]


def test_a_size_that_is_neither_a4_nor_a5_is_refused_in_persian(
    client,
    auth,  # noqa: F811
    invoice,
):
    refused = client.get(
        f"/api/v1/invoices/{invoice.pk}/pdf", {"size": "letter"}, headers=auth("owner")
    )
    assert refused.status_code == 422
    (error,) = refused.json()["errors"]
    assert error["loc"] == ["query", "size"] and error["type"] == "literal_error"
    assert error["msg"].startswith("باید یکی از این‌ها باشد")


def test_an_a5_pdf_of_someone_elses_invoice_is_still_not_found(
    client,
    auth,  # noqa: F811
    invoice,
):
    url = f"/api/v1/invoices/{invoice.pk}/pdf"
    assert client.get(url, {"size": "a5"}, headers=auth("outsider")).status_code == 404
    assert page_sizes(client.get(url, {"size": "a5"}, headers=auth("teammate"))) == [A5]


def test_the_schema_documents_the_size(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/invoices/{invoice_id}/pdf", "/api/v1/quotes/{quote_id}/pdf"):
        operation = paths[path]["get"]
        (size,) = [p for p in operation["parameters"] if p["name"] == "size"]
        assert size["in"] == "query" and not size.get("required", False)
        assert size["schema"]["enum"] == ["a4", "a5"] and size["schema"]["default"] == "a4"
        assert "size=a5" in operation["description"]
