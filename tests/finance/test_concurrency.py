"""Two writers on one customer's account at once (PostgreSQL, real threads and
connections): they take turns on the account's row lock, so an open amount is never
allocated twice and the kept totals stay equal to the rows."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from peyvand.finance.models import Account, Allocation, Entry
from peyvand.sales import services as sales
from peyvand.sales.models import Invoice, InvoiceLine, InvoiceSubject
from tests.concurrency import at_once
from tests.factories import ContactFactory
from tests.finance.money import issue_invoice, receive

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_receipts_for_the_same_invoice_never_over_allocate(personas):
    contact = ContactFactory(owner=personas.owner)
    invoice = issue_invoice(contact, personas.owner, 30_000_000)
    entry = invoice.entries.get()
    outcomes = at_once(
        lambda: receive(contact, personas.manager, 30_000_000, targets=[(entry.pk, 30_000_000)]),
        lambda: receive(contact, personas.manager, 30_000_000, targets=[(entry.pk, 30_000_000)]),
    )
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(refused) == 1 and "از مانده آن" in refused[0].messages[0]
    entry.refresh_from_db()
    assert entry.allocated == 30_000_000
    assert Allocation.objects.aggregate(s=Sum("amount"))["s"] == 30_000_000


def test_automatic_receipts_at_once_leave_the_rest_as_credit(personas):
    contact = ContactFactory(owner=personas.owner)
    issue_invoice(contact, personas.owner, 30_000_000)
    at_once(*(lambda: receive(contact, personas.manager, 20_000_000) for _ in range(3)))
    account = Account.objects.get(contact=contact)
    assert account.balance == 30_000_000 - 60_000_000
    for entry in Entry.objects.filter(contact=contact):
        side = entry.debit_allocations if entry.is_debit else entry.credit_allocations
        assert entry.allocated == (side.aggregate(s=Sum("amount"))["s"] or 0)
        assert entry.allocated <= entry.amount
    assert Allocation.objects.aggregate(s=Sum("amount"))["s"] == 30_000_000


def test_two_replacements_of_one_invoice_at_once_leave_one(personas):
    """Two users correct and cancel the same invoice at once: the invoice's row lock
    lets one through; the other is told it was replaced, and the account owes once."""
    contact = ContactFactory(owner=personas.owner)
    invoice = issue_invoice(contact, personas.owner, 30_000_000)
    receive(contact, personas.manager, 10_000_000)
    outcomes = at_once(
        lambda: sales.invoice_adjust(
            invoice=invoice,
            subject=InvoiceSubject.CORRECTION,
            by=personas.owner,
            lines=[InvoiceLine(description="یو پی اس", unit_price=25_000_000, vat_applies=False)],
        ),
        lambda: sales.invoice_adjust(
            invoice=invoice, subject=InvoiceSubject.CANCELLATION, by=personas.manager, notes="لغو"
        ),
    )
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(refused) == 1 and "جایگزین شده" in refused[0].messages[0]
    [replacement] = Invoice.objects.filter(reference=invoice)
    owed = 25_000_000 if replacement.subject == InvoiceSubject.CORRECTION else 0
    assert Account.objects.get(contact=contact).balance == owed - 10_000_000
    for entry in Entry.objects.filter(contact=contact):
        side = entry.debit_allocations if entry.is_debit else entry.credit_allocations
        assert entry.allocated == (side.aggregate(s=Sum("amount"))["s"] or 0)
