"""Contact search and list at scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peyvand_bench \
        .venv/bin/python bench/contacts_search.py --rows 1000000

Creates (once) a database with --rows contacts owned by a few users, then times the
queries the contact list and the top-bar search run, for a manager (sees all) and a
sales rep (sees a team's share), and prints median/p95 timings and query counts.
Not part of the test run; the numbers go in the closing note of the change.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peyvand.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from peyvand.accounts.models import Team, User  # noqa: E402
from peyvand.accounts.roles import MANAGER, SALES, ensure_roles  # noqa: E402
from peyvand.contacts.models import Contact  # noqa: E402
from peyvand.contacts.selectors import contact_search, contacts_for_list  # noqa: E402
from peyvand.core.pagination import paginate  # noqa: E402
from peyvand.demo import data  # noqa: E402

BATCH = 10_000


def ensure_users() -> tuple[User, User]:
    ensure_roles()
    from django.contrib.auth.models import Group

    manager, _ = User.objects.get_or_create(username="bench-manager")
    manager.groups.add(Group.objects.get(name=MANAGER))
    team, _ = Team.objects.get_or_create(name="bench-team")
    reps = []
    for number in range(20):
        rep, _ = User.objects.get_or_create(username=f"bench-rep{number}")
        rep.groups.add(Group.objects.get(name=SALES))
        if number < 2:
            team.members.add(rep)
        reps.append(rep)
    return manager, reps[0]


def fill(rows: int) -> None:
    existing = Contact.all_objects.count()
    if existing >= rows:
        return
    owners = list(
        User.objects.filter(username__startswith="bench-rep").values_list("id", flat=True)
    )
    rng = random.Random(7)
    started = time.perf_counter()
    for start in range(existing, rows, BATCH):
        batch = []
        for number in range(start, min(rows, start + BATCH)):
            first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
            company, _city = rng.choice(data.COMPANIES)
            batch.append(
                Contact(
                    code=f"B{number:08d}",
                    name=f"{first} {last}",
                    company=company,
                    mobile=f"+98{rng.choice(data.MOBILE_PREFIXES)}{rng.randint(1000000, 9999999)}",
                    owner_id=owners[number % len(owners)],
                )
            )
        Contact.objects.bulk_create(batch)
        print(f"  {min(rows, start + BATCH):>9,} rows", end="\r", flush=True)
    print(f"  filled {rows - existing:,} rows in {time.perf_counter() - started:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE contacts_contact")


def timed(label: str, run, repeat: int) -> None:
    timings, queries = [], 0
    for _ in range(repeat):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            run()
            timings.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    print(
        f"{label:<58} median {statistics.median(timings):7.1f} ms"
        f"  p95 {p95:7.1f} ms  {queries} queries"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    manager, rep = ensure_users()
    fill(args.rows)
    print(f"{connection.vendor}, {Contact.all_objects.count():,} contacts")
    for user, who in [(manager, "manager"), (rep, "sales rep")]:
        # refresh caches per user as a request would
        user = User.objects.get(pk=user.pk)
        for query in ["", "كريمي", "علی کریمی", "مهرگان", "0912 1"]:
            timed(
                f"list page 1 ({who}) q={query!r}",
                lambda q=query, u=user: paginate(contacts_for_list(user=u, query=q), 1, 25),
                args.repeat,
            )
        timed(
            f"list page 200 ({who})",
            lambda u=user: paginate(contacts_for_list(user=u, query=""), 200, 25),
            args.repeat,
        )
        timed(
            f"top-bar suggestions ({who}) q='کریمی'",
            lambda u=user: list(contact_search(user=u, query="کریمی")[:5]),
            args.repeat,
        )


if __name__ == "__main__":
    main()
