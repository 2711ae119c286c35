"""Online payment through ZarinPal's documented API, against the fake ZarinPal on
loopback: the buyer pays what the invoice still owes, or one of its instalments; the
callback is verified by the server with our own amount and recorded once, however often
it comes back."""

import datetime
import re
import threading
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from peyvand.core.dates import format_date
from peyvand.core.text import to_persian_digits as fa
from peyvand.finance import payments, services
from peyvand.finance.fake_zarinpal import FakeZarinPal
from peyvand.finance.models import Entry, OnlinePayment, Receipt
from peyvand.messaging.models import Message
from peyvand.sales.models import Invoice
from peyvand.sales.terms import InstalmentPlan
from tests.concurrency import at_once
from tests.factories import ContactFactory
from tests.finance.money import issue_invoice, receive

MERCHANT = "11111111-2222-4333-8444-555555555555"


@pytest.fixture
def zarinpal(settings):
    with FakeZarinPal(merchant_id=MERCHANT) as fake:
        settings.PAYMENT_GATEWAY = "zarinpal"
        settings.ZARINPAL_MERCHANT_ID = MERCHANT
        settings.ZARINPAL_BASE_URL = fake.url
        yield fake


@pytest.fixture
def invoice(personas):
    contact = ContactFactory(owner=personas.owner, name="فروشگاه نور", mobile="+989121234567")
    invoice = issue_invoice(contact, personas.owner, 40_000_000)
    receive(contact, personas.manager, 15_000_000)
    invoice.refresh_from_db()
    return invoice


def start(client, invoice) -> str:
    """The buyer opens the pay link and presses «پرداخت آنلاین»: the gateway's page."""
    url = reverse("finance:pay", args=[payments.pay_token(invoice)])
    page = client.get(url).content.decode()
    assert "۲۵٬۰۰۰٬۰۰۰" in page  # what is left to pay
    response = client.post(url)
    assert response.status_code == 302
    return response.url


def buyer_at_gateway(start_pay_url: str, button: str = "pay") -> str:
    """What a browser does on the fake's StartPay page: the callback URL it is sent to."""
    page = httpx.get(start_pay_url)
    assert page.status_code == 200
    answer = httpx.post(start_pay_url, data={"action": button}, follow_redirects=False)
    assert answer.status_code == 303
    return answer.headers["location"]


def test_a_customer_pays_the_rest_online_and_it_is_recorded_once(client, invoice, zarinpal):
    callback = buyer_at_gateway(start(client, invoice))
    parts = urlsplit(callback)
    assert parts.path == reverse("finance:pay_callback")
    assert parse_qs(parts.query)["Status"] == ["OK"]
    page = client.get(f"{parts.path}?{parts.query}").content.decode()
    assert "انجام و ثبت شد" in page
    invoice.refresh_from_db()
    assert invoice.payment_status == Invoice.PaymentStatus.PAID
    receipt = Receipt.objects.get(method="online")
    payment = OnlinePayment.objects.get()
    assert (receipt.amount, receipt.reference) == (25_000_000, payment.ref_id)
    assert receipt.owner == invoice.owner
    # The same callback again (a reload, a replay): nothing is recorded twice.
    again = client.get(f"{parts.path}?{parts.query}").content.decode()
    assert "انجام و ثبت شد" in again
    assert Receipt.objects.filter(method="online").count() == 1
    assert zarinpal.payments()[0]["verify_calls"] == 1
    # Nothing is left to pay: the link says so and starts nothing.
    url = reverse("finance:pay", args=[payments.pay_token(invoice)])
    assert "مانده‌ای برای پرداخت ندارد" in client.post(url).content.decode()


def test_a_cancelled_payment_records_nothing_and_can_be_tried_again(client, invoice, zarinpal):
    callback = buyer_at_gateway(start(client, invoice), button="cancel")
    page = client.get(callback).content.decode()
    assert "انصراف از پرداخت" in page and "تلاش دوباره" in page
    assert OnlinePayment.objects.get().status == OnlinePayment.Status.CANCELLED
    assert not Receipt.objects.filter(method="online").exists()


def test_an_authority_that_is_not_ours_records_nothing(client, invoice, zarinpal):
    other = httpx.post(
        f"{zarinpal.url}/pg/v4/payment/request.json",
        json={"merchant_id": MERCHANT, "amount": 1000, "description": "x",
              "callback_url": "http://127.0.0.1/"},
    ).json()["data"]["authority"]  # fmt: skip
    zarinpal.pay(other)
    response = client.get(reverse("finance:pay_callback"), {"Authority": other, "Status": "OK"})
    assert response.status_code == 400
    assert "این پرداخت در سامانه ما ثبت نشده است." in response.content.decode()
    bad = client.get(reverse("finance:pay_callback"), {"Authority": "<script>", "Status": "OK"})
    assert bad.status_code == 400
    assert not Receipt.objects.filter(method="online").exists()


def test_a_wrong_amount_is_refused_by_the_gateway_and_records_nothing(client, invoice, zarinpal):
    callback = buyer_at_gateway(start(client, invoice))
    # Our stored amount is what verify sends; were it altered, the gateway refuses (-50).
    OnlinePayment.objects.update(amount=1_000)
    page = client.get(callback).content.decode()
    payment = OnlinePayment.objects.get()
    assert payment.status == OnlinePayment.Status.FAILED
    assert payment.error and fa(payment.error) in page  # as the reader sees it
    assert not Receipt.objects.filter(method="online").exists()
    invoice.refresh_from_db()
    assert invoice.paid == 15_000_000


def test_without_a_merchant_id_the_page_says_online_payment_is_not_set_up(
    client, invoice, settings
):
    settings.ZARINPAL_MERCHANT_ID = ""
    url = reverse("finance:pay", args=[payments.pay_token(invoice)])
    response = client.post(url)
    assert response.status_code == 400
    assert "پرداخت آنلاین هنوز برای این شرکت راه‌اندازی نشده است." in response.content.decode()
    assert client.get(reverse("finance:pay", args=["not-a-token"])).status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_callbacks_record_one_receipt(invoice, zarinpal, client):
    callback = buyer_at_gateway(start(client, invoice))
    query = parse_qs(urlsplit(callback).query)
    query = {key: values[0] for key, values in query.items()}
    outcomes = at_once(*[lambda: payments.payment_callback(query).status] * 2)
    assert outcomes == ["paid", "paid"]
    assert Receipt.objects.filter(method="online").count() == 1
    assert zarinpal.payments()[0]["verify_calls"] == 1


# One instalment of a plan ---------------------------------------------------------------


def sold_by_instalments(contact, by) -> Invoice:
    """40,000,000 rials: 10,000,000 down today, then three of 10,000,000 a month apart."""
    today = timezone.localdate()
    plan = InstalmentPlan(
        count=3, first_due=today + datetime.timedelta(days=31), down_payment=10_000_000
    )
    return issue_invoice(contact, by, 40_000_000, plan=plan)


@pytest.fixture
def plan_invoice(personas):
    contact = ContactFactory(owner=personas.owner, name="فروشگاه نور", mobile="+989121234567")
    return sold_by_instalments(contact, personas.owner)


def parts_of(invoice) -> list[Entry]:
    return list(Entry.objects.filter(invoice=invoice).order_by("due_date", "id"))


def open_amounts(invoice) -> list[int]:
    return [part.open_amount for part in parts_of(invoice)]


def pay_url(invoice, part=None) -> str:
    return reverse("finance:pay", args=[payments.pay_token(invoice, part)])


def test_a_customer_pays_one_instalment_and_only_that_one_is_settled(
    client, plan_invoice, zarinpal
):
    parts = parts_of(plan_invoice)
    url = pay_url(plan_invoice, parts[1])
    page = client.get(url).content.decode()
    # The link's instalment is chosen; the next one due and everything left are offered.
    assert f'value="{parts[1].pk}" checked' in page
    assert f'value="{parts[0].pk}"' in page and 'value="all"' in page
    assert f"قسط ۲ به سررسید {format_date(parts[1].due_date)}" in page
    assert "۴۰٬۰۰۰٬۰۰۰ ریال" in page and "۱۰٬۰۰۰٬۰۰۰ ریال" in page
    response = client.post(url, {"part": str(parts[1].pk)})
    assert response.status_code == 302
    payment = OnlinePayment.objects.get()
    assert (payment.instalment, payment.amount) == (parts[1], 10_000_000)
    number = fa(plan_invoice.number)
    assert zarinpal.payments()[0]["description"] == f"پرداخت قسط ۲ فاکتور {number}"
    callback = buyer_at_gateway(response.url)
    page = client.get(callback).content.decode()
    assert "انجام و ثبت شد" in page and "قسط ۲ فاکتور" in page
    assert open_amounts(plan_invoice) == [10_000_000, 0, 10_000_000, 10_000_000]
    plan_invoice.refresh_from_db()
    assert plan_invoice.paid == 10_000_000
    assert plan_invoice.payment_status == Invoice.PaymentStatus.PARTLY_PAID
    receipt = Receipt.objects.get(method="online")
    # Stored in Latin digits; the receipt's page reads it in Persian (core.digits).
    latin = plan_invoice.number
    assert receipt.note.startswith(f"پرداخت آنلاین قسط 2 فاکتور {latin} از درگاه")
    # A replay of the callback records nothing more.
    assert "انجام و ثبت شد" in client.get(callback).content.decode()
    assert Receipt.objects.filter(method="online").count() == 1
    assert zarinpal.payments()[0]["verify_calls"] == 1
    assert open_amounts(plan_invoice) == [10_000_000, 0, 10_000_000, 10_000_000]


def test_the_pay_page_offers_the_next_instalment_first_or_everything_left(
    client, plan_invoice, zarinpal
):
    parts = parts_of(plan_invoice)
    url = pay_url(plan_invoice)  # a link of the whole invoice, as before instalments
    page = client.get(url).content.decode()
    assert f'value="{parts[0].pk}" checked' in page
    assert f'value="{parts[1].pk}"' not in page  # later instalments wait their turn
    response = client.post(url, {"part": "all"})
    assert response.status_code == 302
    payment = OnlinePayment.objects.get()
    assert (payment.instalment, payment.amount) == (None, 40_000_000)
    client.get(buyer_at_gateway(response.url))
    assert open_amounts(plan_invoice) == [0, 0, 0, 0]


def test_a_settled_instalment_is_refused_and_nothing_starts(
    client, personas, plan_invoice, zarinpal
):
    parts = parts_of(plan_invoice)
    receive(plan_invoice.contact, personas.manager, 10_000_000)  # the down payment
    url = pay_url(plan_invoice, parts[0])
    page = client.get(url).content.decode()
    assert "این قسط پرداخت شده است." in page
    assert f'value="{parts[1].pk}" checked' in page  # the next one instead
    response = client.post(url, {"part": str(parts[0].pk)})
    assert response.status_code == 400
    assert "این قسط پرداخت شده است." in response.content.decode()
    assert not OnlinePayment.objects.exists() and zarinpal.payments() == []


@pytest.mark.parametrize("choice", ["other", "۱۲x", "-1", ""])
def test_a_choice_that_is_not_an_open_part_of_this_invoice_starts_nothing(
    client, personas, plan_invoice, zarinpal, choice
):
    other = sold_by_instalments(ContactFactory(owner=personas.owner), personas.owner)
    if choice == "other":
        choice = str(parts_of(other)[1].pk)  # another invoice's instalment
    # The link of one instalment of this invoice cannot pay another invoice's part.
    response = client.post(pay_url(plan_invoice, parts_of(plan_invoice)[1]), {"part": choice})
    assert response.status_code == 400
    assert "این قسط از اقساط این فاکتور نیست." in response.content.decode()
    assert not OnlinePayment.objects.exists() and zarinpal.payments() == []


def test_an_instalment_settled_meanwhile_leaves_the_money_on_the_invoices_other_parts(
    client, personas, plan_invoice, zarinpal
):
    parts = parts_of(plan_invoice)
    response = client.post(pay_url(plan_invoice, parts[2]), {"part": str(parts[2].pk)})
    callback = buyer_at_gateway(response.url)
    # Finance records a transfer for the same instalment before the buyer is back.
    receive(plan_invoice.contact, personas.manager, 10_000_000,
            targets=[(parts[2].pk, 10_000_000)])  # fmt: skip
    assert "انجام و ثبت شد" in client.get(callback).content.decode()
    # The online money settles the oldest open part instead.
    assert open_amounts(plan_invoice) == [0, 10_000_000, 0, 10_000_000]


def test_staff_send_the_pay_link_of_one_instalment(client, personas, plan_invoice):
    parts = parts_of(plan_invoice)
    client.force_login(personas.owner)
    page = client.get(plan_invoice.get_absolute_url()).content.decode()
    sms_url = reverse("finance:pay_link_send", args=[plan_invoice.pk, "sms"])
    for part in parts:
        assert f"{sms_url}?part={part.pk}" in page
    link = re.search(rf'id="pay-link-{parts[2].pk}" type="text" value="([^"]+)"', page)[1]
    assert payments.pay_link_from_token(link.rstrip("/").rsplit("/", 1)[1]).instalment_id == (
        parts[2].pk
    )
    form = client.get(f"{sms_url}?part={parts[2].pk}").context["form"]
    body = form["body"].value()
    assert (
        f"قسط ۳ فاکتور {fa(plan_invoice.number)} به سررسید {format_date(parts[2].due_date)}: "
        "مبلغ ۱۰٬۰۰۰٬۰۰۰ ریال"
    ) in fa(body)  # as the form's textarea shows it (core.digits)
    response = client.post(
        f"{sms_url}?part={parts[2].pk}", {"to": form["to"].value(), "body": body}
    )
    assert response.status_code == 302
    message = Message.objects.get(channel="sms")
    link = next(word for word in message.body.split() if "/finance/pay/" in word)
    client.logout()
    page = client.get(link.split("testserver", 1)[1]).content.decode()
    assert f'value="{parts[2].pk}" checked' in page


def test_the_pay_link_of_a_settled_or_foreign_instalment_is_not_sent(
    client, personas, plan_invoice
):
    parts = parts_of(plan_invoice)
    other = sold_by_instalments(ContactFactory(owner=personas.owner), personas.owner)
    receive(plan_invoice.contact, personas.manager, 10_000_000)
    client.force_login(personas.owner)
    sms_url = reverse("finance:pay_link_send", args=[plan_invoice.pk, "sms"])
    response = client.get(f"{sms_url}?part={parts[0].pk}", follow=True)
    assert response.redirect_chain[0][0] == plan_invoice.get_absolute_url()
    assert "این قسط پرداخت شده است." in response.content.decode()
    # The settled instalment's row has no link any more; the open ones have theirs.
    assert f"{sms_url}?part={parts[0].pk}" not in response.content.decode()
    assert f"{sms_url}?part={parts[1].pk}" in response.content.decode()
    for part in (parts_of(other)[1].pk, "x"):
        assert client.get(f"{sms_url}?part={part}").status_code == 404
    assert not Message.objects.filter(channel="sms").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_callbacks_of_an_instalment_payment_settle_it_once(personas, zarinpal, client):
    contact = ContactFactory(owner=personas.owner, mobile="+989121234567")
    invoice = sold_by_instalments(contact, personas.owner)
    parts = parts_of(invoice)
    response = client.post(pay_url(invoice, parts[1]), {"part": str(parts[1].pk)})
    query = parse_qs(urlsplit(buyer_at_gateway(response.url)).query)
    query = {key: values[0] for key, values in query.items()}
    outcomes = at_once(*[lambda: payments.payment_callback(query).status] * 2)
    assert outcomes == ["paid", "paid"]
    assert Receipt.objects.filter(method="online").count() == 1
    assert zarinpal.payments()[0]["verify_calls"] == 1
    assert open_amounts(invoice) == [10_000_000, 0, 10_000_000, 10_000_000]


def wait_until(condition, seconds: float = 5) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def waiting_on_a_lock() -> bool:
    """Whether another connection of this database is waiting for a row lock."""
    with connection.cursor() as cursor:
        # Inside a transaction the statistics views keep the first snapshot read.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_callback_and_a_receipt_on_the_same_invoice_take_turns_without_a_deadlock(
    personas, zarinpal, client
):
    """The callback locks its payment, asks the gateway, then waits for the account lock
    a clerk holds while recording a receipt that settles the same invoice. The payment's
    lock must not take the invoice's row with it (the receipt writes the invoice's paid
    total): else each waits for the other and PostgreSQL kills one."""
    contact = ContactFactory(owner=personas.owner, mobile="+989121234567")
    invoice = sold_by_instalments(contact, personas.owner)
    parts = parts_of(invoice)
    response = client.post(pay_url(invoice, parts[1]), {"part": str(parts[1].pk)})
    query = parse_qs(urlsplit(buyer_at_gateway(response.url)).query)
    query = {key: values[0] for key, values in query.items()}
    clerk_holds_account = threading.Event()
    outcomes = {}

    def clerk():
        try:
            with transaction.atomic():
                services.lock_account(contact.pk)
                clerk_holds_account.set()
                outcomes["callback waited"] = wait_until(waiting_on_a_lock)
                receive(contact, personas.manager, 10_000_000)  # settles the down payment
            outcomes["clerk"] = "recorded"
        except Exception as error:
            outcomes["clerk"] = error
        finally:
            connection.close()

    def call_back():
        try:
            clerk_holds_account.wait(5)
            outcomes["callback"] = payments.payment_callback(query).status
        except Exception as error:
            outcomes["callback"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=clerk), threading.Thread(target=call_back)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == {"callback waited": True, "clerk": "recorded", "callback": "paid"}
    assert open_amounts(invoice) == [0, 0, 10_000_000, 10_000_000]
