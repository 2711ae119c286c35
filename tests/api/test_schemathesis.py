"""Schemathesis against the schema the app serves (/api/v1/openapi.json): every
operation, as a manager and as a sales rep, with a record of every kind present. No
input may end in a server error, and every answer must be one the schema documents,
shaped as it says (schemathesis' default checks, but for positive_data_acceptance)."""

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from peyvand.accounts.models import ApiToken
from peyvand.accounts.roles import MANAGER, SALES
from peyvand.finance.models import BankAccount, Receipt
from peyvand.lookups.models import FollowUpResult, Urgency
from tests.factories import ContactFactory, FollowUpFactory, LeadFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

JSON = "application/json"

CONFIG = {
    "seed": 9,
    "generation": {
        # Per operation and persona (89 × 2 × 6 calls: about a minute on SQLite); more
        # to hunt locally: PEYVAND_SCHEMATHESIS_EXAMPLES=50 pytest tests/api/test_schemathesis.py
        "max-examples": int(os.environ.get("PEYVAND_SCHEMATHESIS_EXAMPLES", "6")),
        "deterministic": True,
        "database": "none",
        # The test sends a real bearer token; a generated Authorization header would be
        # replaced by it, so an "invalid" one would be accepted.
        "with-security-parameters": False,
    },
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    # A schema-valid body may still break a business rule (an unknown id, a Jalali date
    # that is no date): a Persian 422, not a bug.
    "checks": {"positive_data_acceptance": {"enabled": False}},
}

# The schema is served without a login (the docs page needs one), so it loads at import.
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", WSGIHandler(), config=schemathesis.Config.from_dict(CONFIG)
)

KNOWN: dict[str, list[int]] = {}  # ids of real records by parameter name (module fixture)


def _sometimes_real(values):
    """Half the time, ids that name real records (a manager sees them all, the rep their
    own): detail pages and actions then run their rules, not just their 404. Only an id
    that is an integer already is replaced: an invalid one (negative testing) stays."""
    if not isinstance(values, dict):
        return st.just(values)
    known = {name: KNOWN[name] for name in values if name in KNOWN and type(values[name]) is int}
    if not known:
        return st.just(values)
    real = st.fixed_dictionaries({name: st.sampled_from(ids) for name, ids in known.items()})
    return st.one_of(st.just(values), real.map(lambda chosen: {**values, **chosen}))


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    return _sometimes_real(path_parameters)


@schema.hook
def flatmap_body(context, body):
    return _sometimes_real(body)


def _post(client, url, payload, token) -> int:
    response = client.post(
        url, payload, content_type=JSON, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def _records(rep, manager, rep_token, boss_token) -> dict[str, list[int]]:
    """A record of every kind, made through the API as the pages' users would."""
    client = Client()
    contact = ContactFactory(owner=rep, name="علی کریمی", phones=["+989121234567"])
    lead = LeadFactory(owner=rep, contact=contact)
    urgency = Urgency.objects.order_by("pk").first()
    product = _post(
        client, "/api/v1/products", {"code": "P-1", "name": "تابلو", "price": "20000"}, boss_token
    )
    quote = _post(
        client,
        "/api/v1/quotes",
        {"contact_id": contact.pk, "lines": [{"product_id": product}]},
        rep_token,
    )
    accepted = _post(
        client,
        "/api/v1/quotes",
        {"contact_id": contact.pk, "lines": [{"description": "نصب", "unit_price": "500000"}]},
        rep_token,
    )
    for status in ("sent", "accepted"):
        response = client.post(
            f"/api/v1/quotes/{accepted}/status",
            {"status": status},
            content_type=JSON,
            headers={"Authorization": f"Bearer {rep_token}"},
        )
        assert response.status_code == 200, response.content
    request = {"description": "چاپگر", "urgency_id": urgency.pk, "assignee_id": rep.pk}
    complaint = {"contact_id": contact.pk, "description": "دیر رسید", "officer_id": rep.pk}
    feedback = {"contact_id": contact.pk, "kind": "suggestion", "description": "خوب"}
    _post(client, "/api/v1/feedback", feedback, rep_token)
    invoice = _post(client, f"/api/v1/quotes/{accepted}/invoice", {}, rep_token)
    bank = BankAccount.objects.create(name="جاری ملت", bank="ملت")
    paid = {"contact_id": contact.pk, "amount": 100_000, "method": "cash"}
    cheque = paid | {
        "method": "cheque",
        "cheque": {"sayad_id": "1234567890123456", "bank": "ملت", "due_date": "2099-01-01"},
    }
    receipt = _post(client, "/api/v1/receipts", paid, boss_token)
    cheque_receipt = Receipt.objects.get(pk=_post(client, "/api/v1/receipts", cheque, boss_token))
    return {
        "contact_id": [contact.pk],
        "lead_id": [lead.pk],
        "followup_id": [FollowUpFactory(lead=lead).pk],
        "product_id": [product],
        "quote_id": [quote, accepted],
        "invoice_id": [invoice],
        "receipt_id": [receipt, cheque_receipt.pk],
        "cheque_id": [cheque_receipt.cheque.pk],
        "bank_account_id": [bank.pk],
        "task_id": [
            _post(client, "/api/v1/tasks", {"description": "تماس", "date": "1405/09/10"}, rep_token)
        ],
        "event_id": [
            _post(client, "/api/v1/events", {"title": "جلسه", "date": "1405/09/10"}, rep_token)
        ],
        "call_id": [
            _post(
                client,
                "/api/v1/calls",
                {"number": "09121234567", "started_at": "1405/09/10 10:00"},
                rep_token,
            )
        ],
        "message_id": [
            _post(client, "/api/v1/messages", {"contact_id": contact.pk, "body": "سلام"}, rep_token)
        ],
        "request_id": [_post(client, "/api/v1/requests", request, boss_token)],
        "complaint_id": [_post(client, "/api/v1/complaints", complaint, boss_token)],
        "result_id": list(FollowUpResult.objects.values_list("pk", flat=True)[:2]),
        "urgency_id": [urgency.pk],
        "assignee_id": [rep.pk, manager.pk],
        "officer_id": [rep.pk, manager.pk],
    }


@pytest.fixture(scope="module")
def tokens(django_db_setup, django_db_blocker):
    """The records and the two personas' tokens, made once for the module inside a
    transaction that is rolled back at its end (each test runs in a savepoint of it, as
    in Django's setUpTestData)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            rep = UserFactory(username="schema-rep", role=SALES)
            manager = UserFactory(username="schema-boss", role=MANAGER)
            TeamFactory(name="فروش شمال").members.add(rep)
            found = {"manager": ApiToken.issue(manager)[1], "rep": ApiToken.issue(rep)[1]}
            KNOWN.update(_records(rep, manager, found["rep"], found["manager"]))
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield found
    KNOWN.clear()
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def in_process_app():
    """Django's WSGI handler, called in the test's own thread and transaction. As with
    Django's test client, the end of a request must not close the connection that
    holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("persona", ["manager", "rep"])
@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_answer_is_documented_and_none_is_a_server_error(
    case, persona, tokens, in_process_app, db
):
    case.call_and_validate(
        app=in_process_app, headers={"Authorization": f"Bearer {tokens[persona]}"}
    )
