"""Background tasks of the outbox (run by ``manage.py worker``): thin wrappers over
messaging.outbox and messaging.services. The periodic ones are enqueued by the
scheduler's beat (registered in MessagingConfig.ready)."""

from django.db import transaction
from django_tasks import task
from django_tasks.base import TASK_MAX_PRIORITY

from peyvand.core import workers
from peyvand.messaging import bale, inbound, mail_in, outbox, services
from peyvand.messaging.models import Broadcast


@task()
def deliver() -> int:
    """Sends every due message; several of these may run at once on several workers."""
    return outbox.deliver_due()


@workers.on_interrupted(deliver)
def deliver_interrupted() -> None:
    """A worker died while sending: a live worker's beat takes its claims back at once
    (asking the provider what it already holds) rather than after the claim timeout,
    and a new deliver task replaces the lost one."""
    outbox.recover_stale()
    if outbox.due_messages().exists():
        transaction.on_commit(deliver.enqueue)


@task()
def expand(broadcast_id: int) -> int:
    broadcast = Broadcast.objects.filter(pk=broadcast_id).first()
    if broadcast is None:
        return 0
    try:
        return services.expand_broadcast(broadcast)
    except Exception:
        Broadcast.objects.filter(pk=broadcast_id, status=Broadcast.Status.PENDING).update(
            status=Broadcast.Status.FAILED,
            failure="آماده‌سازی این ارسال با خطا روبه‌رو شد؛ به مدیر سامانه خبر دهید.",
        )
        raise


# Ahead of every queued task (django-tasks-db takes the highest priority first): a
# broadcast's hundreds of deliver tasks must not hold back taking back a dead claim.
@task(priority=TASK_MAX_PRIORITY)
def recover() -> list[int]:
    requeued, unknown, found_sent = outbox.recover_stale(own_leftovers=True)
    if requeued:  # sent now, not when the beat next finds them due
        deliver.enqueue()
    return [requeued, unknown, found_sent]


@task()
def poll_deliveries() -> int:
    return outbox.poll_deliveries()


@task()
def birthday_greetings() -> int:
    return services.birthday_greetings()


@task()
def occasion_campaigns() -> int:
    return services.occasion_campaigns()


@task()
def receive_sms() -> int:
    """Records the SMS customers sent to our line (messaging.inbound)."""
    return inbound.receive_sms()


@task()
def catch_up_sms() -> int:
    """Records received SMS a dead worker took from the provider but never recorded."""
    return inbound.catch_up_sms()


@task()
def read_mail() -> int:
    """Records the emails customers sent to the company mailboxes (messaging.mail_in)."""
    return mail_in.read_mailboxes()


@task()
def read_bale() -> int:
    """Acts on what customers did with the Bale bot (messaging.bale)."""
    return bale.receive_bale()
