"""The message list (``MESSAGES``), declared once (core.lists): the page, its Excel,
CSV and PDF exports and the API's ``GET /messages`` read the same rows through it. And
what messaging adds to other apps' lists: the contact list's «گروه ارسال» filter,
registered from this app's ready() (contacts cannot know the groups)."""

from __future__ import annotations

import datetime
import html
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from django.db.models import Q, QuerySet, Value
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from peyvand.accounts.selectors import people_who_can
from peyvand.contacts.models import Contact
from peyvand.core.lists import (
    PAST,
    Choice,
    Column,
    DateTimeRange,
    ListSpec,
    MultiChoice,
    Person,
    Reading,
    Record,
    Search,
    Sort,
    YesNo,
    cells,
)
from peyvand.core.params import parse_id
from peyvand.core.templatetags.peyvand import fa_datetime, fa_phone
from peyvand.core.text import fa_search_key, national_phone_key, number_part
from peyvand.messaging.gateways import EMAIL_BACKEND_NAME, SMS_BACKENDS
from peyvand.messaging.models import Broadcast, Channel, ContactGroup, ContactGroupMember, Message


@dataclass(frozen=True, kw_only=True)
class GroupFilter(Choice):
    """``?group=<id>``: the contacts in one send group, among the groups the user may see
    (one query, set or not). Another user's group is no option: it filters nothing; so
    is every group for whom may not see groups at all (their names are not told)."""

    choices: Any = ()

    def options(self, reading: Reading) -> list[tuple[str, str]]:
        if not reading.user.has_perm("messaging.view_contactgroup"):
            return []
        return reading.source(
            self.name,
            lambda: [
                (str(pk), name)
                for pk, name in ContactGroup.objects.visible_to(reading.user)
                .order_by("name", "id")
                .values_list("pk", "name")
            ],
        )

    def parameters(self) -> dict[str, tuple[Any, str]]:
        return {self.name: (int | None, f"{self.label} (شناسه)")}

    def read(self, params, reading: Reading) -> Any:
        value = parse_id(params.get(self.name))
        if value is None:
            return None
        return super().read({self.name: str(value)}, reading)

    def narrow(self, queryset: QuerySet, value: Any, reading: Reading) -> QuerySet:
        members = ContactGroupMember.objects.filter(group_id=value).values("contact_id")
        return queryset.filter(pk__in=members)


SEND_GROUP = GroupFilter(name="group", label=_("گروه ارسال"))


# The message list --------------------------------------------------------------------------


def message_search(text: str, reading: Reading) -> Q:
    """Part of the recipient's number (Persian or Latin digits, with or without 0/+98)
    or email address, of the subject or of the text — never a secret message's text:
    ``Message.search_key`` leaves it out — or the name, company or phone of the
    message's contact (its customer_key, in the same search key)."""
    digits = number_part(text)
    return Q(search_key__contains=digits or national_phone_key(fa_search_key(text) or ""))


def _searchable_text(message) -> str:
    # Said only of what the search looked in: a secret text never.
    return "" if message.is_secret else message.body


def _created(message) -> str:
    shown = f'<span class="text-nowrap">{html.escape(fa_datetime(message.created_at))}</span>'
    if message.scheduled_at > message.created_at:
        later = html.escape(fa_datetime(message.scheduled_at))
        shown += (
            f'<div class="small text-secondary text-nowrap"><i class="bi bi-alarm" '
            f'aria-hidden="true"></i> {later}</div>'
        )
    return cells._safe(shown)


def _recipient(message) -> str:
    shown = ""
    if message.contact_id:
        url = html.escape(message.contact.get_absolute_url())
        shown = f'<a href="{url}">{html.escape(message.contact.name)}</a><br>'
    to = fa_phone(message.to) if message.channel == Channel.SMS else message.to
    return cells._safe(f'{shown}<span class="ltr small text-nowrap">{html.escape(to)}</span>')


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _text(message) -> str:
    """The subject, else the text as staff may read it (a secret one's placeholder)."""
    return cells.link(lambda row: _clip(row.subject or row.shown_body, 60))(message)


STATUS_LOOKS = {
    Message.Status.DELIVERED: ("success", "check2-all"),
    Message.Status.SENT: ("primary", "check2"),
    Message.Status.QUEUED: ("secondary", "hourglass-split"),
    Message.Status.SENDING: ("info", "send"),
    Message.Status.CANCELLED: ("light border", "x-circle"),
    Message.Status.RECEIVED: ("success", "reply"),
}


def _status(message) -> str:
    """Colour always with an icon and the word (as messaging/_status.html), and the
    last error under it."""
    tone, icon = STATUS_LOOKS.get(message.status, ("danger", "exclamation-triangle"))
    word = html.escape(message.get_status_display())
    if message.status == Message.Status.QUEUED and message.attempts:
        word += f" ({html.escape(str(_('تلاش دوباره')))})"
    shown = (
        f'<span class="badge text-bg-{tone}"><i class="bi bi-{icon}" aria-hidden="true"></i> '
        f"{word}</span>"
    )
    if message.unseen:
        shown += f' <span class="badge text-bg-warning">{html.escape(str(_("تازه")))}</span>'
    if message.last_error:
        error = html.escape(_clip(message.last_error, 90))
        shown += f'<div class="small text-danger">{error}</div>'
    return cells._safe(shown)


def _retry_button(message) -> str:
    """«ارسال دوباره» for what may be sent again, to a reader who may send: a button of
    the page's one POST form (#message-retry, with its CSRF token and the way back)."""
    if not (message.may_send and message.retryable):
        return cells._safe("")
    url = html.escape(reverse("messaging:retry", args=[message.pk]))
    return cells._safe(
        f'<button class="btn btn-sm btn-outline-danger text-nowrap" type="submit" '
        f'form="message-retry" formaction="{url}"><i class="bi bi-arrow-repeat" '
        f'aria-hidden="true"></i> {html.escape(str(_("ارسال دوباره")))}</button>'
    )


def _datetime_or_dash(get):
    return cells.text(lambda row: fa_datetime(get(row)) if get(row) else "—")


# The gateways a message may have gone through: the SMS ones this version knows, and SMTP.
BACKENDS = {
    **{name: _(gateway.label) for name, gateway in SMS_BACKENDS.items()},
    EMAIL_BACKEND_NAME: _("ایمیل"),
}


@dataclass(frozen=True, kw_only=True)
class BroadcastFilter(Record):
    """``?broadcast=<id>``: the messages of one broadcast (its page links here by
    status). Named by its title through the broadcasts' own visibility — one query, set
    or not; an id the reader may not see still narrows and is named «نامعلوم». The bar
    keeps it as it came: a broadcast is picked on its own page, not here."""

    model: Any = Broadcast
    url: str = "messaging:broadcast_list"
    template = "messaging/_broadcast_filter.html"

    def label_of(self, value: Any, reading: Reading) -> str:
        # pk__in=[0] when empty: the query runs either way (the pinned query count).
        found = (
            Broadcast.objects.visible_to(reading.user)
            .filter(pk__in=[value or 0])
            .values_list("title", flat=True)
            .first()
        )
        return found or ("نامعلوم" if value else "")


@dataclass(frozen=True, kw_only=True)
class CreatedRange(DateTimeRange):
    """The registration time, whole Tehran days (the index walks their bounds; the old
    filter cast each row's time to a UTC date, which no index served and which put a
    message of 01:00 Tehran on the day before). Also reads the old ``since`` / ``until``
    (bookmarks, API clients) when ``created_from`` / ``created_to`` are not given."""

    old: tuple[str, str] = ("since", "until")

    def names(self) -> tuple[str, ...]:
        return (*super().names(), *self.old)

    def read(self, params: QueryDict, reading: Reading) -> Any:
        new = super().names()
        if any(params.get(name) for name in self.old) and not any(params.get(name) for name in new):
            params = params.copy()
            params[f"{self.name}_from"] = params.get(self.old[0], "")
            params[f"{self.name}_to"] = params.get(self.old[1], "")
        return super().read(params, reading)

    def parameters(self) -> dict[str, tuple[Any, str]]:
        return {
            **super().parameters(),
            self.old[0]: (datetime.date | None, f"نام قدیمی {self.name}_from (YYYY-MM-DD)"),
            self.old[1]: (datetime.date | None, f"نام قدیمی {self.name}_to (YYYY-MM-DD)"),
        }


def _channel_and_direction(message) -> str:
    channel = message.get_channel_display()
    return f"{channel} ({_('دریافتی')})" if message.received else channel


def _base(user) -> QuerySet:
    """What the user may see (their own, their teams', everything with «see all»), and
    whether they may send again — a constant of the query, so that the retry cell needs
    no request."""
    may_send = user.has_perm("messaging.send_message")
    return (
        Message.objects.visible_to(user)
        .select_related("owner", "contact")
        .annotate(may_send=Value(may_send))
    )


MESSAGES = ListSpec(
    key="messages",
    label=_("پیام‌ها"),
    model=Message,
    permission="messaging.view_message",
    url_name="messaging:list",
    base=_base,
    filters=[
        Search(
            condition=message_search,
            placeholder=_("بخشی از شماره یا ایمیل، نام مخاطب، موضوع یا متن"),
            shown=(
                (_("شماره یا نشانی"), attrgetter("national_to")),
                (_("مخاطب"), lambda message: message.contact.name if message.contact_id else ""),
                (_("موضوع"), lambda message: message.subject),
                (_("متن"), _searchable_text),
            ),
        ),
        MultiChoice(
            name="status", label=_("وضعیت"), field="status", choices=Message.Status.choices
        ),
        Choice(name="channel", label=_("نوع"), field="channel", choices=Channel.choices),
        CreatedRange(name="created", label=_("زمان ثبت"), field="created_at", presets=PAST),
        # «فیلترهای بیشتر»
        # Received ones by their own index (message_received_recent): few among millions.
        Choice(
            name="direction", label=_("جهت"), field="direction", choices=Message.Direction.choices
        ),
        YesNo(
            name="new",
            label=_("تازه برای من"),
            condition=lambda reading: Q(direction="in", seen_at__isnull=True, owner=reading.user),
            words=(_("تازه"), _("دیده‌شده یا نه برای من")),
        ),
        Person(
            name="owner",
            label=_("کاربر"),
            field="owner",
            people=people_who_can("messaging.view_message"),
        ),
        Record(
            name="contact",
            label=_("مخاطب"),
            field="contact",
            model=Contact,
            url="contacts:autocomplete",
        ),
        Choice(
            name="backend", label=_("سامانه ارسال"), field="backend", choices=list(BACKENDS.items())
        ),
        BroadcastFilter(name="broadcast", label=_("ارسال گروهی"), field="broadcast"),
    ],
    sorts=[Sort("created", _("زمان ثبت"), ("-created_at", "-id"), index="message_recent")],
    columns=[
        Column("created", _("زمان ثبت"), _created, sort="created"),
        Column("channel", _("نوع"), cells.text(_channel_and_direction)),
        # The customer's side, either way (the recipient of ours, the sender of theirs).
        Column("recipient", _("مخاطب"), _recipient),
        Column("text", _("متن"), _text),
        Column("status", _("وضعیت"), _status),
        Column("owner", _("کاربر"), cells.text(lambda message: message.owner)),
        Column(
            "backend",
            _("سامانه ارسال"),
            cells.text(lambda message: BACKENDS.get(message.backend, message.backend) or "—"),
            default=False,
        ),
        Column(
            "sent_at",
            _("زمان ارسال شدن"),
            _datetime_or_dash(lambda message: message.sent_at),
            default=False,
        ),
        Column(
            "delivered_at",
            _("زمان رسیدن"),
            _datetime_or_dash(lambda message: message.delivered_at),
            default=False,
        ),
        Column("retry", _("ارسال دوباره"), _retry_button, action=True),
    ],
)
