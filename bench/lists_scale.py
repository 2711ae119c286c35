"""Every declared list at scale (issue 25, «Performance»): each list of
``peyvand.core.lists.LISTS`` — whatever is declared when it runs, so lists merged later
are measured without editing this — filtered, sorted and totalled on PostgreSQL at the
issue's volumes, against its targets: a single filter and the common combinations
(owner + date range + status, text + status) ≤ 50 ms median, any other combination
≤ 300 ms, and no sort reads the whole table for a first page.

    createdb -h 127.0.0.1 -U postgres peyvand_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peyvand_bench \\
        .venv/bin/python manage.py migrate
    .venv/bin/python bench/lists_scale.py [--lists quotes,invoices] [--quick] [--repeat 7]
        [--who rep] [--cases "q=,sort=-next"]   # only those cases, no totals

DATABASE_URL defaults to the one above. The first run fills the database once with the
generators of the benches (imported from bench/, set-based SQL or COPY, no row saved one
by one): finance_scale (100,000 customers, 1,000,000 invoices and 1,000,000 receipts of
which 300,000 cheques), sales_scale (200,000 leads, each with its own customer — seven
in ten with a category, six in ten with a region — registered over two years, one in
four won or lost, most of their reps in teams of ten; --followups follow-ups; 300,000
proformas of the finance customers, every status), service_scale (500,000 requests and
100,000 complaints of 20,000 customers), contacts_scale, which tops the contacts up to
1,000,000 (two phones each, regions, guilds, custom values; then the contacts it made
get a spread of status, VIP, roles and birthdays, one UPDATE), and activities_scale
(1,000,000 calls with the missed ones' call-back tasks, tasks up to 300,000, 200,000
events and 1,000,000 messages of which 300,000 from 100 broadcasts, over the contacts
with a mobile and the bench's staff, this bench's manager among them); every filled
table is VACUUM ANALYZEd. About 30 minutes on two busy cores; per 100,000 rows, measured
at a few hundred thousand: calls 8–10 s, tasks 5 s, events 3–6 s, proformas 12–15 s and
messages 16–25 s (the last two: a customer_key trigger's lookup per row and the trigram
index on their search key). Each generator tops its table up to its count (--quotes,
--calls, --tasks, --events, --messages) and skips it when it is there, so a database
filled before these existed gets only them; its leads (all open, registered on one day,
with no source, amount, category or region) get theirs by two UPDATEs
(sales_scale.spread_leads). Later runs reuse the rows; ``--regenerate`` empties them
(TRUNCATE contacts_contact CASCADE, every row that hangs off a contact, and the tasks,
events and broadcasts, which do not) and fills them again.

For each list, as a manager (sees all) and as a sales rep (the user, among those who may
open the list without seeing all, who appears most on a random sample of its rows as
owner, assignee or customer's owner; one in no team is put in a two-person team with
the next such user, so that they see a team's share), the first page is read: with no
filter; with each filter alone at realistic values — a choice at each option (or, past
six, the most and the least selective on the sample), a record at the customer with
most rows, a person at the busiest owner and at «me», a date range at this month and
this year (ahead: overdue and the next 30 days), an amount range from the sample's 90th
percentile, the search at a common Persian name, a rare one, the phone digits «0912»
and a code of a row, a tree at a root and a leaf, yes/no both ways; each sort in both
directions; the common combinations where the list has their filters; and a few other
combinations (a customer's rows this year in another order, an amount with the status,
a phone this month, every filter at once). What is timed is what the page does for its
rows, ``list(paginate(spec.rows(user, params), 1, 25).items)`` (the filters' own
queries, e.g. a record's name, included), ``--repeat`` times after one to warm up
(bench/pagetiming.py ``time_call``): median, p95, the SQL's median and the query count;
``--pages`` also fetches the whole page through Django's test client (its time includes
the footer's totals, timed apart here). Each case shows the indexes its plan uses
(EXPLAIN); for each sort and each case over its target, EXPLAIN (ANALYZE, BUFFERS) is
printed after the table. Then the footer's totals (``spec.totals_of``, capped at
TOTALS_CAP rows) are timed with no filter and with one.

``--pg-option NAME=VALUE`` (repeatable) sets a PostgreSQL setting on the bench's
connections, as settings.py would, to compare: a rep's first pages of receipts and
cheques took a parallel plan (Gather Merge) whose workers cost 50–90 ms to start on two
busy cores; with max_parallel_workers_per_gather=0 they came back within 50 ms.

The machine's other work inflates every wall time: the load average is printed.
Not part of the test run; the numbers go in the change's note.
"""

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/peyvand_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peyvand.settings")

import django  # noqa: E402

django.setup()

# The generators of the other benches (bench/ is the script's folder): importing them
# runs none of their timings.
import activities_scale  # noqa: E402
import contacts_scale  # noqa: E402
import finance_scale  # noqa: E402
import sales_scale  # noqa: E402
import service_scale  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.db.models import Count, Max, Min  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from pagetiming import Timing, time_call  # noqa: E402

from peyvand.accounts.models import Team  # noqa: E402
from peyvand.accounts.roles import MANAGER, ensure_roles  # noqa: E402
from peyvand.activities.models import Call, Event, Task  # noqa: E402
from peyvand.contacts.models import Contact  # noqa: E402
from peyvand.core.lists import (  # noqa: E402
    LISTS,
    AmountRange,
    Choice,
    DateRange,
    ListSpec,
    MultiChoice,
    Person,
    Record,
    Search,
    Tree,
    YesNo,
)
from peyvand.core.lists.filters import ALL, NO, YES  # noqa: E402
from peyvand.core.pagination import paginate  # noqa: E402
from peyvand.messaging.models import Message  # noqa: E402
from peyvand.sales.models import Invoice, Lead, Quote  # noqa: E402
from peyvand.service.models import Request  # noqa: E402

User = get_user_model()

SINGLE_MS = 50  # no filter, one filter, one sort, the common combinations
OTHER_MS = 300  # any other combination
SAMPLE = 5_000  # random rows per list, for realistic values and selectivity
COMMON_NAME = "کریمی"
PHONE_DIGITS = "0912"
DATE_PRESETS = ("this_month", "this_year", "overdue", "next_30_days")

# Filling ----------------------------------------------------------------------------------


def filled(args) -> bool:
    return (
        Contact.all_objects.count() >= args.contacts
        and Lead.objects.filter(code__startswith="B").count() >= args.leads
        and Request.all_objects.filter(tracking_code__startswith="B").count() >= args.requests
        and Invoice.objects.exists()
        and not Contact.all_objects.filter(code__startswith="B0", roles=[]).exists()
        # sales_scale.spread_leads has run (customers with a category, leads not all open)
        and Contact.all_objects.filter(code__startswith="BC", category__isnull=False).exists()
        and Lead.objects.filter(code__startswith="B").exclude(status="open").exists()
        and Quote.all_objects.count() >= args.quotes
        and Call.all_objects.count() >= args.calls
        and Task.all_objects.count() >= args.tasks
        and Event.all_objects.count() >= args.events
        and Message.all_objects.count() >= args.messages
    )


def fill(args) -> None:
    """The issue's volumes, from the other benches' generators (each skips what is
    there already)."""
    started = time.perf_counter()
    if args.regenerate:
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE contacts_contact, activities_task, activities_event,"
                " messaging_broadcast CASCADE"
            )
        print("emptied every table that hangs off contacts, tasks, events", flush=True)
    elif filled(args):
        print("reusing the generated rows (--regenerate to make them again)", flush=True)
        return
    # Each generator skips what it finds made already.
    ensure_roles()
    _finance, reps, clerks = finance_scale.ensure_users()
    banks = finance_scale.ensure_bank_accounts()
    finance_scale.ensure_customers(args.customers, reps)
    if not Invoice.objects.exists():
        finance_scale.generate(
            argparse.Namespace(
                customers=args.customers, invoices=args.invoices, receipts=args.invoices
            ),
            clerks,
            banks,
        )
    _lap("invoices, receipts and cheques", started)
    sales_scale.prepare(args.leads, args.followups)
    _lap("leads", started)
    sales_scale.ensure_quotes(args.quotes)
    _lap("proformas", started)
    service_scale.prepare(args.requests, args.complaints)
    _lap("requests and complaints", started)
    contacts_scale.ensure_users()
    contacts_scale.fill(args.contacts)
    plan, staff = contacts_scale.ensure_custom_fields()
    contacts_scale.backfill_custom(plan, staff)
    vary_contacts()
    _lap("contacts", started)
    manager_user()  # has their share of them, as a manager has
    activities_scale.fill(args.calls, args.tasks, args.events, args.messages)
    _lap("calls, tasks, events and messages", started)
    with connection.cursor() as cursor:
        for table in (
            "contacts_contact", "contacts_contactphone", "sales_lead", "sales_followup",
            "service_request", "service_complaint",
        ):  # fmt: skip
            cursor.execute(f"VACUUM ANALYZE {table}")
    _lap(f"{Contact.all_objects.count():,} contacts; vacuumed: all filled", started)


def _lap(what: str, started: float) -> None:
    print(f"  {what} in {time.perf_counter() - started:.0f} s from the start", flush=True)


def vary_contacts() -> None:
    """contacts_scale leaves every contact a prospect, none VIP, without roles or
    birthday: one UPDATE spreads them (by id, so any filter on them has realistic
    selectivity) — a fifth customers, a tenth inactive, one in fifty VIP, roles, a
    birthday for two in three."""
    if not Contact.all_objects.filter(code__startswith="B0", roles=[]).exists():
        fill_birth_months()
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE contacts_contact SET
                status = CASE WHEN id %% 10 < 2 THEN 'customer' WHEN id %% 10 = 9
                              THEN 'inactive' ELSE 'prospect' END,
                is_vip = id %% 50 = 7,
                roles = CASE WHEN id %% 20 = 3 THEN '["supplier"]'::jsonb
                             WHEN id %% 20 = 4 THEN '["agent"]'::jsonb
                             WHEN id %% 20 = 5 THEN '["customer", "agent"]'::jsonb
                             ELSE '["customer"]'::jsonb END,
                birthday = CASE WHEN id %% 3 > 0
                                THEN date '1960-01-01' + (id * 7919 %% 15000)::int END
            WHERE code LIKE %s AND roles = '[]'::jsonb
            """,
            ["B0%"],
        )
        print(
            f"  status, VIP, roles and birthdays for {cursor.rowcount:,} contacts in"
            f" {time.perf_counter() - started:.0f} s",
            flush=True,
        )
    fill_birth_months()


def fill_birth_months() -> None:
    """The birthdays' Jalali months (Contact.birth_month, which save() keeps and the
    UPDATE above bypassed): one UPDATE per month over the few thousand distinct days."""
    from peyvand.contacts.models import jalali_month

    days = Contact.all_objects.filter(birthday__isnull=False, birth_month__isnull=True)
    by_month: dict[int, list] = {}
    for day in days.order_by().values_list("birthday", flat=True).distinct():
        by_month.setdefault(jalali_month(day), []).append(day)
    for month, born in by_month.items():
        Contact.all_objects.filter(birthday__in=born, birth_month__isnull=True).update(
            birth_month=month
        )


# Who measures -----------------------------------------------------------------------------


def manager_user():
    ensure_roles()
    manager, _ = User.objects.get_or_create(username="bench-lists-manager")
    manager.groups.add(Group.objects.get(name=MANAGER))
    return manager


def _people_fields(model) -> list[str]:
    names = [
        f.attname
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is User and f.name not in ("deleted_by",)
    ]
    if any(f.name == "contact" for f in model._meta.concrete_fields):
        names.append("contact__owner_id")
    return names


def _fresh(user):
    """The user as a new request has them: teams and permissions not yet read."""
    for cached in ("_team_member_ids", "_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cached, None)
    return user


def rep_for(spec: ListSpec, sample: list[int]):
    """The user who appears most on the sample and may open the list without seeing
    all; put in a team with the next one when in none."""
    seen = Counter()
    for row in spec.model._default_manager.filter(pk__in=sample).values_list(
        *_people_fields(spec.model)
    ):
        seen.update(user_id for user_id in set(row) if user_id)
    fits = []
    for user_id, _count in seen.most_common(40):
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user and user.has_perm(spec.permission) and not user.has_perm("accounts.see_all"):
            fits.append(user)
        if len(fits) == 2:
            break
    if not fits:
        return None
    rep = fits[0]
    if len(rep.team_member_ids()) == 1 and len(fits) > 1:
        team, _ = Team.objects.get_or_create(name=f"bench-lists-{rep.username}")
        team.members.add(rep, fits[1])
        print(f"  {rep.username} put in a team with {fits[1].username}")
    return _fresh(rep)


# Cases ------------------------------------------------------------------------------------


@dataclass
class Case:
    label: str
    params: dict
    target: int
    sort: bool = False  # a sort alone: its plan is shown whatever its time


@dataclass
class Row:
    spec: ListSpec
    who: str
    user: object
    case: Case
    timing: Timing
    found: str
    indexes: str
    page: Timing | None = None
    plan: list = field(default_factory=list)


def query(params: dict) -> QueryDict:
    built = QueryDict(mutable=True)
    for name, value in params.items():
        if isinstance(value, list | tuple):
            built.setlist(name, [str(one) for one in value])
        else:
            built[name] = str(value)
    return built


def sample_ids(spec: ListSpec, manager) -> list[int]:
    rows = spec.base(manager).order_by()
    bounds = rows.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return []
    rng = random.Random(25)
    wanted = {rng.randint(bounds["low"], bounds["high"]) for _ in range(SAMPLE * 2)}
    return list(rows.filter(pk__in=list(wanted)).values_list("pk", flat=True)[:SAMPLE])


def _share(spec: ListSpec, manager, sample: list[int], params: dict) -> int:
    return spec.rows(manager, query(params)).filter(pk__in=sample).count()


def _busiest(spec: ListSpec, sample: list[int], attname: str, among=None) -> int | None:
    values = spec.model._default_manager.filter(pk__in=sample).values_list(attname, flat=True)
    seen = Counter(v for v in values if v and (among is None or v in among))
    return seen.most_common(1)[0][0] if seen else None


def _code(spec: ListSpec, sample: list[int]) -> str | None:
    search = spec.search
    if not search or not search.shown or not sample:
        return None
    row = spec.base(_any_manager()).filter(pk=sample[len(sample) // 2]).first()
    value = search.shown[0][1](row) if row is not None else None
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    return str(value) if value else None


_MANAGER = []


def _any_manager():
    return _MANAGER[0]


def filter_cases(spec: ListSpec, f, manager, user, sample, quick) -> list[tuple[str, dict]]:
    """(label, params) of one filter set alone at realistic values."""
    reading = spec.read(QueryDict(), manager)
    if isinstance(f, Search):
        values = [COMMON_NAME, PHONE_DIGITS]
        if not quick:
            values.insert(1, contacts_scale.RARE_NAME)
        code = _code(spec, sample)
        if code:
            values.append(code)
        return [(f"{f.name} «{value}»", {f.name: value}) for value in values]
    if isinstance(f, MultiChoice):
        options = [str(key) for key, _label in f.options(reading)]
        return [(f"{f.name} ∈ {options[:2]}", {f.name: options[:2]})] if options else []
    if isinstance(f, Choice):
        options = [str(key) for key, _label in f.options(reading)]
        if f.default:
            options.append(ALL)
        if not options:
            return []
        if len(options) > 6 or quick:
            shares = {one: _share(spec, manager, sample, {f.name: one}) for one in options}
            ranked = sorted(options, key=lambda one: shares[one])
            options = list(dict.fromkeys([ranked[-1], ranked[0]]))
        return [(f"{f.name}={one}", {f.name: one}) for one in options]
    if isinstance(f, Record):
        found = (
            spec.base(user).order_by().values(f"{f.field}_id").annotate(n=Count("pk"))
            .order_by("-n").first()
        )  # fmt: skip
        if not found:
            return []
        pk, rows = found[f"{f.field}_id"], found["n"]
        return [(f"{f.name}: its busiest ({rows:,} rows)", {f.name: pk})]
    if isinstance(f, Person):
        team = None if user is manager else set(user.team_member_ids())
        busiest = _busiest(spec, sample, f"{f.field}_id", team)
        cases = [(f"{f.name}=me", {f.name: "me"})]
        if busiest:
            cases.insert(0, (f"{f.name}: the busiest", {f.name: busiest}))
        return cases
    if isinstance(f, DateRange):
        presets = [one for one in DATE_PRESETS if one in f.presets] or list(f.presets)[:1]
        if quick:
            presets = presets[:1]
        return [(f"{f.name}: {one}", {f"{f.name}_period": one}) for one in presets]
    if isinstance(f, AmountRange):
        values = sorted(
            v
            for v in spec.model._default_manager.filter(pk__in=sample).values_list(
                f.field, flat=True
            )
            if v is not None
        )
        if not values:
            return []
        low = int(values[len(values) * 9 // 10])
        return [(f"{f.name} ≥ {low:,} (top tenth)", {f"{f.name}_min": low})]
    if isinstance(f, Tree):
        options = [key for key, _label in f.options(reading)]
        picked = list(dict.fromkeys(options[:1] + options[-1:]))
        return [(f"{f.name}: {'root' if one == options[0] else 'leaf'}", {f.name: one})
                for one in picked]  # fmt: skip
    if isinstance(f, YesNo):
        return [(f"{f.name}={one}", {f.name: one}) for one in (YES, NO)[: 1 if quick else 2]]
    print(f"  ({spec.key}: no realistic value known for {type(f).__name__} {f.name}; skipped)")
    return []


def cases_for(spec: ListSpec, manager, user, sample, quick) -> list[Case]:
    cases = [Case("no filter", {}, SINGLE_MS)]
    singles = {}
    for f in spec.filters:
        found = filter_cases(spec, f, manager, user, sample, quick)
        singles[f.name] = found
        cases += [Case(label, params, SINGLE_MS) for label, params in found]
    first = spec.sorts[0]
    for sort in spec.sorts:
        for key in (sort.key, f"-{sort.key}"):
            if key != first.key:
                cases.append(Case(f"sort={key}", {"sort": key}, SINGLE_MS, sort=True))

    def first_of(kind, exclude=()):
        return next(
            (f for f in spec.filters if isinstance(f, kind) and not isinstance(f, exclude)), None
        )

    def value(f, index=0):
        found = singles.get(f.name) or []
        return found[min(index, len(found) - 1)][1] if found else None

    status = first_of(Choice)
    person, dates, search = first_of(Person), first_of(DateRange), first_of(Search)
    record, amount = first_of(Record), first_of(AmountRange)
    status_options = status.options(spec.read(QueryDict(), manager)) if status else ()
    status_value = {status.name: str(status_options[0][0])} if status_options else None

    def combo(label, parts, target, sort=""):
        if any(part is None for part in parts):
            return
        params = {}
        for part in parts:
            params.update(part)
        if sort:
            params["sort"] = sort
        cases.append(Case(label, params, target))

    year = None
    if dates:
        presets = [
            one for one in ("this_year", "next_30_days", "this_month") if one in dates.presets
        ]
        year = {f"{dates.name}_period": presets[0]} if presets else None
    if person and dates and status:
        who = {person.name: "me"} if user is not manager else value(person)
        combo(f"{person.name} + {dates.name} + {status.name}", [who, year, status_value], SINGLE_MS)
    if search and status:
        combo(f"{search.name} «{COMMON_NAME}» + {status.name}",
              [{search.name: COMMON_NAME}, status_value], SINGLE_MS)  # fmt: skip
    other_sort = spec.sorts[1].key if len(spec.sorts) > 1 else f"-{first.key}"
    last_sort = f"-{spec.sorts[-1].key}"
    if record and dates:
        combo(f"{record.name} + {dates.name} + sort={other_sort}",
              [value(record), year], OTHER_MS, other_sort)  # fmt: skip
    if amount and status:
        combo(f"{amount.name} + {status.name} + sort={last_sort}",
              [value(amount), status_value], OTHER_MS, last_sort)  # fmt: skip
    if not quick:
        if search and dates:
            combo(f"{search.name} «{PHONE_DIGITS}» + {dates.name}: this month",
                  [{search.name: PHONE_DIGITS}, {f"{dates.name}_period": "this_month"}
                   if "this_month" in dates.presets else year], OTHER_MS)  # fmt: skip
        every = [value(f) for f in spec.filters if value(f) is not None]
        if len(every) > 2:
            combo("every filter at once", every, OTHER_MS)
    return cases


# Measuring --------------------------------------------------------------------------------


def first_page(spec: ListSpec, user, params: QueryDict) -> list:
    return list(paginate(spec.rows(_fresh(user), params), 1, 25).items)


def _walk(node: dict):
    yield node
    for child in node.get("Plans", ()):
        yield from _walk(child)


def plan_of(spec: ListSpec, user, params: QueryDict, analyze: bool) -> list:
    """The rows query's plan (EXPLAIN, with ANALYZE and BUFFERS when asked), as the page
    sends it: the first page and one more row."""
    rows = spec.rows(_fresh(user), params)[:26]
    sql, sql_params = rows.query.sql_with_params()
    how = "ANALYZE, BUFFERS, FORMAT JSON" if analyze else "FORMAT JSON"
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ({how}) {sql}", sql_params)
        (plan,) = cursor.fetchone()
    return json.loads(plan) if isinstance(plan, str) else plan


def indexes_of(plan: list) -> list[str]:
    return sorted({n["Index Name"] for n in _walk(plan[0]["Plan"]) if "Index Name" in n})


# A first page that sorts more rows than this has read a good part of the table to find
# them: its order is not served by an index.
SORTED_AT_MOST = 10_000


def scans_table(spec: ListSpec, plan: list) -> str:
    """What reads the list's table wholesale for a first page: a sequential scan of it,
    or a sort of many of its rows (a sort of the few rows an index found is fine)."""
    table = spec.model._meta.db_table
    for node in _walk(plan[0]["Plan"]):
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") == table:
            return "SEQ SCAN"
        # An incremental sort reads its input already ordered by the first key, group
        # by group, and stops at the page's limit: its input's row count is the
        # planner's whole, not what it reads.
        if node["Node Type"] == "Sort" and node.get("Plans"):
            child = node["Plans"][0]
            rows = child.get("Actual Rows", child.get("Plan Rows", 0))
            if rows >= SORTED_AT_MOST:
                return f"SORTS {rows:,.0f} ROWS"
    return ""


def show_plan(plan: list) -> list[str]:
    root = plan[0]
    lines = [
        f"execution {root.get('Execution Time', 0):.2f} ms, planning "
        f"{root.get('Planning Time', 0):.2f} ms; indexes: {', '.join(indexes_of(plan)) or '—'}"
    ]

    def walk(node, depth):
        text = node["Node Type"]
        if "Index Name" in node:
            text += f" using {node['Index Name']}"
        if "Relation Name" in node:
            text += f" on {node['Relation Name']}"
        text += (
            f"  (rows {node.get('Actual Rows', node.get('Plan Rows')):,}"
            f" loops {node.get('Actual Loops', 1)}"
            + (f", {node['Actual Total Time']:.2f} ms" if "Actual Total Time" in node else "")
            + (
                f", buffers hit {node.get('Shared Hit Blocks', 0):,}"
                f" read {node.get('Shared Read Blocks', 0):,}"
                if "Shared Hit Blocks" in node
                else ""
            )
            + ")"
        )
        for key in ("Index Cond", "Recheck Cond", "Filter", "Sort Key", "Hash Cond"):
            if key in node:
                value = node[key]
                value = ", ".join(value) if isinstance(value, list) else value
                text += f"\n{'    ' * (depth + 1)}  {key}: {value[:220]}"
        if "Rows Removed by Filter" in node:
            text += f" [removed {node['Rows Removed by Filter']:,}]"
        lines.append("    " * depth + "-> " + text)
        for child in node.get("Plans", ()):
            walk(child, depth + 1)

    walk(root["Plan"], 0)
    return lines


HEADER = (
    f"{'list':<10} {'user':<7} {'case':<45} {'median':>7} {'p95':>7} {'sql':>6} {'q':>3}"
    f" {'rows':>4} {'≤ ms':>5} {'verdict':<7} indexes"
)


def print_row(row: Row) -> None:
    t = row.timing
    verdict = "ok" if t.median <= row.case.target else "OVER"
    page = ""
    if row.page is not None:
        page = f"  [page {row.page.median:.1f} ms, {'/'.join(map(str, row.page.counts))} q]"
    print(
        f"{row.spec.key:<10} {row.who:<7} {row.case.label[:45]:<45} {t.median:7.1f} {t.p95:7.1f}"
        f" {t.sql:6.1f} {'/'.join(map(str, t.counts)):>3} {row.found:>4} {row.case.target:>5}"
        f" {verdict:<7} {row.indexes}{page}",
        flush=True,
    )


def measure_list(spec: ListSpec, manager, args, size: int) -> tuple[list[Row], list[str]]:
    rows, totals = [], []
    sample = sample_ids(spec, manager)
    rep = rep_for(spec, sample)
    users = [("manager", manager)] + ([("rep", rep)] if rep else [])
    if rep is None:
        print(f"  ({spec.key}: no user may open it without seeing all; manager only)")
    try:
        url = reverse(spec.url_name)
    except NoReverseMatch:
        url = None
    for who, user in users:
        if args.who and who != args.who:
            continue
        client = None
        if args.pages and url:
            client = Client()
            client.force_login(user)
        try:
            cases = cases_for(spec, manager, user, sample, args.quick)
        except Exception as error:
            print(f"{spec.key:<10} {who:<7} could not build its cases: {error!r}", flush=True)
            continue
        chosen = [part for part in args.cases.split(",") if part]
        for case in cases:
            if chosen and not any(part in case.label for part in chosen):
                continue
            try:
                rows.append(measure_case(spec, who, user, case, args, url, client, size))
            except Exception as error:
                print(f"{spec.key:<10} {who:<7} {case.label[:45]:<45} ERROR {error!r}", flush=True)
        if chosen:
            continue
        try:
            totals += measure_totals(spec, who, user, args.repeat)
        except Exception as error:
            print(f"{spec.key:<10} {who:<7} totals: ERROR {error!r}", flush=True)
    return rows, totals


def measure_case(spec: ListSpec, who, user, case: Case, args, url, client, size) -> Row:
    """Times one case's first page (and the whole page, with --pages) and reads its plan."""
    params = query(case.params)
    found = []

    def call(params=params, found=found, user=user):
        found[:] = first_page(spec, user, params)

    timing = time_call(call, args.repeat)
    page_timing = None
    if client is not None:

        def get(params=params, client=client):
            response = client.get(url, params)
            if response.status_code != 200:
                raise RuntimeError(f"{url}?{params.urlencode()}: {response.status_code}")

        page_timing = time_call(get, args.repeat)
    plan = plan_of(spec, user, params, analyze=False)
    # A table this small has no first-page problem: PostgreSQL reads it whole.
    scan = scans_table(spec, plan) if size >= SORTED_AT_MOST else ""
    indexes = ", ".join(indexes_of(plan)) or "—"
    row = Row(
        spec, who, user, case, timing,
        f"{len(found)}", indexes + (f"  {scan}" if scan else ""), page_timing,
    )  # fmt: skip
    if timing.median > case.target or scan:
        row.plan = show_plan(plan_of(spec, user, params, analyze=True))
    print_row(row)
    return row


def measure_totals(spec: ListSpec, who, user, repeat) -> list[str]:
    if spec.totals is None:
        return []
    lines = []
    dates = next((f for f in spec.filters if isinstance(f, DateRange)), None)
    chosen = [("no filter", {})]
    if dates:
        preset = next(one for one in DATE_PRESETS + tuple(dates.presets) if one in dates.presets)
        chosen.append((f"{dates.name}: {preset}", {f"{dates.name}_period": preset}))
    for label, params in chosen:
        qd = query(params)
        figures = {}

        def call(qd=qd, figures=figures):
            reading = spec.read(qd, _fresh(user))
            figures.update(spec.totals_of(spec.rows(user, qd, reading), reading) or {})

        t = time_call(call, repeat)
        capped = " (capped)" if figures.get("capped") else ""
        lines.append(
            f"{spec.key:<10} {who:<7} {'totals, ' + label:<45} {t.median:7.1f} {t.p95:7.1f}"
            f" {t.sql:6.1f} {'/'.join(map(str, t.counts)):>3}  {figures.get('count', 0):,} rows"
            f"{capped}"
        )
        print(lines[-1], flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lists", default="", help="keys, comma-separated (default: all)")
    parser.add_argument("--quick", action="store_true", help="repeat 3, fewer cases")
    parser.add_argument(
        "--cases", default="", help="only the cases whose label holds one of these, comma-separated"
    )
    parser.add_argument("--who", choices=("manager", "rep"), help="only this reader's cases")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--pages", action="store_true", help="also time the whole page")
    parser.add_argument("--regenerate", action="store_true", help="empty and fill again")
    parser.add_argument("--fill-only", action="store_true", help="fill, measure nothing")
    parser.add_argument("--no-fill", action="store_true", help="measure what the database holds")
    parser.add_argument(
        "--pg-option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a PostgreSQL setting for the bench's connection, as settings.py would add it"
        " (e.g. max_parallel_workers_per_gather=0); repeatable",
    )
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--leads", type=int, default=200_000)
    parser.add_argument("--followups", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=500_000)
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=1_000_000, help="and as many receipts")
    parser.add_argument("--customers", type=int, default=100_000, help="of the invoices")
    parser.add_argument("--quotes", type=int, default=300_000, help="of the same customers")
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--tasks", type=int, default=300_000, help="the calls' call-backs too")
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    args = parser.parse_args()
    if args.quick:
        args.repeat = min(args.repeat, 3)
    # Before the first query: every connection the bench opens carries them.
    for option in args.pg_option:
        for database in connections.all():
            database.settings_dict["OPTIONS"]["options"] += f" -c {option}"
    if connection.vendor != "postgresql":
        raise SystemExit("set DATABASE_URL to a PostgreSQL database (see the docstring)")
    call_command("migrate", verbosity=0)
    if not args.no_fill:
        started = time.perf_counter()
        fill(args)
        print(f"data ready in {time.perf_counter() - started:.0f} s", flush=True)
    if args.fill_only:
        return
    manager = manager_user()
    _MANAGER.append(manager)
    wanted = [key for key in args.lists.split(",") if key] or list(LISTS)
    unknown = [key for key in wanted if key not in LISTS]
    if unknown:
        raise SystemExit(f"no such list: {', '.join(unknown)} (declared: {', '.join(LISTS)})")
    sizes = {}
    for key in wanted:
        sizes[key] = LISTS[key].base(manager).order_by().count()
        print(f"{key}: {sizes[key]:,} rows a manager sees", end="")
        if sizes[key] < SORTED_AT_MOST:
            print(f" — under {SORTED_AT_MOST:,}: its times say little, its plans are not checked",
                  end="")  # fmt: skip
        print()
    if args.pg_option:
        print(f"with {', '.join(args.pg_option)} on the bench's connections")
    print(
        f"first page of each list, medians of {args.repeat} (ms); load average"
        f" {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores — other work on the machine"
        " inflates every wall time\n" + HEADER,
        flush=True,
    )
    everything, totals = [], []
    began = time.perf_counter()
    for key in wanted:
        rows, lines = measure_list(LISTS[key], manager, args, sizes[key])
        everything += rows
        totals += lines
    over = [row for row in everything if row.timing.median > row.case.target]
    scans = [row for row in everything if "SEQ SCAN" in row.indexes or "ROWS" in row.indexes]
    print(
        f"\n{len(everything)} cases: {len(everything) - len(over)} within target,"
        f" {len(over)} over; {len(scans)} whose plan reads the whole table"
        f" (load average {os.getloadavg()[0]:.1f})"
    )
    sorts = [row for row in everything if row.case.sort]
    print(
        f"sorts: {len(sorts)} cases (each offered column, both ways, no filter),"
        f" {sum(row in scans for row in sorts)} read the whole table for a first page"
    )
    medians = [row.timing.median for row in everything]
    if medians:
        print(
            f"median of the medians {statistics.median(medians):.1f} ms, worst {max(medians):.1f}"
        )
    print("\nplans (EXPLAIN ANALYZE, BUFFERS) of each case over its target or reading the table:")
    for row in everything:
        if row.plan:
            flag = "OVER" if row in over else "scan"
            print(f"\n[{flag}] {row.spec.key} / {row.who} / {row.case.label}"
                  f" ({row.timing.median:.1f} ms)")  # fmt: skip
            for line in row.plan:
                print("    " + line)
    print(
        f"\nmeasured in {time.perf_counter() - began:.0f} s, finished"
        f" {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC"
    )


if __name__ == "__main__":
    main()
