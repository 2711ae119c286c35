"""The customer's account: invoices owed, receipts settling them oldest first, credit
left over, cheques that settle only when cleared and re-open what they settled when they
bounce, and the totals kept in step."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from peyvand.activities.models import Notification, Reminder
from peyvand.finance import services
from peyvand.finance.models import Account, Allocation, BankAccount, Cheque, Entry
from peyvand.sales.models import Invoice
from tests.factories import ContactFactory
from tests.finance.money import issue_invoice, pay_back, receive, receive_cheque

TODAY = datetime.date.today()


def account(contact) -> Account:
    return Account.objects.get(contact=contact)


def status(invoice) -> str:
    invoice.refresh_from_db()
    return invoice.payment_status


@pytest.fixture
def customer(personas):
    return ContactFactory(owner=personas.owner, name="فروشگاه نور")


def test_an_issued_invoice_is_owed_on_the_customers_account(personas, customer):
    invoice = issue_invoice(customer, personas.owner, 50_000_000)
    assert invoice.entries.get().debit == 50_000_000
    assert account(customer).balance == 50_000_000
    assert status(invoice) == Invoice.PaymentStatus.UNPAID


def test_a_receipt_settles_the_oldest_invoice_first_and_keeps_the_rest_as_credit(
    personas, customer
):
    old = issue_invoice(customer, personas.owner, 30_000_000, due_date=TODAY)
    new = issue_invoice(
        customer, personas.owner, 20_000_000, due_date=TODAY + datetime.timedelta(days=30)
    )
    receive(customer, personas.manager, 40_000_000)
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.paid, status(old)) == (30_000_000, Invoice.PaymentStatus.PAID)
    assert (new.paid, status(new)) == (10_000_000, Invoice.PaymentStatus.PARTLY_PAID)
    receive(customer, personas.manager, 15_000_000)
    assert status(new) == Invoice.PaymentStatus.PAID
    assert account(customer).balance == -5_000_000  # the customer's credit
    # The credit settles the next invoice as soon as it is issued.
    third = issue_invoice(customer, personas.owner, 8_000_000)
    third.refresh_from_db()
    assert third.paid == 5_000_000
    assert account(customer).balance == 3_000_000


def test_a_receipt_settles_the_invoices_the_user_chose(personas, customer):
    old = issue_invoice(customer, personas.owner, 30_000_000, due_date=TODAY)
    new = issue_invoice(customer, personas.owner, 20_000_000)
    receive(customer, personas.manager, 20_000_000, targets=[(new.entries.get().pk, 20_000_000)])
    assert status(new) == Invoice.PaymentStatus.PAID
    old.refresh_from_db()
    assert old.paid == 0


@pytest.mark.parametrize(
    ("amount", "targets", "error"),
    [
        (0, None, "مبلغ باید بیشتر از صفر باشد."),
        (-5, None, "مبلغ باید بیشتر از صفر باشد."),
        (10_000_000, "too much", "از مانده آن"),
        (5_000_000, "over receipt", "جمع تسویه‌ها از مبلغ دریافت بیشتر است."),
    ],
)
def test_bad_receipts_are_refused_and_change_nothing(personas, customer, amount, targets, error):
    invoice = issue_invoice(customer, personas.owner, 8_000_000)
    chosen = {
        None: None,
        "too much": [(invoice.entries.get().pk, 9_000_000)],
        "over receipt": [(invoice.entries.get().pk, 6_000_000)],
    }[targets]
    with pytest.raises(ValidationError) as refused:
        receive(customer, personas.manager, amount, targets=chosen)
    assert error in " ".join(refused.value.messages)
    assert not Allocation.objects.exists()
    assert account(customer).balance == 8_000_000


def test_a_cheque_settles_only_when_it_clears(personas, customer):
    invoice = issue_invoice(customer, personas.owner, 25_000_000)
    cheque = receive_cheque(customer, personas.manager, 25_000_000)
    # Credited on the account (the customer handed it over) but the invoice is not paid.
    assert account(customer).balance == 0
    assert account(customer).cheques_in_hand == 25_000_000
    assert status(invoice) == Invoice.PaymentStatus.UNPAID
    bank = BankAccount.objects.create(name="جاری ملت", bank="ملت")
    services.cheque_move(
        cheque=cheque, status=Cheque.Status.DEPOSITED, by=personas.manager, date=TODAY,
        bank_account=bank,
    )  # fmt: skip
    assert status(invoice) == Invoice.PaymentStatus.UNPAID
    services.cheque_move(
        cheque=cheque, status=Cheque.Status.CLEARED, by=personas.manager, date=TODAY
    )
    assert status(invoice) == Invoice.PaymentStatus.PAID
    assert account(customer).cheques_in_hand == 0
    assert [e.status for e in cheque.events.all()] == ["received", "deposited", "cleared"]


def test_a_bounced_cheque_reopens_the_invoice_charges_the_customer_and_alerts(personas, customer):
    invoice = issue_invoice(customer, personas.owner, 40_000_000)
    receive(customer, personas.manager, 10_000_000)
    cheque = receive_cheque(customer, personas.manager, 30_000_000)
    assert Allocation.objects.filter(credit=cheque.entry).exists()
    services.cheque_move(
        cheque=cheque, status=Cheque.Status.BOUNCED, by=personas.manager, date=TODAY,
        reason="کسری موجودی",
    )  # fmt: skip
    invoice.refresh_from_db()
    assert invoice.paid == 10_000_000
    assert invoice.entries.get().allocated == 10_000_000  # open again for 30,000,000
    assert account(customer).balance == 30_000_000
    bounce = Entry.objects.get(kind=Entry.Kind.CHEQUE_BOUNCED)
    assert "کسری موجودی" in bounce.description
    alerted = set(Notification.objects.values_list("user__username", flat=True))
    assert {"owner", "boss"} <= alerted  # the rep and the manager
    assert "outsider" not in alerted
    # Presented again and cleared: settles the invoice after all.
    bank = BankAccount.objects.create(name="جاری ملت", bank="ملت")
    for move, extra in (
        (Cheque.Status.DEPOSITED, {"bank_account": bank}),
        (Cheque.Status.CLEARED, {}),
    ):
        services.cheque_move(cheque=cheque, status=move, by=personas.manager, date=TODAY, **extra)
    assert status(invoice) == Invoice.PaymentStatus.PAID
    assert account(customer).balance == 0


@pytest.mark.parametrize(("digits", "amount"), [("fa", "۳۰٬۰۰۰٬۰۰۰"), ("latin", "30,000,000")])
def test_a_bounce_alert_reads_in_each_readers_digits(client, personas, customer, digits, amount):
    """The alert's title is kept for later: stored in Latin digits, read in the reader's."""
    cheque = receive_cheque(customer, personas.manager, 30_000_000)
    services.cheque_move(
        cheque=cheque, status=Cheque.Status.BOUNCED, by=personas.manager, date=TODAY,
        reason="کسری موجودی",
    )  # fmt: skip
    assert "30,000,000" in Notification.objects.get(user=personas.owner).title
    personas.owner.digits = digits
    personas.owner.save(update_fields=["digits"])
    client.force_login(personas.owner)
    page = client.get(reverse("activities:notification_list")).content.decode()
    assert f"به مبلغ {amount} ریال برگشت خورد" in page


@pytest.mark.parametrize(
    ("start", "move", "extra"),
    [
        ("cleared", Cheque.Status.RECEIVED, {}),
        ("received", Cheque.Status.DEPOSITED, {}),  # which bank account?
        ("received", Cheque.Status.BOUNCED, {}),  # why?
        ("received", Cheque.Status.ENDORSED, {}),  # to whom?
        ("received", Cheque.Status.CLEARED, {"date": TODAY - datetime.timedelta(days=400)}),
    ],
)
def test_moves_the_life_cycle_does_not_allow_are_refused(personas, customer, start, move, extra):
    cheque = receive_cheque(customer, personas.manager, 5_000_000)
    if start == "cleared":
        services.cheque_move(cheque=cheque, status="cleared", by=personas.manager, date=TODAY)
    before = Cheque.objects.get(pk=cheque.pk).status
    with pytest.raises(ValidationError):
        services.cheque_move(
            cheque=cheque, status=move, by=personas.manager, **{"date": TODAY, **extra}
        )
    assert Cheque.objects.get(pk=cheque.pk).status == before


def test_a_cheque_due_before_its_receipt_or_of_a_bad_amount_is_refused(personas, customer):
    with pytest.raises(ValidationError) as refused:
        receive_cheque(
            customer, personas.manager, 5_000_000, due_date=TODAY - datetime.timedelta(1)
        )
    assert "سررسید چک نمی‌تواند پیش از تاریخ دریافت باشد." in refused.value.messages
    assert not Cheque.all_objects.exists()


def test_cheques_remind_the_named_users_before_they_fall_due(personas, customer):
    due = TODAY + datetime.timedelta(days=10)
    cheque = receive_cheque(customer, personas.manager, 5_000_000, due_date=due)
    reminders = Reminder.objects.filter(purpose=services.CHEQUE_DUE_REMINDER)
    assert {r.user.username for r in reminders} == {"boss", "owner"}
    assert {r.due_at.date() for r in reminders} == {due - datetime.timedelta(days=2)}
    services.cheque_move(cheque=cheque, status="cleared", by=personas.manager, date=TODAY)
    assert not Reminder.objects.filter(purpose=services.CHEQUE_DUE_REMINDER).exists()


def test_a_payment_to_the_customer_uses_up_their_credit(personas, customer):
    issue_invoice(customer, personas.owner, 10_000_000)
    receive(customer, personas.manager, 12_000_000)
    assert account(customer).balance == -2_000_000
    pay_back(customer, personas.manager, 2_000_000)
    assert account(customer).balance == 0
    assert not Entry.objects.filter(credit__gt=0).exclude(allocated=12_000_000).exists()


def test_the_opening_balance_is_owed_first(personas, customer):
    services.opening_balance_set(
        contact=customer, amount=7_000_000, date=TODAY - datetime.timedelta(days=90),
        by=personas.manager,
    )  # fmt: skip
    invoice = issue_invoice(customer, personas.owner, 10_000_000)
    receive(customer, personas.manager, 7_000_000)
    invoice.refresh_from_db()
    assert invoice.paid == 0
    assert account(customer).balance == 10_000_000
    services.opening_balance_set(contact=customer, amount=0, date=TODAY, by=personas.manager)
    invoice.refresh_from_db()
    assert invoice.paid == 7_000_000


def test_a_sale_past_the_credit_limit_warns_or_is_refused(personas, customer, client):
    from django.contrib.auth.models import Permission

    from peyvand.sales import services as sales
    from peyvand.sales.models import Quote, QuoteLine

    customer.credit_limit = 100_000_000
    customer.save(update_fields=["credit_limit"])
    issue_invoice(customer, personas.owner, 60_000_000)
    receive_cheque(customer, personas.manager, 30_000_000)  # credited, not cleared
    line = QuoteLine(description="تابلو", unit_price=20_000_000, vat_applies=False)
    # 60 − 30 + 30 (the cheque may bounce) + 20 = 80: within the limit.
    sales.quote_save(quote=Quote(contact=customer), lines=[line], by=personas.owner)
    big = QuoteLine(description="تابلو بزرگ", unit_price=50_000_000, vat_applies=False)
    with pytest.raises(ValidationError) as held:
        sales.quote_save(quote=Quote(contact=customer), lines=[big], by=personas.owner)
    assert held.value.code == "confirm_credit_limit"
    assert "سقف اعتبار این مشتری ۱۰۰٬۰۰۰٬۰۰۰ ریال است" in held.value.messages[0]
    confirmed = sales.quote_save(
        quote=Quote(contact=customer), lines=[big], by=personas.owner, credit_confirmed=True
    )
    # A role the manager took the permission from is refused outright.
    personas.owner.groups.first().permissions.remove(
        Permission.objects.get(codename="sell_over_credit_limit")
    )
    from django.contrib.auth import get_user_model

    rep = get_user_model().objects.get(pk=personas.owner.pk)
    sales.quote_set_status(quote=confirmed, by=rep, status=Quote.Status.ACCEPTED)
    with pytest.raises(ValidationError) as refused:
        sales.quote_to_invoice(quote=confirmed, by=rep, credit_confirmed=True)
    assert refused.value.code == "over_credit_limit"
    assert not confirmed.__class__.objects.filter(pk=confirmed.pk, invoice__isnull=False).exists()
    client.force_login(rep)
    page = client.get(confirmed.get_absolute_url()).content.decode()
    assert "صدور فاکتور بیش از سقف اعتبار برای نقش شما مجاز نیست." in page


def test_a_grade_gives_its_customers_their_credit_limit(personas):
    from peyvand.lookups.models import Grade

    grade = Grade.objects.create(name="نمایندگی", credit_limit=300_000_000, payment_method="credit")
    contact = ContactFactory(owner=personas.owner, grade=grade)
    assert contact.effective_credit_limit == 300_000_000
    contact.credit_limit = 50_000_000
    assert contact.effective_credit_limit == 50_000_000


def test_a_restored_receipt_gives_way_to_what_settled_its_debts_meanwhile(personas, customer):
    from peyvand.core.services import record_restore

    invoice = issue_invoice(customer, personas.owner, 10_000_000)
    first = receive(customer, personas.manager, 10_000_000)
    services.receipt_delete(receipt=first, by=personas.manager)
    invoice.refresh_from_db()
    assert invoice.paid == 0 and account(customer).balance == 10_000_000
    receive(customer, personas.manager, 10_000_000)  # paid again while it was in the trash
    record_restore(record=first, by=personas.manager)
    invoice.refresh_from_db()
    assert invoice.paid == 10_000_000
    entry = invoice.entries.get()
    assert entry.allocated == 10_000_000  # not 20,000,000: the restored one gave way
    assert account(customer).balance == -10_000_000  # the restored receipt is credit now
