"""The money side at scale (issue 23): a customer's account and statement, the cheques
due, the money cards on the contact and invoice pages, recording a receipt and the aging
query, timed through Django's full request cycle in-process, with their SQL query counts
and the plans of the account's, the due list's and the aging's queries.

    createdb -h 127.0.0.1 -U postgres peyvand_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peyvand_bench \\
        .venv/bin/python bench/finance_scale.py

The first run migrates and fills the database (later runs reuse it; ``--regenerate``
empties the money tables and the invoices of this database — TRUNCATE … CASCADE — and
fills them again): 100,000 customers (COPY, ``core.bulk``), then in one transaction of
set-based SQL (INSERT … SELECT over generate_series, staged in temporary tables; no
Python per row) 1,000,000 invoices with their debit entries and 1,000,000 receipts with
their credit entries, three in ten of them cheques in every state (received, deposited,
cleared, bounced, returned, endorsed; with their ChequeEvent rows, and a «برگشت چک» /
«عودت چک» debit matched with the cheque's credit for those that came back), the
allocations that settle each customer's debts oldest due first with their money oldest
first (computed at once for every customer from the running sums of both sides), the
kept totals (Entry.allocated/settled, Invoice.paid, one Account per customer) and the
numbering series. Ten customers have a long history (3,000 invoices over ten years,
about 300 a year); the others have nine or ten over one to three years, with payment
terms of 0–90 days; most pay in full, some late or in part, a few in advance. The rows
depend only on the arguments and the day they were made (dates count back from it).
The generation then checks, by SQL over every row, that each entry's kept totals equal
its allocations, each invoice's ``paid`` its entry's settled part, each account its
entries and cheques in hand, that the balance equals the open debits less the
unallocated credits, and that no customer is left with both an open debt and unused
money; and, for a sample of customers, that ``finance.services._refresh`` (what every
write runs) finds nothing to change.

Each page is then fetched ``--repeat`` times as a «مالی» user (who sees all), and
``finance.selectors.statement`` and ``finance.services.receipt_record`` (automatic
allocation for the customer owing the most invoices, rolled back each time) are called as
often: the median, minimum and p95, the SQL time, the query count and the CPU taken in
this process and in the PostgreSQL backend are printed (bench/pagetiming.py; on a busy
machine the wall times grow with the queue for the cores, the CPU times much less), then
the targets, then EXPLAIN (ANALYZE, BUFFERS) of the queries behind the account statement,
the due list and the aging. While peyvand/reports has no aging report in this tree, the
aging timed is the bench's own stand-in: one GROUP BY over the rows of the two open-item
partial indexes with a CASE per bucket of days past due (سررسید نشده، ۰–۳۰، ۳۱–۶۰، ۶۱–۹۰،
بیش از ۹۰ روز) and the unallocated credits, per customer, for everyone — as a report page
(the 200 customers owing most and the total of all) and as an export (every customer).
"""

import argparse
import datetime
import io
import json
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

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.db.models import Count, F  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from pagetiming import measure, measure_call  # noqa: E402 - bench/ is the script's folder

from peyvand.accounts.models import User  # noqa: E402
from peyvand.accounts.roles import FINANCE, SALES, ensure_roles  # noqa: E402
from peyvand.contacts.models import Contact  # noqa: E402
from peyvand.core.bulk import bulk_insert  # noqa: E402
from peyvand.core.dates import format_date, from_jalali, jalali_today, to_jalali  # noqa: E402
from peyvand.core.models import Sequence  # noqa: E402
from peyvand.core.sequences import ensure_sequence  # noqa: E402
from peyvand.demo import data  # noqa: E402
from peyvand.finance import selectors, services  # noqa: E402
from peyvand.finance.forms import IRANIAN_BANKS  # noqa: E402
from peyvand.finance.models import (  # noqa: E402
    Account,
    Allocation,
    BankAccount,
    Cheque,
    Entry,
    FinanceSettings,
    Method,
    Receipt,
)
from peyvand.sales.models import Invoice, InvoiceSubject  # noqa: E402
from peyvand.sales.services import INVOICE_SEQUENCE  # noqa: E402

REPS = 20
CLERKS = 3
LONG_CUSTOMERS = 10  # the customers with a long history
LONG_INVOICES = 3_000  # each, over ten years
LONG_SPAN_DAYS = 3_650
PREFIX = "BF"  # contact codes: BF000001…
TARGETS_MS = {"account": 50, "cheques": 50, "aging": 1_000}


# Users, bank accounts and customers -------------------------------------------------------


def ensure_users() -> tuple[User, list[User], list[User]]:
    ensure_roles()
    finance, _ = User.objects.get_or_create(username="bench-finance")
    finance.groups.add(Group.objects.get(name=FINANCE))
    reps, clerks = [], []
    for number in range(REPS):
        rep, _ = User.objects.get_or_create(username=f"bench-frep{number:02d}")
        rep.groups.add(Group.objects.get(name=SALES))
        reps.append(rep)
    for number in range(CLERKS):
        clerk, _ = User.objects.get_or_create(username=f"bench-fclerk{number}")
        clerk.groups.add(Group.objects.get(name=FINANCE))
        clerks.append(clerk)
    return finance, reps, clerks


BANK_ACCOUNTS = [
    ("جاری ملت مرکزی", "ملت", "مرکزی تهران"),
    ("جاری صادرات بازار", "صادرات", "بازار"),
    ("جاری پاسارگاد ونک", "پاسارگاد", "ونک"),
]


def ensure_bank_accounts() -> list[int]:
    for name, bank, branch in BANK_ACCOUNTS:
        BankAccount.objects.get_or_create(name=name, defaults={"bank": bank, "branch": branch})
    FinanceSettings.load()
    names = [name for name, _bank, _branch in BANK_ACCOUNTS]
    return list(
        BankAccount.objects.filter(name__in=names).order_by("id").values_list("pk", flat=True)
    )


def ensure_customers(count: int, reps: list[User]) -> None:
    have = Contact.all_objects.filter(code__startswith=PREFIX).count()
    if have >= count:
        return
    print(f"creating {count - have:,} customers…", flush=True)
    rng = random.Random(23)  # deterministic
    for start in range(have + 1, count + 1, 50_000):
        rows = []
        for c in range(start, min(count, start + 49_999) + 1):
            company, _city = rng.choice(data.COMPANIES)
            name = f"{rng.choice(data.FIRST_NAMES)} {rng.choice(data.LAST_NAMES)}"
            rows.append({
                "code": f"{PREFIX}{c:06d}",
                "name": company if c % 3 == 0 else name,
                "kind": Contact.Kind.ORGANIZATION if c % 3 == 0 else Contact.Kind.PERSON,
                "status": Contact.Status.CUSTOMER,
                "owner_id": reps[c % REPS].pk,
                "credit_limit": (
                    50_000_000_000 if c <= LONG_CUSTOMERS
                    else 1_000_000_000 * (1 + c % 5) if c % 4 == 0 else None
                ),
            })  # fmt: skip
        bulk_insert(Contact, rows)


# Generation: set-based SQL ----------------------------------------------------------------


def _run(cursor, label: str, sql: str, params: dict | None = None) -> None:
    started = time.perf_counter()
    cursor.execute(sql, params or {})
    rows = f"{cursor.rowcount:>10,} rows" if cursor.rowcount >= 0 else " " * 15
    print(f"  {label:<44} {rows}  {time.perf_counter() - started:6.1f} s", flush=True)


def _jalali_calendar(cursor, first: datetime.date, last: datetime.date) -> None:
    """Each day's Jalali year and short Persian date («۱۴۰۵/۰۹/۱۴»), as the services
    write them into numbers and descriptions."""
    cursor.execute("CREATE TEMP TABLE jcal (d date PRIMARY KEY, jy int, js text) ON COMMIT DROP")
    buffer = io.StringIO()
    day = first
    while day <= last:
        buffer.write(f"{day.isoformat()}\t{to_jalali(day).year}\t{format_date(day)}\n")
        day += datetime.timedelta(days=1)
    with cursor.cursor.copy("COPY jcal (d, jy, js) FROM STDIN") as copy:
        copy.write(buffer.getvalue())
    cursor.execute("ANALYZE jcal")


def _labels(choices, column: str) -> str:
    """A CASE turning a choice column into its Persian label (the model's own)."""
    whens = " ".join(f"WHEN '{value}' THEN '{label}'" for value, label in choices)
    return f"(CASE {column} {whens} END)"


PERSIAN_DIGITS = "translate({}, '0123456789', '۰۱۲۳۴۵۶۷۸۹')"
AT = "(({} + time '{}') AT TIME ZONE 'Asia/Tehran')"  # a Tehran wall-clock time that day

# Invoice n belongs to customer c as its k-th of cnt: the first LONG_CUSTOMERS × per_long
# go to the long-history customers, the rest round-robin to the others. Dates spread
# evenly over the customer's span, which ends five days before today.
STAGE_INVOICES = """
CREATE TEMP TABLE s_inv0 ON COMMIT DROP AS
WITH b AS (
    SELECT n,
        (CASE WHEN n < %(long_n)s THEN n / %(per_long)s + 1
              ELSE %(long)s + 1 + mod(n - %(long_n)s, %(typical)s) END)::int AS c,
        (CASE WHEN n < %(long_n)s THEN mod(n, %(per_long)s)
              ELSE (n - %(long_n)s) / %(typical)s END)::int AS k
    FROM generate_series(0::bigint, %(invoices)s - 1) AS n
), b2 AS (
    SELECT n, c, k,
        CASE WHEN c <= %(long)s THEN %(per_long)s
             ELSE %(q)s + (c - %(long)s - 1 < %(r)s)::int END AS cnt,
        CASE WHEN c <= %(long)s THEN %(long_span)s ELSE 400 + mod(c * 389, 800) END AS span
    FROM b
)
SELECT n, c, k, cnt,
    %(today)s::date - span + ((2 * k + 1) * (span - 5)) / (2 * cnt) AS date,
    (ARRAY[0, 0, 30, 30, 60, 90])[1 + mod(c, 6)] AS terms,
    1000000 * (5 + mod(n * 2654435761 / 4096, 296)) AS base
FROM b2
"""

# Ids in date order (as they would have been given), numbers «1404/00012» per Jalali year.
STAGE_INVOICE_IDS = """
CREATE TEMP TABLE s_inv ON COMMIT DROP AS
SELECT nextval(pg_get_serial_sequence('sales_invoice', 'id')) AS id, x.*,
    x.jy || '/' || lpad(x.rn::text, greatest(5, length(x.rn::text)), '0') AS number
FROM (
    SELECT s.n, s.c, s.k, s.cnt, s.date, s.date + s.terms AS due_date, s.base,
        s.base / 10 AS vat, s.base + s.base / 10 AS total, j.jy,
        bc.id AS contact_id, bc.owner_id,
        row_number() OVER (PARTITION BY j.jy ORDER BY s.date, s.n) AS rn
    FROM s_inv0 s JOIN jcal j ON j.d = s.date JOIN bc ON bc.c = s.c
    ORDER BY s.date, s.n
) AS x
"""

# Receipt n pays towards invoice n·I/R: all of it (good payers: 13 customers in 20, but
# 40 per cent of their last invoice), 75 per cent (4 in 20, and 45 days late), 106 (one
# in 20, in advance), 55 or 90 (the last two); the long-history customers 98 per cent. Paid
# around the due date, or between the invoice and today when that is still to come.
# Three receipts in ten are cheques, due 0–4 months after they were received.
STAGE_RECEIPTS = """
CREATE TEMP TABLE s_rcp0 ON COMMIT DROP AS
WITH b AS (
    SELECT n, n * %(invoices)s / %(receipts)s AS i
    FROM generate_series(0::bigint, %(receipts)s - 1) AS n
), r AS (
    SELECT b.n, v.c, v.date AS idate, v.total,
        CASE WHEN v.c <= %(long)s THEN 98
             WHEN mod(v.c, 20) < 13 THEN CASE WHEN v.k = v.cnt - 1 THEN 40 ELSE 100 END
             WHEN mod(v.c, 20) < 17 THEN 75
             WHEN mod(v.c, 20) = 17 THEN 106
             WHEN mod(v.c, 20) = 18 THEN 55
             ELSE 90 END AS pct,
        v.due_date + (mod(b.n * 31, 41) - 20)::int
            + CASE WHEN v.c > %(long)s AND mod(v.c, 20) BETWEEN 13 AND 18 THEN 45 ELSE 0 END
            AS rdate0
    FROM b JOIN s_inv v ON v.n = b.i
), d AS (
    -- mh, h: digits of Knuth's multiplicative hash of n, which (unlike n's own residues)
    -- follow neither the customer, the cheque share nor the due date, all made from n.
    SELECT n, c,
        greatest(1000, total * pct / 100 / 1000 * 1000) AS amount,
        CASE WHEN rdate0 > %(today)s::date
             THEN idate + (%(today)s::date - idate) * mod(n, 7)::int / 7
             ELSE greatest(rdate0, idate) END AS date,
        mod(n * 761, 1000) < 300 AS is_cheque,
        mod(n * 2654435761 / 16777216, 100)::int AS mh,
        mod(n * 2654435761 / 65536, 100)::int AS h
    FROM r
), e AS (
    SELECT d.*,
        CASE WHEN is_cheque THEN date + mod(n * 37, 5)::int * 30 + mod(n, 7)::int END AS due
    FROM d
)
SELECT e.*,
    CASE WHEN is_cheque THEN 'cheque' WHEN mh < 15 THEN 'cash' WHEN mh < 40 THEN 'pos'
         WHEN mh < 60 THEN 'card' WHEN mh < 80 THEN 'paya' WHEN mh < 90 THEN 'satna'
         ELSE 'online' END AS method,
    CASE WHEN NOT is_cheque THEN NULL
         WHEN due > %(today)s::date THEN CASE WHEN h < 85 THEN 'received' ELSE 'endorsed' END
         WHEN due >= %(today)s::date - 10 THEN
             CASE WHEN h < 65 THEN 'deposited' WHEN h < 85 THEN 'received' ELSE 'cleared' END
         ELSE CASE WHEN h < 88 THEN 'cleared' WHEN h < 93 THEN 'cleared_endorsed'
                   WHEN h < 97 THEN 'bounced' ELSE 'returned' END
    END AS path
FROM e
"""

STAGE_RECEIPT_IDS = """
CREATE TEMP TABLE s_rcp ON COMMIT DROP AS
SELECT nextval(pg_get_serial_sequence('finance_receipt', 'id')) AS id, x.*,
    x.jy || '/' || lpad(x.rn::text, greatest(5, length(x.rn::text)), '0') AS number
FROM (
    SELECT s.*, j.jy, bc.id AS contact_id, bc.name AS contact_name,
        (%(clerks)s::bigint[])[1 + mod(s.n, %(clerk_count)s)] AS owner_id,
        CASE WHEN s.method NOT IN ('cash', 'cheque')
             THEN (%(banks)s::bigint[])[1 + mod(s.n, %(bank_count)s)] END AS bank_account_id,
        CASE WHEN s.method = 'pos' THEN '7' || lpad(mod(s.n * 13, 10000000)::text, 7, '0')
             ELSE '' END AS terminal,
        CASE WHEN s.method IN ('pos', 'card') THEN lpad(mod(s.n * 7919, 1000000)::text, 6, '0')
             WHEN s.method IN ('paya', 'satna', 'online')
             THEN '14' || lpad(mod(s.n * 104729, 10000000)::text, 7, '0')
             ELSE '' END AS reference,
        row_number() OVER (PARTITION BY j.jy ORDER BY s.date, s.n) AS rn
    FROM s_rcp0 s JOIN jcal j ON j.d = s.date JOIN bc ON bc.c = s.c
    ORDER BY s.date, s.n
) AS x
"""

# A cheque's moves: received on the receipt's date; deposited on its due date (cleared two
# days later, bounced three); endorsed to a supplier within three days (which clears at
# their bank three days after it is due); given back three days before it is due.
STAGE_CHEQUES = """
CREATE TEMP TABLE s_chq ON COMMIT DROP AS
SELECT nextval(pg_get_serial_sequence('finance_cheque', 'id')) AS id, x.*,
    CASE x.path WHEN 'bounced' THEN least(x.dep_date + 3, %(today)s::date)
                WHEN 'returned' THEN greatest(x.date, least(x.due - 3, %(today)s::date))
    END AS close_date,
    CASE x.path WHEN 'cleared' THEN least(x.dep_date + 2, %(today)s::date)
                WHEN 'cleared_endorsed' THEN least(x.due + 3, %(today)s::date)
    END AS clear_date
FROM (
    SELECT r.id AS receipt_id, r.n, r.contact_id, r.contact_name, r.owner_id, r.amount,
        r.date, r.due, r.path,
        CASE WHEN r.path = 'cleared_endorsed' THEN 'cleared' ELSE r.path END AS status,
        (1234500000000000 + r.n * 7919)::text AS sayad_id,
        lpad(mod(r.n * 31, 10000)::text, 4, '0') || '/' || lpad(mod(r.n * 7, 1000000)::text, 6, '0')
            AS serial,
        (%(bank_names)s::text[])[1 + mod(r.n * 11, %(bank_name_count)s)] AS bank,
        (ARRAY['مرکزی', 'بازار', 'ونک', 'جمهوری', 'آزادی'])[1 + mod(r.n, 5)] AS branch,
        least(r.due, %(today)s::date) AS dep_date,
        least(r.date + 3, r.due, %(today)s::date) AS end_date,
        CASE WHEN r.path IN ('deposited', 'cleared', 'bounced')
             THEN (%(banks)s::bigint[])[1 + mod(r.n, %(bank_count)s)] END AS bank_account_id,
        CASE WHEN r.path IN ('endorsed', 'cleared_endorsed')
             THEN (ARRAY['شرکت تأمین کابل البرز', 'بازرگانی نوین پارس', 'پخش سراسری آریا'])
                  [1 + mod(r.n, 3)] ELSE '' END AS endorsed_to,
        CASE WHEN r.path = 'bounced'
             THEN (ARRAY['کسری موجودی', 'مغایرت امضا', 'کسری موجودی و مغایرت امضا'])
                  [1 + mod(r.n, 3)] ELSE '' END AS bounce_reason,
        jd.js AS due_js
    FROM s_rcp r JOIN jcal jd ON jd.d = r.due
    WHERE r.is_cheque
    ORDER BY r.id
) AS x
"""

# Every line of every account: the invoices' debits, the receipts' credits (a cheque's
# is not cleared until the cheque is) and the debit of a cheque that came back. ``pool``:
# matched oldest first below; a cheque that came back is matched with its own charge.
STAGE_ENTRIES = """
CREATE TEMP TABLE s_ent0 ON COMMIT DROP AS
SELECT 1 AS src, v.n, v.contact_id, v.date, v.due_date, 'invoice'::text AS kind,
    v.total AS debit, 0::bigint AS credit, 'فاکتور ' || v.number AS description,
    v.id AS invoice_id, NULL::bigint AS receipt_id, NULL::bigint AS cheque_id, true AS cleared,
    v.owner_id AS created_by_id, {invoice_at} AS created_at, true AS pool
FROM s_inv v
UNION ALL
SELECT 2, r.n, r.contact_id, r.date, r.date, 'receipt', 0, r.amount,
    %(direction)s || ' ' || {method_label}
        || CASE WHEN r.is_cheque THEN ' ' || {sayad} || ' سررسید ' || q.due_js
                WHEN r.reference <> '' THEN ' ' || {reference} ELSE '' END,
    NULL, r.id, q.id, NOT r.is_cheque OR q.status = 'cleared', r.owner_id, {receipt_at},
    q.path IS NULL OR q.path NOT IN ('bounced', 'returned')
FROM s_rcp r LEFT JOIN s_chq q ON q.receipt_id = r.id
UNION ALL
SELECT 3, q.n, q.contact_id, q.close_date, q.close_date, q.path, q.amount, 0,
    CASE q.path WHEN 'bounced' THEN %(bounced)s || ' ' || {sayad} || ' (' || q.bounce_reason || ')'
                ELSE %(returned)s || ' ' || {sayad} END,
    NULL, NULL, q.id, true, q.owner_id, {close_at}, false
FROM s_chq q WHERE q.path IN ('bounced', 'returned')
""".format(
    invoice_at=AT.format("v.date", "10:00"),
    receipt_at=AT.format("r.date", "11:00"),
    close_at=AT.format("q.close_date", "12:00"),
    method_label=_labels(Method.choices, "r.method"),
    sayad=PERSIAN_DIGITS.format("q.sayad_id"),
    reference=PERSIAN_DIGITS.format("r.reference"),
)

STAGE_ENTRY_IDS = """
CREATE TEMP TABLE s_ent ON COMMIT DROP AS
SELECT nextval(pg_get_serial_sequence('finance_entry', 'id')) AS id, x.*
FROM (SELECT * FROM s_ent0 ORDER BY date, src, n) AS x
"""

# Oldest first, for every customer at once: on the line of money, debit i covers
# (D_i−1, D_i] of the running sum of the debits by (due date, id), credit j covers
# (C_j−1, C_j] of the credits' by (date, id). Between two consecutive end points p' < p
# of either side (up to the smaller total), the segment belongs to the debit and the
# credit whose end is the first at or after p: that pair is allocated p − p'. This is
# what finance.services._match does one receipt at a time.
STAGE_ALLOCATIONS = """
CREATE TEMP TABLE s_alloc ON COMMIT DROP AS
WITH d AS (
    SELECT id, contact_id, sum(debit) OVER (PARTITION BY contact_id ORDER BY due_date, id) AS e
    FROM s_ent WHERE pool AND debit > 0
), c AS (
    SELECT id, contact_id, sum(credit) OVER (PARTITION BY contact_id ORDER BY date, id) AS e
    FROM s_ent WHERE pool AND credit > 0
), lim AS (
    SELECT dd.contact_id, least(dd.total, cc.total) AS m
    FROM (SELECT contact_id, max(e) AS total FROM d GROUP BY contact_id) AS dd
    JOIN (SELECT contact_id, max(e) AS total FROM c GROUP BY contact_id) AS cc
        ON cc.contact_id = dd.contact_id
), points AS (
    SELECT contact_id, e AS p, e AS de, NULL::numeric AS ce FROM d
    UNION ALL
    SELECT contact_id, e, NULL, e FROM c
), seg AS (
    SELECT contact_id, p, min(de) OVER above AS de, min(ce) OVER above AS ce,
        p - coalesce(lag(p) OVER below, 0) AS len
    FROM points
    WINDOW above AS (PARTITION BY contact_id ORDER BY p DESC),
           below AS (PARTITION BY contact_id ORDER BY p)
)
SELECT d.id AS debit_id, c.id AS credit_id, sum(seg.len)::bigint AS amount
FROM seg
JOIN lim ON lim.contact_id = seg.contact_id
JOIN d ON d.contact_id = seg.contact_id AND d.e = seg.de
JOIN c ON c.contact_id = seg.contact_id AND c.e = seg.ce
WHERE seg.p <= lim.m AND seg.len > 0
GROUP BY d.id, c.id
"""

STAGE_CHEQUE_CHARGES = """
INSERT INTO s_alloc (debit_id, credit_id, amount)
SELECT b.id, r.id, b.debit
FROM s_ent b JOIN s_ent r ON r.cheque_id = b.cheque_id AND r.kind = 'receipt'
WHERE b.kind IN ('bounced', 'returned')
"""

# An entry is a debit or a credit, never both: one row each. Settled: by cleared money.
STAGE_KEPT = """
CREATE TEMP TABLE s_kept ON COMMIT DROP AS
SELECT a.debit_id AS id, sum(a.amount) AS allocated,
    coalesce(sum(a.amount) FILTER (WHERE c.cleared), 0) AS settled
FROM s_alloc a JOIN s_ent c ON c.id = a.credit_id
GROUP BY a.debit_id
UNION ALL
SELECT credit_id, sum(amount), 0 FROM s_alloc GROUP BY credit_id
"""

INSERT_INVOICES = """
INSERT INTO sales_invoice (id, created_at, updated_at, number, fiscal_year, kind, date,
    vat_percent, subtotal, discount_total, vat_total, total, notes, contact_id, owner_id,
    money_unit, due_date, paid, payment_terms, credit_days, subject, superseded)
SELECT v.id, (v.date + time '10:00') AT TIME ZONE 'Asia/Tehran',
    (v.date + time '10:00') AT TIME ZONE 'Asia/Tehran', v.number, v.jy, 'goods', v.date, 10,
    v.base, 0, v.vat, v.total, '', v.contact_id, v.owner_id, 'rial',
    v.due_date, coalesce(k.settled, 0),
    CASE WHEN v.due_date > v.date THEN 'credit' ELSE 'cash' END, v.due_date - v.date,
    %(original)s, false
FROM s_inv v JOIN s_ent e ON e.invoice_id = v.id LEFT JOIN s_kept k ON k.id = e.id
ORDER BY v.id
"""

INSERT_RECEIPTS = """
INSERT INTO finance_receipt (id, created_at, updated_at, number, direction, date, amount,
    method, terminal, reference, note, bank_account_id, contact_id, owner_id)
SELECT r.id, (r.date + time '11:00') AT TIME ZONE 'Asia/Tehran',
    (r.date + time '11:00') AT TIME ZONE 'Asia/Tehran', r.number, 'in', r.date, r.amount,
    r.method, r.terminal, r.reference, '', r.bank_account_id, r.contact_id,
    r.owner_id
FROM s_rcp r ORDER BY r.id
"""

INSERT_CHEQUES = """
INSERT INTO finance_cheque (id, created_at, updated_at, sayad_id, serial, bank, branch, drawer,
    amount, due_date, status, endorsed_to, bounce_reason, bank_account_id, contact_id, owner_id,
    entry_id, receipt_id)
SELECT q.id, ((q.date + time '11:00') AT TIME ZONE 'Asia/Tehran'),
    ((coalesce(q.close_date, q.clear_date, q.date) + time '12:00') AT TIME ZONE 'Asia/Tehran'),
    q.sayad_id, q.serial, q.bank, q.branch, q.contact_name, q.amount, q.due, q.status,
    q.endorsed_to, q.bounce_reason, q.bank_account_id, q.contact_id, q.owner_id, e.id,
    q.receipt_id
FROM s_chq q JOIN s_ent e ON e.receipt_id = q.receipt_id
ORDER BY q.id
"""

INSERT_CHEQUE_EVENTS = """
INSERT INTO finance_chequeevent (date, from_status, status, note, at, by_id, cheque_id)
SELECT m.date, m.from_status, m.status, m.note,
    (m.date + time '12:00') AT TIME ZONE 'Asia/Tehran', q.owner_id, q.id
FROM s_chq q CROSS JOIN LATERAL (VALUES
    (1, q.date, '', 'received', ''),
    (2, CASE WHEN q.path IN ('deposited', 'cleared', 'bounced') THEN q.dep_date
             WHEN q.path IN ('endorsed', 'cleared_endorsed') THEN q.end_date
             ELSE q.close_date END,
        'received',
        CASE WHEN q.path IN ('deposited', 'cleared', 'bounced') THEN 'deposited'
             WHEN q.path IN ('endorsed', 'cleared_endorsed') THEN 'endorsed'
             WHEN q.path = 'returned' THEN 'returned' END,
        ''),
    (3, coalesce(q.clear_date, q.close_date),
        CASE WHEN q.path = 'cleared_endorsed' THEN 'endorsed' ELSE 'deposited' END,
        CASE WHEN q.path IN ('cleared', 'cleared_endorsed') THEN 'cleared'
             WHEN q.path = 'bounced' THEN 'bounced' END,
        q.bounce_reason)
) AS m(step, date, from_status, status, note)
WHERE m.status IS NOT NULL
ORDER BY q.id, m.step
"""

INSERT_ENTRIES = """
INSERT INTO finance_entry (id, date, kind, debit, credit, due_date, description, allocated,
    settled, cleared, created_at, cheque_id, contact_id, created_by_id, invoice_id, receipt_id)
SELECT e.id, e.date, e.kind, e.debit, e.credit, e.due_date, e.description,
    coalesce(k.allocated, 0), coalesce(k.settled, 0), e.cleared, e.created_at, e.cheque_id,
    e.contact_id, e.created_by_id, e.invoice_id, e.receipt_id
FROM s_ent e LEFT JOIN s_kept k ON k.id = e.id
ORDER BY e.id
"""

INSERT_ALLOCATIONS = """
INSERT INTO finance_allocation (amount, created_at, created_by_id, credit_id, debit_id)
SELECT a.amount, greatest(c.created_at, d.created_at), c.created_by_id, a.credit_id, a.debit_id
FROM s_alloc a JOIN s_ent c ON c.id = a.credit_id JOIN s_ent d ON d.id = a.debit_id
ORDER BY greatest(c.created_at, d.created_at), a.credit_id, a.debit_id
"""

INSERT_ACCOUNTS = """
INSERT INTO finance_account (contact_id, debit, credit, cheques_in_hand)
SELECT t.contact_id, t.debit, t.credit, coalesce(h.amount, 0)
FROM (SELECT contact_id, sum(debit) AS debit, sum(credit) AS credit
      FROM s_ent GROUP BY contact_id) AS t
LEFT JOIN (SELECT contact_id, sum(amount) AS amount FROM s_chq
           WHERE status IN ('received', 'deposited', 'endorsed') GROUP BY contact_id) AS h
    ON h.contact_id = t.contact_id
"""

MONEY_TABLES = [
    "finance_allocation", "finance_chequeevent", "finance_entry", "finance_cheque",
    "finance_receipt", "finance_account", "sales_invoiceline", "sales_invoice",
]  # fmt: skip
VACUUMED = [
    "finance_entry", "finance_allocation", "finance_cheque", "finance_chequeevent",
    "finance_receipt", "finance_account", "sales_invoice", "contacts_contact",
]  # fmt: skip


def generate(args, clerks: list[User], banks: list[int]) -> None:
    today = timezone.localdate()
    long_customers = min(LONG_CUSTOMERS, args.customers // 100)
    per_long = min(LONG_INVOICES, args.invoices // 100)
    typical = args.customers - long_customers
    rest = args.invoices - long_customers * per_long
    params = {
        "today": today,
        "invoices": args.invoices,
        "receipts": args.receipts,
        "long": long_customers,
        "per_long": per_long,
        "long_n": long_customers * per_long,
        "long_span": LONG_SPAN_DAYS,
        "typical": typical,
        "q": rest // typical,
        "r": rest % typical,
        "clerks": [clerk.pk for clerk in clerks],
        "clerk_count": len(clerks),
        "banks": banks,
        "bank_count": len(banks),
        "bank_names": list(IRANIAN_BANKS[:12]),
        "bank_name_count": 12,
        "direction": str(Receipt.Direction.IN.label),
        "bounced": str(Entry.Kind.CHEQUE_BOUNCED.label),
        "returned": str(Entry.Kind.CHEQUE_RETURNED.label),
        "original": InvoiceSubject.ORIGINAL.value,  # every one an original sale
    }
    print(
        f"generating {args.invoices:,} invoices and {args.receipts:,} receipts for "
        f"{args.customers:,} customers ({long_customers} with {per_long:,} invoices each)…",
        flush=True,
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Temporary tables live in this session's own buffers: set before the first.
        cursor.execute("SET temp_buffers = '1GB'")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SET LOCAL work_mem = '512MB'; SET LOCAL maintenance_work_mem = '1GB';"
            " SET LOCAL join_collapse_limit = 8; SET LOCAL from_collapse_limit = 8;"
            " SET CONSTRAINTS ALL IMMEDIATE"
        )
        first = today - datetime.timedelta(days=LONG_SPAN_DAYS + 30)
        _jalali_calendar(cursor, first, today + datetime.timedelta(days=200))
        cursor.execute(
            "CREATE TEMP TABLE bc ON COMMIT DROP AS SELECT row_number() OVER (ORDER BY code)::int"
            " AS c, id, owner_id, name FROM contacts_contact WHERE code LIKE %(prefix)s",
            {"prefix": f"{PREFIX}%"},
        )
        cursor.execute("CREATE UNIQUE INDEX ON bc (c); ANALYZE bc")
        _run(cursor, "stage invoices", STAGE_INVOICES, params)
        _run(cursor, "number invoices", STAGE_INVOICE_IDS)
        cursor.execute("CREATE UNIQUE INDEX ON s_inv (n); ANALYZE s_inv")
        _run(cursor, "stage receipts", STAGE_RECEIPTS, params)
        _run(cursor, "number receipts", STAGE_RECEIPT_IDS, params)
        _run(cursor, "stage cheques", STAGE_CHEQUES, params)
        cursor.execute("ANALYZE s_rcp; ANALYZE s_chq")
        _run(cursor, "stage entries", STAGE_ENTRIES, params)
        _run(cursor, "number entries", STAGE_ENTRY_IDS)
        cursor.execute("ANALYZE s_ent")
        _run(cursor, "allocate oldest first", STAGE_ALLOCATIONS)
        _run(cursor, "allocate returned cheques", STAGE_CHEQUE_CHARGES)
        _run(cursor, "kept totals", STAGE_KEPT)
        cursor.execute("CREATE UNIQUE INDEX ON s_kept (id); ANALYZE s_kept; ANALYZE s_alloc")
        _run(cursor, "insert invoices", INSERT_INVOICES, params)
        _run(cursor, "insert receipts", INSERT_RECEIPTS)
        # A cheque and its credit entry point at each other: checked together.
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        _run(cursor, "insert cheques", INSERT_CHEQUES)
        _run(cursor, "insert entries", INSERT_ENTRIES)
        _run(cursor, "check foreign keys", "SET CONSTRAINTS ALL IMMEDIATE")
        _run(cursor, "insert cheque events", INSERT_CHEQUE_EVENTS)
        _run(cursor, "insert allocations", INSERT_ALLOCATIONS)
        _run(cursor, "insert accounts", INSERT_ACCOUNTS)
        _set_sequences(cursor)
    print(f"  committed in {time.perf_counter() - started:.0f} s", flush=True)
    vacuum_started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in VACUUMED:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    print(f"  VACUUM ANALYZE in {time.perf_counter() - vacuum_started:.0f} s", flush=True)


def _set_sequences(cursor) -> None:
    """The numbering series where a real installation would have them after these rows:
    this year's next invoice and receipt follow the last generated ones."""
    year = jalali_today().year
    ensure_sequence(INVOICE_SEQUENCE, "فاکتورها", pattern="{سال}/{شماره}", padding=5, yearly=True)
    ensure_sequence(services.RECEIPT_SEQUENCE, "دریافت‌ها", pattern="{سال}/{شماره}", padding=5)
    for kind, table in (
        (INVOICE_SEQUENCE, "sales_invoice"),
        (services.RECEIPT_SEQUENCE, "finance_receipt"),
    ):
        cursor.execute(
            f"SELECT coalesce(max(split_part(number, '/', 2)::bigint), 0) FROM {table}"  # noqa: S608
            " WHERE number LIKE %s",
            [f"{year}/%"],
        )
        Sequence.objects.filter(kind=kind).update(year=year, last_number=cursor.fetchone()[0])


def regenerate() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(MONEY_TABLES)} CASCADE")


# Checks ------------------------------------------------------------------------------------

CHECKS = [
    (
        "entries whose allocated/settled differ from their allocations",
        """
        SELECT count(*) FROM finance_entry e
        LEFT JOIN (SELECT a.debit_id AS id, sum(a.amount) AS allocated,
                          coalesce(sum(a.amount) FILTER (WHERE c.cleared), 0) AS settled
                   FROM finance_allocation a JOIN finance_entry c ON c.id = a.credit_id
                   GROUP BY a.debit_id) AS d ON d.id = e.id
        LEFT JOIN (SELECT credit_id AS id, sum(amount) AS allocated
                   FROM finance_allocation GROUP BY credit_id) AS c ON c.id = e.id
        WHERE e.allocated <> coalesce(d.allocated, c.allocated, 0)
           OR e.settled <> coalesce(d.settled, 0)
        """,
    ),
    (
        "allocations across customers or sides",
        """
        SELECT count(*) FROM finance_allocation a
        JOIN finance_entry d ON d.id = a.debit_id JOIN finance_entry c ON c.id = a.credit_id
        WHERE d.contact_id <> c.contact_id OR d.debit = 0 OR c.credit = 0
        """,
    ),
    (
        "invoices whose paid/total differ from their entry",
        """
        SELECT count(*) FROM sales_invoice i LEFT JOIN finance_entry e ON e.invoice_id = i.id
        WHERE e.id IS NULL OR i.paid <> e.settled OR i.total <> e.debit
        """,
    ),
    (
        "accounts that differ from their entries and cheques",
        """
        SELECT count(*) FROM finance_account a
        FULL JOIN (SELECT contact_id, sum(debit) AS debit, sum(credit) AS credit
                   FROM finance_entry GROUP BY contact_id) AS t ON t.contact_id = a.contact_id
        LEFT JOIN (SELECT contact_id, sum(amount) AS amount FROM finance_cheque
                   WHERE status IN ('received', 'deposited', 'endorsed') AND deleted_at IS NULL
                   GROUP BY contact_id) AS h ON h.contact_id = coalesce(a.contact_id, t.contact_id)
        WHERE a.debit IS DISTINCT FROM t.debit OR a.credit IS DISTINCT FROM t.credit
           OR a.cheques_in_hand <> coalesce(h.amount, 0)
        """,
    ),
    (
        "balances ≠ open debits − unallocated credits",
        """
        SELECT count(*) FROM finance_account a
        JOIN (SELECT contact_id, sum(debit - credit) AS balance,
                     sum(CASE WHEN debit > 0 THEN debit - allocated
                              ELSE allocated - credit END) AS open
              FROM finance_entry GROUP BY contact_id) AS t ON t.contact_id = a.contact_id
        WHERE a.debit - a.credit <> t.balance OR t.balance <> t.open
        """,
    ),
    (
        "customers left with an open debt and unused money",
        """
        SELECT count(*) FROM (
            SELECT DISTINCT contact_id FROM finance_entry WHERE debit > allocated
            INTERSECT
            SELECT DISTINCT contact_id FROM finance_entry WHERE credit > allocated
        ) AS both_open
        """,
    ),
]


def verify(sample: int) -> None:
    print("checking the kept totals…", flush=True)
    failed = False
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL join_collapse_limit = 8; SET LOCAL work_mem = '256MB'")
        for label, sql in CHECKS:
            started = time.perf_counter()
            cursor.execute(sql)
            (count,) = cursor.fetchone()
            failed |= count > 0
            print(f"  {label:<62} {count:>6}  {time.perf_counter() - started:5.1f} s")
    # The services' own recomputation, on a sample: it must find nothing to change.
    contacts = _sample_contacts(sample)
    changed = 0
    started = time.perf_counter()
    for contact_id in contacts:
        with transaction.atomic():
            entries = list(Entry.objects.filter(contact_id=contact_id).values_list(
                "id", "allocated", "settled").order_by("id"))  # fmt: skip
            paid = list(Invoice.objects.filter(contact_id=contact_id).values_list(
                "id", "paid").order_by("id"))  # fmt: skip
            account = Account.objects.filter(pk=contact_id).values_list(
                "debit", "credit", "cheques_in_hand").get()  # fmt: skip
            services._refresh(contact_id, [pk for pk, _allocated, _settled in entries])
            after = (
                list(Entry.objects.filter(contact_id=contact_id).values_list(
                    "id", "allocated", "settled").order_by("id")),
                list(Invoice.objects.filter(contact_id=contact_id).values_list(
                    "id", "paid").order_by("id")),
                Account.objects.filter(pk=contact_id).values_list(
                    "debit", "credit", "cheques_in_hand").get(),
            )  # fmt: skip
            changed += after != (entries, paid, account)
            transaction.set_rollback(True)
    failed |= changed > 0
    print(
        f"  {f'finance.services._refresh changes on {len(contacts)} sampled customers':<62}"
        f" {changed:>6}  {time.perf_counter() - started:5.1f} s"
    )
    if failed:
        raise SystemExit("the generated rows are not consistent")


def _sample_contacts(sample: int) -> list[int]:
    ids = list(
        Contact.all_objects.filter(code__startswith=PREFIX).order_by("code").values_list(
            "pk", flat=True)
    )  # fmt: skip
    step = max(1, len(ids) // sample)
    return [ids[0], *ids[LONG_CUSTOMERS + 3 :: step][:sample]]


# Timing ----------------------------------------------------------------------------------


def rolled_back(call):
    """``call`` in a transaction that is rolled back: a write timed again and again."""

    def run():
        with transaction.atomic():
            call()
            transaction.set_rollback(True)

    return run


# The bench's stand-in for the aging report while peyvand/reports has none in this tree: the
# open part of every debit by days past its due date (due today is 0 days), less each
# customer's unallocated credits, per customer, for a user who sees all: a GROUP BY over
# the open lines with a CASE per bucket (FINANCE.md). For such a user only the trash is
# left out, and the trash is small: NOT IN it (a hashed list) rather than IN every live
# customer (a hash of them all). The report's page shows the customers owing most and a
# total row for everyone; its export, every customer. The open lines are read
# - with one WHERE debit > allocated OR credit > allocated, as the ORM writes Q(…) | Q(…):
#   PostgreSQL cannot estimate a comparison of two columns (it takes a third of the rows
#   for each), so the OR looks like half of the table: a parallel plan reads all of it,
#   a serial one both partial indexes and then a heap page per line;
# - each condition apart, UNION ALL: each is one partial index's own predicate, and the
#   index carries the amounts, so each is an index-only scan;
# and the page is ranked either by the grouped totals or by Account's kept balance, which
# the aging total of each customer equals (the account_balance index): then only the
# page's customers are bucketed.
AGING_SUMS = """
SELECT {key}
    sum(CASE WHEN due_date > %(today)s THEN owed ELSE 0 END)::bigint AS not_due,
    sum(CASE WHEN due_date <= %(today)s AND due_date >= %(today)s::date - 30
             THEN owed ELSE 0 END)::bigint AS days_0_30,
    sum(CASE WHEN due_date < %(today)s::date - 30 AND due_date >= %(today)s::date - 60
             THEN owed ELSE 0 END)::bigint AS days_31_60,
    sum(CASE WHEN due_date < %(today)s::date - 60 AND due_date >= %(today)s::date - 90
             THEN owed ELSE 0 END)::bigint AS days_61_90,
    sum(CASE WHEN due_date < %(today)s::date - 90 THEN owed ELSE 0 END)::bigint AS days_over_90,
    sum(CASE WHEN due_date IS NULL THEN owed ELSE 0 END)::bigint AS credits,
    sum(owed)::bigint AS total
FROM ({lines}) AS e
WHERE e.contact_id NOT IN (SELECT id FROM contacts_contact WHERE deleted_at IS NOT NULL) {more}
"""
# Each open line as (customer, due date — none for a credit —, what it adds to the balance).
OPEN_LINES = {
    "or": """
        SELECT contact_id, CASE WHEN debit > 0 THEN due_date END AS due_date,
            CASE WHEN debit > 0 THEN debit - allocated ELSE allocated - credit END AS owed
        FROM finance_entry WHERE debit > allocated OR credit > allocated""",
    "union": """
        SELECT contact_id, due_date, debit - allocated AS owed
        FROM finance_entry WHERE debit > allocated
        UNION ALL
        SELECT contact_id, NULL, allocated - credit FROM finance_entry WHERE credit > allocated""",
}
_GROUPED = "GROUP BY contact_id ORDER BY total DESC, contact_id"
AGING_PAGE = {
    form: AGING_SUMS.format(key="contact_id,", lines=lines, more="") + _GROUPED + " LIMIT %(rows)s"
    for form, lines in OPEN_LINES.items()
}
AGING_TOTAL = {
    form: AGING_SUMS.format(key="", lines=lines, more="") for form, lines in OPEN_LINES.items()
}
AGING_RANKED = """
SELECT a.contact_id FROM finance_account a
WHERE a.contact_id NOT IN (SELECT id FROM contacts_contact WHERE deleted_at IS NOT NULL)
    AND a.debit <> a.credit
ORDER BY a.debit - a.credit DESC, a.contact_id LIMIT %(rows)s
"""
AGING_OF = (
    AGING_SUMS.format(
        key="contact_id,", lines=OPEN_LINES["union"], more="AND e.contact_id = ANY(%(ids)s)"
    )
    + "GROUP BY contact_id"
)
AGING_EXPORT = (
    "SELECT c.code, c.name, a.* FROM ("  # noqa: S608
    + AGING_SUMS.format(key="contact_id,", lines=OPEN_LINES["union"], more="")
    + _GROUPED
    + ") AS a JOIN contacts_contact c ON c.id = a.contact_id ORDER BY a.total DESC, a.contact_id"
)
AGING_ROWS = 200  # customers on the report's page


def aging_page(today: datetime.date, form: str) -> tuple[list[tuple], tuple]:
    """The page: the customers owing most (one more tells whether there are others), the
    total of everyone, and the page's names."""
    params = {"today": today, "rows": AGING_ROWS + 1}
    with connections[settings.REPORTS_DATABASE].cursor() as cursor:
        if form == "ranked":
            cursor.execute(AGING_RANKED, params)
            ids = [contact_id for (contact_id,) in cursor.fetchall()]
            cursor.execute(AGING_OF, {**params, "ids": ids})
            rows = cursor.fetchall()
            cursor.execute(AGING_TOTAL["union"], params)
        else:
            cursor.execute(AGING_PAGE[form], params)
            rows = cursor.fetchall()
            ids = [row[0] for row in rows]
            cursor.execute(AGING_TOTAL[form], params)
        total = cursor.fetchone()
        cursor.execute("SELECT id, code, name FROM contacts_contact WHERE id = ANY(%s)", [ids])
        cursor.fetchall()
    return rows, total


def aging_export(today: datetime.date) -> list[tuple]:
    with connections[settings.REPORTS_DATABASE].cursor() as cursor:
        cursor.execute(AGING_EXPORT, {"today": today})
        return cursor.fetchall()


# Plans -----------------------------------------------------------------------------------

WATCHED = ("entry_contact_date", "entry_open_debit", "entry_open_credit", "cheque_in_hand_due")


def _walk(node: dict):
    yield node
    for child in node.get("Plans", ()):
        yield from _walk(child)


def _node(node: dict) -> str:
    text = node["Node Type"]
    if "Index Name" in node:
        text += f" using {node['Index Name']}"
    elif "Relation Name" in node:
        text += f" on {node['Relation Name']}"
    return text


def _plan(sql: str, params, using, serial: bool = False) -> list[dict]:
    with transaction.atomic(using=using.alias), using.cursor() as cursor:
        if serial:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", params)
        (plan,) = cursor.fetchone()
    return json.loads(plan) if isinstance(plan, str) else plan


def explain(label: str, sql: str, params=None, using=connection) -> None:
    """The plan's top nodes, its time and buffers, and the indexes it used; a parallel
    plan is run again without workers, for comparison."""
    plan = _plan(sql, params, using)
    root = plan[0]["Plan"]
    nodes = list(_walk(root))
    top = _node(root)
    if root["Node Type"] in ("Limit", "Sort", "Aggregate", "Unique", "GroupAggregate"):
        top += f" ← {_node(root['Plans'][0])}"
    used = sorted({node["Index Name"] for node in nodes if "Index Name" in node})
    tables = [table for table in ("entry", "cheque") if f"finance_{table}" in sql]
    how = {}
    for node in nodes:
        if node.get("Index Name") in WATCHED and node["Node Type"] == "Index Only Scan":
            fetched = how.get(node["Index Name"], 0) + node.get("Heap Fetches", 0)
            how[node["Index Name"]] = fetched
    watched = ", ".join(
        f"{name} {'no' if name not in used else 'yes'}"
        + (f" (index-only, {how[name]:,} heap fetches)" if name in how else "")
        for name in WATCHED
        if name.split("_")[0] in tables
    )
    other = [name for name in used if name not in WATCHED]
    serial = ""
    if any(node["Node Type"].startswith("Gather") for node in nodes):
        again = _plan(sql, params, using, serial=True)
        serial = f"; without parallel workers {again[0]['Execution Time']:.2f} ms"
    print(
        f"  {label:<38} {top}\n"
        f"  {'':<38} {plan[0]['Execution Time']:.2f} ms (planning {plan[0]['Planning Time']:.2f}),"
        f" {root['Actual Rows']:,} rows, buffers hit {root.get('Shared Hit Blocks', 0):,}"
        f" read {root.get('Shared Read Blocks', 0):,}{serial}\n"
        f"  {'':<38} indexes: {watched or '—'}" + (f"; also {', '.join(other)}" if other else "")
    )


def explain_page(client: Client, label: str, url: str, params: dict, table: str) -> None:
    """EXPLAIN ANALYZE of each query a page runs on ``table``, as the page sent it."""
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params)
    for query in [q["sql"] for q in queries.captured_queries if f'"{table}"' in q["sql"]]:
        explain(f"{label}, {_what(query)}", query)


def _what(sql: str) -> str:
    if 'SUM("finance_entry"."debit")' in sql:
        return "brought forward"
    if '"finance_entry"."debit" > ("finance_entry"."allocated")' in sql:
        return "open debts"
    if '"finance_entry"' in sql:
        return "lines"
    return "page"


# Main ------------------------------------------------------------------------------------


def _jalali(day: datetime.date) -> str:
    return to_jalali(day).strftime("%Y/%m/%d")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--receipts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=25)
    parser.add_argument("--sample", type=int, default=50, help="customers _refresh checks")
    parser.add_argument(
        "--regenerate", action="store_true", help="empty the money tables and make them again"
    )
    parser.add_argument(
        "--pg-option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a PostgreSQL setting for the bench's connection, as settings.py would add it"
        " (e.g. max_parallel_workers_per_gather=0); repeatable",
    )
    args = parser.parse_args()
    # Before the first connection: every connection the bench opens carries them.
    for option in args.pg_option:
        for database in connections.all():
            database.settings_dict["OPTIONS"]["options"] += f" -c {option}"
    if connection.vendor != "postgresql":
        raise SystemExit("set DATABASE_URL to a PostgreSQL database (see the docstring)")
    call_command("migrate", verbosity=0)
    finance, reps, clerks = ensure_users()
    banks = ensure_bank_accounts()
    if args.regenerate:
        regenerate()
    ensure_customers(args.customers, reps)
    if Invoice.objects.exists():
        print("reusing the generated rows (--regenerate to make them again)")
    else:
        generate(args, clerks, banks)
        verify(args.sample)
    print(
        f"{Contact.objects.filter(code__startswith=PREFIX).count():,} customers, "
        f"{Invoice.objects.count():,} invoices, {Receipt.objects.count():,} receipts, "
        f"{Cheque.objects.count():,} cheques, {Entry.objects.count():,} entries, "
        f"{Allocation.objects.count():,} allocations ({connection.vendor})"
    )
    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, count(*) FROM finance_cheque GROUP BY status ORDER BY status"
        )
        print("  cheques: " + ", ".join(f"{s} {n:,}" for s, n in cursor.fetchall()))
        cursor.execute(
            "SELECT method, count(*) FROM finance_receipt GROUP BY method ORDER BY 2 DESC"
        )
        print("  receipts: " + ", ".join(f"{m} {n:,}" for m, n in cursor.fetchall()))
        cursor.execute(
            "SELECT count(*), count(DISTINCT contact_id) FROM finance_entry WHERE debit > allocated"
        )
        open_debts, owing = cursor.fetchone()
        print(f"  {open_debts:,} open debts of {owing:,} customers")

    # The measured customers: a long history and a typical one (9–10 invoices, a slow
    # payer with cheques), an invoice of theirs, the customer owing the most invoices.
    long_customer = Contact.objects.get(code=f"{PREFIX}{1:06d}")
    number = args.customers // 5 - args.customers // 5 % 20 + 14
    typical = Contact.objects.get(code=f"{PREFIX}{number:06d}")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT contact_id FROM finance_entry WHERE debit > allocated"
            " GROUP BY contact_id ORDER BY count(*) DESC, contact_id LIMIT 1"
        )
        (most_open,) = cursor.fetchone()
    most_open = Contact.objects.get(pk=most_open)
    invoice = (
        Invoice.objects.filter(contact=long_customer, entries__debit_allocations__isnull=False)
        .annotate(n=Count("entries__debit_allocations"))
        .order_by("-n", "-date")
        .first()
    )
    for who, contact in (("typical", typical), ("long", long_customer), ("most open", most_open)):
        entries = Entry.objects.filter(contact=contact).count()
        debts = Entry.objects.filter(contact=contact, debit__gt=F("allocated"))
        this_year = Entry.objects.filter(
            contact=contact, date__gte=from_jalali(jalali_today().year, 1, 1)
        ).count()
        print(
            f"  {who} customer {contact.code}: {entries:,} entries"
            f" ({this_year:,} this Jalali year), {debts.count():,} open debts,"
            f" balance {selectors.account_of(contact).balance:,}"
        )
    print(
        f"  invoice {invoice.number} of {long_customer.code}: "
        f"{Allocation.objects.filter(debit__invoice=invoice).count()} allocations"
    )

    year = jalali_today().year
    last_year = (from_jalali(year - 1, 1, 1), from_jalali(year, 1, 1) - datetime.timedelta(days=1))
    last_year_params = {"start": _jalali(last_year[0]), "end": _jalali(last_year[1])}
    client = Client()
    client.force_login(finance)
    results: dict[str, float] = {}
    account_url = reverse("finance:account", args=[typical.pk])
    long_url = reverse("finance:account", args=[long_customer.pk])
    cheques_url = reverse("finance:cheque_list")
    if args.pg_option:
        print(f"with {', '.join(args.pg_option)} on the bench's connections")
    print(
        f"as a «مالی» user (sees all), medians of {args.repeat}; load average"
        f" {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work slows every number):"
    )
    pages = [
        ("account", "account, typical (this year)", account_url, {}),
        ("account", "account, long history (this year)", long_url, {}),
        ("", f"account, typical, year {year - 1}", account_url, last_year_params),
        ("", f"account, long history, year {year - 1}", long_url, last_year_params),
        ("cheques", "cheques due, in hand this week", cheques_url, {"due_period": "this_week"}),
        ("cheques", "cheques due, next 30 days", cheques_url, {"due_period": "next_30_days"}),
        ("", "contact page, typical", reverse("contacts:detail", args=[typical.pk]), {}),
        ("", "contact page, long history", reverse("contacts:detail", args=[long_customer.pk]),
         {}),
        ("", "invoice page with its payments", reverse("sales:invoice_detail", args=[invoice.pk]),
         {}),
        # Their footer totals every invoice under the filters (one grouped aggregate).
        ("", "invoice list, every invoice", reverse("sales:invoice_list"), {}),
        ("", "invoice list, unpaid", reverse("sales:invoice_list"), {"payment": "unpaid"}),
    ]  # fmt: skip
    for target, label, url, params in pages:
        results[label] = (target, measure(client, label, url, params, args.repeat))
    for who, contact in (("typical", typical), ("long history", long_customer)):
        label = f"statement(), {who}, year {year - 1}"
        median = measure_call(
            label, lambda c=contact: selectors.statement(c, *last_year), args.repeat
        )
        results[label] = ("", median)

    debts = list(selectors.open_debts(most_open)[:11])
    amount = sum(debt.open_amount for debt in debts[:10]) + debts[10].open_amount // 2

    def record(amount: int, method: str = Method.PAYA):
        cheque = None
        if method == Method.CHEQUE:
            cheque = Cheque(sayad_id="9999888877776666", bank="ملی", drawer=most_open.name,
                            due_date=today + datetime.timedelta(days=30))  # fmt: skip
        services.receipt_record(
            receipt=Receipt(contact=most_open, direction=Receipt.Direction.IN, date=today,
                            amount=amount, method=method, bank_account_id=banks[0],
                            reference="140509121"),
            cheque=cheque, by=finance,
        )  # fmt: skip

    for label, call in (
        ("receipt_record, settles 1 invoice", lambda: record(debts[0].open_amount)),
        ("receipt_record, settles 11 invoices", lambda: record(amount)),
        ("receipt_record, cheque, settles 11", lambda: record(amount, Method.CHEQUE)),
    ):
        results[label] = ("", measure_call(label, rolled_back(call), args.repeat))
    reports_db = connections[settings.REPORTS_DATABASE]
    for form, how in (
        ("or", "one WHERE … OR …"),
        ("union", "UNION ALL"),
        ("ranked", "by Account, UNION ALL"),
    ):
        label = f"aging page (stand-in), {how}"
        median = measure_call(label, lambda f=form: aging_page(today, f), args.repeat, reports_db)
        results[label] = ("aging", median)
    # Not a page (the export runs in the background), so no target; for the record.
    label = "aging export (stand-in), UNION ALL"
    results[label] = ("", measure_call(label, lambda: aging_export(today), args.repeat, reports_db))
    pages = {form: aging_page(today, form) for form in ("or", "union", "ranked")}
    same = all(
        sorted(rows) == sorted(pages["or"][0]) and total == pages["or"][1]
        for rows, total in pages.values()
    )
    total = pages["or"][1]
    every = aging_export(today)
    print(
        f"  {'':<44} {len(every):,} customers owe or are owed; not due {total[0]:,},"
        f" 0–30 {total[1]:,}, 31–60 {total[2]:,}, 61–90 {total[3]:,}, >90 {total[4]:,},"
        f" credits {total[5]:,}, total {total[6]:,}; the three pages"
        f" {'agree' if same else 'DISAGREE'}"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(debit - credit) FROM finance_account")
        (balances,) = cursor.fetchone()
    print(
        f"  {'':<44} Σ Account.balance {balances:,}"
        f" ({'equal' if balances == total[6] else 'DIFFERENT'})"
    )

    print(f"against the targets (load average {os.getloadavg()[0]:.1f}):")
    for label, (target, median) in results.items():
        if target:
            limit = TARGETS_MS[target]
            verdict = "met" if median <= limit else "MISSED"
            print(f"  {label:<44} {median:7.1f} ms  ≤ {limit:,} ms  {verdict}")

    print("plans (EXPLAIN ANALYZE, BUFFERS) of the queries on the money tables:")
    explain_page(client, "account, long history", long_url, {}, "finance_entry")
    explain_page(client, f"account, long, {year - 1}", long_url, last_year_params, "finance_entry")
    explain_page(client, "cheques, this week", cheques_url, {}, "finance_cheque")
    explain_page(client, "cheques, next 30 days", cheques_url, {"period": "month"},
                 "finance_cheque")  # fmt: skip
    params = {"today": today, "rows": AGING_ROWS + 1}
    explain("aging page, OR, by customer", AGING_PAGE["or"], params, reports_db)
    explain("aging page, OR, total", AGING_TOTAL["or"], params, reports_db)
    explain("aging page, UNION, by customer", AGING_PAGE["union"], params, reports_db)
    explain("aging page, UNION, total", AGING_TOTAL["union"], params, reports_db)
    with reports_db.cursor() as cursor:
        cursor.execute(AGING_RANKED, params)
        ids = [contact_id for (contact_id,) in cursor.fetchall()]
    explain("aging page, ranked: customers", AGING_RANKED, params, reports_db)
    explain("aging page, ranked: their buckets", AGING_OF, {**params, "ids": ids}, reports_db)
    explain("aging export", AGING_EXPORT, {"today": today}, reports_db)


if __name__ == "__main__":
    main()
