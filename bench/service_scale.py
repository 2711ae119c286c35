"""The service desk at scale (issue 7): requests timed through Django's full request
cycle in-process, with their SQL query counts.

    createdb -h 127.0.0.1 -U postgres peyvand_bench_service
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peyvand_bench_service \\
        .venv/bin/python bench/service_scale.py --requests 500000 --complaints 100000

The first run migrates and creates the rows by COPY (``core.bulk.bulk_insert``): 40
support agents who register and do requests for one another, a third of the requests
archived, a third done, a third open (some sent back), one in five visible to the
teams, one in twenty to everyone; 20,000 customers, each with its requests and
complaints (half closed); later runs reuse them. Each page is fetched ``--repeat`` times
for the measured agent: the three views of the list, the home page (the requests
waiting for them), the bell's unseen count, a request's page, the complaint lists and a
complaint's page, and a customer's history page.
"""

import argparse
import datetime
import os
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

from peyvand.accounts.models import Team, User  # noqa: E402
from peyvand.accounts.roles import MANAGER, SUPPORT  # noqa: E402
from peyvand.contacts.models import Contact  # noqa: E402
from peyvand.core.bulk import bulk_insert  # noqa: E402
from peyvand.lookups.models import Urgency  # noqa: E402
from peyvand.service.models import Complaint, Request  # noqa: E402

AGENTS = 40
CUSTOMERS = 20_000
CHUNK = 50_000


def prepare(count: int, complaints: int) -> tuple[User, User]:
    call_command("migrate", verbosity=0)
    agents = list(User.objects.filter(username__startswith="bench-d").order_by("pk"))
    for number in range(len(agents), AGENTS):
        agent = User.objects.create(username=f"bench-d{number:02d}")
        agent.groups.add(Group.objects.get(name=SUPPORT))
        agents.append(agent)
    manager, _ = User.objects.get_or_create(username="bench-dmanager")
    manager.groups.add(Group.objects.get(name=MANAGER))
    for number in range(4):  # four teams of ten agents
        team, _ = Team.objects.get_or_create(name=f"bench-team-{number}")
        team.members.add(*agents[number * 10 : number * 10 + 10])
    have = Contact.objects.filter(code__startswith="BD").count()
    if have < CUSTOMERS:
        bulk_insert(
            Contact,
            [{"code": f"BD{n:06d}", "name": f"مشتری خدمات {n}", "mobile": f"+98912{n:07d}",
              "owner_id": agents[n % AGENTS].pk} for n in range(have, CUSTOMERS)],
        )  # fmt: skip
    customers = list(
        Contact.objects.filter(code__startswith="BD").order_by("pk").values_list("pk", flat=True)
    )
    urgency = Urgency.objects.order_by("id").first()
    have = Request.all_objects.filter(tracking_code__startswith="B").count()
    now = timezone.now()
    if have < count:
        print(f"creating {count - have:,} requests…", flush=True)
        for start in range(have, count, CHUNK):
            rows = []
            for n in range(start, min(count, start + CHUNK)):
                created = now - datetime.timedelta(minutes=(count - n) * 3)
                step = n % 3  # 0 archived, 1 done, 2 open
                rows.append({
                    "tracking_code": f"B{n:08d}",
                    "owner_id": agents[n % AGENTS].pk,
                    "assignee_id": agents[(n * 7 + 1) % AGENTS].pk,
                    "created_at": created,
                    "description": f"درخواست نمونه {n}",
                    "subject": f"خرابی دستگاه {n}",
                    "urgency_id": urgency.pk,
                    "deadline": timezone.localdate(created) + datetime.timedelta(days=1),
                    "status": ("archived", "done", "open")[step],
                    "result": "انجام شد" if step < 2 else "",
                    "done_at": created + datetime.timedelta(hours=5) if step < 2 else None,
                    "archived_at": created + datetime.timedelta(days=1) if step == 0 else None,
                    "rejected_at": created + datetime.timedelta(hours=6) if n % 30 == 2 else None,
                    "assignee_seen_at": created if n % 10 else None,
                    "creator_seen_at": created if n % 10 else None,
                    "contact_id": customers[n % CUSTOMERS],
                    "confidentiality": "public" if n % 20 == 3 else (
                        "team" if n % 5 == 1 else "private"),
                })  # fmt: skip
            bulk_insert(Request, rows)
    have = Complaint.all_objects.filter(tracking_code__startswith="C").count()
    if have < complaints:
        print(f"creating {complaints - have:,} complaints…", flush=True)
        for start in range(have, complaints, CHUNK):
            rows = []
            for n in range(start, min(complaints, start + CHUNK)):
                created = now - datetime.timedelta(minutes=(complaints - n) * 10)
                closed = (n // 7) % 2 == 0  # not in step with who owns it
                rows.append({
                    "tracking_code": f"C{n:08d}",
                    "owner_id": agents[(n * 3) % AGENTS].pk,
                    "officer_id": agents[(n * 11 + 2) % AGENTS].pk,
                    "contact_id": customers[(n * 13) % CUSTOMERS],
                    "created_at": created,
                    "date": timezone.localdate(created),
                    "description": f"شکایت نمونه {n}: تأخیر در ارسال",
                    "source": "crm" if n % 3 else "after_sales",
                    "status": "closed" if closed else "following",
                    "result": "پوزش و جبران" if closed else "",
                    "closed_at": created + datetime.timedelta(days=2) if closed else None,
                })  # fmt: skip
            bulk_insert(Complaint, rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE service_request")
        cursor.execute("ANALYZE service_complaint")
    return agents[0], manager


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500_000)
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    agent, manager = prepare(args.requests, args.complaints)
    print(
        f"{Request.all_objects.count():,} requests, {Complaint.all_objects.count():,}"
        f" complaints ({connection.vendor})"
    )
    client = Client()
    client.force_login(agent)
    item = Request.objects.filter(assignee=agent).order_by("-id").first()
    complaint = Complaint.objects.filter(officer=agent).order_by("-id").first()
    customer = Request.objects.filter(owner=agent).order_by("-id").first().contact_id
    # «کارتابل من» and «ارسالی‌های من» are the request list with a preset (core.lists).
    requests = reverse("service:request_all")
    pages = [
        ("کارتابل من (inbox)", requests, {"assignee": "me"}),
        ("ارسالی‌های من (sent)", requests, {"creator": "me"}),
        ("inbox, all statuses", requests, {"assignee": "me", "status": "all"}),
        ("requests: text (search key)", requests, {"q": "خرابی"}),
        ("requests: text + status", requests, {"q": "خرابی", "status": "open"}),
        ("requests: by deadline", requests, {"sort": "deadline"}),
        ("requests: overdue", requests, {"overdue": "yes"}),
        ("requests: created this month", requests, {"date_period": "this_month"}),
        ("home (requests waiting for me)", reverse("core:home"), {}),
        ("unseen count (the bell)", reverse("activities:notification_poll"), {}),
        ("a request's page", item.get_absolute_url(), {}),
        ("همه درخواست‌ها (agent: own, team, public)", reverse("service:request_all"), {}),
        ("شکایت‌های من (officer)", reverse("service:complaint_list"), {}),
        ("شکایات, all I may see", reverse("service:complaint_list"), {"view": "all"}),
        ("شکایات: text in every tab", reverse("service:complaint_list"), {"q": "تأخیر"}),
        ("a complaint's page", complaint.get_absolute_url(), {}),
        ("a customer's history", reverse("contacts:history", args=[customer]), {}),
    ]
    for label, url, params in pages:
        measure(client, label, url, params, args.repeat)
    client.force_login(manager)
    measure(client, "همه درخواست‌ها (manager)", reverse("service:request_all"), {}, args.repeat)


if __name__ == "__main__":
    main()
