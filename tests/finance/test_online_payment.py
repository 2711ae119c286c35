"""Online payment through ZarinPal's documented API, against the fake ZarinPal on
loopback: the buyer pays what the invoice still owes; the callback is verified by the
server with our own amount and recorded once, however often it comes back."""

import threading
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.db import connection
from django.urls import reverse

from peyvand.finance import payments
from peyvand.finance.fake_zarinpal import FakeZarinPal
from peyvand.finance.models import OnlinePayment, Receipt
from peyvand.sales.models import Invoice
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
    assert payment.error and payment.error in page
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
    barrier = threading.Barrier(2)
    outcomes = []

    def call_back():
        try:
            barrier.wait()
            outcomes.append(payments.payment_callback(query).status)
        finally:
            connection.close()

    threads = [threading.Thread(target=call_back) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["paid", "paid"]
    assert Receipt.objects.filter(method="online").count() == 1
    assert zarinpal.payments()[0]["verify_calls"] == 1
