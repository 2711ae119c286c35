"""``manage.py worker``: django-tasks-db's ``db_worker`` (same options) plus background
threads: the worker's heartbeat (core.workers), the beat that sweeps dead workers' tasks
and enqueues core.scheduler's periodic jobs, and core.scheduler's listeners (a mail
server's IDLE). Run one or more per host; all of
them share the database queue and the schedule safely.

django-tasks-db's worker ends its process on any database error outside a task (a
0.35 s PostgreSQL restart was enough), so SMS, reminders and imports stopped until a
person restarted it. Ours backs off and carries on; only a signal (SIGINT, SIGTERM)
stops it."""

import contextlib
import logging
import os
import signal
import sys
import threading
import time

from django.db import close_old_connections, connection, connections
from django.db.utils import InterfaceError, OperationalError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from peyvand.core import workers
from peyvand.core.scheduler import Listener, beat, listeners

logger = logging.getLogger("peyvand.scheduler")


def _heartbeat_forever(worker_id: str) -> None:
    """This worker's heartbeat and nothing else, so that no slow work (a recovery asking
    the SMS provider, a periodic job) can delay a beat until others take it for dead."""
    while True:
        try:
            close_old_connections()
            workers.heartbeat(worker_id)
        except Exception:  # the database away: beat again later
            logger.warning("worker heartbeat failed", exc_info=True)
        finally:
            connection.close()
        time.sleep(workers.heartbeat_interval())


def _beat_forever(worker_id: str, interval: float, periodic: bool) -> None:
    """Every ``interval`` seconds: the sweep of dead workers' tasks (once this worker's
    own beats are steady, core.workers.steady) and the periodic jobs that fell due."""
    while True:
        try:
            close_old_connections()
            if workers.steady():
                workers.sweep()
            if periodic:
                beat(worker_id=worker_id)
        except Exception:  # the database restarting, a bug in one job: beat again later
            logger.exception("worker beat failed")
        finally:
            connection.close()
        time.sleep(interval)


def _listen_forever(listener: Listener, stop: threading.Event) -> None:
    """One listener, started again (after a pause) whenever a run ends with an error."""
    for wait in _retry_waits():
        try:
            listener.run(stop)
            return
        except Exception:
            logger.warning(
                "listener %s failed; again in %.1f s", listener.name, wait, exc_info=True
            )
        finally:
            connection.close()
        if stop.wait(wait):
            return


def _exit_cleanly(signum, frame) -> None:
    """A stop asked for while the worker is still starting."""
    sys.exit(0)


DEFAULT_BEAT_SECONDS = 2.0

# Seconds between attempts while the database is away: doubling up to half a minute.
FIRST_RETRY_SECONDS = 0.5
LONGEST_RETRY_SECONDS = 30.0


def _retry_waits():
    """The waits between attempts: FIRST_RETRY_SECONDS, doubling to LONGEST_RETRY_SECONDS."""
    wait = FIRST_RETRY_SECONDS
    while True:
        yield wait
        wait = min(wait * 2, LONGEST_RETRY_SECONDS)


class ResilientWorker(db_worker.Worker):
    """db_worker's loop, run again after a lost database (or any error outside a task)
    instead of ending the process."""

    def run(self) -> None:
        for wait in _retry_waits():
            try:
                return super().run()
            except Exception:
                # The database away (OperationalError, InterfaceError) above all, but any
                # error outside a task (tasks' own errors fail only their task) is worth
                # another try rather than a stopped queue; SystemExit from a signal passes.
                if not self.running:  # stopped by a signal meanwhile
                    return None
                if self.batch or connection.in_atomic_block:  # a one-off run (tests)
                    raise
                logger.warning("worker loop failed; retrying in %.1f s", wait, exc_info=True)
                connections.close_all()
                time.sleep(wait)


class Command(DbWorkerCommand):
    help = "پردازش کارهای پس‌زمینه (ورود از فایل، صف پیامک و ایمیل، کارهای زمان‌دار)"

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--beat-interval",
            type=float,
            default=DEFAULT_BEAT_SECONDS,
            help="Seconds between checks for due periodic jobs and dead workers (0 turns "
            "the periodic jobs off). The heartbeat has its own thread and pace.",
        )

    def handle(
        self, *args, beat_interval: float, worker_id: str, reload: bool, batch: bool, **options
    ):
        # With --reload the command runs twice (a watcher and the real worker): only the
        # process that runs tasks beats.
        if reload and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            return super().handle(*args, worker_id=worker_id, reload=reload, batch=batch, **options)
        # db_worker's handle() builds its Worker by this module-level name.
        db_worker.Worker = ResilientWorker
        if batch:
            # A --batch run (tests, one-offs) ends when the queue is empty: outside the
            # heartbeats, its claims name no worker (they expire by the claim timeout).
            return super().handle(*args, worker_id=worker_id, reload=reload, batch=batch, **options)
        # From the first heartbeat on, /health/ counts this worker; a signal before
        # db_worker installs its own handlers (in super().handle) must still end the
        # process cleanly, through the finally below, not by the signal's default action.
        for stopping in (signal.SIGINT, signal.SIGTERM):
            signal.signal(stopping, _exit_cleanly)
        stop = threading.Event()
        try:
            self._start(worker_id)
            threading.Thread(target=_heartbeat_forever, args=(worker_id,), daemon=True).start()
            threading.Thread(
                target=_beat_forever,
                args=(worker_id, beat_interval or DEFAULT_BEAT_SECONDS, beat_interval > 0),
                daemon=True,
            ).start()
            if beat_interval > 0:  # with the periodic jobs: a worker run for tests has neither
                for listener in listeners.values():
                    threading.Thread(
                        target=_listen_forever, args=(listener, stop), daemon=True
                    ).start()
            return super().handle(*args, worker_id=worker_id, reload=reload, batch=batch, **options)
        finally:  # a signal: /health/ stops counting this worker now
            stop.set()
            with contextlib.suppress(Exception):
                workers.stopped(worker_id)

    def _start(self, worker_id: str) -> None:
        """The first heartbeat, retried while the database is away (a worker started by
        its supervisor while PostgreSQL restarts must not give up)."""
        for wait in _retry_waits():
            try:
                workers.started(worker_id)
                return
            except (OperationalError, InterfaceError):
                logger.warning("worker: the database is unreachable; retrying in %.1f s", wait)
                connections.close_all()
                time.sleep(wait)
