"""The message list's export (``core.background_exports``): the rows the list shows under
its filters, in its order (messaging.lists.MESSAGES), for Excel, CSV, PDF and the
background. A secret message's text is its placeholder here too (``shown_body``)."""

from operator import attrgetter

from django.http import QueryDict

from peyvand.core.exports import Column, choice_label
from peyvand.messaging.lists import BACKENDS, MESSAGES
from peyvand.messaging.models import Channel, Message


def message_rows(user, params: QueryDict):
    columns = [
        Column("زمان ثبت", attrgetter("created_at"), "date"),
        Column("زمان ارسال", attrgetter("scheduled_at"), "date"),
        Column("نوع", lambda message: choice_label(Channel, message.channel)),
        Column("جهت", lambda message: choice_label(Message.Direction, message.direction)),
        Column("شماره / نشانی", attrgetter("to")),
        Column("مخاطب", lambda message: message.contact.name if message.contact_id else ""),
        Column("موضوع", attrgetter("subject")),
        Column("متن", attrgetter("shown_body")),
        Column("وضعیت", lambda message: choice_label(Message.Status, message.status)),
        Column("آخرین خطا", attrgetter("last_error")),
        Column("سامانه ارسال", lambda message: str(BACKENDS.get(message.backend, message.backend))),
        Column("کاربر", lambda message: str(message.owner)),
    ]
    return MESSAGES.rows(user, params), columns
