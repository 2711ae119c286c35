"""Periodic jobs (deliver due messages, poll delivery reports, birthday greetings,
crash recovery) without cron: each worker process (``manage.py worker``) runs a beat
that, every few seconds, claims the jobs that fall due and enqueues their tasks. The claim
is one conditional UPDATE of the job's ScheduleLease row, so with several workers on
several hosts a job is enqueued once per period; the work itself runs through the task
queue like any other task. Apps register their jobs in AppConfig.ready().

A listener is the other kind of background work: a loop that waits on something outside
(a mail server's IDLE) and acts at once. Each worker that beats runs every registered
listener in a thread of its own (``manage.py worker``), so what it does must be safe with
several workers doing it too."""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from peyvand.core.models import ScheduleLease

logger = logging.getLogger("peyvand.scheduler")


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: datetime.timedelta
    task: object  # a django_tasks Task; enqueued with no arguments
    # A cheap check that there is anything to do; skipping saves a task row per period.
    needed: Callable[[], bool] | None = None


periodic_jobs: dict[str, PeriodicJob] = {}


def register_periodic(job: PeriodicJob) -> None:
    periodic_jobs[job.name] = job


@dataclass(frozen=True)
class Listener:
    name: str
    # run(stop): waits and acts until ``stop`` (a threading.Event) is set; an exception
    # ends one run, and the worker starts it again after a pause.
    run: Callable


listeners: dict[str, Listener] = {}


def register_listener(listener: Listener) -> None:
    listeners[listener.name] = listener


def _claim(job: PeriodicJob, now: datetime.datetime, worker_id: str) -> bool:
    claimed = ScheduleLease.objects.filter(name=job.name, next_run_at__lte=now).update(
        next_run_at=now + job.every, last_beat_by=worker_id
    )
    if claimed:
        return True
    if ScheduleLease.objects.filter(name=job.name).exists():
        return False
    try:
        with transaction.atomic():
            ScheduleLease.objects.create(
                name=job.name, next_run_at=now + job.every, last_beat_by=worker_id
            )
    except IntegrityError:  # another worker created it first: it runs this period
        return False
    return True


def beat(*, worker_id: str = "", now: datetime.datetime | None = None) -> list[str]:
    """Enqueues every job that is due; returns their names."""
    now = now or timezone.now()
    enqueued = []
    for job in periodic_jobs.values():
        if not _claim(job, now, worker_id):
            continue
        if job.needed is not None and not job.needed():
            continue
        job.task.enqueue()
        enqueued.append(job.name)
    return enqueued
