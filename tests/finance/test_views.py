"""The money pages as their users use them: finance records receipts and cheques through
the forms (bad input explained in Persian, nothing typed lost), moves cheques, and reps
read their customers' accounts and what is due on the home page."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from peyvand.accounts.roles import FINANCE
from peyvand.core.dates import to_jalali
from peyvand.finance.models import Account, BankAccount, Cheque, Receipt
from peyvand.sales.models import Invoice
from tests.factories import ContactFactory, UserFactory
from tests.finance.money import issue_invoice, receive, receive_cheque

TODAY = datetime.date.today()


def jalali(day: datetime.date) -> str:
    return to_jalali(day).strftime("%Y/%m/%d")


@pytest.fixture
def clerk(db):
    user = UserFactory(username="clerk")
    user.groups.add(Group.objects.get(name=FINANCE))
    return user


@pytest.fixture
def customer(personas):
    return ContactFactory(owner=personas.owner, name="بازرگانی آرین")


def receipt_data(**fields) -> dict:
    return {
        "date": jalali(TODAY),
        "amount": "۲۰٬۰۰۰٬۰۰۰",
        "method": "card",
        "reference": "۵۸۷۴۱۲",
        "terminal": "",
        "bank_account": "",
        "note": "",
        **fields,
    }


def test_finance_records_a_transfer_that_settles_the_invoice(client, clerk, customer, personas):
    invoice = issue_invoice(customer, personas.owner, 20_000_000)
    client.force_login(clerk)
    url = reverse("finance:receipt_create", args=["in"]) + f"?contact={customer.pk}"
    form = client.get(url).content.decode()
    assert "تسویه بدهی‌ها" in form
    response = client.post(url, receipt_data())
    receipt = Receipt.objects.get()
    assert response.status_code == 302 and response.url == receipt.get_absolute_url()
    assert (receipt.amount, receipt.reference, receipt.owner) == (20_000_000, "587412", clerk)
    invoice.refresh_from_db()
    assert invoice.payment_status == Invoice.PaymentStatus.PAID
    page = client.get(receipt.get_absolute_url()).content.decode()
    assert "۲۰٬۰۰۰٬۰۰۰" in page and "تسویه‌ها" in page


@pytest.mark.parametrize(
    ("fields", "message", "kept"),
    [
        ({"amount": "0"}, "مبلغ باید بیشتر از صفر باشد.", 'value="۰"'),
        ({"amount": "-5"}, "", 'value="-۵"'),
        ({"method": "paya", "reference": ""}, "شماره پیگیری یا مرجع را وارد کنید.", "paya"),
        (
            {"method": "cheque", "cheque-sayad_id": "۱۲۳۴", "cheque-bank": "ملت",
             "cheque-drawer": "آرین", "cheque-due_date": jalali(TODAY)},
            "شناسه صیادی باید ۱۶ رقم باشد.",
            'value="۱۲۳۴"',
        ),
        (
            {"method": "cheque", "cheque-sayad_id": "1234567890123456", "cheque-bank": "ملت",
             "cheque-drawer": "آرین", "cheque-due_date": jalali(TODAY - datetime.timedelta(3))},
            "سررسید چک نمی‌تواند پیش از تاریخ دریافت باشد.",
            'value="۱۲۳۴۵۶۷۸۹۰۱۲۳۴۵۶"',
        ),
        (
            {"amount": "۴۰٬۰۰۰٬۰۰۰", "alloc-entry_X": "۳۰٬۰۰۰٬۰۰۰"},
            "از مانده آن",
            'value="۳۰٬۰۰۰٬۰۰۰"',
        ),
    ],
)  # fmt: skip
def test_bad_receipts_are_explained_in_persian_and_keep_what_was_typed(
    client, clerk, customer, personas, fields, message, kept
):
    invoice = issue_invoice(customer, personas.owner, 20_000_000)
    entry = invoice.entries.get()
    fields = {key.replace("entry_X", f"entry_{entry.pk}"): value for key, value in fields.items()}
    client.force_login(clerk)
    url = reverse("finance:receipt_create", args=["in"]) + f"?contact={customer.pk}"
    page = client.post(url, receipt_data(**fields)).content.decode()
    assert message in page
    assert kept in page  # what was typed, in the reader's digits (core.digits)
    assert "آنچه وارد کرده‌اید حفظ شده است" in page or "alert-danger" in page
    assert not Receipt.all_objects.exists()
    assert Account.objects.get(contact=customer).balance == 20_000_000


def test_a_cheque_goes_through_its_life_and_a_bad_move_is_refused(
    client, clerk, customer, personas
):
    issue_invoice(customer, personas.owner, 30_000_000)
    cheque = receive_cheque(customer, clerk, 30_000_000)
    bank = BankAccount.objects.create(name="جاری ملت مرکزی", bank="ملت")
    client.force_login(clerk)
    url = reverse("finance:cheque_detail", args=[cheque.pk])
    # Deposited without naming the account: refused on the field, the note kept.
    page = client.post(url, {"status": "deposited", "date": jalali(TODAY), "note": "شعبه بازار"})
    assert "حساب بانکی را که چک در آن خوابانده شد انتخاب کنید." in page.content.decode()
    assert 'value="شعبه بازار"' in page.content.decode()
    data = {"status": "deposited", "date": jalali(TODAY), "bank_account": bank.pk}
    assert client.post(url, data).status_code == 302
    bounce = {"status": "bounced", "date": jalali(TODAY), "reason": "امضا مطابقت ندارد"}
    assert client.post(url, bounce).status_code == 302
    cheque.refresh_from_db()
    assert cheque.status == Cheque.Status.BOUNCED
    # Cleared straight from bounced is not a move the life cycle has.
    refused = client.post(url, {"status": "cleared", "date": jalali(TODAY)}).content.decode()
    assert "چک در وضعیت کنونی‌اش به این وضعیت نمی‌رود." in refused
    assert Cheque.objects.get(pk=cheque.pk).status == Cheque.Status.BOUNCED
    page = client.get(url).content.decode()
    assert "امضا مطابقت ندارد" in page and "خوابانده شده" in page


def test_reps_read_their_customers_accounts_but_cannot_record(client, customer, personas):
    issue_invoice(customer, personas.owner, 12_000_000)
    receive(customer, personas.manager, 2_000_000)
    client.force_login(personas.owner)
    page = client.get(reverse("finance:account", args=[customer.pk])).content.decode()
    assert "۱۰٬۰۰۰٬۰۰۰" in page and "بدهکار" in page
    assert "ثبت دریافت" not in page
    create = reverse("finance:receipt_create", args=["in"]) + f"?contact={customer.pk}"
    assert client.get(create).status_code == 403
    client.force_login(personas.outsider)
    assert client.get(reverse("finance:account", args=[customer.pk])).status_code == 404


def test_the_statement_period_brings_the_earlier_balance_forward(client, customer, personas):
    receive(customer, personas.manager, 5_000_000, date=TODAY - datetime.timedelta(days=40))
    issue_invoice(customer, personas.owner, 12_000_000)
    client.force_login(personas.manager)
    url = reverse("finance:account", args=[customer.pk])
    response = client.get(url, {"start": jalali(TODAY - datetime.timedelta(days=10)), "end": ""})
    statement = response.context["statement"]
    assert statement.brought_forward == -5_000_000
    assert [line.balance for line in statement.lines] == [7_000_000]
    bad = client.get(url, {"start": "۱۴۰۵/۱۳/۴۰", "end": ""}).content.decode()
    assert 'value="۱۴۰۵/۱۳/۴۰"' in bad and "text-danger" in bad


def test_the_home_page_shows_what_my_customers_owe_this_week(client, customer, personas):
    issue_invoice(customer, personas.owner, 9_000_000, due_date=TODAY + datetime.timedelta(3))
    other = ContactFactory(owner=personas.outsider, name="فروشگاه دیگران")
    issue_invoice(other, personas.outsider, 4_000_000)
    client.force_login(personas.owner)
    page = client.get(reverse("core:home")).content.decode()
    assert "مطالبات سررسید" in page and "بازرگانی آرین" in page
    assert "فروشگاه دیگران" not in page


def test_finance_changes_which_invoices_a_receipt_settles(client, clerk, customer, personas):
    old = issue_invoice(customer, personas.owner, 10_000_000, due_date=TODAY)
    new = issue_invoice(customer, personas.owner, 10_000_000)
    receipt = receive(customer, clerk, 10_000_000)
    old.refresh_from_db()
    assert old.paid == 10_000_000  # oldest first, by default
    client.force_login(clerk)
    url = reverse("finance:receipt_allocate", args=[receipt.pk])
    form = client.get(url).context["form"]
    assert form.initial[f"entry_{old.entries.get().pk}"] == 10_000_000
    too_much = {f"alloc-entry_{new.entries.get().pk}": "۱۲٬۰۰۰٬۰۰۰"}
    page = client.post(url, too_much).content.decode()
    assert "جمع تسویه‌ها از مبلغ دریافت بیشتر است." in page and "۱۲٬۰۰۰٬۰۰۰" in page
    assert (
        client.post(url, {f"alloc-entry_{new.entries.get().pk}": "۱۰٬۰۰۰٬۰۰۰"}).status_code == 302
    )
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.paid, new.paid) == (0, 10_000_000)


def test_the_account_lists_the_most_overdue_debts_and_counts_the_rest(client, customer, personas):
    amounts = [1_000_000 * (number + 1) for number in range(12)]
    for days, amount in enumerate(amounts):
        issue_invoice(customer, personas.owner, amount, due_date=TODAY - datetime.timedelta(days))
    receive(customer, personas.manager, 1_500_000)  # the most overdue: 12M → 10.5M open
    client.force_login(personas.owner)
    response = client.get(reverse("finance:account", args=[customer.pk]))
    debts = response.context["debts"]
    assert [debt.open_amount for debt in debts.first] == [10_500_000, *reversed(amounts[:11])][:10]
    assert (debts.count, debts.more, debts.total) == (12, 2, sum(amounts) - 1_500_000)
    page = response.content.decode()
    assert "۲ بدهی باز دیگر" in page and "۷۶٬۵۰۰٬۰۰۰" in page
    assert f"?contact={customer.pk}&amp;payment=unpaid" in page
