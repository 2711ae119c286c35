"""Contacts at scale: the pages a rep and a manager open, timed in-process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peyvand_bench \\
        .venv/bin/python bench/contacts_scale.py --rows 1000000

Fills (once; reruns reuse the rows) a database with --rows contacts, two phones each,
spread over regions and guilds and 20 owners, with values for two custom fields; then
requests each page --repeat times through Django's test client as a logged-in manager
(sees all) and a sales rep (sees a two-person team's share), and prints median and p95
server time, the part of it spent waiting for SQL (measured in a second round with the
queries captured), and the query count per request.
Not part of the test run; the numbers go in the change's note.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peyvand.settings")

import django

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from pagetiming import measure  # noqa: E402 - bench/ is the script's folder

from peyvand.accounts.models import Team, User  # noqa: E402
from peyvand.accounts.roles import MANAGER, SALES, ensure_roles  # noqa: E402
from peyvand.contacts.models import Category, Contact, ContactPhone, Region  # noqa: E402
from peyvand.core.bulk import bulk_insert  # noqa: E402
from peyvand.customfields.models import CustomField  # noqa: E402
from peyvand.demo import data  # noqa: E402

BATCH = 5_000
RARE_NAME = "زرتشت بهمنیار"


def ensure_users() -> tuple[User, User]:
    ensure_roles()
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


PLANS = ["طلایی", "نقره‌ای", "برنزی", "آزمایشی"]


def ensure_custom_fields() -> tuple[CustomField, CustomField]:
    plan, _ = CustomField.objects.get_or_create(
        target="contacts.contact",
        label="طرح",
        defaults={"kind": "choice", "options": "\n".join(PLANS)},
    )
    staff, _ = CustomField.objects.get_or_create(
        target="contacts.contact", label="تعداد کارکنان", defaults={"kind": "number"}
    )
    return plan, staff


def custom_values(number: int, plan: CustomField, staff: CustomField) -> dict:
    # number // 20: independent of the owner (number % 20), so every rep has every value.
    return {plan.key: PLANS[number // 20 % len(PLANS)], staff.key: number // 20 % 500}


def backfill_custom(plan: CustomField, staff: CustomField) -> None:
    """Rows filled before custom fields existed get their values in one UPDATE."""
    if connection.vendor != "postgresql" or not Contact.all_objects.filter(custom={}).exists():
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE contacts_contact SET custom = jsonb_build_object("
            "%s::text, (ARRAY[%s, %s, %s, %s])[1 + id / 20 %% 4], %s::text, id / 20 %% 500) "
            "WHERE custom = '{}'::jsonb",
            [plan.key, *PLANS, staff.key],
        )
        cursor.execute("VACUUM ANALYZE contacts_contact")
    print(f"  custom values for existing rows in {time.perf_counter() - started:.0f} s")


def fill(rows: int) -> None:
    existing = Contact.all_objects.count()
    if existing >= rows:
        return
    owners = list(
        User.objects.filter(username__startswith="bench-rep").values_list("pk", flat=True)
    )
    cities = list(Region.objects.filter(depth=1).values_list("pk", flat=True))
    guilds = list(Category.objects.filter(depth=1).values_list("pk", flat=True))
    plan, staff = ensure_custom_fields()
    rng = random.Random(existing)
    started = time.perf_counter()
    for start in range(existing, rows, BATCH):
        contacts, numbers = [], []
        for number in range(start, min(rows, start + BATCH)):
            first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
            company, _city = rng.choice(data.COMPANIES)
            mobile = f"9{rng.randint(10, 39)}{rng.randint(1000000, 9999999)}"
            landline = f"{rng.choice(['21', '31', '51', '71'])}{rng.randint(22000000, 88999999)}"
            numbers.append((f"+98{mobile}", f"+98{landline}"))
            contacts.append({
                "code": f"B{number:08d}",
                "name": RARE_NAME if number == rows // 2 else f"{first} {last}",
                "company": company,
                "mobile": f"+98{mobile}",
                "phones_text": f"0{mobile}|0{landline}",
                "region_id": rng.choice(cities),
                "category_id": rng.choice(guilds),
                "owner_id": owners[number % len(owners)],
                "custom": custom_values(number, plan, staff),
            })  # fmt: skip
        # COPY (core.bulk), not bulk_create: a million rows in minutes, not tens of them.
        ids = bulk_insert(Contact, contacts)
        bulk_insert(
            ContactPhone,
            [
                {"contact_id": pk, "kind": kind, "number": value, "position": position}
                for pk, pair in zip(ids, numbers, strict=True)
                for position, (kind, value) in enumerate(
                    zip(("mobile", "landline"), pair, strict=True)
                )
            ],
        )
        done = min(rows, start + BATCH)
        print(f"  {done:>9,} rows, {time.perf_counter() - started:5.0f} s", end="\r", flush=True)
    print(f"\n  filled {rows - existing:,} contacts in {time.perf_counter() - started:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE contacts_contact")
            cursor.execute("VACUUM ANALYZE contacts_contactphone")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    manager, rep = ensure_users()
    fill(args.rows)
    plan, staff = ensure_custom_fields()
    backfill_custom(plan, staff)
    isfahan = Region.objects.get(name="اصفهان", depth=0)
    contacts, phones = Contact.all_objects.count(), ContactPhone.objects.count()
    print(f"{connection.vendor}: {contacts:,} contacts, {phones:,} phones")
    for user, who in [(manager, "manager"), (rep, "sales rep")]:
        client = Client()
        client.force_login(user)
        one = Contact.objects.visible_to(user).order_by("-created_at", "-id").first()
        print(f"{who}:")
        pages = [
            ("list, page 1", "/contacts/", {}, False),
            ("list, page 40", "/contacts/", {"page": 40}, False),
            ("search a common name «کریمی»", "/contacts/", {"q": "کریمی"}, False),
            (f"search a rare name «{RARE_NAME}»", "/contacts/", {"q": RARE_NAME}, False),
            ("search a variant «علي كريمي»", "/contacts/", {"q": "علي كريمي"}, False),
            ("search a phone fragment «۰۹۱۲ ۳۴۵»", "/contacts/", {"q": "۰۹۱۲ ۳۴۵"}, False),
            ("filter a province subtree (اصفهان)", "/contacts/", {"region": isfahan.pk}, False),
            (
                "filter a custom choice (طرح = برنزی)",
                "/contacts/",
                {f"cf{plan.pk}": "برنزی"},
                False,
            ),
            (
                "filter a custom number range (490–499)",
                "/contacts/",
                {f"cf{staff.pk}_from": "490", f"cf{staff.pk}_to": "499"},
                False,
            ),
            ("top-bar suggestions «كريمي» (htmx)", "/search/", {"q": "كريمي"}, True),
            ("detail page", f"/contacts/{one.pk}/", {}, False),
        ]
        for label, url, params, htmx in pages:
            client.defaults.pop("HTTP_HX_REQUEST", None)
            if htmx:
                client.defaults["HTTP_HX_REQUEST"] = "true"
            measure(client, label, url, params, args.repeat)


if __name__ == "__main__":
    main()
