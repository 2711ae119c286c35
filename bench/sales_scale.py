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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peyvand.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from pagetiming import measure  # noqa: E402 - bench/ is the script's folder

from peyvand.accounts.models import Team, User  # noqa: E402
from peyvand.accounts.roles import SALES  # noqa: E402
from peyvand.contacts.models import Category, Contact, Region  # noqa: E402
from peyvand.core.bulk import bulk_insert  # noqa: E402
from peyvand.core.dates import from_jalali, jalali_today, to_jalali  # noqa: E402
from peyvand.core.models import Sequence  # noqa: E402
from peyvand.core.sequences import ensure_sequence  # noqa: E402
from peyvand.core.trees import node_create  # noqa: E402
from peyvand.lookups.models import AcquaintanceSource, FollowUpResult  # noqa: E402
from peyvand.sales.models import FollowUp, Lead, Quote, QuoteLine  # noqa: E402
from peyvand.sales.services import QUOTE_SEQUENCE, quote_save  # noqa: E402

REPS = 50
TEAMS = 4  # of ten reps each: the first 40 reps are in a team, the last ten in none
TEAM_SIZE = 10


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
    ensure_teams(reps)
    categories, regions = tree_nodes()
    sources = list(AcquaintanceSource.objects.order_by("pk").values_list("pk", flat=True))
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
                  "owner_id": reps[n % REPS].pk,
                  # The shares spread_leads gives those of a database filled before.
                  "category_id": categories[n * 31 % len(categories)] if n * 7 % 10 < 7
                  else None,
                  "region_id": regions[n * 17 % len(regions)] if n * 3 % 10 < 6 else None}
                 for n in numbers],
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
                        **lead_state(n, sources, now),
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
    spread_leads()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sales_lead; ANALYZE sales_followup; ANALYZE contacts_contact")
    return reps[0]


def ensure_teams(reps: list[User]) -> None:
    """Most reps in a team of ten (the lead list's «گروه مسئول», what a rep's teammates
    see); the last ten in none."""
    for number in range(TEAMS):
        team, _ = Team.objects.get_or_create(name=f"bench-sales-{number}")
        team.members.add(*reps[number * TEAM_SIZE : (number + 1) * TEAM_SIZE])


SMALL_TREE = {
    "category": {"صنعتی": ["ماشین‌آلات", "قطعات"], "بازرگانی": ["پخش", "واردات"]},
    "region": {"تهران": ["تهران", "کرج"], "اصفهان": ["اصفهان", "کاشان"]},
}


def tree_nodes() -> tuple[list[int], list[int]]:
    """The ids of every category and region (roots and leaves), ordered by path; a small
    tree of each made first where there is none (the migrations seed both)."""
    found = []
    for key, model in (("category", Category), ("region", Region)):
        if not model.objects.exists():
            for root, leaves in SMALL_TREE[key].items():
                parent = node_create(node=model(name=root))
                for leaf in leaves:
                    node_create(node=model(name=leaf, parent=parent))
        found.append(list(model.objects.order_by("path").values_list("pk", flat=True)))
    return found[0], found[1]


LEAD_SPAN_DAYS = 730


def lead_state(n: int, sources: list[int], now: datetime.datetime) -> dict:
    """Lead n's registration (over the last two years, its fiscal year that one's),
    status, stage, source and expected amount: one in eight won, one in eight lost
    (closed within two months, no next follow-up), a source for six in ten, an amount
    for half.
    The shares spread_leads' UPDATE gives (by id there)."""
    status = "won" if n % 8 == 3 else "lost" if n % 8 == 5 else "open"
    created = now - datetime.timedelta(days=n * 7 % LEAD_SPAN_DAYS, minutes=n % 600)
    state = {
        "created_at": created,
        "fiscal_year": to_jalali(timezone.localdate(created)).year,
        "status": status,
        "stage": ("new", "contacted", "proposal", "negotiation")[n * 7 % 4],
        "source_id": sources[n * 13 % len(sources)] if sources and n * 11 % 10 < 6 else None,
        "expected_value": 10_000_000 * (1 + n * 37 % 500) if n // 3 % 2 == 0 else None,
    }
    if status != "open":
        state.update(
            closed_at=min(now, created + datetime.timedelta(days=n % 60)),
            next_at=None,
            next_by_id=None,
            lost_reason="قیمت بالا" if status == "lost" else "",
        )
    return state


def spread_leads() -> None:
    """Leads made before their customers had a category or region and before they had a
    status, a source or an amount (every one open, none with a source): two UPDATEs,
    once, give them what ``prepare`` gives new ones — seven in ten customers a category,
    six in ten a region (any node of either tree, roots too), and lead_state's spread
    (registered over two years, a fiscal year each)."""
    if not Lead.objects.filter(code__startswith="B").exists():
        return
    categories, regions = tree_nodes()
    sources = list(AcquaintanceSource.objects.order_by("pk").values_list("pk", flat=True))
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if not Contact.all_objects.filter(code__startswith="BC", category__isnull=False).exists():
            cursor.execute(
                """
                UPDATE contacts_contact SET
                    category_id = CASE WHEN mod(id * 7, 10) < 7
                        THEN (%(cats)s::bigint[])[1 + mod(id * 31, %(ncat)s)] END,
                    region_id = CASE WHEN mod(id * 3, 10) < 6
                        THEN (%(regs)s::bigint[])[1 + mod(id * 17, %(nreg)s)] END
                WHERE code LIKE 'BC%%' AND category_id IS NULL AND region_id IS NULL
                """,
                {"cats": categories, "ncat": len(categories), "regs": regions,
                 "nreg": len(regions)},
            )  # fmt: skip
            print(f"  categories and regions for {cursor.rowcount:,} lead customers", flush=True)
        if not Lead.objects.filter(code__startswith="B").exclude(status="open").exists():
            cursor.execute(
                """
                UPDATE sales_lead SET
                    status = CASE mod(id, 8) WHEN 3 THEN 'won' WHEN 5 THEN 'lost'
                                              ELSE 'open' END,
                    stage = (ARRAY['new', 'contacted', 'proposal', 'negotiation'])
                        [1 + mod(id * 7, 4)],
                    source_id = CASE WHEN cardinality(%(sources)s::bigint[]) > 0
                        AND mod(id * 11, 10) < 6 THEN (%(sources)s::bigint[])
                        [1 + mod(id * 13, greatest(cardinality(%(sources)s::bigint[]), 1))] END,
                    expected_value = CASE WHEN mod(id / 3, 2) = 0
                        THEN 10000000 * (1 + mod(id * 37, 500)) END,
                    created_at = now() - mod(id * 7, %(span)s) * interval '1 day',
                    fiscal_year = {year},
                    closed_at = CASE WHEN mod(id, 8) IN (3, 5) THEN now()
                        - greatest(mod(id * 7, %(span)s) - mod(id, 60), 0) * interval '1 day' END,
                    next_at = CASE WHEN mod(id, 8) IN (3, 5) THEN NULL ELSE next_at END,
                    next_by_id = CASE WHEN mod(id, 8) IN (3, 5) THEN NULL ELSE next_by_id END,
                    lost_reason = CASE WHEN mod(id, 8) = 5 THEN 'قیمت بالا' ELSE '' END
                WHERE code LIKE 'B%%' AND status = 'open' AND source_id IS NULL
                """.format(
                    year=jalali_year("(now() - mod(id * 7, %(span)s) * interval '1 day')::date")
                ),
                {"sources": sources, "span": LEAD_SPAN_DAYS},
            )
            print(f"  dates, status, source and amount for {cursor.rowcount:,} leads", flush=True)
        # A closed lead has no follow-up pending (as lead_close settles them).
        cursor.execute(
            "UPDATE sales_followup f SET settled_at = l.closed_at FROM sales_lead l"
            " WHERE l.id = f.lead_id AND l.status <> 'open' AND f.settled_at IS NULL"
        )
    print(f"  leads spread in {time.perf_counter() - started:.0f} s", flush=True)


# Proformas ---------------------------------------------------------------------------------

QUOTE_SPAN_DAYS = 730
CUSTOMERS = "BF"  # finance_scale's customers (their owners are its sales reps)

# Proforma n: dated over the two years in step with n, for customer c (spread over all of
# them); its status by whether it is still valid — an old one accepted, cancelled or
# expired (a few left drafts), a valid one a draft, sent, accepted or (rarely) cancelled.
STAGE_QUOTES = """
CREATE TEMP TABLE s_quote ON COMMIT DROP AS
WITH b AS (
    SELECT n,
        mod(n * 2654435761 / 65536, 100)::int AS h,
        mod(n * 2654435761 / 16777216, 100)::int AS h2,
        1000000 * (5 + mod(n * 2654435761 / 4096, 496)) AS subtotal,
        %(today)s::date - %(span)s + ((n - %(first)s) * %(span)s / %(count)s)::int AS date
    FROM generate_series(%(first)s::bigint, %(total)s - 1) AS n
), v AS (
    SELECT b.*, b.date + (ARRAY[7, 15, 30])[1 + mod(n, 3)] AS valid_until,
        CASE WHEN h2 < 20 THEN subtotal / 20 ELSE 0 END AS discount,
        {year} AS jy
    FROM b
)
SELECT v.*, c.id AS contact_id, c.owner_id,
    (v.subtotal - v.discount) / 10 AS vat,
    CASE WHEN v.valid_until < %(today)s::date THEN
        CASE WHEN h < 35 THEN 'accepted' WHEN h < 47 THEN 'cancelled' WHEN h < 92 THEN 'expired'
             ELSE 'draft' END
    ELSE CASE WHEN h < 30 THEN 'draft' WHEN h < 80 THEN 'sent' WHEN h < 95 THEN 'accepted'
              ELSE 'cancelled' END END AS status,
    row_number() OVER (PARTITION BY v.jy ORDER BY v.date, v.n) + coalesce(e.last, 0) AS rn
FROM v LEFT JOIN (
    -- a year's numbers go on after the last there is
    SELECT fiscal_year, max(split_part(number, '/', 2)::bigint) AS last FROM sales_quote
    WHERE number ~ '^[0-9]+/[0-9]+$' GROUP BY fiscal_year
) AS e ON e.fiscal_year = v.jy
JOIN (
    SELECT row_number() OVER (ORDER BY code)::int AS c, id, owner_id
    FROM contacts_contact WHERE code LIKE %(customers)s
) AS c ON c.c = 1 + mod(v.n * 7919, %(customer_count)s)
"""

QUOTE_COLUMNS = {
    "created_at": "(q.date + time '10:00') AT TIME ZONE 'Asia/Tehran'",
    "updated_at": "(q.date + time '10:00') AT TIME ZONE 'Asia/Tehran'",
    "number": "q.jy || '/' || lpad(q.rn::text, greatest(5, length(q.rn::text)), '0')",
    "fiscal_year": "q.jy",
    "kind": "CASE WHEN q.h2 >= 75 THEN 'service' ELSE 'goods' END",
    "date": "q.date",
    "vat_percent": "10",
    "subtotal": "q.subtotal",
    "discount_total": "q.discount",
    "vat_total": "q.vat",
    "total": "q.subtotal - q.discount + q.vat",
    "notes": "''",
    "valid_until": "q.valid_until",
    "status": "q.status",
    "cancel_reason": "CASE WHEN q.status = 'cancelled' THEN 'مشتری از خرید منصرف شد' ELSE '' END",
    "contact_id": "q.contact_id",
    "owner_id": "q.owner_id",
    "money_unit": "CASE WHEN mod(q.n, 10) < 3 THEN 'toman' ELSE 'rial' END",
    "credit_days": "CASE WHEN mod(q.n * 7, 10) < 3 THEN 30 * (1 + mod(q.n, 3)) ELSE 0 END",
    "payment_terms": "CASE WHEN mod(q.n * 7, 10) < 2 THEN 'credit' WHEN mod(q.n * 7, 10) < 3"
    " THEN 'cheque' ELSE 'cash' END",
    "customer_key": "''",  # the trigger copies the customer's key whatever is sent
}


def jalali_year(day: str) -> str:
    """SQL of the Jalali year of the date ``day`` (an expression), for the last years."""
    this_year = jalali_today().year
    starts = [(year, from_jalali(year, 1, 1)) for year in range(this_year, this_year - 4, -1)]
    whens = " ".join(f"WHEN {day} >= '{start}' THEN {year}" for year, start in starts)
    return f"CASE {whens} END"


def ensure_quotes(count: int) -> None:
    """Tops the proformas up to ``count`` for finance_scale's customers, by set-based SQL
    (no lines: no list reads them), numbered per Jalali year after those there are; the
    proforma numbering series then follows the last of this year."""
    from activities_scale import _per_100k, _run, _vacuum, insert_select  # bench/

    have = Quote.all_objects.count()
    if have >= count:
        return
    customers = Contact.all_objects.filter(code__startswith=CUSTOMERS).count()
    if not customers:
        raise SystemExit("no finance_scale customers (BF…) to make proformas for")
    print(f"generating {count - have:,} proformas…", flush=True)
    started = time.perf_counter()
    today = timezone.localdate()
    this_year = jalali_today().year
    year = jalali_year("date")
    params = {
        "first": have, "total": count, "count": count - have, "today": today,
        "span": QUOTE_SPAN_DAYS, "customers": f"{CUSTOMERS}%", "customer_count": customers,
    }  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        _run(cursor, "stage proformas", STAGE_QUOTES.format(year=year), params)
        insert_select(
            cursor,
            "insert proformas (customer_key by trigger)",
            Quote,
            QUOTE_COLUMNS,
            "FROM s_quote q ORDER BY q.date, q.n",
        )
        ensure_sequence(QUOTE_SEQUENCE, "پیش فاکتورها", pattern="{سال}/{شماره}", padding=5,
                        yearly=True)  # fmt: skip
        cursor.execute(
            "SELECT coalesce(max(split_part(number, '/', 2)::bigint), 0) FROM sales_quote"
            " WHERE number LIKE %s",
            [f"{this_year}/%"],
        )
        Sequence.objects.filter(kind=QUOTE_SEQUENCE).update(
            year=this_year, last_number=cursor.fetchone()[0]
        )
    _vacuum(["sales_quote"])
    _per_100k("proformas", count - have, started)


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
