"""Background tasks of سامانه مودیان (run by ``manage.py worker``): thin wrappers over
tax.sending, enqueued by the scheduler's beat (registered in TaxConfig.ready) and, for
``send``, when an invoice is queued."""

from django.db import transaction
from django_tasks import task
from django_tasks.base import TASK_MAX_PRIORITY

from peyvand.core import workers
from peyvand.tax import sending


@task()
def send() -> int:
    return sending.send_due()


@workers.on_interrupted(send)
def send_interrupted() -> None:
    """A worker died while sending: its claims are taken back at once (and asked about
    before they go again), and a new send task replaces the lost one."""
    sending.recover_stale()
    if sending.due().exists():
        transaction.on_commit(send.enqueue)


@task()
def poll() -> int:
    return sending.poll()


@task(priority=TASK_MAX_PRIORITY)
def recover() -> int:
    taken = sending.recover_stale(own_leftovers=True)
    if taken:
        send.enqueue()
    return taken
