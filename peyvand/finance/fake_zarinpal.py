"""A fake ZarinPal payment gateway (REST v4) for tests, demos and benchmarks.

It answers the documented endpoints with the documented JSON and error codes, closely
enough that ``finance.gateways.ZarinPalGateway`` cannot tell it from the real service,
and serves a small Persian payment page where a person (or a test, by posting its form)
pays or cancels. Standard library only, so that it also runs as its own process:
``python -m peyvand.finance.fake_zarinpal --port 8002 --merchant-id <uuid>`` prints
``READY http://127.0.0.1:8002`` once it listens.

Endpoints:
- ``POST /pg/v4/payment/request.json`` {merchant_id, amount, currency, description,
  callback_url, metadata} → ``data.code`` 100 and a new ``authority``.
- ``GET /pg/StartPay/{authority}``: the payment page (lang="fa", dir="rtl") with two
  buttons of one form, «پرداخت» and «انصراف»; posting it answers 303 to
  ``callback_url?Authority=…&Status=OK`` (or ``Status=NOK``), as ZarinPal sends the
  buyer back.
- ``POST /pg/v4/payment/verify.json`` {merchant_id, amount, authority} → 100 the first
  time a paid payment is verified, 101 after that; -50 when the amount differs, -51 when
  it was not paid (cancelled or never), -53 for another merchant's authority, -54 for an
  unknown one, -9 for a malformed request.
- ``POST /pg/v4/payment/unVerified.json`` {merchant_id}: paid payments not verified yet.

Control endpoints, for another process: ``POST /_fake/pay/{authority}`` (paid, without a
browser), ``POST /_fake/cancel/{authority}``, ``GET /_fake/payments`` (every payment as
JSON, with how many times it was verified).

Sources:
- Request, StartPay, callback and verify:
  https://www.zarinpal.com/docs/paymentGateway/connectToGateway (merchant_id of 36
  characters, amount an integer, currency IRR or IRT, description and callback_url
  required, metadata {mobile, email, order_id}; verify's data {code, message, card_hash,
  card_pan, ref_id, fee_type, fee}; the callback's Authority and Status OK/NOK).
- Error codes: https://www.zarinpal.com/docs/paymentGateway/errorList (-9 … -19), the
  codes from -30 on and the English messages as transcribed identically by the SDKs
  that follow it (github.com/ZarinPal/zarinpal-php-sdk's users, Java, Python and Rust
  clients). -9's documented cases: merchant id, callback_url or description missing,
  description over 500 characters, amount out of range; the validations read like
  Laravel's ("The amount must be at least 1000."), and the minimum is 1,000 rials.
- The authority's shape, "A" (sandbox "S") and 35 letters or digits, and the merchant id
  as a UUID: the validator of github.com/ZarinPal/zarinpal-php-sdk (src/Validator.php).
- HTTP statuses of error answers are not documented; clients report 4xx (422 for
  validation), which the fake answers: 422 for -9, 400 for the rest. The client reads
  the JSON envelope whatever the status.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import html
import json
import re
import secrets
import signal
import socket
import string
import sys
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from email.message import Message as Headers
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["DEMO_MERCHANT_ID", "ERRORS", "FakeZarinPal", "main", "persian_amount"]

JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"

# Any well-formed merchant id works on the sandbox; this one is the CLI's default.
DEMO_MERCHANT_ID = "00000000-0000-4000-8000-000000000000"

_MERCHANT_ID = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
_AUTHORITY = re.compile(r"[AS][0-9A-Za-z]{35}")
_START_PAY = re.compile(r"/pg/StartPay/([^/]+)/?")
_CONTROL = re.compile(r"/_fake/(pay|cancel)/([^/]+)/?")

MIN_AMOUNT = {"IRR": 1_000, "IRT": 100}
MAX_AMOUNT = {"IRR": 1_000_000_000, "IRT": 100_000_000}  # -41: 100,000,000 tomans
DESCRIPTION_MAX = 500

# ZarinPal's English messages, by code (see the sources above).
ERRORS: dict[int, str] = {
    -9: "The input params invalid, validation error.",
    -10: "Terminal is not valid, please check merchant_id or ip address.",
    -11: "Terminal is not active, please contact our support team.",
    -12: "To many attempts, please try again later.",
    -41: "Maximum amount is 100,000,000 tomans.",
    -50: "Session is not valid, amounts values is not the same.",
    -51: "Session is not valid, session is not active paid try.",
    -52: "Oops!!, please contact our support team.",
    -53: "Session is not this merchant_id session.",
    -54: "Invalid authority.",
}

# The card every fake payment is made with, and its masked form as verify shows it.
_FAKE_CARD = "6037991234565432"
_FAKE_CARD_PAN = _FAKE_CARD[:6] + "******" + _FAKE_CARD[-4:]
# A made-up fee of 1% (fee_type Merchant), so that callers see a non-zero one; ZarinPal's
# real fee depends on the merchant's contract.
_FEE_PERCENT = 1

_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def persian_amount(amount: int) -> str:
    """12000 -> "۱۲٬۰۰۰" (Persian digits, Arabic thousands separator)."""
    return f"{amount:,}".replace(",", "٬").translate(_PERSIAN_DIGITS)


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = JSON
    location: str = ""


def json_reply(status: int, payload: Any) -> Reply:
    return Reply(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"))


def error_reply(code: int, validations: list[dict[str, str]] | None = None) -> Reply:
    """ZarinPal's error envelope: empty data, one error."""
    errors = {"code": code, "message": ERRORS.get(code, "Error."), "validations": validations or []}
    return json_reply(422 if code == -9 else 400, {"data": [], "errors": errors})


def proxy_error(status: int) -> Reply:
    """What a load balancer in front of the service answers when the service is down."""
    text = f"<html><body><h1>{status} Service error</h1></body></html>"
    return Reply(status, text.encode(), HTML)


@dataclass
class _Payment:
    authority: str
    merchant_id: str
    amount: int
    currency: str
    description: str
    callback_url: str
    metadata: dict[str, Any]
    created_at: str
    status: str = "pending"  # pending, paid, cancelled
    ref_id: int | None = None
    card_pan: str = ""
    fee: int = 0
    verified: int = 0  # successful verify calls (100 once, then 101s)
    verify_calls: int = 0  # every verify call that named this authority

    def public(self) -> dict[str, Any]:
        """What /_fake/payments shows: everything but the merchant id (a secret)."""
        data = asdict(self)
        del data["merchant_id"]
        return data


@dataclass
class _Page:
    status: int
    title: str
    text: str
    form: str = ""
    extra: list[str] = field(default_factory=list)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], fake: FakeZarinPal) -> None:
        self.fake = fake
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        """Kept-alive connections each hold a handler thread: closing them ends those
        threads instead of waiting for the client to hang up."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # a client that went away, or stop(): nothing worth a traceback
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, with a Content-Length on every answer
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        reply = self.server.fake.handle(method, self.path, self.headers, body)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        if reply.location:
            self.send_header("Location", reply.location)
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests and demos read their own output


class FakeZarinPal:
    """The fake, in this process: ``start()`` listens on 127.0.0.1 (``port``, or a free
    one when 0) and returns ``url``; ``stop()`` ends it; a context manager does both."""

    def __init__(self, *, merchant_id: str = DEMO_MERCHANT_ID, port: int = 0) -> None:
        self.merchant_id = merchant_id
        self.port = port
        self.url = ""
        self._merchants = {merchant_id}
        self._payments: dict[str, _Payment] = {}
        self._failures: list[int] = []
        self._next_ref_id = 201_000_001
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # Lifecycle ------------------------------------------------------------------------

    def start(self) -> str:
        if self._server is not None:
            return self.url
        self._server = _Server(("127.0.0.1", self.port), self)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-zarinpal",
            daemon=True,
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.drop_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # What tests steer and read --------------------------------------------------------

    def add_merchant(self, merchant_id: str) -> None:
        """Another merchant this ZarinPal serves (whose authorities are not ours: -53)."""
        with self._lock:
            self._merchants.add(merchant_id)

    def fail_next(self, code: int, times: int = 1) -> None:
        """The next ``times`` API calls answer ``code``: a ZarinPal error code (-12),
        or an HTTP 5xx status for a broken proxy in front of it."""
        with self._lock:
            self._failures.extend([code] * times)

    def pay(self, authority: str) -> str:
        """Marks the payment paid, as the buyer's «پرداخت» does; returns the callback
        address the browser is sent to. KeyError: unknown; ValueError: cancelled."""
        return self._settle(authority, paid=True)

    def cancel(self, authority: str) -> str:
        """Marks the payment cancelled, as «انصراف» does. ValueError: already paid."""
        return self._settle(authority, paid=False)

    def payments(self) -> list[dict[str, Any]]:
        with self._lock:
            return [payment.public() for payment in self._payments.values()]

    def _settle(self, authority: str, *, paid: bool) -> str:
        wanted = "paid" if paid else "cancelled"
        with self._lock:
            payment = self._payments[authority]
            if payment.status not in ("pending", wanted):
                raise ValueError(f"payment {authority} is {payment.status}")
            if payment.status == "pending" and paid:
                payment.ref_id = self._next_ref_id
                self._next_ref_id += 1
                payment.card_pan = _FAKE_CARD_PAN
            payment.status = wanted
            return _callback_address(payment, ok=paid)

    # HTTP ----------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Headers, body: bytes) -> Reply:
        path = urlsplit(target).path
        if method == "GET" and path == "/_fake/payments":
            return json_reply(200, self.payments())
        if method == "POST" and (match := _CONTROL.fullmatch(path)):
            return self._control(match.group(1), match.group(2))
        if match := _START_PAY.fullmatch(path):
            return self._start_pay(method, match.group(1), body)
        api = {
            "/pg/v4/payment/request.json": self._request,
            "/pg/v4/payment/verify.json": self._verify,
            "/pg/v4/payment/unVerified.json": self._unverified,
        }.get(path.rstrip("/"))
        if api is None:
            return json_reply(404, {"message": "Not Found"})
        if method != "POST":
            return json_reply(405, {"message": "Method Not Allowed"})
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            return proxy_error(failure) if failure >= 500 else error_reply(failure)
        try:
            params = json.loads(body.decode("utf-8") or "{}")
        except (UnicodeDecodeError, ValueError):
            params = None
        if not isinstance(params, dict):
            return error_reply(-9, [{"body": "The request body must be a JSON object."}])
        return api(params)

    def _merchant_problem(self, params: dict[str, Any]) -> Reply | None:
        merchant_id = params.get("merchant_id")
        if not merchant_id:
            return error_reply(-9, [{"merchant_id": "The merchant id field is required."}])
        if not isinstance(merchant_id, str) or len(merchant_id) != 36:
            return error_reply(-9, [{"merchant_id": "The merchant id must be 36 characters."}])
        if not _MERCHANT_ID.fullmatch(merchant_id):
            return error_reply(-9, [{"merchant_id": "The merchant id format is invalid."}])
        with self._lock:
            known = merchant_id in self._merchants
        return None if known else error_reply(-10)

    def _request(self, params: dict[str, Any]) -> Reply:
        if problem := self._merchant_problem(params):
            return problem
        validations: list[dict[str, str]] = []
        currency = params.get("currency") or "IRR"
        if currency not in MIN_AMOUNT:
            validations.append({"currency": "The selected currency is invalid."})
            currency = "IRR"
        amount = _integer(params.get("amount"))
        if params.get("amount") in (None, ""):
            validations.append({"amount": "The amount field is required."})
        elif amount is None:
            validations.append({"amount": "The amount must be an integer."})
        elif amount < MIN_AMOUNT[currency]:
            validations.append({"amount": f"The amount must be at least {MIN_AMOUNT[currency]}."})
        callback_url = params.get("callback_url")
        if not callback_url:
            validations.append({"callback_url": "The callback url field is required."})
        elif not isinstance(callback_url, str) or not re.match(r"https?://[^/?#]+", callback_url):
            validations.append({"callback_url": "The callback url format is invalid."})
        description = params.get("description")
        if not description:
            validations.append({"description": "The description field is required."})
        elif not isinstance(description, str) or len(description) > DESCRIPTION_MAX:
            validations.append(
                {"description": "The description may not be greater than 500 characters."}
            )
        metadata = params.get("metadata") or {}
        if not isinstance(metadata, dict):
            validations.append({"metadata": "The metadata must be an array."})
        if validations or amount is None:
            return error_reply(-9, validations)
        if amount > MAX_AMOUNT[currency]:
            return error_reply(-41)
        with self._lock:
            authority = self._new_authority()
            payment = _Payment(
                authority=authority,
                merchant_id=params["merchant_id"],
                amount=amount,
                currency=currency,
                description=description,
                callback_url=callback_url,
                metadata={key: str(value) for key, value in metadata.items()},
                created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                fee=amount * _FEE_PERCENT // 100,
            )
            self._payments[authority] = payment
        data = {
            "code": 100,
            "message": "Success",
            "authority": authority,
            "fee_type": "Merchant",
            "fee": payment.fee,
        }
        return json_reply(200, {"data": data, "errors": []})

    def _new_authority(self) -> str:
        """Like A0000000000000000000000000000wwOGYpd: "A" and 35 letters or digits, the
        last 10 random (called with the lock held)."""
        alphabet = string.ascii_letters + string.digits
        while True:
            tail = "".join(secrets.choice(alphabet) for _ in range(10))
            authority = "A" + "0" * 25 + tail
            if authority not in self._payments:
                return authority

    def _verify(self, params: dict[str, Any]) -> Reply:
        if problem := self._merchant_problem(params):
            return problem
        validations = []
        amount = _integer(params.get("amount"))
        if params.get("amount") in (None, ""):
            validations.append({"amount": "The amount field is required."})
        elif amount is None:
            validations.append({"amount": "The amount must be an integer."})
        authority = params.get("authority")
        if not authority:
            validations.append({"authority": "The authority field is required."})
        elif not isinstance(authority, str) or not _AUTHORITY.fullmatch(authority):
            validations.append({"authority": "The authority format is invalid."})
        if validations:
            return error_reply(-9, validations)
        with self._lock:
            payment = self._payments.get(authority)
            if payment is None:
                return error_reply(-54)
            if payment.merchant_id != params["merchant_id"]:
                return error_reply(-53)
            payment.verify_calls += 1
            if payment.status != "paid":
                return error_reply(-51)
            if amount != payment.amount:
                return error_reply(-50)
            payment.verified += 1
            first = payment.verified == 1
            data = {
                "code": 100 if first else 101,
                "message": "Paid" if first else "Verified",
                "card_hash": hashlib.sha256(_FAKE_CARD.encode()).hexdigest().upper(),
                "card_pan": payment.card_pan,
                "ref_id": payment.ref_id,
                "fee_type": "Merchant",
                "fee": payment.fee,
            }
        return json_reply(200, {"data": data, "errors": []})

    def _unverified(self, params: dict[str, Any]) -> Reply:
        if problem := self._merchant_problem(params):
            return problem
        with self._lock:
            authorities = [
                {
                    "authority": p.authority,
                    "amount": p.amount,
                    "callback_url": p.callback_url,
                    "referer": "",
                    "date": p.created_at,
                }
                for p in self._payments.values()
                if p.merchant_id == params["merchant_id"] and p.status == "paid" and not p.verified
            ]
        data = {"code": 100, "message": "Success", "authorities": authorities}
        return json_reply(200, {"data": data, "errors": []})

    def _control(self, action: str, authority: str) -> Reply:
        try:
            callback = self._settle(authority, paid=action == "pay")
        except KeyError:
            return json_reply(404, {"error": f"unknown authority {authority}"})
        except ValueError as exc:
            return json_reply(409, {"error": str(exc)})
        status = "paid" if action == "pay" else "cancelled"
        return json_reply(200, {"authority": authority, "status": status, "callback": callback})

    # The payment page ------------------------------------------------------------------

    def _start_pay(self, method: str, authority: str, body: bytes) -> Reply:
        with self._lock:
            payment = self._payments.get(authority)
            state = payment.status if payment else ""
        if payment is None:
            return _page(_Page(404, "تراکنش پیدا نشد", "این پرداخت در درگاه ثبت نشده است."))
        if method == "POST":
            form = parse_qs(body.decode("utf-8", "replace"))
            action = (form.get("action") or [""])[0]
            if action not in ("pay", "cancel"):
                return _page(_Page(400, "درخواست نامعتبر", "یکی از دو دکمه را بزنید."))
            try:
                address = self._settle(authority, paid=action == "pay")
            except ValueError:  # paid or cancelled already, in another tab
                with self._lock:
                    state = payment.status
                return _page(_done_page(state))
            return Reply(303, b"", HTML, location=address)
        if state != "pending":
            return _page(_done_page(state))
        unit = "ریال" if payment.currency == "IRR" else "تومان"
        form = (
            f'<form method="post" action="/pg/StartPay/{html.escape(authority)}">'
            '<button type="submit" name="action" value="pay">پرداخت</button> '
            '<button type="submit" name="action" value="cancel" class="secondary">'
            "انصراف</button></form>"
        )
        return _page(
            _Page(
                200,
                "پرداخت در درگاه آزمایشی",
                "این درگاه آزمایشی است و پولی جابه‌جا نمی‌شود.",
                form=form,
                extra=[
                    f"<dt>مبلغ</dt><dd>{persian_amount(payment.amount)} {unit}</dd>",
                    f"<dt>شرح</dt><dd>{html.escape(payment.description)}</dd>",
                ],
            )
        )


def _integer(value: Any) -> int | None:
    """An integer as Laravel's "integer" rule takes it: a JSON number without a fraction
    or a string of digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def _callback_address(payment: _Payment, *, ok: bool) -> str:
    """The callback URL with ZarinPal's Authority and Status added to its own query."""
    parts = urlsplit(payment.callback_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [("Authority", payment.authority), ("Status", "OK" if ok else "NOK")]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _done_page(state: str) -> _Page:
    if state == "paid":
        return _Page(409, "پرداخت انجام شده است", "این پرداخت پیش‌تر انجام شده است.")
    return _Page(409, "پرداخت لغو شده است", "این پرداخت لغو شده و دیگر پرداخت‌شدنی نیست.")


_STYLE = (
    "body{font-family:Vazirmatn,Tahoma,sans-serif;max-width:30rem;margin:2rem auto;"
    "padding:0 1rem;line-height:1.8;color:#1a1a1a;background:#fff}"
    "dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem}dd{margin:0}"
    "button{font:inherit;padding:.5rem 1.5rem;border:2px solid #0a5c36;border-radius:.375rem;"
    "background:#0a5c36;color:#fff;cursor:pointer}"
    "button.secondary{background:#fff;color:#0a5c36}"
    "button:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px}"
)


def _page(page: _Page) -> Reply:
    details = f"<dl>{''.join(page.extra)}</dl>" if page.extra else ""
    document = (
        '<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{page.title} — زرین‌پال (آزمایشی)</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>{page.title}</h1><p>{page.text}</p>{details}{page.form}"
        "</main></body></html>"
    )
    return Reply(page.status, document.encode("utf-8"), HTML)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m peyvand.finance.fake_zarinpal",
        description="Runs a fake ZarinPal payment gateway on 127.0.0.1 until interrupted.",
    )
    parser.add_argument("--port", type=int, default=0, help="0 (the default): a free port")
    parser.add_argument(
        "--merchant-id",
        default=DEMO_MERCHANT_ID,
        help="the merchant id it accepts (a UUID; default: a fixed demo id)",
    )
    args = parser.parse_args(argv)

    fake = FakeZarinPal(merchant_id=args.merchant_id, port=args.port)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    url = fake.start()
    print(f"READY {url}", flush=True)
    try:
        while not stopping.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
