"""Fake Kavenegar and SMS.ir HTTP servers for tests, benchmarks and demos.

Each fake answers the provider's documented endpoints with its documented JSON, error
codes and HTTP statuses, closely enough that ``messaging.gateways`` cannot tell it from the
real service. They use the standard library only, so a benchmark or a test can run one in
a separate process: ``python -m peyvand.messaging.fake_providers kavenegar --port 8001``
prints ``READY http://127.0.0.1:8001`` once it listens.

Sources (see the comments at each table):
- Kavenegar REST, https://kavenegar.com/rest.html, as transcribed by its official SDKs
  (github.com/kavenegar/kavenegar-php, kavenegar-go) and many clients' error tables.
- SMS.ir v1, https://apidocs.sms.ir, as transcribed by its maker's SDKs
  (github.com/IPeCompany/SmsPanelV2.*).

Both fakes also answer ``GET /_fake/received`` (the received messages as JSON) and
``GET /_fake/count`` (``{"count": n, "repeats": m, "duplicates": d}``) so that another
process can see what arrived, and ``POST /_fake/crash-next`` (see ``crash_next``).
``POST /_fake/inbound`` (JSON ``{"from": "0912…", "text": "…", "line": "…"}``, or
``inbound()``) is a customer's SMS to one of our lines: it waits unread until the
provider's receive call (Kavenegar's sms/receive, SMS.ir's receive/latest) hands it over,
once.

Restarts and crashes, for fault tests: with a state file (``state=``, ``--state FILE``) a
fake keeps what it has sent there, as a real provider keeps its outbox, and reads it back
when it starts (``restart()``, or a new process on the same file). What it holds only in
memory is lost: Kavenegar's index of local ids that drops a repeat, so after a restart a
repeated localid is sent to the phone again (``duplicates()``), while
sms/statuslocalmessageid still finds the message. ``crash_next()`` makes the next send
call take its messages (recorded and saved) and then fail before answering: the
connection drops without an answer, or, for a fake run as a process, the process dies.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import math
import os
import re
import signal
import socket
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from email.message import Message as Headers
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar, Self
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = ["FakeKavenegar", "FakeSmsIr", "LoopbackFake", "main", "serve_until_stopped", "sms_parts"]

JSON = "application/json; charset=utf-8"

# An Iranian mobile number in any of the spellings both providers accept:
# 09121234567, 9121234567, +989121234567, 989121234567, 00989121234567.
_IRANIAN_MOBILE = re.compile(r"(?:\+98|0098|98|0)?(9\d{9})")


def iranian_mobile(number: str) -> str | None:
    """The 10-digit national number (9121234567), or None if ``number`` is not one."""
    match = _IRANIAN_MOBILE.fullmatch(number.strip())
    return match.group(1) if match else None


def sms_parts(text: str) -> int:
    """How many SMS parts the operator bills for ``text``: GSM 7-bit text fits 160
    characters in one part and 153 per part after that; anything else (Persian) is UCS-2
    with 70 and 67."""
    single, multi = (160, 153) if all(ord(ch) < 128 for ch in text) else (70, 67)
    return 1 if len(text) <= single else math.ceil(len(text) / multi)


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = JSON


# What handle() returns for a provider that crashed after taking the messages: the
# connection is closed without an answer.
DROP = Reply(0, b"")


def json_reply(status: int, payload: Any) -> Reply:
    return Reply(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"))


def proxy_error(status: int) -> Reply:
    """What a load balancer in front of the provider answers when the service behind it
    is down: an HTML page, not the provider's JSON."""
    text = f"<html><body><h1>{status} Service error</h1></body></html>"
    return Reply(status, text.encode(), "text/html; charset=utf-8")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Keep-alive connections each hold a handler thread; stop() shuts them down so those
    # threads end instead of waiting for the client to hang up.

    def __init__(self, address: tuple[str, int], fake: LoopbackFake) -> None:
        self.fake = fake
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
            self.fake.connections += 1
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out (or a stop()) closed the connection while a delayed
        # answer was pending: expected, not worth a traceback on stderr.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 with a Content-Length on every answer, so httpx keeps connections alive.
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm on, the client's
    # delayed ACK holds the body back ~40 ms on every request of a kept-alive connection.
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
        if reply is DROP:
            self.close_connection = True
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        # Silent: the access log would print Kavenegar's API key, which sits in the path.
        pass


class LoopbackFake:
    """A fake service's HTTP server on 127.0.0.1, in a thread: ``start``/``stop`` or a
    ``with`` block; subclasses answer in ``handle(method, target, headers, body)``."""

    def __init__(self) -> None:
        self.base_url = ""
        # TCP connections accepted so far: a client that reuses its connections opens one.
        self.connections = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def handle(self, method: str, target: str, headers: Headers, body: bytes) -> Reply:
        raise NotImplementedError

    def start(self, port: int = 0) -> str:
        """Listens on 127.0.0.1 (a random free port unless one is given)."""
        if self._server is not None:
            return self.base_url
        self._server = _Server(("127.0.0.1", port), self)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-{type(self).__name__}",
            daemon=True,
        )
        self._thread.start()
        return self.base_url

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


def serve_until_stopped(fake: LoopbackFake, port: int) -> None:
    """A fake run as a process: ``READY <url>`` once it listens, until SIGTERM or ^C."""
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    print(f"READY {fake.start(port=port)}", flush=True)
    try:
        while not stopping.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


class _FakeProvider(LoopbackFake):
    """The server plumbing, the control surface and the shared bookkeeping."""

    provider: ClassVar[str] = ""

    def __init__(
        self,
        *,
        api_key: str = "test-key",
        credit: int | None = None,
        delay: float = 0.0,
        state: str | Path | None = None,
    ) -> None:
        self.api_key = api_key
        self.credit = credit
        self.delay = delay
        # Where what it sent is kept across restarts (None: nowhere, a restart forgets all).
        self.state_path = Path(state) if state else None
        # Run as a process: a crash (crash_next) ends the process instead of a connection.
        self.exit_on_crash = False
        super().__init__()
        self._lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._deliveries: dict[str, Any] = {}
        self._forget()

    def credit_left(self) -> int:
        """What the account call reports: the credit left (a large sum when unlimited)."""
        with self._lock:
            return 50_000_000 if self.credit is None else self.credit

    def _forget(self) -> None:
        """Everything a restart loses; subclasses add their own."""
        self.received: list[dict[str, Any]] = []
        # Local ids sent again and dropped as repeats (Kavenegar's localid): a client that
        # resends after a crash shows here, and only here.
        self.repeats: list[str] = []
        # TCP connections accepted so far: a client that reuses its connections opens one.
        self.connections = 0
        # API calls answered, by method ("sms/sendarray": 3): how a client batches.
        self.calls: collections.Counter[str] = collections.Counter()
        self._failures: list[int] = []
        self._crashes = 0
        self._next_id = 1
        self._messages: dict[str, dict[str, Any]] = {}
        # SMS customers sent to our lines (inbound()), in arrival order, with a "read"
        # mark set once a receive call has answered them.
        self.inbox: list[dict[str, Any]] = []
        self._next_inbound_id = 700_000_001

    # State file -----------------------------------------------------------------------

    def _state(self) -> dict[str, Any]:
        """What survives a restart (called with the lock held)."""
        return {
            "next_id": self._next_id,
            "messages": self._messages,
            "received": self.received,
            "inbox": self.inbox,
            "next_inbound_id": self._next_inbound_id,
        }

    def _restore(self, state: dict[str, Any]) -> None:
        self._next_id = state["next_id"]
        self._messages = state["messages"]
        self.received = state["received"]
        self.inbox = state.get("inbox", [])
        self._next_inbound_id = state.get("next_inbound_id", self._next_inbound_id)

    def _load_state(self) -> None:
        if self.state_path is not None and self.state_path.exists():
            self._restore(json.loads(self.state_path.read_text(encoding="utf-8")))

    def _save_state(self) -> None:
        """Written before the answer, whole and atomically: a crash right after it loses
        nothing the provider took."""
        if self.state_path is None:
            return
        with self._state_lock:
            with self._lock:
                text = json.dumps(self._state(), ensure_ascii=False)
            partial = self.state_path.with_name(self.state_path.name + ".partial")
            partial.write_text(text, encoding="utf-8")
            os.replace(partial, self.state_path)

    # Lifecycle ------------------------------------------------------------------------

    def restart(self) -> str:
        """Stops and starts again on the same port, as the provider's server restarts:
        it still knows what its state file holds, and nothing else."""
        port = int(self.base_url.rsplit(":", 1)[1])
        self.stop()
        self._forget()
        self._load_state()
        return self.start(port)

    # What tests steer ---------------------------------------------------------------

    def fail_next(self, status: int, times: int = 1) -> None:
        """The next ``times`` send calls answer with the provider's error ``status``
        (a code from the provider's table, or an HTTP 5xx for a broken proxy)."""
        with self._lock:
            self._failures.extend([status] * times)

    def crash_next(self, times: int = 1) -> None:
        """The next ``times`` send calls take their messages and then crash before
        answering (see the module's docstring)."""
        with self._lock:
            self._crashes += times

    def duplicates(self) -> list[str]:
        """Local ids that reached the phone more than once."""
        with self._lock:
            counts = collections.Counter(r["local_id"] for r in self.received if r["local_id"])
        return sorted(local_id for local_id, n in counts.items() if n > 1)

    def set_delivery(self, provider_id: str | int, state: Any) -> None:
        """What status lookups answer for ``provider_id`` from now on."""
        with self._lock:
            self._deliveries[str(provider_id)] = state

    def count(self) -> int:
        with self._lock:
            return len(self.received)

    # Bookkeeping shared by both providers ----------------------------------------------

    def inbound(self, sender: str, text: str, line: str = "", *, at: int | None = None) -> str:
        """A customer's SMS to ``line`` (any of ours when empty), sent at ``at`` (Unix
        seconds; now when None): kept unread until a receive call hands it over.
        Returns the provider's id of it."""
        with self._lock:
            inbound_id = str(self._next_inbound_id)
            self._next_inbound_id += 1
            self.inbox.append(
                {
                    "id": inbound_id,
                    "sender": sender,
                    "line": line,
                    "text": text,
                    "date": int(time.time()) if at is None else at,
                    "read": False,
                }
            )
        self._save_state()
        return inbound_id

    def _take_unread(self, line: str | None, count: int) -> list[dict[str, Any]]:
        """Up to ``count`` unread SMS (to ``line``, or to any line when None), oldest
        first, marked read: what a receive call answers, once."""
        with self._lock:
            taken = [
                message
                for message in self.inbox
                if not message["read"] and (line is None or message["line"] in ("", line))
            ][:count]
            for message in taken:
                message["read"] = True
        self._save_state()
        return taken

    def _take_failure(self) -> int | None:
        with self._lock:
            return self._failures.pop(0) if self._failures else None

    def _charge(self, parts: int) -> bool:
        """Takes ``parts`` from the credit; False (and nothing taken) when short."""
        with self._lock:
            if self.credit is None:
                return True
            if self.credit < parts:
                return False
            self.credit -= parts
            return True

    def _record(self, *, to: str, body: str, sender: str, local_id: str | None, pid: str) -> None:
        with self._lock:
            self.received.append(
                {"to": to, "body": body, "sender": sender, "local_id": local_id, "provider_id": pid}
            )

    def _delivery(self, provider_id: str, default: Any) -> Any:
        with self._lock:
            return self._deliveries.get(provider_id, default)

    def _pause(self) -> None:
        # After the message is recorded and before the answer: a client that times out
        # has had its message taken, which is what a retry must cope with.
        if self.delay > 0:
            time.sleep(self.delay)

    def _taken(self, reply: Reply) -> Reply:
        """The answer to a send call whose messages are recorded: saved to the state
        file first, then the answer, unless a crash was asked for."""
        self._save_state()
        with self._lock:
            crash = self._crashes > 0
            self._crashes -= 1 if crash else 0
        if not crash:
            self._pause()
            return reply
        if self.exit_on_crash:
            os._exit(70)  # a real crash: no answer, no clean-up
        return DROP

    # HTTP ----------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Headers, body: bytes) -> Reply:
        url = urlsplit(target)
        if method == "GET" and url.path == "/_fake/received":
            with self._lock:
                return json_reply(200, list(self.received))
        if method == "GET" and url.path == "/_fake/count":
            with self._lock:
                repeats = len(self.repeats)
            duplicates = len(self.duplicates())
            return json_reply(
                200, {"count": self.count(), "repeats": repeats, "duplicates": duplicates}
            )
        if method == "POST" and url.path == "/_fake/crash-next":
            self.crash_next()
            return json_reply(200, {"crash_next": True})
        if method == "POST" and url.path == "/_fake/inbound":
            try:
                sms = json.loads(body or b"{}")
                inbound_id = self.inbound(
                    str(sms["from"]), str(sms["text"]), str(sms.get("line", ""))
                )
            except (ValueError, KeyError, TypeError):
                return json_reply(400, {"error": 'JSON {"from", "text", "line"} expected'})
            return json_reply(200, {"id": inbound_id})
        return self.route(method, url.path, url.query, headers, body)

    def route(self, method: str, path: str, query: str, headers: Headers, body: bytes) -> Reply:
        raise NotImplementedError


# Kavenegar ---------------------------------------------------------------------------

# Kavenegar's error table (rest.html, "جدول خطاها"), with its own Persian wording as
# transcribed identically by several SDKs. The HTTP status of an answer equals
# return.status: the official PHP and Go SDKs decode the JSON envelope from non-200
# answers, so that is what the fake does (set ``mirror_http_status = False`` to answer
# HTTP 200 with the error only in the envelope; the gateway reads both).
KAVENEGAR_ERRORS: dict[int, str] = {
    400: "پارامترها ناقص هستند",
    401: "حساب کاربری غیرفعال شده است",
    402: "عملیات ناموفق بود",
    403: "کد شناسائی API-Key معتبر نمی‌باشد",
    404: "متد نامشخص است",
    405: "متد Get/Post اشتباه است",
    406: "پارامترهای اجباری خالی ارسال شده اند",
    407: "دسترسی به اطلاعات مورد نظر برای شما امکان پذیر نیست",
    409: "سرور قادر به پاسخگوئی نیست بعدا تلاش کنید",
    411: "دریافت کننده نامعتبر است",
    412: "ارسال کننده نامعتبر است",
    413: (
        "پیام خالی است و یا طول پیام بیش از حد مجاز می‌باشد."
        " حداکثر طول کل متن پیامک 900 کاراکتر می باشد"
    ),
    414: (
        "حجم درخواست بیشتر از حد مجاز است ،ارسال پیامک :هر فراخوانی حداکثر 200 رکورد"
        " و کنترل وضعیت :هر فراخوانی 500 رکورد"
    ),
    415: "اندیس شروع بزرگ تر از کل تعداد شماره های مورد نظر است",
    416: "IP سرویس مبدا با تنظیمات مطابقت ندارد",
    417: "تاریخ ارسال اشتباه است و فرمت آن صحیح نمی باشد.",
    418: "اعتبار حساب شما کافی نیست",
    419: "طول آرایه متن و گیرنده و فرستنده هم اندازه نیست",
    420: "استفاده از لینک در متن پیام برای شما محدود شده است",
    422: "داده ها به دلیل وجود کاراکتر نامناسب قابل پردازش نیست",
    424: "الگوی مورد نظر پیدا نشد",
    426: "استفاده از این متد نیازمند سرویس پیشرفته می‌باشد",
    427: "استفاده از این خط نیازمند ایجاد سطح دسترسی می باشد",
    428: "ارسال کد از طریق تماس تلفنی امکان پذیر نیست",
    429: "IP محدود شده است",
    431: "ساختار کد صحیح نمی‌باشد",
    432: "پارامتر کد در متن پیام پیدا نشد",
    451: "فراخوانی بیش از حد در بازه زمانی مشخص IP محدود شده",
    501: "فقط امکان ارسال پیام تست به شماره صاحب حساب کاربری وجود دارد",
}

# Message statuses (rest.html, "وضعیت پیام"): 1 queued, 2 scheduled, 4/5 handed to the
# operator, 6 failed, 10 delivered, 11 undelivered, 13 cancelled, 14 blocked, 100 not a
# message id of this account.
KAVENEGAR_STATUS_TEXT: dict[int, str] = {
    1: "در صف ارسال قرار دارد",
    2: "زمان بندی شده (ارسال در تاریخ معین)",
    4: "ارسال شده به مخابرات",
    5: "ارسال شده به مخابرات",
    6: "خطا در ارسال پیام",
    10: "رسیده به گیرنده",
    11: "نرسیده به گیرنده",
    13: "ارسال پیام از سمت کاربر لغو شده یا در ارسال آن مشکلی پیش آمده است",
    14: "بلاک شده است، عدم تمایل گیرنده به دریافت پیامک از خطوط تبلیغاتی",
    100: "شناسه پیامک نامعتبر است",
}

KAVENEGAR_MAX_LENGTH = 900  # characters of message text (413 above)
KAVENEGAR_MAX_RECEPTORS = 200  # per sms/send or sms/sendarray call (414)
KAVENEGAR_MAX_STATUS_IDS = 500  # per sms/status and sms/statuslocalmessageid call (414)
KAVENEGAR_LOCAL_ID_HOURS = 12  # how far back sms/statuslocalmessageid finds a localid
KAVENEGAR_DEFAULT_SENDER = "10004346"  # the account's default line when none is given

_KAVENEGAR_PATH = re.compile(r"/v1/([^/]+)/(\w+)/(\w+)\.json/?")
_KAVENEGAR_SENDER = re.compile(r"\d{4,20}")


class FakeKavenegar(_FakeProvider):
    """``POST {base}/v1/{API_KEY}/sms/send.json`` and friends, form-encoded (GET with a
    query string works too, as on the real service)."""

    provider = "kavenegar"

    def __init__(
        self,
        *,
        api_key: str = "test-key",
        credit: int | None = None,
        delay: float = 0.0,
        state: str | Path | None = None,
    ) -> None:
        super().__init__(api_key=api_key, credit=credit, delay=delay, state=state)
        # None: every verify/lookup template exists; else only these names (424 otherwise).
        self.templates: set[str] | None = None
        # None: any numeric line; else only these lines (412 otherwise).
        self.senders: set[str] | None = None
        self.mirror_http_status = True
        self._send_lock = threading.Lock()
        self._load_state()

    def _forget(self) -> None:
        super()._forget()
        self._next_id = 100_000_001
        # The index that drops a repeated localid: in memory only, lost on a restart.
        self._by_localid: dict[str, str] = {}
        # localid -> the first message sent under it: kept with the messages, what
        # sms/statuslocalmessageid answers from.
        self._local_ids: dict[str, str] = {}

    def _state(self) -> dict[str, Any]:
        return super()._state() | {"local_ids": self._local_ids}

    def _restore(self, state: dict[str, Any]) -> None:
        super()._restore(state)
        self._local_ids = state["local_ids"]

    def _envelope(self, status: int, entries: Any = None) -> Reply:
        message = "تایید شد" if status == 200 else KAVENEGAR_ERRORS.get(status, "خطای ناشناخته")
        http_status = status if self.mirror_http_status else 200
        return json_reply(
            http_status, {"return": {"status": status, "message": message}, "entries": entries}
        )

    def _failure(self, status: int) -> Reply:
        if status not in KAVENEGAR_ERRORS and 500 <= status <= 599:
            return proxy_error(status)
        return self._envelope(status)

    def route(self, method: str, path: str, query: str, headers: Headers, body: bytes) -> Reply:
        match = _KAVENEGAR_PATH.fullmatch(path)
        if match is None:
            return self._envelope(404)
        if unquote(match.group(1)) != self.api_key:
            return self._envelope(403)
        params = {key: values[0] for key, values in parse_qs(query).items()}
        if method == "POST" and body:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
            params.update({key: values[0] for key, values in form.items()})
        action = f"{match.group(2)}/{match.group(3)}"
        with self._lock:
            self.calls[action] += 1
        if action == "sms/send":
            return self._send(params)
        if action == "sms/sendarray":
            return self._sendarray(params)
        if action == "sms/status":
            return self._status(params)
        if action == "sms/statuslocalmessageid":
            return self._status_local(params)
        if action == "verify/lookup":
            return self._lookup(params)
        if action == "sms/receive":
            return self._receive(params)
        if action == "account/info":
            info = {"remaincredit": self.credit_left(), "expiredate": 1893456000, "type": "Master"}
            return self._envelope(200, info)
        return self._envelope(404)

    def _receive(self, params: dict[str, str]) -> Reply:
        """``sms/receive``: ``linenumber`` (required) and ``isread`` (0: the unread, which
        the answer marks read; 1: those already read), at most 100 entries."""
        line = params.get("linenumber", "").strip()
        if not line or params.get("isread", "0") not in ("0", "1"):
            return self._envelope(400 if not line else 406)
        if params.get("isread", "0") == "1":
            with self._lock:
                chosen = [m for m in self.inbox if m["read"] and m["line"] in ("", line)][:100]
        else:
            chosen = self._take_unread(line, 100)
        entries = [
            {
                "messageid": int(message["id"]),
                "message": message["text"],
                "sender": message["sender"],
                "receptor": message["line"] or line,
                "date": message["date"],
            }
            for message in chosen
        ]
        return self._envelope(200, entries)

    def _entry(self, message_id: str) -> dict[str, Any]:
        with self._lock:
            entry = dict(self._messages[message_id])
            status = self._deliveries.get(message_id, entry["status"])
        entry["status"] = status
        entry["statustext"] = KAVENEGAR_STATUS_TEXT.get(status, "")
        return entry

    def _new_message(
        self, *, receptor: str, message: str, sender: str, status: int, cost: int
    ) -> str:
        with self._lock:
            message_id = str(self._next_id)
            self._next_id += 1
            self._messages[message_id] = {
                "messageid": int(message_id),
                "message": message,
                "status": status,
                "statustext": KAVENEGAR_STATUS_TEXT[status],
                "sender": sender,
                "receptor": receptor,
                "date": int(time.time()),
                "cost": cost,
            }
        return message_id

    def _send(self, params: dict[str, str]) -> Reply:
        if (failure := self._take_failure()) is not None:
            return self._failure(failure)
        if "receptor" not in params or "message" not in params:
            return self._envelope(400)
        receptors = [r.strip() for r in params["receptor"].split(",") if r.strip()]
        if not receptors:
            return self._envelope(406)
        localids = [""] * len(receptors)
        if params.get("localid"):
            localids = [x.strip() for x in params["localid"].split(",")]
        if len(localids) != len(receptors):
            return self._envelope(419)
        sender = params.get("sender", "")
        return self._deliver(
            receptors, [params["message"]] * len(receptors), [sender] * len(receptors), localids
        )

    def _sendarray(self, params: dict[str, str]) -> Reply:
        """``sms/sendarray``: receptor, sender and message (and optionally
        localmessageids) as JSON arrays of one length, one message per index."""
        if (failure := self._take_failure()) is not None:
            return self._failure(failure)
        arrays = {}
        for name in ("receptor", "sender", "message", "localmessageids"):
            if name not in params:
                if name == "localmessageids":
                    continue
                return self._envelope(400)
            try:
                value = json.loads(params[name])
            except ValueError:
                return self._envelope(400)
            if not isinstance(value, list):
                return self._envelope(400)
            arrays[name] = [str(item).strip() for item in value]
        receptors = arrays["receptor"]
        if not receptors:
            return self._envelope(406)
        localids = arrays.get("localmessageids", [""] * len(receptors))
        if not len(receptors) == len(arrays["sender"]) == len(arrays["message"]) == len(localids):
            return self._envelope(419)
        if not all(arrays["sender"]):
            return self._envelope(412)  # every message needs its line here
        return self._deliver(receptors, arrays["message"], arrays["sender"], localids)

    def _deliver(
        self, receptors: list[str], messages: list[str], senders: list[str], localids: list[str]
    ) -> Reply:
        if any(not m or len(m) > KAVENEGAR_MAX_LENGTH for m in messages):
            return self._envelope(413)
        if len(receptors) > KAVENEGAR_MAX_RECEPTORS:
            return self._envelope(414)
        if any(iranian_mobile(r) is None for r in receptors):
            return self._envelope(411)
        for sender in senders:
            if sender and (
                not _KAVENEGAR_SENDER.fullmatch(sender)
                or (self.senders is not None and sender not in self.senders)
            ):
                return self._envelope(412)

        # A localid already used is not sent again: the earlier message's entry comes
        # back (rest.html, sms/send "localid"). That is what makes a retry safe. One
        # lock around check-and-send, so that two concurrent retries still send once.
        entries = []
        with self._send_lock:
            with self._lock:
                earlier = [self._by_localid.get(x) if x else None for x in localids]
            needed = sum(sms_parts(m) for m, e in zip(messages, earlier, strict=True) if e is None)
            if not self._charge(needed):
                return self._envelope(418)
            for receptor, message, sender, localid, earlier_id in zip(
                receptors, messages, senders, localids, earlier, strict=True
            ):
                if earlier_id is not None:
                    with self._lock:
                        self.repeats.append(localid)
                    entries.append(self._entry(earlier_id))
                    continue
                sender = sender or KAVENEGAR_DEFAULT_SENDER
                message_id = self._new_message(
                    receptor=receptor,
                    message=message,
                    sender=sender,
                    status=1,
                    cost=sms_parts(message),
                )
                if localid:
                    with self._lock:
                        self._by_localid[localid] = message_id
                        self._local_ids.setdefault(localid, message_id)
                self._record(
                    to=receptor,
                    body=message,
                    sender=sender,
                    local_id=localid or None,
                    pid=message_id,
                )
                entries.append(self._entry(message_id))
        return self._taken(self._envelope(200, entries))

    def _lookup(self, params: dict[str, str]) -> Reply:
        # verify/lookup takes receptor, template, token, token2, token3 (and type); the
        # documented parameters have no localid, so a repeated lookup is sent again.
        if (failure := self._take_failure()) is not None:
            return self._failure(failure)
        if any(key not in params for key in ("receptor", "template", "token")):
            return self._envelope(400)
        receptor, template = params["receptor"].strip(), params["template"].strip()
        tokens = [params[key] for key in ("token", "token2", "token3") if params.get(key)]
        if not receptor or not template or not params["token"]:
            return self._envelope(406)
        if iranian_mobile(receptor) is None:
            return self._envelope(411)
        if self.templates is not None and template not in self.templates:
            return self._envelope(424)
        # Tokens may not hold spaces, new lines or underscores (431).
        if any(re.search(r"[\s_]", token) for token in tokens):
            return self._envelope(431)
        if not self._charge(1):
            return self._envelope(418)
        body = f"{template}:{','.join(tokens)}"
        message_id = self._new_message(
            receptor=receptor, message=body, sender=KAVENEGAR_DEFAULT_SENDER, status=5, cost=1
        )
        self._record(
            to=receptor, body=body, sender=KAVENEGAR_DEFAULT_SENDER, local_id=None, pid=message_id
        )
        entry = self._entry(message_id)
        return self._taken(self._envelope(200, [entry]))

    def _status(self, params: dict[str, str]) -> Reply:
        if "messageid" not in params:
            return self._envelope(400)
        ids = [x.strip() for x in params["messageid"].split(",") if x.strip()]
        if not ids:
            return self._envelope(406)
        if len(ids) > KAVENEGAR_MAX_STATUS_IDS:
            return self._envelope(414)
        entries = []
        for message_id in ids:
            with self._lock:
                known = message_id in self._messages
            if known:
                entry = self._entry(message_id)
                entries.append({k: entry[k] for k in ("messageid", "status", "statustext")})
            else:
                entries.append(
                    {
                        "messageid": int(message_id) if message_id.isdigit() else message_id,
                        "status": 100,
                        "statustext": KAVENEGAR_STATUS_TEXT[100],
                    }
                )
        return self._envelope(200, entries)

    def _status_local(self, params: dict[str, str]) -> Reply:
        """``sms/statuslocalmessageid``: ``localid``, a comma list of at most 500; an
        entry per local id, as sms/status's plus its localid; status 100 for one not
        used in the last 12 hours."""
        if "localid" not in params:
            return self._envelope(400)
        ids = [x.strip() for x in params["localid"].split(",") if x.strip()]
        if not ids:
            return self._envelope(406)
        if len(ids) > KAVENEGAR_MAX_STATUS_IDS:
            return self._envelope(414)
        entries = []
        for local_id in ids:
            with self._lock:
                message_id = self._local_ids.get(local_id)
                sent_at = self._messages[message_id]["date"] if message_id else 0
            if message_id and time.time() - sent_at <= KAVENEGAR_LOCAL_ID_HOURS * 3600:
                entry = self._entry(message_id)
                entries.append(
                    {
                        "messageid": entry["messageid"],
                        "localid": local_id,
                        "status": entry["status"],
                        "statustext": entry["statustext"],
                    }
                )
            else:
                entries.append(
                    {
                        "messageid": 0,
                        "localid": local_id,
                        "status": 100,
                        "statustext": KAVENEGAR_STATUS_TEXT[100],
                    }
                )
        return self._envelope(200, entries)


# SMS.ir ------------------------------------------------------------------------------

# SMS.ir's status table (apidocs.sms.ir, "جداول کدهای وضعیت"), its own wording.
SMSIR_ERRORS: dict[int, str] = {
    0: "درخواست شما با خطا مواجه شده‌است.",
    10: "کلید وب سرویس نامعتبر است",
    11: "کلید وب سرویس غیرفعال است",
    12: "کلید وب سرویس محدود به آی‌پی‌های تعریف شده می‌باشد.",
    13: "حساب کاربری غیرفعال است",
    14: "حساب کاربری در حالت تعلیق قرار دارد",
    15: "به منظور استفاده از وب سرویس پلن خود را ارتقا دهید",
    16: "مقدار ارسالی پارامتر نادرست می‌باشد",
    20: "تعداد درخواست بیشتر از حد مجاز است",
    101: "شماره خط نامعتبر می‌باشد",
    102: "اعتبار کافی نمی‌باشد",
    103: "درخواست شما دارای متن (های) خالی است",
    104: "درخواست شما دارای موبایل (های) نادرست است",
    105: "تعداد موبایل ها بیشتر از حد مجاز (100 عدد) می‌باشد",
    106: "تعداد متن ها بیشتر از حد مجاز (100 عدد) می‌باشد",
    107: "لیست موبایل ها خالی می‌باشد",
    108: "لیست متن ها خالی می‌باشد",
    109: "زمان ارسال نامعتبر می‌باشد",
    110: "تعداد شماره موبایل ها و تعداد متن ها برابر نیستند",
    111: "با این شناسه ارسالی ثبت نشده است",
    112: "رکوردی برای حذف یافت نشد",
    113: "قالب یافت نشد",
    114: "طول رشته مقدار پارامتر، بیش از حد مجاز (25 کاراکتر) می‌باشد",
    115: "شماره موبایل(ها) در لیست سیاه سامانه می‌باشند",
    116: "نام یک یا چند پارامتر مقداردهی نشده‌است.",
    117: "متن ارسال شده مورد تایید نمی‌باشد",
    118: "تعداد پیام ها بیشتر از حد مجاز می‌باشد",
    119: "به منظور استفاده از قالب‌ شخصی سازی شده پلن خود را ارتقا دهید",
    123: "خط ارسال‌کننده نیاز به فعال‌سازی دارد.",
    124: "درحال حاضر، فقط امکان ارسال پیامک OTP وجود دارد و قالب شما OTP شناسایی نشده است!",
}

SMSIR_MAX_MOBILES = 100  # per send/bulk call (105)
SMSIR_MAX_PARAMETER = 25  # characters of a verify parameter's value (114)


def smsir_http_status(code: int) -> int:
    """The HTTP status SMS.ir answers a status code with. Its docs list 200 (success),
    400 (a logical error), 401 (authentication), 429 (too many requests) and 500; which
    code goes with which is our reading of the tables, confirmed by its .NET SDK mapping
    401/400/429/500 to its exception types."""
    if code == 1:
        return 200
    if code in (10, 11, 12, 13, 14, 15):
        return 401
    if code == 20:
        return 429
    if code == 0:
        return 500
    return 400


def _as_int(value: Any) -> int | None:
    """A JSON number or numeric string as an int (SMS.ir takes lineNumber both ways)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


class FakeSmsIr(_FakeProvider):
    """``POST {base}/v1/send/bulk``, ``POST {base}/v1/send/verify`` and
    ``GET {base}/v1/send/{messageId}``, JSON, authenticated by the ``X-API-KEY`` header."""

    provider = "smsir"

    def __init__(
        self,
        *,
        api_key: str = "test-key",
        credit: int | None = None,
        delay: float = 0.0,
        state: str | Path | None = None,
    ) -> None:
        super().__init__(api_key=api_key, credit=credit, delay=delay, state=state)
        # None: any numeric line is ours; else only these (101 otherwise).
        self.lines: set[int] | None = None
        # None: every template exists and takes any parameter names; else template id ->
        # the names its text uses (113 for another id, 116 when a name is missing).
        self.templates: dict[int, set[str]] | None = None
        self._load_state()

    def _forget(self) -> None:
        super()._forget()
        self._next_id = 89_545_112

    def _answer(self, status: int, data: Any = None) -> Reply:
        message = "موفق" if status == 1 else SMSIR_ERRORS.get(status, "خطای ناشناخته")
        return json_reply(
            smsir_http_status(status), {"status": status, "message": message, "data": data}
        )

    def _failure(self, status: int) -> Reply:
        if status not in SMSIR_ERRORS and 500 <= status <= 599:
            return proxy_error(status)
        return self._answer(status)

    def route(self, method: str, path: str, query: str, headers: Headers, body: bytes) -> Reply:
        if headers.get("X-API-KEY") != self.api_key:
            return self._answer(10)
        path = path.rstrip("/")
        if method == "POST" and path in ("/v1/send/bulk", "/v1/send/verify"):
            try:
                payload = json.loads(body or b"{}")
            except ValueError:
                return self._answer(16)
            if not isinstance(payload, dict):
                return self._answer(16)
            # ASP.NET binds JSON names case-insensitively (the docs spell both
            # "MessageText" and "messageText").
            fields = {str(key).lower(): value for key, value in payload.items()}
            return self._bulk(fields) if path.endswith("bulk") else self._verify(fields)
        report = re.fullmatch(r"/v1/send/(\d+)", path)
        if method == "GET" and report:
            return self._report(report.group(1))
        if method == "GET" and path == "/v1/receive/latest":
            return self._receive_latest(query)
        if method == "GET" and path == "/v1/receive/archive":
            return self._receive_archive(query)
        if method == "GET" and path == "/v1/credit":
            return self._answer(1, self.credit_left())
        return Reply(404, b"", "text/plain; charset=utf-8")

    def _receive_archive(self, query: str) -> Reply:
        """``receive/archive``: every SMS received until the end of yesterday (read or
        not), between ``fromDate`` and ``toDate`` (Unix seconds), ``pageSize`` (at most
        and by default 100) a page, ``pageNumber`` from 1."""
        params = {key.lower(): values[0] for key, values in parse_qs(query).items()}
        size = _as_int(params.get("pagesize", "100"))
        number = _as_int(params.get("pagenumber", "1"))
        start, end = _as_int(params.get("fromdate", "0")), _as_int(params.get("todate", "0"))
        if None in (size, number, start, end) or not 1 <= size <= 100 or number < 1:
            return self._answer(16)
        today = int(time.time()) // 86_400 * 86_400  # the archive ends with yesterday
        with self._lock:
            chosen = [
                m for m in self.inbox if (start or 0) <= m["date"] <= min(end or today, today - 1)
            ]
        page = chosen[(number - 1) * size : number * size]
        return self._answer(1, [self._received_item(message) for message in page])

    def _received_item(self, message: dict[str, Any]) -> dict[str, Any]:
        return {
            "receiveReturnId": int(message["id"]),
            "messageText": message["text"],
            "number": int(message["line"] or 30004505000017),
            "mobile": int(iranian_mobile(message["sender"]) or 0),
            "receivedDateTime": message["date"],
        }

    def _receive_latest(self, query: str) -> Reply:
        """``receive/latest?count=N`` (at most and by default 100): the messages not
        fetched before, each once; ``number`` is our line and ``mobile`` the sender,
        both JSON numbers (912…, the leading zero gone)."""
        raw = parse_qs(query).get("count", ["100"])[0]
        count = _as_int(raw)
        if count is None or not 1 <= count <= 100:
            return self._answer(16)
        data = [self._received_item(message) for message in self._take_unread(None, count)]
        return self._answer(1, data)

    def _new_message(self, *, mobile: str, text: str, line: int | None, cost: int) -> str:
        with self._lock:
            message_id = str(self._next_id)
            self._next_id += 1
            self._messages[message_id] = {
                "messageId": int(message_id),
                "mobile": int(iranian_mobile(mobile) or 0),
                "messageText": text,
                "sendDateTime": int(time.time()),
                "lineNumber": line,
                "cost": float(cost),
            }
        return message_id

    def _bulk(self, fields: dict[str, Any]) -> Reply:
        if (failure := self._take_failure()) is not None:
            return self._failure(failure)
        line = _as_int(fields.get("linenumber"))
        if line is None:
            return self._answer(101)
        if self.lines is not None and line not in self.lines:
            return self._answer(101)
        text = fields.get("messagetext")
        if not isinstance(text, str) or not text.strip():
            return self._answer(103)
        mobiles = fields.get("mobiles")
        if not isinstance(mobiles, list) or not mobiles:
            return self._answer(107)
        if len(mobiles) > SMSIR_MAX_MOBILES:
            return self._answer(105)
        if any(not isinstance(m, str) or iranian_mobile(m) is None for m in mobiles):
            return self._answer(104)
        send_at = fields.get("senddatetime")
        # A scheduled send must be an hour to a year ahead ("زمان ارسال نامعتبر").
        if send_at is not None and (
            not isinstance(send_at, int) or not 3600 <= send_at - time.time() <= 365 * 86400
        ):
            return self._answer(109)
        parts = sms_parts(text)
        if not self._charge(parts * len(mobiles)):
            return self._answer(102)
        ids = []
        for mobile in mobiles:
            message_id = self._new_message(mobile=mobile, text=text, line=line, cost=parts)
            self._record(to=mobile, body=text, sender=str(line), local_id=None, pid=message_id)
            ids.append(int(message_id))
        data = {"packId": str(uuid.uuid4()), "messageIds": ids, "cost": float(parts * len(ids))}
        return self._taken(self._answer(1, data))

    def _verify(self, fields: dict[str, Any]) -> Reply:
        if (failure := self._take_failure()) is not None:
            return self._failure(failure)
        mobile = fields.get("mobile")
        if not isinstance(mobile, str) or iranian_mobile(mobile) is None:
            return self._answer(104)
        template_id = _as_int(fields.get("templateid"))
        if template_id is None:
            return self._answer(16)
        parameters = fields.get("parameters")
        if not isinstance(parameters, list) or not parameters:
            return self._answer(116)
        names, values = [], []
        for parameter in parameters:
            if not isinstance(parameter, dict):
                return self._answer(16)
            fields_of = {str(k).lower(): v for k, v in parameter.items()}
            name, value = fields_of.get("name"), fields_of.get("value")
            if not isinstance(name, str) or not name.strip():
                return self._answer(116)
            value = "" if value is None else str(value)
            if len(value) > SMSIR_MAX_PARAMETER:
                return self._answer(114)
            names.append(name)
            values.append(value)
        if self.templates is not None:
            if template_id not in self.templates:
                return self._answer(113)
            if not self.templates[template_id] <= set(names):
                return self._answer(116)
        if not self._charge(1):
            return self._answer(102)
        body = f"{template_id}:{','.join(values)}"
        message_id = self._new_message(mobile=mobile, text=body, line=None, cost=1)
        self._record(to=mobile, body=body, sender="", local_id=None, pid=message_id)
        return self._taken(self._answer(1, {"messageId": int(message_id), "cost": 1.0}))

    def _report(self, message_id: str) -> Reply:
        with self._lock:
            message = self._messages.get(message_id)
            message = dict(message) if message is not None else None
        if message is None:
            # Not a message of this account: code 111 ("nothing sent with this id").
            return self._answer(111)
        # deliveryState is null until the operator reports; then 1 delivered, 2 not
        # delivered to the handset, 3 at the telecom, 4 did not reach the telecom,
        # 5 at the operator, 6 failed, 7 blacklisted, 8 unknown.
        state = self._delivery(message_id, None)
        message["deliveryState"] = state
        message["deliveryDateTime"] = int(time.time()) if state in (1, 2) else None
        return self._answer(1, message)


FAKES: dict[str, type[_FakeProvider]] = {"kavenegar": FakeKavenegar, "smsir": FakeSmsIr}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m peyvand.messaging.fake_providers",
        description="Runs a fake SMS provider on 127.0.0.1 until interrupted.",
    )
    parser.add_argument("provider", choices=sorted(FAKES))
    parser.add_argument("--port", type=int, default=0, help="0 (the default): a free port")
    parser.add_argument("--api-key", default="test-key")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--credit", type=int, default=None, help="SMS parts; default unlimited")
    parser.add_argument(
        "--state",
        default=None,
        help="a JSON file that keeps what was sent across restarts (read back at start)",
    )
    parser.add_argument(
        "--crash-next",
        action="store_true",
        help="the first send call is taken (and saved) and then the process dies unanswered",
    )
    args = parser.parse_args(argv)

    fake = FAKES[args.provider](
        api_key=args.api_key, credit=args.credit, delay=args.delay, state=args.state
    )
    # A crash asked for (here or by POST /_fake/crash-next) ends this process.
    fake.exit_on_crash = True
    if args.crash_next:
        fake.crash_next()
    serve_until_stopped(fake, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
