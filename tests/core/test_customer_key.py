"""A row's copy of its customer's search key (core.operations.CopyCustomerKey), kept by
the database on SQLite and PostgreSQL alike: on every insert and update of the row,
whatever Django sent; when the customer's name, company or phones change; when a merge
moves the row to another customer. The lists find rows by it (their ``search_key``)."""

import datetime

import pytest
from django.apps import apps
from django.db import connection

from peyvand.activities.models import Call
from peyvand.contacts import services as contact_services
from peyvand.contacts.models import Contact
from peyvand.core.text import fa_search_key
from peyvand.finance.models import Cheque, Receipt
from peyvand.lookups.models import Urgency
from peyvand.messaging import services as messaging
from peyvand.messaging.models import Message
from peyvand.sales.models import Invoice, Lead, Quote
from peyvand.service import services as service_services
from peyvand.service.models import Complaint, Request
from tests.factories import ContactFactory, LeadFactory
from tests.finance.money import issue_invoice, receive_cheque

pytestmark = pytest.mark.django_db

KEYED = [Lead, Quote, Invoice, Receipt, Cheque, Request, Complaint, Message, Call]
# Those whose own search key holds the customer's (a call keeps it apart).
SEARCHED = [model for model in KEYED if model is not Call]


def test_every_model_with_a_customer_key_has_its_triggers():
    """Any model that declares customer_key is in KEYED, and each one's triggers exist:
    a migration that remade the table without making them again fails here."""
    declared = {
        model
        for model in apps.get_models()
        if any(field.name == "customer_key" for field in model._meta.concrete_fields)
    }
    assert declared == set(KEYED)
    triggers = trigger_names()
    for model in KEYED:
        assert copy_triggers(model, "customer_key") <= triggers, model


def trigger_names() -> set[str]:
    """The triggers the database holds (ours: Django makes none)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()}


def copy_triggers(model, column: str) -> set[str]:
    """The triggers core.operations.CopyCustomerKey (or a subclass) makes for ``column``."""
    prefix = f"{model._meta.db_table}_{column}"
    own = (
        {prefix} if connection.vendor == "postgresql" else {f"{prefix}_insert", f"{prefix}_update"}
    )
    return own | {f"{prefix}_from_contact"}


@pytest.fixture
def rows(personas):
    """One row of each kind, all of one customer, made the way users make them."""
    rep = personas.owner
    customer = ContactFactory(owner=rep, name="فروشگاه نور")
    contact_services.contact_phones_set(
        contact=customer, phones=[{"kind": "mobile", "number": "09121112233"}]
    )
    customer.save()
    invoice = issue_invoice(customer, rep, 1_000_000)
    cheque = receive_cheque(customer, rep, 500_000, due_date=datetime.date(2027, 1, 1))
    urgency = Urgency.objects.get_or_create(name="عادی", defaults={"deadline_days": 2})[0]
    request = service_services.request_register(
        request=Request(contact=customer, description="خرابی", urgency=urgency, assignee=rep),
        by=rep,
    )
    complaint = service_services.complaint_register(
        complaint=Complaint(contact=customer, description="تأخیر", officer=rep), by=rep
    )
    message = messaging.message_to_contact(
        contact=customer, channel="sms", body="سفارش شما آماده است", by=rep
    )
    return customer, [
        message,
        LeadFactory(owner=rep, contact=customer),
        Quote.objects.get(pk=invoice.quote_id) if invoice.quote_id else None,
        invoice,
        cheque.receipt,
        cheque,
        request,
        complaint,
    ]


def keys(found: list) -> set[str]:
    """Each row's customer_key and search_key as the database holds them now."""
    return {
        (
            type(row).__name__,
            *type(row)._base_manager.values_list("customer_key", "search_key").get(pk=row.pk),
        )
        for row in found
        if row is not None
    }


def holds(found: list, text: str) -> set[str]:
    """The kinds of row whose own search key finds ``text``."""
    key = fa_search_key(text)
    return {
        type(row).__name__
        for row in found
        if row is not None
        and type(row)._base_manager.filter(pk=row.pk, search_key__contains=key).exists()
    }


def test_a_row_holds_its_customers_key_from_the_start(rows):
    customer, found = rows
    customer.refresh_from_db()
    kinds = {type(row).__name__ for row in found if row is not None}
    assert kinds == {model.__name__ for model in SEARCHED}
    assert {customer_key for _kind, customer_key, _key in keys(found)} == {customer.search_key}
    assert holds(found, "فروشگاه نور") == kinds
    assert holds(found, "۰۹۱۲۱۱۱۲۲۳۳") == kinds  # the customer's phone, in Persian digits


def test_a_renamed_customer_or_a_new_phone_reaches_every_row(rows):
    customer, found = rows
    kinds = {type(row).__name__ for row in found if row is not None}
    customer.name = "بازرگانی آفتاب"
    contact_services.contact_phones_set(
        contact=customer, phones=[{"kind": "mobile", "number": "09350001122"}]
    )
    customer.save()
    assert holds(found, "آفتاب") == kinds
    assert holds(found, "09350001122") == kinds
    assert holds(found, "فروشگاه نور") == {"Cheque"}  # its drawer, written on the cheque
    assert holds(found, "09121112233") == set()


def test_what_django_writes_into_the_copy_is_overwritten(rows):
    """A row saved from a stale instance (its customer_key read before a rename, or
    never read) still holds its customer's key."""
    customer, found = rows
    lead = next(row for row in found if isinstance(row, Lead))
    Contact.objects.filter(pk=customer.pk).update(name="بازرگانی آفتاب")
    lead.customer_key = "چیز دیگری"
    lead.title = "خرید ۲۰ دستگاه"
    lead.save()
    assert holds([lead], "آفتاب") == {"Lead"}
    assert holds([lead], "چیز دیگری") == set()


def test_a_row_moved_to_another_customer_takes_their_key(rows, personas):
    """However it is moved (a merge re-points the duplicate's rows with one UPDATE)."""
    _customer, found = rows
    other = ContactFactory(owner=personas.owner, name="هلدینگ کوهستان")
    for row in found:
        if row is not None:
            type(row)._base_manager.filter(pk=row.pk).update(contact=other)
    kinds = {type(row).__name__ for row in found if row is not None}
    assert holds(found, "کوهستان") == kinds
    assert holds(found, "فروشگاه نور") == {"Cheque"}  # its drawer


def test_a_merge_moves_leads_requests_and_complaints_under_the_survivors_key(rows, personas):
    duplicate, found = rows
    survivor = ContactFactory(owner=personas.owner, name="هلدینگ کوهستان")
    contact_services.contacts_merge(
        survivor=survivor, duplicate=duplicate, take=set(), by=personas.manager
    )
    assert {"Lead", "Request", "Complaint"} <= holds(found, "کوهستان")


def test_a_call_holds_its_contacts_key_apart_from_its_own(rows, personas):
    """A call keeps the contact's key beside its own search key (the list asks it only
    where the reader sees the contact), and it follows a rename."""
    customer, _found = rows
    call = Call.objects.create(
        owner=personas.owner, kind="incoming", number="+989121112233", contact=customer
    )
    Contact.objects.filter(pk=customer.pk).update(name="بازرگانی آفتاب")
    stored = Call.objects.values_list("customer_key", "search_key").get(pk=call.pk)
    assert fa_search_key("آفتاب") in stored[0]
    assert fa_search_key("آفتاب") not in stored[1]
