"""What customers email us: the company mailboxes (``Mailbox``) read over IMAP, each new
email recorded once as a received ``Message`` in its customer's conversation.

Where an email goes, first match wins:
1. it answers one of ours or one of theirs we hold (In-Reply-To / References: ours are
   ``<peyvand.<local id>@host>``) — the same record and contact;
2. its subject carries a record's code (a request's or complaint's tracking code: the
   conversation kinds apps register in ``core.registry``) — that record;
3. its sender's address is a contact's — that contact;
4. the mailbox opens a record for the rest (a request, its assignee and type), except
   for auto-replies and bounces.

Exactly once: a mailbox is only read (BODY.PEEK; nothing is marked, moved or deleted
there). Each email is recorded in its own transaction, and the unique (backend,
provider_id) of a received message — ``imap:<mailbox>`` and ``UIDVALIDITY:UID`` — makes
a second worker reading the same mailbox, or a run repeated after a worker died between
recording an email and moving ``last_uid`` past it, record nothing twice (the record a
duplicate would have opened rolls back with it). An email the reader cannot make sense
of is still recorded, with its original, rather than stopping the mailbox.
"""

import contextlib
import imaplib
import logging
import re
import threading
import time
from dataclasses import dataclass, field

import nh3
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from imap_tools import BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessage
from imap_tools.errors import (
    MailboxFolderSelectError,
    MailboxLoginError,
    UnexpectedCommandStatusError,
)

from peyvand.activities.reminders import notify
from peyvand.contacts.selectors import contact_with_email
from peyvand.core.registry import conversation_kinds, record_with_code
from peyvand.core.text import code_words, normalize_persian
from peyvand.messaging.models import Channel, Mailbox, Message
from peyvand.messaging.reading import reading_failed, reading_worked
from peyvand.messaging.selectors import who_answers
from peyvand.messaging.servers import network_problem
from peyvand.messaging.services import keep_received_files, message_received

logger = logging.getLogger("peyvand.mail")

# Emails fetched per IMAP command, and at most per mailbox and run (the next run, a
# minute later, goes on from where this one stopped).
FETCH_BATCH = 25
RUN_LIMIT = 2000
TIMEOUT = 30  # seconds for the connection and each answer

# Ours, as messaging.outbox.build_email names them: the local id is pk * 1000 + round.
_OUR_MESSAGE_ID = re.compile(r"<peyvand\.(\d+)@[^>]*>")
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# Iranian mail clients still send Arabic-script text as windows-1256, sometimes undeclared.
_FALLBACK_CHARSETS = ("utf-8", "windows-1256")


class MailboxUnavailable(Exception):
    """A mailbox that cannot be read now; the message says why in Persian."""


@dataclass
class ParsedEmail:
    sender: str  # the address, lower-cased
    sender_name: str
    subject: str
    text: str
    html: str  # sanitised
    message_id: str
    references: list[str]
    automatic: bool
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)  # name, type, data
    # Ours that a bounce says did not arrive (their ids, from the report's copy of them).
    bounced: list[int] = field(default_factory=list)
    remote_images: int = 0


class _KeptRaw(MailMessage):
    """imap-tools' message that keeps the bytes it was parsed from: the original is kept."""

    def __init__(self, fetch_data: list) -> None:
        super().__init__(fetch_data)
        self.raw: bytes = self._get_message_data_parts(fetch_data)[0]


def _box(mailbox: Mailbox) -> BaseMailBox:
    kind = {
        Mailbox.Security.SSL: MailBox,
        Mailbox.Security.STARTTLS: MailBoxStartTls,
        Mailbox.Security.NONE: MailBoxUnencrypted,
    }[mailbox.security]
    box = kind(mailbox.host, mailbox.port, timeout=TIMEOUT)
    box.email_message_class = _KeptRaw
    return box


def connect(mailbox: Mailbox) -> BaseMailBox:
    """A logged-in connection with the mailbox's folder selected, or MailboxUnavailable
    saying in Persian what failed (the server, the secure connection, the password, the
    folder)."""
    where = f"{mailbox.host}:{mailbox.port}"
    try:
        box = _box(mailbox)
    except OSError as error:  # ssl.SSLError and TimeoutError are OSErrors too
        raise MailboxUnavailable(network_problem(error, where)) from error
    except Exception as error:  # imap-tools' own: the server's greeting or STARTTLS refused
        raise MailboxUnavailable(
            _("سرور %(where)s پاسخ IMAP درستی نداد: %(error)s") % {"where": where, "error": error}
        ) from error
    try:
        box.login(mailbox.username, mailbox.password, initial_folder=mailbox.folder)
    except MailboxLoginError as error:
        _close(box)
        raise MailboxUnavailable(
            _("سرور نام کاربری یا رمز عبور صندوق «%(name)s» را نپذیرفت.") % {"name": mailbox.name}
        ) from error
    except MailboxFolderSelectError as error:
        _close(box)
        raise MailboxUnavailable(
            _("پوشه «%(folder)s» در این صندوق نیست.") % {"folder": mailbox.folder}
        ) from error
    except (OSError, UnexpectedCommandStatusError) as error:
        _close(box)
        raise MailboxUnavailable(
            _("ورود به صندوق «%(name)s» انجام نشد: %(error)s")
            % {"name": mailbox.name, "error": error}
        ) from error
    return box


def _close(box: BaseMailBox) -> None:
    with contextlib.suppress(Exception):  # a connection already gone needs no goodbye
        box.logout()


def check_mailbox(mailbox: Mailbox) -> str:
    """«آزمایش اتصال»: what the mailbox holds, in Persian, or MailboxUnavailable."""
    box = connect(mailbox)
    try:
        status = box.folder.status(mailbox.folder, ["MESSAGES", "UIDNEXT"])
    finally:
        _close(box)
    return _("اتصال برقرار شد؛ پوشه «%(folder)s» %(count)s ایمیل دارد.") % {
        "folder": mailbox.folder,
        "count": status.get("MESSAGES", 0),
    }


def read_mailboxes() -> int:
    """Reads every active mailbox; returns how many emails were new. A mailbox that
    fails is reported on its settings page and to its owner, and tried next run."""
    return sum(read_mailbox(mailbox) for mailbox in Mailbox.objects.filter(is_active=True))


def read_mailbox(mailbox: Mailbox, *, limit: int = RUN_LIMIT) -> int:
    try:
        box = connect(mailbox)
    except MailboxUnavailable as error:
        _failed(mailbox, str(error))
        return 0
    new = 0
    try:
        validity = int(box.folder.status(mailbox.folder, ["UIDVALIDITY"])["UIDVALIDITY"])
        if mailbox.uid_validity != validity:
            # A new folder, or one the server renumbered: read it from the start (emails
            # recorded before are known by their Message-ID and not recorded again).
            Mailbox.objects.filter(pk=mailbox.pk).update(uid_validity=validity, last_uid=0)
            mailbox.uid_validity, mailbox.last_uid = validity, 0
        # "N:*" always names the newest email, even when it is older than N.
        uids = sorted(int(uid) for uid in box.uids(f"UID {mailbox.last_uid + 1}:*"))
        uids = [uid for uid in uids if uid > mailbox.last_uid][:limit]
        for start in range(0, len(uids), FETCH_BATCH):
            batch = [str(uid) for uid in uids[start : start + FETCH_BATCH]]
            for fetched in box.fetch(uid_list=batch, mark_seen=False, bulk=True):
                uid = int(fetched.uid)
                new += (
                    record_email(mailbox, fetched.raw, uid_validity=validity, uid=uid) is not None
                )
                # Only forward: a slower worker never moves it back.
                Mailbox.objects.filter(pk=mailbox.pk, last_uid__lt=uid).update(last_uid=uid)
    except (OSError, UnexpectedCommandStatusError) as error:
        _failed(mailbox, _("خواندن صندوق نیمه‌کاره ماند: %(error)s") % {"error": error})
        return new
    finally:
        _close(box)
    reading_worked(mailbox)
    return new


# -- IDLE: read the moment the server says mail came ---------------------------------------

# RFC 2177 asks clients to end IDLE and start it again within 29 minutes; a shorter
# round also outlives routers that drop quiet connections.
IDLE_SECONDS = 9 * 60
# How often the set of active mailboxes is looked at (a mailbox added or switched on).
WATCH_LIST_SECONDS = 30
RETRY_SECONDS = 60  # after a failed connection (the minute's polling reports it)


def watch_mailboxes(stop: threading.Event) -> None:
    """core.scheduler's listener: an IDLE watcher (watch_mailbox) for every active
    mailbox, one thread each, until ``stop``. The minute's polling goes on beside it
    (servers without IDLE, a watcher between connections); reading twice records once."""
    watchers: dict[int, threading.Thread] = {}
    while not stop.is_set():
        close_old_connections()
        for pk in Mailbox.objects.filter(is_active=True).values_list("pk", flat=True):
            if pk not in watchers or not watchers[pk].is_alive():
                watchers[pk] = threading.Thread(
                    target=watch_mailbox, args=(pk, stop), name=f"imap-idle-{pk}", daemon=True
                )
                watchers[pk].start()
        connection.close()
        stop.wait(WATCH_LIST_SECONDS)


def watch_mailbox(pk: int, stop: threading.Event, *, idle_seconds: float = IDLE_SECONDS) -> None:
    """Holds an IDLE connection to one mailbox and reads it as soon as the server says
    an email came (and once on connecting, for what came meanwhile). Returns when
    ``stop`` is set, the mailbox is switched off or its server settings change (the next
    round of watch_mailboxes starts anew), or its server offers no IDLE."""
    try:
        while not stop.is_set():
            mailbox = Mailbox.objects.filter(pk=pk, is_active=True).first()
            if mailbox is None:
                return
            try:
                box = connect(mailbox)
            except MailboxUnavailable:
                stop.wait(RETRY_SECONDS)
                continue
            try:
                if "IDLE" not in box.client.capabilities:
                    return
                _idle(box, mailbox, stop, idle_seconds)
            except (OSError, UnexpectedCommandStatusError, imaplib.IMAP4.error):
                logger.info("IDLE on mailbox %s ended; connecting again", pk, exc_info=True)
                stop.wait(1)
            finally:
                _close(box)
    finally:
        connection.close()


def _server_of(mailbox: Mailbox) -> tuple:
    fields = ("host", "port", "security", "username", "password", "folder", "is_active")
    return tuple(getattr(mailbox, name) for name in fields)


def _idle(box: BaseMailBox, mailbox: Mailbox, stop: threading.Event, seconds: float) -> None:
    server = _server_of(mailbox)
    came = True  # read once now: what arrived while no one was listening
    while not stop.is_set():
        if came:
            read_mailbox(mailbox)
        came = _mail_came(box, stop, seconds)
        close_old_connections()
        fresh = Mailbox.objects.filter(pk=mailbox.pk).first()
        if fresh is None or _server_of(fresh) != server:
            return
        mailbox = fresh


# How often a waiting IDLE looks whether the worker is stopping.
STOP_CHECK_SECONDS = 2.0


def _mail_came(box: BaseMailBox, stop: threading.Event, seconds: float) -> bool:
    """One IDLE round of at most ``seconds``: whether the server said an email came
    (EXISTS, which may also come with the IDLE's start, where imaplib keeps it aside)."""
    deadline = time.monotonic() + seconds
    box.idle.start()
    try:
        came = box.client.untagged_responses.pop("EXISTS", None) is not None
        while not came and not stop.is_set() and (left := deadline - time.monotonic()) > 0:
            lines = box.idle.poll(timeout=min(STOP_CHECK_SECONDS, left))
            came = any(b"EXISTS" in line for line in lines)
    finally:
        box.idle.stop()
    return came or box.client.untagged_responses.pop("EXISTS", None) is not None


def _failed(mailbox: Mailbox, reason: str) -> None:
    reading_failed(
        mailbox,
        reason,
        title=_("صندوق ایمیل «%(name)s» خوانده نمی‌شود") % {"name": mailbox.name},
        url=mailbox.get_absolute_url(),
    )


# -- one email ------------------------------------------------------------------------


def _decode(payload: bytes | None, charset: str | None) -> str:
    """A text part's payload as text: its declared charset if Python knows it, else
    UTF-8, else windows-1256; never an exception (the original is kept beside it)."""
    if not payload:
        return ""
    tried = [charset.lower()] if charset else []
    for name in (*tried, *_FALLBACK_CHARSETS):
        try:
            return payload.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("utf-8", "replace")


def _header(parsed: MailMessage, name: str) -> str:
    return " ".join(parsed.headers.get(name.lower(), ())).strip()


def is_bounce(parsed: MailMessage) -> bool:
    """A delivery report (RFC 3464's multipart/report) or a mail server's own notice."""
    if parsed.obj.get_content_type() == "multipart/report":
        return True
    local = (parsed.from_ or "").split("@")[0].lower()
    return local in {"mailer-daemon", "postmaster"}


def is_automatic(parsed: MailMessage) -> bool:
    """An auto-reply (out of office), a bounce or a list's mail (RFC 3834's
    Auto-Submitted, the de-facto X-Autoreply and Precedence, delivery reports)."""
    auto_submitted = _header(parsed, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return True
    if _header(parsed, "X-Autoreply") or _header(parsed, "X-Autorespond"):
        return True
    if _header(parsed, "Precedence").lower() in {"bulk", "junk", "list", "auto_reply"}:
        return True
    return is_bounce(parsed) or _header(parsed, "Return-Path") == "<>"


def sanitised_html(html: str, *, remote_images: bool = False) -> tuple[str, int]:
    """The HTML part made safe to show inside our page (nh3: no scripts, styles, forms,
    event handlers) with remote images removed — a tracking pixel tells the sender when
    we read it — unless a reader asked for them (``remote_images``: https and http
    ones kept); returns the HTML and how many images were removed."""
    removed = 0

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        nonlocal removed
        if tag == "img" and attribute == "src":
            if remote_images and value.lower().startswith(("https://", "http://")):
                return value
            if not value.startswith("cid:"):
                removed += 1
            return None  # inline (cid:) images are the email's attachments
        return value

    cleaned = nh3.clean(
        html,
        attribute_filter=attribute_filter,
        link_rel="noopener noreferrer nofollow",
        url_schemes={"http", "https", "mailto", "tel"},
    )
    return cleaned, removed


def _text_of_html(html: str) -> str:
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</tr>|</li>", "\n", html)
    text = nh3.clean(text, tags=set())
    return re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+", " ", text)).strip()


def html_with_images(message: Message) -> str:
    """A received email's HTML with its remote images, from the original (read when a
    reader asks «نمایش تصاویر»)."""
    with message.raw.open("rb") as handle:
        return parse_email(handle.read(), remote_images=True).html


def parse_email(raw: bytes, *, remote_images: bool = False) -> ParsedEmail:
    parsed = MailMessage.from_bytes(raw)
    texts, htmls, attachments = [], [], []
    for part in parsed.obj.walk():
        if part.get_content_maintype() == "multipart":
            continue
        kind = part.get_content_type()
        name = part.get_filename()
        if (
            name is None
            and kind in ("text/plain", "text/html")
            and part.get_content_disposition() != "attachment"
        ):
            decoded = _decode(part.get_payload(decode=True), part.get_content_charset())
            (texts if kind == "text/plain" else htmls).append(decoded)
            continue
        if name is None and part.get("Content-ID") is None and kind != "message/rfc822":
            continue
        payload = part.get_payload(decode=True)
        if payload is None and kind == "message/rfc822":
            payload = part.as_bytes()
        attachments.append((_file_name(name, kind), kind, payload or b""))
    html, remote = sanitised_html("".join(htmls), remote_images=remote_images) if htmls else ("", 0)
    text = "\n".join(texts).strip() or _text_of_html(html)
    references = _MESSAGE_ID.findall(
        _header(parsed, "In-Reply-To") + " " + _header(parsed, "References")
    )
    sender = parsed.from_values
    return ParsedEmail(
        sender=(sender.email if sender else "").strip().lower(),
        sender_name=(sender.name if sender else "").strip(),
        # Stored as typed text is (core.text): Arabic ي and ك, which windows-1256 mail
        # carries, become Persian, digits Latin; pages show the reader's digits.
        subject=normalize_persian(" ".join(parsed.subject.split()))[:200],
        text=normalize_persian(text),
        html=html,
        message_id=(_MESSAGE_ID.findall(_header(parsed, "Message-ID")) or [""])[0][:255],
        references=references,
        automatic=is_automatic(parsed),
        bounced=[
            int(local) // 1000 for local in _OUR_MESSAGE_ID.findall(raw.decode("ascii", "replace"))
        ]
        if is_bounce(parsed)
        else [],
        attachments=attachments,
        remote_images=remote,
    )


def _ours_named(raw: bytes) -> list[int]:
    """The ids of our messages a bounce names (its copy of their headers)."""
    named = _OUR_MESSAGE_ID.findall(raw.decode("ascii", "replace"))
    return sorted({int(local) // 1000 for local in named})


def _file_name(name: str | None, kind: str) -> str:
    name = (name or "").replace("/", "_").replace("\\", "_").strip()[:200]
    if not name:
        extension = {"message/rfc822": ".eml", "image/png": ".png", "image/jpeg": ".jpg"}
        name = _("پیوست") + extension.get(kind, "")
    return name


def _conversation(parsed: ParsedEmail):
    """(record, contact) the email belongs to by its threading and its subject."""
    ours = [int(local) // 1000 for local in _OUR_MESSAGE_ID.findall(" ".join(parsed.references))]
    theirs = [ref[:255] for ref in parsed.references if not _OUR_MESSAGE_ID.fullmatch(ref)]
    if ours or theirs:
        earlier = (
            Message.objects.filter(Q(pk__in=ours) | Q(message_id__in=theirs, direction="in"))
            .select_related("contact")
            .order_by("-created_at", "-id")
            .first()
        )
        if earlier is not None:
            record = earlier.related
            if record is not None and getattr(record, "deleted_at", None) is not None:
                record = None  # in the trash: the email goes to the customer, not there
            if record is not None or earlier.contact is not None:
                return record, earlier.contact or getattr(record, "contact", None)
    _kind, record = record_with_code(code_words(parsed.subject))
    if record is not None:
        return record, getattr(record, "contact", None)
    return None, None


def record_email(mailbox: Mailbox, raw: bytes, *, uid_validity: int, uid: int) -> Message | None:
    """Records one email read from ``mailbox`` (None: recorded before) in its
    conversation, with its files and its original; tells whom it is for."""
    provider_id = f"{uid_validity}:{uid}"
    if Message.objects.filter(backend=mailbox.backend, provider_id=provider_id).exists():
        return None
    try:
        parsed = parse_email(raw)
    except Exception:
        logger.exception("Email %s of mailbox %s not parsed", provider_id, mailbox.pk)
        parsed = None
    try:
        with transaction.atomic():
            if parsed is not None and _seen_before(mailbox, parsed):
                return None
            try:
                with transaction.atomic():
                    return _record(mailbox, parsed, raw, provider_id)
            except (IntegrityError, DatabaseError):
                raise
            except Exception:
                if parsed is None:
                    raise
                # A defect of ours on this email must not stop the mailbox at it every
                # minute: kept as an unreadable one, its original whole, for a person.
                logger.exception("Email %s of mailbox %s not recorded", provider_id, mailbox.pk)
                return _record(mailbox, None, raw, provider_id)
    except IntegrityError:
        return None  # another worker recorded it a moment ago


def _seen_before(mailbox: Mailbox, parsed: ParsedEmail) -> bool:
    """The same email read again after the server renumbered the folder."""
    return bool(parsed.message_id) and (
        Message.objects.filter(
            backend=mailbox.backend, message_id=parsed.message_id, direction="in"
        ).exists()
    )


def _record(mailbox: Mailbox, parsed: ParsedEmail | None, raw: bytes, provider_id: str) -> Message:
    now = timezone.now()
    unreadable = parsed is None
    if parsed is None:
        # Unreadable: kept whole for a person to open, never lost and never in a loop.
        parsed = ParsedEmail(
            sender="",
            sender_name="",
            subject=_("ایمیل خوانده‌نشده"),
            text=_("این ایمیل ساختار درستی نداشت؛ نامهٔ اصلی را بگیرید و باز کنید."),
            html="",
            message_id="",
            references=[],
            automatic=True,
        )
    record, contact = _conversation(parsed)
    if contact is None and parsed.sender:
        contact = contact_with_email(parsed.sender)
    kind = conversation_kinds.get(mailbox.opens)
    if record is None and kind is not None and kind.open is not None and not parsed.automatic:
        record = _open(kind, mailbox, parsed, contact)
    owner = who_answers(record, contact, mailbox.owner)
    message = Message(
        channel=Channel.EMAIL,
        direction=Message.Direction.IN,
        status=Message.Status.RECEIVED,
        to=parsed.sender[:254],
        contact=contact,
        owner=owner,
        subject=parsed.subject,
        body=parsed.text,
        html=parsed.html,
        remote_images=parsed.remote_images,
        sender=mailbox.address,
        backend=mailbox.backend,
        provider_id=provider_id,
        message_id=parsed.message_id,
        mailbox=mailbox,
        automatic=parsed.automatic,
        related=record,
        created_at=now,
        scheduled_at=now,
        sent_at=now,
    )
    message.save()
    message_received(message)
    message.raw.save(f"{message.pk}.eml", ContentFile(raw), save=False)
    refused = keep_received_files(
        message,
        [(name, data) for name, _kind, data in parsed.attachments],
        record=record or contact,
        owner=owner,
        note=_("از ایمیل «%(subject)s»") % {"subject": parsed.subject},
        kept_in=_("در نامهٔ اصلی هست"),
    )
    if refused:
        message.body += "\n\n" + "\n".join(refused)
    Message.objects.filter(pk=message.pk).update(raw=message.raw.name, body=message.body)
    if unreadable or not parsed.automatic:
        who = contact.name if contact is not None else (parsed.sender_name or parsed.sender)
        notify(
            user=owner,
            title=_("ایمیلی که خوانده نشد") if unreadable else _("ایمیل از %(who)s") % {"who": who},
            body=parsed.subject or parsed.text[:200],
            url=message.get_absolute_url(),
        )
    _undelivered(parsed.bounced, message)
    return message


def _undelivered(ours: list[int], bounce: Message) -> None:
    """Ours a bounce names did not arrive: «نرسید», with the bounce's subject as why,
    each told to its sender once (a bounce read again changes nothing)."""
    if not ours:
        return
    reason = _("ایمیل برگشت خورد: %(subject)s") % {"subject": bounce.subject or "—"}
    for returned in Message.objects.filter(
        pk__in=ours,
        channel=Channel.EMAIL,
        direction=Message.Direction.OUT,
        status__in=(Message.Status.SENT, Message.Status.DELIVERED),
    ).select_related("owner"):
        updated = Message.objects.filter(pk=returned.pk, status=returned.status).update(
            status=Message.Status.UNDELIVERED, last_error=reason[:500], updated_at=timezone.now()
        )
        if updated:
            notify(
                user=returned.owner,
                title=_("ایمیل به %(to)s نرسید") % {"to": returned.to},
                body=reason,
                url=returned.get_absolute_url(),
            )


def _open(kind, mailbox: Mailbox, parsed: ParsedEmail, contact):
    """The record the mailbox opens for a new email, or None when it cannot be opened
    (no urgency defined…): the email is still recorded, and the mailbox's owner told why."""
    try:
        with transaction.atomic():
            return kind.open(
                contact=contact,
                subject=parsed.subject,
                body=parsed.text,
                by=mailbox.owner,
                assignee=mailbox.assignee,
                kind_type=mailbox.request_type,
            )
    except ValidationError as error:
        logger.warning("Mailbox %s opened no %s: %s", mailbox.pk, kind.label, error.messages)
        notify(
            user=mailbox.owner,
            title=_("برای ایمیل «%(subject)s» %(kind)s ثبت نشد")
            % {"subject": parsed.subject, "kind": kind.title},
            body=error.messages[0],
            url=mailbox.get_absolute_url(),
        )
        return None
