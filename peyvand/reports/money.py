"""The money reports (issue 23): receivables aging, cheques due and bounced, collections,
and invoiced/collected/open per customer grade and per rep; and the dashboard's money
cards.

A money report counts the customers its reader sees (``Contact.objects.visible_to``):
their account lines, cheques and receipts, whoever recorded them — a rep sees their
team's customers, managers and «مالی» (see all) every customer. Everything is summed in
the database (GROUP BY); only the few grouped rows come back to Python."""

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.urls import reverse

from peyvand.accounts.models import Team
from peyvand.contacts.models import Category, Contact, Region
from peyvand.core.databases import reading_reports
from peyvand.core.dates import user_calendar
from peyvand.core.exports import Column
from peyvand.core.periods import period_range, week_range
from peyvand.finance.models import Account, Cheque, ChequeEvent, Entry, Method, Receipt
from peyvand.lookups.models import Grade
from peyvand.reports.base import (
    NONE_LABEL,
    ChartSpec,
    Report,
    ReportResult,
    by_month,
    user_names,
)
from peyvand.reports.forms import ReportFilters
from peyvand.reports.periods import month_label, months_of
from peyvand.sales.models import GoodsOrService, Invoice

PERMISSION = "finance.view_account"
# A page (and its PDF) shows this many customers or cheques; the Excel export all.
CUSTOMER_ROWS = 200
CHEQUE_ROWS = 500
TOTAL_LABEL = "جمع کل"
MONEY = BigIntegerField()


def cell(key: str):
    """A column's value; total rows leave the cells they have no value for empty."""
    return lambda row: row.get(key)


def _prefixed(condition: Q, prefix: str) -> Q:
    """A condition on a contact, as one on a row whose contact is reached by ``prefix``."""
    children = [
        _prefixed(child, prefix) if isinstance(child, Q) else (f"{prefix}{child[0]}", child[1])
        for child in condition.children
    ]
    return Q(*children, _connector=condition.connector, _negated=condition.negated)


def customer_scope(
    filters: ReportFilters | None, viewer, prefix: str = "contact__", *, owner=None
) -> Q:
    """The rows whose customer (reached by ``prefix``) the viewer sees, narrowed by the
    filters (user, team and ``owner``: the customer's owner, their rep; category and
    region: the customer's subtrees).

    ``Contact.objects.visible_to``'s rule, as a condition on the joined customer rather
    than ``contact_id IN (SELECT …)``: a GROUP BY over the customer's rep or grade joins
    the customer anyway, and the IN beside it made PostgreSQL read every contact twice.
    Whoever sees every customer, with nothing narrowed, only loses the customers in the
    trash (a few, through its partial index) and the contacts are not read at all."""
    if not viewer.is_authenticated or not viewer.is_active:
        return Q(pk__in=[])
    visibility = Contact.objects.visibility(viewer)
    narrowing = Q()
    if filters is not None:
        for lookup, value in (
            ("owner", filters.user),
            ("owner_id__in", filters.team_members),
            ("category_id__in", filters.categories),
            ("region_id__in", filters.regions),
        ):
            if value is not None:
                narrowing &= Q(**{f"{prefix}{lookup}": value})
    if owner is not None:
        narrowing &= Q(**{f"{prefix}owner": owner})
    if visibility is None and not narrowing:
        trash = Contact.all_objects.filter(deleted_at__isnull=False).values("pk")
        return ~Q(**{f"{prefix}in": trash})
    condition = Q(**{f"{prefix}deleted_at__isnull": True}) & narrowing
    if visibility is not None:
        condition &= _prefixed(visibility, prefix)
    return condition


def _sum_rows(rows: list[dict], keys: tuple[str, ...], **fields) -> dict:
    return {**fields, **{key: sum(row.get(key) or 0 for row in rows) for key in keys}}


def _ranked(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda row: (-row["total"], row["label"]))


# گزارش سنی مطالبات -------------------------------------------------------------------------

AGING_GROUPS = {
    "customer": "مشتری",
    "user": "کارشناس",
    "team": "تیم",
    "grade": "درجه مشتری",
    "region": "منطقه اصلی",
    "category": "صنف",
}
BUCKETS = (
    ("not_due", "سررسید نشده"),
    ("d30", "۰ تا ۳۰ روز"),
    ("d60", "۳۱ تا ۶۰ روز"),
    ("d90", "۶۱ تا ۹۰ روز"),
    ("older", "بیش از ۹۰ روز"),
)
AGING_KEYS = (*(key for key, _label in BUCKETS), "credits", "total")


OPEN = Q(debit__gt=F("allocated")) | Q(credit__gt=F("allocated"))


def open_items(scope: Q) -> QuerySet[Entry]:
    """The open account lines of the customers in ``scope``: debits not wholly settled
    and credits not wholly allocated — the rows of the two partial indexes
    (entry_open_debit, entry_open_credit), never the settled history."""
    return Entry.objects.filter(OPEN, scope)


def aging_sums(today: datetime.date) -> dict:
    """Aggregates of open lines: each debit's open part (debit − allocated) in the
    bucket of its days past due (``due_date`` against ``today``; due today is 0 days),
    unallocated credits as a negative «بستانکاری», and the total — which, summed over a
    customer, is their balance (finance.models' docstring)."""
    days = datetime.timedelta
    open_debit = F("debit") - F("allocated")

    def bucket(**due) -> Sum:
        return Sum(
            Case(When(debit__gt=0, **due, then=open_debit), default=Value(0)), output_field=MONEY
        )

    return {
        "not_due": bucket(due_date__gt=today),
        "d30": bucket(due_date__lte=today, due_date__gte=today - days(30)),
        "d60": bucket(due_date__lt=today - days(30), due_date__gte=today - days(60)),
        "d90": bucket(due_date__lt=today - days(60), due_date__gte=today - days(90)),
        "older": bucket(due_date__lt=today - days(90)),
        "credits": Sum(
            Case(When(credit__gt=0, then=F("allocated") - F("credit")), default=Value(0)),
            output_field=MONEY,
        ),
        "total": Sum(
            Case(When(debit__gt=0, then=open_debit), default=F("allocated") - F("credit")),
            output_field=MONEY,
        ),
    }


def _aging_row(label: str, sums: dict, **extra) -> dict:
    return {"label": label, **{key: sums.get(key) or 0 for key in AGING_KEYS}, **extra}


def _fold(rows: list[dict], target) -> list[dict]:
    """Grouped rows merged by ``target(row)`` → label (a rep's team, a region's province)."""
    merged: dict[str, dict] = {}
    for row in rows:
        label = target(row)
        into = merged.setdefault(label, _aging_row(label, {}))
        for key in AGING_KEYS:
            into[key] += row[key]
    return list(merged.values())


def _first_teams() -> dict[int, str]:
    """Each user's team for the report: the first active one by name (a rep in two teams
    counts once, so the teams' rows add up to the customers' balances)."""
    teams: dict[int, str] = {}
    memberships = Team.members.through.objects.filter(team__is_active=True)
    for user_id, name in memberships.order_by("team__name").values_list("user_id", "team__name"):
        teams.setdefault(user_id, name)
    return teams


def _top_regions() -> dict[int, str]:
    """Each region's top-level name (its province): a path starts with the top's id."""
    regions = list(Region.objects.values_list("pk", "path", "name"))
    names = {pk: name for pk, _path, name in regions}
    return {
        pk: names.get(int(path.split("/")[0]), name) if path else name for pk, path, name in regions
    }


def _aging_by_customer(filters: ReportFilters, scope: Q, sums: dict):
    """The biggest balances first, from the kept accounts (their balance index) rather
    than by grouping every open line to sort the groups: the lines are then summed for
    the customers on the page only, and once, ungrouped, for the total row. The aging
    total of a customer is their balance, so the order is the aging's."""
    limit = CUSTOMER_ROWS if filters.limit_rows else None
    has_open_lines = Exists(Entry.objects.filter(OPEN, contact_id=OuterRef("contact_id")))
    accounts = (
        Account.objects.filter(scope)
        # In debt or in credit; or even, with lines still to match (a receipt kept apart).
        .filter(~Q(debit=F("credit")) | has_open_lines)
        .order_by((F("debit") - F("credit")).desc(), "contact_id")
        .values_list("contact_id", "contact__code", "contact__name")
    )
    ranked = list(accounts[: limit + 1] if limit else accounts)
    others = limit is not None and len(ranked) > limit
    ranked = ranked[:limit]
    lines = open_items(scope)
    if limit is not None:
        lines = lines.filter(contact_id__in=[pk for pk, _code, _name in ranked])
    grouped = lines.values("contact_id").annotate(**sums).order_by()
    aged = {row["contact_id"]: row for row in grouped}
    rows = [_aging_row(name, aged.get(pk, {}), code=code) for pk, code, name in ranked]
    everything = open_items(scope).aggregate(**sums)
    total = _aging_row(TOTAL_LABEL, everything, in_chart=False)
    footer = [total]
    if others:
        # The customers past the page, summed, so the table still adds up to the total.
        shown = _sum_rows(rows, AGING_KEYS)
        rest = {key: total[key] - shown[key] for key in AGING_KEYS}
        footer.insert(0, _aging_row("سایر مشتریان", rest, in_chart=False))
    return rows, footer, others


def aging_report(filters: ReportFilters, viewer) -> ReportResult:
    """Receivables aging as of today: per customer (the biggest balances first), or per
    rep, team, grade, top-level region or category of the customer."""
    group = filters.group
    scope = customer_scope(filters, viewer)
    sums = aging_sums(filters.today)
    notes = [
        "سن هر بدهی از سررسید آن تا امروز شمرده می‌شود. بستانکاری: دریافت‌ها و "
        "پیش‌دریافت‌هایی که هنوز با بدهی‌ای تسویه نشده‌اند. جمع هر مشتری همان مانده "
        "حساب اوست."
    ]
    columns = [Column(AGING_GROUPS[group], cell("label"))]
    if group == "customer":
        rows, footer, others = _aging_by_customer(filters, scope, sums)
        columns.append(Column("کد مشتری", cell("code")))
        if others:
            notes.append(
                f"{CUSTOMER_ROWS} مشتری با بیشترین مانده نشان داده شده‌اند؛ بقیه در ردیف "
                "«سایر مشتریان» جمع شده‌اند و خروجی اکسل همه را دارد."
            )
    else:
        key = {
            "user": "contact__owner_id",
            "team": "contact__owner_id",
            "grade": "contact__grade_id",
            "region": "contact__region_id",
            "category": "contact__category_id",
        }[group]
        counted = list(
            open_items(scope)
            .values(key)
            # No count of customers per group: COUNT(DISTINCT) makes PostgreSQL sort every
            # open line instead of hashing them (+40% at a million lines).
            .annotate(**sums)
            .order_by()
        )
        if group == "user":
            labels = user_names(row[key] for row in counted)
        elif group == "team":
            labels = _first_teams()
            notes.append("کارشناسی که عضو چند تیم است در نخستین تیمش (به ترتیب نام) آمده است.")
        elif group == "grade":
            labels = dict(Grade.objects.values_list("pk", "name"))
        elif group == "region":
            labels = _top_regions()
        else:
            labels = dict(Category.objects.values_list("pk", "name"))
        empty = "بدون تیم" if group == "team" else NONE_LABEL
        rows = _ranked(_fold(counted, lambda row: labels.get(row[key]) or empty))
        footer = [_sum_rows(rows, AGING_KEYS, label=TOTAL_LABEL, in_chart=False)]
    columns += [Column(label, cell(key), "number") for key, label in BUCKETS]
    columns += [
        Column("بستانکاری", cell("credits"), "number"),
        Column("مانده (ریال)", cell("total"), "number"),
    ]
    return ReportResult(
        columns=columns,
        rows=rows,
        chart=ChartSpec("bar", BUCKETS, stacked=True),
        footer=footer,
        note=" ".join(notes),
    )


# چک‌ها ------------------------------------------------------------------------------------

STATUS_LABELS = dict(Cheque.Status.choices)


def _limited(queryset: QuerySet, filters: ReportFilters, limit: int) -> tuple[list, bool]:
    """The first ``limit`` rows for a page (and whether there were more); all for Excel."""
    if not filters.limit_rows:
        return list(queryset), False
    found = list(queryset[: limit + 1])
    return found[:limit], len(found) > limit


def _status_footer(counted, noun: str, key: str = "status") -> list[dict]:
    """Totals per cheque status (in the life cycle's order) and the grand total; the
    text, with the count, sits in the status column."""
    by_status = {row[key]: row for row in counted}
    footer = []
    for status, name in Cheque.Status.choices:
        if status in by_status:
            count, amount = by_status[status]["count"], by_status[status]["amount"] or 0
            footer.append(
                {"label": str(name), "status": f"جمع {name} ({count} {noun})", "amount": amount}
            )
    count = sum(row["count"] for row in counted)
    amount = sum(row["amount"] or 0 for row in counted)
    footer.append(
        {"label": TOTAL_LABEL, "status": f"{TOTAL_LABEL} ({count} {noun})", "amount": amount,
         "in_chart": False}
    )  # fmt: skip
    return footer


def _cheque_cells(cheque: Cheque) -> dict:
    bank = f"{cheque.bank} {cheque.branch}".strip()
    return {
        "label": cheque.sayad_id,
        "due_date": cheque.due_date,
        "sayad_id": cheque.sayad_id,
        "customer": cheque.contact.name,
        "bank": bank,
        "status": STATUS_LABELS.get(cheque.status, cheque.status),
        "amount": cheque.amount,
    }


def cheques_of(filters: ReportFilters, viewer) -> QuerySet[Cheque]:
    return Cheque.objects.filter(customer_scope(filters, viewer))


def cheques_due_report(filters: ReportFilters, viewer) -> ReportResult:
    """The customers' cheques due in the period, by due date, whatever their state now,
    with the totals per state."""
    cheques = cheques_of(filters, viewer).filter(
        due_date__gte=filters.start, due_date__lte=filters.end
    )
    found, more = _limited(
        cheques.select_related("contact").order_by("due_date", "id"), filters, CHEQUE_ROWS
    )
    counted = list(
        cheques.values("status").annotate(count=Count("id"), amount=Sum("amount")).order_by()
    )
    return ReportResult(
        columns=[
            Column("سررسید", cell("due_date"), "date"),
            Column("شناسه صیادی", cell("sayad_id")),
            Column("مشتری", cell("customer")),
            Column("بانک", cell("bank")),
            Column("وضعیت", cell("status")),
            Column("مبلغ (ریال)", cell("amount"), "number"),
        ],
        rows=[_cheque_cells(cheque) for cheque in found],
        chart=ChartSpec("doughnut", (("amount", "مبلغ (ریال)"),), from_footer=True),
        footer=_status_footer(counted, "چک"),
        note=(
            f"{CHEQUE_ROWS} چک نخست نشان داده شده‌اند؛ جمع‌ها همه چک‌های دوره را می‌شمارند و "
            "خروجی اکسل همه را دارد."
            if more
            else ""
        ),
    )


def bounced_cheques_report(filters: ReportFilters, viewer) -> ReportResult:
    """The cheques that bounced in the period (by the bounce's date in the cheque's
    history; one that bounced twice, twice), with the reason and where each is now."""
    bounces = ChequeEvent.objects.filter(
        customer_scope(filters, viewer, "cheque__contact__"),
        status=Cheque.Status.BOUNCED,
        date__gte=filters.start,
        date__lte=filters.end,
        cheque__deleted_at__isnull=True,
    )
    found, more = _limited(
        bounces.select_related("cheque__contact").order_by("date", "id"), filters, CHEQUE_ROWS
    )
    rows = []
    for event in found:
        row = _cheque_cells(event.cheque)
        row.update(date=event.date, reason=event.note)
        rows.append(row)
    counted = list(
        bounces.values(now=F("cheque__status"))
        .annotate(count=Count("id"), amount=Sum("cheque__amount"))
        .order_by()
    )
    return ReportResult(
        columns=[
            Column("تاریخ برگشت", cell("date"), "date"),
            Column("سررسید", cell("due_date"), "date"),
            Column("شناسه صیادی", cell("sayad_id")),
            Column("مشتری", cell("customer")),
            Column("بانک", cell("bank")),
            Column("علت برگشت", cell("reason")),
            Column("وضعیت کنونی", cell("status")),
            Column("مبلغ (ریال)", cell("amount"), "number"),
        ],
        rows=rows,
        chart=ChartSpec("bar", (("amount", "مبلغ (ریال)"),), from_footer=True),
        footer=_status_footer(counted, "برگشت", key="now"),
        note=(
            f"{CHEQUE_ROWS} برگشت نخست نشان داده شده‌اند؛ جمع‌ها همه را می‌شمارند و خروجی "
            "اکسل همه را دارد."
            if more
            else ""
        ),
    )


# وصول -------------------------------------------------------------------------------------


def collected(scope: Callable[[str], Q], start: datetime.date, end: datetime.date, *keys):
    """Cleared money from the customers in ``scope`` (a condition for a prefix that
    reaches the customer) between two days, summed per ``keys`` (fields of the customer,
    or "day"): receipts other than cheques by their date, cheques by the day they
    cleared (their history). Two grouped queries; a list of (row, kind) with the row
    holding the keys and the amount, kind "other" or "cheque"."""
    receipts = Receipt.objects.filter(
        scope("contact__"), direction=Receipt.Direction.IN, date__gte=start, date__lte=end
    ).exclude(method=Method.CHEQUE)
    cleared = ChequeEvent.objects.filter(
        scope("cheque__contact__"),
        status=Cheque.Status.CLEARED,
        date__gte=start,
        date__lte=end,
        cheque__deleted_at__isnull=True,
    )
    found = []
    for queryset, customer, amount, kind in (
        (receipts, "contact__", "amount", "other"),
        (cleared, "cheque__contact__", "cheque__amount", "cheque"),
    ):
        if not keys:
            found.append((queryset.aggregate(amount=Sum(amount)), kind))
            continue
        # Aliased apart from the models' own fields (a receipt has its own owner).
        fields = {f"by_{key}": F("date" if key == "day" else f"{customer}{key}") for key in keys}
        for row in queryset.values(**fields).annotate(amount=Sum(amount)).order_by():
            found.append(
                ({key: row[f"by_{key}"] for key in keys} | {"amount": row["amount"]}, kind)
            )
    return found


COLLECTION_GROUPS = {"user": "کارشناس", "month": "ماه"}


def collections_report(filters: ReportFilters, viewer) -> ReportResult:
    """Money collected (وصول) in the period: per rep with a column per month (the reader's
    calendar), or per month split into cheques cleared and the rest."""

    def scope(prefix: str) -> Q:
        return customer_scope(filters, viewer, prefix)

    months = months_of(filters.start, filters.end, filters.calendar)
    total_column = Column("جمع وصول (ریال)", cell("total"), "number")
    if filters.group == "month":
        per_kind: dict[str, dict] = {"other": defaultdict(int), "cheque": defaultdict(int)}
        for row, kind in collected(scope, filters.start, filters.end, "day"):
            per_kind[kind][row["day"]] += row["amount"] or 0
        other, cheque = by_month(filters, per_kind["other"]), by_month(filters, per_kind["cheque"])
        rows = [
            {
                "label": month_label(*month, filters.calendar),
                "other": other[month],
                "cheque": cheque[month],
                "total": other[month] + cheque[month],
            }
            for month in months
        ]
        series = (("other", "نقد و انتقال بانکی"), ("cheque", "چک‌های وصول‌شده"))
        columns = [Column("ماه", cell("label"))]
        columns += [Column(f"{label} (ریال)", cell(key), "number") for key, label in series]
        return ReportResult(
            columns=[*columns, total_column],
            rows=rows,
            chart=ChartSpec("bar", series, stacked=True),
            chart_rows=len(rows),
            footer=[_sum_rows(rows, ("other", "cheque", "total"), label=TOTAL_LABEL)],
        )
    per_owner: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for row, _kind in collected(scope, filters.start, filters.end, "owner_id", "day"):
        per_owner[row["owner_id"]][row["day"]] += row["amount"] or 0
    names = user_names(per_owner)
    keys = [f"m{year}_{month}" for year, month in months]
    rows = []
    for owner, days in per_owner.items():
        amounts = by_month(filters, days)
        row = {"label": names.get(owner, NONE_LABEL)}
        row.update({key: amounts[month] for key, month in zip(keys, months, strict=True)})
        row["total"] = sum(amounts.values())
        rows.append(row)
    rows = _ranked(rows)
    columns = [Column("کارشناس", cell("label"))]
    columns += [
        Column(month_label(*month, filters.calendar), cell(key), "number")
        for key, month in zip(keys, months, strict=True)
    ]
    return ReportResult(
        columns=[*columns, total_column],
        rows=rows,
        chart=ChartSpec("bar", (("total", "جمع وصول (ریال)"),)),
        footer=[_sum_rows(rows, (*keys, "total"), label=TOTAL_LABEL)],
    )


# فروش، وصول و مانده به تفکیک درجه و کارشناس ----------------------------------------------

TOTALS_GROUPS = {"grade": "درجه مشتری", "user": "کارشناس"}


def money_totals_report(filters: ReportFilters, viewer) -> ReportResult:
    """Per customer grade (the price-list group) or rep: invoices of the period (count
    and sum, and the sums of goods and of services), money collected in the period, and
    the customers' balances today. Money is the customer's, not a kind's: collected and
    balance are not split."""

    def scope(prefix: str = "contact__") -> Q:
        return customer_scope(filters, viewer, prefix)

    field_name = "grade_id" if filters.group == "grade" else "owner_id"
    figures: dict[int | None, dict] = defaultdict(
        lambda: dict.fromkeys(
            ("invoices", "invoiced", "goods", "service", "collected", "balance"), 0
        )
    )
    invoices = (
        Invoice.objects.filter(
            scope(), Invoice.IN_FORCE, date__gte=filters.start, date__lte=filters.end
        )
        .values(key=F(f"contact__{field_name}"))
        .annotate(
            count=Count("id"),
            invoiced=Sum("total"),
            goods=Sum("total", filter=Q(kind=GoodsOrService.GOODS)),
            service=Sum("total", filter=Q(kind=GoodsOrService.SERVICE)),
        )
        .order_by()
    )
    for row in invoices:
        figures[row["key"]]["invoices"] = row["count"]
        figures[row["key"]]["invoiced"] = row["invoiced"] or 0
        figures[row["key"]]["goods"] = row["goods"] or 0
        figures[row["key"]]["service"] = row["service"] or 0
    for row, _kind in collected(scope, filters.start, filters.end, field_name):
        figures[row[field_name]]["collected"] += row["amount"] or 0
    balances = (
        Account.objects.filter(scope())
        .values(key=F(f"contact__{field_name}"))
        .annotate(balance=Sum(F("debit") - F("credit"), output_field=MONEY))
        .order_by()
    )
    for row in balances:
        figures[row["key"]]["balance"] = row["balance"] or 0
    if field_name == "grade_id":
        labels = dict(
            Grade.objects.filter(pk__in=[k for k in figures if k]).values_list("pk", "name")
        )
    else:
        labels = user_names(figures)
    rows = [
        {"label": labels.get(key) or NONE_LABEL, **values}
        for key, values in figures.items()
        if any(values.values())
    ]
    rows.sort(key=lambda row: (-row["invoiced"], -row["balance"], row["label"]))
    keys = ("invoices", "invoiced", "goods", "service", "collected", "balance")
    series = (
        ("invoiced", "جمع فاکتورها (ریال)"),
        ("collected", "وصول‌شده (ریال)"),
        ("balance", "مانده حساب امروز (ریال)"),
    )
    return ReportResult(
        columns=[
            Column(TOTALS_GROUPS[filters.group], cell("label")),
            Column("فاکتورها", cell("invoices"), "number"),
            Column("جمع فاکتورها (ریال)", cell("invoiced"), "number"),
            Column("فاکتورهای کالا (ریال)", cell("goods"), "number"),
            Column("فاکتورهای خدمات (ریال)", cell("service"), "number"),
            *(Column(label, cell(key), "number") for key, label in series[1:]),
        ],
        rows=rows,
        chart=ChartSpec("bar", series),
        footer=[_sum_rows(rows, keys, label=TOTAL_LABEL)],
        note="فاکتورها و وصول در دوره گزارش؛ مانده، مانده امروز حساب همین مشتریان است.",
    )


MONEY_REPORTS = [
    Report(
        "aging",
        "گزارش سنی مطالبات",
        "مانده بدهی مشتریان تا امروز به تفکیک روزهای گذشته از سررسید، بر اساس مشتری، "
        "کارشناس مشتری (مالک آن)، تیم، درجه، منطقه اصلی یا صنف.",
        PERMISSION,
        aging_report,
        groups=AGING_GROUPS,
        period=False,
    ),
    Report(
        "cheques_due",
        "چک‌های دریافتی بر اساس سررسید",
        "چک‌های مشتریان که سررسیدشان در دوره است، با وضعیت، بانک و جمع هر وضعیت.",
        PERMISSION,
        cheques_due_report,
    ),
    Report(
        "cheques_bounced",
        "چک‌های برگشتی",
        "چک‌هایی که در دوره برگشت خوردند، با علت برگشت و وضعیت کنونی.",
        PERMISSION,
        bounced_cheques_report,
    ),
    Report(
        "collections",
        "وصول مطالبات",
        "پول وصول‌شده از مشتریان در هر ماه، به تفکیک کارشناس مشتری (مالک آن): دریافت‌های "
        "غیرچکی به تاریخ دریافت و چک‌ها به تاریخ وصول.",
        PERMISSION,
        collections_report,
        groups=COLLECTION_GROUPS,
    ),
    Report(
        "money_totals",
        "فروش، وصول و مانده",
        "جمع فاکتورها (کالا و خدمات جدا)، وصول و مانده حساب مشتریان به تفکیک درجه مشتری یا "
        "کارشناس مشتری (مالک آن).",
        PERMISSION,
        money_totals_report,
        groups=TOTALS_GROUPS,
    ),
]


# The dashboard's money cards ---------------------------------------------------------------


@dataclass
class MoneyCard:
    title: str
    amount: int
    detail: str
    url: str
    count: int = 0
    noun: str = ""  # what ``count`` counts; none: no count shown
    tone: str = "primary"


def money_cards(viewer, *, today: datetime.date, mine: bool = False) -> list[MoneyCard]:
    """What a reader of money wants at a glance, over the customers they see (their own
    with ``mine``): receivables, cheques in hand due this week (Saturday to Friday),
    money collected this month (of the reader's calendar), invoices past their due date."""
    with reading_reports():
        return _money_cards(viewer, today=today, mine=mine)


def _money_cards(viewer, *, today: datetime.date, mine: bool) -> list[MoneyCard]:
    def scope(prefix: str = "contact__") -> Q:
        return customer_scope(None, viewer, prefix, owner=viewer if mine else None)

    receivable = (
        Account.objects.filter(scope(), debit__gt=F("credit"))
        .aggregate(amount=Sum(F("debit") - F("credit"), output_field=MONEY), count=Count("pk"))
    )  # fmt: skip
    week_start, week_end = week_range(today)
    due = Cheque.objects.filter(
        scope(),
        status__in=Cheque.IN_HAND,
        due_date__gte=week_start,
        due_date__lte=week_end,
    ).aggregate(amount=Sum("amount"), count=Count("id"))
    month_start, month_end = period_range("this_month", today, user_calendar())
    month = sum(row["amount"] or 0 for row, _kind in collected(scope, month_start, month_end))
    overdue = (
        Invoice.objects.filter(scope(), paid__lt=F("total"))
        .filter(Q(due_date__lt=today) | Q(due_date__isnull=True, date__lt=today))
        .aggregate(amount=Sum(F("total") - F("paid"), output_field=MONEY), count=Count("id"))
    )
    aging = reverse("reports:show", args=["aging"])
    return [
        MoneyCard(
            "مطالبات از مشتریان",
            receivable["amount"] or 0,
            "جمع مانده‌های بدهکار",
            aging,
            receivable["count"],
            "مشتری",
        ),
        MoneyCard(
            "چک‌های سررسید این هفته",
            due["amount"] or 0,
            "در دست وصول، شنبه تا جمعه",
            f"{reverse('finance:cheque_list')}?due_period=this_week",
            due["count"],
            "چک",
            "warning",
        ),
        MoneyCard(
            "وصول این ماه",
            month,
            "پول وصول‌شده در ماه جاری",
            f"{reverse('reports:show', args=['collections'])}?period=this_month&group=month",
            tone="success",
        ),
        MoneyCard(
            "فاکتورهای سررسید گذشته",
            overdue["amount"] or 0,
            "مانده پرداخت‌نشده",
            aging,
            overdue["count"],
            "فاکتور",
            "danger",
        ),
    ]
