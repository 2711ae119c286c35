"""The load test's database (run by bench/load_test.py; also usable alone):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peyvand_load \\
        .venv/bin/python bench/load_data.py --sales 30 --support 15 --managers 5

Migrates, loads the demo (``seed_demo``), then gives every load-test account its share
of a small company's records, by COPY (``core.bulk.bulk_insert``), once per account:
reruns find them and add only what a new account lacks. Per sales rep
(``load-sales-NN``, in teams of five): 400 contacts with a mobile number, 120 leads on
them (one in six won or lost) with three follow-ups each, the last one pending and due
between three days ago and three weeks ahead. Per support agent (``load-support-NN``,
teams of five): 150 customers of their own, 300 requests about them assigned to the
agent by a teammate (a third open, a third done, a third archived) and 60 complaints
the agent controls. Managers (``load-manager-NN``) see everything and sign in with an
authenticator whose key the load test knows (``totp_key``). At the default 50 users:
about 14,000 contacts, 3,600 leads, 11,000 follow-ups, 4,500 requests and 900
complaints. All accounts share the password ``PASSWORD``; ``--volume`` scales the
per-account counts.
"""

import argparse
import datetime
import hashlib
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
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from peyvand.accounts import two_factor  # noqa: E402
from peyvand.accounts.models import Team, User  # noqa: E402
from peyvand.accounts.roles import MANAGER, SALES, SUPPORT  # noqa: E402
from peyvand.accounts.services import two_factor_enable  # noqa: E402
from peyvand.contacts.models import Category, Contact, ContactPhone, Region  # noqa: E402
from peyvand.core.bulk import bulk_insert  # noqa: E402
from peyvand.demo import data  # noqa: E402
from peyvand.lookups.models import AcquaintanceSource, Channel, FollowUpResult, Urgency  # noqa: E402
from peyvand.sales.models import FollowUp, Lead  # noqa: E402
from peyvand.service.models import Complaint, Request  # noqa: E402

PASSWORD = "peyvand-load"  # noqa: S105 - the load test's accounts, on a throwaway database
ROLES = {"sales": SALES, "support": SUPPORT, "manager": MANAGER}
TEAM_SIZE = 5
CONTACTS_PER_REP = 400
LEADS_PER_REP = 120
FOLLOWUPS_PER_LEAD = 3
REQUESTS_PER_AGENT = 300
COMPLAINTS_PER_AGENT = 60
CUSTOMERS_PER_AGENT = 150
REQUEST_SUBJECTS = [
    "دستگاه روشن نمی‌شود", "نصب در کارگاه دوم", "صورت‌حساب دوباره فرستاده شود",
    "کابل‌کشی ناقص مانده است", "آموزش کار با نرم‌افزار", "تعویض قطعه در دوره ضمانت",
]  # fmt: skip


def username(role: str, number: int) -> str:
    return f"load-{role}-{number:02d}"


def ensure_accounts(counts: dict[str, int]) -> dict[str, list[User]]:
    """The accounts, in teams of five within a role; one password hash for all (hashing
    is a deliberate half second each)."""
    accounts: dict[str, list[User]] = {}
    password = None
    for role, count in counts.items():
        group = Group.objects.get(name=ROLES[role])
        accounts[role] = []
        for number in range(1, count + 1):
            rng = random.Random(f"{role}{number}")
            user, created = User.objects.get_or_create(
                username=username(role, number),
                defaults={
                    "first_name": rng.choice(data.FIRST_NAMES),
                    "last_name": rng.choice(data.LAST_NAMES),
                    "email": f"{username(role, number)}@example.ir",
                },
            )
            if created or not user.check_password(PASSWORD):
                if password is None:
                    user.set_password(PASSWORD)
                    password = user.password
                User.objects.filter(pk=user.pk).update(password=password)
            user.groups.add(group)
            if role != "manager":
                team, _ = Team.objects.get_or_create(
                    name=f"گروه بار {ROLES[role]} {(number - 1) // TEAM_SIZE + 1}"
                )
                team.members.add(user)
            accounts[role].append(user)
    return accounts


def add_contacts(owner: User, prefix: str, count: int, lookups: dict) -> list[int]:
    """``count`` contacts of ``owner`` (one in five a company), each with a mobile."""
    rng = random.Random(prefix)
    now = timezone.now()
    rows, phones = [], []
    for n in range(count):
        first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
        company, _city = rng.choice(data.COMPANIES)
        mobile = f"9{rng.choice(['12', '13', '19', '35', '36'])}{rng.randint(1000000, 9999999)}"
        rows.append({
            "code": f"{prefix}{n:05d}",
            "name": company if n % 5 == 0 else f"{first} {last}",
            "kind": "organization" if n % 5 == 0 else "person",
            "company": "" if n % 5 == 0 else company,
            "mobile": f"+98{mobile}",
            "phones_text": f"0{mobile}",
            "owner_id": owner.pk,
            "source_id": rng.choice(lookups["sources"]),
            "region_id": rng.choice(lookups["regions"]),
            "category_id": rng.choice(lookups["categories"]),
            "created_at": now - datetime.timedelta(hours=rng.randint(1, 24 * 365)),
        })  # fmt: skip
        phones.append(f"+98{mobile}")
    contact_ids = bulk_insert(Contact, rows)
    bulk_insert(
        ContactPhone,
        [{"contact_id": pk, "kind": "mobile", "number": phone, "position": 0}
         for pk, phone in zip(contact_ids, phones, strict=True)],
    )  # fmt: skip
    return contact_ids


def totp_key(name: str) -> str:
    """The load-test account's authenticator key (hex, as django-otp keeps it); the load
    test derives the same to compute its codes."""
    return hashlib.sha1(f"peyvand-load:{name}".encode()).hexdigest()  # noqa: S324 - a name


def ensure_authenticators(managers: list[User]) -> None:
    """Managers sign in with a code in production (TWO_FACTOR_REQUIRED_FOR_MANAGERS): each
    load-test manager gets an authenticator with a known key."""
    for manager in managers:
        if (
            two_factor.is_enabled(manager)
            and TOTPDevice.objects.filter(
                user=manager, key=totp_key(manager.username), confirmed=True
            ).exists()
        ):
            continue
        device = two_factor.enrolment_device(manager, totp_key(manager.username))
        two_factor_enable(user=manager, device=device)


def seed_rep(rep: User, number: int, volume: float, lookups: dict) -> None:
    rng = random.Random(f"rep{number}")
    now = timezone.now()
    contact_ids = add_contacts(rep, f"LT{number:02d}", int(CONTACTS_PER_REP * volume), lookups)
    leads, followups = [], []
    results = lookups["results"]
    for n in range(int(LEADS_PER_REP * volume)):
        created = now - datetime.timedelta(days=rng.randint(10, 200), hours=rng.randint(0, 8))
        status = "won" if n % 12 == 5 else "lost" if n % 12 == 11 else "open"
        last_at = now - datetime.timedelta(days=rng.randint(1, 9), hours=rng.randint(0, 8))
        # Pending follow-ups due from three days ago to three weeks ahead, on the hour.
        next_at = (now + datetime.timedelta(hours=rng.randint(-72, 21 * 24))).replace(
            minute=0, second=0, microsecond=0
        )
        result = results[n % len(results)]
        leads.append({
            "code": f"LL{number:02d}{n:05d}",
            "title": data.LEAD_TITLES[n % len(data.LEAD_TITLES)],
            "contact_id": contact_ids[n * 3 % len(contact_ids)],
            "owner_id": rep.pk,
            "responsible_id": rep.pk,
            "source_id": rng.choice(lookups["sources"]),
            "stars": 1 + n % 3,
            "status": status,
            "stage": "proposal" if n % 4 == 2 else "contacted",
            "closed_at": created + datetime.timedelta(days=30) if status != "open" else None,
            "lost_reason": "قیمت رقیب پایین‌تر بود" if status == "lost" else "",
            "expected_value": rng.choice([45, 120, 380, 950, 2400]) * 1_000_000,
            "created_at": created,
            "last_result_id": result[0],
            "last_followup_at": last_at,
            "next_at": next_at if status == "open" else None,
            "next_by_id": rep.pk if status == "open" else None,
        })  # fmt: skip
    lead_ids = bulk_insert(Lead, leads)
    for lead_id, lead in zip(lead_ids, leads, strict=True):
        for step in range(FOLLOWUPS_PER_LEAD):
            last = step == FOLLOWUPS_PER_LEAD - 1
            at = lead["last_followup_at"] - datetime.timedelta(days=(FOLLOWUPS_PER_LEAD - step) * 5)
            if last:
                at = lead["last_followup_at"]
            result = (
                results[(step + lead_id) % len(results)]
                if not last
                else next(item for item in results if item[0] == lead["last_result_id"])
            )
            followups.append({
                "lead_id": lead_id,
                "owner_id": rep.pk,
                "at": at,
                "channel_id": rng.choice(lookups["channels"]),
                "result_id": result[0],
                "priority": result[1],
                "description": rng.choice(FOLLOWUP_NOTES),
                "next_at": lead["next_at"] if last else at + datetime.timedelta(days=5),
                "next_by_id": rep.pk if not last or lead["next_at"] else None,
                "settled_at": None if last and lead["status"] == "open" else at,
                "created_at": at,
            })  # fmt: skip
    bulk_insert(FollowUp, followups)


FOLLOWUP_NOTES = [
    "با مدیر خرید صحبت شد؛ کاتالوگ خواستند.",
    "قیمت‌ها را با رقیب مقایسه می‌کنند؛ هفته بعد تماس بگیریم.",
    "جلسه حضوری در دفتر مشتری برگزار شد.",
    "پیش‌فاکتور را دیدند و تخفیف خواستند.",
    "منتظر تأیید هیئت‌مدیره هستند.",
]


def seed_agent(agent: User, number: int, team: list[User], volume: float, lookups: dict) -> None:
    rng = random.Random(f"agent{number}")
    now = timezone.now()
    customers = add_contacts(agent, f"LS{number:02d}", int(CUSTOMERS_PER_AGENT * volume), lookups)
    rows = []
    for n in range(int(REQUESTS_PER_AGENT * volume)):
        created = now - datetime.timedelta(hours=(REQUESTS_PER_AGENT - n) * 6 + rng.randint(0, 5))
        step = n % 3  # archived, done, open
        subject = REQUEST_SUBJECTS[n % len(REQUEST_SUBJECTS)]
        rows.append({
            "tracking_code": f"LR{number:02d}{n:05d}",
            "owner_id": team[(team.index(agent) + 1 + n) % len(team)].pk if len(team) > 1
            else agent.pk,
            "assignee_id": agent.pk,
            "contact_id": rng.choice(customers),
            "channel_id": rng.choice(lookups["channels"]),
            "subject": subject,
            "description": f"{subject}. مشتری تلفنی تماس گرفت و پیگیری خواست.",
            "urgency_id": rng.choice(lookups["urgencies"]),
            "deadline": timezone.localdate(created) + datetime.timedelta(days=2),
            "status": ("archived", "done", "open")[step],
            "result": "انجام شد." if step < 2 else "",
            "done_at": created + datetime.timedelta(hours=5) if step < 2 else None,
            "archived_at": created + datetime.timedelta(days=1) if step == 0 else None,
            "assignee_seen_at": created if n % 10 else None,
            "creator_seen_at": created,
            "confidentiality": "team" if n % 4 else "private",
            "created_at": created,
        })  # fmt: skip
    bulk_insert(Request, rows)
    complaints = []
    for n in range(int(COMPLAINTS_PER_AGENT * volume)):
        created = now - datetime.timedelta(hours=(COMPLAINTS_PER_AGENT - n) * 30)
        closed = n % 2 == 0
        complaints.append({
            "tracking_code": f"LC{number:02d}{n:05d}",
            "owner_id": team[(team.index(agent) + 1) % len(team)].pk,
            "officer_id": agent.pk,
            "contact_id": rng.choice(customers),
            "channel_id": rng.choice(lookups["channels"]),
            "date": timezone.localdate(created),
            "description": "کالا با تأخیر رسید و کارتن آن آسیب دیده بود.",
            "source": "after_sales" if n % 3 else "crm",
            "status": "closed" if closed else "following",
            "result": "پوزش و جبران" if closed else "",
            "closed_at": created + datetime.timedelta(days=2) if closed else None,
            "created_at": created,
        })  # fmt: skip
    bulk_insert(Complaint, complaints)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sales", type=int, default=30)
    parser.add_argument("--support", type=int, default=15)
    parser.add_argument("--managers", type=int, default=5)
    parser.add_argument("--volume", type=float, default=1.0, help="scales the per-account rows")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    with transaction.atomic():
        accounts = ensure_accounts(
            {"sales": args.sales, "support": args.support, "manager": args.managers}
        )
        ensure_authenticators(accounts["manager"])
    lookups = {
        "sources": list(AcquaintanceSource.objects.values_list("pk", flat=True)),
        "regions": list(Region.objects.filter(depth=1).values_list("pk", flat=True)),
        "categories": list(Category.objects.filter(depth=1).values_list("pk", flat=True)),
        "channels": list(Channel.objects.values_list("pk", flat=True)),
        "urgencies": list(Urgency.objects.values_list("pk", flat=True)),
        "results": list(FollowUpResult.objects.values_list("pk", "priority")),
    }
    added = 0
    for number, rep in enumerate(accounts["sales"], start=1):
        if not Contact.all_objects.filter(owner=rep).exists():
            with transaction.atomic():
                seed_rep(rep, number, args.volume, lookups)
            added += 1
    agents = accounts["support"]
    for number, agent in enumerate(agents, start=1):
        if not Request.all_objects.filter(assignee=agent).exists():
            first = (number - 1) // TEAM_SIZE * TEAM_SIZE
            with transaction.atomic():
                seed_agent(agent, number, agents[first : first + TEAM_SIZE], args.volume, lookups)
            added += 1
    if added and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"{Contact.objects.count():,} contacts, {Lead.objects.count():,} leads,"
        f" {FollowUp.objects.count():,} follow-ups, {Request.objects.count():,} requests,"
        f" {Complaint.objects.count():,} complaints; {sum(map(len, accounts.values()))}"
        f" load-test accounts ({added} given their records now)"
    )


if __name__ == "__main__":
    main()
