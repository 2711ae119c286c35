"""Bale (پیام‌رسان بله): customers talk to the company's bot.

The bot speaks Bale's Telegram-compatible Bot API (``https://tapi.bale.ai/bot<token>/
<method>``: getMe, getUpdates, sendMessage). ``BaleGateway`` sits behind the SMS gateway
interface (``send`` to a chat id, the same errors), so the outbox sends our messages to
a chat as it sends SMS to a number, and another messenger (Telegram, Eitaa) is one more
such class.

What a customer does with the bot (``handle_update``):
- shares their number (Bale's «ارسال شماره» button: the number is the messenger's own,
  not typed) — their chat is linked to it and to the contact with that number;
- «ثبت درخواست» then a text — a request is registered (the conversation kind the bot
  settings name, as a mailbox opens one) and its tracking code sent back;
- «پیگیری درخواست» then a tracking code — the status of that request, when it is theirs;
- anything else — recorded in their conversation, for the staff responsible, who answer
  from the record («پاسخ»), back into the chat.

Exactly once: the updates are read (getUpdates, offset = the last recorded + 1) under
the settings row's lock, and everything an update does is written in the transaction
that moves ``last_update_id`` past it; the bot's answers are queued in the outbox
(written in that transaction too, sent after it commits), never sent from here.
"""

import logging
from datetime import UTC, datetime
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from peyvand.activities.reminders import notify
from peyvand.contacts.selectors import contact_with_number
from peyvand.core.attachments import max_bytes
from peyvand.core.registry import conversation_kinds, record_with_code
from peyvand.core.text import code_words
from peyvand.core.validators import any_number
from peyvand.messaging.gateways import (
    Delivery,
    GatewayError,
    Sent,
    _HttpGateway,
    _Problem,
)
from peyvand.messaging.models import BaleSettings, Channel, Message, MessengerLink
from peyvand.messaging.reading import reading_failed, reading_worked
from peyvand.messaging.selectors import who_answers
from peyvand.messaging.services import keep_received_files, message_queue, message_received

logger = logging.getLogger("peyvand.bale")

BACKEND = "bale"
UPDATES_PAGE = 100

# The bot's buttons (what the customer taps is sent back as its text).
SHARE_PHONE = "📱 ارسال شماره همراه"
NEW_REQUEST = "📝 ثبت درخواست"
REQUEST_STATUS = "🔎 پیگیری درخواست"
NOTIFICATIONS = "🔔 اطلاع‌رسانی‌ها"
# The customer's choice of where our SMS reach them, by its button's text.
NOTIFY_CHOICES = {str(label): value for value, label in MessengerLink.Notify.choices}
KEYBOARDS: dict[str, dict[str, Any]] = {
    "phone": {
        "keyboard": [[{"text": SHARE_PHONE, "request_contact": True}]],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    },
    "menu": {
        "keyboard": [[{"text": NEW_REQUEST}, {"text": REQUEST_STATUS}], [{"text": NOTIFICATIONS}]],
        "resize_keyboard": True,
    },
    "notify": {
        "keyboard": [[{"text": text}] for text in NOTIFY_CHOICES],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    },
}

# Bot API errors (Telegram's, which Bale follows): error_code and what it means here.
_BOT_PROBLEMS: dict[int, _Problem] = {
    400: _Problem(gettext_noop("درخواست نادرست بود (شناسه گفتگو یا متن)"), False),
    401: _Problem(gettext_noop("توکن ربات بله نادرست است؛ تنظیمات بله را بررسی کنید"), False),
    403: _Problem(gettext_noop("مشتری ربات را بسته یا مسدود کرده است"), False),
    404: _Problem(gettext_noop("ربات یا متد پیدا نشد؛ توکن را بررسی کنید"), False),
    429: _Problem(gettext_noop("درخواست‌ها بیش از حد مجاز بوده؛ کمی بعد دوباره"), True),
}


class BaleGateway(_HttpGateway):
    name: ClassVar[str] = BACKEND
    label: ClassVar[str] = gettext_noop("بله")
    service: ClassVar[str] = gettext_noop("پیام‌رسان")
    description: ClassVar[str] = gettext_noop("ربات پیام‌رسان بله")
    receives: ClassVar[bool] = True
    default_base_url: ClassVar[str] = "https://tapi.bale.ai"
    problems: ClassVar[dict[int, _Problem]] = _BOT_PROBLEMS

    def __init__(self, *, token: str, base_url: str = "", timeout: float = 10.0) -> None:
        super().__init__(api_key=token, base_url=base_url, timeout=timeout)

    def call(self, method: str, payload: dict[str, Any] | None = None) -> Any:
        """One Bot API method (the token in the path, never logged); its ``result``."""
        response = self._request("POST", f"/bot{self._api_key}/{method}", json=payload or {})
        answer = self._json(response)
        if answer.get("ok") is not True:
            code = answer.get("error_code") or response.status_code
            raise self._error(int(code), response.status_code)
        return answer.get("result")

    def me(self) -> dict[str, Any]:
        return self.call("getMe") or {}

    def send(
        self,
        *,
        to: str,
        body: str,
        sender: str = "",
        local_id: str = "",
        secret: bool = False,
        keyboard: str = "",
    ) -> Sent:
        payload: dict[str, Any] = {"chat_id": int(to), "text": body}
        if keyboard in KEYBOARDS:
            payload["reply_markup"] = KEYBOARDS[keyboard]
        result = self.call("sendMessage", payload) or {}
        return Sent(provider_id=str(result.get("message_id", "")), delivery=Delivery.SENT)

    def download(self, file_id: str) -> bytes:
        """A file a customer sent (getFile, then ``/file/bot<token>/<file_path>``)."""
        found = self.call("getFile", {"file_id": file_id}) or {}
        path = str(found.get("file_path") or "")
        if not path:
            raise self._error(400, 400)
        response = self._request("GET", f"/file/bot{self._api_key}/{path}")
        if response.status_code != 200:
            raise self._error(response.status_code, response.status_code)
        return response.content

    def updates(self, offset: int) -> list[dict[str, Any]]:
        """What customers did since ``offset`` (getUpdates; the call with a later
        offset confirms these to Bale, which then forgets them)."""
        result = self.call("getUpdates", {"offset": offset, "limit": UPDATES_PAGE, "timeout": 0})
        return [update for update in result or [] if isinstance(update, dict)]


def bale_token(config: BaleSettings | None = None) -> str:
    """The bot's token: the environment's (BALE_BOT_TOKEN) wins over the settings page's."""
    explicit = str(getattr(settings, "BALE_BOT_TOKEN", "") or "").strip()
    if explicit:
        return explicit
    config = config or BaleSettings.load()
    return config.token.strip() if config.is_active else ""


def bale_gateway(token: str) -> BaleGateway:
    return BaleGateway(
        token=token,
        base_url=str(getattr(settings, "BALE_BASE_URL", "") or ""),
        timeout=float(getattr(settings, "SMS_TIMEOUT", 10.0) or 10.0),
    )


def check_bot(token: str) -> str:
    """«آزمایش اتصال»: the bot's name, or GatewayError in Persian."""
    with bale_gateway(token) as bot:
        me = bot.me()
    return str(me.get("username") or me.get("first_name") or "")


def receive_bale() -> int:
    """Reads what customers did with the bot since the last run and acts on each update
    once; returns how many were handled. Bale that does not answer is tried next run."""
    token = bale_token()
    if not token:
        return 0
    handled = 0
    settings_pk = BaleSettings.load().pk  # the row exists before it is locked
    with bale_gateway(token) as bot:
        for _round in range(10):
            with transaction.atomic():
                config = BaleSettings.objects.select_for_update().get(pk=settings_pk)
                try:
                    updates = bot.updates(config.last_update_id + 1)
                except GatewayError as error:
                    _failed(config, error.message)
                    return handled
                for update in sorted(updates, key=lambda item: int(item.get("update_id", 0))):
                    update_id = int(update.get("update_id", 0))
                    if update_id <= config.last_update_id:
                        continue  # a slower reader's, already handled
                    handle_update(config, update)
                    config.last_update_id = update_id
                    handled += 1
                config.save(update_fields=["last_update_id"])
                reading_worked(config)
            if len(updates) < UPDATES_PAGE:
                break
    return handled


def _failed(config: BaleSettings, reason: str) -> None:
    reading_failed(
        config,
        reason,
        title=_("پیام‌های ربات بله خوانده نمی‌شوند"),
        url=reverse("messaging:bale_settings"),
    )


# -- what one update does ---------------------------------------------------------------


def handle_update(config: BaleSettings, update: dict[str, Any]) -> None:
    message = update.get("message")
    if not isinstance(message, dict):
        return  # edits, callbacks, channel posts: nothing a customer asked of us
    chat = message.get("chat") or {}
    if chat.get("type", "private") != "private" or "id" not in chat:
        return  # groups the bot was added to
    person = message.get("from") or {}
    name = " ".join(str(person.get(key, "")) for key in ("first_name", "last_name")).strip()
    link, _created = MessengerLink.objects.get_or_create(
        channel=Channel.BALE, chat_id=str(chat["id"]), defaults={"name": name[:200]}
    )
    when = (
        datetime.fromtimestamp(int(message.get("date") or 0), tz=UTC)
        if message.get("date")
        else timezone.now()
    )
    update_id = str(update.get("update_id"))
    shared = message.get("contact")
    if isinstance(shared, dict):
        _link_number(config, link, shared, person)
        return
    text = str(message.get("text") or message.get("caption") or "").strip()
    if text == "/start":
        _welcome(config, link)
        return
    if text == NEW_REQUEST and link.phone:
        _await(link, "request")
        _answer(config, link, _("درخواست خود را در یک پیام بنویسید."))
        return
    if text == REQUEST_STATUS and link.phone:
        _await(link, "status")
        _answer(config, link, _("کد پیگیری درخواست را بفرستید."))
        return
    if text == NOTIFICATIONS and link.phone:
        current = link.get_notify_display()
        _answer(
            config,
            link,
            _(
                "اطلاع‌رسانی‌های ما (ثبت درخواست، پیش‌فاکتور، یادآوری) اکنون %(how)s به شما"
                " می‌رسد. کدام را می‌خواهید؟"
            )
            % {"how": current},
            keyboard="notify",
        )
        return
    if text in NOTIFY_CHOICES and link.phone:
        link.notify = NOTIFY_CHOICES[text]
        link.save(update_fields=["notify"])
        _answer(
            config,
            link,
            _("از این پس اطلاع‌رسانی‌ها %(how)s به شما می‌رسد.") % {"how": text},
            keyboard="menu",
        )
        return
    files = _files_of(message)
    names = "، ".join(name for name, _file_id, _size in files)
    body = text or (_("(فایل: %(names)s)") % {"names": names} if files else "")
    body = body or _("(پیامی بدون متن: برچسب یا موقعیت)")
    if link.awaiting == "status" and text:
        _await(link, "")
        _answer(config, link, _status_of(link, text), keyboard="menu")
        _record(config, link, body, update_id, when)
        return
    record = None
    if link.awaiting == "request" and text:
        _await(link, "")
        record = _open_request(config, link, text)
    received = _record(config, link, body, update_id, when, record=record)
    if files:
        _keep(config, received, files, record)
    if record is not None:
        _answer(
            config,
            link,
            _("درخواست شما با کد پیگیری %(code)s ثبت شد.")
            % {"code": getattr(record, "tracking_code", record.pk)},
            keyboard="menu",
            related=record,
        )
    elif not link.phone:
        _answer(
            config,
            link,
            _("پیام شما رسید. برای پیگیری بهتر، شماره همراه خود را با دکمهٔ زیر بفرستید."),
            keyboard="phone",
        )
    _tell(received, link)


# What a customer may send besides text: (the message's key, a name when it has none).
_FILE_KINDS = (
    ("document", "file"),
    ("photo", "photo.jpg"),
    ("video", "video.mp4"),
    ("voice", "voice.ogg"),
    ("audio", "audio.mp3"),
)


def _files_of(message: dict[str, Any]) -> list[tuple[str, str, int]]:
    """The files of a customer's message: (name, Bale's file id, size)."""
    files = []
    for key, default_name in _FILE_KINDS:
        item = message.get(key)
        if key == "photo" and isinstance(item, list) and item:
            item = item[-1]  # the sizes of one photo, smallest first: the largest
        if isinstance(item, dict) and item.get("file_id"):
            name = str(item.get("file_name") or default_name)
            files.append((name[:200], str(item["file_id"]), int(item.get("file_size") or 0)))
    return files


def _keep(config: BaleSettings, received: Message, files: list, record) -> None:
    """The customer's files, fetched from Bale, on their message and on the record (or
    contact) it joins; one too big is not fetched, one Bale would not give is named."""
    downloaded, refused = [], []
    with bale_gateway(bale_token(config)) as bot:
        for name, file_id, size in files:
            if size > max_bytes():
                refused.append(
                    _("پیوست «%(name)s» جدا نگه داشته نشد: حجم فایل بیش از حد مجاز است.")
                    % {"name": name}
                )
                continue
            try:
                downloaded.append((name, bot.download(file_id)))
            except GatewayError as error:
                refused.append(
                    _("پیوست «%(name)s» از بله گرفته نشد: %(error)s")
                    % {"name": name, "error": error.message}
                )
    refused += keep_received_files(
        received,
        downloaded,
        record=record or received.contact,
        owner=received.owner,
        note=_("از پیام بله"),
    )
    if refused:
        received.body += "\n\n" + "\n".join(refused)
        Message.objects.filter(pk=received.pk).update(body=received.body)


def _await(link: MessengerLink, what: str) -> None:
    link.awaiting = what
    link.save(update_fields=["awaiting"])


def _welcome(config: BaleSettings, link: MessengerLink) -> None:
    if link.phone:
        _answer(config, link, _("سلام! چه کاری برایتان انجام دهیم؟"), keyboard="menu")
    else:
        _answer(
            config,
            link,
            _("سلام! برای ثبت و پیگیری درخواست‌ها، شماره همراه خود را با دکمهٔ زیر بفرستید."),
            keyboard="phone",
        )


def _link_number(config: BaleSettings, link: MessengerLink, shared: dict, person: dict) -> None:
    """Bale's «ارسال شماره»: only the customer's own number links (a contact card of
    someone else, forwarded, does not)."""
    owner_id = shared.get("user_id")
    if owner_id is not None and person.get("id") is not None and owner_id != person.get("id"):
        _answer(config, link, _("فقط شماره همراه خودتان را با دکمهٔ زیر بفرستید."), keyboard="phone")
        return
    number = any_number(str(shared.get("phone_number", "")))
    if not number.startswith("+"):
        _answer(config, link, _("این شماره همراه خوانده نشد."), keyboard="phone")
        return
    link.phone = number
    link.contact = contact_with_number(number)
    link.linked_at = timezone.now()
    link.awaiting = ""
    link.save(update_fields=["phone", "contact", "linked_at", "awaiting"])
    _answer(
        config,
        link,
        _(
            "شماره شما ثبت شد. از این پس پاسخ‌ها و خبرها را همین‌جا هم می‌گیرید؛ با"
            " «اطلاع‌رسانی‌ها» بگویید فقط در بله یا فقط با پیامک."
        ),
        keyboard="menu",
    )


def _status_of(link: MessengerLink, text: str) -> str:
    kind, record = record_with_code(code_words(text))
    mine = link.contact_id is not None and getattr(record, "contact_id", None) == link.contact_id
    if mine and kind.status is not None:
        return kind.status(record)
    # Not found and someone else's are said alike.
    return _("درخواستی با این کد برای شماره شما پیدا نشد.")


def _open_request(config: BaleSettings, link: MessengerLink, text: str):
    kind = conversation_kinds.get(config.opens)
    owner = config.owner
    if kind is None or kind.open is None or owner is None:
        return None
    try:
        with transaction.atomic():
            return kind.open(
                contact=link.contact,
                subject=text.splitlines()[0][:80],
                body=text,
                by=owner,
                assignee=config.assignee,
                kind_type=None,
                channel_name=_("بله"),
            )
    except ValidationError as error:
        logger.warning("Bale opened no %s: %s", kind.label, error.messages)
        return None


def _record(
    config: BaleSettings, link: MessengerLink, body: str, update_id: str, when, *, record=None
) -> Message:
    """The customer's message in their conversation (the record's, when it opened one)."""
    message = Message.objects.create(
        channel=Channel.BALE,
        direction=Message.Direction.IN,
        status=Message.Status.RECEIVED,
        to=link.chat_id,
        contact=link.contact,
        owner=who_answers(record, link.contact, config.owner),
        body=body,
        sender=config.bot_username,
        backend=BACKEND,
        provider_id=update_id,
        related=record,
        created_at=when,
        scheduled_at=when,
        sent_at=when,
    )
    message_received(message)
    return message


def _tell(message: Message, link: MessengerLink) -> None:
    who = link.contact.name if link.contact_id else (link.name or _("یک مشتری"))
    notify(
        user=message.owner,
        title=_("پیام بله از %(who)s") % {"who": who},
        body=message.body[:200],
        url=message.get_absolute_url(),
    )


def _answer(
    config: BaleSettings, link: MessengerLink, text: str, *, keyboard: str = "", related=None
) -> Message | None:
    """The bot's answer, queued in the outbox (sent once this update's transaction
    commits): it stays in the customer's conversation with the rest."""
    owner = who_answers(None, link.contact, config.owner)
    if owner is None:
        return None
    return message_queue(
        channel=Channel.BALE,
        to=link.chat_id,
        body=text,
        by=owner,
        contact=link.contact,
        related=related,
        provider_template=keyboard,
        immediate=True,  # an answer to what the customer just did: no quiet hours
    )
