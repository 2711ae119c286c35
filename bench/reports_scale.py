"""Reports at scale (issue 8): every report for this fiscal year, timed in-process.

    createdb -h 127.0.0.1 -U postgres peyvand_bench_reports
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peyvand_bench_reports \\
        .venv/bin/python bench/reports_scale.py

The first run fills one database with what the other bench scripts make (and reuses it
later): 1,000,000 contacts (contacts_scale), 200,000 leads with 2,000,000 follow-ups
(sales_scale), 500,000 requests and 100,000 complaints (service_scale). Each report —
and each of its groupings — is then fetched ``--repeat`` times for «امسال (سال مالی)» as
a manager (who sees everything) and as a sales rep (their team's share), through
Django's full request cycle; then the dashboard, and each report's Excel export.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peyvand.settings")

import django  # noqa: E402

django.setup()

import contacts_scale  # noqa: E402 - bench/ is the script's folder
import sales_scale  # noqa: E402
import service_scale  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from pagetiming import measure  # noqa: E402

from peyvand.contacts.models import Contact  # noqa: E402
from peyvand.reports.definitions import REPORTS  # noqa: E402
from peyvand.sales.models import FollowUp  # noqa: E402
from peyvand.service.models import Request  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--leads", type=int, default=200_000)
    parser.add_argument("--followups", type=int, default=2_000_000)
    parser.add_argument("--requests", type=int, default=500_000)
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    manager, _rep = contacts_scale.ensure_users()
    # The sales and service scripts add their own customers (200,000 + 20,000).
    contacts_scale.fill(max(0, args.contacts - args.leads - service_scale.CUSTOMERS))
    rep = sales_scale.prepare(args.leads, args.followups)
    service_scale.prepare(args.requests, args.complaints)
    print(
        f"{Contact.all_objects.count():,} contacts, {FollowUp.objects.count():,} follow-ups,"
        f" {Request.all_objects.count():,} requests ({connection.vendor})"
    )
    year = {"period": "this_year"}
    for user, who in ((manager, "manager (sees all)"), (rep, "sales rep (their team)")):
        client = Client()
        client.force_login(user)
        print(f"{who}:")
        for report in REPORTS:
            if not user.has_perm(report.permission):
                continue
            url = reverse("reports:show", args=[report.slug])
            for group in report.groups or {"": ""}:
                params = year | ({"group": group} if group else {})
                label = f"{report.slug}{f' by {group}' if group else ''}"
                measure(client, label, url, params, args.repeat)
        measure(client, "dashboard (this year)", reverse("reports:dashboard"), year, args.repeat)
    client = Client()
    client.force_login(manager)
    print("Excel exports (manager, this year):")
    for report in REPORTS:
        url = reverse("reports:export", args=[report.slug, "xlsx"])
        started = time.perf_counter()
        response = client.get(url, year)
        size = len(b"".join(response.streaming_content))
        took = (time.perf_counter() - started) * 1000
        print(f"  {report.slug:<20} {took:7.0f} ms  {size:,} bytes")


if __name__ == "__main__":
    main()
