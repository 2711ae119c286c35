"""Helpers for the money tests: invoices issued the way a rep issues them, receipts and
cheques the way finance records them."""

import datetime

from peyvand.finance import services
from peyvand.finance.models import Cheque, Method, Receipt
from peyvand.sales import services as sales
from peyvand.sales.models import Invoice, PaymentTerms, Quote, QuoteLine
from peyvand.sales.terms import InstalmentPlan


def issue_invoice(
    contact,
    by,
    amount: int,
    *,
    due_date: datetime.date | None = None,
    plan: InstalmentPlan | None = None,
) -> Invoice:
    """An invoice of ``amount`` rials (no VAT line) issued from an accepted proforma; with
    ``plan``, sold by instalments (one account line per instalment)."""
    terms = PaymentTerms.INSTALLMENTS if plan is not None else PaymentTerms.CASH
    quote = sales.quote_save(
        quote=Quote(contact=contact, payment_terms=terms),
        lines=[QuoteLine(description="دستگاه یو پی اس", unit_price=amount, vat_applies=False)],
        by=by,
        plan=plan,
    )
    quote = sales.quote_set_status(quote=quote, by=by, status=Quote.Status.ACCEPTED)
    invoice = sales.quote_to_invoice(quote=quote, by=by)
    if due_date is not None:
        Invoice.objects.filter(pk=invoice.pk).update(due_date=due_date)
        invoice.entries.update(due_date=due_date)
    invoice.refresh_from_db()
    return invoice


def receive(contact, by, amount: int, *, method: str = Method.CARD, date=None, targets=None):
    receipt = Receipt(
        contact=contact,
        amount=amount,
        method=method,
        date=date or datetime.date.today(),
        reference="123456",
    )
    return services.receipt_record(receipt=receipt, by=by, targets=targets)


def pay_back(contact, by, amount: int, *, date=None):
    receipt = Receipt(
        contact=contact,
        amount=amount,
        method=Method.CARD,
        direction=Receipt.Direction.OUT,
        date=date or datetime.date.today(),
    )
    return services.receipt_record(receipt=receipt, by=by)


def receive_cheque(
    contact, by, amount: int, *, due_date=None, sayad_id="1234567890123456", date=None, targets=None
) -> Cheque:
    date = date or datetime.date.today()
    receipt = Receipt(contact=contact, amount=amount, method=Method.CHEQUE, date=date)
    cheque = Cheque(
        sayad_id=sayad_id,
        serial="۱۲۳/۴۵۶۷۸۹",
        bank="ملت",
        branch="مرکزی",
        drawer=contact.name,
        due_date=due_date or date + datetime.timedelta(days=30),
    )
    services.receipt_record(receipt=receipt, by=by, cheque=cheque, targets=targets)
    return Cheque.objects.get(receipt=receipt)
