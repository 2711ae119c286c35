"""The reports: each a function from the filters and the viewer to rows, the columns
that show and export them, and a chart drawn from the same rows (so a chart's numbers
are the table's). Every query starts from ``visible_to(viewer)``: a report counts only
what its reader may see, as the lists do."""

import datetime
from collections import defaultdict
from operator import itemgetter

from django.contrib.contenttypes.models import ContentType
from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from peyvand.activities.models import Call, Task
from peyvand.contacts.models import Contact
from peyvand.core.exports import Column
from peyvand.core.workdays import WorkCalendar
from peyvand.messaging.models import Message
from peyvand.reports.base import (
    NONE_LABEL,
    ChartSpec,
    Report,
    ReportResult,
    by_month,
    daily,
    narrow,
    user_names,
)
from peyvand.reports.forms import ReportFilters
from peyvand.reports.money import MONEY_REPORTS
from peyvand.reports.periods import month_label
from peyvand.sales.models import FollowUp, GoodsOrService, Invoice, Lead, Quote
from peyvand.service.models import Complaint, Request
from peyvand.surveys.models import Answer, SurveyResponse

__all__ = ["DASHBOARD", "REPORTS", "REPORTS_BY_SLUG", "ChartSpec", "Report", "ReportResult"]

FOLLOWUP_CUSTOMER = ("lead__contact__", "quote__contact__", "complaint__contact__")


def followups_in(filters: ReportFilters, viewer) -> QuerySet[FollowUp]:
    followups = FollowUp.objects.visible_to(viewer).filter(
        at__gte=filters.start_at, at__lt=filters.end_before
    )
    return narrow(followups, filters, person="owner", customer=FOLLOWUP_CUSTOMER)


def tasks_in(filters: ReportFilters, viewer) -> QuerySet[Task]:
    """Tasks dated in the period; a category or region filter keeps those about a
    customer in it (a task's customer is the contact it was made on)."""
    tasks = narrow(
        Task.objects.visible_to(viewer).filter(date__gte=filters.start, date__lte=filters.end),
        filters,
        person="assignee",
        customer=(),
    )
    if filters.categories is not None or filters.regions is not None:
        customers = Contact.objects.all()
        if filters.categories is not None:
            customers = customers.filter(category_id__in=filters.categories)
        if filters.regions is not None:
            customers = customers.filter(region_id__in=filters.regions)
        tasks = tasks.filter(
            content_type=ContentType.objects.get_for_model(Contact),
            object_id__in=customers.values("pk"),
        )
    return tasks


def leads_in(filters: ReportFilters, viewer) -> QuerySet[Lead]:
    leads = Lead.objects.visible_to(viewer).filter(
        created_at__gte=filters.start_at, created_at__lt=filters.end_before
    )
    return narrow(leads, filters, person="responsible", customer=("contact__",))


def _share(rows: list[dict], key: str = "count") -> None:
    total = sum(row[key] for row in rows) or 1
    for row in rows:
        row["share"] = round(100 * row[key] / total, 1)


# پیگیری‌ها ------------------------------------------------------------------------------

FOLLOWUP_GROUPS = {
    "result": "نتیجه",
    "channel": "نوع ارتباط",
    "stars": "درجه اهمیت",
    "user": "کاربر",
    "month": "ماه",
}


def followup_report(filters: ReportFilters, viewer) -> ReportResult:
    followups = followups_in(filters, viewer)
    group = filters.group
    if group == "month":
        months = by_month(filters, daily(followups, "at"))
        rows = [
            {"label": month_label(*key, filters.calendar), "count": count}
            for key, count in months.items()
        ]
    else:
        key = {
            "result": "result__name",
            "channel": "channel__name",
            "stars": "lead__stars",
            "user": "owner_id",
        }[group]
        counted = followups.values(key).annotate(count=Count("id")).order_by("-count", key)
        rows = [{"label": row[key], "count": row["count"]} for row in counted]
        if group == "user":
            names = user_names(row["label"] for row in rows)
            for row in rows:
                row["label"] = names.get(row["label"], NONE_LABEL)
        elif group == "stars":
            for row in rows:
                row["label"] = "★" * row["label"] if row["label"] else "بدون سرنخ"
        for row in rows:
            row["label"] = row["label"] or NONE_LABEL
    _share(rows)
    return ReportResult(
        columns=[
            Column(FOLLOWUP_GROUPS[group], itemgetter("label")),
            Column("تعداد پیگیری", itemgetter("count"), "number"),
            Column("سهم (درصد)", itemgetter("share"), "number"),
        ],
        rows=rows,
        chart=ChartSpec("line" if group == "month" else "bar", (("count", "تعداد پیگیری"),)),
        chart_rows=len(rows) if group == "month" else 20,
    )


# فرصت‌های فروش ---------------------------------------------------------------------------

LEAD_GROUPS = {"status": "وضعیت", "stage": "مرحله", "source": "نحوه آشنایی", "user": "مسئول"}


def lead_report(filters: ReportFilters, viewer) -> ReportResult:
    """Leads registered in the period by status, stage, source or responsible user, with
    their expected value."""
    leads = leads_in(filters, viewer)
    group = filters.group
    key = {
        "status": "status",
        "stage": "stage",
        "source": "source__name",
        "user": "responsible_id",
    }[group]
    counted = (
        leads.values(key)
        .annotate(count=Count("id"), value=Sum("expected_value"))
        .order_by("-count", key)
    )
    labels = {
        "status": dict(Lead.Status.choices),
        "stage": dict(Lead.Stage.choices),
    }.get(group)
    names = user_names(row[key] for row in counted) if group == "user" else {}
    rows = []
    for row in counted:
        value = row[key]
        label = labels.get(value, value) if labels else names.get(value, value)
        count, value = row["count"], row["value"] or 0
        rows.append({"label": str(label or NONE_LABEL), "count": count, "value": value})
    _share(rows)
    return ReportResult(
        columns=[
            Column(LEAD_GROUPS[group], itemgetter("label")),
            Column("تعداد سرنخ", itemgetter("count"), "number"),
            Column("سهم (درصد)", itemgetter("share"), "number"),
            Column("مبلغ پیش‌بینی (ریال)", itemgetter("value"), "number"),
        ],
        rows=rows,
        chart=ChartSpec("bar", (("count", "تعداد سرنخ"),)),
    )


def conversion_report(filters: ReportFilters, viewer) -> ReportResult:
    """Leads of the period by acquaintance source: how many were won, lost, still open,
    and the share won (conversion)."""
    counted = (
        leads_in(filters, viewer)
        .values("source__name")
        .annotate(
            count=Count("id"),
            won=Count("id", filter=Q(status=Lead.Status.WON)),
            lost=Count("id", filter=Q(status=Lead.Status.LOST)),
        )
        .order_by("-count", "source__name")
    )
    rows = []
    for row in counted:
        rows.append(
            {
                "label": row["source__name"] or NONE_LABEL,
                "count": row["count"],
                "won": row["won"],
                "lost": row["lost"],
                "open": row["count"] - row["won"] - row["lost"],
                "rate": round(100 * row["won"] / row["count"], 1) if row["count"] else 0,
            }
        )
    return ReportResult(
        columns=[
            Column("نحوه آشنایی", itemgetter("label")),
            Column("سرنخ‌ها", itemgetter("count"), "number"),
            Column("موفق", itemgetter("won"), "number"),
            Column("ناموفق", itemgetter("lost"), "number"),
            Column("باز", itemgetter("open"), "number"),
            Column("نرخ تبدیل (درصد)", itemgetter("rate"), "number"),
        ],
        rows=rows,
        chart=ChartSpec("bar", (("count", "سرنخ‌ها"), ("won", "موفق"))),
    )


def marketing_report(filters: ReportFilters, viewer) -> ReportResult:
    """Marketing over time: per month (the reader's calendar), follow-ups logged, leads
    registered and leads won."""
    followups = by_month(filters, daily(followups_in(filters, viewer), "at"))
    leads = by_month(filters, daily(leads_in(filters, viewer), "created_at"))
    won_leads = narrow(
        Lead.objects.visible_to(viewer).filter(
            status=Lead.Status.WON,
            closed_at__gte=filters.start_at,
            closed_at__lt=filters.end_before,
        ),
        filters,
        person="responsible",
        customer=("contact__",),
    )
    won = by_month(filters, daily(won_leads, "closed_at"))
    rows = [
        {
            "label": month_label(*month, filters.calendar),
            "followups": followups.get(month, 0),
            "leads": leads.get(month, 0),
            "won": won.get(month, 0),
        }
        for month in followups
    ]
    return ReportResult(
        columns=[
            Column("ماه", itemgetter("label")),
            Column("پیگیری‌ها", itemgetter("followups"), "number"),
            Column("سرنخ‌های تازه", itemgetter("leads"), "number"),
            Column("سرنخ‌های موفق", itemgetter("won"), "number"),
        ],
        rows=rows,
        chart=ChartSpec(
            "line", (("followups", "پیگیری‌ها"), ("leads", "سرنخ‌های تازه"), ("won", "موفق"))
        ),
        chart_rows=len(rows),
    )


# فعالیت کاربران ---------------------------------------------------------------------------


def activity_report(filters: ReportFilters, viewer) -> ReportResult:
    """Per user, their work with customers in the period: follow-ups, calls, messages
    and tasks (given to them, and done)."""
    counts: dict[int, dict[str, int]] = defaultdict(
        lambda: {"followups": 0, "calls": 0, "messages": 0, "tasks": 0, "tasks_done": 0}
    )

    def in_period(model, field: str) -> QuerySet:
        """The viewer's calls or messages of the period, by the filters' people and
        customers."""
        records = model.objects.visible_to(viewer).filter(
            **{f"{field}__gte": filters.start_at, f"{field}__lt": filters.end_before}
        )
        return narrow(records, filters, person="owner", customer=("contact__",))

    sources = {
        "followups": followups_in(filters, viewer),
        "calls": in_period(Call, "started_at"),
        "messages": in_period(Message, "created_at"),
    }
    for name, queryset in sources.items():
        for row in queryset.values("owner_id").annotate(count=Count("id")).order_by():
            counts[row["owner_id"]][name] = row["count"]
    tasks = tasks_in(filters, viewer)
    for row in (
        tasks.values("assignee_id")
        .annotate(count=Count("id"), done=Count("id", filter=Q(status=Task.Status.DONE)))
        .order_by()
    ):
        counts[row["assignee_id"]]["tasks"] = row["count"]
        counts[row["assignee_id"]]["tasks_done"] = row["done"]
    names = user_names(counts)
    rows = [
        {
            "label": names.get(pk, NONE_LABEL),
            **values,
            "total": sum(values.values()) - values["tasks_done"],
        }
        for pk, values in counts.items()
    ]
    rows.sort(key=lambda row: (-row["total"], row["label"]))
    return ReportResult(
        columns=[
            Column("کاربر", itemgetter("label")),
            Column("پیگیری‌ها", itemgetter("followups"), "number"),
            Column("تماس‌ها", itemgetter("calls"), "number"),
            Column("پیام‌ها", itemgetter("messages"), "number"),
            Column("وظایف", itemgetter("tasks"), "number"),
            Column("وظایف انجام‌شده", itemgetter("tasks_done"), "number"),
        ],
        rows=rows,
        chart=ChartSpec(
            "bar",
            (
                ("followups", "پیگیری‌ها"),
                ("calls", "تماس‌ها"),
                ("messages", "پیام‌ها"),
                ("tasks", "وظایف"),
            ),
        ),
    )


def task_report(filters: ReportFilters, viewer) -> ReportResult:
    """Tasks of the period per assignee: given, done, still open, overdue."""
    today = timezone.localdate()
    tasks = tasks_in(filters, viewer)
    counted = (
        tasks.values("assignee_id")
        .annotate(
            count=Count("id"),
            done=Count("id", filter=Q(status=Task.Status.DONE)),
            overdue=Count("id", filter=Q(status=Task.Status.OPEN, date__lt=today)),
        )
        .order_by("-count")
    )
    names = user_names(row["assignee_id"] for row in counted)
    rows = [
        {
            "label": names.get(row["assignee_id"], NONE_LABEL),
            "count": row["count"],
            "done": row["done"],
            "open": row["count"] - row["done"],
            "overdue": row["overdue"],
        }
        for row in counted
    ]
    return ReportResult(
        columns=[
            Column("انجام‌دهنده", itemgetter("label")),
            Column("وظایف", itemgetter("count"), "number"),
            Column("انجام‌شده", itemgetter("done"), "number"),
            Column("باز", itemgetter("open"), "number"),
            Column("عقب‌افتاده", itemgetter("overdue"), "number"),
        ],
        rows=rows,
        chart=ChartSpec("bar", (("done", "انجام‌شده"), ("open", "باز"), ("overdue", "عقب‌افتاده"))),
    )


# درخواست‌ها و شکایات ----------------------------------------------------------------------


def _working_day_index(start: datetime.date, end: datetime.date) -> dict[datetime.date, int]:
    """Working days from ``start`` up to each day of the range: the working days between
    two days is the difference of their indexes (one calendar walk for the report)."""
    calendar = WorkCalendar(start, end)  # the overrides read once, not once a day
    index, count, day = {}, 0, start
    while day <= end:
        index[day] = count
        if calendar.is_working_day(day):
            count += 1
        day += datetime.timedelta(days=1)
    return index


def _average_working_days(finished: QuerySet, person: str, started: str, done: str) -> dict:
    """Per person, the average working days from ``started`` to ``done`` of the finished
    rows: two group-bys by day (a few thousand rows however many requests), summed
    against a working-day index."""
    tehran = timezone.get_current_timezone()

    def per_day(field_name: str):
        annotated = finished.annotate(day=TruncDate(field_name, tzinfo=tehran))
        return list(annotated.values(person, "day").annotate(count=Count("id")).order_by())

    starts, ends = per_day(started), per_day(done)
    days = [row["day"] for row in starts + ends if row["day"]]
    if not days:
        return {}
    index = _working_day_index(min(days), max(days))
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # working days, count
    for row in ends:
        totals[row[person]][0] += index[row["day"]] * row["count"]
        totals[row[person]][1] += row["count"]
    for row in starts:
        totals[row[person]][0] -= index[row["day"]] * row["count"]
    return {pk: round(days / count, 1) for pk, (days, count) in totals.items() if count}


def request_report(filters: ReportFilters, viewer) -> ReportResult:
    """Requests registered in the period per assignee: open, awaiting confirmation,
    archived, overdue now, and the average working days from request to done."""
    today = timezone.localdate()
    requests = narrow(
        Request.objects.visible_to(viewer).filter(
            created_at__gte=filters.start_at, created_at__lt=filters.end_before
        ),
        filters,
        person="assignee",
        customer=("contact__",),
    )
    status = Request.Status
    counted = (
        requests.values("assignee_id")
        .annotate(
            count=Count("id"),
            open=Count("id", filter=Q(status=status.OPEN)),
            done=Count("id", filter=Q(status=status.DONE)),
            archived=Count("id", filter=Q(status=status.ARCHIVED)),
            overdue=Count("id", filter=Q(status=status.OPEN, deadline__lt=today)),
        )
        .order_by("-count")
    )
    averages = _average_working_days(
        requests.filter(done_at__isnull=False), "assignee_id", "created_at", "done_at"
    )
    names = user_names(row["assignee_id"] for row in counted)
    rows = [
        {
            "label": names.get(row["assignee_id"], NONE_LABEL),
            **{name: row[name] for name in ("count", "open", "done", "archived", "overdue")},
            "average": averages.get(row["assignee_id"], ""),
        }
        for row in counted
    ]
    return ReportResult(
        columns=[
            Column("انجام‌دهنده", itemgetter("label")),
            Column("درخواست‌ها", itemgetter("count"), "number"),
            Column("در دست انجام", itemgetter("open"), "number"),
            Column("در انتظار تأیید", itemgetter("done"), "number"),
            Column("بایگانی شده", itemgetter("archived"), "number"),
            Column("دیرکرد", itemgetter("overdue"), "number"),
            Column("میانگین روز کاری تا انجام", itemgetter("average"), "number"),
        ],
        rows=rows,
        chart=ChartSpec(
            "bar",
            (
                ("open", "در دست انجام"),
                ("done", "در انتظار تأیید"),
                ("archived", "بایگانی شده"),
                ("overdue", "دیرکرد"),
            ),
        ),
    )


def complaint_report(filters: ReportFilters, viewer) -> ReportResult:
    """Complaints dated in the period per control officer: still followed, closed, and
    the average working days to close."""
    complaints = narrow(
        Complaint.objects.visible_to(viewer).filter(date__gte=filters.start, date__lte=filters.end),
        filters,
        person="officer",
        customer=("contact__",),
    )
    counted = (
        complaints.values("officer_id")
        .annotate(
            count=Count("id"),
            following=Count("id", filter=Q(status=Complaint.Status.FOLLOWING)),
            closed=Count("id", filter=Q(status=Complaint.Status.CLOSED)),
            after_sales=Count("id", filter=Q(source=Complaint.Source.AFTER_SALES)),
        )
        .order_by("-count")
    )
    averages = _average_working_days(
        complaints.filter(closed_at__isnull=False), "officer_id", "created_at", "closed_at"
    )
    names = user_names(row["officer_id"] for row in counted)
    rows = [
        {
            "label": names.get(row["officer_id"], NONE_LABEL),
            **{name: row[name] for name in ("count", "following", "closed", "after_sales")},
            "average": averages.get(row["officer_id"], ""),
        }
        for row in counted
    ]
    return ReportResult(
        columns=[
            Column("مسئول کنترل", itemgetter("label")),
            Column("شکایات", itemgetter("count"), "number"),
            Column("در حال پیگیری", itemgetter("following"), "number"),
            Column("بسته شده", itemgetter("closed"), "number"),
            Column("از خدمات پس از فروش", itemgetter("after_sales"), "number"),
            Column("میانگین روز کاری تا بستن", itemgetter("average"), "number"),
        ],
        rows=rows,
        chart=ChartSpec("bar", (("following", "در حال پیگیری"), ("closed", "بسته شده"))),
    )


# مشتریان و مخاطبین ------------------------------------------------------------------------

CUSTOMER_ROWS = 200


def customer_report(filters: ReportFilters, viewer) -> ReportResult:
    """Sama's customer list: per customer, the count and rial sum of their proformas
    (cancelled ones left out) and invoices dated in the period, the invoices split into
    goods and services (or only one kind, when the filter asks); the biggest buyers
    first (the first 200), and the totals of every customer under them."""
    goods, service = GoodsOrService.GOODS, GoodsOrService.SERVICE

    def documents(model, *conditions, **extra) -> dict[int, dict[str, int]]:
        """Per customer: count and total, and the total of each kind (one GROUP BY)."""
        queryset = narrow(
            model.objects.visible_to(viewer).filter(
                *conditions, date__gte=filters.start, date__lte=filters.end, **extra
            ),
            filters,
            person="owner",
            customer=("contact__",),
        )
        if filters.kind:
            queryset = queryset.filter(kind=filters.kind)
        per_customer: dict[int, dict[str, int]] = defaultdict(
            lambda: {"count": 0, "total": 0, goods: 0, service: 0}
        )
        for row in (
            queryset.values("contact_id", "kind")
            .annotate(count=Count("id"), total=Sum("total"))
            .order_by()
        ):
            figures = per_customer[row["contact_id"]]
            figures["count"] += row["count"]
            figures["total"] += row["total"] or 0
            figures[row["kind"]] += row["total"] or 0
        return per_customer

    live = [status for status in Quote.Status.values if status != Quote.Status.CANCELLED]
    quotes = documents(Quote, status__in=live)
    # Each sale once, by its latest version (a corrected or returned one replaced).
    invoices = documents(Invoice, Invoice.IN_FORCE)
    nothing = {"count": 0, "total": 0, goods: 0, service: 0}
    customers = set(quotes) | set(invoices)
    ranked = sorted(
        customers,
        key=lambda pk: (
            -invoices.get(pk, nothing)["total"],
            -quotes.get(pk, nothing)["total"],
            pk,
        ),
    )[:CUSTOMER_ROWS]
    names = dict(Contact.objects.filter(pk__in=ranked).values_list("pk", "name"))

    def row(label: str, quoted: dict, invoiced: dict) -> dict:
        return {
            "label": label,
            "quotes": quoted["count"],
            "quotes_total": quoted["total"],
            "invoices": invoiced["count"],
            "invoices_total": invoiced["total"],
            "goods_total": invoiced[goods],
            "service_total": invoiced[service],
        }

    rows = [
        row(names.get(pk, NONE_LABEL), quotes.get(pk, nothing), invoices.get(pk, nothing))
        for pk in ranked
    ]

    def summed(per_customer: dict) -> dict:
        return {key: sum(figures[key] for figures in per_customer.values()) for key in nothing}

    footer = [row("جمع کل", summed(quotes), summed(invoices))]
    columns = [
        Column("مشتری", itemgetter("label")),
        Column("پیش فاکتورها", itemgetter("quotes"), "number"),
        Column("جمع پیش فاکتورها (ریال)", itemgetter("quotes_total"), "number"),
        Column("فاکتورها", itemgetter("invoices"), "number"),
        Column("جمع فاکتورها (ریال)", itemgetter("invoices_total"), "number"),
    ]
    if filters.kind:
        chart = ChartSpec("bar", (("invoices_total", "جمع فاکتورها (ریال)"),))
    else:
        split = (
            ("goods_total", "فاکتورهای کالا (ریال)"),
            ("service_total", "فاکتورهای خدمات (ریال)"),
        )
        columns += [Column(label, itemgetter(key), "number") for key, label in split]
        chart = ChartSpec("bar", split, stacked=True)
    note = ""
    if len(customers) > CUSTOMER_ROWS:
        note = (
            f"{CUSTOMER_ROWS} مشتری با بیشترین خرید در جدول آمده‌اند؛ "
            f"جمع کل، جمع همه {len(customers)} مشتری است."
        )
    return ReportResult(
        columns=columns, rows=rows, chart=chart, chart_rows=10, footer=footer, note=note
    )


CONTACT_GROUPS = {
    "source": "نحوه آشنایی",
    "category": "صنف",
    "region": "منطقه",
    "status": "وضعیت",
    "user": "مالک",
}


def contact_report(filters: ReportFilters, viewer) -> ReportResult:
    """Contacts registered in the period, by source, category, region, status or owner,
    with how many of them have leads."""
    contacts = narrow(
        Contact.objects.visible_to(viewer).filter(
            created_at__gte=filters.start_at, created_at__lt=filters.end_before
        ),
        filters,
        person="owner",
        customer=("",),
    )
    group = filters.group
    key = {
        "source": "source__name",
        "category": "category__name",
        "region": "region__name",
        "status": "status",
        "user": "owner_id",
    }[group]
    # Two plain group-bys (the contacts, then their leads through the same filter)
    # rather than one join of every contact with its leads: 850 → 350 ms at a million.
    counted = contacts.values(key).annotate(count=Count("id")).order_by("-count", key)
    leads = dict(
        Lead.objects.visible_to(viewer)
        .filter(contact__in=contacts)
        .values_list(f"contact__{key}")
        .annotate(n=Count("id"))
        .order_by()
    )
    names = user_names(row[key] for row in counted) if group == "user" else {}
    statuses = dict(Contact.Status.choices) if group == "status" else {}
    rows = []
    for row in counted:
        value = row[key]
        label = names.get(value) if group == "user" else statuses.get(value, value)
        count = row["count"]
        rows.append(
            {"label": str(label or NONE_LABEL), "count": count, "leads": leads.get(value, 0)}
        )
    _share(rows)
    return ReportResult(
        columns=[
            Column(CONTACT_GROUPS[group], itemgetter("label")),
            Column("مخاطبان تازه", itemgetter("count"), "number"),
            Column("سهم (درصد)", itemgetter("share"), "number"),
            Column("سرنخ‌های آن‌ها", itemgetter("leads"), "number"),
        ],
        rows=rows,
        chart=ChartSpec("bar", (("count", "مخاطبان تازه"),)),
    )


# نظرسنجی --------------------------------------------------------------------------------


def _surveys_in(filters: ReportFilters, viewer) -> QuerySet[SurveyResponse]:
    """The surveys of the period; with a kind, those about an invoice of that kind
    (goods or services) — a project's survey has no kind and is left out then."""
    responses = SurveyResponse.objects.visible_to(viewer).filter(
        date__gte=filters.start, date__lte=filters.end
    )
    if filters.kind:
        responses = responses.filter(invoice__kind=filters.kind)
    return narrow(responses, filters, person="owner", customer=("contact__",))


SURVEY_KIND_NOTE = "با انتخاب نوع، فقط نظرسنجی‌های فاکتورهای همان نوع شمرده شده‌اند (نه پروژه‌ها)."


def survey_question_report(filters: ReportFilters, viewer) -> ReportResult:
    """Per question, over the surveys of the period: how many answered it, the average
    score in its own range, and that average as 0–100."""
    responses = _surveys_in(filters, viewer)
    counted = (
        Answer.objects.filter(response__in=responses)
        .values(
            "question_id",
            "question__text",
            "question__min_score",
            "question__max_score",
            "question__questionnaire__name",
        )
        .annotate(count=Count("id"), average=Avg("score"))
        .order_by("question__questionnaire__name", "question__order", "question_id")
    )
    rows = []
    for row in counted:
        low, high = row["question__min_score"], row["question__max_score"]
        average = float(row["average"] or 0)
        rows.append(
            {
                "label": row["question__text"],
                "questionnaire": row["question__questionnaire__name"],
                "count": row["count"],
                "range": f"{low} تا {high}",
                "average": round(average, 2),
                "percent": round(100 * (average - low) / (high - low), 1),
            }
        )
    return ReportResult(
        columns=[
            Column("پرسش", itemgetter("label")),
            Column("پرسشنامه", itemgetter("questionnaire")),
            Column("پاسخ‌ها", itemgetter("count"), "number"),
            Column("بازه امتیاز", itemgetter("range")),
            Column("میانگین امتیاز", itemgetter("average"), "number"),
            Column("میانگین از ۱۰۰", itemgetter("percent"), "number"),
        ],
        rows=rows,
        chart=ChartSpec("bar", (("percent", "میانگین از ۱۰۰"),)),
        note=SURVEY_KIND_NOTE if filters.kind else "",
    )


def survey_customer_report(filters: ReportFilters, viewer) -> ReportResult:
    """Per customer surveyed in the period: survey calls and their average score, with
    the customer's proformas and invoices (all they may see, any date)."""
    surveyed = (
        _surveys_in(filters, viewer)
        .values("contact_id")
        .annotate(calls=Count("id"), average=Avg("score"))
        .order_by("-calls", "contact_id")[:CUSTOMER_ROWS]
    )
    ids = [row["contact_id"] for row in surveyed]

    def count_of(model, *conditions) -> dict[int, int]:
        documents = model.objects.visible_to(viewer).filter(*conditions, contact_id__in=ids)
        if filters.kind:
            documents = documents.filter(kind=filters.kind)
        return dict(
            documents.values("contact_id").annotate(n=Count("id")).values_list("contact_id", "n")
        )

    quotes = count_of(Quote)
    invoices = count_of(Invoice, Invoice.IN_FORCE)
    names = dict(Contact.objects.filter(pk__in=ids).values_list("pk", "name"))
    rows = [
        {
            "label": names.get(row["contact_id"], NONE_LABEL),
            "quotes": quotes.get(row["contact_id"], 0),
            "invoices": invoices.get(row["contact_id"], 0),
            "calls": row["calls"],
            "average": round(float(row["average"] or 0), 1),
        }
        for row in surveyed
    ]
    return ReportResult(
        columns=[
            Column("مشتری", itemgetter("label")),
            Column("پیش فاکتورها", itemgetter("quotes"), "number"),
            Column("فاکتورها", itemgetter("invoices"), "number"),
            Column("تماس‌های نظرسنجی", itemgetter("calls"), "number"),
            Column("میانگین امتیاز (از ۱۰۰)", itemgetter("average"), "number"),
        ],
        rows=rows,
        chart=ChartSpec("bar", (("average", "میانگین امتیاز (از ۱۰۰)"),)),
        note=SURVEY_KIND_NOTE if filters.kind else "",
    )


# The reports of proformas, invoices and their surveys also take goods or services.
KIND_FILTERS = ("user", "team", "category", "region", "kind")

REPORTS = [
    Report(
        "followups",
        "پیگیری‌ها",
        "پیگیری‌های ثبت‌شده بر اساس نتیجه، نوع ارتباط، درجه اهمیت، کاربر یا ماه.",
        "sales.view_followup",
        followup_report,
        groups=FOLLOWUP_GROUPS,
    ),
    Report(
        "leads",
        "فرصت‌های فروش",
        "سرنخ‌های تازه بر اساس وضعیت، مرحله، نحوه آشنایی یا مسئول، با مبلغ پیش‌بینی.",
        "sales.view_lead",
        lead_report,
        groups=LEAD_GROUPS,
    ),
    Report(
        "conversion",
        "تبدیل سرنخ به مشتری",
        "نرخ موفقیت سرنخ‌ها به تفکیک نحوه آشنایی.",
        "sales.view_lead",
        conversion_report,
    ),
    Report(
        "marketing",
        "عملکرد بازاریابی",
        "پیگیری‌ها، سرنخ‌های تازه و موفق در هر ماه.",
        "sales.view_lead",
        marketing_report,
    ),
    Report(
        "activity",
        "فعالیت کاربران با مشتریان",
        "پیگیری‌ها، تماس‌ها، پیام‌ها و وظایف هر کاربر.",
        "activities.view_task",
        activity_report,
    ),
    Report(
        "requests",
        "درخواست‌ها",
        "درخواست‌های هر انجام‌دهنده: باز، در انتظار تأیید، بایگانی، دیرکرد و میانگین زمان انجام.",
        "service.view_request",
        request_report,
    ),
    Report(
        "complaints",
        "شکایات",
        "شکایات هر مسئول کنترل: در حال پیگیری، بسته شده و میانگین زمان رسیدگی.",
        "service.view_complaint",
        complaint_report,
    ),
    Report(
        "customers",
        "مشتریان و خریدها",
        "تعداد و جمع ریالی پیش فاکتورها و فاکتورهای هر مشتری، فاکتورها به تفکیک کالا و خدمات.",
        "sales.view_invoice",
        customer_report,
        filters=KIND_FILTERS,
    ),
    Report(
        "contacts",
        "مخاطبان تازه",
        "مخاطبان ثبت‌شده بر اساس نحوه آشنایی، صنف، منطقه، وضعیت یا مالک.",
        "contacts.view_contact",
        contact_report,
        groups=CONTACT_GROUPS,
    ),
    Report(
        "tasks",
        "وظایف کاربران",
        "وظایف واگذارشده، انجام‌شده و عقب‌افتاده هر کاربر.",
        "activities.view_task",
        task_report,
    ),
    Report(
        "survey_questions",
        "امتیاز پرسش‌های نظرسنجی",
        "میانگین امتیاز هر پرسش در نظرسنجی‌های دوره.",
        "surveys.view_surveyresponse",
        survey_question_report,
        filters=KIND_FILTERS,
    ),
    Report(
        "survey_customers",
        "نظرسنجی مشتریان",
        "تماس‌های نظرسنجی و میانگین امتیاز هر مشتری، با تعداد پیش فاکتورها و فاکتورهایش.",
        "surveys.view_surveyresponse",
        survey_customer_report,
        filters=KIND_FILTERS,
    ),
    *MONEY_REPORTS,
]
REPORTS_BY_SLUG = {report.slug: report for report in REPORTS}


# The dashboards' charts: (report, group), in order; each shows when the reader may read
# the report. A rep's own dashboard runs them for the rep alone.
DASHBOARD = [
    ("followups", "result"),
    ("marketing", ""),
    ("leads", "status"),
    ("conversion", ""),
    ("activity", ""),
    ("requests", ""),
    ("complaints", ""),
    ("tasks", ""),
    ("survey_questions", ""),
]
