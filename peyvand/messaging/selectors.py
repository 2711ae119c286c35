"""Reads of the messaging module, visibility applied."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, QuerySet

from peyvand.messaging.models import Broadcast, Channel, Message, MessengerLink, OptOut

# How many recipients a broadcast form counts before it says "more than".
RECIPIENT_COUNT_CAP = 100_000


def messages_of_contact(contact, *, user, limit: int = 10) -> list[Message]:
    """A contact's newest messages the user may see (the usual rule: their own, their
    teams', everything for managers)."""
    return list(
        Message.objects.visible_to(user)
        .filter(contact=contact)
        .select_related("owner")
        .order_by("-created_at", "-id")[:limit]
    )


def who_answers(record, contact, otherwise):
    """Whom a customer's message is for: the record it is about answers through its
    ``conversation_owner`` (a request's assignee), else the contact's owner, else
    ``otherwise`` (the mailbox's, the bot's or the messaging settings' user)."""
    return (
        getattr(record, "conversation_owner", None)
        or (contact.owner if contact is not None else None)
        or otherwise
    )


def conversation_of(record, *, limit: int = 30) -> list[Message]:
    """A record's conversation, oldest first: the newest ``limit`` messages about it, in
    and out, by every channel (index message_related). Whoever sees the record reads
    its conversation there."""
    newest = (
        Message.objects.filter(
            content_type=ContentType.objects.get_for_model(record), object_id=record.pk
        )
        .select_related("owner", "contact")
        .prefetch_related("attachments")
        .order_by("-created_at", "-id")[:limit]
    )
    return list(reversed(newest))


def bale_chat(contact) -> MessengerLink | None:
    """The contact's chat with our Bale bot (the one they linked last, by sharing their
    number), or None (index messenger_contact)."""
    chats = MessengerLink.objects.filter(contact=contact, channel=Channel.BALE)
    return chats.order_by("-linked_at", "-pk").first()


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
