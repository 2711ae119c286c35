"""The money side over the API (issue 23, point 9): receipts and payments, cheques and
their moves, allocations, a customer's account and statement, the bank accounts — with
the pages' permissions, visibility (404 for what one may not see) and Persian refusals
that change nothing."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peyvand.accounts.roles import FINANCE, SUPPORT
from peyvand.finance import services
from peyvand.finance.models import (
    Account,
    Allocation,
    BankAccount,
    Cheque,
    ChequeEvent,
    Entry,
    Receipt,
)
from peyvand.sales.models import Invoice
from tests.api.test_api import token_for
from tests.factories import ContactFactory, UserFactory
from tests.finance.money import issue_invoice, receive, receive_cheque

pytestmark = pytest.mark.django_db

JSON = "application/json"
DAY = datetime.date(2026, 1, 10)  # the day the tests' money moves (1404/10/20)


def days(n: int) -> datetime.date:
    return DAY + datetime.timedelta(days=n)


def post(client, url, payload, headers):
    return client.post(url, payload, content_type=JSON, headers=headers)


def invoice_of(contact, by, amount: int, *, date: datetime.date, due: int = 0) -> Invoice:
    """An issued invoice dated ``date``, due ``due`` days later (the service issues it
    today: moved as the demo moves its history)."""
    invoice = issue_invoice(contact, by, amount)
    dated = {"date": date, "due_date": date + datetime.timedelta(days=due)}
    Invoice.objects.filter(pk=invoice.pk).update(**dated)
    Entry.objects.filter(invoice=invoice).update(**dated)
    invoice.refresh_from_db()
    return invoice


def balance(contact) -> int:
    return Account.objects.get(contact=contact).balance


@pytest.fixture
def auth(client, personas):
    def headers(persona: str) -> dict:
        return {"Authorization": f"Bearer {token_for(client, getattr(personas, persona).username)}"}

    return headers


@pytest.fixture
def customer(personas):
    return ContactFactory(owner=personas.owner, name="فروشگاه نور", credit_limit=100_000_000)


@pytest.fixture
def bank(db):
    return BankAccount.objects.create(name="جاری ملت مرکزی", bank="ملت")


@pytest.fixture
def clerk(client, personas):
    """The «مالی» role: records receipts and moves cheques for every customer."""
    UserFactory(username="clerk", role=FINANCE)
    return {"Authorization": f"Bearer {token_for(client, 'clerk')}"}


def card(contact, amount: int, **more) -> dict:
    return {
        "contact_id": contact.pk,
        "date": DAY.isoformat(),
        "amount": amount,
        "method": "card",
        "reference": "587412",
        **more,
    }


def cheque_payload(contact, amount: int, **cheque) -> dict:
    return {
        "contact_id": contact.pk,
        "date": DAY.isoformat(),
        "amount": amount,
        "method": "cheque",
        "cheque": {
            "sayad_id": "۱۲۳۴ ۵۶۷۸ ۹۰۱۲ ۳۴۵۶",
            "serial": "۱۲۳/۴۵۶۷۸۹",
            "bank": "ملت",
            "due_date": days(30).isoformat(),
            **cheque,
        },
    }


# Receipts ------------------------------------------------------------------------------------


def test_a_receipt_settles_the_oldest_invoices_first_and_keeps_the_rest_as_credit(
    client, personas, customer, clerk
):
    old = invoice_of(customer, personas.owner, 30_000_000, date=days(-60))
    new = invoice_of(customer, personas.owner, 20_000_000, date=days(-10))

    response = post(client, "/api/v1/receipts", card(customer, 45_000_000), clerk)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["direction"] == "in" and body["amount"] == 45_000_000
    assert body["number"].endswith("/00001") and body["reference"] == "587412"
    assert body["contact_name"] == "فروشگاه نور" and body["cheque"] is None
    settled = {row["invoice_id"]: row["amount"] for row in body["allocations"]}
    assert settled == {old.pk: 30_000_000, new.pk: 15_000_000}
    assert all(row["cleared"] for row in body["allocations"])
    assert balance(customer) == 5_000_000
    old.refresh_from_db()
    assert old.payment_status == Invoice.PaymentStatus.PAID


def test_chosen_invoices_are_settled_first_then_the_oldest(client, personas, customer, clerk):
    old = invoice_of(customer, personas.owner, 30_000_000, date=days(-60))
    new = invoice_of(customer, personas.owner, 20_000_000, date=days(-10))
    payload = card(customer, 25_000_000, allocations=[{"invoice_id": new.pk, "amount": 20_000_000}])

    response = post(client, "/api/v1/receipts", payload, clerk)

    assert response.status_code == 201, response.content
    settled = {row["invoice_id"]: row["amount"] for row in response.json()["allocations"]}
    assert settled == {new.pk: 20_000_000, old.pk: 5_000_000}


def test_a_payment_to_the_customer_is_numbered_apart(client, personas, customer, clerk):
    receive(customer, personas.manager, 10_000_000, date=days(-5))
    response = post(client, "/api/v1/receipts", card(customer, 4_000_000, direction="out"), clerk)
    assert response.status_code == 201, response.content
    assert response.json()["direction"] == "out"
    assert response.json()["number"].endswith("/00001")  # payments have their own series
    assert balance(customer) == -6_000_000


def test_a_cheque_receipt_carries_its_cheque_through_its_life_cycle(
    client, personas, customer, clerk, bank
):
    invoice = invoice_of(customer, personas.owner, 40_000_000, date=days(-20))
    created = post(client, "/api/v1/receipts", cheque_payload(customer, 40_000_000), clerk)
    assert created.status_code == 201, created.content
    cheque = created.json()["cheque"]
    assert cheque["sayad_id"] == "1234567890123456"  # normalised: Persian digits, spaces
    assert cheque["drawer"] == "فروشگاه نور"  # the customer's own, when not given
    assert cheque["status"] == "received" and cheque["is_in_hand"]
    assert cheque["next_statuses"] == ["deposited", "cleared", "bounced", "returned", "endorsed"]
    assert created.json()["allocations"][0]["cleared"] is False  # not money yet
    account = client.get(f"/api/v1/contacts/{customer.pk}/account", headers=clerk).json()
    assert account["cheques_in_hand"] == 40_000_000

    url = f"/api/v1/cheques/{cheque['id']}/move"
    deposited = post(
        client,
        url,
        {"status": "deposited", "date": days(30).isoformat(), "bank_account_id": bank.pk},
        clerk,
    )
    assert deposited.status_code == 200, deposited.content
    assert deposited.json()["bank_account_id"] == bank.pk
    cleared = post(client, url, {"status": "cleared", "date": days(32).isoformat()}, clerk)
    assert cleared.status_code == 200, cleared.content
    body = cleared.json()
    assert body["status"] == "cleared" and body["next_statuses"] == []
    assert [(e["from_status"], e["status"]) for e in body["events"]] == [
        ("", "received"),
        ("received", "deposited"),
        ("deposited", "cleared"),
    ]
    invoice.refresh_from_db()
    assert invoice.payment_status == Invoice.PaymentStatus.PAID
    detail = client.get(f"/api/v1/cheques/{cheque['id']}", headers=clerk).json()
    assert detail["events"] == body["events"]


def test_a_bounced_cheque_charges_the_customer_again(client, personas, customer, clerk):
    cheque = receive_cheque(customer, personas.manager, 12_000_000, date=DAY, due_date=days(10))
    url = f"/api/v1/cheques/{cheque.pk}/move"
    no_reason = post(client, url, {"status": "bounced", "date": days(11).isoformat()}, clerk)
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"] == {"reason": [{"message": "علت برگشت چک را بنویسید."}]}
    bounced = post(
        client,
        url,
        {"status": "bounced", "date": days(11).isoformat(), "reason": "کسری موجودی"},
        clerk,
    )
    assert bounced.status_code == 200, bounced.content
    assert bounced.json()["bounce_reason"] == "کسری موجودی"
    assert balance(customer) == 0  # the credit and the charge of the bounce
    statement = client.get(
        f"/api/v1/contacts/{customer.pk}/statement",
        {"start": DAY.isoformat(), "end": days(20).isoformat()},
        headers=clerk,
    ).json()
    assert [line["kind"] for line in statement["lines"]] == ["receipt", "bounced"]


def test_a_receipt_is_deleted_to_the_trash_unless_its_cheque_has_moved(
    client, personas, customer, clerk
):
    invoice_of(customer, personas.owner, 10_000_000, date=days(-5))
    receipt = receive(customer, personas.manager, 10_000_000, date=DAY)
    assert balance(customer) == 0

    deleted = client.delete(f"/api/v1/receipts/{receipt.pk}", headers=clerk)

    assert deleted.status_code == 204
    assert Receipt.all_objects.get(pk=receipt.pk).deleted_at is not None
    assert balance(customer) == 10_000_000
    assert client.get(f"/api/v1/receipts/{receipt.pk}", headers=clerk).status_code == 404
    moved = receive_cheque(customer, personas.manager, 5_000_000, date=DAY, due_date=days(5))
    bank = BankAccount.objects.create(name="ملت", bank="ملت")
    services.cheque_move(
        cheque=moved, status="deposited", by=personas.manager, date=days(5), bank_account=bank
    )
    refused = client.delete(f"/api/v1/receipts/{moved.receipt_id}", headers=clerk)
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith("این چک گردش دارد")
    assert Receipt.objects.filter(pk=moved.receipt_id).exists()


# Allocations -----------------------------------------------------------------------------


def test_a_receipts_allocations_are_read_and_replaced(client, personas, customer, clerk):
    old = invoice_of(customer, personas.owner, 30_000_000, date=days(-60))
    new = invoice_of(customer, personas.owner, 20_000_000, date=days(-10))
    receipt = receive(customer, personas.manager, 25_000_000, date=DAY)
    url = f"/api/v1/receipts/{receipt.pk}/allocations"
    before = client.get(url, headers=clerk).json()
    assert [(row["invoice_id"], row["amount"]) for row in before] == [(old.pk, 25_000_000)]

    replaced = post(
        client,
        url,
        {"allocations": [{"invoice_id": new.pk, "amount": 20_000_000}]},
        clerk,
    )

    assert replaced.status_code == 200, replaced.content
    assert [(row["invoice_id"], row["amount"]) for row in replaced.json()] == [(new.pk, 20_000_000)]
    assert balance(customer) == 25_000_000  # the rest stays as credit, not matched again
    emptied = post(client, url, {"allocations": []}, clerk)
    assert emptied.json() == [] and not Allocation.objects.exists()


def test_a_debt_without_an_invoice_is_named_by_its_account_line(client, personas, customer, clerk):
    services.opening_balance_set(
        contact=customer, amount=8_000_000, date=days(-100), by=personas.manager
    )
    account = client.get(f"/api/v1/contacts/{customer.pk}/account", headers=clerk).json()
    (debt,) = account["open_debts"]
    assert debt["kind"] == "opening" and debt["invoice_id"] is None
    assert debt["open_amount"] == 8_000_000
    payload = card(
        customer, 3_000_000, allocations=[{"entry_id": debt["entry_id"], "amount": 3_000_000}]
    )
    created = post(client, "/api/v1/receipts", payload, clerk)
    assert created.status_code == 201, created.content
    assert created.json()["allocations"][0]["entry_id"] == debt["entry_id"]


# Bad input: a Persian 422, nothing changed -------------------------------------------------


def unchanged(customer, *, entries: int, receipts: int = 0) -> bool:
    return (
        Receipt.all_objects.count() == receipts
        and Entry.objects.filter(contact=customer).count() == entries
    )


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"amount": 0}, "amount", "مبلغ باید بیشتر از صفر باشد."),
        ({"amount": -5_000}, "amount", "مبلغ نمی‌تواند منفی باشد."),
        ({"method": "online"}, "method", None),  # recorded by the gateway, never typed
        ({"reference": ""}, "reference", "شماره پیگیری یا مرجع را وارد کنید."),
        ({"method": "pos"}, "terminal", "شماره پایانه کارتخوان را وارد کنید."),
        ({"direction": "sideways"}, "direction", "direction باید in یا out باشد."),
    ],
)
def test_a_bad_receipt_is_refused_in_persian(
    client, personas, customer, clerk, payload, field, message
):
    invoice_of(customer, personas.owner, 10_000_000, date=days(-5))
    response = post(client, "/api/v1/receipts", card(customer, 1_000_000) | payload, clerk)
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert field in errors, errors
    if message:
        assert errors[field][0]["message"] == message
    assert unchanged(customer, entries=1)


@pytest.mark.parametrize(
    ("cheque", "field", "message"),
    [
        ({"sayad_id": "۱۲۳۴۵۶۷۸۹۰۱۲۳۴۵"}, "cheque.sayad_id", "شناسه صیادی باید ۱۶ رقم باشد."),
        ({"sayad_id": "12345678901234567"}, "cheque.sayad_id", "شناسه صیادی باید ۱۶ رقم باشد."),
        (
            {"due_date": days(-1).isoformat()},
            "cheque.due_date",
            "سررسید چک نمی‌تواند پیش از تاریخ دریافت باشد.",
        ),
        ({"bank": ""}, "cheque.bank", None),
    ],
)
def test_a_bad_cheque_is_refused_in_persian(client, customer, clerk, cheque, field, message):
    response = post(
        client, "/api/v1/receipts", cheque_payload(customer, 1_000_000, **cheque), clerk
    )
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert field in errors, errors
    if message:
        assert errors[field][0]["message"] == message
    assert unchanged(customer, entries=0) and not Cheque.all_objects.exists()


def test_a_cheque_receipt_needs_its_cheque(client, customer, clerk):
    payload = cheque_payload(customer, 1_000_000)
    del payload["cheque"]
    response = post(client, "/api/v1/receipts", payload, clerk)
    assert response.status_code == 422
    assert response.json()["detail"] == "مشخصات چک را وارد کنید."


def test_allocations_past_the_receipt_or_the_debt_are_refused(client, personas, customer, clerk):
    invoice = invoice_of(customer, personas.owner, 10_000_000, date=days(-5))
    stranger = invoice_of(
        ContactFactory(owner=personas.owner), personas.owner, 10_000_000, date=days(-5)
    )
    cases = [
        (
            card(
                customer, 5_000_000, allocations=[{"invoice_id": invoice.pk, "amount": 6_000_000}]
            ),
            "جمع تسویه‌ها از مبلغ دریافت بیشتر است.",
        ),
        (
            card(
                customer, 20_000_000, allocations=[{"invoice_id": invoice.pk, "amount": 12_000_000}]
            ),
            f"مبلغ تسویه «{invoice.entries.get().description}» (۱۲٬۰۰۰٬۰۰۰ ریال) از مانده آن "
            "(۱۰٬۰۰۰٬۰۰۰ ریال) بیشتر است.",
        ),
        (
            card(customer, 5_000_000, allocations=[{"invoice_id": invoice.pk, "amount": 0}]),
            "مبلغ تسویه باید بیشتر از صفر باشد.",
        ),
    ]
    for payload, message in cases:
        response = post(client, "/api/v1/receipts", payload, clerk)
        assert response.status_code == 422, response.content
        assert response.json()["detail"] == message
    not_his = post(
        client,
        "/api/v1/receipts",
        card(customer, 5_000_000, allocations=[{"invoice_id": stranger.pk, "amount": 1}]),
        clerk,
    )
    assert not_his.status_code == 422
    assert not_his.json()["errors"]["allocations.0.invoice_id"] == [
        {"message": "این فاکتور از حساب همین مشتری نیست."}
    ]
    twice = post(
        client,
        "/api/v1/receipts",
        card(customer, 5_000_000, allocations=[{"invoice_id": invoice.pk, "amount": 1}] * 2),
        clerk,
    )
    assert twice.status_code == 422 and "allocations.1" in twice.json()["errors"]
    assert unchanged(customer, entries=1)
    receipt = receive(customer, personas.manager, 4_000_000, date=DAY)
    over = post(
        client,
        f"/api/v1/receipts/{receipt.pk}/allocations",
        {"allocations": [{"invoice_id": invoice.pk, "amount": 5_000_000}]},
        clerk,
    )
    assert over.status_code == 422
    assert over.json()["detail"] == "جمع تسویه‌ها از مبلغ دریافت بیشتر است."
    (kept,) = Allocation.objects.all()
    assert kept.amount == 4_000_000  # the receipt's allocation as it was


def test_a_move_the_life_cycle_forbids_is_refused_and_changes_nothing(
    client, personas, customer, clerk, bank
):
    cheque = receive_cheque(customer, personas.manager, 5_000_000, date=DAY, due_date=days(5))
    url = f"/api/v1/cheques/{cheque.pk}/move"
    cases = [
        (
            {"status": "received", "date": days(1).isoformat()},
            "چک «در جریان وصول» را نمی‌توان به «در جریان وصول» برد.",
        ),
        (
            {"status": "deposited", "date": days(-1).isoformat(), "bank_account_id": bank.pk},
            "تاریخ نمی‌تواند پیش از تاریخ دریافت چک باشد.",
        ),
        (
            {"status": "deposited", "date": days(1).isoformat()},
            "حساب بانکی را که چک در آن خوابانده شد انتخاب کنید.",
        ),
        ({"status": "endorsed", "date": days(1).isoformat()}, "بنویسید چک به چه کسی داده شد."),
    ]
    for payload, message in cases:
        response = post(client, url, payload, clerk)
        assert response.status_code == 422, response.content
        assert response.json()["detail"] == message
    deposit = {"status": "deposited", "date": days(1).isoformat(), "bank_account_id": bank.pk}
    assert post(client, url, deposit, clerk).status_code == 200
    # From deposited, a cheque only clears or bounces.
    back = post(client, url, {"status": "returned", "date": days(6).isoformat()}, clerk)
    assert back.json()["detail"] == "چک «خوابانده شده» را نمی‌توان به «عودت داده شده» برد."
    gone = BankAccount.objects.create(name="بسته", bank="سپه", is_active=False)
    cleared = {"status": "cleared", "date": days(7).isoformat(), "bank_account_id": gone.pk}
    closed = post(client, url, cleared, clerk)
    assert closed.json()["errors"] == {
        "bank_account_id": [{"message": "چنین حساب بانکی فعالی برای شرکت نیست."}]
    }
    cheque.refresh_from_db()
    assert cheque.status == "deposited"
    assert ChequeEvent.objects.filter(cheque=cheque).count() == 2


def test_a_date_outside_the_calendar_is_a_persian_422(client, customer, clerk):
    response = post(client, "/api/v1/receipts", card(customer, 1_000, date="0001-01-01"), clerk)
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["msg"].startswith("تاریخ باید میان ۱۹۲۱-۰۳-۲۱ و")
    assert not Receipt.all_objects.exists()


# Who sees and does what --------------------------------------------------------------------


@pytest.fixture
def money(personas, customer, bank):
    """The owner's customer with an invoice, a card receipt and a cheque, recorded by
    the manager (finance)."""
    invoice_of(customer, personas.owner, 50_000_000, date=days(-30))
    receipt = receive(customer, personas.manager, 20_000_000, date=DAY)
    cheque = receive_cheque(customer, personas.manager, 10_000_000, date=DAY, due_date=days(9))
    return receipt, cheque


@pytest.mark.parametrize(
    ("persona", "status"), [("owner", 200), ("teammate", 200), ("outsider", 404), ("manager", 200)]
)
def test_money_is_seen_by_whoever_sees_its_customer(client, auth, customer, money, persona, status):
    receipt, cheque = money
    headers = auth(persona)
    for url in (
        f"/api/v1/receipts/{receipt.pk}",
        f"/api/v1/receipts/{receipt.pk}/allocations",
        f"/api/v1/cheques/{cheque.pk}",
        f"/api/v1/contacts/{customer.pk}/account",
        f"/api/v1/contacts/{customer.pk}/statement",
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == status, url
        if status == 404:
            assert response.json()["detail"] == "پیدا نشد."
    receipts = client.get("/api/v1/receipts", headers=headers).json()["items"]
    cheques = client.get("/api/v1/cheques", headers=headers).json()["items"]
    seen = 0 if status == 404 else 1
    assert (len(receipts), len(cheques)) == (seen * 2, seen)  # the cheque's receipt too


def test_reps_read_money_and_only_finance_records_it(client, personas, auth, customer, money):
    receipt, cheque = money
    owner = auth("owner")
    refused = [
        post(client, "/api/v1/receipts", card(customer, 1_000), owner),
        client.delete(f"/api/v1/receipts/{receipt.pk}", headers=owner),
        post(client, f"/api/v1/receipts/{receipt.pk}/allocations", {"allocations": []}, owner),
        post(client, f"/api/v1/cheques/{cheque.pk}/move", {"status": "cleared"}, owner),
    ]
    assert [response.status_code for response in refused] == [403] * 4
    assert refused[0].json()["detail"] == "اجازه این کار را ندارید."
    assert Receipt.objects.count() == 2 and Allocation.objects.count() == 2
    # An outsider with the permissions still may not touch what it does not see.
    outsider = personas.outsider
    outsider.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["add_receipt", "delete_receipt", "change_receipt", "manage_cheque"]
        )
    )
    theirs = auth("outsider")
    assert post(client, "/api/v1/receipts", card(customer, 1_000), theirs).status_code == 404
    assert client.delete(f"/api/v1/receipts/{receipt.pk}", headers=theirs).status_code == 404
    move = post(client, f"/api/v1/cheques/{cheque.pk}/move", {"status": "cleared"}, theirs)
    assert move.status_code == 404
    # The manager does it all.
    manager = auth("manager")
    moved = post(
        client,
        f"/api/v1/cheques/{cheque.pk}/move",
        {"status": "cleared", "date": days(9).isoformat()},
        manager,
    )
    assert moved.status_code == 200, moved.content


def test_support_sees_no_money(client, money):
    UserFactory(username="helpdesk", role=SUPPORT)
    support = {"Authorization": f"Bearer {token_for(client, 'helpdesk')}"}
    receipt, cheque = money
    for url in (
        "/api/v1/receipts",
        f"/api/v1/receipts/{receipt.pk}",
        "/api/v1/cheques",
        f"/api/v1/cheques/{cheque.pk}",
        f"/api/v1/contacts/{cheque.contact_id}/account",
        "/api/v1/bank-accounts",
    ):
        assert client.get(url, headers=support).status_code == 403, url


# Lists, the account and the statement --------------------------------------------------------


def test_the_receipt_list_filters_by_customer_direction_method_and_date(
    client, personas, customer, auth, money
):
    other = ContactFactory(owner=personas.owner)
    receive(other, personas.manager, 1_000_000, date=days(-40))
    services.receipt_record(
        receipt=Receipt(
            contact=customer, amount=2_000_000, method="cash", date=days(2), direction="out"
        ),
        by=personas.manager,
    )
    teammate = auth("teammate")

    def numbers(**params) -> list[tuple[str, int]]:
        items = client.get("/api/v1/receipts", params, headers=teammate).json()["items"]
        return [(item["method"], item["amount"]) for item in items]

    assert numbers() == [
        ("cash", 2_000_000),
        ("cheque", 10_000_000),
        ("card", 20_000_000),
        ("card", 1_000_000),
    ]
    assert numbers(contact=other.pk) == [("card", 1_000_000)]
    assert numbers(direction="out") == [("cash", 2_000_000)]
    assert numbers(method="cheque") == [("cheque", 10_000_000)]
    assert numbers(date_from=DAY.isoformat(), date_to=DAY.isoformat()) == [
        ("cheque", 10_000_000),
        ("card", 20_000_000),
    ]
    cheque_row = client.get("/api/v1/receipts", {"method": "cheque"}, headers=teammate).json()
    assert cheque_row["items"][0]["cheque_id"] == money[1].pk
    for bad in ({"direction": "x"}, {"method": "gold"}, {"date_from": "1404/10/20"}):
        assert client.get("/api/v1/receipts", bad, headers=teammate).status_code == 422


def test_the_cheque_list_filters_by_status_due_date_and_customer(
    client, personas, customer, auth, money
):
    _receipt, cheque = money
    other = ContactFactory(owner=personas.owner)
    later = receive_cheque(
        other, personas.manager, 3_000_000, date=DAY, due_date=days(40), sayad_id="9999888877776666"
    )
    services.cheque_move(cheque=later, status="returned", by=personas.manager, date=days(1))
    owner = auth("owner")

    def ids(**params) -> list[int]:
        answer = client.get("/api/v1/cheques", params, headers=owner)
        assert answer.status_code == 200, answer.content
        return [item["id"] for item in answer.json()["items"]]

    assert ids() == [cheque.pk, later.pk]  # by due date
    assert ids(status="in_hand") == [cheque.pk]
    assert ids(status="returned") == [later.pk]
    assert ids(due_from=days(10).isoformat()) == [later.pk]
    assert ids(due_to=days(10).isoformat()) == [cheque.pk]
    assert ids(contact=other.pk) == [later.pk]
    bad = client.get("/api/v1/cheques", {"status": "lost"}, headers=owner)
    # Told which parameter and what it takes, from the list's own declaration.
    assert bad.status_code == 422 and bad.json()["detail"] == "داده‌های ارسالی معتبر نیست: status"
    assert "in_hand" in str(bad.json()["errors"]), bad.json()


def test_the_account_shows_the_balance_and_the_credit_left(client, auth, customer, money):
    body = client.get(f"/api/v1/contacts/{customer.pk}/account", headers=auth("owner")).json()
    assert body["debit"] == 50_000_000 and body["credit"] == 30_000_000
    assert body["balance"] == 20_000_000 and body["cheques_in_hand"] == 10_000_000
    assert body["credit_limit"] == 100_000_000
    assert body["credit_used"] == 30_000_000  # what is owed, plus the cheque not cleared
    assert body["credit_available"] == 70_000_000
    (debt,) = body["open_debts"]
    assert (debt["amount"], debt["open_amount"]) == (50_000_000, 20_000_000)


def test_the_statement_brings_forward_runs_and_closes(client, personas, customer, auth):
    services.opening_balance_set(
        contact=customer, amount=7_000_000, date=days(-100), by=personas.manager
    )
    invoice_of(customer, personas.owner, 50_000_000, date=days(-30))
    receive(customer, personas.manager, 20_000_000, date=DAY)
    receive(customer, personas.manager, 5_000_000, date=days(40))
    url = f"/api/v1/contacts/{customer.pk}/statement"
    owner = auth("owner")

    body = client.get(
        url, {"start": days(-50).isoformat(), "end": days(10).isoformat()}, headers=owner
    ).json()

    assert body["brought_forward"] == 7_000_000
    assert [
        (line["kind"], line["debit"], line["credit"], line["balance"]) for line in body["lines"]
    ] == [("invoice", 50_000_000, 0, 57_000_000), ("receipt", 0, 20_000_000, 37_000_000)]
    assert (body["debit"], body["credit"], body["closing"]) == (50_000_000, 20_000_000, 37_000_000)
    assert body["lines"][0]["kind_display"] == "فاکتور فروش"
    backwards = client.get(
        url, {"start": DAY.isoformat(), "end": days(-1).isoformat()}, headers=owner
    )
    assert backwards.status_code == 422
    assert backwards.json()["detail"] == "پایان دوره نمی‌تواند پیش از آغاز آن باشد."
    whole = client.get(url, {"start": "2000-01-01"}, headers=owner).json()
    assert whole["brought_forward"] == 0 and len(whole["lines"]) == 4
    assert whole["closing"] == Account.objects.get(contact=customer).balance


def test_bank_accounts_are_listed_for_those_who_read_receipts(client, auth, bank):
    BankAccount.objects.create(name="صادرات بازار", bank="صادرات", is_active=False)
    owner = auth("owner")
    every = client.get("/api/v1/bank-accounts", headers=owner).json()
    assert [row["name"] for row in every] == ["جاری ملت مرکزی", "صادرات بازار"]
    active = client.get("/api/v1/bank-accounts", {"active": "true"}, headers=owner).json()
    assert [row["id"] for row in active] == [bank.pk]


def test_the_lists_read_a_fixed_number_of_queries(client, personas, customer, auth):
    """No N+1: one more receipt or cheque on the page adds no query."""
    owner = auth("owner")

    def counted(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, headers=owner).status_code == 200
        return len(queries)

    receive_cheque(customer, personas.manager, 1_000_000, date=DAY, sayad_id="1" * 16)
    receive(customer, personas.manager, 1_000_000, date=DAY)
    client.get("/api/v1/me", headers=owner)  # the token's first use is noted once
    statement = f"/api/v1/contacts/{customer.pk}/statement?start=2000-01-01"
    urls = ["/api/v1/receipts", "/api/v1/cheques", statement]
    before = [counted(url) for url in urls]
    receive_cheque(customer, personas.manager, 1_000_000, date=DAY, sayad_id="2" * 16)
    receive(customer, personas.manager, 1_000_000, date=DAY)
    assert [counted(url) for url in urls] == before


def test_an_invoice_on_instalments_is_settled_instalment_by_instalment(
    client, personas, customer, clerk
):
    from peyvand.sales import services as sales
    from peyvand.sales.models import Quote, QuoteLine
    from peyvand.sales.terms import InstalmentPlan

    quote = Quote(contact=customer, payment_terms="installments")
    line = QuoteLine(description="یو پی اس", unit_price=30_000_000, vat_applies=False)
    plan = InstalmentPlan(count=3, first_due=datetime.date.today() + datetime.timedelta(days=10))
    quote = sales.quote_save(quote=quote, lines=[line], by=personas.owner, plan=plan)
    sales.quote_set_status(quote=quote, by=personas.owner, status="accepted")
    invoice = sales.quote_to_invoice(quote=quote, by=personas.owner)
    payload = card(
        customer, 15_000_000, allocations=[{"invoice_id": invoice.pk, "amount": 15_000_000}]
    )
    response = post(client, "/api/v1/receipts", payload, clerk)
    assert response.status_code == 201, response.content
    lines = list(invoice.entries.order_by("due_date", "id"))
    assert [line.open_amount for line in lines] == [0, 5_000_000, 10_000_000]
    assert [row["amount"] for row in response.json()["allocations"]] == [10_000_000, 5_000_000]
