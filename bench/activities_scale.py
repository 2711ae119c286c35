"""Calls, tasks, events and messages at scale: the generators bench/lists_scale.py fills
its database with (issue 25, «Performance»), as the other benches' are — set-based SQL,
INSERT … SELECT over generate_series staged in temporary tables, no row saved one by
one and no Python per row.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peyvand_bench \\
        .venv/bin/python bench/activities_scale.py --calls 1000000 --tasks 300000 \\
        --events 200000 --messages 1000000

Run alone it fills what lists_scale would (the bench users and contacts must be there:
lists_scale's fill makes them first). Each generator tops its table up to the count
asked for and skips it when there are as many rows already. The rows are spread over
two years back from today (tasks and events also ahead), over the bench's staff — the
contacts' reps ``bench-rep*``, the support agents ``bench-d*`` and the sales reps
``bench-s*``, with their teams — and over every contact with a mobile number:

- calls: a contact's call mostly with its owner, a sixth from numbers no contact has
  (mobiles, Tehran/Isfahan/Mashhad/Shiraz landlines, a few foreign); 45 % incoming,
  40 % outgoing, the rest missed; seven in ten through the PBX (its id and extension),
  every missed one with its call-back task (open for the last week's, done before);
  notes in Persian on most answered ones;
- tasks: given by the assignee themself or by someone else, a quarter of a team's
  members' to the team, half with an urgency, four in ten about a contact, dated from
  700 days back to 60 ahead, about 60 % done (most of the old ones, few of the coming);
- events: three in ten of a teamed owner's to the team, most at a time of the working
  day, a third with a customer's name in the title, some with a place, a reminder or
  done;
- messages: nine in ten SMS, three in ten from a hundred broadcasts, a contact for most,
  ``to`` E.164 (+98…) or an email address, four in a hundred secret (portal sign-in
  codes, their text forgotten once the provider took it); 80 % delivered, then sent,
  undelivered, failed, unknown, cancelled, and the last days' few still queued for
  later (scheduled ahead: a worker started on this database would send them).

``customer_key`` of messages is copied by the database's own triggers
(core.operations.CopyCustomerKey) on every insert: a lookup per row, part of the time.
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

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from peyvand.accounts.models import User  # noqa: E402
from peyvand.activities.models import Call, Event, Task  # noqa: E402
from peyvand.contacts.models import Contact  # noqa: E402
from peyvand.lookups.models import Urgency  # noqa: E402
from peyvand.messaging.models import Broadcast, Message  # noqa: E402

SPAN_DAYS = 730  # two years back from today
# contacts_scale's, service_scale's and sales_scale's staff, and lists_scale's manager
# (whose own calls and tasks its lists show first, as a manager's are).
STAFF = r"^bench-((rep|d|s)[0-9]+|lists-manager)$"
PERSIAN_DIGITS = "translate({}, '0123456789', '۰۱۲۳۴۵۶۷۸۹')"
TEHRAN = "AT TIME ZONE 'Asia/Tehran'"


# Set-based inserts ------------------------------------------------------------------------


def _run(cursor, label: str, sql: str, params: dict | None = None) -> int:
    started = time.perf_counter()
    cursor.execute(sql, params or {})
    count = cursor.rowcount
    rows = f"{count:>10,} rows" if count >= 0 else " " * 15
    print(f"  {label:<44} {rows}  {time.perf_counter() - started:6.1f} s", flush=True)
    return count


def _required(model: type[models.Model]) -> set[str]:
    """The columns an INSERT must name: NOT NULL, with no default in the database
    (Django's defaults are Python's, not the table's) and not computed by it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
            " AND is_nullable = 'NO' AND column_default IS NULL AND is_generated = 'NEVER'"
            " AND identity_generation IS NULL",
            [model._meta.db_table],
        )
        return {name for (name,) in cursor.fetchall()}


def insert_select(cursor, label: str, model, columns: dict[str, str], source: str, params=None):
    """INSERT INTO the model's table the ``columns`` (column → SQL expression) selected
    from ``source``; refuses a NOT NULL column left out (the table's own defaults are
    none) or a generated one given (search_key: the database computes it)."""
    missing = _required(model) - columns.keys()
    generated = {f.column for f in model._meta.concrete_fields if f.generated} & columns.keys()
    if missing or generated:
        raise SystemExit(
            f"{model._meta.db_table}: NOT NULL columns not given {sorted(missing)},"
            f" generated columns given {sorted(generated)}"
        )
    names = ", ".join(connection.ops.quote_name(name) for name in columns)
    values = ",\n    ".join(columns.values())
    sql = f"INSERT INTO {model._meta.db_table} ({names})\nSELECT {values}\n{source}"
    return _run(cursor, label, sql, params)


def _staff_and_contacts(cursor) -> tuple[int, int]:
    """Temporary tables numbering the staff (``au``: u → id and their first active team)
    and the contacts with a mobile (``ac``: c → id, owner, mobile, name), so that a row
    number picks one by arithmetic. Dropped at the transaction's end."""
    cursor.execute(
        f"""
        CREATE TEMP TABLE au ON COMMIT DROP AS
        SELECT row_number() OVER (ORDER BY u.id)::int AS u, u.id,
            (SELECT min(m.team_id) FROM accounts_team_members m
             JOIN accounts_team t ON t.id = m.team_id AND t.is_active
             WHERE m.user_id = u.id) AS team_id
        FROM {User._meta.db_table} u WHERE u.is_active AND u.username ~ %s
        """,  # noqa: S608 - the table's name from the model, no input
        [STAFF],
    )
    cursor.execute(
        "CREATE TEMP TABLE ac ON COMMIT DROP AS SELECT row_number() OVER (ORDER BY id)::int"
        " AS c, id, owner_id, mobile, name FROM contacts_contact"
        " WHERE mobile <> '' AND deleted_at IS NULL"
    )
    cursor.execute("CREATE UNIQUE INDEX ON au (u); CREATE UNIQUE INDEX ON ac (c); ANALYZE au")
    cursor.execute("ANALYZE ac")
    cursor.execute("SELECT (SELECT count(*) FROM au), (SELECT count(*) FROM ac)")
    users, contacts = cursor.fetchone()
    if not users or not contacts:
        raise SystemExit("no bench staff or contacts: run bench/lists_scale.py, which makes them")
    return users, contacts


def _base_params(first: int, total: int, users: int, contacts: int) -> dict:
    now = timezone.now()
    return {
        "first": first,
        "total": total,
        "count": total - first,
        "users": users,
        "contacts": contacts,
        "now": now,
        "today": timezone.localdate(now),
        "span": SPAN_DAYS,
    }


def _ct(model) -> int:
    return ContentType.objects.get_for_model(model).pk


# Calls ------------------------------------------------------------------------------------

CALL_NOTES = [
    "پیگیری پیش فاکتور ارسالی", "درخواست کاتالوگ محصولات", "هماهنگی زمان تحویل",
    "سؤال درباره قیمت‌ها", "شکایت از تأخیر در ارسال", "تمدید قرارداد پشتیبانی",
    "درخواست بازدید کارشناس", "پیگیری چک برگشتی", "معرفی محصول جدید",
    "قرار جلسه هفته آینده", "اعلام رضایت از خدمات", "درخواست تخفیف برای سفارش عمده",
]  # fmt: skip

# Call n (first ≤ n < total): its day spreads the two years evenly (ids in time order),
# its time the working day 08:00–18:00 Tehran; h, h2, h3: digits of multiplicative
# hashes of n, independent of one another and of the day.
STAGE_CALLS = """
CREATE TEMP TABLE s_call ON COMMIT DROP AS
WITH b AS (
    SELECT n,
        mod(n * 2654435761 / 65536, 100)::int AS h,
        mod(n * 2654435761 / 16777216, 100)::int AS h2,
        mod(n * 40503 / 7, 1000)::int AS h3,
        %(today)s::date - %(span)s + ((n - %(first)s + 1) * %(span)s / %(count)s)::int AS day
    FROM generate_series(%(first)s::bigint, %(total)s - 1) AS n
), k AS (
    SELECT b.*, h3 < 700 AS pbx,
        -- today's not after now: the ones still to come brought back into the morning
        least((b.day + time '08:00' + mod(n * 104729, 36000) * interval '1 second')
            AT TIME ZONE 'Asia/Tehran', %(now)s - mod(n, 600) * interval '1 minute')
            AS started_at,
        CASE WHEN h2 < 84 THEN 1 + mod(n * 7919, %(contacts)s) END AS c,
        1 + mod(n * 13, %(users)s) AS u
    FROM b
), x AS (
    SELECT k.*,
        CASE WHEN h < 45 THEN 'incoming' WHEN h < 85 THEN 'outgoing'
             WHEN pbx THEN 'missed' ELSE 'incoming' END AS kind,
        ac.id AS contact_id, ac.name AS contact_name,
        CASE WHEN ac.id IS NOT NULL AND mod(n, 20) < 13 THEN ac.owner_id ELSE au.id END AS owner_id,
        au.u AS staff,
        coalesce(ac.mobile, CASE
            WHEN mod(h3, 20) < 13 THEN '+989' || (10 + mod(n * 31, 30)) || lpad(mod(n * 7919 * 3,
                10000000)::text, 7, '0')
            WHEN mod(h3, 20) < 19 THEN '+98' || (ARRAY['21', '31', '51', '71'])[1 + mod(n, 4)]
                || (22000000 + mod(n * 7919, 66999999))
            ELSE '00971' || lpad(mod(n * 31, 100000000)::text, 8, '0') END) AS number
    FROM k LEFT JOIN ac ON ac.c = k.c JOIN au ON au.u = k.u
)
SELECT nextval(pg_get_serial_sequence('activities_call', 'id')) AS id, x.*,
    CASE WHEN kind = 'missed' THEN 0 ELSE 15 + mod(n * 7, 600) + h2 * 3 END AS duration
FROM x ORDER BY n
"""

# Every missed call's call-back task (activities.calls._callback_task): about its contact,
# or about the call when no contact has the number; open for the last week's.
STAGE_CALLBACKS = """
CREATE TEMP TABLE s_callback ON COMMIT DROP AS
SELECT nextval(pg_get_serial_sequence('activities_task', 'id')) AS id, c.id AS call_id,
    c.owner_id, c.started_at, c.contact_id,
    ('تماس بی‌پاسخ از ' || coalesce(c.contact_name, {national}) || '؛ با ' || {national}
        || ' تماس بگیرید.') AS description,
    c.started_at > %(now)s - interval '7 days' OR mod(c.n, 10) = 0 AS open
FROM s_call c WHERE c.kind = 'missed' ORDER BY c.id
""".format(
    national=PERSIAN_DIGITS.format(
        "CASE WHEN c.number LIKE '+98%%' THEN '0' || substr(c.number, 4) ELSE c.number END"
    )
)

CALL_COLUMNS = {
    "id": "c.id",
    "created_at": "c.started_at",
    "updated_at": "c.started_at + (c.duration + 25) * interval '1 second'",
    "kind": "c.kind",
    "number": "c.number",
    "extension": "CASE WHEN c.pbx THEN (100 + c.staff)::text ELSE '' END",
    "started_at": "c.started_at",
    "ended_at": "c.started_at + (c.duration + 25) * interval '1 second'",
    "duration": "c.duration",
    "notes": f"CASE WHEN c.kind <> 'missed' AND mod(c.h2, 3) <> 0"
    f" THEN (%(notes)s::text[])[1 + mod(c.n * 2654435761 / 256, {len(CALL_NOTES)})] ELSE '' END",
    "pbx_id": "CASE WHEN c.pbx THEN extract(epoch FROM c.started_at)::bigint || '.' || c.n"
    " ELSE '' END",
    "callback_task_id": "t.id",
    "contact_id": "c.contact_id",
    "owner_id": "c.owner_id",
    "customer_key": "''",  # the trigger copies the contact's key whatever is sent
}


def fill_calls(count: int) -> None:
    have = Call.all_objects.count()
    if have >= count:
        return
    print(f"generating {count - have:,} calls and their call-back tasks…", flush=True)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        users, contacts = _staff_and_contacts(cursor)
        params = {**_base_params(have, count, users, contacts), "notes": CALL_NOTES}
        _run(cursor, "stage calls", STAGE_CALLS, params)
        _run(cursor, "stage call-back tasks", STAGE_CALLBACKS, params)
        insert_select(
            cursor,
            "insert call-back tasks",
            Task,
            {
                "id": "t.id",
                "created_at": "t.started_at",
                "updated_at": "t.started_at",
                "date": f"(t.started_at {TEHRAN})::date",
                "description": "t.description",
                "remind_by_email": "false",
                "remind_by_sms": "false",
                "status": "CASE WHEN t.open THEN 'open' ELSE 'done' END",
                "done_at": "CASE WHEN NOT t.open THEN t.started_at + interval '3 hours' END",
                "notes": "''",
                "content_type_id": "CASE WHEN t.contact_id IS NULL THEN %(call_ct)s"
                " ELSE %(contact_ct)s END",
                "object_id": "coalesce(t.contact_id, t.call_id)",
                "assignee_id": "t.owner_id",
                "owner_id": "t.owner_id",
            },
            "FROM s_callback t ORDER BY t.id",
            {"contact_ct": _ct(Contact), "call_ct": _ct(Call)},
        )
        insert_select(
            cursor,
            "insert calls",
            Call,
            CALL_COLUMNS,
            "FROM s_call c LEFT JOIN s_callback t ON t.call_id = c.id ORDER BY c.id",
            params,
        )
    _vacuum(["activities_call", "activities_task"])
    _per_100k("calls", count - have, started)


# Tasks ------------------------------------------------------------------------------------

TASK_TEXTS = [
    "ارسال پیش فاکتور به مشتری", "تماس با مشتری برای پیگیری سفارش", "تهیه گزارش فروش ماهانه",
    "هماهنگی جلسه با مدیر خرید", "بررسی شکایت مشتری", "ارسال کاتالوگ جدید",
    "پیگیری وصول چک", "به‌روزرسانی اطلاعات تماس مخاطبین", "آماده‌سازی قرارداد",
    "بازدید از محل پروژه", "ثبت سفارش در سامانه", "تهیه لیست قیمت جدید",
    "پیگیری پرداخت فاکتور معوق", "آموزش کاربر جدید", "تمدید ضمانت‌نامه",
    "بررسی موجودی انبار", "ارسال نمونه کالا", "پاسخ به ایمیل مشتری",
    "تنظیم صورتجلسه", "پیگیری نصب دستگاه",
]  # fmt: skip
TASK_NOTES = ["مشتری عجله دارد", "بعد از ظهر تماس گرفته شود", "با هماهنگی مدیر فروش",
              "مدارک پیوست شود", "منتظر پاسخ مشتری"]  # fmt: skip

# (A choice among few is picked by a hash, not by n's residue: n's residue modulo the
# number of staff picks the user, and a small modulus sharing a factor with it would
# give each user only some of the values.)
#
# Task n: dated from 700 days back to 60 ahead in step with n; done: two in three of
# those more than a month old, four in ten of the last month's, few of the coming ones.
STAGE_TASKS = """
CREATE TEMP TABLE s_task ON COMMIT DROP AS
WITH b AS (
    SELECT n,
        mod(n * 2654435761 / 65536, 100)::int AS h,
        mod(n * 2654435761 / 16777216, 100)::int AS h2,
        mod(n * 40503 / 7, 1000)::int AS h3,
        mod(n * 1103515245 / 1024, 100)::int AS h4,
        %(today)s::date - 700 + ((n - %(first)s) * 760 / %(count)s)::int AS date
    FROM generate_series(%(first)s::bigint, %(total)s - 1) AS n
)
SELECT b.*, a.id AS assignee_id, a.team_id AS assignee_team,
    CASE WHEN h2 < 50 THEN a.id ELSE g.id END AS owner_id,
    CASE WHEN h3 < 400 THEN 1 + mod(n * 7919, %(contacts)s) END AS c,
    CASE WHEN b.date < %(today)s::date - 30 THEN h < 68
         WHEN b.date < %(today)s::date THEN h < 40 ELSE h < 3 END AS done
FROM b JOIN au a ON a.u = 1 + mod(n * 13, %(users)s)
    JOIN au g ON g.u = 1 + mod(n * 7 + 3, %(users)s)
"""

TASK_COLUMNS = {
    "created_at": f"(least(t.date - mod(t.n, 14)::int, %(today)s::date) + time '09:30') {TEHRAN}",
    "updated_at": f"(least(t.date - mod(t.n, 14)::int, %(today)s::date) + time '09:30') {TEHRAN}",
    "date": "t.date",
    "description": f"(%(texts)s::text[])[1 + mod(t.n * 31, {len(TASK_TEXTS)})]"
    " || coalesce(' — ' || ac.name, '')",
    "remind_at": f"CASE WHEN NOT t.done AND t.date >= %(today)s::date AND t.h3 < 500"
    f" THEN (t.date + time '09:00') {TEHRAN} END",
    "remind_by_email": "false",
    "remind_by_sms": "false",
    "status": "CASE WHEN t.done THEN 'done' ELSE 'open' END",
    "done_at": f"CASE WHEN t.done THEN least((t.date + time '16:00') {TEHRAN}, %(now)s) END",
    "notes": f"CASE WHEN t.h2 < 30 THEN (%(notes)s::text[])[1 + mod(t.n, {len(TASK_NOTES)})]"
    " ELSE '' END",
    "content_type_id": "CASE WHEN ac.id IS NOT NULL THEN %(contact_ct)s END",
    "object_id": "ac.id",
    "assignee_id": "t.assignee_id",
    "owner_id": "t.owner_id",
    "team_id": "CASE WHEN t.h3 >= 750 THEN t.assignee_team END",
    "urgency_id": "CASE WHEN t.h4 >= 50 AND cardinality(%(urgencies)s::bigint[]) > 0 THEN"
    " (%(urgencies)s::bigint[])[1 + mod(t.h3 / 7, cardinality(%(urgencies)s::bigint[]))] END",
}


def fill_tasks(count: int) -> None:
    have = Task.all_objects.count()
    if have >= count:
        return
    print(f"generating {count - have:,} tasks…", flush=True)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        users, contacts = _staff_and_contacts(cursor)
        params = {
            **_base_params(have, count, users, contacts),
            "texts": TASK_TEXTS,
            "notes": TASK_NOTES,
            "contact_ct": _ct(Contact),
            "urgencies": list(Urgency.objects.order_by("id").values_list("pk", flat=True)),
        }
        _run(cursor, "stage tasks", STAGE_TASKS, params)
        insert_select(
            cursor,
            "insert tasks",
            Task,
            TASK_COLUMNS,
            "FROM s_task t LEFT JOIN ac ON ac.c = t.c ORDER BY t.n",
            params,
        )
    _vacuum(["activities_task"])
    _per_100k("tasks", count - have, started)


# Events -----------------------------------------------------------------------------------

EVENT_TITLES = [
    "جلسه با مشتری", "بازدید از نمایشگاه", "جلسه هفتگی فروش", "نصب و راه‌اندازی",
    "ارائه محصول", "جلسه بررسی قرارداد", "آموزش کارکنان مشتری", "بازدید دوره‌ای",
    "تماس تلفنی برنامه‌ریزی‌شده", "جلسه با تأمین‌کننده",
]  # fmt: skip
EVENT_PLACES = ["دفتر مرکزی", "محل مشتری", "سالن جلسات طبقه دوم", "نمایشگاه بین‌المللی تهران",
                "کارخانه کرج", "شعبه اصفهان"]  # fmt: skip
EVENT_NOTES = ["دستور جلسه: سفارش‌های باز", "کاتالوگ و نمونه‌ها همراه برده شود",
               "با مدیر فنی مشتری", "پیش از جلسه قیمت‌ها به‌روز شود"]  # fmt: skip

EVENT_COLUMNS = {
    "created_at": f"(least(e.date - 3, %(today)s::date) + time '08:30') {TEHRAN}",
    "updated_at": f"(least(e.date - 3, %(today)s::date) + time '08:30') {TEHRAN}",
    # A third with whom: a customer's name, as people title a meeting.
    "title": f"(%(titles)s::text[])[1 + mod(e.n * 31, {len(EVENT_TITLES)})]"
    " || coalesce(' — ' || ac.name, '')",
    "date": "e.date",
    "start_time": "CASE WHEN e.h >= 15 THEN time '08:00' + mod(e.n * 7, 20) * interval '30 minutes'"
    " END",
    "end_time": "CASE WHEN e.h >= 30 THEN time '08:00' + mod(e.n * 7, 20) * interval '30 minutes'"
    " + (1 + mod(e.n, 4)) * interval '30 minutes' END",
    "location": f"CASE WHEN e.h2 < 50"
    f" THEN (%(places)s::text[])[1 + mod(e.h3 / 7, {len(EVENT_PLACES)})] ELSE '' END",
    "description": f"CASE WHEN e.h3 < 400"
    f" THEN (%(notes)s::text[])[1 + mod(e.n * 7, {len(EVENT_NOTES)})] ELSE '' END",
    "remind": "e.h2 >= 60",
    "remind_minutes": "(ARRAY[0, 10, 30, 60, 1440])[1 + mod(e.n, 5)]",
    "remind_by_email": "false",
    "remind_by_sms": "false",
    "is_done": "e.done",
    "done_at": f"CASE WHEN e.done THEN (e.date + time '18:00') {TEHRAN} END",
    "owner_id": "e.owner_id",
    "team_id": "CASE WHEN e.h3 >= 700 THEN e.team_id END",
}

STAGE_EVENTS = """
CREATE TEMP TABLE s_event ON COMMIT DROP AS
WITH b AS (
    SELECT n,
        mod(n * 2654435761 / 65536, 100)::int AS h,
        mod(n * 2654435761 / 16777216, 100)::int AS h2,
        mod(n * 40503 / 7, 1000)::int AS h3,
        mod(n * 1103515245 / 1024, 100)::int AS h4,
        %(today)s::date - 700 + ((n - %(first)s) * 790 / %(count)s)::int AS date
    FROM generate_series(%(first)s::bigint, %(total)s - 1) AS n
)
SELECT b.*, a.id AS owner_id, a.team_id, b.date < %(today)s::date AND mod(n, 10) < 7 AS done,
    CASE WHEN h4 < 33 THEN 1 + mod(n * 7919, %(contacts)s) END AS c
FROM b JOIN au a ON a.u = 1 + mod(n * 13, %(users)s)
"""


def fill_events(count: int) -> None:
    have = Event.all_objects.count()
    if have >= count:
        return
    print(f"generating {count - have:,} events…", flush=True)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        users, contacts = _staff_and_contacts(cursor)
        params = {
            **_base_params(have, count, users, contacts),
            "titles": EVENT_TITLES,
            "places": EVENT_PLACES,
            "notes": EVENT_NOTES,
        }
        _run(cursor, "stage events", STAGE_EVENTS, params)
        insert_select(
            cursor,
            "insert events",
            Event,
            EVENT_COLUMNS,
            "FROM s_event e LEFT JOIN ac ON ac.c = e.c ORDER BY e.n",
            params,
        )
    _vacuum(["activities_event"])
    _per_100k("events", count - have, started)


# Messages ---------------------------------------------------------------------------------

BLOCK = 10_000  # the first BROADCAST of every BLOCK messages are one broadcast's
BROADCAST = 3_000
MESSAGE_TEXTS = [
    "سفارش شما ثبت شد و به‌زودی ارسال می‌شود.", "پیش فاکتور درخواستی برایتان ارسال شد.",
    "یادآوری: سررسید چک شما فردا است.", "از خرید شما سپاسگزاریم.",
    "درخواست پشتیبانی شما انجام شد.", "کارشناس ما فردا با شما تماس می‌گیرد.",
    "فاکتور شما صادر شد.", "جلسه فردا ساعت ۱۰ برگزار می‌شود.",
]  # fmt: skip
BROADCAST_TEXTS = [
    "نوروز مبارک! تخفیف ویژه تا پایان فروردین.", "جشنواره فروش پاییزه آغاز شد.",
    "یلدا مبارک؛ با آرزوی شب‌های روشن.", "محصولات جدید ما را در نمایشگاه ببینید.",
]  # fmt: skip
SUBJECTS = ["پیش فاکتور", "صورتحساب", "دعوت به جلسه", "پاسخ به درخواست شما"]
PORTAL_CODE = "کد ورود شما به پرتال مشتریان پیوند: "  # as portal.services.code_send writes it

# Message n's time spreads the two years in step with n (a broadcast's all at its block's
# start, a twentieth of a second apart); the last hundredth's every third is still queued,
# for later.
STAGE_BROADCASTS = """
CREATE TEMP TABLE s_bc ON COMMIT DROP AS
SELECT nextval(pg_get_serial_sequence('messaging_broadcast', 'id')) AS id, k.k, au.id AS owner_id,
    (%(texts)s::text[])[1 + mod(k.k, cardinality(%(texts)s::text[]))] AS body,
    %(now)s - %(span)s * interval '1 day' + ((greatest(k.k * %(block)s, %(first)s) - %(first)s)
        ::float8 / %(count)s) * %(span)s * interval '1 day' AS at
FROM generate_series(%(first)s::bigint / %(block)s, (%(total)s - 1) / %(block)s) AS k(k)
    JOIN au ON au.u = 1 + mod(k.k * 7, %(users)s)
WHERE k.k * %(block)s + %(broadcast)s > %(first)s
"""

STAGE_MESSAGES = """
CREATE TEMP TABLE s_msg ON COMMIT DROP AS
WITH b AS (
    SELECT n,
        mod(n * 2654435761 / 65536, 100)::int AS h,
        mod(n * 2654435761 / 16777216, 100)::int AS h2,
        mod(n * 40503 / 7, 1000)::int AS h3,
        mod(n * 1103515245 / 1024, 100)::int AS h4,
        mod(n, %(block)s) < %(broadcast)s AS in_bc
    FROM generate_series(%(first)s::bigint, %(total)s - 1) AS n
), k AS (
    SELECT b.*, bc.id AS broadcast_id, bc.owner_id AS bc_owner, bc.body AS bc_body,
        CASE WHEN in_bc THEN bc.at + mod(n, %(block)s) * interval '50 milliseconds'
             ELSE %(now)s - %(span)s * interval '1 day'
                  + ((n - %(first)s)::float8 / %(count)s) * %(span)s * interval '1 day'
        END AS created_at,
        NOT in_bc AND h4 < 4 AS secret,
        CASE WHEN in_bc OR h4 < 4 THEN 'sms' WHEN h2 < 91 THEN 'sms' ELSE 'email' END AS channel,
        CASE WHEN in_bc OR h4 < 4 OR h < 80 THEN 1 + mod(n * 7919, %(contacts)s) END AS c,
        1 + mod(n * 13, %(users)s) AS u
    FROM b LEFT JOIN s_bc bc ON bc.k = b.n / %(block)s AND b.in_bc
)
SELECT k.*, ac.id AS contact_id, ac.name AS contact_name,
    CASE WHEN k.in_bc THEN k.bc_owner WHEN ac.id IS NOT NULL AND (k.secret OR k.h2 < 60)
         THEN ac.owner_id ELSE au.id END AS owner_id,
    CASE WHEN k.channel = 'email' THEN 'c' || coalesce(ac.id, k.n) || '@example.ir'
         ELSE coalesce(ac.mobile, '+989' || (10 + mod(k.n * 31, 30))
              || lpad(mod(k.n * 7919 * 3, 10000000)::text, 7, '0')) END AS "to",
    CASE WHEN (k.n - %(first)s) >= %(count)s * 99 / 100 AND mod(k.n, 3) = 0 THEN 'queued'
         WHEN k.h3 < 750 THEN 'delivered' WHEN k.h3 < 830 THEN 'sent'
         WHEN k.h3 < 880 THEN 'undelivered' WHEN k.h3 < 910 THEN 'failed'
         WHEN k.h3 < 920 THEN 'unknown' WHEN k.h3 < 940 THEN 'cancelled'
         ELSE 'delivered' END AS status
FROM k LEFT JOIN ac ON ac.c = k.c JOIN au ON au.u = k.u
"""

ACCEPTED = "('sent', 'delivered', 'undelivered', 'unknown')"
MESSAGE_COLUMNS = {
    "created_at": "m.created_at",
    "updated_at": "m.created_at + interval '1 minute'",
    "channel": "m.channel",
    "to": 'm."to"',
    "subject": f"CASE WHEN m.channel = 'email'"
    f" THEN (%(subjects)s::text[])[1 + mod(m.n, {len(SUBJECTS)})] ELSE '' END",
    "body": f"""CASE WHEN m.in_bc THEN m.bc_body
        WHEN m.secret AND m.status IN {ACCEPTED} THEN ''
        WHEN m.secret THEN %(code)s || lpad(mod(m.n * 7919, 1000000)::text, 6, '0')
        ELSE coalesce(m.contact_name || ' گرامی، ', '')
            || (%(texts)s::text[])[1 + mod(m.n * 17, {len(MESSAGE_TEXTS)})] END""",
    "provider_template": "''",
    "tokens": "'[]'::jsonb",
    "sender": "CASE WHEN m.channel = 'sms' THEN '10008663' ELSE '' END",
    "immediate": "m.secret",
    "secret_label": "CASE WHEN m.secret THEN %(secret)s ELSE '' END",
    "status": "m.status",
    "scheduled_at": "CASE WHEN m.status = 'queued' THEN %(now)s + (1 + mod(m.n, 72)) * interval"
    " '1 hour' ELSE m.created_at END",
    "attempts": "CASE WHEN m.status IN ('queued', 'cancelled') THEN 0"
    " WHEN m.status = 'failed' THEN 3 ELSE 1 END",
    "last_error": "CASE WHEN m.status = 'failed' THEN 'اعتبار حساب سامانه پیامک کافی نیست'"
    " ELSE '' END",
    "error_code": "CASE WHEN m.status = 'failed' THEN '418' ELSE '' END",
    "backend": "CASE WHEN m.status IN ('queued', 'cancelled') THEN ''"
    " WHEN m.channel = 'email' THEN 'smtp' WHEN m.h < 85 THEN 'kavenegar' ELSE 'smsir' END",
    "provider_id": f"CASE WHEN m.status IN {ACCEPTED} THEN (8000000000 + m.n)::text ELSE '' END",
    "send_round": "0",
    "resend_safe": "m.channel = 'sms' AND m.h < 85",
    "claimed_by": "''",
    "sent_at": f"CASE WHEN m.status IN {ACCEPTED} THEN m.created_at + interval '5 seconds' END",
    "delivered_at": "CASE WHEN m.status = 'delivered' THEN m.created_at + interval '25 seconds'"
    " END",
    "checked_at": "CASE WHEN m.status IN ('delivered', 'undelivered')"
    " THEN m.created_at + interval '1 minute' END",
    "broadcast_id": "m.broadcast_id",
    "contact_id": "m.contact_id",
    "owner_id": "m.owner_id",
    "customer_key": "''",  # the trigger copies the contact's key whatever is sent
}


def fill_messages(count: int) -> None:
    have = Message.all_objects.count()
    if have >= count:
        return
    print(f"generating {count - have:,} messages…", flush=True)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        users, contacts = _staff_and_contacts(cursor)
        params = {
            **_base_params(have, count, users, contacts),
            "block": BLOCK,
            "broadcast": BROADCAST,
            "texts": MESSAGE_TEXTS,
            "subjects": SUBJECTS,
            "code": PORTAL_CODE,
            "secret": "کد ورود پرتال",
        }
        _run(cursor, "stage broadcasts", STAGE_BROADCASTS, {**params, "texts": BROADCAST_TEXTS})
        _run(cursor, "stage messages", STAGE_MESSAGES, params)
        insert_select(
            cursor,
            "insert broadcasts",
            Broadcast,
            {
                "id": "b.id",
                "created_at": "b.at",
                "updated_at": "b.at",
                "channel": "'sms'",
                "title": "'ارسال گروهی ' || b.k",
                "target": "'list'",
                "filters": "''",
                "subject": "''",
                "body": "b.body",
                "scheduled_at": "b.at",
                "status": "'queued'",
                "queued_count": "coalesce(q.n, 0)",
                "opted_out_count": "0",
                "no_address_count": "0",
                "failure": "''",
                "owner_id": "b.owner_id",
            },
            "FROM s_bc b LEFT JOIN (SELECT broadcast_id, count(*) AS n FROM s_msg"
            " GROUP BY broadcast_id) AS q ON q.broadcast_id = b.id ORDER BY b.id",
        )
        insert_select(
            cursor,
            "insert messages (customer_key by trigger)",
            Message,
            MESSAGE_COLUMNS,
            "FROM s_msg m ORDER BY m.created_at, m.n",
            params,
        )
    _vacuum(["messaging_message", "messaging_broadcast"])
    _per_100k("messages", count - have, started)


# ------------------------------------------------------------------------------------------


def _vacuum(tables: list[str]) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")


def _per_100k(what: str, rows: int, started: float) -> None:
    took = time.perf_counter() - started
    print(
        f"  {rows:,} {what} in {took:.0f} s with VACUUM ANALYZE"
        f" ({took * 100_000 / max(rows, 1):.1f} s per 100,000)",
        flush=True,
    )


def fill(calls: int, tasks: int, events: int, messages: int) -> None:
    """Each table topped up to its count (the call-backs count among the tasks)."""
    fill_calls(calls)
    fill_tasks(tasks)
    fill_events(events)
    fill_messages(messages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--tasks", type=int, default=300_000)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    fill(args.calls, args.tasks, args.events, args.messages)
    print(
        f"{Call.all_objects.count():,} calls, {Task.all_objects.count():,} tasks,"
        f" {Event.all_objects.count():,} events, {Message.all_objects.count():,} messages"
    )


if __name__ == "__main__":
    main()
