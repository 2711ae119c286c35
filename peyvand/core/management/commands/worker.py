"""``manage.py worker``: django-tasks-db's ``db_worker`` (same options) plus the
periodic beat of core.scheduler in a background thread. Run one or more per host; all
of them share the database queue and the schedule safely."""

import logging
import os
import threading
import time

from django.db import close_old_connections, connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
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
        return super().handle(*args, worker_id=worker_id, reload=reload, **options)
