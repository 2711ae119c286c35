"""SMS gateways behind one interface: a console backend for development and demos, and
Kavenegar and SMS.ir over their HTTP APIs.

The outbox worker builds one gateway with ``get_sms_gateway()``, sends through it, and
closes it. A gateway holds one pooled ``httpx.Client`` (the worker sends hundreds of
messages a second, so connections are reused) with the configured timeout: the providers'
own SDKs either have no timeout or hide it.

Provider facts and where they come from are noted beside each table; see also
``messaging.fake_providers``, which serves the same documented API on loopback for tests.

The API key must never reach a log line or an exception message unmasked. Kavenegar puts it
in the URL path, and httpx logs every request URL on the "httpx" logger, so this module
masks the keys in use on that logger's records (whatever its level) and logs its own
request lines with the key masked.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Self
from urllib.parse import quote

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from peyvand.core.secret_masking import mask_secrets, mask_secrets_in_logs, register_secret

__all__ = [
    "ConsoleGateway",
    "Delivery",
    "GatewayError",
    "Incoming",
    "KavenegarGateway",
    "Outgoing",
    "Sent",
    "SmsGateway",
    "SmsIrGateway",
    "get_sms_gateway",
]

logger = logging.getLogger("peyvand.sms")


class Delivery(StrEnum):
    """What a provider says about one message, in our terms."""

    SENT = "sent"  # accepted by the provider / on its way to the operator
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"  # failed, blocked, cancelled, expired at the operator
    UNKNOWN = "unknown"  # the provider does not know the id (yet)


@dataclass(frozen=True)
class Sent:
    provider_id: str  # the provider's message id ("" for the console backend)
    delivery: Delivery  # normally Delivery.SENT
    cost: int | None = None


@dataclass(frozen=True)
class Outgoing:
    """One message of an array send."""

    to: str
    body: str
    sender: str
    local_id: str
    secret: bool = False


@dataclass(frozen=True)
class Incoming:
    """One SMS a customer sent to one of our lines, as the provider reports it."""

    provider_id: str  # the provider's id of the received message: what makes it one
    sender: str  # the customer's number as the provider spells it
    line: str  # our line that received it
    text: str
    received_at: datetime


class GatewayError(Exception):
    """A send or a status lookup that did not work.

    ``message`` is Persian, for users and managers; ``code`` is the provider's code as a
    string ("418", "10") or ours ("timeout", "network", "http-502"); ``retryable`` says
    whether trying again later can work without anyone changing anything; ``maybe_sent``
    that the provider may have taken the message all the same (the answer was lost or
    garbled after the request went out), so that only an idempotent resend is safe.
    """

    def __init__(
        self, message: str, *, code: str, retryable: bool, maybe_sent: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.retryable = retryable
        self.maybe_sent = maybe_sent

    def __repr__(self) -> str:
        return f"GatewayError({self.message!r}, code={self.code!r}, retryable={self.retryable})"


mask_secrets_in_logs()


class SmsGateway:
    """The interface every backend implements.

    ``idempotent``: sending again with the same ``local_id`` can never send twice, so a
    worker that died between the provider's answer and recording it may resend.
    ``template_idempotent`` says the same of ``send_template``, which is not always so.
    ``secret``: the text (or tokens) is for the recipient alone (a sign-in code): a
    backend may hand it to its provider, never to a log.
    """

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    # What a manager reads about it: where the messages go, in plain words.
    description: ClassVar[str] = ""
    idempotent: ClassVar[bool] = False
    template_idempotent: ClassVar[bool] = False
    # How many messages one send_array call takes; 1: the provider has no such call and
    # the outbox sends (and records) one message at a time.
    array_size: ClassVar[int] = 1
    # Whether ``receive`` asks the provider for the SMS sent to our line.
    receives: ClassVar[bool] = False
    # How far back the provider answers ``sent_local_ids`` for plain sends (None: it
    # cannot be asked). Such a gateway need not trust its own repeat-dropping: before
    # sending again what may have reached it, the outbox asks.
    local_id_lookup: ClassVar[timedelta | None] = None

    def send(self, *, to: str, body: str, sender: str, local_id: str, secret: bool = False) -> Sent:
        raise NotImplementedError

    def send_array(self, messages: list[Outgoing]) -> list[Sent | GatewayError]:
        """Sends several messages (each its own text and recipient) in as few calls as
        the provider allows; one outcome per message, in order. Only called when
        ``array_size`` > 1."""
        raise NotImplementedError

    def send_template(
        self, *, to: str, template: str, tokens: list[str], local_id: str, secret: bool = False
    ) -> Sent:
        raise NotImplementedError

    def status(self, provider_ids: list[str]) -> dict[str, Delivery]:
        raise NotImplementedError

    def sent_local_ids(self, local_ids: list[str]) -> dict[str, Sent]:
        """The messages the provider holds under these local ids (plain sends), by local
        id; one it does not know is missing. Raises GatewayError when it cannot say."""
        raise NotImplementedError

    def receive(self) -> list[Incoming]:
        """The SMS customers sent to our line since the last call, oldest first: each
        is handed over once (both providers mark what they answer as read), so the
        caller records them before asking again. Nothing for a backend that receives
        nothing (``receives`` False)."""
        return []

    def received_before(self) -> list[Incoming]:
        """What the provider still holds of the SMS it handed over already (Kavenegar's
        read ones, SMS.ir's archive of the last two days): a catch-up for any a worker
        took and died before recording. The caller records only those it lacks."""
        return []

    def check(self) -> str:
        """«آزمایش اتصال»: what the provider says of our account, in Persian; GatewayError
        (in Persian) when it refuses the key or cannot be reached."""
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# Console -----------------------------------------------------------------------------

_CONSOLE_ID = re.compile(r"console-\d+")
_console_file_lock = threading.Lock()


class ConsoleGateway(SmsGateway):
    """Sends nothing: logs each message on "peyvand.sms" and, when SMS_CONSOLE_FILE is
    set, appends it as a JSON line to that file (what demos and end-to-end tests read)."""

    name = "console"
    label = gettext_noop("ارسال آزمایشی")
    description = gettext_noop(
        "پیامک واقعاً فرستاده نمی‌شود؛ فقط در سامانه ثبت می‌شود تا بتوان کار را آزمایش کرد."
    )
    idempotent = True
    template_idempotent = True

    def __init__(self, *, sender: str = "", path: str = "") -> None:
        self.sender = sender
        self.path = Path(path) if path else None

    def send(self, *, to: str, body: str, sender: str, local_id: str, secret: bool = False) -> Sent:
        return self._emit(
            to=to, body=body, sender=sender or self.sender, local_id=local_id, secret=secret
        )

    def send_template(
        self, *, to: str, template: str, tokens: list[str], local_id: str, secret: bool = False
    ) -> Sent:
        body = f"{template}:{','.join(tokens)}"
        return self._emit(to=to, body=body, sender=self.sender, local_id=local_id, secret=secret)

    def status(self, provider_ids: list[str]) -> dict[str, Delivery]:
        return {
            pid: Delivery.DELIVERED if _CONSOLE_ID.fullmatch(pid) else Delivery.UNKNOWN
            for pid in provider_ids
        }

    def check(self) -> str:
        return _(
            "سامانه آزمایشی: پیامکی فرستاده نمی‌شود و پیامک‌ها فقط در گزارش سامانه نوشته می‌شوند."
        )

    def _emit(self, *, to: str, body: str, sender: str, local_id: str, secret: bool) -> Sent:
        # The file is this backend's "provider" (where a demo's customer reads a code);
        # the log is the application's, which a secret never reaches.
        shown = "(secret text, not logged)" if secret else body
        logger.info("SMS (console) to %s from %s, local id %s: %s", to, sender, local_id, shown)
        if self.path is not None:
            line = {
                "at": datetime.now(UTC).isoformat(),
                "to": to,
                "sender": sender,
                "body": body,
                "local_id": local_id,
            }
            # One write per line, in append mode and under a lock: lines from threads here
            # or from other worker processes do not interleave.
            with _console_file_lock, self.path.open("a", encoding="utf-8") as file:
                file.write(json.dumps(line, ensure_ascii=False) + "\n")
        return Sent(provider_id=f"console-{local_id}", delivery=Delivery.SENT)


# HTTP providers ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Problem:
    text: str  # Persian, marked for translation with gettext_noop
    retryable: bool


def _iranian_national(to: str) -> str:
    """+989121234567 -> 09121234567, the spelling both providers document; any other
    country keeps its international form (001…) for the provider to accept or refuse."""
    if to.startswith("+98"):
        return "0" + to.removeprefix("+98")
    return "00" + to.removeprefix("+") if to.startswith("+") else to


# Received SMS: both providers answer at most 100 a call (Kavenegar's sms/receive, SMS.ir's
# receive/latest); a full answer may leave more, asked for at once, a few rounds a run.
RECEIVE_PAGE = 100
# How many pages of SMS.ir's archive a catch-up reads at most (2,000 SMS).
ARCHIVE_PAGES = 20
RECEIVE_ROUNDS = 10


class _HttpGateway(SmsGateway):
    """One pooled httpx client per gateway, and the translation of transport failures and
    provider codes into GatewayError."""

    default_base_url: ClassVar[str] = ""
    problems: ClassVar[dict[int, _Problem]] = {}
    # What it is, before its label, in its errors: «سامانه پیامک کاوه‌نگار».
    service: ClassVar[str] = gettext_noop("سامانه پیامک")

    def __init__(
        self, *, api_key: str, sender: str = "", base_url: str = "", timeout: float = 10.0
    ) -> None:
        self.sender = sender
        self._api_key = api_key
        register_secret(api_key)
        self._client = httpx.Client(
            base_url=(base_url or self.default_base_url).rstrip("/"),
            timeout=httpx.Timeout(timeout),
            headers={"Accept": "application/json", **self._auth_headers()},
            event_hooks={"response": [self._log_response]},
        )

    @property
    def base_url(self) -> str:
        return str(self._client.base_url).rstrip("/")

    def close(self) -> None:
        self._client.close()

    def _auth_headers(self) -> dict[str, str]:
        return {}

    def _names(self) -> dict[str, str]:
        return {"service": _(self.service), "label": _(self.label)}

    def receive(self) -> list[Incoming]:
        # A full page may leave more: asked for at once, a few rounds a run.
        received: list[Incoming] = []
        for _round in range(RECEIVE_ROUNDS):
            page = self._received_page()
            received += page
            if len(page) < RECEIVE_PAGE:
                break
        return received

    def _received_page(self) -> list[Incoming]:
        """One call's worth of received SMS (at most RECEIVE_PAGE)."""
        raise NotImplementedError

    def _log_response(self, response: httpx.Response) -> None:
        request = response.request
        logger.debug(
            "%s %s %s -> HTTP %s",
            self.name,
            request.method,
            mask_secrets(str(request.url)),
            response.status_code,
        )

    def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._client.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            logger.warning("%s: no answer within the timeout (%s)", self.name, type(exc).__name__)
            raise GatewayError(
                _("%(service)s %(label)s در زمان مقرر پاسخ نداد.") % self._names(),
                code="timeout",
                retryable=True,
                # Not connected, or no free connection: the request never left.
                maybe_sent=not isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout),
            ) from exc
        except httpx.RequestError as exc:
            logger.warning("%s: %s: %s", self.name, type(exc).__name__, mask_secrets(str(exc)))
            raise GatewayError(
                _("ارتباط با %(service)s %(label)s برقرار نشد.") % self._names(),
                code="network",
                retryable=True,
                maybe_sent=not isinstance(exc, httpx.ConnectError),
            ) from exc

    def _unexpected(self, response: httpx.Response) -> GatewayError:
        """An answer that is not the provider's documented JSON (a proxy's error page, a
        half-deployed service): retryable, since nothing says the request was wrong."""
        return GatewayError(
            _("پاسخ نامفهوم از %(service)s %(label)s (HTTP %(status)s).")
            % {**self._names(), "status": response.status_code},
            code=f"http-{response.status_code}",
            retryable=True,
            maybe_sent=True,
        )

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            raise self._unexpected(response)
        return payload

    def _error(self, code: int, http_status: int) -> GatewayError:
        problem = self.problems.get(code)
        if problem is None:
            # A code missing from the documented table: worth a retry only when the
            # service itself says it is in trouble.
            return GatewayError(
                _("خطای ناشناخته از %(service)s %(label)s (کد %(code)s).")
                % {**self._names(), "code": code},
                code=str(code),
                retryable=http_status >= 500 or http_status == 429,
            )
        return GatewayError(
            _("%(problem)s (%(label)s، کد %(code)s)")
            % {"problem": _(problem.text), "label": _(self.label), "code": code},
            code=str(code),
            retryable=problem.retryable,
        )


# Kavenegar ---------------------------------------------------------------------------

# Kavenegar's error table (https://kavenegar.com/rest.html, "جدول خطاها", as transcribed
# identically by the official PHP/Go SDKs' users and many clients). Retryable: the service
# is busy or failed (402, 409), throttling (429 "IP محدود شده", 451 "too many calls"), and
# insufficient credit (418: a top-up fixes it without touching the message).
_KAVENEGAR_PROBLEMS: dict[int, _Problem] = {
    400: _Problem(gettext_noop("پارامترهای درخواست ناقص است"), False),
    401: _Problem(gettext_noop("حساب کاربری سامانه پیامک غیرفعال شده است"), False),
    402: _Problem(gettext_noop("سامانه پیامک نتوانست درخواست را انجام دهد"), True),
    403: _Problem(
        gettext_noop("کلید API سامانه پیامک نامعتبر است؛ تنظیمات پیامک را بررسی کنید"), False
    ),
    404: _Problem(gettext_noop("این متد در سامانه پیامک وجود ندارد"), False),
    405: _Problem(gettext_noop("روش فراخوانی (GET/POST) نادرست است"), False),
    406: _Problem(gettext_noop("پارامترهای اجباری خالی فرستاده شده‌اند"), False),
    407: _Problem(gettext_noop("دسترسی به این امکان مجاز نیست (تنظیمات IP در پنل سامانه)"), False),
    409: _Problem(gettext_noop("سرور سامانه پیامک موقتاً پاسخ نمی‌دهد"), True),
    411: _Problem(gettext_noop("شماره گیرنده نامعتبر است"), False),
    412: _Problem(gettext_noop("شماره فرستنده (خط) نامعتبر است"), False),
    413: _Problem(gettext_noop("متن پیام خالی است یا از ۹۰۰ نویسه بیشتر است"), False),
    414: _Problem(gettext_noop("تعداد رکوردهای درخواست بیش از حد مجاز است"), False),
    415: _Problem(gettext_noop("اندیس شروع از تعداد شماره‌ها بیشتر است"), False),
    416: _Problem(gettext_noop("IP این سرور با تنظیمات حساب پیامک نمی‌خواند"), False),
    417: _Problem(gettext_noop("تاریخ ارسال نادرست است"), False),
    418: _Problem(gettext_noop("اعتبار حساب پیامک کافی نیست؛ حساب را شارژ کنید"), True),
    419: _Problem(gettext_noop("تعداد متن‌ها، گیرنده‌ها و فرستنده‌ها برابر نیست"), False),
    420: _Problem(gettext_noop("فرستادن پیوند (لینک) در متن پیام برای این حساب مجاز نیست"), False),
    422: _Problem(gettext_noop("متن پیام نویسهٔ نامناسب دارد"), False),
    424: _Problem(gettext_noop("الگوی پیامک پیدا نشد یا هنوز تأیید نشده است"), False),
    426: _Problem(gettext_noop("این کار سرویس پیشرفتهٔ سامانه پیامک را لازم دارد"), False),
    427: _Problem(gettext_noop("استفاده از این خط مجوز دسترسی لازم دارد"), False),
    428: _Problem(gettext_noop("فرستادن کد با تماس تلفنی ممکن نیست"), False),
    429: _Problem(gettext_noop("IP این سرور نزد سامانه پیامک محدود شده است"), True),
    431: _Problem(gettext_noop("توکن الگو نادرست است (فاصله، خط جدید یا زیرخط دارد)"), False),
    432: _Problem(gettext_noop("پارامتر کد در متن الگو پیدا نشد"), False),
    451: _Problem(gettext_noop("درخواست‌ها بیش از حد مجاز بوده و موقتاً محدود شده‌اند"), True),
    501: _Problem(gettext_noop("این حساب فقط به شمارهٔ صاحب حساب پیام آزمایشی می‌فرستد"), False),
}

# Message statuses (rest.html, "وضعیت پیام"): 1 queued, 2 scheduled, 4/5 handed to the
# operator, 6 failed, 10 delivered, 11 undelivered, 13 cancelled, 14 blocked by the
# recipient, 100 not a message id of this account.
_KAVENEGAR_DELIVERY: dict[int, Delivery] = {
    1: Delivery.SENT,
    2: Delivery.SENT,
    4: Delivery.SENT,
    5: Delivery.SENT,
    6: Delivery.UNDELIVERED,
    10: Delivery.DELIVERED,
    11: Delivery.UNDELIVERED,
    13: Delivery.UNDELIVERED,
    14: Delivery.UNDELIVERED,
    100: Delivery.UNKNOWN,
}

_KAVENEGAR_STATUS_BATCH = 500  # sms/status takes at most 500 ids a call (414 beyond)

# sms/statuslocalmessageid (rest.html; the official SDKs kavenegar-php StatusLocalMessageId
# and kavenegar-go StatusLocal, and the "نکات مهم طبق مستندات رسمی" of the kavenegar-node
# README): parameter ``localid``, a comma list of at most 500; one entry per local id with
# messageid, localid, status, statustext, as sms/status answers; a local id it does not
# know (or not set at sending, or older than 12 hours) answers status 100. So it is asked
# only within 11 hours of the attempt, an hour short of the documented 12.
_KAVENEGAR_LOCAL_ID_WINDOW = timedelta(hours=11)
_KAVENEGAR_NOT_FOUND = 100


def _as_cost(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return round(value)


class KavenegarGateway(_HttpGateway):
    """``POST {base}/v1/{API_KEY}/{method}.json``, form-encoded, answering
    ``{"return": {"status", "message"}, "entries": …}``.

    Our ``local_id`` goes as ``localid``: Kavenegar does not send a message whose localid
    it has seen, and answers with the earlier message instead, so resending is safe.
    """

    name = "kavenegar"
    label = gettext_noop("کاوه‌نگار")
    description = gettext_noop("پیامک‌ها از راه سامانه‌ی پیامک کاوه‌نگار فرستاده می‌شوند.")
    idempotent = True
    receives = True
    # verify/lookup documents no localid (receptor, template, token…, type only).
    template_idempotent = False
    array_size = 200  # sms/sendarray's documented limit (414 beyond)
    local_id_lookup = _KAVENEGAR_LOCAL_ID_WINDOW
    default_base_url = "https://api.kavenegar.com"
    problems = _KAVENEGAR_PROBLEMS

    def _call(
        self, method: str, params: dict[str, str]
    ) -> tuple[list[dict[str, Any]], httpx.Response]:
        # The key is quoted: a key with "/" or "?" must not change the path.
        entries, response = self._entries(method, params)
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise self._unexpected(response)
        return entries, response

    def _entries(self, method: str, params: dict[str, str]) -> tuple[Any, httpx.Response]:
        """The answer's ``entries`` (a list, or one object for account calls)."""
        url = f"/v1/{quote(self._api_key, safe='')}/{method}.json"
        response = self._request("POST", url, data=params)
        payload = self._json(response)
        result = payload.get("return")
        status = result.get("status") if isinstance(result, dict) else None
        if not isinstance(status, int) or isinstance(status, bool):
            raise self._unexpected(response)
        # The HTTP status mirrors return.status on errors (the official SDKs decode the
        # envelope from non-200 answers); the envelope decides either way.
        if status != 200:
            raise self._error(status, response.status_code)
        return payload.get("entries"), response

    def check(self) -> str:
        """``account/info``: the credit left, in rials."""
        entries, response = self._entries("account/info", {})
        credit = _as_cost(entries.get("remaincredit")) if isinstance(entries, dict) else None
        if credit is None:
            raise self._unexpected(response)
        return _("کاوه‌نگار پاسخ داد؛ اعتبار باقی‌مانده: %(credit)s ریال.") % {
            "credit": f"{credit:,}"
        }

    def _sent(self, entries: list[dict[str, Any]], response: httpx.Response) -> Sent:
        if not entries or "messageid" not in entries[0]:
            raise self._unexpected(response)
        entry = entries[0]
        status = entry.get("status")
        delivery = Delivery.SENT
        if isinstance(status, int):
            # A resent localid returns the earlier message, possibly delivered already.
            delivery = _KAVENEGAR_DELIVERY.get(status, Delivery.SENT)
        return Sent(
            provider_id=str(entry["messageid"]), delivery=delivery, cost=_as_cost(entry.get("cost"))
        )

    def send(self, *, to: str, body: str, sender: str, local_id: str, secret: bool = False) -> Sent:
        params = {"receptor": _iranian_national(to), "message": body, "localid": local_id}
        # Without a sender Kavenegar uses the account's default line.
        if sender := sender or self.sender:
            params["sender"] = sender
        return self._sent(*self._call("sms/send", params))

    def _line(self) -> str:
        line = self.sender.strip()
        if not line:
            raise GatewayError(
                _("خط فرستنده کاوه‌نگار تنظیم نشده است؛ پیامک‌های رسیده خوانده نمی‌شوند."),
                code="line",
                retryable=False,
            )
        return line

    def _received_page(self) -> list[Incoming]:
        """``sms/receive`` with ``linenumber`` (our line) and ``isread=0``: the unread
        SMS, up to 100 a call, marked read as they are answered (the official SDKs'
        receive; entries messageid, message, sender, receptor, date in Unix seconds)."""
        return self._receive_call(read=False)

    def received_before(self) -> list[Incoming]:
        """``sms/receive`` with ``isread=1``: the SMS already handed over (up to 100)."""
        return self._receive_call(read=True)

    def _receive_call(self, *, read: bool) -> list[Incoming]:
        line = self._line()
        params = {"linenumber": line, "isread": "1" if read else "0"}
        entries, response = self._call("sms/receive", params)
        try:
            return [
                Incoming(
                    provider_id=str(int(entry["messageid"])),
                    sender=str(entry["sender"]),
                    line=str(entry.get("receptor") or line),
                    text=str(entry.get("message") or ""),
                    received_at=datetime.fromtimestamp(int(entry["date"]), tz=UTC),
                )
                for entry in entries
            ]
        except (KeyError, TypeError, ValueError):
            raise self._unexpected(response) from None

    def send_array(self, messages: list[Outgoing]) -> list[Sent | GatewayError]:
        """``sms/sendarray``: receptor, sender, message and localmessageids as JSON arrays
        of one length, up to 200 a call; the entries come back in the same order. A
        localmessageid already used is not sent again, as with send's localid.

        One bad recipient or text fails the whole call (411, 413…): then each message
        is sent on its own, so that only the bad one fails."""
        outcomes: list[Sent | GatewayError] = []
        for start in range(0, len(messages), self.array_size):
            chunk = messages[start : start + self.array_size]
            if any(not (m.sender or self.sender) for m in chunk):
                # sendarray requires a line for every message; send uses the default.
                outcomes += [self._send_one(m) for m in chunk]
                continue
            params = {
                "receptor": json.dumps([_iranian_national(m.to) for m in chunk]),
                "sender": json.dumps([m.sender or self.sender for m in chunk]),
                "message": json.dumps([m.body for m in chunk], ensure_ascii=False),
                "localmessageids": json.dumps([int(m.local_id) for m in chunk]),
            }
            try:
                entries, response = self._call("sms/sendarray", params)
            except GatewayError as error:
                if error.retryable or error.maybe_sent or len(chunk) == 1:
                    outcomes += [error] * len(chunk)
                else:
                    outcomes += [self._send_one(m) for m in chunk]
                continue
            if len(entries) != len(chunk):
                outcomes += [self._unexpected(response)] * len(chunk)
                continue
            outcomes += [self._sent([entry], response) for entry in entries]
        return outcomes

    def _send_one(self, message: Outgoing) -> Sent | GatewayError:
        try:
            return self.send(
                to=message.to,
                body=message.body,
                sender=message.sender,
                local_id=message.local_id,
                secret=message.secret,
            )
        except GatewayError as error:
            return error

    def send_template(
        self, *, to: str, template: str, tokens: list[str], local_id: str, secret: bool = False
    ) -> Sent:
        # local_id is not sent: verify/lookup has no localid parameter (see above).
        if not 1 <= len(tokens) <= 3:
            raise GatewayError(
                _("الگوی کاوه‌نگار یک تا سه توکن می‌پذیرد، نه %(count)s.") % {"count": len(tokens)},
                code="tokens",
                retryable=False,
            )
        params = {"receptor": _iranian_national(to), "template": template}
        for key, token in zip(("token", "token2", "token3"), tokens, strict=False):
            params[key] = token
        return self._sent(*self._call("verify/lookup", params))

    def status(self, provider_ids: list[str]) -> dict[str, Delivery]:
        states = dict.fromkeys(provider_ids, Delivery.UNKNOWN)
        ids = [pid for pid in dict.fromkeys(provider_ids) if pid.isdigit()]
        for start in range(0, len(ids), _KAVENEGAR_STATUS_BATCH):
            batch = ids[start : start + _KAVENEGAR_STATUS_BATCH]
            entries, _response = self._call("sms/status", {"messageid": ",".join(batch)})
            for entry in entries:
                pid, status = str(entry.get("messageid")), entry.get("status")
                if pid in states and isinstance(status, int):
                    states[pid] = _KAVENEGAR_DELIVERY.get(status, Delivery.UNKNOWN)
        return states

    def sent_local_ids(self, local_ids: list[str]) -> dict[str, Sent]:
        found: dict[str, Sent] = {}
        ids = list(dict.fromkeys(local_ids))
        for start in range(0, len(ids), _KAVENEGAR_STATUS_BATCH):
            batch = ids[start : start + _KAVENEGAR_STATUS_BATCH]
            entries, response = self._call("sms/statuslocalmessageid", {"localid": ",".join(batch)})
            if all("localid" in entry for entry in entries):
                named = [(str(entry["localid"]), entry) for entry in entries]
            elif len(entries) == len(batch):  # no names: the documented order, the asked one
                named = list(zip(batch, entries, strict=True))
            else:
                raise self._unexpected(response)
            asked = set(batch)
            for local_id, entry in named:
                status, message_id = entry.get("status"), entry.get("messageid")
                if not isinstance(status, int) or isinstance(status, bool):
                    raise self._unexpected(response)
                if status == _KAVENEGAR_NOT_FOUND or not message_id or local_id not in asked:
                    continue
                found[local_id] = Sent(
                    provider_id=str(message_id),
                    delivery=_KAVENEGAR_DELIVERY.get(status, Delivery.SENT),
                )
        return found


# SMS.ir ------------------------------------------------------------------------------

# SMS.ir's status table (https://apidocs.sms.ir, "جداول کدهای وضعیت"). Errors come with
# HTTP 400 (logical), 401 (authentication), 429 (too many requests) or 500. Retryable:
# 0 (their server failed), 20 (too many requests), 102 (credit: a top-up fixes it).
_SMSIR_PROBLEMS: dict[int, _Problem] = {
    0: _Problem(gettext_noop("سرور سامانه پیامک با خطا روبه‌رو شد"), True),
    10: _Problem(
        gettext_noop("کلید API سامانه پیامک نامعتبر است؛ تنظیمات پیامک را بررسی کنید"),
        False,
    ),
    11: _Problem(gettext_noop("کلید API سامانه پیامک غیرفعال است"), False),
    12: _Problem(gettext_noop("کلید API به IPهای دیگری محدود شده است"), False),
    13: _Problem(gettext_noop("حساب کاربری سامانه پیامک غیرفعال است"), False),
    14: _Problem(gettext_noop("حساب کاربری سامانه پیامک معلق شده است"), False),
    15: _Problem(gettext_noop("برای استفاده از وب‌سرویس باید پلن حساب ارتقا یابد"), False),
    16: _Problem(gettext_noop("مقدار یکی از پارامترهای درخواست نادرست است"), False),
    20: _Problem(gettext_noop("تعداد درخواست‌ها بیش از حد مجاز است"), True),
    101: _Problem(gettext_noop("شماره خط ارسال نامعتبر است"), False),
    102: _Problem(gettext_noop("اعتبار حساب پیامک کافی نیست؛ حساب را شارژ کنید"), True),
    103: _Problem(gettext_noop("متن پیام خالی است"), False),
    104: _Problem(gettext_noop("شماره موبایل گیرنده نادرست است"), False),
    105: _Problem(gettext_noop("تعداد شماره‌ها بیش از ۱۰۰ است"), False),
    106: _Problem(gettext_noop("تعداد متن‌ها بیش از ۱۰۰ است"), False),
    107: _Problem(gettext_noop("فهرست شماره‌ها خالی است"), False),
    108: _Problem(gettext_noop("فهرست متن‌ها خالی است"), False),
    109: _Problem(gettext_noop("زمان ارسال نامعتبر است"), False),
    110: _Problem(gettext_noop("تعداد شماره‌ها و متن‌ها برابر نیست"), False),
    111: _Problem(gettext_noop("پیامی با این شناسه ثبت نشده است"), False),
    112: _Problem(gettext_noop("رکوردی برای حذف پیدا نشد"), False),
    113: _Problem(gettext_noop("قالب پیامک پیدا نشد"), False),
    114: _Problem(gettext_noop("مقدار یکی از پارامترهای قالب از ۲۵ نویسه بیشتر است"), False),
    115: _Problem(gettext_noop("شمارهٔ گیرنده در فهرست سیاه است"), False),
    116: _Problem(gettext_noop("نام یک یا چند پارامتر قالب داده نشده است"), False),
    117: _Problem(gettext_noop("متن پیام تأیید نشد"), False),
    118: _Problem(gettext_noop("تعداد پیام‌ها بیش از حد مجاز است"), False),
    119: _Problem(gettext_noop("برای قالب شخصی‌سازی‌شده باید پلن حساب ارتقا یابد"), False),
    123: _Problem(gettext_noop("خط ارسال‌کننده باید فعال شود"), False),
    124: _Problem(gettext_noop("فقط پیامک یک‌بارمصرف (OTP) مجاز است و قالب OTP شناخته نشد"), False),
}

_SMSIR_NOT_FOUND = 111

# deliveryState (apidocs.sms.ir, "کدهای وضعیت دلیوری"): 1 delivered, 2 not delivered to
# the handset, 3 at the telecom, 4 did not reach the telecom, 5 at the operator, 6 failed,
# 7 blacklisted, 8 unknown. An older revision reads 3 "processing at the telecom", 5
# "reached the telecom", 6 "error" and has no 8; both readings map the same way. null
# (no report yet) and 8 are "sent": the message is theirs, its fate not known yet.
_SMSIR_DELIVERY: dict[int | None, Delivery] = {
    None: Delivery.SENT,
    1: Delivery.DELIVERED,
    2: Delivery.UNDELIVERED,
    3: Delivery.SENT,
    4: Delivery.UNDELIVERED,
    5: Delivery.SENT,
    6: Delivery.UNDELIVERED,
    7: Delivery.UNDELIVERED,
    8: Delivery.SENT,
}

# A verify template's parameters when the template names none: SMS.ir templates use
# #NAME# placeholders, so templates written for Peyvand use #TOKEN#, #TOKEN2#, #TOKEN3#
# (Kavenegar's %token%, %token2%, %token3%).
_DEFAULT_PARAMETER_NAMES = ("TOKEN", "TOKEN2", "TOKEN3", "TOKEN4", "TOKEN5")


class SmsIrGateway(_HttpGateway):
    """``{base}/v1/…``, JSON, authenticated by the ``X-API-KEY`` header, answering
    ``{"status": 1, "message", "data"}``.

    SMS.ir has no client message id, so a resend after a lost answer sends twice.
    """

    name = "smsir"
    label = gettext_noop("اس‌ام‌اس‌دات‌آی‌آر")
    description = gettext_noop("پیامک‌ها از راه سامانه‌ی پیامک اس‌ام‌اس‌دات‌آی‌آر فرستاده می‌شوند.")
    idempotent = False
    template_idempotent = False
    receives = True
    default_base_url = "https://api.sms.ir"
    problems = _SMSIR_PROBLEMS

    def _auth_headers(self) -> dict[str, str]:
        return {"X-API-KEY": self._api_key}

    def _data(self, response: httpx.Response) -> Any:
        payload = self._json(response)
        status = payload.get("status")
        if not isinstance(status, int) or isinstance(status, bool):
            raise self._unexpected(response)
        if status != 1:
            raise self._error(status, response.status_code)
        return payload.get("data")

    def check(self) -> str:
        """``GET /v1/credit``: the account's credit."""
        response = self._request("GET", "/v1/credit")
        credit = _as_cost(self._data(response))
        if credit is None:
            raise self._unexpected(response)
        return _("اس‌ام‌اس‌دات‌آی‌آر پاسخ داد؛ اعتبار حساب: %(credit)s.") % {"credit": f"{credit:,}"}

    def send(self, *, to: str, body: str, sender: str, local_id: str, secret: bool = False) -> Sent:
        line = (sender or self.sender).strip()
        if not line.isdigit():
            raise GatewayError(
                _("شماره خط ارسال اس‌ام‌اس‌دات‌آی‌آر تنظیم نشده یا عددی نیست."),
                code="101",
                retryable=False,
            )
        payload = {
            "lineNumber": int(line),
            "messageText": body,
            # The docs' bulk example spells mobiles 0912…; the verify example 912….
            "mobiles": [_iranian_national(to)],
            "sendDateTime": None,
        }
        response = self._request("POST", "/v1/send/bulk", json=payload)
        data = self._data(response)
        ids = data.get("messageIds") if isinstance(data, dict) else None
        if not isinstance(ids, list) or not ids:
            raise self._unexpected(response)
        if ids[0] is None:
            # messageIds is int?[]: a null is a number the pack did not take.
            raise GatewayError(
                _("اس‌ام‌اس‌دات‌آی‌آر این شماره را نپذیرفت."), code="rejected", retryable=False
            )
        return Sent(
            provider_id=str(ids[0]), delivery=Delivery.SENT, cost=_as_cost(data.get("cost"))
        )

    def send_template(
        self, *, to: str, template: str, tokens: list[str], local_id: str, secret: bool = False
    ) -> Sent:
        """``template`` is the template id ("100000") or the id and its parameter names
        ("100000:CODE,NAME"); without names the tokens fill #TOKEN#, #TOKEN2#…"""
        template_id, _sep, names_text = template.partition(":")
        names = [n.strip() for n in names_text.split(",") if n.strip()] or list(
            _DEFAULT_PARAMETER_NAMES[: len(tokens)]
        )
        if not template_id.strip().isdigit() or len(names) != len(tokens):
            raise GatewayError(
                _("قالب «%(template)s» با %(count)s توکن برای اس‌ام‌اس‌دات‌آی‌آر درست نیست.")
                % {"template": template, "count": len(tokens)},
                code="template",
                retryable=False,
            )
        payload = {
            "mobile": _iranian_national(to),
            "templateId": int(template_id),
            "parameters": [
                {"name": name, "value": value} for name, value in zip(names, tokens, strict=True)
            ],
        }
        response = self._request("POST", "/v1/send/verify", json=payload)
        data = self._data(response)
        message_id = data.get("messageId") if isinstance(data, dict) else None
        if message_id is None:
            raise self._unexpected(response)
        return Sent(
            provider_id=str(message_id), delivery=Delivery.SENT, cost=_as_cost(data.get("cost"))
        )

    def status(self, provider_ids: list[str]) -> dict[str, Delivery]:
        # One GET per message: the API has no batch lookup by message id.
        states = dict.fromkeys(provider_ids, Delivery.UNKNOWN)
        for pid in dict.fromkeys(provider_ids):
            if not pid.isdigit():
                continue
            response = self._request("GET", f"/v1/send/{pid}")
            try:
                data = self._data(response)
            except GatewayError as error:
                if error.code == str(_SMSIR_NOT_FOUND):
                    continue
                raise
            if isinstance(data, dict):
                state = data.get("deliveryState")
                states[pid] = _SMSIR_DELIVERY.get(state, Delivery.UNKNOWN)
        return states

    def _received_page(self) -> list[Incoming]:
        """``GET /v1/receive/latest?count=100``: the SMS not fetched before, each
        answered once (apidocs.sms.ir: «هر پیامک دریافتی تنها یک مرتبه توسط این متد قابل
        دستیابی میباشد»); items receiveReturnId, messageText, number (our line),
        mobile (the sender, a JSON number: 912…) and receivedDateTime in Unix seconds."""
        response = self._request("GET", "/v1/receive/latest", params={"count": RECEIVE_PAGE})
        return self._incoming(response)

    def received_before(self) -> list[Incoming]:
        """``GET /v1/receive/archive`` (what came until the end of yesterday) for the
        last two days, pages of 100, at most ARCHIVE_PAGES of them."""
        until = datetime.now(tz=UTC)
        params = {
            "fromDate": int((until - timedelta(days=2)).timestamp()),
            "toDate": int(until.timestamp()),
            "pageSize": RECEIVE_PAGE,
        }
        found: list[Incoming] = []
        for number in range(1, ARCHIVE_PAGES + 1):
            response = self._request(
                "GET", "/v1/receive/archive", params=params | {"pageNumber": number}
            )
            page = self._incoming(response)
            found += page
            if len(page) < RECEIVE_PAGE:
                break
        return found

    def _incoming(self, response: httpx.Response) -> list[Incoming]:
        data = self._data(response)
        if not isinstance(data, list):
            raise self._unexpected(response)
        try:
            return [
                Incoming(
                    provider_id=str(int(item["receiveReturnId"])),
                    sender=str(item["mobile"]),
                    line=str(item.get("number") or self.sender),
                    text=str(item.get("messageText") or ""),
                    received_at=datetime.fromtimestamp(int(item["receivedDateTime"]), tz=UTC),
                )
                for item in data
            ]
        except (KeyError, TypeError, ValueError):
            raise self._unexpected(response) from None


# Settings ----------------------------------------------------------------------------

_HTTP_GATEWAYS: dict[str, type[_HttpGateway]] = {
    KavenegarGateway.name: KavenegarGateway,
    SmsIrGateway.name: SmsIrGateway,
}


# Every SMS backend by its SMS_BACKEND name (also what Message.backend records).
SMS_BACKENDS: dict[str, type[SmsGateway]] = {ConsoleGateway.name: ConsoleGateway, **_HTTP_GATEWAYS}


@dataclass(frozen=True)
class SmsConfig:
    """The SMS provider in use and where its settings come from."""

    backend: str
    api_key: str
    sender: str
    from_environment: bool


def sms_config() -> SmsConfig:
    """SMS_BACKEND (with SMS_API_KEY and SMS_SENDER) when the environment sets it; the
    settings page's otherwise (messaging.models.SmsSettings; the test gateway when
    nothing is set)."""
    explicit = str(getattr(settings, "SMS_BACKEND", "") or "").strip().lower()
    if explicit:
        return SmsConfig(
            backend=explicit,
            api_key=str(getattr(settings, "SMS_API_KEY", "") or "").strip(),
            sender=str(getattr(settings, "SMS_SENDER", "") or "").strip(),
            from_environment=True,
        )
    from peyvand.messaging.models import SmsSettings  # models import no gateway

    saved = SmsSettings.objects.filter(pk=1).first() or SmsSettings()
    return SmsConfig(
        backend=saved.backend,
        api_key=saved.api_key.strip(),
        sender=saved.sender.strip(),
        from_environment=False,
    )


def sms_backend(config: SmsConfig | None = None) -> type[SmsGateway]:
    """The gateway class in use (its name and label, without a client)."""
    backend = (config or sms_config()).backend
    if backend not in SMS_BACKENDS:
        choices = ", ".join(SMS_BACKENDS)
        raise ImproperlyConfigured(f"SMS_BACKEND {backend!r} is unknown; use one of: {choices}.")
    return SMS_BACKENDS[backend]


# What Message.backend records for an email (the outbox sends email by SMTP).
EMAIL_BACKEND_NAME = "smtp"


def backend_label(name: str) -> str:
    """A Message.backend in words: the SMS gateway's label, «ایمیل», or "" when empty
    (a gateway this version no longer knows keeps its recorded name)."""
    if name == EMAIL_BACKEND_NAME:
        return str(_("ایمیل"))
    if name.startswith("imap:"):  # a received email: its mailbox (messaging.mail_in)
        return str(_("صندوق ایمیل"))
    if name in SMS_BACKENDS:
        return str(_(SMS_BACKENDS[name].label))
    return name


def provider_reference(name: str, provider_id: str) -> str:
    """The message's id at its provider, worth telling a person who calls the provider;
    "" for the test gateway, whose ids («console-12») are its own bookkeeping."""
    if name == ConsoleGateway.name or name.startswith("imap:"):
        return ""  # an IMAP UID means nothing to a person
    return provider_id


def get_sms_gateway(config: SmsConfig | None = None) -> SmsGateway:
    """The gateway in use, built anew (settings are read now, not at import). The caller
    closes it."""
    config = config or sms_config()
    gateway_class = sms_backend(config)
    if gateway_class is ConsoleGateway:
        return ConsoleGateway(
            sender=config.sender, path=str(getattr(settings, "SMS_CONSOLE_FILE", "") or "")
        )
    if not config.api_key:
        raise ImproperlyConfigured(
            f"SMS backend {config.backend!r} needs an API key (SMS_API_KEY or its settings page)."
        )
    return gateway_class(
        api_key=config.api_key,
        sender=config.sender,
        base_url=str(getattr(settings, "SMS_BASE_URL", "") or ""),
        timeout=float(getattr(settings, "SMS_TIMEOUT", 10.0) or 10.0),
    )
