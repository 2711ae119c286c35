import datetime

from django.apps import AppConfig


def _anything_due() -> bool:
    from peyvand.messaging.outbox import due_messages

    return due_messages().exists()


def _anything_to_poll() -> bool:
    from django.utils import timezone

    from peyvand.messaging.gateways import sms_backend
    from peyvand.messaging.models import Message
    from peyvand.messaging.outbox import POLL_FOR

    return Message.objects.filter(
        status=Message.Status.SENT,
        channel="sms",
        backend=sms_backend().name,
        sent_at__gte=timezone.now() - POLL_FOR,
    ).exists()


def _receives_sms() -> bool:
    from peyvand.messaging.gateways import sms_backend

    return sms_backend().receives


def _reads_mail() -> bool:
    from peyvand.messaging.models import Mailbox

    return Mailbox.objects.filter(is_active=True).exists()


def _watch_mailboxes(stop) -> None:
    from peyvand.messaging.mail_in import watch_mailboxes

    watch_mailboxes(stop)


def _has_bot() -> bool:
    from peyvand.messaging.bale import bale_token

    return bool(bale_token())


class MessagingConfig(AppConfig):
    name = "peyvand.messaging"
    label = "messaging"
    verbose_name = "پیامک و ایمیل"

    def ready(self) -> None:
        from peyvand.core.background_exports import Exporter, register_exporter
        from peyvand.core.lists import register_list
        from peyvand.core.registry import (
            ListAction,
            RecordPanel,
            register_list_action,
            register_record_panel,
        )
        from peyvand.core.scheduler import (
            Listener,
            PeriodicJob,
            register_listener,
            register_periodic,
        )
        from peyvand.messaging import tasks
        from peyvand.messaging.exports import message_rows
        from peyvand.messaging.lists import MESSAGES

        # The message list: its saved views and the list URLs of core find it by key.
        register_list(MESSAGES)
        register_exporter(
            "messages",
            Exporter("پیام‌ها", "messaging.view_message", message_rows, "messaging:list"),
        )

        register_record_panel(
            RecordPanel(
                "contacts.contact",
                "messaging/_contact_panel.html",
                _contact_panel,
                permission="messaging.view_message",
                order=10,
            )
        )

        # A request's, complaint's or lead's conversation: every message about it, in
        # and out (core.registry's conversation kinds, by label: messaging imports none).
        for label in ("service.request", "service.complaint", "sales.lead"):
            register_record_panel(
                RecordPanel(
                    label,
                    "messaging/_conversation_panel.html",
                    _conversation_panel,
                    permission="messaging.view_message",
                    order=10,
                )
            )

        from peyvand.core.lists import register_list_filter
        from peyvand.messaging.lists import SEND_GROUP

        # The contact list filters by send group (contacts knows no groups).
        register_list_filter("contacts", SEND_GROUP, after="vip")
        register_list_action(
            ListAction(
                "contacts.contact",
                "پیام به این مخاطبین",
                "send",
                "messaging:broadcast_create",
                "messaging.send_broadcast",
            )
        )
        register_list_action(
            ListAction(
                "contacts.contact",
                "افزودن به گروه ارسال",
                "collection",
                "messaging:group_add",
                "messaging.change_contactgroup",
            )
        )
        minute = datetime.timedelta(minutes=1)
        # Scheduled messages, retries after backoff and SMS held through the quiet hours
        # go out when they fall due; a deliver task lost with a dead worker is replaced.
        register_periodic(
            PeriodicJob(
                "messaging.deliver", datetime.timedelta(seconds=10), tasks.deliver, _anything_due
            )
        )
        register_periodic(PeriodicJob("messaging.recover", minute, tasks.recover))
        register_periodic(
            PeriodicJob("messaging.poll", minute, tasks.poll_deliveries, _anything_to_poll)
        )
        # Customers' replies to our line: every minute, with a provider that has them.
        register_periodic(
            PeriodicJob("messaging.receive", minute, tasks.receive_sms, _receives_sms)
        )
        # … and once an hour what the provider handed over that no one recorded (a worker
        # killed between its answer and the insert).
        register_periodic(
            PeriodicJob("messaging.catch_up", 60 * minute, tasks.catch_up_sms, _receives_sms)
        )
        # Customers' emails to the company mailboxes: every minute, when there are any.
        register_periodic(PeriodicJob("messaging.mail", minute, tasks.read_mail, _reads_mail))
        # … and at once where the server offers IDLE (a connection held per mailbox).
        register_listener(Listener("messaging.mail_idle", _watch_mailboxes))
        # Customers' messages to the Bale bot: every 10 seconds, a chat is a conversation.
        register_periodic(
            PeriodicJob("messaging.bale", datetime.timedelta(seconds=10), tasks.read_bale, _has_bot)
        )
        register_periodic(PeriodicJob("messaging.birthdays", 10 * minute, tasks.birthday_greetings))
        register_periodic(PeriodicJob("messaging.occasions", 5 * minute, tasks.occasion_campaigns))


def _contact_panel(request, contact) -> dict:
    from peyvand.messaging.models import Channel, ContactGroup
    from peyvand.messaging.selectors import bale_chat, messages_of_contact, opted_out_channels

    rows = [
        (Channel.SMS.value, "پیامک", contact.mobile),
        (Channel.EMAIL.value, "ایمیل", contact.email.strip().lower()),
    ]
    can_group = request.user.has_perm("messaging.change_contactgroup")
    return {
        "messages": messages_of_contact(contact, user=request.user),
        "bale_link": bale_chat(contact),
        "opt_out_rows": rows,
        "opted_out_channels": opted_out_channels(contact),
        "can_send": request.user.has_perm("messaging.send_message"),
        "groups": ContactGroup.objects.visible_to(request.user).only("id", "name")
        if can_group
        else [],
    }


def _conversation_panel(request, record) -> dict:
    from peyvand.messaging.selectors import conversation_of

    return {
        "messages": conversation_of(record),
        "can_send": request.user.has_perm("messaging.send_message"),
        "record_label": record._meta.label_lower,
    }
