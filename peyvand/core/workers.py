"""Which task workers are alive, and what a dead one left behind.

Every ``manage.py worker`` writes a WorkerHeartbeat row when it starts and moves its
``beat_at`` from a heartbeat thread of its own five times per WORKER_HEARTBEAT_SECONDS;
a clean stop (SIGTERM) deletes the row. So /health/ knows within WORKER_HEARTBEAT_SECONDS
that no worker is alive, and a live worker's beat can finish what a dead one (SIGKILL, a
lost host) left half done:

- its task rows, left «running» for ever by django-tasks-db, are marked failed;
- the task's own recovery runs, registered by the app that owns the task
  (``on_interrupted``): an export or a file reading starts again, an import says how far
  it got, the outbox takes back its claimed messages at once instead of after the claim
  timeout.

The sweep runs in the worker's beat thread, not as a queued task: recovery must not wait
behind the hundreds of delivery tasks a broadcast queues."""

import contextlib
import datetime
import logging
import os
import socket
import time
import traceback
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import DateTimeField, ExpressionWrapper
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from peyvand.core.models import WorkerHeartbeat

logger = logging.getLogger("peyvand.workers")

# This process's worker id while it runs a worker ("" in web processes and tests that
# call tasks directly): what claims made by this process are stamped with.
current_worker_id = ""

# A task's recovery when its worker died during it, by the task's module path; called
# with the task's arguments after its row has been marked failed.
_recoveries: dict[str, Callable[..., None]] = {}

# Heartbeat rows of workers dead this long are deleted (health still names the last
# beat until then).
FORGET_AFTER = datetime.timedelta(days=1)


class WorkerDied(Exception):
    """Recorded on a task row whose worker stopped beating while it ran."""


WORKER_DIED = f"{WorkerDied.__module__}.{WorkerDied.__qualname__}"  # the rows' exception


def on_interrupted(task) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Registers the decorated function as ``task``'s recovery."""

    def register(recovery: Callable[..., None]) -> Callable[..., None]:
        _recoveries[task.module_path] = recovery
        return recovery

    return register


def times_interrupted(task, *args) -> int:
    """How often a worker died while running ``task`` with ``args``: a recovery that
    runs the task again gives up after a couple of times (the file itself may be what
    kills the worker)."""
    return DBTaskResult.objects.filter(
        task_path=task.module_path,
        status=TaskResultStatus.FAILED,
        exception_class_path=WORKER_DIED,
        args_kwargs__args=list(args),
    ).count()


def run_again(task, job_id: int, jobs, *, back_to: str, failure: str, attempts: int = 2) -> None:
    """The recovery of a task that claimed its job row by moving its status (``jobs``:
    the row in the status the task left it in): the row goes back ``back_to`` the status
    the task claims it from, and the task is queued again — or, after ``attempts``
    interruptions (the job itself may be what kills the worker), the job fails with the
    Persian ``failure``."""
    if times_interrupted(task, job_id) >= attempts:
        jobs.update(status="failed", failure=failure, finished_at=timezone.now())
    elif jobs.update(status=back_to, processed_rows=0):
        transaction.on_commit(lambda: task.enqueue(job_id))


def enqueue_on_commit(task) -> None:
    """Enqueues ``task`` (no arguments) when the current transaction commits — once per
    transaction, however many changes ask (an import of ten thousand contacts wakes one
    worker). Django empties the list on rollback, so a rolled-back change wakes no one.
    A bound method is a new object at each reading: compared by ==, not «is»."""
    pending = transaction.get_connection().run_on_commit
    if any(callback == task.enqueue for _ids, callback, _robust in pending):
        return
    transaction.on_commit(task.enqueue)


def claim_due(due, *, order_by: tuple[str, ...], limit: int, **changes) -> list[int]:
    """Takes up to ``limit`` rows of ``due`` (a queryset of the rows ready for work: an
    outbox's queued messages, deliveries whose time came) for this worker, in one short
    transaction that skips rows other workers hold: ``changes`` are written to them
    (their status, the claim's time and worker, the attempt counted). Returns their ids;
    the update re-reads ``due``'s conditions, so a row that stopped being due meanwhile
    is left alone."""
    with transaction.atomic():
        ids = list(
            due.order_by(*order_by)
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            due.filter(pk__in=ids).update(**changes)
    return ids


def started(worker_id: str) -> None:
    """The worker's first beat, before it claims anything: a claim is never stamped with
    a worker that has no row yet (the sweep would take it for dead)."""
    global current_worker_id
    current_worker_id = worker_id
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": timezone.now(),
            "beat_at": timezone.now(),
        },
    )
    _beat_recorded()


def heartbeat_interval() -> float:
    """Seconds between a worker's heartbeats: five in every WORKER_HEARTBEAT_SECONDS, so
    a worker is taken for dead only after missing several."""
    return settings.WORKER_HEARTBEAT_SECONDS / 5


class _Pulse:
    """This process's own heartbeats, as its heartbeat thread saw them succeed (read by
    its other threads: plain floats, written by one thread)."""

    last_ok: float | None = None  # time.monotonic() of the last successful beat
    steady_since: float | None = None  # start of the unbroken run of beats


def _beat_recorded() -> None:
    now = time.monotonic()
    if _Pulse.last_ok is None or now - _Pulse.last_ok > settings.WORKER_HEARTBEAT_SECONDS / 2:
        _Pulse.steady_since = now  # a gap (the database away, the table locked): anew
    _Pulse.last_ok = now


def steady() -> bool:
    """Whether this worker may take others for dead: it has beaten without a gap for a
    whole WORKER_HEARTBEAT_SECONDS, and lately. After a database outage or a locked
    heartbeat table every worker's beat is late at once; each must have had its turn to
    beat again before another sweeps it."""
    if _Pulse.last_ok is None or _Pulse.steady_since is None:
        return False
    now = time.monotonic()
    return (
        now - _Pulse.last_ok < settings.WORKER_HEARTBEAT_SECONDS / 2
        and now - _Pulse.steady_since >= settings.WORKER_HEARTBEAT_SECONDS
    )


def sending_allowed() -> bool:
    """Whether this process may go on sending what it claimed: outside a worker (a test, a
    command) always; in a worker only while its own beats get through, for a worker whose
    beats do not may already be taken for dead, its claims recovered and sent by another."""
    if not current_worker_id:
        return True
    return (
        _Pulse.last_ok is not None
        and time.monotonic() - _Pulse.last_ok < settings.WORKER_HEARTBEAT_SECONDS / 2
    )


def _database_now():
    """Now by the database's clock on PostgreSQL (workers on several hosts are judged by
    one clock, whatever their own say); by ours on SQLite (one host)."""
    if connection.vendor == "postgresql":
        return Now()
    return timezone.now()


def heartbeat(worker_id: str) -> None:
    if not WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=_database_now()):
        # Swept as dead while the database was away, or never written: back in the list.
        started(worker_id)
    _beat_recorded()


def stopped(worker_id: str) -> None:
    """A clean stop: /health/ must not count this worker a moment longer."""
    global current_worker_id
    current_worker_id = ""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def _cutoff(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(seconds=settings.WORKER_HEARTBEAT_SECONDS)


def _alive_since(now: datetime.datetime | None):
    """The earliest beat of a live worker: by the database's clock unless ``now`` is given."""
    if now is None and connection.vendor == "postgresql":
        return ExpressionWrapper(
            Now() - datetime.timedelta(seconds=settings.WORKER_HEARTBEAT_SECONDS),
            output_field=DateTimeField(),
        )
    return _cutoff(now or timezone.now())


def live_worker_ids(now: datetime.datetime | None = None) -> set[str]:
    return set(
        WorkerHeartbeat.objects.filter(beat_at__gte=_alive_since(now)).values_list(
            "worker_id", flat=True
        )
    )


def last_beat_age() -> float | None:
    """Seconds since any worker last beat (by the database's clock on PostgreSQL); None
    when no worker has beaten (or all stopped cleanly)."""
    last = (
        WorkerHeartbeat.objects.annotate(now=Now())
        .order_by("-beat_at")
        .values_list("beat_at", "now")
        .first()
    )
    if last is None:
        return None
    beat_at, database_now = last
    now = database_now if connection.vendor == "postgresql" else timezone.now()
    return max(0.0, (now - beat_at).total_seconds())


def sweep(now: datetime.datetime | None = None) -> int:
    """Marks failed the task rows whose worker is dead and runs their recoveries;
    returns how many. Safe on several workers at once: a row is taken by one conditional
    UPDATE, and only the worker that took it recovers it."""
    live = live_worker_ids(now)
    now = now or timezone.now()
    # Rows of tasks that had only just been claimed by a worker that beat since then
    # are the live worker's; a row claimed before the cutoff by a worker not alive now
    # is a dead one's.
    running = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=_cutoff(now)
    ).only("id", "worker_ids", "task_path", "args_kwargs")
    swept = 0
    for row in running:
        worker = row.worker_ids[-1] if row.worker_ids else ""
        if worker in live:
            continue
        # Importing the task registers its recovery (the sweeping worker may not have
        # loaded that module yet).
        with contextlib.suppress(ImportError):
            import_string(row.task_path)
        recovery = _recoveries.get(row.task_path)
        error = WorkerDied(f"worker {worker or '?'} stopped beating while running this task")
        try:
            # Marked failed and recovered in one transaction: a recovery that fails (the
            # database away again) leaves the row running for the next sweep.
            with transaction.atomic():
                taken = DBTaskResult.objects.filter(
                    pk=row.pk, status=TaskResultStatus.RUNNING
                ).update(
                    status=TaskResultStatus.FAILED,
                    finished_at=now,
                    exception_class_path=WORKER_DIED,
                    traceback="".join(traceback.format_exception_only(error)),
                )
                if taken and recovery is not None:
                    recovery(*row.args_kwargs.get("args", []), **row.args_kwargs.get("kwargs", {}))
        except Exception:  # one bad recovery must not keep the others waiting
            logger.exception("recovery of task %s failed", row.pk)
            continue
        if taken:
            swept += 1
            logger.warning(
                "task %s (%s) was left running by dead worker %s", row.pk, row.task_path, worker
            )
    WorkerHeartbeat.objects.filter(beat_at__lt=now - FORGET_AFTER).delete()
    return swept
