"""Sales at scale (issue 6): leads and follow-ups, timed through Django's full request
cycle in-process, with their SQL query counts.

    createdb -h 127.0.0.1 -U postgres peyvand_bench_sales
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peyvand_bench_sales \\
        .venv/bin/python bench/sales_scale.py --leads 200000 --followups 2000000

The first run migrates and creates the rows by COPY (``core.bulk.bulk_insert``): one
contact per lead, 50 reps, follow-ups spread over the leads (the last of each lead
pending, a few hundred of them due for the measured rep), and one lead with 50
follow-ups. Later runs reuse them. Each page is fetched ``--repeat`` times; the median
and the query count are printed: «پیگیری‌های من», the lead list unfiltered and with
each filter, the board, and the page of the lead with 50 follow-ups. Then a proforma
with 10 lines is rendered to PDF.
"""

import argparse
import datetime
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peyvand.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from pagetiming import measure  # noqa: E402 - bench/ is the script's folder

from peyvand.accounts.models import User  # noqa: E402
from peyvand.accounts.roles import SALES  # noqa: E402
from peyvand.contacts.models import Contact  # noqa: E402
from peyvand.core.bulk import bulk_insert  # noqa: E402
from peyvand.core.dates import to_jalali  # noqa: E402
from peyvand.lookups.models import FollowUpResult  # noqa: E402
from peyvand.sales.models import FollowUp, Lead, Quote, QuoteLine  # noqa: E402
from peyvand.sales.services import quote_save  # noqa: E402

REPS = 50


def jalali(day: datetime.date) -> str:
    return to_jalali(day).strftime("%Y/%m/%d")


CHUNK = 50_000


def prepare(leads: int, followups: int) -> User:
    call_command("migrate", verbosity=0)
    reps = list(User.objects.filter(username__startswith="bench-s").order_by("pk"))
    for number in range(len(reps), REPS):
        rep = User.objects.create(username=f"bench-s{number:02d}")
        rep.groups.add(Group.objects.get(name=SALES))
        reps.append(rep)
    results = list(FollowUpResult.objects.all())
    now = timezone.now()
    have = Lead.objects.filter(code__startswith="B").count()
    if have < leads:
        print(f"creating {leads - have:,} contacts and leads…", flush=True)
        for start in range(have, leads, CHUNK):
            numbers = range(start, min(leads, start + CHUNK))
            contact_ids = bulk_insert(
                Contact,
                [{"code": f"BC{n:07d}", "name": f"مشتری نمونه {n}",
                  "owner_id": reps[n % REPS].pk} for n in numbers],
            )  # fmt: skip
            bulk_insert(
                Lead,
                [
                    {
                        "code": f"B{n:07d}",
                        "title": f"سرنخ نمونه {n}",
                        "contact_id": contact_id,
                        "owner_id": reps[n % REPS].pk,
                        "responsible_id": reps[n % REPS].pk,
                        "stars": 1 + n % 3,
                        "last_result_id": results[n % len(results)].pk,
                        "next_at": now + datetime.timedelta(hours=random.randrange(-72, 24 * 30)),
                        "next_by_id": reps[n % REPS].pk,
                    }
                    for n, contact_id in zip(numbers, contact_ids, strict=True)
                ],
            )
    lead_ids = list(
        Lead.objects.filter(code__startswith="B").order_by("pk").values_list("pk", flat=True)
    )
    have = FollowUp.objects.filter(lead__code__startswith="B").count()
    if have < followups:
        print(f"creating {followups - have:,} follow-ups…", flush=True)
        owners = {n: reps[n % REPS].pk for n in range(len(lead_ids))}
        for start in range(have, followups, CHUNK):
            rows = []
            for n in range(start, min(followups, start + CHUNK)):
                index = n % len(lead_ids)
                # The last round of follow-ups is each lead's pending one.
                pending = n >= followups - len(lead_ids)
                at = now - datetime.timedelta(days=(followups - n) // len(lead_ids) * 3)
                result = results[n % len(results)]
                rows.append({
                    "lead_id": lead_ids[index],
                    "owner_id": owners[index],
                    "at": at,
                    "result_id": result.pk,
                    "priority": result.priority,
                    "description": "تماس گرفته شد",
                    "next_at": now + datetime.timedelta(hours=random.randrange(-72, 24 * 30)),
                    "next_by_id": owners[index],
                    "settled_at": None if pending else at + datetime.timedelta(days=3),
                })  # fmt: skip
            bulk_insert(FollowUp, rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sales_lead; ANALYZE sales_followup; ANALYZE contacts_contact")
    return reps[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=200_000)
    parser.add_argument("--followups", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    rep = prepare(args.leads, args.followups)
    lead = Lead.objects.filter(responsible=rep).order_by("pk").first()
    extra = 50 - lead.followups.count()
    if extra > 0:
        result = FollowUpResult.objects.first()
        bulk_insert(FollowUp, [
            {"lead_id": lead.pk, "owner_id": rep.pk, "result_id": result.pk,
             "description": f"پیگیری {n}", "settled_at": timezone.now()}
            for n in range(extra)
        ])  # fmt: skip
    client = Client()
    client.force_login(rep)
    print(f"{Lead.objects.count():,} leads, {FollowUp.objects.count():,} follow-ups "
          f"({connection.vendor})")  # fmt: skip
    lists = reverse("sales:lead_list")
    today = timezone.localdate()
    week = today + datetime.timedelta(days=7)
    result = FollowUpResult.objects.first().pk
    measure(client, "پیگیری‌های من (home)", reverse("core:home"), {}, args.repeat)
    measure(client, "پیگیری‌های من (page)", reverse("sales:followup_due"), {}, args.repeat)
    measure(client, "lead list", lists, {}, args.repeat)
    for label, query in [
        ("stars=3", "stars=3"),
        ("last result", f"result={result}"),
        ("responsible", f"responsible={rep.pk}"),
        ("due in the next 7 days", f"due_from={jalali(today)}&due_to={jalali(week)}"),
        ("search «نمونه 12345»", "q=نمونه 12345"),
        ("status=all", "status=all"),
    ]:
        measure(client, f"lead list, {label}", f"{lists}?{query}", {}, args.repeat)
    measure(client, "board", reverse("sales:lead_board"), {}, args.repeat)
    measure(client, "lead page with 50 follow-ups", lead.get_absolute_url(), {}, args.repeat)
    quote = quote_save(
        quote=Quote(lead=lead, contact=lead.contact),
        lines=[QuoteLine(description=f"ردیف {n}", quantity=n + 1, unit_price=1_000_000)
               for n in range(10)],
        by=rep,
    )  # fmt: skip
    measure(client, "proforma PDF (10 lines)", reverse("sales:quote_pdf", args=[quote.pk]), {}, 5)


if __name__ == "__main__":
    main()
