"""The SMS gateways over real HTTP, against the fake providers on loopback.

Every gateway here is built by ``get_sms_gateway()`` from the SMS_* settings, as the
outbox worker builds it, and talks to a fake Kavenegar or SMS.ir that serves the
documented API on 127.0.0.1.
"""

import json
import logging
import os
import select
import subprocess
import sys
import traceback
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from django.core.exceptions import ImproperlyConfigured

from peyvand.core.secret_masking import mask_secret
from peyvand.messaging.fake_providers import FakeKavenegar, FakeSmsIr, sms_parts
from peyvand.messaging.gateways import (
    ConsoleGateway,
    Delivery,
    GatewayError,
    KavenegarGateway,
    Outgoing,
    Sent,
    SmsGateway,
    SmsIrGateway,
    get_sms_gateway,
)

KAVENEGAR_KEY = "kn-SECRET-4f9a8b7c6d5e3a2b"
SMSIR_KEY = "ir-SECRET-0a1b2c3d4e5f6a7b"
LINE = "30004505000017"
TO = "+989121234567"
NATIONAL = "09121234567"  # how both providers document the same number

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def kavenegar() -> Iterator[FakeKavenegar]:
    with FakeKavenegar(api_key=KAVENEGAR_KEY) as fake:
        yield fake


@pytest.fixture
def smsir() -> Iterator[FakeSmsIr]:
    with FakeSmsIr(api_key=SMSIR_KEY) as fake:
        yield fake


@pytest.fixture
def use_kavenegar(settings, kavenegar):
    settings.SMS_BACKEND = "kavenegar"
    settings.SMS_API_KEY = KAVENEGAR_KEY
    settings.SMS_SENDER = ""
    settings.SMS_BASE_URL = kavenegar.base_url
    settings.SMS_TIMEOUT = 2.0
    return settings


@pytest.fixture
def use_smsir(settings, smsir):
    settings.SMS_BACKEND = "smsir"
    settings.SMS_API_KEY = SMSIR_KEY
    settings.SMS_SENDER = LINE
    settings.SMS_BASE_URL = smsir.base_url
    settings.SMS_TIMEOUT = 2.0
    return settings


@pytest.fixture
def gateway(request) -> Iterator[SmsGateway]:
    """The gateway the settings fixture in use (use_kavenegar / use_smsir) names."""
    for name in ("use_kavenegar", "use_smsir"):
        if name in request.fixturenames:
            request.getfixturevalue(name)  # the settings first, whatever the fixture order
    with get_sms_gateway() as built:
        yield built


def _send(gateway: SmsGateway, *, body: str = "سلام، سفارش شما ثبت شد.", local_id: str = "42"):
    return gateway.send(to=TO, body=body, sender="", local_id=local_id)


def _error_of(call) -> GatewayError:
    with pytest.raises(GatewayError) as caught:
        call()
    return caught.value


def _dead_base_url() -> str:
    """The address of a fake that has stopped: nothing listens there any more."""
    fake = FakeKavenegar()
    base_url = fake.start()
    fake.stop()
    return base_url


# Kavenegar ---------------------------------------------------------------------------


@pytest.mark.usefixtures("use_kavenegar")
class TestKavenegar:
    def test_it_sends_what_we_gave_it(self, gateway, kavenegar):
        sent = _send(gateway, body="سلام، سفارش شما ثبت شد.", local_id="42")

        assert kavenegar.received == [
            {
                "to": NATIONAL,
                "body": "سلام، سفارش شما ثبت شد.",
                "sender": "10004346",  # no sender given: the account's default line
                "local_id": "42",
                "provider_id": sent.provider_id,
            }
        ]
        assert sent.delivery == Delivery.SENT
        assert sent.cost == sms_parts("سلام، سفارش شما ثبت شد.")
        assert gateway.idempotent is True

    def test_it_sends_from_the_given_line_or_the_configured_one(self, settings, kavenegar):
        settings.SMS_SENDER = "2000500666"
        with get_sms_gateway() as gateway:
            gateway.send(to=TO, body="الف", sender="", local_id="1")
            gateway.send(to=TO, body="ب", sender="10008663", local_id="2")

        assert [m["sender"] for m in kavenegar.received] == ["2000500666", "10008663"]

    def test_the_same_local_id_twice_is_sent_once(self, gateway, kavenegar):
        first = _send(gateway, local_id="77")
        second = _send(gateway, local_id="77")

        assert second.provider_id == first.provider_id
        assert kavenegar.count() == 1

    def test_a_resend_after_a_timeout_is_dropped_by_the_provider(self, settings, kavenegar):
        settings.SMS_TIMEOUT = 0.2
        kavenegar.delay = 1.0
        with get_sms_gateway() as gateway:
            error = _error_of(lambda: _send(gateway, local_id="91"))
        kavenegar.delay = 0
        settings.SMS_TIMEOUT = 10  # the retry must not depend on a 0.2 s answer
        with get_sms_gateway() as gateway:
            retried = _send(gateway, local_id="91")

        assert (error.code, error.retryable) == ("timeout", True)
        assert "پاسخ نداد" in error.message
        # The provider took the first request before the answer was lost.
        assert kavenegar.count() == 1
        assert retried.provider_id == kavenegar.received[0]["provider_id"]

    @pytest.mark.parametrize(
        ("code", "delivery"),
        [
            (1, Delivery.SENT),
            (2, Delivery.SENT),
            (4, Delivery.SENT),
            (5, Delivery.SENT),
            (6, Delivery.UNDELIVERED),
            (10, Delivery.DELIVERED),
            (11, Delivery.UNDELIVERED),
            (13, Delivery.UNDELIVERED),
            (14, Delivery.UNDELIVERED),
        ],
    )
    def test_it_maps_each_status_code(self, gateway, kavenegar, code, delivery):
        sent = _send(gateway)
        kavenegar.set_delivery(sent.provider_id, code)

        assert gateway.status([sent.provider_id]) == {sent.provider_id: delivery}

    def test_an_id_the_provider_does_not_know_is_unknown(self, gateway):
        assert gateway.status(["123456789", "not-an-id"]) == {
            "123456789": Delivery.UNKNOWN,
            "not-an-id": Delivery.UNKNOWN,
        }

    def test_it_asks_for_many_ids_in_batches_the_provider_accepts(self, gateway, kavenegar):
        sent = _send(gateway)
        kavenegar.set_delivery(sent.provider_id, 10)
        ids = [str(n) for n in range(1, 1101)] + [sent.provider_id]

        states = gateway.status(ids)  # one call with 1101 ids would be refused (414)

        assert states[sent.provider_id] == Delivery.DELIVERED
        assert sum(state == Delivery.UNKNOWN for state in states.values()) == 1100

    def test_an_array_send_takes_one_call_per_200_messages(self, settings, kavenegar):
        settings.SMS_SENDER = "2000500666"
        messages = [
            Outgoing(to=f"+98912000{n:04d}", body=f"سلام {n}", sender="", local_id=str(n))
            for n in range(1, 251)
        ]
        with get_sms_gateway() as gateway:
            outcomes = gateway.send_array(messages)

        assert kavenegar.calls["sms/sendarray"] == 2  # 200 + 50
        assert [m["body"] for m in kavenegar.received] == [f"سلام {n}" for n in range(1, 251)]
        assert {m["sender"] for m in kavenegar.received} == {"2000500666"}
        assert [m["local_id"] for m in kavenegar.received] == [str(n) for n in range(1, 251)]
        # One outcome per message, in order, with the provider's id for that message.
        assert [o.provider_id for o in outcomes] == [m["provider_id"] for m in kavenegar.received]

    def test_an_array_resent_with_the_same_local_ids_is_sent_once(self, settings, kavenegar):
        settings.SMS_SENDER = "2000500666"
        messages = [Outgoing(to=TO, body=f"پیام {n}", sender="", local_id=str(n)) for n in (5, 6)]
        with get_sms_gateway() as gateway:
            first = gateway.send_array(messages)
            again = gateway.send_array(messages)

        assert [o.provider_id for o in again] == [o.provider_id for o in first]
        assert kavenegar.count() == 2
        assert kavenegar.repeats == ["5", "6"]

    def test_one_bad_number_in_an_array_fails_only_its_message(self, settings, kavenegar):
        settings.SMS_SENDER = "2000500666"
        messages = [
            Outgoing(to=TO, body="الف", sender="", local_id="1"),
            Outgoing(to="+98123", body="ب", sender="", local_id="2"),
            Outgoing(to=TO, body="ج", sender="", local_id="3"),
        ]
        with get_sms_gateway() as gateway:
            first, bad, third = gateway.send_array(messages)

        assert isinstance(first, Sent) and isinstance(third, Sent)
        assert (bad.code, bad.retryable) == ("411", False)
        assert "شماره گیرنده نامعتبر است" in bad.message
        assert [m["body"] for m in kavenegar.received] == ["الف", "ج"]

    def test_an_array_without_credit_fails_every_message_retryably(self, settings, kavenegar):
        settings.SMS_SENDER = "2000500666"
        kavenegar.credit = 1
        messages = [Outgoing(to=TO, body=f"پیام {n}", sender="", local_id=str(n)) for n in (1, 2)]
        with get_sms_gateway() as gateway:
            outcomes = gateway.send_array(messages)

        assert [(o.code, o.retryable) for o in outcomes] == [("418", True), ("418", True)]
        assert kavenegar.received == []
        assert kavenegar.calls["sms/send"] == 0  # not retried one by one

    def test_an_array_without_any_line_goes_message_by_message(self, gateway, kavenegar):
        # sendarray needs a line per message; send falls back to the account's default.
        outcomes = gateway.send_array(
            [
                Outgoing(to=TO, body=body, sender="", local_id=n)
                for n, body in (("1", "الف"), ("2", "ب"))
            ]
        )

        assert all(isinstance(o, Sent) for o in outcomes)
        assert kavenegar.calls == {"sms/send": 2}
        assert {m["sender"] for m in kavenegar.received} == {"10004346"}

    def test_insufficient_credit_is_retryable_and_says_so_in_persian(self, gateway, kavenegar):
        kavenegar.credit = 0

        error = _error_of(lambda: _send(gateway))

        assert (error.code, error.retryable) == ("418", True)
        assert "اعتبار حساب پیامک کافی نیست" in error.message
        assert "418" in error.message
        assert kavenegar.received == []

    def test_an_error_inside_an_http_200_answer_is_still_an_error(self, gateway, kavenegar):
        kavenegar.mirror_http_status = False
        kavenegar.credit = 0

        error = _error_of(lambda: _send(gateway))

        assert (error.code, error.retryable) == ("418", True)

    def test_an_invalid_key_is_not_retryable(self, settings, kavenegar):
        settings.SMS_API_KEY = "kn-WRONG-000000000000"
        with get_sms_gateway() as gateway:
            error = _error_of(lambda: _send(gateway))

        assert (error.code, error.retryable) == ("403", False)
        assert "کلید API" in error.message
        assert kavenegar.received == []

    def test_an_invalid_receptor_is_not_retryable(self, gateway, kavenegar):
        error = _error_of(
            lambda: gateway.send(to="+15551234567", body="hi", sender="", local_id="5")
        )

        assert (error.code, error.retryable) == ("411", False)
        assert "گیرنده" in error.message
        assert kavenegar.received == []

    def test_an_invalid_sender_is_not_retryable(self, gateway, kavenegar):
        kavenegar.senders = {"10004346"}

        error = _error_of(lambda: gateway.send(to=TO, body="hi", sender="3000", local_id="5"))

        assert (error.code, error.retryable) == ("412", False)

    def test_a_message_too_long_is_not_retryable(self, gateway, kavenegar):
        error = _error_of(lambda: _send(gateway, body="پ" * 901))

        assert (error.code, error.retryable) == ("413", False)
        assert kavenegar.received == []

    def test_a_proxy_error_page_is_retryable(self, gateway, kavenegar):
        kavenegar.fail_next(502)

        error = _error_of(lambda: _send(gateway))

        assert (error.code, error.retryable) == ("http-502", True)
        assert _send(gateway, local_id="43").provider_id  # only the next call failed

    def test_a_code_missing_from_the_documented_table_is_not_retried(self, gateway, kavenegar):
        kavenegar.fail_next(499)

        error = _error_of(lambda: _send(gateway))

        assert (error.code, error.retryable) == ("499", False)
        assert "ناشناخته" in error.message

    def test_a_refused_connection_is_retryable(self, settings):
        settings.SMS_BASE_URL = _dead_base_url()
        with get_sms_gateway() as gateway:
            error = _error_of(lambda: _send(gateway))

        assert (error.code, error.retryable) == ("network", True)

    def test_it_sends_a_template_through_verify_lookup(self, gateway, kavenegar):
        sent = gateway.send_template(to=TO, template="verify-code", tokens=["1234"], local_id="8")
        gateway.send_template(to=TO, template="invoice", tokens=["12", "3", "x"], local_id="9")

        assert [(m["to"], m["body"]) for m in kavenegar.received] == [
            (NATIONAL, "verify-code:1234"),
            (NATIONAL, "invoice:12,3,x"),
        ]
        assert sent.provider_id == kavenegar.received[0]["provider_id"]
        assert sent.delivery == Delivery.SENT

    def test_a_template_send_is_not_protected_by_the_local_id(self, gateway, kavenegar):
        # verify/lookup documents no localid: a repeat is a second message.
        gateway.send_template(to=TO, template="otp", tokens=["1234"], local_id="8")
        gateway.send_template(to=TO, template="otp", tokens=["1234"], local_id="8")

        assert kavenegar.count() == 2
        assert gateway.template_idempotent is False

    def test_an_unknown_template_is_not_retryable(self, gateway, kavenegar):
        kavenegar.templates = {"otp"}

        error = _error_of(
            lambda: gateway.send_template(to=TO, template="nope", tokens=["1"], local_id="8")
        )

        assert (error.code, error.retryable) == ("424", False)

    def test_more_than_three_tokens_are_refused_before_asking(self, gateway, kavenegar):
        error = _error_of(
            lambda: gateway.send_template(to=TO, template="t", tokens=list("1234"), local_id="8")
        )

        assert (error.code, error.retryable) == ("tokens", False)
        assert kavenegar.count() == 0

    def test_it_reuses_one_connection(self, gateway, kavenegar):
        for local_id in range(20):
            _send(gateway, local_id=str(local_id))

        assert kavenegar.count() == 20
        assert kavenegar.connections == 1


# SMS.ir ------------------------------------------------------------------------------


@pytest.mark.usefixtures("use_smsir")
class TestSmsIr:
    def test_it_sends_what_we_gave_it(self, gateway, smsir):
        sent = _send(gateway, body="سلام، سفارش شما ثبت شد.", local_id="42")

        assert smsir.received == [
            {
                "to": NATIONAL,
                "body": "سلام، سفارش شما ثبت شد.",
                "sender": LINE,
                "local_id": None,  # SMS.ir has no client id
                "provider_id": sent.provider_id,
            }
        ]
        assert sent.delivery == Delivery.SENT
        assert sent.cost == 1
        assert gateway.idempotent is False

    def test_a_given_line_wins_over_the_configured_one(self, gateway, smsir):
        gateway.send(to=TO, body="hi", sender="10002155613464", local_id="1")

        assert smsir.received[0]["sender"] == "10002155613464"

    def test_without_a_line_it_refuses_before_asking(self, settings, smsir):
        settings.SMS_SENDER = ""
        with get_sms_gateway() as gateway:
            error = _error_of(lambda: _send(gateway))

        assert (error.code, error.retryable) == ("101", False)
        assert smsir.count() == 0

    def test_the_same_local_id_twice_is_sent_twice(self, gateway, smsir):
        first = _send(gateway, local_id="77")
        second = _send(gateway, local_id="77")

        assert first.provider_id != second.provider_id
        assert smsir.count() == 2

    @pytest.mark.parametrize(
        ("state", "delivery"),
        [
            (None, Delivery.SENT),
            (1, Delivery.DELIVERED),
            (2, Delivery.UNDELIVERED),
            (3, Delivery.SENT),
            (4, Delivery.UNDELIVERED),
            (5, Delivery.SENT),
            (6, Delivery.UNDELIVERED),
            (7, Delivery.UNDELIVERED),
            (8, Delivery.SENT),
        ],
    )
    def test_it_maps_each_delivery_state(self, gateway, smsir, state, delivery):
        sent = _send(gateway)
        smsir.set_delivery(sent.provider_id, state)

        assert gateway.status([sent.provider_id]) == {sent.provider_id: delivery}

    def test_an_id_the_provider_does_not_know_is_unknown(self, gateway, smsir):
        sent = _send(gateway)
        smsir.set_delivery(sent.provider_id, 1)

        assert gateway.status(["123", sent.provider_id]) == {
            "123": Delivery.UNKNOWN,
            sent.provider_id: Delivery.DELIVERED,
        }

    def test_insufficient_credit_is_retryable_and_says_so_in_persian(self, gateway, smsir):
        smsir.credit = 0

        error = _error_of(lambda: _send(gateway))

        assert (error.code, error.retryable) == ("102", True)
        assert "اعتبار حساب پیامک کافی نیست" in error.message
        assert smsir.received == []

    def test_an_invalid_key_is_not_retryable(self, settings, smsir):
        settings.SMS_API_KEY = "ir-WRONG-000000000000"
        with get_sms_gateway() as gateway:
            error = _error_of(lambda: _send(gateway))

        assert (error.code, error.retryable) == ("10", False)
        assert smsir.received == []

    def test_an_invalid_mobile_is_not_retryable(self, gateway, smsir):
        error = _error_of(
            lambda: gateway.send(to="+15551234567", body="hi", sender="", local_id="5")
        )

        assert (error.code, error.retryable) == ("104", False)

    def test_a_rate_limit_is_retryable(self, gateway, smsir):
        smsir.fail_next(20)

        error = _error_of(lambda: _send(gateway))

        assert (error.code, error.retryable) == ("20", True)

    def test_a_timeout_is_retryable(self, settings, smsir):
        settings.SMS_TIMEOUT = 0.2
        smsir.delay = 1.0
        with get_sms_gateway() as gateway:
            error = _error_of(lambda: _send(gateway))

        assert (error.code, error.retryable) == ("timeout", True)

    def test_it_sends_a_template_with_token_parameters(self, gateway, smsir):
        smsir.templates = {100000: {"TOKEN"}}

        sent = gateway.send_template(to=TO, template="100000", tokens=["1234"], local_id="8")

        assert [(m["to"], m["body"]) for m in smsir.received] == [(NATIONAL, "100000:1234")]
        assert sent.provider_id == smsir.received[0]["provider_id"]

    def test_a_template_may_name_its_parameters(self, gateway, smsir):
        smsir.templates = {100001: {"CODE", "NAME"}}

        gateway.send_template(
            to=TO, template="100001:CODE,NAME", tokens=["12", "علی"], local_id="8"
        )
        error = _error_of(
            lambda: gateway.send_template(
                to=TO, template="100001", tokens=["12", "علی"], local_id="9"
            )
        )

        assert [m["body"] for m in smsir.received] == ["100001:12,علی"]
        assert (error.code, error.retryable) == ("116", False)

    def test_an_unknown_template_is_not_retryable(self, gateway, smsir):
        smsir.templates = {100000: {"TOKEN"}}

        error = _error_of(
            lambda: gateway.send_template(to=TO, template="999", tokens=["1"], local_id="8")
        )

        assert (error.code, error.retryable) == ("113", False)

    def test_it_reuses_one_connection(self, gateway, smsir):
        for local_id in range(20):
            _send(gateway, local_id=str(local_id))

        assert smsir.connections == 1


# Console -----------------------------------------------------------------------------


def test_the_console_backend_writes_a_line_and_logs(settings, tmp_path, caplog):
    settings.SMS_BACKEND = "console"
    settings.SMS_SENDER = "1000"
    settings.SMS_CONSOLE_FILE = str(tmp_path / "sms.jsonl")
    caplog.set_level(logging.INFO, logger="peyvand.sms")

    with get_sms_gateway() as gateway:
        sent = gateway.send(to=TO, body="کد شما ۱۲۳۴", sender="", local_id="42")
        gateway.send_template(to=TO, template="otp", tokens=["1234"], local_id="43")
        states = gateway.status(["console-42", "89545112"])

    lines = [json.loads(line) for line in (tmp_path / "sms.jsonl").read_text().splitlines()]
    assert [{k: v for k, v in line.items() if k != "at"} for line in lines] == [
        {"to": TO, "sender": "1000", "body": "کد شما ۱۲۳۴", "local_id": "42"},
        {"to": TO, "sender": "1000", "body": "otp:1234", "local_id": "43"},
    ]
    assert datetime.fromisoformat(lines[0]["at"]).utcoffset() is not None
    assert sent == Sent(provider_id="console-42", delivery=Delivery.SENT)
    assert states == {"console-42": Delivery.DELIVERED, "89545112": Delivery.UNKNOWN}
    logged = [r.getMessage() for r in caplog.records if r.name == "peyvand.sms"]
    assert any("کد شما ۱۲۳۴" in message and TO in message for message in logged)


def test_the_console_backend_without_a_file_only_logs(settings, caplog):
    settings.SMS_BACKEND = "console"
    settings.SMS_CONSOLE_FILE = ""
    caplog.set_level(logging.INFO, logger="peyvand.sms")

    with get_sms_gateway() as gateway:
        gateway.send(to=TO, body="فقط در لاگ", sender="", local_id="1")

    assert any("فقط در لاگ" in r.getMessage() for r in caplog.records)


# Secrets -----------------------------------------------------------------------------


def test_the_kavenegar_key_never_reaches_a_log_or_an_error(use_kavenegar, kavenegar, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")
    caplog.set_level(logging.DEBUG, logger="httpcore")
    errors = []
    with get_sms_gateway() as gateway:
        sent = _send(gateway, local_id="1")
        gateway.status([sent.provider_id])
        kavenegar.fail_next(418)
        errors.append(_error_of(lambda: _send(gateway, local_id="2")))
    use_kavenegar.SMS_TIMEOUT = 0.2  # only for the call meant to time out
    kavenegar.delay = 1.0
    with get_sms_gateway() as gateway:
        errors.append(_error_of(lambda: _send(gateway, local_id="3")))
    use_kavenegar.SMS_BASE_URL = _dead_base_url()
    with get_sms_gateway() as gateway:
        errors.append(_error_of(lambda: _send(gateway, local_id="4")))

    # httpx did log the request URLs, which hold the key in their path…
    httpx_lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert any("/sms/send.json" in line for line in httpx_lines)
    # …but only ever masked.
    assert mask_secret(KAVENEGAR_KEY, KAVENEGAR_KEY) == "kn-S…"
    assert any("/v1/kn-S…/sms/send.json" in line for line in httpx_lines)
    assert KAVENEGAR_KEY not in caplog.text
    assert [e.code for e in errors] == ["418", "timeout", "network"]
    for error in errors:
        assert KAVENEGAR_KEY not in "".join(traceback.format_exception(error))
        assert KAVENEGAR_KEY not in repr(error)


def test_the_smsir_key_never_reaches_a_log_or_an_error(use_smsir, smsir, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")
    smsir.fail_next(10)
    with get_sms_gateway() as gateway:
        error = _error_of(lambda: _send(gateway))
        _send(gateway)

    assert any(r.name == "httpx" for r in caplog.records)
    assert SMSIR_KEY not in caplog.text
    assert SMSIR_KEY not in "".join(traceback.format_exception(error))


def test_mask_secret_keeps_only_a_prefix():
    assert mask_secret("GET /v1/abcdefgh1234/x", "abcdefgh1234") == "GET /v1/abcd…/x"
    assert mask_secret("key=short", "short") == "key=…"
    assert mask_secret("nothing to hide", "") == "nothing to hide"


# Settings ----------------------------------------------------------------------------


def test_get_sms_gateway_builds_the_console_backend(settings):
    settings.SMS_BACKEND = "console"

    gateway = get_sms_gateway()

    assert isinstance(gateway, ConsoleGateway)
    assert (gateway.name, gateway.label, gateway.idempotent) == ("console", "ارسال آزمایشی", True)


@pytest.mark.parametrize(
    ("backend", "gateway_class", "label", "base_url", "idempotent"),
    [
        ("kavenegar", KavenegarGateway, "کاوه‌نگار", "https://api.kavenegar.com", True),
        ("smsir", SmsIrGateway, "اس‌ام‌اس‌دات‌آی‌آر", "https://api.sms.ir", False),
    ],
)
def test_get_sms_gateway_builds_each_provider_with_its_real_address(
    settings, backend, gateway_class, label, base_url, idempotent
):
    settings.SMS_BACKEND = backend
    settings.SMS_API_KEY = "some-key-123456"
    settings.SMS_BASE_URL = ""

    with get_sms_gateway() as gateway:
        assert isinstance(gateway, gateway_class)
        assert (gateway.name, gateway.label) == (backend, label)
        assert gateway.base_url == base_url
        assert gateway.idempotent is idempotent


def test_get_sms_gateway_rejects_an_unknown_backend(settings):
    settings.SMS_BACKEND = "carrier-pigeon"

    with pytest.raises(ImproperlyConfigured, match="carrier-pigeon"):
        get_sms_gateway()


def test_get_sms_gateway_needs_a_key_for_a_provider(settings):
    settings.SMS_BACKEND = "kavenegar"
    settings.SMS_API_KEY = ""

    with pytest.raises(ImproperlyConfigured, match="SMS_API_KEY"):
        get_sms_gateway()


def test_kavenegar_says_which_local_ids_it_holds_500_at_a_time(use_kavenegar, kavenegar, gateway):
    first = _send(gateway, local_id="1000")
    second = _send(gateway, local_id="2000")
    kavenegar.set_delivery(second.provider_id, 10)  # delivered already
    asked = ["1000", "2000"] + [str(n) for n in range(3000, 3598)]

    found = gateway.sent_local_ids(asked)

    assert found == {
        "1000": Sent(provider_id=first.provider_id, delivery=Delivery.SENT),
        "2000": Sent(provider_id=second.provider_id, delivery=Delivery.DELIVERED),
    }
    assert kavenegar.calls["sms/statuslocalmessageid"] == 2  # 600 ids: 500 + 100


def test_a_failed_local_id_lookup_raises_a_persian_gateway_error(use_kavenegar, gateway):
    use_kavenegar.SMS_API_KEY = "wrong-key"
    with get_sms_gateway() as wrong:
        error = _error_of(lambda: wrong.sent_local_ids(["1000"]))
    assert error.code == "403"
    assert not error.retryable
    assert "کلید" in error.message


# The fake as a separate process ------------------------------------------------------


def test_the_runner_prints_ready_and_serves_what_it_received(settings):
    command = [
        sys.executable,
        "-m",
        "peyvand.messaging.fake_providers",
        "kavenegar",
        "--api-key",
        KAVENEGAR_KEY,
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
            word, base_url = process.stdout.readline().split()
            assert word == "READY"
            assert base_url.startswith("http://127.0.0.1:")

            settings.SMS_BACKEND = "kavenegar"
            settings.SMS_API_KEY = KAVENEGAR_KEY
            settings.SMS_BASE_URL = base_url
            with httpx.Client(base_url=base_url, timeout=5) as client:
                before = client.get("/_fake/count").json()
                with get_sms_gateway() as gateway:
                    sent = _send(gateway, local_id="5")
                after = client.get("/_fake/count").json()
                received = client.get("/_fake/received").json()
        finally:
            process.terminate()

    assert (before, after) == (
        {"count": 0, "repeats": 0, "duplicates": 0},
        {"count": 1, "repeats": 0, "duplicates": 0},
    )
    assert received == [
        {
            "to": NATIONAL,
            "body": "سلام، سفارش شما ثبت شد.",
            "sender": "10004346",
            "local_id": "5",
            "provider_id": sent.provider_id,
        }
    ]
    assert process.returncode == 0  # SIGTERM stops it cleanly
