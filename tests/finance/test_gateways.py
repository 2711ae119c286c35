"""The ZarinPal gateway over real HTTP, against the fake ZarinPal on loopback.

Every gateway here is built by ``get_payment_gateway()`` from the settings, as the app
builds it; the buyer's part is played as a browser plays it: GET the StartPay page, post
its form with the button pressed, follow nothing but read the 303's Location.
"""

import logging
import os
import select
import socket
import subprocess
import sys
import traceback
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx
import pytest
from django.core.exceptions import ImproperlyConfigured

from peyvand.finance.fake_zarinpal import FakeZarinPal, persian_amount
from peyvand.finance.gateways import (
    PAYMENT_GATEWAYS,
    Callback,
    PaymentGateway,
    PaymentGatewayError,
    PaymentRequest,
    Started,
    ZarinPalGateway,
    get_payment_gateway,
)
from tests.servers import free_port

MERCHANT_ID = "7f3a9c2e-5b1d-4e8f-a6c0-d94b2e71f835"  # looks real: must never leak
OTHER_MERCHANT_ID = "0b8d4f6a-2c1e-4a9b-8d7f-3e5c1a9b7d24"
CALLBACK = "https://crm.example.ir/finance/zarinpal/callback?invoice=12"
AMOUNT = 1_250_000  # rials

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def zarinpal(settings) -> Iterator[FakeZarinPal]:
    with FakeZarinPal(merchant_id=MERCHANT_ID) as fake:
        settings.PAYMENT_GATEWAY = "zarinpal"
        settings.ZARINPAL_MERCHANT_ID = MERCHANT_ID
        settings.ZARINPAL_BASE_URL = fake.url
        settings.PAYMENT_TIMEOUT = 2.0
        yield fake


@pytest.fixture
def gateway(zarinpal) -> Iterator[PaymentGateway]:
    with get_payment_gateway() as built:
        yield built


def _request(**changes) -> PaymentRequest:
    fields = {
        "amount": AMOUNT,
        "description": "پرداخت فاکتور ۱۲",
        "callback_url": CALLBACK,
        "order_id": "INV-12",
        "mobile": "09121234567",
        "email": "buyer@example.ir",
    } | changes
    return PaymentRequest(**fields)


def _error_of(call) -> PaymentGatewayError:
    with pytest.raises(PaymentGatewayError) as caught:
        call()
    return caught.value


class _PaymentPage(HTMLParser):
    """What a browser finds on the StartPay page: its language and direction, the
    heading, the text, and each submit button with the form it submits."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.html_attrs: dict[str, str | None] = {}
        self.heading = ""
        self.text = ""
        self.buttons: dict[str, dict[str, str]] = {}  # label -> form method, action, field
        self._form: dict[str, str] | None = None
        self._button: dict[str, str] | None = None
        self._in_h1 = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_attrs = attrs
        elif tag == "h1":
            self._in_h1 = True
        elif tag == "form":
            self._form = {"method": attrs.get("method", "get"), "action": attrs["action"]}
        elif tag == "button" and self._form is not None and attrs.get("type") == "submit":
            self._button = {**self._form, "name": attrs["name"], "value": attrs["value"]}

    def handle_endtag(self, tag):
        if tag == "h1":
            self._in_h1 = False
        elif tag == "form":
            self._form = None

    def handle_data(self, data):
        self.text += data
        if self._in_h1:
            self.heading += data
        if self._button is not None:
            self.buttons[data.strip()] = self._button
            self._button = None


def _open_payment_page(started: Started) -> _PaymentPage:
    response = httpx.get(started.redirect_url, timeout=5)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = _PaymentPage()
    page.feed(response.text)
    return page


def _press(started: Started, label: str) -> dict[str, str]:
    """Opens the payment page and presses the button ``label``, as a browser would:
    posts its form with the button's name and value. Returns the callback's query the
    browser is then sent to."""
    button = _open_payment_page(started).buttons[label]
    assert button["method"] == "post"
    response = httpx.post(
        urljoin(started.redirect_url, button["action"]),
        data={button["name"]: button["value"]},
        timeout=5,
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("https://crm.example.ir/finance/zarinpal/callback?")
    return dict(parse_qsl(urlsplit(location).query))


# The whole payment -------------------------------------------------------------------


def test_a_paid_payment_verifies_once_and_then_says_already_verified(gateway, zarinpal):
    started = gateway.start(_request())
    callback = gateway.parse_callback(_press(started, "پرداخت"))
    first = gateway.verify(authority=callback.authority, amount=AMOUNT)
    again = gateway.verify(authority=callback.authority, amount=AMOUNT)

    assert started.redirect_url == f"{zarinpal.url}/pg/StartPay/{started.authority}"
    assert callback == Callback(authority=started.authority, ok=True)
    assert (first.already_verified, again.already_verified) == (False, True)
    assert first.ref_id.isdigit()
    assert again.ref_id == first.ref_id
    assert first.card_pan == "603799******5432"  # masked, as the gateway gives it
    assert first.fee == AMOUNT // 100
    [payment] = zarinpal.payments()
    assert payment["verified"] == 2
    assert payment["status"] == "paid"


def test_it_sends_what_zarinpal_documents(gateway, zarinpal):
    started = gateway.start(_request())

    [payment] = zarinpal.payments()
    assert payment["authority"] == started.authority
    assert (payment["amount"], payment["currency"]) == (AMOUNT, "IRR")
    assert payment["description"] == "پرداخت فاکتور ۱۲"
    assert payment["callback_url"] == CALLBACK
    assert payment["metadata"] == {
        "order_id": "INV-12",
        "mobile": "09121234567",
        "email": "buyer@example.ir",
    }
    assert len(started.authority) == 36
    assert started.authority.startswith("A")


def test_the_callback_keeps_the_query_of_our_callback_url(gateway):
    started = gateway.start(_request())

    query = _press(started, "پرداخت")

    assert query == {"invoice": "12", "Authority": started.authority, "Status": "OK"}


def test_the_payment_page_is_persian_right_to_left_and_shows_the_amount(gateway):
    started = gateway.start(_request(amount=1_250_000))

    page = _open_payment_page(started)

    assert page.html_attrs["lang"] == "fa"
    assert page.html_attrs["dir"] == "rtl"
    assert page.heading.strip()
    assert "۱٬۲۵۰٬۰۰۰ ریال" in page.text
    assert "پرداخت فاکتور ۱۲" in page.text
    assert set(page.buttons) == {"پرداخت", "انصراف"}


def test_every_authority_is_new(gateway):
    authorities = {gateway.start(_request()).authority for _ in range(20)}

    assert len(authorities) == 20


# What goes wrong ---------------------------------------------------------------------


def test_a_different_amount_is_refused_with_50_and_the_right_one_still_verifies(gateway):
    started = gateway.start(_request())
    _press(started, "پرداخت")

    error = _error_of(lambda: gateway.verify(authority=started.authority, amount=AMOUNT - 10))
    verified = gateway.verify(authority=started.authority, amount=AMOUNT)

    assert error.code == "-50"
    assert not error.retryable
    assert error.message == "مبلغ پرداخت‌شده با مبلغ ثبت‌شدهٔ ما یکی نیست (زرین‌پال، کد -50)"
    assert verified.already_verified is False


def test_a_cancelled_payment_comes_back_not_ok_and_does_not_verify(gateway, zarinpal):
    started = gateway.start(_request())

    callback = gateway.parse_callback(_press(started, "انصراف"))
    error = _error_of(lambda: gateway.verify(authority=callback.authority, amount=AMOUNT))

    assert callback == Callback(authority=started.authority, ok=False)
    assert (error.code, error.retryable) == ("-51", False)
    assert "پرداخت انجام نشده" in error.message
    assert zarinpal.payments()[0]["status"] == "cancelled"


def test_a_payment_nobody_paid_does_not_verify(gateway):
    started = gateway.start(_request())

    error = _error_of(lambda: gateway.verify(authority=started.authority, amount=AMOUNT))

    assert error.code == "-51"


def test_an_unknown_authority_is_refused(gateway):
    unknown = "A" + "0" * 25 + "Zz9Yy8Xx7W"

    error = _error_of(lambda: gateway.verify(authority=unknown, amount=AMOUNT))
    malformed = _error_of(lambda: gateway.verify(authority="A123", amount=AMOUNT))

    assert (error.code, error.retryable) == ("-54", False)
    assert "Authority" in error.message
    assert malformed.code == "-9"


def test_another_merchants_authority_is_refused(settings, gateway, zarinpal):
    zarinpal.add_merchant(OTHER_MERCHANT_ID)
    settings.ZARINPAL_MERCHANT_ID = OTHER_MERCHANT_ID
    with get_payment_gateway() as other:
        started = other.start(_request())
    zarinpal.pay(started.authority)

    error = _error_of(lambda: gateway.verify(authority=started.authority, amount=AMOUNT))

    assert error.code == "-53"


def test_a_merchant_id_zarinpal_does_not_know_is_refused(settings, zarinpal):
    settings.ZARINPAL_MERCHANT_ID = OTHER_MERCHANT_ID
    with get_payment_gateway() as gateway:
        unknown = _error_of(lambda: gateway.start(_request()))
    settings.ZARINPAL_MERCHANT_ID = "not-a-merchant-id"
    with get_payment_gateway() as gateway:
        malformed = _error_of(lambda: gateway.start(_request()))

    assert (unknown.code, unknown.retryable) == ("-10", False)
    assert "مرچنت کد" in unknown.message
    assert (malformed.code, malformed.retryable) == ("-9", False)
    assert zarinpal.payments() == []


@pytest.mark.parametrize(
    "changes",
    [
        {"amount": 999},  # the minimum is 1,000 rials
        {"callback_url": ""},
        {"callback_url": "crm.example.ir/callback"},
        {"description": ""},
        {"description": "ا" * 501},
    ],
)
def test_a_request_zarinpal_finds_invalid_is_refused_with_9(gateway, zarinpal, changes):
    error = _error_of(lambda: gateway.start(_request(**changes)))

    assert (error.code, error.retryable) == ("-9", False)
    assert "اعتبارسنجی" in error.message
    assert zarinpal.payments() == []


def test_the_smallest_amount_is_1000_rials(gateway):
    assert gateway.start(_request(amount=1000)).authority


def test_zarinpal_answers_errors_in_its_documented_envelope(zarinpal):
    body = {"merchant_id": MERCHANT_ID, "amount": 10, "description": "x", "callback_url": ""}

    response = httpx.post(f"{zarinpal.url}/pg/v4/payment/request.json", json=body, timeout=5)

    assert response.status_code == 422
    assert response.json() == {
        "data": [],
        "errors": {
            "code": -9,
            "message": "The input params invalid, validation error.",
            "validations": [
                {"amount": "The amount must be at least 1000."},
                {"callback_url": "The callback url field is required."},
            ],
        },
    }


def test_too_many_attempts_is_worth_a_retry(gateway, zarinpal):
    zarinpal.fail_next(-12)

    error = _error_of(lambda: gateway.start(_request()))
    started = gateway.start(_request())

    assert (error.code, error.retryable) == ("-12", True)
    assert started.authority


def test_a_broken_proxy_in_front_is_worth_a_retry(gateway, zarinpal):
    zarinpal.fail_next(502)

    error = _error_of(lambda: gateway.verify(authority="A" + "0" * 35, amount=AMOUNT))

    assert (error.code, error.retryable) == ("http-502", True)
    assert "HTTP 502" in error.message


def test_a_gateway_that_never_answers_times_out_and_is_worth_a_retry(settings, zarinpal):
    # It listens (the kernel completes the connection) and never reads or answers.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        settings.ZARINPAL_BASE_URL = f"http://127.0.0.1:{silent.getsockname()[1]}"
        settings.PAYMENT_TIMEOUT = 0.2
        with get_payment_gateway() as gateway:
            started = _error_of(lambda: gateway.start(_request()))
            verified = _error_of(lambda: gateway.verify(authority="A" + "0" * 35, amount=AMOUNT))

    for error in (started, verified):
        assert (error.code, error.retryable) == ("timeout", True)
        assert error.message == "درگاه پرداخت زرین‌پال در زمان مقرر پاسخ نداد."


def test_a_gateway_nobody_listens_at_is_a_network_error(settings, zarinpal):
    settings.ZARINPAL_BASE_URL = f"http://127.0.0.1:{free_port()}"
    with get_payment_gateway() as gateway:
        error = _error_of(lambda: gateway.start(_request()))

    assert (error.code, error.retryable) == ("network", True)
    assert "برقرار نشد" in error.message


# The callback ------------------------------------------------------------------------


def test_a_callback_without_a_well_formed_authority_is_refused(gateway):
    for query in ({}, {"Status": "OK"}, {"Authority": "A123", "Status": "OK"}):
        error = _error_of(lambda query=query: gateway.parse_callback(query))
        assert (error.code, error.retryable) == ("callback", False)
        assert "شناسهٔ پرداخت" in error.message


def test_only_status_ok_is_a_payment_the_buyer_made(gateway):
    authority = "A" + "0" * 35

    states = [
        gateway.parse_callback({"Authority": authority, "Status": status}).ok
        for status in ("OK", "NOK", "ok", "")
    ]

    assert states == [True, False, False, False]


# The fake's control endpoints -------------------------------------------------------


def test_the_control_endpoints_pay_cancel_and_list_payments(gateway, zarinpal):
    paid = gateway.start(_request())
    cancelled = gateway.start(_request())
    with httpx.Client(base_url=zarinpal.url, timeout=5) as client:
        paying = client.post(f"/_fake/pay/{paid.authority}")
        cancelling = client.post(f"/_fake/cancel/{cancelled.authority}")
        late = client.post(f"/_fake/pay/{cancelled.authority}")
        unknown = client.post(f"/_fake/pay/A{'1' * 35}")
        gateway.verify(authority=paid.authority, amount=AMOUNT)
        listed = client.get("/_fake/payments").json()

    assert paying.status_code == 200
    assert paying.json()["callback"].endswith(f"Authority={paid.authority}&Status=OK")
    assert cancelling.json()["status"] == "cancelled"
    assert (late.status_code, unknown.status_code) == (409, 404)
    assert [(p["authority"], p["status"], p["verified"]) for p in listed] == [
        (paid.authority, "paid", 1),
        (cancelled.authority, "cancelled", 0),
    ]
    assert MERCHANT_ID not in str(listed)


def test_the_payment_page_of_an_unknown_authority_is_a_persian_404(zarinpal):
    response = httpx.get(f"{zarinpal.url}/pg/StartPay/A{'1' * 35}", timeout=5)

    assert response.status_code == 404
    assert 'lang="fa"' in response.text
    assert "تراکنش پیدا نشد" in response.text


def test_persian_amounts_have_persian_digits_and_separators():
    assert persian_amount(1000) == "۱٬۰۰۰"
    assert persian_amount(1_250_000) == "۱٬۲۵۰٬۰۰۰"


# Secrets -----------------------------------------------------------------------------


def test_the_merchant_id_never_reaches_a_log_or_an_error(settings, zarinpal, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "peyvand.payments"):
        caplog.set_level(logging.DEBUG, logger=name)
    errors = []
    with get_payment_gateway() as gateway:
        started = gateway.start(_request())
        zarinpal.pay(started.authority)
        gateway.verify(authority=started.authority, amount=AMOUNT)
        errors.append(_error_of(lambda: gateway.verify(authority=started.authority, amount=1)))
        errors.append(_error_of(lambda: gateway.start(_request(amount=5))))
        zarinpal.fail_next(502)
        errors.append(_error_of(lambda: gateway.start(_request())))
    settings.ZARINPAL_BASE_URL = f"http://127.0.0.1:{free_port()}"
    with get_payment_gateway() as gateway:
        errors.append(_error_of(lambda: gateway.start(_request())))
    # Whatever quotes it on these loggers (a validation message may) is masked.
    logging.getLogger("httpx").warning("echo %s", MERCHANT_ID)
    logging.getLogger("peyvand.payments").warning(f"echo {MERCHANT_ID}")

    assert any(r.name == "httpx" for r in caplog.records)
    assert any("/pg/v4/payment/verify.json" in r.getMessage() for r in caplog.records)
    assert MERCHANT_ID not in caplog.text
    assert "echo 7f3a…" in caplog.text
    assert [e.code for e in errors] == ["-50", "-9", "http-502", "network"]
    for error in errors:
        assert MERCHANT_ID not in "".join(traceback.format_exception(error))
        assert MERCHANT_ID not in repr(error)


# Settings ----------------------------------------------------------------------------


def test_get_payment_gateway_builds_zarinpal_with_its_real_address(settings):
    settings.PAYMENT_GATEWAY = "zarinpal"
    settings.ZARINPAL_MERCHANT_ID = MERCHANT_ID
    settings.ZARINPAL_BASE_URL = ""

    with get_payment_gateway() as gateway:
        assert isinstance(gateway, ZarinPalGateway)
        assert (gateway.name, gateway.label) == ("zarinpal", "زرین‌پال")
        assert gateway.base_url == "https://payment.zarinpal.com"
    assert PAYMENT_GATEWAYS["zarinpal"] is ZarinPalGateway


def test_the_sandbox_sends_the_buyer_to_the_sandbox(settings):
    settings.ZARINPAL_MERCHANT_ID = MERCHANT_ID
    settings.ZARINPAL_BASE_URL = "https://sandbox.zarinpal.com/"

    with get_payment_gateway() as gateway:
        assert gateway.base_url == "https://sandbox.zarinpal.com"


def test_get_payment_gateway_needs_a_merchant_id(settings):
    settings.PAYMENT_GATEWAY = "zarinpal"
    settings.ZARINPAL_MERCHANT_ID = " "

    with pytest.raises(ImproperlyConfigured, match="ZARINPAL_MERCHANT_ID"):
        get_payment_gateway()


def test_get_payment_gateway_rejects_an_unknown_gateway(settings):
    settings.PAYMENT_GATEWAY = "paypal"

    with pytest.raises(ImproperlyConfigured, match="paypal"):
        get_payment_gateway()


# The fake as a separate process ------------------------------------------------------


def test_the_runner_prints_ready_and_serves_the_api():
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "peyvand.finance.fake_zarinpal",
        "--port",
        str(port),
        "--merchant-id",
        MERCHANT_ID,
    ]
    # Buffered output, as under a benchmark's pipe: READY must be flushed to be seen.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    # The command is fixed above; nothing in it comes from outside the test.
    with subprocess.Popen(  # noqa: S603
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, text=True
    ) as process:
        try:
            ready, _, _ = select.select([process.stdout], [], [], 15)
            assert ready, "the fake did not say READY within 15 s"
            line = process.stdout.readline().strip()
            gateway = ZarinPalGateway(merchant_id=MERCHANT_ID, base_url=f"http://127.0.0.1:{port}")
            with gateway, httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
                started = gateway.start(_request())
                client.post(f"/_fake/pay/{started.authority}")
                verified = gateway.verify(authority=started.authority, amount=AMOUNT)
                listed = client.get("/_fake/payments").json()
        finally:
            process.terminate()

    assert line == f"READY http://127.0.0.1:{port}"
    assert verified.already_verified is False
    assert [(p["status"], p["verified"]) for p in listed] == [("paid", 1)]
    assert process.returncode == 0  # SIGTERM stops it cleanly
