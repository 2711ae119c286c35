"""Reminders at scale: with 1,000,000 pending reminders, how late do due ones fire, is
the scan one indexed query, and how fast does the bell's endpoint answer?

    createdb -h 127.0.0.1 -U postgres peyvand_bench_reminders
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peyvand_bench_reminders \\
        .venv/bin/python bench/reminders.py --pending 1000000 --due 300 --workers 2

The first run migrates and creates the pending reminders (by COPY, spread over the next
30 days for 1,000 users) and 200,000 notifications; later runs reuse them. Each run then

1. prints the plans of the worker's beat check and of ``fire_due``'s claim (both must
   be one index scan of ``reminder_pending``) and the check's median time;
2. schedules ``--due`` reminders 8–12 s ahead, starts ``--workers`` real
   ``manage.py worker`` processes (their 2 s beat, as in production) and reports how
   late each fired (fired_at − due_at) and whether each left exactly one notification;
3. times ``/notifications/poll/`` (the bell's unseen count, through Django's full
   request cycle in-process) for a user with 20,000 notifications, 2,000 unseen.
"""

import argparse
import datetime
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peyvand.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from peyvand.accounts.models import User  # noqa: E402
from peyvand.activities.models import Notification, Reminder  # noqa: E402
from peyvand.activities.reminders import due_reminders  # noqa: E402
from peyvand.core.bulk import bulk_insert  # noqa: E402

USERS = 1000
CHUNK = 50_000


def prepare(pending: int) -> list[User]:
    call_command("migrate", verbosity=0)
    users = list(User.objects.filter(username__startswith="bench-r").order_by("pk"))
    for number in range(len(users), USERS):
        users.append(User.objects.create(username=f"bench-r{number:04d}"))
    have = Reminder.objects.filter(fired_at__isnull=True, purpose="bench").count()
    if have < pending:
        print(f"creating {pending - have:,} pending reminders…", flush=True)
        now = timezone.now()
        for start in range(have, pending, CHUNK):
            rows = [
                {
                    "user_id": users[n % USERS].pk,
                    # From an hour ahead to 30 days ahead: pending, none due during the run.
                    "due_at": now
                    + datetime.timedelta(hours=1, seconds=random.randrange(30 * 86400)),
                    "title": f"پیگیری مشتری {n}",
                    "purpose": "bench",
                }
                for n in range(start, min(pending, start + CHUNK))
            ]
            bulk_insert(Reminder, rows)
    if not Notification.objects.filter(user=users[0]).exists():
        print("creating notifications…", flush=True)
        for start in range(0, 200_000, CHUNK):
            rows = [
                {
                    "user_id": users[n % 10].pk,
                    "title": f"اعلان {n}",
                    # Nine in ten seen: each of the ten users has 20,000, 2,000 unseen.
                    "seen_at": None if n // 10 % 10 == 0 else timezone.now(),
                }
                for n in range(start, start + CHUNK)
            ]
            bulk_insert(Notification, rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE activities_reminder; ANALYZE activities_notification")
    return users


def explain(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def scan_report() -> None:
    check = due_reminders().values("id")[:1]  # what the beat runs, as .exists()
    claim = due_reminders().order_by("due_at", "id").values("id")[:500]
    print("beat check plan:\n" + explain(check))
    print("fire_due claim plan:\n" + explain(claim))
    times = []
    for _ in range(200):
        started = time.perf_counter()
        due_reminders().exists()
        times.append((time.perf_counter() - started) * 1000)
    print(f"beat check: median {statistics.median(times):.2f} ms, max {max(times):.2f} ms")


def firing_report(users: list[User], due: int, workers: int) -> None:
    Reminder.objects.filter(purpose="bench-due").delete()
    Notification.objects.filter(title__startswith="bench-due").delete()
    start = timezone.now() + datetime.timedelta(seconds=8)
    rows = [
        {
            "user_id": users[n % USERS].pk,
            "due_at": start + datetime.timedelta(milliseconds=random.randrange(4000)),
            "title": f"bench-due {n}",
            "purpose": "bench-due",
        }
        for n in range(due)
    ]
    ids = bulk_insert(Reminder, rows)
    env = os.environ | {"LOG_LEVEL": "WARNING"}
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--no-reload", "-v", "0"], cwd=ROOT, env=env
        )
        for _ in range(workers)
    ]
    try:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if not Reminder.objects.filter(pk__in=ids, fired_at__isnull=True).exists():
                break
            time.sleep(0.2)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait()
    fired = list(Reminder.objects.filter(pk__in=ids).values_list("due_at", "fired_at"))
    late = [(fired_at - due_at).total_seconds() for due_at, fired_at in fired if fired_at]
    notifications = Notification.objects.filter(title__startswith="bench-due").count()
    print(
        f"firing with {workers} worker(s): {len(late)}/{due} fired; late by median "
        f"{statistics.median(late):.2f} s, max {max(late):.2f} s; "
        f"{notifications} notifications (exactly once: {notifications == due})"
    )


def poll_report(users: list[User]) -> None:
    client = Client()
    client.force_login(users[0])
    url = reverse("activities:notification_poll")
    after = (
        Notification.objects.filter(user=users[0]).order_by("-id").values_list("id", flat=True)[0]
    )
    client.get(url, {"after": after})
    times = []
    for _ in range(500):
        started = time.perf_counter()
        response = client.get(url, {"after": after})
        times.append((time.perf_counter() - started) * 1000)
    unseen = response.json()["unseen"]
    print(
        f"notification poll: median {statistics.median(times):.2f} ms, "
        f"p95 {statistics.quantiles(times, n=20)[18]:.2f} ms (unseen {unseen:,})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pending", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL: set DATABASE_URL (see the docstring).")
    users = prepare(args.pending)
    print(f"pending reminders: {Reminder.objects.filter(fired_at__isnull=True).count():,}")
    scan_report()
    firing_report(users, args.due, args.workers)
    poll_report(users)


if __name__ == "__main__":
    main()
