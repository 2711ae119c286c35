"""The Moadian client over real HTTP against the fake Moadian on loopback: the round trip,
rejections with their Persian reasons, signatures the fake refuses, and the failures a
caller must tell apart (retryable or not, possibly sent or not)."""

import base64
import json
import logging
import os
import select
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import time_machine
from joserfc import jws
from joserfc.jwk import RSAKey
from joserfc.registry import HeaderParameter

from peyvand.tax.client import (
    MoadianClient,
    MoadianError,
    get_moadian_client,
    invoice_json,
)
from peyvand.tax.fake_moadian import FakeMoadian, tax_id_problem
from peyvand.tax.taxid import tax_id
from tests.servers import free_port
from tests.tax.conftest import MEMORY_ID, NOW, build_client, invoice, make_pair
from tests.tax.test_taxid import WORKED_EXAMPLES

REPO_ROOT = Path(__file__).resolve().parents[2]


def _error_of(call) -> MoadianError:
    with pytest.raises(MoadianError) as caught:
        call()
    return caught.value


def _routes(fake: FakeMoadian) -> list[str]:
    return [route for _, route in fake.requests]


# The round trip -------------------------------------------------------------------------


def test_an_invoice_is_queued_then_accepted(client, fake):
    [sent] = client.send_invoices([invoice(7)])
    assert sent.uid and sent.reference_number
    assert sent.tax_id == invoice(7)["header"]["taxid"]

    [first] = client.inquire_by_uid([sent.uid])
    assert first.status == "IN_PROGRESS" and first.pending

    [second] = client.inquire_by_uid([sent.uid])
    assert second.accepted
    assert (second.uid, second.reference_number) == (sent.uid, sent.reference_number)
    assert second.errors == ()
    assert [p["status"] for p in fake.packets()] == ["SUCCESS"]


def test_a_step_settles_the_queue_and_the_reference_number_finds_it(client, fake):
    sent = client.send_invoices([invoice(1), invoice(2)])
    fake.step()
    results = client.inquire_by_reference([s.reference_number for s in sent])
    assert [r.status for r in results] == ["SUCCESS", "SUCCESS"]
    assert [r.uid for r in results] == [s.uid for s in sent]


def test_an_unknown_uid_is_not_found(client):
    [result] = client.inquire_by_uid(["1b4e28ba-2fa1-11d2-883f-0016d3cca427"])
    assert result.status == "NOT_FOUND"
    assert not (result.accepted or result.rejected or result.pending)


def test_every_call_takes_a_fresh_nonce(client, fake):
    client.send_invoices([invoice(3)])
    # server-information and invoice each authenticated with their own nonce.
    assert _routes(fake) == ["nonce", "server-information", "nonce", "invoice"]


# Rejections ----------------------------------------------------------------------------


def _verdict(client, fake, document):
    [sent] = client.send_invoices([document])
    fake.step()
    [result] = client.inquire_by_uid([sent.uid])
    return result


def test_a_rejected_invoice_says_why_in_persian(client, fake):
    fake.reject_next("0303301", "شناسه کالا/خدمت با اطلاعات سامانه مطابقت ندارد")
    result = _verdict(client, fake, invoice(4))
    assert result.rejected
    assert [(p.code, p.message) for p in result.errors] == [
        ("0303301", "شناسه کالا/خدمت با اطلاعات سامانه مطابقت ندارد")
    ]
    # Only the next one: the one after is judged on what it holds.
    assert _verdict(client, fake, invoice(5)).accepted


def test_the_same_tax_id_twice_is_refused_as_a_duplicate(client, fake):
    assert _verdict(client, fake, invoice(8)).accepted
    again = _verdict(client, fake, invoice(8))
    assert again.rejected
    assert [p.message for p in again.errors] == ["شماره مالیاتی تکراری است"]


def test_a_wrong_check_digit_is_refused(client, fake):
    document = invoice(9)
    taxid = document["header"]["taxid"]
    document["header"]["taxid"] = taxid[:21] + str((int(taxid[21]) + 1) % 10)
    result = _verdict(client, fake, document)
    assert result.rejected
    assert "رقم کنترلی" in result.errors[0].message


def test_a_tax_id_dated_by_the_tehran_calendar_is_refused_after_midnight(client, fake):
    # Issued at 00:30 Tehran time on 2025-05-10, i.e. 21:00 UTC on the 9th: the tax ID's
    # day must be the 9th; one built from the Tehran date does not match indatim.
    issued = datetime(2025, 5, 9, 21, 0, tzinfo=UTC)
    assert _verdict(client, fake, invoice(10, issued=issued)).accepted
    document = invoice(11, issued=issued)
    document["header"]["taxid"] = tax_id(MEMORY_ID, date(2025, 5, 10), 11)
    result = _verdict(client, fake, document)
    assert result.rejected
    assert [p.message for p in result.errors] == [
        "تاریخ در شماره مالیاتی با تاریخ صدور صورتحساب یکی نیست"
    ]


def test_arithmetic_that_does_not_add_up_is_refused(client, fake):
    document = invoice(11)
    document["body"][0]["vam"] = 1950  # 10% of 19,500, while vra says 9%
    document["body"][0]["tsstam"] = 21450
    document["header"]["tvam"] = 1950
    document["header"]["tbill"] = 21450
    result = _verdict(client, fake, document)
    assert result.rejected
    assert [p.message for p in result.errors] == [
        "خطای محاسباتی در «مبلغ مالیات بر ارزش افزوده» ردیف 1"
    ]


def test_header_totals_must_be_the_sum_of_the_lines(client, fake):
    result = _verdict(client, fake, invoice(12, tbill=21256))
    assert [p.message for p in result.errors] == ["خطای محاسباتی در «مجموع صورتحساب»"]


def test_missing_fields_an_unknown_unit_and_a_bad_inno_are_each_named(client, fake):
    document = invoice(13, inno="49321217", setm=None)
    document["body"][0]["mu"] = "9999"
    result = _verdict(client, fake, document)
    messages = [p.message for p in result.errors]
    assert "فیلد «روش تسویه» خالی است" in messages
    assert "واحد اندازه‌گیری ردیف 1 مجاز نیست" in messages
    assert any("سریال صورتحساب" in m for m in messages)


def test_a_correction_must_name_an_accepted_invoice(client, fake):
    original = invoice(14)
    assert _verdict(client, fake, original).accepted
    wrong = _verdict(client, fake, invoice(15, ins=2, irtaxid=invoice(99)["header"]["taxid"]))
    assert [p.code for p in wrong.errors] == ["0300601"]
    right = _verdict(client, fake, invoice(16, ins=2, irtaxid=original["header"]["taxid"]))
    assert right.accepted


def test_an_invoice_issued_in_the_future_is_refused(client, fake):
    result = _verdict(client, fake, invoice(17, issued=NOW + timedelta(minutes=5)))
    assert [p.code for p in result.errors] == ["0202"]


def test_amounts_in_decimal_are_sent_exactly():
    document = invoice(18)
    document["body"][0]["am"] = Decimal("2.5")
    document["body"][0]["fee"] = Decimal("8000.00")
    text = invoice_json(document)
    assert '"am":2.5,' in text and '"fee":8000,' in text
    assert "irtaxid" not in text  # nulls are left out
    assert "خدمات پشتیبانی" in text  # UTF-8, not \\u escapes


def test_the_fake_knows_every_worked_example_as_a_valid_tax_id():
    # Its Verhoeff is written the other way round (validating); it must agree with ours.
    for memory_id, _serial, _day, _control, value in WORKED_EXAMPLES:
        assert tax_id_problem(value, memory_id, None) is None
        broken = value[:21] + str((int(value[21]) + 3) % 10)
        assert tax_id_problem(broken, memory_id, None) == "رقم کنترلی شماره مالیاتی درست نیست"


# Keys, certificates and signatures -----------------------------------------------------


def test_a_key_that_is_not_the_certificates_is_refused_before_anything_is_sent(
    taxpayer, stranger, fake
):
    error = _error_of(
        lambda: MoadianClient(
            memory_id=MEMORY_ID,
            private_key_pem=stranger.key_pem,
            certificate_pem=taxpayer.certificate_pem,
            base_url=fake.url,
            clock=lambda: NOW,
        )
    )
    assert error.code == "credentials" and not error.retryable
    assert "کلید خصوصی با گواهی" in error.message
    assert fake.requests == []


def test_an_expired_certificate_is_refused_before_anything_is_sent(fake):
    old = make_pair(valid_days=30)  # 2025-01-01 … 2025-01-31
    error = _error_of(lambda: build_client(old, fake.url))
    assert error.code == "credentials"
    assert "منقضی" in error.message
    assert fake.requests == []


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"memory_id": "A112"}, "حافظهٔ مالیاتی"),
        ({"private_key_pem": "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n"}, "کلید خصوصی"),
        ({"certificate_pem": "not a certificate"}, "گواهی امضای"),
    ],
)
def test_unreadable_credentials_get_a_persian_error(taxpayer, fake, changes, fragment):
    error = _error_of(lambda: build_client(taxpayer, fake.url, **changes))
    assert error.code == "credentials"
    assert fragment in error.message


def test_a_certificate_not_registered_for_the_memory_id_is_refused_by_the_service(stranger, fake):
    with build_client(stranger, fake.url) as client:
        error = _error_of(client.server_information)
    assert not error.retryable
    assert error.code == "F0108"
    assert error.message.startswith("سامانه مودیان امضا یا گواهی ما را نپذیرفت")
    assert "گواهی امضا متعلق به این شناسه حافظه مالیاتی نیست" in error.message
    # Refused once, then once more with a new nonce.
    assert _routes(fake) == ["nonce", "server-information", "nonce", "server-information"]


def _forged_token(nonce: str, signer: RSAKey, certificate_b64: str) -> str:
    registry = jws.JWSRegistry(
        header_registry={"sigT": HeaderParameter("signing time", "str", True)},
        algorithms=["RS256"],
    )
    header = {
        "alg": "RS256",
        "x5c": [certificate_b64],
        "sigT": "2025-05-10T08:00:00Z",
        "crit": ["sigT"],
    }
    payload = json.dumps({"nonce": nonce, "clientId": MEMORY_ID})
    return jws.serialize_compact(header, payload, signer, algorithms=["RS256"], registry=registry)


def test_the_fake_refuses_a_signature_made_by_another_key(client, taxpayer, stranger, fake):
    # Our certificate in x5c, the stranger's key behind the signature: what a client
    # whose key and certificate do not match would send if it did not check.
    nonce = client.get_nonce().nonce
    token = _forged_token(nonce, RSAKey.import_key(stranger.key_pem), client.credentials.x5c)
    with httpx.Client(base_url=fake.url) as raw:
        answer = raw.get("server-information", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
    [error] = answer.json()["errors"]
    assert error["message"] == "امضای دیجیتال با گواهی ارسال‌شده تطبیق ندارد"


def _post_packets(client, fake, packets) -> list[str]:
    """POSTs hand-made packets with a good token; returns their uids."""
    token = client.token(client.get_nonce())
    with httpx.Client(base_url=fake.url) as raw:
        answer = raw.post("invoice", json=packets, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    return [item["uid"] for item in answer.json()["result"]]


def test_an_invoice_signed_with_another_taxpayers_certificate_fails(client, stranger, fake):
    key = client.encryption_key()
    with build_client(stranger, fake.url) as other:
        packet = other.packet(invoice(50), key)
    [uid] = _post_packets(client, fake, [packet])
    fake.step()
    [result] = client.inquire_by_uid([uid])
    assert result.rejected
    assert [p.message for p in result.errors] == [
        "گواهی امضا متعلق به این شناسه حافظه مالیاتی نیست"
    ]


def test_an_invoice_changed_after_it_was_signed_fails(client, fake):
    key = client.encryption_key()
    signed = client.sign(invoice_json(invoice(51)))
    header, _payload, signature = signed.split(".")
    changed = invoice(51)
    changed["body"][0]["fee"] = 1000  # and the rest made to add up: only the seal is wrong
    changed["body"][0].update(prdis=2000, adis=1500, vam=135, tsstam=1635)
    changed["header"].update(tprdis=2000, tadis=1500, tvam=135, tbill=1635)
    payload = base64.urlsafe_b64encode(invoice_json(changed).encode()).rstrip(b"=").decode()
    packet = {
        "payload": client.encrypt(f"{header}.{payload}.{signature}", key),
        "header": {"requestTraceId": "0c6f3a4e-7d1b-4c2a-9e8f-5a6b7c8d9e0f", "fiscalId": MEMORY_ID},
    }
    [uid] = _post_packets(client, fake, [packet])
    fake.step()
    [result] = client.inquire_by_uid([uid])
    assert [p.message for p in result.errors] == ["امضای دیجیتال با گواهی ارسال‌شده تطبیق ندارد"]


def test_the_fake_refuses_a_packet_without_a_trace_id_before_queuing_it(client, fake):
    key = client.encryption_key()
    packet = client.packet(invoice(52), key)
    packet["header"]["requestTraceId"] = "not-a-uuid"
    token = client.token(client.get_nonce())
    with httpx.Client(base_url=fake.url) as raw:
        answer = raw.post("invoice", json=[packet], headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == "4162"
    assert fake.packets() == []


def test_the_fake_refuses_a_used_nonce(client, fake):
    token = client.token(client.get_nonce())
    with httpx.Client(base_url=fake.url) as raw:
        first = raw.get("server-information", headers={"Authorization": f"Bearer {token}"})
        second = raw.get("server-information", headers={"Authorization": f"Bearer {token}"})
    assert first.status_code == 200
    assert second.status_code == 401
    assert second.json()["errors"][0]["message"] == "nonce پیش‌تر به کار رفته است"


def test_the_signature_carries_x5c_sigt_and_crit_as_the_document_shows(client):
    token = client.sign("{}")
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header == {
        "alg": "RS256",
        "x5c": [client.credentials.x5c],
        "sigT": "2025-05-10T08:00:00Z",
        "crit": ["sigT"],
    }
    # Standard base64 of the DER, not base64url.
    assert base64.b64decode(header["x5c"][0], validate=True)


# The server's key ----------------------------------------------------------------------


def test_the_server_key_is_kept_for_less_than_an_hour(taxpayer, fake):
    now = [NOW]
    with build_client(taxpayer, fake.url, clock=lambda: now[0]) as client:
        client.send_invoices([invoice(20)])
        now[0] = NOW + timedelta(minutes=59)
        client.send_invoices([invoice(21)])
        assert _routes(fake).count("server-information") == 1
        now[0] = NOW + timedelta(minutes=61)
        client.send_invoices([invoice(22)])
        assert _routes(fake).count("server-information") == 2


def test_after_the_service_changes_its_key_one_send_fails_and_the_next_fetches_it(client, fake):
    client.send_invoices([invoice(23)])
    fake.rotate_key()
    error = _error_of(lambda: client.send_invoices([invoice(24)]))
    assert not error.retryable and not error.maybe_sent
    assert "کلید رمزنگاری (kid) شناخته نیست" in error.message
    [sent] = client.send_invoices([invoice(24)])
    fake.step()
    assert client.inquire_by_uid([sent.uid])[0].accepted


# Failures ------------------------------------------------------------------------------


def test_an_unreachable_service_is_a_retryable_error_and_nothing_was_sent(taxpayer):
    with build_client(taxpayer, f"http://127.0.0.1:{free_port()}/requestsmanager/api/v2/") as c:
        error = _error_of(lambda: c.send_invoices([invoice(30)]))
    assert (error.code, error.retryable, error.maybe_sent) == ("network", True, False)
    assert error.message == "ارتباط با سامانه مودیان برقرار نشد."


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that takes connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def test_a_service_that_does_not_answer_is_a_retryable_timeout(taxpayer, silent_port):
    url = f"http://127.0.0.1:{silent_port}/requestsmanager/api/v2/"
    with build_client(taxpayer, url, timeout=0.3) as client:
        error = _error_of(client.get_nonce)
    assert (error.code, error.retryable) == ("timeout", True)
    assert error.message == "سامانه مودیان در زمان مقرر پاسخ نداد."


def test_a_proxy_error_page_is_retryable(client, fake):
    fake.fail_next(503)
    error = _error_of(client.get_nonce)
    assert (error.code, error.retryable, error.maybe_sent) == ("http-503", True, False)
    assert error.message == "پاسخ نامفهوم از سامانه مودیان (HTTP 503)."


def test_a_send_whose_answer_is_lost_may_have_been_taken(client, fake):
    fake.fail_next(502, route="invoice")
    error = _error_of(lambda: client.send_invoices([invoice(31)]))
    assert (error.code, error.retryable, error.maybe_sent) == ("http-502", True, True)
    fake.fail_next(200, body=b"OK", route="invoice")
    error = _error_of(lambda: client.send_invoices([invoice(31)]))
    assert (error.code, error.retryable, error.maybe_sent) == ("http-200", True, True)


def test_a_refused_send_was_not_taken(client, fake):
    fake.fail_next(400, body=b"Bad Request", route="invoice")
    error = _error_of(lambda: client.send_invoices([invoice(32)]))
    assert (error.code, error.retryable, error.maybe_sent) == ("http-400", False, False)


def test_a_garbage_answer_gets_a_clear_error(client, fake):
    fake.fail_next(200, body=b"<html>maintenance</html>")
    error = _error_of(client.get_nonce)
    assert error.message == "پاسخ نامفهوم از سامانه مودیان (HTTP 200)."
    assert error.retryable


def test_json_without_the_expected_fields_gets_a_clear_error(client, fake):
    fake.fail_next(200, body=b'{"publicKeys": "none"}')
    error = _error_of(client.get_nonce)
    assert error.code == "answer"
    assert error.message == "پاسخ سامانه مودیان کامل نیست یا شکل درستی ندارد."


def test_a_nonce_lifetime_the_service_does_not_allow_is_its_error_in_persian(client):
    error = _error_of(lambda: client.get_nonce(time_to_live=5))
    assert not error.retryable
    assert error.message == (
        "سامانه مودیان درخواست را نپذیرفت: مدت اعتبار nonce باید از ۱۰ تا ۲۰۰ ثانیه باشد (کد F0001)"
    )
    assert client.get_nonce(time_to_live=60).expires == NOW + timedelta(seconds=60)


def test_a_send_over_the_limit_is_refused_before_sending(client, fake):
    error = _error_of(lambda: client.send_invoices([invoice(1)] * 1001))
    assert error.code == "too-many"
    assert "۱۰۰۰" in error.message
    assert fake.requests == []


# Secrets -------------------------------------------------------------------------------


def _key_body(pem: str) -> str:
    return "".join(line for line in pem.splitlines() if not line.startswith("-----"))


def test_the_private_key_never_reaches_a_log_or_a_repr(client, taxpayer, fake, caplog):
    caplog.set_level(logging.DEBUG)
    client.send_invoices([invoice(40)])
    fake.fail_next(503)
    _error_of(client.get_nonce)
    # Even a careless log line of ours that holds the key is masked.
    logging.getLogger("peyvand.tax.moadian").warning("key: %s", taxpayer.key_pem)
    logging.getLogger("httpx").warning("body %s", _key_body(taxpayer.key_pem))
    text = "\n".join(record.getMessage() for record in caplog.records)
    body = _key_body(taxpayer.key_pem)
    assert body[:64] not in text
    assert body not in text
    assert any("moadian" in r.getMessage() for r in caplog.records)
    assert body[:64] not in repr(client) + repr(client.credentials)


# Settings and the separate process -----------------------------------------------------


@time_machine.travel(NOW, tick=False)  # get_moadian_client takes the real clock
def test_the_client_is_built_from_the_settings_row(db, taxpayer, fake):
    from peyvand.tax.models import MoadianSettings

    MoadianSettings.objects.create(
        pk=1,
        memory_id=MEMORY_ID,
        private_key=taxpayer.key_pem,
        certificate=taxpayer.certificate_pem,
        environment=MoadianSettings.Environment.CUSTOM,
        custom_base_url=fake.url,
    )
    with get_moadian_client() as client:
        assert client.memory_id == MEMORY_ID
        assert client.base_url == fake.url
        assert client.get_nonce().nonce


def test_incomplete_settings_are_said_in_persian(db):
    error = _error_of(get_moadian_client)
    assert error.code == "credentials" and not error.retryable
    assert "تنظیمات سامانه مودیان کامل نیست" in error.message


def test_the_runner_prints_ready_and_serves_the_api():
    # The process runs on the real clock: so do this certificate and client.
    pair = make_pair(valid_from=datetime.now(UTC) - timedelta(days=1))
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "peyvand.tax.fake_moadian",
        "--port",
        str(port),
        "--memory-id",
        MEMORY_ID,
        "--in-progress-inquiries",
        "0",
    ]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    # The command is fixed above; nothing in it comes from outside the test.
    with subprocess.Popen(  # noqa: S603
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, text=True
    ) as process:
        try:
            ready, _, _ = select.select([process.stdout], [], [], 20)
            assert ready, "the fake did not say READY within 20 s"
            line = process.stdout.readline().strip()
            url = f"http://127.0.0.1:{port}/requestsmanager/api/v2/"
            with MoadianClient(
                memory_id=MEMORY_ID,
                private_key_pem=pair.key_pem,
                certificate_pem=pair.certificate_pem,
                base_url=url,
            ) as client:
                [sent] = client.send_invoices([invoice(1)])
                [result] = client.inquire_by_uid([sent.uid])
        finally:
            process.terminate()
    assert line == f"READY {url}"
    assert result.accepted, result.errors
    assert process.returncode == 0
