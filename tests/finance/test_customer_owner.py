"""Receipts and cheques carry their customer's owner (core.operations.CopyCustomerField),
kept by the database on SQLite and PostgreSQL alike, so that a rep's visibility — the
money of the customers their team owns, and what they recorded — needs no join: right
from the start, when the customer changes hands, when a row moves to another customer,
whatever Django writes."""

import datetime

import pytest

from peyvand.accounts.roles import FINANCE
from peyvand.contacts.models import Contact
from peyvand.finance.models import Cheque, Receipt
from tests.core.test_customer_key import copy_triggers, trigger_names
from tests.factories import ContactFactory, UserFactory
from tests.finance.money import receive, receive_cheque

pytestmark = pytest.mark.django_db

OWNED = [Receipt, Cheque]


def owners(rows) -> set:
    return {
        type(row)._base_manager.values_list("customer_owner", flat=True).get(pk=row.pk)
        for row in rows
    }


@pytest.fixture
def finance_user(db):
    return UserFactory(role=FINANCE)


@pytest.fixture
def money(personas, finance_user):
    """A receipt and a cheque of the owner's customer, both recorded by finance."""
    customer = ContactFactory(owner=personas.owner)
    cheque = receive_cheque(customer, finance_user, 500_000, due_date=datetime.date(2027, 1, 1))
    return customer, [receive(customer, finance_user, 1_000_000), cheque, cheque.receipt]


def test_every_model_with_a_customer_owner_has_its_triggers():
    triggers = trigger_names()
    for model in OWNED:
        assert copy_triggers(model, "customer_owner_id") <= triggers, model


def test_a_rep_sees_their_customers_money_and_follows_a_hand_over(money, personas):
    customer, rows = money
    assert owners(rows) == {personas.owner.pk}
    for model in OWNED:
        assert model.objects.visible_to(personas.owner).filter(contact=customer).exists()
        assert model.objects.visible_to(personas.teammate).filter(contact=customer).exists()
        assert not model.objects.visible_to(personas.outsider).filter(contact=customer).exists()

    Contact.objects.filter(pk=customer.pk).update(owner=personas.outsider)

    assert owners(rows) == {personas.outsider.pk}
    for model in OWNED:
        assert model.objects.visible_to(personas.outsider).filter(contact=customer).exists()
        assert not model.objects.visible_to(personas.owner).filter(contact=customer).exists()


def test_a_row_moved_to_another_customer_takes_their_owner_whatever_django_wrote(money, personas):
    _customer, rows = money
    other = ContactFactory(owner=personas.outsider)
    for row in rows:
        type(row)._base_manager.filter(pk=row.pk).update(contact=other)
    assert owners(rows) == {personas.outsider.pk}
    receipt = Receipt.objects.get(pk=rows[0].pk)
    receipt.customer_owner = personas.owner  # a stale or wrong copy
    receipt.note = "ویرایش"
    receipt.save()
    assert owners([receipt]) == {personas.outsider.pk}
