# ruff: noqa: F811 - fixtures imported from tests.tax.live, then named as arguments
"""Invoices to سامانه مودیان through the worker, against the real fake on loopback: the
mapping the fake checks, the queue on issuing, the verdicts, rejections sent again after
a fix, and exactly once when an answer is lost or a worker is killed."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from peyvand.tax import sending, services
from peyvand.tax.mapping import invoice_payload
from peyvand.tax.models import TaxSubmission
from peyvand.tax.taxid import parse_tax_id
from tests.tax.conftest import MEMORY_ID
from tests.tax.helpers import configure, issue, legal_customer, product
from tests.tax.live import fake, moadian, pair  # noqa: F401 - fixtures

Status = TaxSubmission.Status


def _posts(fake) -> int:
    return sum(1 for method, route in fake.requests if method == "POST")


def _later():
    return timezone.now() + timedelta(minutes=5)


def _settle(fake):
    fake.step()
    sending.poll(now=_later())


def test_issuing_queues_and_the_worker_gets_it_accepted(personas, moadian, fake):
    customer = legal_customer(personas.owner)
    invoice = issue(
        customer,
        personas.owner,
        [
            (product("G1"), 2, 10_000, 500),
            (product("S1", unit="ساعت", kind="service"), 3, 7_333, 0),
        ],
    )
    [submission] = TaxSubmission.objects.filter(invoice=invoice)
    assert submission.status == Status.QUEUED and submission.subject == 1
    parsed = parse_tax_id(submission.tax_id)
    assert parsed.memory_id == MEMORY_ID
    assert parsed.day == submission.indatim // 86_400_000
    assert parsed.serial == submission.serial

    assert sending.send_due() == 1
    submission.refresh_from_db()
    assert submission.status == Status.SENT and submission.uid and submission.reference_number
    assert submission.attempts == 1

    # The fake answers IN_PROGRESS to the first inquiry, then its verdict.
    sending.poll(now=_later())
    submission.refresh_from_db()
    assert submission.status == Status.SENT
    sending.poll(now=_later() + timedelta(minutes=5))
    submission.refresh_from_db()
    assert submission.status == Status.ACCEPTED, fake.packets()
    assert submission.settled_at is not None
    assert [p["taxid"] for p in fake.packets()] == [submission.tax_id]


def test_the_payload_passes_the_fakes_arithmetic_and_type(personas, moadian):
    customer = legal_customer(personas.owner)
    invoice = issue(customer, personas.owner, [(product("G1"), 3, 3_333, 1)])
    payload = invoice_payload(invoice, tax_id="A1121604C220002F095011", indatim=1683997837988)
    assert payload.problems == []
    header, [line] = payload.data["header"], payload.data["body"]
    assert (header["inty"], header["inp"], header["ins"], header["tob"]) == (1, 1, 1, 2)
    assert header["tins"] == "14003778990" and header["tinb"] == "10101010101"
    assert line["sstid"] == "2330001234567" and line["mu"] == "1627"
    assert (line["am"], line["fee"], line["prdis"], line["dis"], line["adis"]) == (
        3, 3_333, 9_999, 1, 9_998,
    )  # fmt: skip
    assert line["tsstam"] == line["adis"] + line["vam"]
    assert header["tbill"] == invoice.total


def test_a_buyer_without_identifiers_gets_a_type_2_invoice(personas, moadian, fake):
    person = legal_customer(personas.owner, kind="person", national_id="", economic_code="")
    invoice = issue(person, personas.owner, [(product("G1"), 1, 50_000, 0)])
    [submission] = invoice.tax_submissions.all()
    payload = invoice_payload(invoice, tax_id=submission.tax_id, indatim=submission.indatim)
    assert payload.invoice_type == 2 and "tob" not in payload.data["header"]
    sending.send_due()
    _settle(fake)
    submission.refresh_from_db()
    assert submission.status == Status.ACCEPTED, submission.errors


def test_a_line_without_tax_id_or_with_an_unknown_unit_is_not_sent(personas, moadian, fake):
    customer = legal_customer(personas.owner)
    bare = product("G2", tax_id="")
    yearly = product("S2", unit="سال", kind="service")
    invoice = issue(customer, personas.owner, [(bare, 1, 1_000, 0), (yearly, 1, 2_000, 0)])
    [submission] = invoice.tax_submissions.all()
    sending.send_due()
    submission.refresh_from_db()
    assert submission.status == Status.FAILED
    messages = [error["message"] for error in submission.errors]
    assert any("شناسه کالا/خدمت" in m and "ردیف 1" in m for m in messages)
    assert any("«سال»" in m and "ردیف 2" in m for m in messages)
    assert _posts(fake) == 0

    # Still wrong: the resend refuses, with the same reasons, and changes nothing.
    with pytest.raises(ValidationError) as caught:
        services.submission_resend(submission=submission)
    assert any("شناسه کالا/خدمت" in m for m in caught.value.messages)
    assert TaxSubmission.objects.get(pk=submission.pk).tax_id == submission.tax_id

    bare.tax_id = "2330001234568"
    bare.save()
    yearly.unit = "ماه"
    yearly.save()
    invoice.lines.filter(product=yearly).update(unit="ماه")
    again = services.submission_resend(submission=submission)
    assert again.status == Status.QUEUED and again.tax_id != submission.tax_id
    sending.send_due()
    _settle(fake)
    again.refresh_from_db()
    assert again.status == Status.ACCEPTED, again.errors


def test_a_rejection_keeps_the_systems_reason_and_a_resend_takes_a_new_tax_id(
    personas, moadian, fake
):
    invoice = issue(legal_customer(personas.owner), personas.owner, [(product("G1"), 1, 9_000, 0)])
    fake.reject_next("0303301", "شناسه کالا/خدمت در سامانه ثبت نشده است")
    sending.send_due()
    _settle(fake)
    [submission] = invoice.tax_submissions.all()
    assert submission.status == Status.REJECTED
    assert submission.errors == [
        {"code": "0303301", "message": "شناسه کالا/خدمت در سامانه ثبت نشده است"}
    ]
    first = submission.tax_id
    again = services.submission_resend(submission=submission)
    assert again.tax_id != first and again.serial > submission.serial
    assert parse_tax_id(again.tax_id).day == parse_tax_id(first).day
    sending.send_due()
    _settle(fake)
    again.refresh_from_db()
    assert again.status == Status.ACCEPTED and again.errors == []


def test_a_lost_answer_is_asked_about_before_sending_again(personas, moadian, fake):
    invoice = issue(legal_customer(personas.owner), personas.owner, [(product("G1"), 1, 9_000, 0)])
    fake.fail_next(502, route="invoice")  # a proxy's page: the POST was not taken
    sending.send_due()
    [submission] = invoice.tax_submissions.all()
    assert submission.status == Status.QUEUED and submission.maybe_sent_at is not None
    lost_uid = submission.uid
    TaxSubmission.objects.filter(pk=submission.pk).update(scheduled_at=timezone.now())

    sending.send_due()
    submission.refresh_from_db()
    asked = [route for method, route in fake.requests if "inquiry-by-uid" in route]
    assert asked, "the system is asked before the second send"
    assert submission.status == Status.SENT and submission.uid != lost_uid
    assert submission.maybe_sent_at is None and submission.attempts == 2
    _settle(fake)
    submission.refresh_from_db()
    assert submission.status == Status.ACCEPTED
    assert len(fake.packets()) == 1


def test_a_killed_worker_loses_nothing_and_sends_nothing_twice(personas, moadian, fake):
    invoice = issue(legal_customer(personas.owner), personas.owner, [(product("G1"), 1, 9_000, 0)])
    # A worker claims it, writes its uid, the system takes the POST — and the worker is
    # killed before it records "sent".
    [claimed] = sending.claim()
    submission = TaxSubmission.objects.select_related("invoice").get(pk=claimed)
    TaxSubmission.objects.filter(pk=claimed).update(
        claimed_by="dead-worker", uid="4f9d1c4e-7b1a-4c55-9d4e-0f6b2a1e9c01"
    )
    from peyvand.tax.client import get_moadian_client

    payload = invoice_payload(invoice, tax_id=submission.tax_id, indatim=submission.indatim)
    with get_moadian_client() as client:
        client.send_invoices([payload.data], trace_ids=["4f9d1c4e-7b1a-4c55-9d4e-0f6b2a1e9c01"])
    assert _posts(fake) == 1

    assert sending.recover_stale() == 1
    submission.refresh_from_db()
    assert submission.status == Status.QUEUED and submission.maybe_sent_at is not None
    TaxSubmission.objects.filter(pk=claimed).update(scheduled_at=timezone.now())
    sending.send_due()
    submission.refresh_from_db()
    assert _posts(fake) == 1, "found by its uid, not sent again"
    assert submission.status in (Status.SENT, Status.ACCEPTED)
    _settle(fake)
    submission.refresh_from_db()
    assert submission.status == Status.ACCEPTED


def test_nothing_is_queued_or_sent_while_sending_is_off(personas, pair, fake, db):
    configure(pair, fake.url, enabled=False)
    invoice = issue(legal_customer(personas.owner), personas.owner, [(product("G1"), 1, 9_000, 0)])
    assert not invoice.tax_submissions.exists()
    assert sending.send_due() == 0 and fake.requests == []
