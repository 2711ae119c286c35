"""A client of the tax organisation's e-invoice service («سامانه مودیان»), API v2.

What the calls look like (docs/moadian-research.md §2–§3, from the official Java SDK):

- ``GET nonce`` (no authentication) → ``{"nonce", "expDate"}``.
- Every other call carries ``Authorization: Bearer <JWS>``, a JWS of
  ``{"nonce", "clientId": <memory id>}`` made with a fresh nonce for each call (nonces are
  single use). JWS: RS256, protected header ``alg``, ``x5c`` (the taxpayer's certificate,
  standard base64 DER), ``sigT`` (signing time, UTC) and ``crit: ["sigT"]``.
- ``GET server-information`` → the organisation's RSA public keys (base64 DER SPKI) with
  their ids. One is cached for at most an hour (``SERVER_KEY_MAX_AGE``), as the SDK does.
- ``POST invoice``: each invoice's JSON is signed (the JWS above) and the JWS is
  encrypted (JWE, RSA-OAEP-256 + A256GCM, ``kid`` = the server key's id), sent as
  ``[{"payload": JWE, "header": {"requestTraceId": uuid4, "fiscalId": memory id}}]``.
  The answer only says "queued": a ``uid`` (our requestTraceId) and a ``referenceNumber``.
- ``GET inquiry-by-uid`` / ``inquiry-by-reference-id``: the verdict later: SUCCESS,
  FAILED (with the organisation's errors, in Persian), IN_PROGRESS, NOT_FOUND, TIMEOUT.

JOSE is joserfc's; the fake Moadian (``tax.fake_moadian``) checks and decrypts with
``cryptography`` directly, so that one library's mistake cannot pass on both sides.

The private key is a secret: its PEM (and its base64 body) is registered with
``core.secret_masking`` when a client is built, the module's logger and the HTTP
client's loggers are filtered, and no exception message or repr carries it. A key that
does not belong to the certificate is refused when the client is built, before anything
is sent. The credentials come from the settings page's row (``get_moadian_client()``),
read when a client is built, never at import.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Self

import httpx
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from joserfc import jwe, jws
from joserfc.jwk import RSAKey
from joserfc.registry import HeaderParameter

from peyvand.core.secret_masking import mask_secrets, mask_secrets_in_logs, register_secret
from peyvand.tax.taxid import TaxIdError, normalize_memory_id

__all__ = [
    "MAX_INVOICES_PER_SEND",
    "PRODUCTION_BASE_URL",
    "SANDBOX_BASE_URL",
    "SERVER_KEY_MAX_AGE",
    "Credentials",
    "InquiryResult",
    "MoadianClient",
    "MoadianError",
    "Nonce",
    "Problem",
    "SendResult",
    "ServerKey",
    "get_moadian_client",
    "invoice_json",
]

logger = logging.getLogger("peyvand.tax.moadian")
mask_secrets_in_logs(logger.name)

PRODUCTION_BASE_URL = "https://tp.tax.gov.ir/requestsmanager/api/v2/"
SANDBOX_BASE_URL = "https://sandboxrc.tax.gov.ir/requestsmanager/api/v2/"  # [MED] in the note
SERVER_KEY_MAX_AGE = timedelta(hours=1)
MAX_INVOICES_PER_SEND = 1000  # the service's own limit (error 4143)

# Inquiry states (§2.5). SUCCESS only means "accepted into کارپوشه": the buyer may still
# reject it there.
SUCCESS, FAILED, IN_PROGRESS, NOT_FOUND, TIMEOUT = (
    "SUCCESS",
    "FAILED",
    "IN_PROGRESS",
    "NOT_FOUND",
    "TIMEOUT",
)

_SIGT_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_JWS_ALGORITHMS = ["RS256"]
_JWE_ALGORITHMS = ["RSA-OAEP-256", "A256GCM"]
_PEM_BODY = re.compile(r"-----BEGIN [A-Z ]+-----(.*?)-----END [A-Z ]+-----", re.DOTALL)


class MoadianError(Exception):
    """A call to the tax organisation's service that did not work.

    ``message`` is Persian, for users and managers; ``code`` is the service's code as a
    string ("4145", "0100504") or ours ("timeout", "network", "http-502", "credentials",
    "answer"); ``retryable`` says whether the same call later can work without anyone
    changing anything; ``maybe_sent`` that invoices may have been taken all the same (the
    answer was lost or garbled after the request went out): inquire before sending again.
    ``problems`` holds the service's own error list when it gave one.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        retryable: bool,
        maybe_sent: bool = False,
        problems: Sequence[Problem] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.retryable = retryable
        self.maybe_sent = maybe_sent
        self.problems = tuple(problems)

    def __repr__(self) -> str:
        return (
            f"MoadianError({self.message!r}, code={self.code!r}, retryable={self.retryable}, "
            f"maybe_sent={self.maybe_sent})"
        )


@dataclass(frozen=True)
class Problem:
    """One error or warning of the service: its code and its (Persian) message."""

    code: str
    message: str
    kind: str = "ERROR"  # ERROR or WARNING


@dataclass(frozen=True)
class Nonce:
    nonce: str
    expires: datetime | None


@dataclass(frozen=True)
class ServerKey:
    id: str
    public_key: rsa.RSAPublicKey
    fetched_at: datetime


@dataclass(frozen=True)
class SendResult:
    """One invoice the service queued: look its verdict up by ``uid`` (our
    requestTraceId) or ``reference_number``."""

    uid: str
    reference_number: str
    tax_id: str


@dataclass(frozen=True)
class InquiryResult:
    uid: str
    reference_number: str
    status: str  # SUCCESS, FAILED, IN_PROGRESS, NOT_FOUND, TIMEOUT (kept as sent)
    errors: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def accepted(self) -> bool:
        return self.status == SUCCESS

    @property
    def rejected(self) -> bool:
        return self.status == FAILED

    @property
    def pending(self) -> bool:
        return self.status == IN_PROGRESS


# Credentials --------------------------------------------------------------------------


def _credentials_error(message: str) -> MoadianError:
    return MoadianError(message, code="credentials", retryable=False)


def _register_pem(pem: str) -> None:
    """The key in every shape a log line could show it: the PEM, its base64 body in one
    piece, and each of its lines."""
    register_secret(pem)
    register_secret(pem.strip())
    for body in _PEM_BODY.findall(pem):
        lines = [line.strip() for line in body.splitlines() if line.strip()]
        register_secret("".join(lines))
        for line in lines:
            # A PEM's last line can be a few characters ("Zg=="): masking those would
            # garble unrelated log text and protect nothing.
            if len(line) >= 32:
                register_secret(line)


@dataclass(frozen=True, repr=False)
class Credentials:
    """The taxpayer's side: the fiscal memory id (the service's client id and fiscalId),
    the signing key and its certificate."""

    memory_id: str
    private_key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    def __repr__(self) -> str:
        return f"Credentials(memory_id={self.memory_id!r})"

    @classmethod
    def from_pem(
        cls,
        *,
        memory_id: str,
        private_key_pem: str | bytes,
        certificate_pem: str | bytes,
        password: str | bytes | None = None,
    ) -> Self:
        """Reads the PEMs; MoadianError ("credentials", Persian) when the memory id is
        not one, either PEM cannot be read, the key is not RSA, or the key is not the
        certificate's."""
        key_text = (
            private_key_pem.decode() if isinstance(private_key_pem, bytes) else private_key_pem
        )
        _register_pem(key_text)
        try:
            memory_id = normalize_memory_id(memory_id)
        except TaxIdError as exc:
            raise _credentials_error(exc.message) from None
        if isinstance(password, str):
            register_secret(password)
            password = password.encode()
        elif password:
            register_secret(password.decode(errors="replace"))
        try:
            private_key = serialization.load_pem_private_key(key_text.encode(), password=password)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            # Never chain: the loader's message may quote the key.
            raise _credentials_error(
                _("کلید خصوصی امضای سامانه مودیان خوانده نشد (PEM معتبر یا رمز درست نیست).")
            ) from None
        cert_bytes = (
            certificate_pem.encode() if isinstance(certificate_pem, str) else certificate_pem
        )
        try:
            certificate = x509.load_pem_x509_certificate(cert_bytes)
        except ValueError:
            raise _credentials_error(
                _("گواهی امضای سامانه مودیان خوانده نشد (PEM معتبر نیست).")
            ) from None
        if not isinstance(private_key, rsa.RSAPrivateKey):
            raise _credentials_error(_("کلید خصوصی امضای سامانه مودیان باید از نوع RSA باشد."))
        certified = certificate.public_key()
        if (
            not isinstance(certified, rsa.RSAPublicKey)
            or certified.public_numbers() != private_key.public_key().public_numbers()
        ):
            raise _credentials_error(
                _(
                    "کلید خصوصی با گواهی امضای سامانه مودیان جور نیست؛ کلیدی را بگذارید "
                    "که گواهی برای آن صادر شده است."
                )
            )
        return cls(memory_id=memory_id, private_key=private_key, certificate=certificate)

    def check_valid_at(self, moment: datetime) -> None:
        """MoadianError when the certificate has expired or is not valid yet: the service
        would refuse every signature, so nothing is sent."""
        if moment < self.certificate.not_valid_before_utc:
            raise _credentials_error(_("گواهی امضای سامانه مودیان هنوز معتبر نشده است."))
        if moment > self.certificate.not_valid_after_utc:
            raise _credentials_error(
                _("گواهی امضای سامانه مودیان منقضی شده است؛ گواهی تازه را بگذارید.")
            )

    @property
    def x5c(self) -> str:
        """The certificate as the ``x5c`` header wants it: standard base64 (with +/=) of
        its DER, not base64url."""
        return base64.b64encode(self.certificate.public_bytes(serialization.Encoding.DER)).decode()


# JOSE ---------------------------------------------------------------------------------


def _jws_registry() -> jws.JWSRegistry:
    registry = jws.JWSRegistry(
        header_registry={"sigT": HeaderParameter("signing time", "str", True)},
        algorithms=_JWS_ALGORITHMS,
    )
    # joserfc refuses protected headers over 512 bytes by default; x5c alone is 1–3 KB.
    registry.max_header_length = 16_384
    return registry


def _to_json_number(value: Any) -> Any:
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        as_float = float(value)
        if Decimal(repr(as_float)) != value:
            raise TypeError(f"{value} cannot be sent as a JSON number exactly")
        return as_float
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _without_nulls(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [_without_nulls(item) for item in value]
    return value


def invoice_json(invoice: Mapping[str, Any]) -> str:
    """The invoice as the bytes that are signed and sent: compact JSON, Persian as UTF-8,
    null fields left out (one stable choice; the service takes both), Decimal amounts as
    exact numbers."""
    return json.dumps(
        _without_nulls(invoice),
        ensure_ascii=False,
        separators=(",", ":"),
        default=_to_json_number,
    )


# The client ---------------------------------------------------------------------------


def _utc_now() -> datetime:
    return datetime.now(UTC)


class MoadianClient:
    """Talks to one Moadian service as one taxpayer (see the module docstring). Reuses one
    pooled ``httpx.Client``; close it, or use the client as a context manager."""

    label = "سامانه مودیان"

    def __init__(
        self,
        *,
        memory_id: str,
        private_key_pem: str | bytes,
        certificate_pem: str | bytes,
        private_key_password: str | bytes | None = None,
        base_url: str = PRODUCTION_BASE_URL,
        timeout: float = 20.0,
        clock: Callable[[], datetime] = _utc_now,
        new_trace_id: Callable[[], str] | None = None,
    ) -> None:
        self.credentials = Credentials.from_pem(
            memory_id=memory_id,
            private_key_pem=private_key_pem,
            certificate_pem=certificate_pem,
            password=private_key_password,
        )
        self._clock = clock
        self.credentials.check_valid_at(clock())
        self._signing_key = RSAKey.import_key(
            self.credentials.private_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        self._new_trace_id = new_trace_id or (lambda: str(uuid.uuid4()))
        self._client = httpx.Client(
            base_url=base_url or PRODUCTION_BASE_URL,
            timeout=httpx.Timeout(timeout),
            headers={"Accept": "application/json"},
            event_hooks={"response": [self._log_response]},
        )

    def __repr__(self) -> str:
        return f"MoadianClient(memory_id={self.memory_id!r}, base_url={self.base_url!r})"

    @property
    def memory_id(self) -> str:
        return self.credentials.memory_id

    @property
    def base_url(self) -> str:
        return str(self._client.base_url)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Signing and encryption ------------------------------------------------------------

    def sign(self, payload: str) -> str:
        """A compact JWS of ``payload`` (RS256, x5c, sigT, crit) with our key; sigT is
        now, fresh for every signature."""
        now = self._clock()
        self.credentials.check_valid_at(now)
        header = {
            "alg": "RS256",
            "x5c": [self.credentials.x5c],
            "sigT": now.astimezone(UTC).strftime(_SIGT_FORMAT),
            "crit": ["sigT"],
        }
        return jws.serialize_compact(
            header, payload, self._signing_key, algorithms=_JWS_ALGORITHMS, registry=_jws_registry()
        )

    @staticmethod
    def encrypt(plaintext: str, key: ServerKey) -> str:
        """A compact JWE of ``plaintext`` for the service's key (RSA-OAEP-256 + A256GCM)."""
        public = RSAKey.import_key(
            key.public_key.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        header = {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": key.id}
        return jwe.encrypt_compact(
            header,
            plaintext,
            public,
            algorithms=_JWE_ALGORITHMS,
            registry=jwe.JWERegistry(algorithms=_JWE_ALGORITHMS),
        )

    def token(self, nonce: Nonce) -> str:
        """The bearer token for one call."""
        payload = json.dumps({"nonce": nonce.nonce, "clientId": self.memory_id})
        return self.sign(payload)

    # The calls -------------------------------------------------------------------------

    def get_nonce(self, time_to_live: int | None = None) -> Nonce:
        params = {"timeToLive": time_to_live} if time_to_live is not None else None
        data = self._call("GET", "nonce", params=params, authenticated=False)
        nonce = data.get("nonce") if isinstance(data, dict) else None
        if not isinstance(nonce, str) or not nonce:
            raise self._answer_error("nonce")
        return Nonce(nonce=nonce, expires=_parse_instant(data.get("expDate")))

    def server_information(self) -> tuple[int | None, list[ServerKey]]:
        """The service's clock (ms) and its public keys, fetched now (not cached)."""
        data = self._call("GET", "server-information")
        keys_data = data.get("publicKeys") if isinstance(data, dict) else None
        if not isinstance(keys_data, list):
            raise self._answer_error("server-information")
        now = self._clock()
        keys = []
        for item in keys_data:
            if not isinstance(item, dict):
                continue
            try:
                public = serialization.load_der_public_key(base64.b64decode(item["key"]))
            except (KeyError, TypeError, ValueError, UnsupportedAlgorithm):
                continue
            if isinstance(public, rsa.RSAPublicKey) and isinstance(item.get("id"), str):
                keys.append(ServerKey(id=item["id"], public_key=public, fetched_at=now))
        if not keys:
            raise self._answer_error("server-information")
        server_time = data.get("serverTime")
        return (server_time if isinstance(server_time, int) else None), keys

    def encryption_key(self) -> ServerKey:
        """The service key invoices are encrypted for, from the cache while it is younger
        than an hour (the official SDK's rule), else fetched."""
        cached = cache.get(self._key_cache_key)
        if cached is not None:
            fetched_at = datetime.fromisoformat(cached["fetched_at"])
            age = self._clock() - fetched_at
            if timedelta(0) <= age < SERVER_KEY_MAX_AGE:
                public = serialization.load_der_public_key(base64.b64decode(cached["key"]))
                assert isinstance(public, rsa.RSAPublicKey)  # noqa: S101 -- only RSA keys are cached
                return ServerKey(id=cached["id"], public_key=public, fetched_at=fetched_at)
        _, keys = self.server_information()
        key = keys[0]
        der = key.public_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        cache.set(
            self._key_cache_key,
            {
                "id": key.id,
                "key": base64.b64encode(der).decode(),
                "fetched_at": key.fetched_at.isoformat(),
            },
            timeout=int(SERVER_KEY_MAX_AGE.total_seconds()),
        )
        return key

    def forget_encryption_key(self) -> None:
        cache.delete(self._key_cache_key)

    @property
    def _key_cache_key(self) -> str:
        return f"tax:moadian:server-key:{self.base_url}"

    def packet(
        self, invoice: Mapping[str, Any], key: ServerKey, trace_id: str | None = None
    ) -> dict[str, Any]:
        """One invoice as the service takes it: signed, encrypted, with ``trace_id`` (a
        new one when not given) as its requestTraceId."""
        payload = self.encrypt(self.sign(invoice_json(invoice)), key)
        return {
            "payload": payload,
            "header": {
                "requestTraceId": trace_id or self._new_trace_id(),
                "fiscalId": self.memory_id,
            },
        }

    def send_invoices(
        self,
        invoices: Sequence[Mapping[str, Any]],
        *,
        trace_ids: Sequence[str] | None = None,
    ) -> list[SendResult]:
        """Signs, encrypts and sends ``invoices`` (at most 1000); returns what the service
        queued, in the invoices' order. The verdicts come later, from ``inquire_by_uid``.
        A MoadianError with ``maybe_sent`` means the service may hold them already.
        ``trace_ids``: the requestTraceIds (the uids) to send them under, chosen and
        recorded by the caller before the call, so that a lost answer can be asked about."""
        if trace_ids is not None and len(trace_ids) != len(invoices):
            raise ValueError("one trace id per invoice")
        if not invoices:
            return []
        if len(invoices) > MAX_INVOICES_PER_SEND:
            raise MoadianError(
                _("در هر ارسال به سامانه مودیان حداکثر ۱۰۰۰ صورتحساب فرستاده می‌شود."),
                code="too-many",
                retryable=False,
            )
        key = self.encryption_key()
        packets = [
            self.packet(invoice, key, trace_ids[index] if trace_ids is not None else None)
            for index, invoice in enumerate(invoices)
        ]
        try:
            data = self._call("POST", "invoice", json_body=packets)
        except MoadianError as exc:
            # A rotated key is one reason a send is refused; the next try fetches anew.
            if not exc.retryable or exc.maybe_sent:
                self.forget_encryption_key()
            raise
        results = data.get("result") if isinstance(data, dict) else None
        by_uid = {}
        if isinstance(results, list):
            by_uid = {
                item.get("uid"): item
                for item in results
                if isinstance(item, dict) and isinstance(item.get("referenceNumber"), str)
            }
        sent = []
        for invoice, packet in zip(invoices, packets, strict=True):
            item = by_uid.get(packet["header"]["requestTraceId"])
            if item is None:
                raise self._answer_error("invoice", maybe_sent=True)
            header = invoice.get("header") or {}
            sent.append(
                SendResult(
                    uid=item["uid"],
                    reference_number=item["referenceNumber"],
                    tax_id=str(header.get("taxid") or ""),
                )
            )
        return sent

    def inquire_by_uid(
        self,
        uids: Iterable[str],
        *,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[InquiryResult]:
        params: list[tuple[str, str]] = [("uidList", uid) for uid in uids]
        params.append(("fiscalId", self.memory_id))
        return self._inquire("inquiry-by-uid", params, start, end)

    def inquire_by_reference(
        self,
        reference_numbers: Iterable[str],
        *,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[InquiryResult]:
        params = [("referenceIds", reference) for reference in reference_numbers]
        return self._inquire("inquiry-by-reference-id", params, start, end)

    def _inquire(
        self,
        path: str,
        params: list[tuple[str, str]],
        start: datetime | None,
        end: datetime | None,
    ) -> list[InquiryResult]:
        # ISO-8601 with the offset, as the service's examples write it.
        if start is not None:
            params.append(("start", start.isoformat(timespec="seconds")))
        if end is not None:
            params.append(("end", end.isoformat(timespec="seconds")))
        data = self._call("GET", path, params=params)
        if not isinstance(data, list):
            raise self._answer_error(path)
        return [_inquiry_result(item) for item in data if isinstance(item, dict)]

    # HTTP ------------------------------------------------------------------------------

    def _log_response(self, response: httpx.Response) -> None:
        request = response.request
        logger.debug(
            "moadian %s %s -> HTTP %s",
            request.method,
            mask_secrets(str(request.url)),
            response.status_code,
        )

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json_body: Any = None,
        authenticated: bool = True,
    ) -> Any:
        """The answer's JSON, or MoadianError. An authenticated call that is refused as
        unauthenticated (401) is tried once more with a new nonce: nonces are single use
        and short-lived."""
        attempts = 2 if authenticated else 1
        for attempt in range(attempts):
            headers = {}
            if authenticated:
                headers["Authorization"] = f"Bearer {self.token(self.get_nonce())}"
            response = self._send(method, path, params=params, json_body=json_body, headers=headers)
            if response.status_code == 401 and attempt + 1 < attempts:
                logger.info("moadian %s: refused as unauthenticated; once more", path)
                continue
            return self._read(method, path, response)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Any,
        json_body: Any,
        headers: dict[str, str],
    ) -> httpx.Response:
        posting = method == "POST"
        content = None
        if json_body is not None:
            content = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json; charset=utf-8"
        try:
            return self._client.request(
                method, path, params=params, content=content, headers=headers
            )
        except httpx.TimeoutException as exc:
            logger.warning(
                "moadian %s: no answer within the timeout (%s)", path, type(exc).__name__
            )
            raise MoadianError(
                _("سامانه مودیان در زمان مقرر پاسخ نداد."),
                code="timeout",
                retryable=True,
                # A connect timeout sent nothing; a read timeout may have.
                maybe_sent=posting and not isinstance(exc, httpx.ConnectTimeout),
            ) from exc
        except httpx.RequestError as exc:
            logger.warning("moadian %s: %s: %s", path, type(exc).__name__, mask_secrets(str(exc)))
            raise MoadianError(
                _("ارتباط با سامانه مودیان برقرار نشد."),
                code="network",
                retryable=True,
                maybe_sent=posting and not isinstance(exc, httpx.ConnectError),
            ) from exc

    def _read(self, method: str, path: str, response: httpx.Response) -> Any:
        try:
            data = response.json()
        except ValueError:
            data = None
        status = response.status_code
        if isinstance(data, dict) and isinstance(data.get("errors"), list) and data["errors"]:
            problems = _problems(data["errors"])
            if problems:
                raise self._service_error(path, status, problems)
        if not response.is_success or data is None:
            logger.warning("moadian %s: unexpected answer, HTTP %s", path, status)
            return self._raise_unexpected(method, status)
        return data

    def _service_error(self, path: str, status: int, problems: list[Problem]) -> MoadianError:
        logger.warning(
            "moadian %s: HTTP %s: %s",
            path,
            status,
            mask_secrets("; ".join(f"{p.code} {p.message}" for p in problems)),
        )
        reasons = "؛ ".join(p.message for p in problems)
        if status == 401:
            message = _("سامانه مودیان امضا یا گواهی ما را نپذیرفت: %(reasons)s (کد %(code)s)")
        else:
            message = _("سامانه مودیان درخواست را نپذیرفت: %(reasons)s (کد %(code)s)")
        return MoadianError(
            message % {"reasons": reasons, "code": problems[0].code},
            code=problems[0].code,
            retryable=status >= 500 or status in (408, 429),
            problems=problems,
        )

    def _raise_unexpected(self, method: str, status: int) -> Any:
        """An answer that is not the service's JSON (a proxy's error page, a half-deployed
        service). A GET can simply be repeated; a POST may have been taken (a 2xx, or a
        5xx from a proxy after the service took it), so it is retryable after an inquiry."""
        posting = method == "POST"
        raise MoadianError(
            _("پاسخ نامفهوم از سامانه مودیان (HTTP %(status)s).") % {"status": status},
            code=f"http-{status}",
            retryable=status >= 500 or status in (408, 429) or 200 <= status < 300,
            maybe_sent=posting and (status >= 500 or 200 <= status < 300),
        )

    def _answer_error(self, what: str, *, maybe_sent: bool = False) -> MoadianError:
        logger.warning("moadian %s: the answer lacks what it should hold", what)
        return MoadianError(
            _("پاسخ سامانه مودیان کامل نیست یا شکل درستی ندارد."),
            code="answer",
            retryable=True,
            maybe_sent=maybe_sent,
        )


def _problems(items: Iterable[Any]) -> list[Problem]:
    problems = []
    for item in items:
        if isinstance(item, dict) and (item.get("code") or item.get("message")):
            problems.append(
                Problem(
                    code=str(item.get("code") or ""),
                    message=str(item.get("message") or ""),
                    kind=str(item.get("errorType") or "ERROR"),
                )
            )
    return problems


def _inquiry_result(item: Mapping[str, Any]) -> InquiryResult:
    data = item.get("data") if isinstance(item.get("data"), dict) else {}
    errors = data.get("error") if isinstance(data.get("error"), list) else []
    warnings = data.get("warning") if isinstance(data.get("warning"), list) else []
    return InquiryResult(
        uid=str(item.get("uid") or ""),
        reference_number=str(item.get("referenceNumber") or ""),
        status=str(item.get("status") or ""),
        errors=tuple(_problems(errors)),
        warnings=tuple(Problem(p.code, p.message, "WARNING") for p in _problems(warnings)),
        raw=item,
    )


def _parse_instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def get_moadian_client() -> MoadianClient:
    """The client the Moadian settings page describes (tax.MoadianSettings, the one way
    to configure it), built anew; the caller closes it. MoadianError ("credentials",
    Persian) when the settings are incomplete or the key and certificate do not do."""
    from peyvand.tax.models import MoadianSettings

    row = MoadianSettings.load()
    if not row.configured:
        raise _credentials_error(
            _("تنظیمات سامانه مودیان کامل نیست (شناسه حافظه، کلید خصوصی، گواهی و نشانی سامانه).")
        )
    return MoadianClient(
        memory_id=row.memory_id,
        private_key_pem=row.private_key,
        certificate_pem=row.certificate,
        private_key_password=row.private_key_password or None,
        base_url=row.base_url,
        timeout=float(getattr(settings, "MOADIAN_TIMEOUT", 20.0) or 20.0),
    )
