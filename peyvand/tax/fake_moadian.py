"""A fake of the tax organisation's e-invoice service («سامانه مودیان», API v2) on loopback,
for tests, demos and benchmarks.

It checks what the real service checks, as far as docs/moadian-research.md §6.1 knows it,
so that ``tax.client.MoadianClient`` cannot tell it from the real thing on the paths it
uses. It does its JOSE with ``cryptography`` directly (not joserfc, which the client uses)
so that one library's mistake cannot pass on both sides; it does not import the client or
``tax.taxid`` (its Verhoeff check is written the other way round: validating, not
generating). Run it as its own process with
``python -m peyvand.tax.fake_moadian --port 8003 --memory-id A11216`` (accepts any
certificate for that memory id, or ``--certificate cert.pem`` to pin one); it prints
``READY http://127.0.0.1:8003/requestsmanager/api/v2/`` once it listens.

Endpoints (under ``/requestsmanager/api/v2/``):
- ``GET nonce[?timeToLive=10..200]`` → ``{"nonce", "expDate"}``; the nonce is single use.
- Every other route wants ``Authorization: Bearer <JWS>``: RS256, ``crit: ["sigT"]``,
  ``sigT``, ``x5c``; the signature verified with the x5c certificate, the certificate one
  registered for the payload's ``clientId`` and valid now, the nonce known, unexpired and
  unused. Otherwise 401 with the service's error envelope.
- ``GET server-information`` → ``{"serverTime", "publicKeys": [{"key", "id",
  "algorithm": "RSA", "purpose": 1}]}``, the fake's own RSA key pair made when it is built
  (``rotate_key()`` makes a new one and forgets the old).
- ``POST invoice``: the envelope's errors 4143/4144/4145/4162 (HTTP 400); each packet's JWE
  must name the current key (``kid``) and decrypt, else the whole request is refused
  (400). Each packet is queued (``IN_PROGRESS``) and answered with ``uid`` = its
  requestTraceId and a new ``referenceNumber``.
- ``GET inquiry-by-uid?uidList=…&fiscalId=…`` and ``GET inquiry-by-reference-id?
  referenceIds=…`` → the packets' states, ``NOT_FOUND`` for unknown ones.

The verdict is asynchronous: a packet answers ``IN_PROGRESS`` to its first
``in_progress_inquiries`` inquiries (1 by default), then its verdict; ``step()`` settles
every queued packet at once. Settling checks the inner JWS (signature, the signer's
certificate belongs to the fiscalId), the required fields, the tax ID (shape, memory id =
fiscalId, day = indatim's UTC day, Verhoeff), ``inno``, enums, the units table, the
arithmetic of §4.1–§4.2, a reference invoice for corrections, ``indatim`` not in the
future, and a tax ID already accepted (duplicate) — FAILED with Persian errors.

The error codes the research note could source are used as it gives them; the others
(the fake's "F…" codes for authentication and the "02…" arithmetic ones) are the fake's
own: tests assert on our handling and the Persian text, never on those numbers.

Steering for tests: ``reject_next(code, message)`` (the next packet FAILS with that
error), ``fail_next(status, times=1, body=None)`` (the next calls answer that HTTP status:
a proxy's HTML page by default), ``step()``, ``rotate_key()``, ``add_taxpayer()``.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import contextlib
import json
import re
import signal
import socket
import sys
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from email.message import Message as Headers
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["API_PREFIX", "UNITS", "FakeMoadian", "main", "tax_id_problem"]

API_PREFIX = "/requestsmanager/api/v2/"
JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"

# A part of RC_UMGS.ST's units table (§4.5): what the demo and the tests use.
UNITS = {
    "1627": "عدد",
    "164": "کیلوگرم",
    "165": "متر",
    "1637": "لیتر",
    "1645": "متر مربع",
    "1631": "دستگاه",
    "1619": "ست",
    "1624": "کارتن",
    "1628": "بسته",
    "16103": "ساعت",
    "16104": "روز",
    "16112": "ماه",
    "16114": "قطعه",
    "1653": "واحد",
    "1676": "نفر",
    "16134": "نفر-ماه",
}

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_TAX_ID = re.compile(r"[A-Z0-9]{6}[0-9A-F]{15}[0-9]")
_INNO = re.compile(r"[a-fA-F0-9]{10}")
_SSTID = re.compile(r"\d{13}")
_TINS = re.compile(r"\d{11}|\d{14}")
_SIGT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_MS_PER_DAY = 86_400_000
_FUTURE_TOLERANCE_MS = 30_000

# The envelope errors of POST invoice (§2.4, maliatman.com's table).
ENVELOPE_ERRORS = {
    "4143": "در یک درخواست نمی‌توانید بیشتر از 1000 صورتحساب ارسال نمایید",
    "4144": "بدنه ی درخواست ارسالی خالی است یا از نظر ساختار JSON معتبر نیست",
    "4145": "در بدنه ی درخواست ارسالی، بعضی از فیلدهای ضروری خالی است",
    "4162": "شناسه درخواست (requestTraceId) داخل درخواست معتبر نمی باشد",
}

_HEADER_REQUIRED = {
    "taxid": "شماره منحصر به فرد مالیاتی",
    "inno": "سریال صورتحساب",
    "indatim": "تاریخ و زمان صدور صورتحساب",
    "inty": "نوع صورتحساب",
    "inp": "الگوی صورتحساب",
    "ins": "موضوع صورتحساب",
    "tins": "شماره اقتصادی فروشنده",
    "tprdis": "مجموع مبلغ قبل از کسر تخفیف",
    "tdis": "مجموع تخفیفات",
    "tadis": "مجموع مبلغ پس از کسر تخفیف",
    "tvam": "مجموع مالیات بر ارزش افزوده",
    "todam": "مجموع سایر مالیات، عوارض و وجوه قانونی",
    "tbill": "مجموع صورتحساب",
    "setm": "روش تسویه",
}
_BODY_REQUIRED = {
    "sstid": "شناسه کالا/خدمت",
    "sstt": "شرح کالا/خدمت",
    "mu": "واحد اندازه‌گیری",
    "am": "مقدار",
    "fee": "مبلغ واحد",
    "prdis": "مبلغ قبل از تخفیف",
    "dis": "مبلغ تخفیف",
    "adis": "مبلغ بعد از تخفیف",
    "vra": "نرخ مالیات بر ارزش افزوده",
    "vam": "مبلغ مالیات بر ارزش افزوده",
    "tsstam": "مبلغ کل کالا/خدمت",
}
_ENUMS = {
    "inty": ({1, 2, 3}, "نوع صورتحساب"),
    "inp": (set(range(1, 14)), "الگوی صورتحساب"),
    "ins": ({1, 2, 3, 4}, "موضوع صورتحساب"),
    "setm": ({1, 2, 3}, "روش تسویه"),
    "tob": ({1, 2, 3, 4, 5}, "نوع شخص خریدار"),
}

# Verhoeff, validating form: a number that ends in its check digit gives 0.
_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)


def _verhoeff_ok(number: str) -> bool:
    c = 0
    for i, ch in enumerate(reversed(number)):
        c = _D[c][_P[i % 8][int(ch)]]
    return c == 0


def tax_id_problem(taxid: str, fiscal_id: str, indatim: int | None) -> str | None:
    """What is wrong with the tax ID, in Persian, or None."""
    if not isinstance(taxid, str) or not _TAX_ID.fullmatch(taxid):
        return "شماره منحصر به فرد مالیاتی باید ۲۲ نویسه باشد"
    memory_id, day, serial = taxid[:6], int(taxid[6:11], 16), int(taxid[11:21], 16)
    if memory_id != fiscal_id:
        return "شناسه حافظه در شماره مالیاتی با شناسه حافظه ارسال‌کننده یکی نیست"
    if isinstance(indatim, int) and day != indatim // _MS_PER_DAY:
        return "تاریخ در شماره مالیاتی با تاریخ صدور صورتحساب یکی نیست"
    decimal = "".join(str(ord(ch)) if ch.isalpha() else ch for ch in memory_id)
    if not _verhoeff_ok(f"{decimal}{day:06d}{serial:012d}{taxid[21]}"):
        return "رقم کنترلی شماره مالیاتی درست نیست"
    return None


def _b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class _Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = JSON


def _json_reply(status: int, payload: Any) -> Reply:
    return Reply(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"))


@dataclass
class _Packet:
    uid: str
    reference_number: str
    fiscal_id: str
    jws: str
    received_ms: int
    inquiries: int = 0
    status: str = "IN_PROGRESS"
    errors: list[dict[str, str]] = field(default_factory=list)
    taxid: str = ""
    forced: tuple[str, str] | None = None  # reject_next's error


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], fake: FakeMoadian) -> None:
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
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
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
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _utc_now() -> datetime:
    return datetime.now(UTC)


class FakeMoadian:
    """The fake in this process: ``start()`` listens on 127.0.0.1 (``port``, or a free
    one when 0) and returns ``url`` (the API base, ending in ``/api/v2/``); ``stop()`` ends
    it; a context manager does both.

    ``taxpayers`` maps a memory id to the certificates (PEM or x509) it may sign with; an
    empty list accepts any certificate whose key made the signature (the demo's mode).
    ``clock`` is the fake's "now" (nonce expiry, certificate validity, indatim in the
    future, serverTime). ``server_key``: the key pair to start with (tests reuse one
    rather than wait for a new RSA key each time); a new one by default."""

    def __init__(
        self,
        *,
        taxpayers: dict[str, list[Any]] | None = None,
        port: int = 0,
        key_size: int = 2048,
        clock: Callable[[], datetime] = _utc_now,
        in_progress_inquiries: int = 1,
        server_key: rsa.RSAPrivateKey | None = None,
    ) -> None:
        self.port = port
        self.url = ""
        self.key_size = key_size
        self.clock = clock
        self.in_progress_inquiries = in_progress_inquiries
        self._taxpayers: dict[str, set[bytes] | None] = {}
        for memory_id, certificates in (taxpayers or {}).items():
            self.add_taxpayer(memory_id, *certificates)
        self._lock = threading.Lock()
        self._nonces: dict[str, tuple[datetime, bool]] = {}
        self._packets: dict[str, _Packet] = {}  # by uid
        self._by_reference: dict[str, str] = {}  # reference number -> uid
        self._accepted: dict[str, str] = {}  # accepted tax id -> fiscal id
        self._failures: list[tuple[int, bytes | None, str]] = []
        self._rejections: list[tuple[str, str]] = []
        self.requests: list[tuple[str, str]] = []  # (method, path) of every API call
        self._key_id = ""
        self._key: rsa.RSAPrivateKey | None = server_key
        if server_key is None:
            self.rotate_key()
        else:
            self._key_id = str(uuid.uuid4())
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # Lifecycle ------------------------------------------------------------------------

    def start(self) -> str:
        if self._server is not None:
            return self.url
        self._server = _Server(("127.0.0.1", self.port), self)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}{API_PREFIX}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-moadian",
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

    def add_taxpayer(self, memory_id: str, *certificates: Any) -> None:
        """A memory id the fake serves, and the certificates it may sign with (none: any)."""
        ders: set[bytes] = set()
        for certificate in certificates:
            if isinstance(certificate, str | bytes):
                data = certificate.encode() if isinstance(certificate, str) else certificate
                certificate = x509.load_pem_x509_certificate(data)
            ders.add(certificate.public_bytes(serialization.Encoding.DER))
        self._taxpayers[memory_id] = ders or None

    def rotate_key(self) -> None:
        """A new key pair; the old one is forgotten (packets encrypted for it are refused)."""
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=self.key_size)
        self._key_id = str(uuid.uuid4())

    @property
    def key_id(self) -> str:
        return self._key_id

    def fail_next(
        self, status: int, times: int = 1, body: bytes | None = None, route: str = ""
    ) -> None:
        """The next ``times`` API calls (to ``route`` only, e.g. "invoice", when given)
        answer HTTP ``status`` with ``body`` (by default a proxy's HTML error page),
        before anything else is looked at: nothing they carry is taken."""
        with self._lock:
            self._failures.extend([(status, body, route)] * times)

    def reject_next(self, code: str, message: str) -> None:
        """The next packet received FAILS with this error, whatever it holds."""
        with self._lock:
            self._rejections.append((code, message))

    def step(self) -> None:
        """Settles every queued packet now, in the order received."""
        with self._lock:
            for packet in self._packets.values():
                if packet.status == "IN_PROGRESS":
                    self._settle(packet)

    def packets(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {
                    "uid": p.uid,
                    "referenceNumber": p.reference_number,
                    "fiscalId": p.fiscal_id,
                    "status": p.status,
                    "taxid": p.taxid,
                    "errors": list(p.errors),
                }
                for p in self._packets.values()
            ]

    def _now_ms(self) -> int:
        return int(self.clock().timestamp() * 1000)

    # HTTP -----------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Headers, body: bytes) -> Reply:
        parts = urlsplit(target)
        if not parts.path.startswith(API_PREFIX):
            return _json_reply(404, {"message": "Not Found"})
        route = parts.path[len(API_PREFIX) :].strip("/")
        query = parse_qs(parts.query)
        with self._lock:
            self.requests.append((method, route))
            failure = next(
                (f for f in self._failures if f[2] in ("", route)),
                None,
            )
            if failure is not None:
                self._failures.remove(failure)
        if failure is not None:
            status, text, _ = failure
            if text is None:
                text = f"<html><body><h1>{status} Service error</h1></body></html>".encode()
            return Reply(status, text, HTML)
        routes: dict[tuple[str, str], Callable[..., Reply]] = {
            ("GET", "nonce"): self._nonce,
            ("GET", "server-information"): self._server_information,
            ("POST", "invoice"): self._invoice,
            ("GET", "inquiry-by-uid"): self._inquiry_by_uid,
            ("GET", "inquiry-by-reference-id"): self._inquiry_by_reference,
        }
        handler = routes.get((method, route))
        if handler is None:
            known = {path for _, path in routes}
            if route in known:
                return self._error(405, "4100", "متد درخواست ارسالی پشتیبانی نمی‌شود")
            return _json_reply(404, {"message": "Not Found"})
        if route != "nonce":
            try:
                client_id = self._authenticate(headers.get("Authorization") or "")
            except _Refused as refused:
                return self._error(401, refused.code, refused.message)
            return handler(query, body, client_id)
        return handler(query)

    def _error(self, status: int, code: str, message: str) -> Reply:
        return _json_reply(
            status,
            {
                "timestamp": self._now_ms(),
                "requestTraceId": str(uuid.uuid4()),
                "errors": [{"code": code, "message": message}],
            },
        )

    def _nonce(self, query: dict[str, list[str]]) -> Reply:
        ttl_text = (query.get("timeToLive") or ["30"])[0]
        if not ttl_text.isdigit() or not 10 <= int(ttl_text) <= 200:
            return self._error(400, "F0001", "مدت اعتبار nonce باید از ۱۰ تا ۲۰۰ ثانیه باشد")
        expires = self.clock() + timedelta(seconds=int(ttl_text))
        nonce = f"{uuid.uuid4()}-{self._now_ms()}"
        with self._lock:
            self._nonces[nonce] = (expires, False)
        return _json_reply(200, {"nonce": nonce, "expDate": expires.isoformat()})

    # Signatures ---------------------------------------------------------------------

    def _verify_jws(self, token: str) -> tuple[dict[str, Any], bytes, bytes]:
        """(protected header, payload, signer's certificate DER) of a valid compact JWS."""
        pieces = token.split(".")
        if len(pieces) != 3:
            raise _Refused("F0101", "امضای دیجیتال ساختار درستی ندارد")
        try:
            header = json.loads(_b64url_decode(pieces[0]))
            payload = _b64url_decode(pieces[1])
            signature = _b64url_decode(pieces[2])
        except (ValueError, binascii.Error):
            raise _Refused("F0101", "امضای دیجیتال ساختار درستی ندارد") from None
        if not isinstance(header, dict) or header.get("alg") != "RS256":
            raise _Refused("F0102", "الگوریتم امضا باید RS256 باشد")
        if header.get("crit") != ["sigT"] or not _SIGT.fullmatch(str(header.get("sigT") or "")):
            raise _Refused("F0103", "زمان امضا (sigT) در سرآیند امضا نیامده است")
        chain = header.get("x5c")
        try:
            der = base64.b64decode(chain[0], validate=True)
            certificate = x509.load_der_x509_certificate(der)
        except (TypeError, IndexError, KeyError, ValueError, binascii.Error):
            raise _Refused("F0104", "گواهی امضا (x5c) خوانده نشد") from None
        public = certificate.public_key()
        if not isinstance(public, rsa.RSAPublicKey):
            raise _Refused("F0104", "گواهی امضا (x5c) خوانده نشد")
        try:
            public.verify(
                signature,
                f"{pieces[0]}.{pieces[1]}".encode("ascii"),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except InvalidSignature:
            raise _Refused("F0105", "امضای دیجیتال با گواهی ارسال‌شده تطبیق ندارد") from None
        now = self.clock()
        if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
            raise _Refused("F0106", "گواهی امضا معتبر نیست یا منقضی شده است")
        return header, payload, der

    def _check_signer(self, memory_id: Any, der: bytes) -> None:
        if not isinstance(memory_id, str) or memory_id not in self._taxpayers:
            raise _Refused("F0107", "شناسه حافظه مالیاتی در سامانه ثبت نشده است")
        allowed = self._taxpayers[memory_id]
        if allowed is not None and der not in allowed:
            raise _Refused("F0108", "گواهی امضا متعلق به این شناسه حافظه مالیاتی نیست")

    def _authenticate(self, authorization: str) -> str:
        if not authorization.startswith("Bearer "):
            raise _Refused("F0100", "توکن احراز هویت ارسال نشده است")
        _, payload, der = self._verify_jws(authorization[len("Bearer ") :].strip())
        try:
            claims = json.loads(payload)
        except ValueError:
            raise _Refused("F0101", "امضای دیجیتال ساختار درستی ندارد") from None
        if not isinstance(claims, dict):
            raise _Refused("F0101", "امضای دیجیتال ساختار درستی ندارد")
        client_id = claims.get("clientId")
        self._check_signer(client_id, der)
        nonce = claims.get("nonce")
        with self._lock:
            known = self._nonces.get(nonce) if isinstance(nonce, str) else None
            if known is None:
                raise _Refused("F0110", "nonce نامعتبر است")
            expires, used = known
            if used:
                raise _Refused("F0111", "nonce پیش‌تر به کار رفته است")
            if self.clock() > expires:
                raise _Refused("F0112", "nonce منقضی شده است")
            self._nonces[nonce] = (expires, True)
        return client_id

    def _decrypt(self, token: Any) -> str:
        pieces = token.split(".") if isinstance(token, str) else []
        if len(pieces) != 5:
            raise _Refused("F0201", "بستهٔ رمزشده ساختار درستی ندارد")
        try:
            header = json.loads(_b64url_decode(pieces[0]))
            encrypted_key, iv, ciphertext, tag = (_b64url_decode(p) for p in pieces[1:])
        except (ValueError, binascii.Error):
            raise _Refused("F0201", "بستهٔ رمزشده ساختار درستی ندارد") from None
        if not isinstance(header, dict) or (header.get("alg"), header.get("enc")) != (
            "RSA-OAEP-256",
            "A256GCM",
        ):
            raise _Refused("F0202", "الگوریتم رمزنگاری باید RSA-OAEP-256 و A256GCM باشد")
        if header.get("kid") != self._key_id:
            raise _Refused("F0203", "کلید رمزنگاری (kid) شناخته نیست؛ کلید عمومی را دوباره بگیرید")
        assert self._key is not None  # noqa: S101 -- made in __init__
        try:
            cek = self._key.decrypt(
                encrypted_key,
                padding.OAEP(
                    mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None
                ),
            )
            plaintext = AESGCM(cek).decrypt(iv, ciphertext + tag, pieces[0].encode("ascii"))
            return plaintext.decode("utf-8")
        except (ValueError, InvalidTag, UnicodeDecodeError):
            raise _Refused("F0204", "بستهٔ رمزشده با کلید سامانه باز نشد") from None

    # The API ------------------------------------------------------------------------

    def _server_information(self, query: dict, body: bytes, client_id: str) -> Reply:
        assert self._key is not None  # noqa: S101
        der = self._key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        key = {
            "key": base64.b64encode(der).decode(),
            "id": self._key_id,
            "algorithm": "RSA",
            "purpose": 1,
        }
        return _json_reply(200, {"serverTime": self._now_ms(), "publicKeys": [key]})

    def _invoice(self, query: dict, body: bytes, client_id: str) -> Reply:
        try:
            packets = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            packets = None
        if not isinstance(packets, list) or not packets:
            return self._error(400, "4144", ENVELOPE_ERRORS["4144"])
        if len(packets) > 1000:
            return self._error(400, "4143", ENVELOPE_ERRORS["4143"])
        decrypted = []
        for packet in packets:
            header = packet.get("header") if isinstance(packet, dict) else None
            if (
                not isinstance(header, dict)
                or not packet.get("payload")
                or not header.get("requestTraceId")
                or not header.get("fiscalId")
            ):
                return self._error(400, "4145", ENVELOPE_ERRORS["4145"])
            if not _UUID.fullmatch(str(header["requestTraceId"])):
                return self._error(400, "4162", ENVELOPE_ERRORS["4162"])
            if header["fiscalId"] != client_id:
                return self._error(400, "F0301", "شناسه حافظه بسته با شناسه حافظه توکن یکی نیست")
            try:
                inner = self._decrypt(packet["payload"])
            except _Refused as refused:
                return self._error(400, refused.code, refused.message)
            decrypted.append((str(header["requestTraceId"]), inner))
        result = []
        with self._lock:
            for uid, inner in decrypted:
                reference = str(uuid.uuid4())
                forced = self._rejections.pop(0) if self._rejections else None
                self._packets[uid] = _Packet(
                    uid=uid,
                    reference_number=reference,
                    fiscal_id=client_id,
                    jws=inner,
                    received_ms=self._now_ms(),
                    forced=forced,
                )
                self._by_reference[reference] = uid
                result.append(
                    {"uid": uid, "packetType": None, "referenceNumber": reference, "data": None}
                )
        return _json_reply(200, {"timestamp": self._now_ms(), "result": result})

    def _inquiry_by_uid(self, query: dict, body: bytes, client_id: str) -> Reply:
        fiscal_id = (query.get("fiscalId") or [""])[0]
        if fiscal_id != client_id:
            return self._error(400, "F0302", "شناسه حافظه استعلام با شناسه حافظه توکن یکی نیست")
        return self._inquiry(query.get("uidList") or [], client_id, by_reference=False)

    def _inquiry_by_reference(self, query: dict, body: bytes, client_id: str) -> Reply:
        return self._inquiry(query.get("referenceIds") or [], client_id, by_reference=True)

    def _inquiry(self, ids: list[str], client_id: str, *, by_reference: bool) -> Reply:
        answers = []
        with self._lock:
            for wanted in ids:
                uid = self._by_reference.get(wanted) if by_reference else wanted
                packet = self._packets.get(uid or "")
                if packet is None or packet.fiscal_id != client_id:
                    answers.append(
                        {
                            "referenceNumber": wanted if by_reference else None,
                            "uid": None if by_reference else wanted,
                            "status": "NOT_FOUND",
                            "packetType": "receive_invoice_confirm",
                            "fiscalId": client_id,
                            "sign": None,
                            "data": None,
                        }
                    )
                    continue
                packet.inquiries += 1
                if packet.status == "IN_PROGRESS" and packet.inquiries > self.in_progress_inquiries:
                    self._settle(packet)
                answers.append(self._answer(packet))
        return _json_reply(200, answers)

    def _answer(self, packet: _Packet) -> dict[str, Any]:
        data = None
        if packet.status != "IN_PROGRESS":
            data = {
                "confirmationReferenceId": packet.reference_number
                if packet.status == "SUCCESS"
                else None,
                "success": packet.status == "SUCCESS",
                "error": [dict(e, errorType="ERROR") for e in packet.errors],
                "warning": [],
            }
        answer = {
            "referenceNumber": packet.reference_number,
            "uid": packet.uid,
            "status": packet.status,
            "packetType": "receive_invoice_confirm",
            "fiscalId": packet.fiscal_id,
            "data": data,
        }
        answer["sign"] = self._sign(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        return answer

    def _sign(self, text: str) -> str:
        """The organisation's signature over an answer: a JWS by the fake's key."""
        assert self._key is not None  # noqa: S101
        header = _b64url(json.dumps({"alg": "RS256", "kid": self._key_id}).encode())
        payload = _b64url(text.encode("utf-8"))
        signature = self._key.sign(
            f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256()
        )
        return f"{header}.{payload}.{_b64url(signature)}"

    # The verdict ---------------------------------------------------------------------

    def _settle(self, packet: _Packet) -> None:
        """Decides a packet (called with the lock held)."""
        errors = self._check_packet(packet)
        if packet.forced is not None:
            errors.insert(0, {"code": packet.forced[0], "message": packet.forced[1]})
        packet.errors = errors
        packet.status = "FAILED" if errors else "SUCCESS"
        if not errors:
            self._accepted[packet.taxid] = packet.fiscal_id

    def _check_packet(self, packet: _Packet) -> list[dict[str, str]]:
        try:
            _, payload, der = self._verify_jws(packet.jws)
            self._check_signer(packet.fiscal_id, der)
        except _Refused as refused:
            return [{"code": refused.code, "message": refused.message}]
        try:
            invoice = json.loads(payload.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            invoice = None
        if not isinstance(invoice, dict) or not isinstance(invoice.get("header"), dict):
            return [{"code": "0100000", "message": "ساختار صورتحساب معتبر نیست"}]
        return _InvoiceCheck(self, packet, invoice).problems()


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _rials(value: Decimal, *, rounding: str) -> Decimal:
    return value.quantize(Decimal(1), rounding=rounding)


class _InvoiceCheck:
    """The business checks of one invoice (§6.1 point 5), each a Persian error."""

    def __init__(self, fake: FakeMoadian, packet: _Packet, invoice: dict[str, Any]) -> None:
        self.fake = fake
        self.packet = packet
        self.header: dict[str, Any] = invoice["header"]
        body = invoice.get("body")
        self.body: list[Any] = body if isinstance(body, list) else []
        self.errors: list[dict[str, str]] = []

    def add(self, code: str, message: str) -> None:
        self.errors.append({"code": code, "message": message})

    def problems(self) -> list[dict[str, str]]:
        header = self.header
        missing = [
            label for name, label in _HEADER_REQUIRED.items() if header.get(name) in (None, "")
        ]
        for label in missing:
            self.add("0000100", f"فیلد «{label}» خالی است")
        taxid = str(header.get("taxid") or "")
        self.packet.taxid = taxid
        indatim = header.get("indatim")
        if taxid:
            problem = tax_id_problem(
                taxid, self.packet.fiscal_id, indatim if isinstance(indatim, int) else None
            )
            if problem:
                self.add("0300101", problem)
            elif self.fake._accepted.get(taxid):
                self.add("0300101", "شماره مالیاتی تکراری است")
        inno = header.get("inno")
        if inno not in (None, "") and not _INNO.fullmatch(str(inno)):
            self.add(
                "0100504",
                "در مقدار وارد شده در فیلد «سریال صورتحساب» "
                "الگو(^[a-fA-F0-9]{10}$) رعایت نشده است.",
            )
        if isinstance(indatim, int) and indatim > self.fake._now_ms() + _FUTURE_TOLERANCE_MS:
            self.add("0202", "تاریخ صدور صورتحساب از زمان جاری سامانه جلوتر است")
        for name, (allowed, label) in _ENUMS.items():
            value = header.get(name)
            if value is not None and value not in allowed:
                self.add("0400100", f"مقدار فیلد «{label}» مجاز نیست")
        if header.get("inty") == 1 and header.get("tob") is None:
            self.add("0000100", "فیلد «نوع شخص خریدار» خالی است")
        if header.get("inty") == 1 and not (header.get("bid") or header.get("tinb")):
            self.add("0000100", "شناسه یا شماره اقتصادی خریدار در صورتحساب نوع اول خالی است")
        tins = header.get("tins")
        if tins not in (None, "") and not _TINS.fullmatch(str(tins)):
            self.add("0100900", "شماره اقتصادی فروشنده باید ۱۱ یا ۱۴ رقم باشد")
        if header.get("setm") == 3 and (header.get("cap") is None or header.get("insp") is None):
            self.add("0002400", "در روش تسویه نقدی/نسیه، مبلغ نقدی و نسیه باید بیاید")
        ins = header.get("ins")
        if ins in (2, 3, 4):
            reference = header.get("irtaxid")
            if not reference or self.fake._accepted.get(reference) != self.packet.fiscal_id:
                self.add("0300601", "شماره مالیاتی صورتحساب مرجع در سامانه پیدا نشد")
        self._check_lines()
        return self.errors

    def _check_lines(self) -> None:
        if not self.body:
            self.add("0000200", "صورتحساب هیچ ردیف کالا/خدمتی ندارد")
            return
        totals = dict.fromkeys(("prdis", "dis", "adis", "vam", "other", "tsstam"), Decimal(0))
        complete = True
        for row, line in enumerate(self.body, start=1):
            if not isinstance(line, dict):
                self.add("0100000", f"ردیف {row} ساختار درستی ندارد")
                complete = False
                continue
            for name, label in _BODY_REQUIRED.items():
                if line.get(name) in (None, ""):
                    self.add("0000300", f"فیلد «{label}» در ردیف {row} خالی است")
                    complete = False
            sstid = line.get("sstid")
            if sstid not in (None, "") and not _SSTID.fullmatch(str(sstid)):
                self.add("0303301", f"شناسه کالا/خدمت ردیف {row} باید ۱۳ رقم باشد")
            mu = line.get("mu")
            if mu not in (None, "") and str(mu) not in UNITS:
                self.add("0103502", f"واحد اندازه‌گیری ردیف {row} مجاز نیست")
            numbers = {
                name: _number(line.get(name))
                for name in _BODY_REQUIRED
                if name not in ("sstid", "sstt", "mu")
            }
            for name in ("odam", "olam"):
                numbers[name] = (
                    _number(line.get(name)) if line.get(name) is not None else Decimal(0)
                )
            if any(value is None for value in numbers.values()):
                complete = False
                continue
            self._check_line_arithmetic(row, numbers)
            totals["prdis"] += numbers["prdis"]
            totals["dis"] += numbers["dis"]
            totals["adis"] += numbers["adis"]
            totals["vam"] += numbers["vam"]
            totals["other"] += numbers["odam"] + numbers["olam"]
            totals["tsstam"] += numbers["tsstam"]
        if complete:
            self._check_totals(totals)

    def _check_line_arithmetic(self, row: int, n: dict[str, Decimal]) -> None:
        # Whole rials. Truncation is the standard's rule as a digest quotes it [LOW];
        # half-up rounding is accepted too until a sandbox round trip says which.
        def matches(value: Decimal, exact: Decimal) -> bool:
            return value in (
                _rials(exact, rounding=ROUND_DOWN),
                _rials(exact, rounding=ROUND_HALF_UP),
            )

        if not matches(n["prdis"], n["am"] * n["fee"]):
            self.add(
                "0201300", f"خطای محاسباتی در «مبلغ قبل از تخفیف» ردیف {row} (مقدار × مبلغ واحد)"
            )
        if n["adis"] != n["prdis"] - n["dis"]:
            self.add("0201500", f"خطای محاسباتی در «مبلغ بعد از تخفیف» ردیف {row}")
        if not matches(n["vam"], n["adis"] * n["vra"] / 100):
            self.add("0201700", f"خطای محاسباتی در «مبلغ مالیات بر ارزش افزوده» ردیف {row}")
        if n["tsstam"] != n["adis"] + n["vam"] + n["odam"] + n["olam"]:
            self.add("0202900", f"خطای محاسباتی در «مبلغ کل کالا/خدمت» ردیف {row}")

    def _check_totals(self, totals: dict[str, Decimal]) -> None:
        for name, total, label in (
            ("tprdis", totals["prdis"], "مجموع مبلغ قبل از کسر تخفیف"),
            ("tdis", totals["dis"], "مجموع تخفیفات"),
            ("tadis", totals["adis"], "مجموع مبلغ پس از کسر تخفیف"),
            ("tvam", totals["vam"], "مجموع مالیات بر ارزش افزوده"),
            ("todam", totals["other"], "مجموع سایر مالیات، عوارض و وجوه قانونی"),
            ("tbill", totals["tsstam"], "مجموع صورتحساب"),
        ):
            value = _number(self.header.get(name))
            if value is not None and value != total:
                self.add("0204000", f"خطای محاسباتی در «{label}»")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m peyvand.tax.fake_moadian",
        description="Runs a fake Moadian (tax organisation e-invoice service) on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=0, help="0 (the default): a free port")
    parser.add_argument(
        "--memory-id", action="append", default=[], help="a memory id it serves (repeatable)"
    )
    parser.add_argument(
        "--certificate",
        action="append",
        default=[],
        help="a PEM certificate the memory ids may sign with (default: any)",
    )
    parser.add_argument(
        "--in-progress-inquiries",
        type=int,
        default=1,
        help="inquiries answered IN_PROGRESS before the verdict (default 1)",
    )
    args = parser.parse_args(argv)
    certificates = [Path(path).read_bytes() for path in args.certificate]
    fake = FakeMoadian(
        taxpayers=dict.fromkeys(args.memory_id, certificates),
        port=args.port,
        in_progress_inquiries=args.in_progress_inquiries,
    )
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
