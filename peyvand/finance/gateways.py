"""Online payment gateways behind one interface; ZarinPal's REST v4 for now.

A payment, whatever the gateway:

1. ``start(PaymentRequest)`` registers it with the gateway and returns the gateway's id
   for it (``authority``, which the caller stores beside the amount it asked for) and the
   address of the gateway's page to send the buyer's browser to.
2. The buyer pays or gives up there; the gateway sends the browser back to
   ``callback_url`` with a query string that ``parse_callback`` reads. The callback is
   only a hint: anyone can type that address.
3. ``verify(authority=…, amount=…)``, with the amount from our own database (never from
   the callback), settles it: only a verified payment is money received. Verifying again
   is safe (the gateway answers "already verified", ``Verified.already_verified``), so a
   verify whose answer was lost is simply repeated.

Every call has a timeout and reuses one pooled ``httpx.Client``; the caller closes the
gateway (or uses it as a context manager). Settings are read when ``get_payment_gateway()``
is called, never at import.

The merchant id is a secret. ZarinPal takes it in the JSON body, which httpx does not log,
but any log record on the "httpx", "httpcore" and "peyvand.payments" loggers that holds it
is masked all the same (a filter, whatever the loggers' levels), the gateway's own log
lines mask what the gateway echoes back, and no exception message ever carries it.

``finance.fake_zarinpal`` serves the same documented API on loopback for tests and demos.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from peyvand.core.secret_masking import mask_secrets, mask_secrets_in_logs, register_secret

__all__ = [
    "PAYMENT_GATEWAYS",
    "Callback",
    "PaymentGateway",
    "PaymentGatewayError",
    "PaymentRequest",
    "Started",
    "Verified",
    "ZarinPalGateway",
    "get_payment_gateway",
    "payment_gateway_class",
]

logger = logging.getLogger("peyvand.payments")


@dataclass(frozen=True)
class PaymentRequest:
    amount: int  # rials
    description: str
    callback_url: str
    order_id: str
    mobile: str = ""
    email: str = ""


@dataclass(frozen=True)
class Started:
    authority: str  # the gateway's id for the payment: store it with the amount
    redirect_url: str  # where the buyer's browser goes to pay


@dataclass(frozen=True)
class Verified:
    ref_id: str  # the gateway's reference number, for the buyer and the bank statement
    card_pan: str  # masked as the gateway gives it ("603799******5432"); may be ""
    already_verified: bool  # an earlier verify succeeded (ZarinPal's 101)
    fee: int | None  # the gateway's fee in rials, when it says


@dataclass(frozen=True)
class Callback:
    authority: str
    ok: bool  # the gateway says the buyer paid; verify decides


class PaymentGatewayError(Exception):
    """A gateway call that did not work.

    ``message`` is Persian, for users and managers; ``code`` is the gateway's code as a
    string ("-50") or ours ("timeout", "network", "http-502", "callback"); ``retryable``
    says whether the same call later can work without anyone changing anything.
    """

    def __init__(self, message: str, *, code: str, retryable: bool) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.retryable = retryable

    def __repr__(self) -> str:
        return (
            f"PaymentGatewayError({self.message!r}, code={self.code!r}, retryable={self.retryable})"
        )


mask_secrets_in_logs(logger.name)


# The interface ------------------------------------------------------------------------


class PaymentGateway:
    """What every online gateway implements (see the module's docstring)."""

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""  # Persian, marked with gettext_noop

    @classmethod
    def from_settings(cls) -> Self:
        """The gateway built from its settings, read now."""
        raise NotImplementedError

    def start(self, request: PaymentRequest) -> Started:
        raise NotImplementedError

    def verify(self, *, authority: str, amount: int) -> Verified:
        raise NotImplementedError

    def parse_callback(self, query: Mapping[str, str]) -> Callback:
        """Reads the query string the gateway sends the buyer back with; raises
        PaymentGatewayError (code "callback") when it names no payment."""
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@dataclass(frozen=True)
class _Problem:
    text: str  # Persian, marked for translation with gettext_noop
    retryable: bool


def _as_int(value: Any) -> int | None:
    """An integer from JSON that may spell it as a string ("100", "-9")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


# ZarinPal -----------------------------------------------------------------------------

# ZarinPal's error table (https://www.zarinpal.com/docs/paymentGateway/errorList, "لیست
# خطاها"; the codes from -18 on as transcribed identically by the SDKs that follow it,
# e.g. github.com/ZarinPal/zarinpal-php-sdk's users and the Java/Python/Rust clients).
# The wording here is ours. -9 covers every rejected field (merchant id missing,
# callback_url missing, description missing or over 500 characters, amount out of range:
# at least 1,000 rials). Retryable: -12 (too many attempts in a short time) and -52
# (ZarinPal's own unexpected failure); the rest need someone to change something, or
# are final answers about the payment. The wages (تسهیم) codes -30…-39 are left out:
# Peyvand does not split payments; an unlisted code still maps to a generic message.
_ZARINPAL_PROBLEMS: dict[int, _Problem] = {
    -9: _Problem(gettext_noop("درگاه اطلاعات درخواست پرداخت را نپذیرفت (خطای اعتبارسنجی)"), False),
    -10: _Problem(
        gettext_noop("مرچنت کد یا IP سرور را درگاه نپذیرفت؛ تنظیمات درگاه پرداخت را بررسی کنید"),
        False,
    ),
    -11: _Problem(
        gettext_noop("مرچنت کد فعال نیست؛ موضوع را با پشتیبانی زرین‌پال پیگیری کنید"), False
    ),
    -12: _Problem(gettext_noop("تعداد تلاش‌ها در زمانی کوتاه بیش از حد مجاز است"), True),
    -13: _Problem(gettext_noop("سقف تراکنش درگاه پر شده است؛ مدارک پذیرنده باید تکمیل شود"), False),
    -14: _Problem(gettext_noop("دامنهٔ آدرس بازگشت با دامنهٔ ثبت‌شدهٔ درگاه یکی نیست"), False),
    -15: _Problem(gettext_noop("درگاه پرداخت به حالت تعلیق درآمده است"), False),
    -16: _Problem(gettext_noop("سطح تأیید پذیرنده پایین‌تر از سطح نقره‌ای است"), False),
    -17: _Problem(gettext_noop("پذیرنده در سطح آبی محدود شده است"), False),
    -18: _Problem(gettext_noop("کد این درگاه برای دامنهٔ دیگری ثبت شده است"), False),
    -19: _Problem(gettext_noop("ایجاد تراکنش برای این درگاه ممنوع شده است"), False),
    -40: _Problem(gettext_noop("پارامترهای اضافی درخواست پرداخت نامعتبر است"), False),
    -41: _Problem(gettext_noop("مبلغ از سقف ۱۰۰ میلیون تومان بیشتر است"), False),
    -50: _Problem(gettext_noop("مبلغ پرداخت‌شده با مبلغ ثبت‌شدهٔ ما یکی نیست"), False),
    -51: _Problem(gettext_noop("پرداخت انجام نشده یا ناموفق بوده است"), False),
    -52: _Problem(gettext_noop("خطای پیش‌بینی‌نشده در درگاه پرداخت"), True),
    -53: _Problem(gettext_noop("این پرداخت متعلق به مرچنت کد ما نیست"), False),
    -54: _Problem(gettext_noop("شناسهٔ پرداخت (Authority) نامعتبر است"), False),
    -55: _Problem(gettext_noop("تراکنش پیدا نشد"), False),
}

_ZARINPAL_PAID = 100  # request: accepted; verify: verified now
_ZARINPAL_VERIFIED = 101  # verify: verified before
# "A" (or "S" on the sandbox) and 35 letters or digits: A00000000000000000000000000217885159.
_ZARINPAL_AUTHORITY = re.compile(r"[AS][0-9A-Za-z]{35}")


class ZarinPalGateway(PaymentGateway):
    """ZarinPal REST v4 (https://www.zarinpal.com/docs/paymentGateway/connectToGateway):
    JSON POSTs to ``{base}/pg/v4/payment/request.json`` and ``…/verify.json``, each
    answering ``{"data": {"code": 100, …}, "errors": []}`` or, on failure (usually with
    an HTTP 4xx), ``{"data": [], "errors": {"code": -9, "message", "validations"}}``;
    the buyer pays at ``{base}/pg/StartPay/{authority}``."""

    name = "zarinpal"
    label = gettext_noop("زرین‌پال")
    default_base_url = "https://payment.zarinpal.com"

    def __init__(self, *, merchant_id: str, base_url: str = "", timeout: float = 10.0) -> None:
        self._merchant_id = merchant_id
        register_secret(merchant_id)
        self._client = httpx.Client(
            base_url=(base_url or self.default_base_url).rstrip("/"),
            timeout=httpx.Timeout(timeout),
            headers={"Accept": "application/json"},
            event_hooks={"response": [self._log_response]},
        )

    @classmethod
    def from_settings(cls) -> Self:
        merchant_id = str(getattr(settings, "ZARINPAL_MERCHANT_ID", "") or "").strip()
        if not merchant_id:
            raise ImproperlyConfigured("PAYMENT_GATEWAY 'zarinpal' needs ZARINPAL_MERCHANT_ID.")
        return cls(
            merchant_id=merchant_id,
            base_url=str(getattr(settings, "ZARINPAL_BASE_URL", "") or ""),
            timeout=float(getattr(settings, "PAYMENT_TIMEOUT", 10.0) or 10.0),
        )

    @property
    def base_url(self) -> str:
        return str(self._client.base_url).rstrip("/")

    def close(self) -> None:
        self._client.close()

    def start(self, request: PaymentRequest) -> Started:
        metadata = {
            key: value
            for key, value in (
                ("order_id", request.order_id),
                ("mobile", request.mobile),
                ("email", request.email),
            )
            if value
        }
        body = {
            "merchant_id": self._merchant_id,
            "amount": request.amount,
            "currency": "IRR",
            "description": request.description,
            "callback_url": request.callback_url,
            "metadata": metadata,
        }
        data, response = self._call("/pg/v4/payment/request.json", body)
        authority = data.get("authority")
        if _as_int(data.get("code")) != _ZARINPAL_PAID or not isinstance(authority, str):
            raise self._unexpected(response)
        if not _ZARINPAL_AUTHORITY.fullmatch(authority):
            raise self._unexpected(response)
        return Started(authority=authority, redirect_url=f"{self.base_url}/pg/StartPay/{authority}")

    def verify(self, *, authority: str, amount: int) -> Verified:
        body = {"merchant_id": self._merchant_id, "amount": amount, "authority": authority}
        data, response = self._call("/pg/v4/payment/verify.json", body)
        code = _as_int(data.get("code"))
        ref_id = data.get("ref_id")
        if code not in (_ZARINPAL_PAID, _ZARINPAL_VERIFIED) or ref_id in (None, ""):
            raise self._unexpected(response)
        return Verified(
            ref_id=str(ref_id),
            card_pan=str(data.get("card_pan") or ""),
            already_verified=code == _ZARINPAL_VERIFIED,
            fee=_as_int(data.get("fee")),
        )

    def parse_callback(self, query: Mapping[str, str]) -> Callback:
        authority = str(query.get("Authority") or "").strip()
        if not _ZARINPAL_AUTHORITY.fullmatch(authority):
            raise PaymentGatewayError(
                _("پاسخ بازگشتی از درگاه %(label)s شناسهٔ پرداخت معتبری ندارد.")
                % {"label": _(self.label)},
                code="callback",
                retryable=False,
            )
        # Status is OK or NOK; anything else is not a payment the buyer made.
        return Callback(authority=authority, ok=str(query.get("Status") or "").strip() == "OK")

    # HTTP ------------------------------------------------------------------------------

    def _log_response(self, response: httpx.Response) -> None:
        request = response.request
        logger.debug(
            "%s %s %s -> HTTP %s",
            self.name,
            request.method,
            mask_secrets(str(request.url)),
            response.status_code,
        )

    def _call(self, path: str, body: dict[str, Any]) -> tuple[dict[str, Any], httpx.Response]:
        """POSTs ``body`` and returns the answer's ``data`` (and the answer), or raises
        PaymentGatewayError for ZarinPal's error envelope or anything unexpected."""
        try:
            response = self._client.post(path, json=body)
        except httpx.TimeoutException as exc:
            logger.warning("%s: no answer within the timeout (%s)", self.name, type(exc).__name__)
            raise PaymentGatewayError(
                _("درگاه پرداخت %(label)s در زمان مقرر پاسخ نداد.") % {"label": _(self.label)},
                code="timeout",
                retryable=True,
            ) from exc
        except httpx.RequestError as exc:
            logger.warning("%s: %s: %s", self.name, type(exc).__name__, mask_secrets(str(exc)))
            raise PaymentGatewayError(
                _("ارتباط با درگاه پرداخت %(label)s برقرار نشد.") % {"label": _(self.label)},
                code="network",
                retryable=True,
            ) from exc
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            raise self._unexpected(response)
        errors = payload.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            errors = errors[0]  # some answers wrap the error in a list
        if isinstance(errors, dict) and errors:
            raise self._error(path, errors, response)
        data = payload.get("data")
        if not response.is_success or not isinstance(data, dict):
            raise self._unexpected(response)
        return data, response

    def _unexpected(self, response: httpx.Response) -> PaymentGatewayError:
        """An answer that is not ZarinPal's documented JSON (a proxy's error page, a
        half-deployed service). Retryable when the service says it is in trouble:
        starting again makes a new payment, and verifying again is harmless."""
        status = response.status_code
        logger.warning("%s: unexpected answer, HTTP %s", self.name, status)
        return PaymentGatewayError(
            _("پاسخ نامفهوم از درگاه پرداخت %(label)s (HTTP %(status)s).")
            % {"label": _(self.label), "status": status},
            code=f"http-{status}",
            retryable=status >= 500 or status in (408, 429) or response.is_success,
        )

    def _error(
        self, path: str, errors: dict[str, Any], response: httpx.Response
    ) -> PaymentGatewayError:
        code = _as_int(errors.get("code"))
        if code is None:
            return self._unexpected(response)
        # ZarinPal's English message and its validation details say which field was
        # refused: worth a log line, masked, since a validation message may quote the
        # merchant id it refused.
        details = json.dumps(
            {"message": errors.get("message"), "validations": errors.get("validations")},
            ensure_ascii=False,
        )
        logger.warning(
            "%s %s: code %s (HTTP %s): %s",
            self.name,
            path,
            code,
            response.status_code,
            mask_secrets(details),
        )
        problem = _ZARINPAL_PROBLEMS.get(code)
        if problem is None:
            return PaymentGatewayError(
                _("خطای ناشناخته از درگاه پرداخت %(label)s (کد %(code)s).")
                % {"label": _(self.label), "code": code},
                code=str(code),
                retryable=response.status_code >= 500 or response.status_code == 429,
            )
        return PaymentGatewayError(
            _("%(problem)s (%(label)s، کد %(code)s)")
            % {"problem": _(problem.text), "label": _(self.label), "code": code},
            code=str(code),
            retryable=problem.retryable,
        )


# Settings -----------------------------------------------------------------------------

# Every online gateway by its PAYMENT_GATEWAY name (also what a payment records).
PAYMENT_GATEWAYS: dict[str, type[PaymentGateway]] = {ZarinPalGateway.name: ZarinPalGateway}


def payment_gateway_class() -> type[PaymentGateway]:
    """The gateway class the settings name (its name and label, without a client)."""
    name = str(getattr(settings, "PAYMENT_GATEWAY", "zarinpal") or "zarinpal").strip().lower()
    if name not in PAYMENT_GATEWAYS:
        choices = ", ".join(PAYMENT_GATEWAYS)
        raise ImproperlyConfigured(f"PAYMENT_GATEWAY {name!r} is unknown; use one of: {choices}.")
    return PAYMENT_GATEWAYS[name]


def get_payment_gateway() -> PaymentGateway:
    """The gateway the settings name, built anew (settings are read now, not at import).
    The caller closes it."""
    return payment_gateway_class().from_settings()
