"""Background tasks of the outbox (run by ``manage.py worker``): thin wrappers over
messaging.outbox and messaging.services. The periodic ones are enqueued by the
scheduler's beat (registered in MessagingConfig.ready)."""

from django_tasks import task

from peyvand.messaging import outbox, services
from peyvand.messaging.models import Broadcast


@task()
def deliver() -> int:
    """Sends every due message; several of these may run at once on several workers."""
    return outbox.deliver_due()


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


@task()
def recover() -> list[int]:
    return list(outbox.recover_stale())


@task()
def poll_deliveries() -> int:
    return outbox.poll_deliveries()


@task()
def birthday_greetings() -> int:
    return services.birthday_greetings()


@task()
def occasion_campaigns() -> int:
    return services.occasion_campaigns()
