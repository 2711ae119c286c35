"""Lost updates over the API (core.versions): a PUT sends back the ``updated_at`` it read;
if someone saved the record since, it answers 409 with who changed what, in Persian, and
the record keeps the other change. A PUT without ``updated_at`` still works."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from peyvand.lookups.models import Urgency
from peyvand.sales import services as sales
from peyvand.sales.models import Lead, Product, Quote, QuoteLine
from peyvand.service import services as service
from peyvand.service.models import Complaint, Request
from tests.api.test_api import auth  # noqa: F401 - a fixture
from tests.factories import ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db

JSON = "application/json"


@dataclass
class Kind:
    """A record the API changes with PUT: how to make one, its path, the body a client
    sends back from what it read, the text field both clients change, and who they are
    (the same person twice where only one may edit it)."""

    make: Callable
    path: str
    body: Callable[[dict], dict]
    field: str
    model: type
    first: str = "owner"
    second: str = "teammate"


def _as_read(kind: Kind, read: dict, text: str) -> dict:
    """The body a client sends back: what it read, one field changed, its version."""
    return kind.body(read) | {kind.field: text, "updated_at": read["updated_at"]}


def _lead(people):
    return LeadFactory(owner=people.owner)


def _lead_body(read: dict) -> dict:
    names = ("contact_id", "title", "stars", "stage", "responsible_id", "notes", "custom")
    return {name: read[name] for name in names}


def _quote(people):
    quote = Quote(contact=ContactFactory(owner=people.owner))
    lines = [QuoteLine(description="نصب", unit_price=1_000_000)]
    return sales.quote_save(quote=quote, lines=lines, by=people.owner)


def _quote_body(read: dict) -> dict:
    lines = [
        {
            "product_id": line["product_id"],
            "description": line["description"],
            "quantity": str(line["quantity"]),
            "unit": line["unit"],
            "unit_price": str(line["unit_price"]),
            "discount": str(line["discount"] or ""),
            "vat_applies": line["vat_applies"],
        }
        for line in read["lines"]
    ]
    return {"contact_id": read["contact_id"], "kind": read["kind"], "notes": read["notes"]} | {
        "lines": lines
    }


def _request(people):
    urgency = Urgency.objects.get_or_create(name="عادی", defaults={"deadline_days": 1})[0]
    item = Request(assignee=people.teammate, description="دستگاه روشن نمی‌شود", urgency=urgency)
    return service.request_register(request=item, by=people.owner)


def _request_body(read: dict) -> dict:
    names = ("description", "urgency_id", "assignee_id", "tracking_code", "watcher_ids")
    return {name: read[name] for name in names}


def _complaint(people):
    complaint = Complaint(
        officer=people.teammate,
        contact=ContactFactory(owner=people.owner),
        description="کالا دیر رسید",
    )
    return service.complaint_register(complaint=complaint, by=people.owner)


def _complaint_body(read: dict) -> dict:
    names = ("contact_id", "description", "officer_id", "actions", "source")
    return {name: read[name] for name in names}


KINDS = {
    "lead": Kind(_lead, "/api/v1/leads", _lead_body, "notes", Lead),
    "proforma": Kind(_quote, "/api/v1/quotes", _quote_body, "notes", Quote),
    # Only its creator edits a request: the same person with two clients.
    "request": Kind(
        _request, "/api/v1/requests", _request_body, "description", Request, second="owner"
    ),
    "complaint": Kind(_complaint, "/api/v1/complaints", _complaint_body, "actions", Complaint),
}


@pytest.mark.parametrize("kind", KINDS.values(), ids=KINDS.keys())
def test_a_put_of_a_stale_version_answers_409_naming_who_changed_what(
    client,
    personas,
    auth,  # noqa: F811
    kind,
):
    record = kind.make(personas)
    url = f"{kind.path}/{record.pk}"
    first, second = auth(kind.first), auth(kind.second)
    first_read = client.get(url, headers=first).json()
    second_read = client.get(url, headers=second).json()

    saved = client.put(
        url, _as_read(kind, first_read, "نوشتهٔ نفر اول"), content_type=JSON, headers=first
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["updated_at"] != first_read["updated_at"]
    refused = client.put(
        url, _as_read(kind, second_read, "نوشتهٔ نفر دوم"), content_type=JSON, headers=second
    )

    assert refused.status_code == 409, refused.content
    detail = refused.json()["detail"]
    label = kind.model._meta.get_field(kind.field).verbose_name
    assert f"{getattr(personas, kind.first)} این {kind.model._meta.verbose_name} را " in detail
    assert f"({label})" in detail or f"، {label})" in detail or f"({label}،" in detail
    record.refresh_from_db()
    assert getattr(record, kind.field) == "نوشتهٔ نفر اول"

    # With the version the refusal gives, the client may overwrite knowingly.
    again = client.put(
        url,
        _as_read(kind, second_read, "نوشتهٔ نفر دوم") | {"updated_at": refused.json()["updated_at"]},
        content_type=JSON,
        headers=second,
    )
    assert again.status_code == 200, again.content
    record.refresh_from_db()
    assert getattr(record, kind.field) == "نوشتهٔ نفر دوم"


def test_a_put_without_a_version_saves_as_before(client, personas, auth):  # noqa: F811
    lead = LeadFactory(owner=personas.owner)
    url = f"/api/v1/leads/{lead.pk}"
    owner, teammate = auth("owner"), auth("teammate")
    read = client.get(url, headers=owner).json()
    body = _lead_body(read)
    changed = client.put(url, body | {"title": "تازه"}, content_type=JSON, headers=teammate)
    assert changed.status_code == 200

    response = client.put(url, body | {"notes": "بی نسخه"}, content_type=JSON, headers=owner)

    assert response.status_code == 200, response.content
    lead.refresh_from_db()
    assert lead.notes == "بی نسخه"


def test_the_openapi_document_gives_every_put_its_version_and_its_409(
    client,
    personas,
    auth,  # noqa: F811
):
    document = client.get("/api/v1/openapi.json", headers=auth("manager")).json()
    schemas = document["components"]["schemas"]
    puts = {
        path: operations["put"]
        for path, operations in document["paths"].items()
        if "put" in operations
    }
    assert {"/api/v1/leads/{lead_id}", "/api/v1/quotes/{quote_id}"} <= puts.keys()
    for path, operation in puts.items():
        assert "409" in operation["responses"], path
        body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        fields = schemas[body.rsplit("/", 1)[1]]["properties"]
        assert "updated_at" in fields and "409" in fields["updated_at"]["description"], path


def test_a_stale_put_of_a_catalogue_line_answers_409(client, personas, auth):  # noqa: F811
    product = Product.objects.create(code="P-1", name="تابلو برق", price=1_000_000)
    url = f"/api/v1/products/{product.pk}"
    manager = auth("manager")
    read = client.get("/api/v1/products?q=P-1", headers=manager).json()["items"][0]
    body = {"code": "P-1", "name": "تابلو", "price": "1000000", "updated_at": read["updated_at"]}
    assert client.put(url, body, content_type=JSON, headers=manager).status_code == 200

    refused = client.put(url, body | {"name": "دوم"}, content_type=JSON, headers=manager)

    assert refused.status_code == 409
    assert refused.json()["detail"].startswith("کس دیگری این کالا یا خدمت را")
    product.refresh_from_db()
    assert product.name == "تابلو"
