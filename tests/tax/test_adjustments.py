# ruff: noqa: F811 - fixtures imported from tests.tax.live, then named as arguments
"""Corrections, returns and cancellations reach سامانه مودیان as the documents it
defines (ins 2, 4, 3 with the tax ID of the version it holds), through the same worker
and against the real fake on loopback, which refuses a reference it does not hold."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from peyvand.sales import services as sales
from peyvand.sales.models import InvoiceLine, InvoiceSubject
from peyvand.tax import selectors, sending, services
from peyvand.tax.mapping import invoice_payload
from peyvand.tax.models import TaxSubmission
from tests.tax.helpers import issue, legal_customer, product
from tests.tax.live import fake, moadian, pair  # noqa: F401 - fixtures

Status = TaxSubmission.Status


def _through(fake) -> None:
    """The worker sends what is due; the fake decides; the worker reads the verdicts."""
    sending.send_due()
    fake.step()
    sending.poll(now=timezone.now() + timedelta(minutes=5))


def _submission(invoice) -> TaxSubmission:
    return TaxSubmission.objects.get(invoice=invoice)


def _corrected_lines(invoice, *, price: int) -> list[InvoiceLine]:
    return [
        InvoiceLine(
            product=line.product,
            description=line.description,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=price,
            discount=0,
            vat_applies=line.vat_applies,
        )
        for line in invoice.lines.all()
    ]


def test_a_correction_of_an_accepted_invoice_goes_as_ins_2_with_its_tax_id(personas, moadian, fake):
    invoice = issue(legal_customer(personas.owner), personas.owner, [(product("G1"), 2, 10_000, 0)])
    _through(fake)
    original = _submission(invoice)
    assert original.status == Status.ACCEPTED

    correction = sales.invoice_adjust(
        invoice=invoice,
        subject=InvoiceSubject.CORRECTION,
        by=personas.owner,
        lines=_corrected_lines(invoice, price=9_000),
    )
    sent = _submission(correction)
    assert (sent.subject, sent.reference_tax_id) == (2, original.tax_id)
    assert sent.tax_id != original.tax_id
    _through(fake)
    sent.refresh_from_db()
    assert sent.status == Status.ACCEPTED, sent.errors
    packet = fake.packets()[-1]
    assert packet["taxid"] == sent.tax_id
    # What the fake decoded and checked: the subject and the reference.
    payload = invoice_payload(
        correction, tax_id=sent.tax_id, indatim=sent.indatim, subject=2,
        reference_tax_id=original.tax_id,
    )  # fmt: skip
    assert payload.data["header"]["ins"] == 2
    assert payload.data["header"]["irtaxid"] == original.tax_id
    assert payload.data["body"][0]["fee"] == 9_000


def test_a_rejected_invoice_corrected_goes_as_the_sales_original_and_is_accepted(
    personas, moadian, fake
):
    invoice = issue(legal_customer(personas.owner), personas.owner, [(product("G1"), 1, 50_000, 0)])
    fake.reject_next("0303502", "شناسه کالا/خدمت در سامانه فعال نیست")
    _through(fake)
    refused = _submission(invoice)
    assert refused.status == Status.REJECTED
    assert refused.errors[0]["message"] == "شناسه کالا/خدمت در سامانه فعال نیست"

    correction = sales.invoice_adjust(
        invoice=invoice,
        subject=InvoiceSubject.CORRECTION,
        by=personas.owner,
        lines=_corrected_lines(invoice, price=50_000),
    )
    sent = _submission(correction)
    # The system holds no version of this sale: the correction is its original there.
    assert (sent.subject, sent.reference_tax_id) == (1, "")
    _through(fake)
    sent.refresh_from_db()
    assert sent.status == Status.ACCEPTED, sent.errors
    # The replaced one is not sent again.
    with pytest.raises(ValidationError, match="جایگزین شده"):
        services.submission_resend(submission=refused)


def test_replacing_an_invoice_that_awaits_the_verdict_is_refused(personas, moadian, fake):
    invoice = issue(legal_customer(personas.owner), personas.owner, [(product("G1"), 1, 50_000, 0)])
    sending.send_due()  # sent, no verdict yet
    assert _submission(invoice).status == Status.SENT
    with pytest.raises(ValidationError, match="در انتظار پاسخ سامانه مودیان"):
        sales.invoice_adjust(
            invoice=invoice, subject=InvoiceSubject.CANCELLATION, by=personas.owner, notes="اشتباه"
        )
    invoice.refresh_from_db()
    assert not invoice.superseded and not invoice.adjustments.exists()


def test_a_return_goes_as_ins_4_with_the_quantities_left(personas, moadian, fake):
    goods = product("G1")
    invoice = issue(legal_customer(personas.owner), personas.owner, [(goods, 10, 10_000, 1_000)])
    _through(fake)
    line = invoice.lines.get()
    returned = sales.invoice_adjust(
        invoice=invoice, subject=InvoiceSubject.RETURN, by=personas.owner, returned={line.pk: 4}
    )
    sent = _submission(returned)
    assert (sent.subject, sent.reference_tax_id) == (4, _submission(invoice).tax_id)
    _through(fake)
    sent.refresh_from_db()
    assert sent.status == Status.ACCEPTED, sent.errors
    body = invoice_payload(
        returned, tax_id=sent.tax_id, indatim=sent.indatim, subject=4,
        reference_tax_id=sent.reference_tax_id,
    ).data["body"]  # fmt: skip
    assert (body[0]["am"], body[0]["fee"], body[0]["dis"]) == (6, 10_000, 600)


def test_a_cancellation_sends_the_cancelled_rows_as_ins_3(personas, moadian, fake):
    invoice = issue(legal_customer(personas.owner), personas.owner, [(product("G1"), 3, 20_000, 0)])
    _through(fake)
    cancellation = sales.invoice_adjust(
        invoice=invoice, subject=InvoiceSubject.CANCELLATION, by=personas.owner, notes="انصراف"
    )
    assert cancellation.total == 0 and not cancellation.lines.exists()
    sent = _submission(cancellation)
    assert sent.subject == 3
    _through(fake)
    sent.refresh_from_db()
    assert sent.status == Status.ACCEPTED, sent.errors
    body = invoice_payload(
        cancellation, tax_id=sent.tax_id, indatim=sent.indatim, subject=3,
        reference_tax_id=sent.reference_tax_id,
    ).data["body"]  # fmt: skip
    assert [(row["am"], row["fee"]) for row in body] == [(3, 20_000)]


def test_cancelling_an_invoice_the_system_never_held_sends_nothing(personas, moadian, fake):
    invoice = issue(legal_customer(personas.owner), personas.owner, [(product("G1"), 1, 5_000, 0)])
    fake.reject_next("0300601", "خطای آزمایشی")
    _through(fake)
    cancellation = sales.invoice_adjust(
        invoice=invoice, subject=InvoiceSubject.CANCELLATION, by=personas.owner, notes="انصراف"
    )
    assert not TaxSubmission.objects.filter(invoice=cancellation).exists()


def test_a_corrected_refusal_leaves_the_list_and_the_dashboard_count(personas, moadian, fake):
    invoice = issue(legal_customer(personas.owner), personas.owner, [(product("G1"), 1, 50_000, 0)])
    fake.reject_next("0303502", "رد آزمایشی")
    _through(fake)
    assert selectors.rejected_count(personas.owner) == 1
    sales.invoice_adjust(
        invoice=invoice,
        subject=InvoiceSubject.CORRECTION,
        by=personas.owner,
        lines=_corrected_lines(invoice, price=50_000),
    )
    assert selectors.rejected_count(personas.owner) == 0
    assert [s.invoice.subject for s in selectors.open_submissions(personas.owner)] == [2]
