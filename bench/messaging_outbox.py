"""Outbox speed: queueing a broadcast of 100,000 SMS to a group, and how many messages a
second worker processes send to a fake Kavenegar (its own process, on loopback).

    createdb -h 127.0.0.1 -U postgres peyvand_bench_messaging
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peyvand_bench_messaging \\
        .venv/bin/python bench/messaging_outbox.py --contacts 100000 --send 20000 --workers 1

The first run migrates and creates the contacts and the group (by COPY); later runs
reuse them. Each run queues a fresh broadcast (timed: the expansion a worker does, from
the group's members to 100,000 queued rows), then lets ``--workers`` real
``manage.py worker`` processes send ``--send`` of them (the rest are cancelled first)
and prints messages per second and whether the fake received each exactly once.
"""

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peyvand.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from peyvand.accounts.models import User  # noqa: E402
from peyvand.contacts.models import Contact  # noqa: E402
from peyvand.core.bulk import bulk_insert  # noqa: E402
from peyvand.messaging import services  # noqa: E402
from peyvand.messaging.models import (  # noqa: E402
    Broadcast,
    ContactGroup,
    ContactGroupMember,
    Message,
)
from peyvand.messaging.tasks import deliver  # noqa: E402

API_KEY = "bench-key-0123456789abcdef"


def prepare(contacts: int) -> ContactGroup:
    call_command("migrate", verbosity=0)
    owner, _created = User.objects.get_or_create(username="bench-sender")
    group, _created = ContactGroup.objects.get_or_create(name="bench group", owner=owner)
    have = Contact.objects.filter(code__startswith="MB").count()
    if have < contacts:
        print(f"creating {contacts - have:,} contacts…", flush=True)
        for start in range(have, contacts, 10_000):
            rows = [
                {
                    "code": f"MB{n:07d}",
                    "name": f"مشتری شماره {n}",
                    "mobile": f"+98935{n:07d}",
                    "phones_text": f"0935{n:07d}",
                    "owner_id": owner.pk,
                }
                for n in range(start, min(contacts, start + 10_000))
            ]
            ids = bulk_insert(Contact, rows)
            bulk_insert(
                ContactGroupMember, [{"group_id": group.pk, "contact_id": pk} for pk in ids]
            )
    return group


def fake_provider() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(  # noqa: S603 - our own module
        [
            sys.executable,
            "-m",
            "peyvand.messaging.fake_providers",
            "kavenegar",
            "--api-key",
            API_KEY,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    word, base_url = process.stdout.readline().split()
    if word != "READY":
        sys.exit(f"the fake provider did not start: {word}")
    return process, base_url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--send", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")

    group = prepare(args.contacts)
    Message.objects.filter(status=Message.Status.QUEUED).update(status=Message.Status.CANCELLED)
    broadcast = Broadcast.objects.create(
        owner=group.owner,
        channel="sms",
        title="bench",
        target=Broadcast.Target.GROUP,
        group=group,
        body="{نام} عزیز، جشنواره پاییزه ما از فردا آغاز می‌شود.",
    )
    started = time.perf_counter()
    queued = services.expand_broadcast(broadcast)
    queue_seconds = time.perf_counter() - started
    print(
        f"queue a broadcast to the group: {queued:,} SMS in {queue_seconds:.1f} s "
        f"({queued / queue_seconds:,.0f}/s)",
        flush=True,
    )

    keep = list(broadcast.messages.order_by("pk").values_list("pk", flat=True)[: args.send])
    broadcast.messages.exclude(pk__in=keep).update(status=Message.Status.CANCELLED)
    fake, base_url = fake_provider()
    env = os.environ | {
        "SMS_BACKEND": "kavenegar",
        "SMS_API_KEY": API_KEY,
        "SMS_BASE_URL": base_url,
        "LOG_LEVEL": "WARNING",
    }
    for _ in range(args.workers):
        deliver.enqueue()
    started = time.perf_counter()
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "worker",
                "--batch",
                "--no-reload",
                "--no-startup-delay",
                "--beat-interval",
                "0",
                "-v",
                "0",
            ],
            cwd=ROOT,
            env=env,
        )
        for _ in range(args.workers)
    ]
    for worker in workers:
        worker.wait()
    send_seconds = time.perf_counter() - started
    with urllib.request.urlopen(f"{base_url}/_fake/count") as response:  # noqa: S310 - loopback
        counts = json.load(response)
    fake.terminate()
    fake.wait()
    sent = Message.objects.filter(pk__in=keep, status=Message.Status.SENT).count()
    print(
        f"send with {args.workers} worker(s): {sent:,} sent in {send_seconds:.1f} s "
        f"({sent / send_seconds:,.0f} messages/s, process start included); "
        f"provider received {counts['count']:,}, repeats {counts['repeats']}"
    )


if __name__ == "__main__":
    main()
