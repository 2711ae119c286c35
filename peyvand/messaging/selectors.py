"""Reads of the messaging module, visibility applied."""

import datetime
from dataclasses import dataclass
from operator import attrgetter

from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import QueryDict

from peyvand.core.dates import parse_jalali_date
from peyvand.core.exports import Column, choice_label
from peyvand.core.params import int_param
from peyvand.messaging.models import Broadcast, Channel, Message, OptOut

# How many recipients a broadcast form counts before it says "more than".
RECIPIENT_COUNT_CAP = 100_000


@dataclass
class MessageFilters:
    status: str = ""
    channel: str = ""
    backend: str = ""
    owner: int | None = None
    since: datetime.date | None = None
    until: datetime.date | None = None
    broadcast: int | None = None


def messages_for_list(*, user, filters: MessageFilters) -> QuerySet[Message]:
    messages = Message.objects.visible_to(user).select_related("owner", "contact")
    if filters.status:
        messages = messages.filter(status=filters.status)
    if filters.channel:
        messages = messages.filter(channel=filters.channel)
    if filters.backend:
        messages = messages.filter(backend=filters.backend)
    if filters.owner:
        messages = messages.filter(owner_id=filters.owner)
    if filters.broadcast:
        messages = messages.filter(broadcast_id=filters.broadcast)
    if filters.since:
        messages = messages.filter(created_at__date__gte=filters.since)
    if filters.until:
        messages = messages.filter(created_at__date__lte=filters.until)
    return messages.order_by("-created_at", "-id")


def messages_of_contact(contact, *, user, limit: int = 10) -> list[Message]:
    """A contact's newest messages the user may see (the usual rule: their own, their
    teams', everything for managers)."""
    return list(
        Message.objects.visible_to(user)
        .filter(contact=contact)
        .select_related("owner")
        .order_by("-created_at", "-id")[:limit]
    )


def opted_out_channels(contact) -> set[str]:
    """The channels ("sms", "email") whose address of this contact has opted out."""
    addresses = {contact.mobile: Channel.SMS, contact.email.strip().lower(): Channel.EMAIL}
    addresses.pop("", None)
    opted_out = OptOut.objects.filter(address__in=addresses).values_list("address", flat=True)
    return {addresses[address].value for address in opted_out}


def broadcast_progress(broadcast: Broadcast) -> dict[str, int]:
    """Messages of a broadcast by status (served by the (broadcast, status) index)."""
    rows = (
        Message.objects.filter(broadcast=broadcast)
        .values("status")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {row["status"]: row["count"] for row in rows}


def capped_count(queryset: QuerySet, cap: int = RECIPIENT_COUNT_CAP) -> tuple[int, bool]:
    """(count, whether there are more): counting a million rows to print a number is
    not worth the wait."""
    count = queryset.order_by()[: cap + 1].count()
    return min(count, cap), count > cap


def message_filters(params: QueryDict) -> MessageFilters:
    """The message list's filters from its query string (the page and its export)."""

    def date(name):
        try:
            return parse_jalali_date(params[name]) if params.get(name) else None
        except ValidationError:
            return None

    status, channel = params.get("status", ""), params.get("channel", "")
    return MessageFilters(
        status=status if status in Message.Status.values else "",
        channel=channel if channel in Channel.values else "",
        backend=params.get("backend", "")[:20],
        owner=int_param(params, "owner"),
        since=date("since"),
        until=date("until"),
        broadcast=int_param(params, "broadcast"),
    )


def message_rows(user, params: QueryDict):
    """The message list's export (``core.background_exports``)."""
    messages = messages_for_list(user=user, filters=message_filters(params))
    columns = [
        Column("زمان ارسال", attrgetter("scheduled_at"), "date"),
        Column("نوع", lambda message: choice_label(Channel, message.channel)),
        Column("گیرنده", attrgetter("to")),
        Column("مخاطب", lambda message: message.contact.name if message.contact_id else ""),
        Column("موضوع", attrgetter("subject")),
        Column("متن", attrgetter("shown_body")),
        Column("وضعیت", lambda message: choice_label(Message.Status, message.status)),
        Column("فرستنده", lambda message: str(message.owner)),
    ]
    return messages, columns
