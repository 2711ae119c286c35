"""``manage.py worker``: django-tasks-db's ``db_worker`` (same options) plus the
periodic beat of core.scheduler in a background thread. Run one or more per host; all
of them share the database queue and the schedule safely.

django-tasks-db's worker ends its process on any database error outside a task (a
0.35 s PostgreSQL restart was enough), so SMS, reminders and imports stopped until a
person restarted it. Ours backs off and carries on; only a signal (SIGINT, SIGTERM)
stops it."""

import logging
import os
import threading
import time

from django.db import close_old_connections, connection, connections
from django.db.utils import InterfaceError, OperationalError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from peyvand.core.scheduler import beat

logger = logging.getLogger("peyvand.scheduler")


def _beat_forever(worker_id: str, interval: float) -> None:
    while True:
        try:
            close_old_connections()
            beat(worker_id=worker_id)
        except Exception:  # the database restarting, a bug in one job: beat again later
            logger.exception("scheduler beat failed")
        finally:
            connection.close()
        time.sleep(interval)


# Seconds between attempts while the database is away: doubling up to half a minute.
FIRST_RETRY_SECONDS = 0.5
LONGEST_RETRY_SECONDS = 30.0


class ResilientWorker(db_worker.Worker):
    """db_worker's loop, run again after a lost database instead of ending the process."""

    def run(self) -> None:
        wait = FIRST_RETRY_SECONDS
        while True:
            try:
                return super().run()
            except (OperationalError, InterfaceError):
                if not self.running:  # stopped by a signal meanwhile
                    return None
                logger.warning("worker: the database is unreachable; retrying in %.1f s", wait)
                connections.close_all()
                time.sleep(wait)
                wait = min(wait * 2, LONGEST_RETRY_SECONDS)


class Command(DbWorkerCommand):
    help = "پردازش کارهای پس‌زمینه (ورود از فایل، صف پیامک و ایمیل، کارهای زمان‌دار)"

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--beat-interval",
            type=float,
            default=2.0,
            help="Seconds between checks for due periodic jobs (0 turns the beat off).",
        )

    def handle(self, *args, beat_interval: float, worker_id: str, reload: bool, **options):
        # With --reload the command runs twice (a watcher and the real worker): only the
        # process that runs tasks beats.
        if beat_interval > 0 and (not reload or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"):
            threading.Thread(
                target=_beat_forever, args=(worker_id, beat_interval), daemon=True
            ).start()
        # db_worker's handle() builds its Worker by this module-level name.
        db_worker.Worker = ResilientWorker
        return super().handle(*args, worker_id=worker_id, reload=reload, **options)
