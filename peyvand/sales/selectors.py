"""Reads of sales (the lists are in sales.lists): the pipeline board, a lead's page and
«پیگیری‌های من»; visibility applied in each."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.utils import timezone

from peyvand.accounts.models import User
from peyvand.accounts.selectors import users_who_can
from peyvand.contacts.models import Contact
from peyvand.core.registry import HistoryItem
from peyvand.core.templatetags.peyvand import fa_money
from peyvand.sales.models import (
    FiscalYear,
    FollowUp,
    GoodsOrService,
    Invoice,
    Lead,
    Quote,
    current_fiscal_year,
)


def sales_users(current: int | None = None) -> QuerySet[User]:
    """Active users who work leads (their role lets them see leads), for the
    responsible and referral pickers; plus the one a record already names."""
    return users_who_can("sales.view_lead", current=[current])


def _tehran_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# The board shows this many cards per column (the newest); the list has the rest.
BOARD_COLUMN_SIZE = 50


def pipeline_board(*, user, responsible: int | None = None) -> list[tuple[str, str, list[Lead]]]:
    """The pipeline: open leads by stage, then the latest won and lost ones; each
    column one indexed query."""
    leads = Lead.objects.visible_to(user).select_related("contact", "responsible")
    if responsible:
        leads = leads.filter(responsible_id=responsible)
    columns = [
        (stage, label, leads.filter(status=Lead.Status.OPEN, stage=stage))
        for stage, label in Lead.Stage.choices
    ]
    columns += [
        (status, label, leads.filter(status=status))
        for status, label in Lead.Status.choices
        if status != Lead.Status.OPEN
    ]
    return [
        (key, label, list(rows.order_by("-created_at", "-id")[:BOARD_COLUMN_SIZE]))
        for key, label, rows in columns
    ]


_NAME = ("first_name", "last_name", "username")
# What a follow-up row shows (sales_tags.followup_items), and no more: three users and
# two lookups per row, fifty rows on a busy lead.
FOLLOWUP_ROW_FIELDS = (
    "id", "lead_id", "quote_id", "at", "person", "description", "next_at", "settled_at",
    "task_id", "result__name", "channel__name",
    *(f"{user}__{name}" for user in ("owner", "next_by", "referred_to") for name in _NAME),
)  # fmt: skip


def followups_of(subject, limit: int = 200) -> list[FollowUp]:
    """A lead's or a proforma's follow-ups, newest first, with what each row shows."""
    return list(
        subject.followups.select_related("owner", "channel", "result", "referred_to", "next_by")
        .only(*FOLLOWUP_ROW_FIELDS)
        .order_by("-at", "-id")[:limit]
    )


def due_followups(user) -> QuerySet[FollowUp]:
    """«پیگیری‌های من»: the user's pending follow-ups due today or earlier, by the
    result's priority, then the lead's importance, then the date (overdue first)."""
    tomorrow = _tehran_start(timezone.localdate() + datetime.timedelta(days=1))
    return (
        FollowUp.objects.filter(
            next_by=user, next_at__lt=tomorrow, next_at__isnull=False, settled_at__isnull=True
        )
        .select_related("lead__contact", "quote__contact", "complaint__contact", "result")
        .order_by("priority", F("lead__stars").desc(nulls_last=True), "next_at", "id")
    )


def my_followups(user, *, limit: int = 50) -> list[FollowUp]:
    """The top of «پیگیری‌های من» (the home page's panel). The ids first, sorted on the
    follow-ups and their leads' stars alone; then the rows with what they show: joining
    every due row's customer before the sort cost more than a second query (a rep with
    400 due follow-ups: 12 → 4 ms)."""
    ids = list(due_followups(user).select_related(None).values_list("pk", flat=True)[:limit])
    rows = due_followups(user).order_by().in_bulk(ids)
    return [rows[pk] for pk in ids]


@dataclass
class CustomerSummary:
    quotes: int
    quotes_total: int  # rials, cancelled ones left out
    quotes_open: int  # draft or sent
    invoices: int
    invoices_total: int
    last_invoice: Invoice | None  # the last purchase
    open_leads: int


def customer_summary(user, contact: Contact) -> CustomerSummary:
    """A customer's sales at a glance (Sama's customer card), over the proformas,
    invoices and leads this user may see: three indexed queries."""
    quotes = (
        Quote.objects.visible_to(user)
        .filter(contact=contact)
        .aggregate(
            count=Count("id"),
            total=Sum("total", filter=~Q(status=Quote.Status.CANCELLED)),
            open=Count("id", filter=Q(status__in=Quote.IN_PLAY)),
        )
    )
    invoices = list(
        Invoice.objects.visible_to(user)
        .filter(Invoice.IN_FORCE, contact=contact)
        .annotate(count=Window(Count("id")), sum=Window(Sum("total")))
        .only("pk", "number", "date", "total", "money_unit")
        .order_by("-date", "-id")[:1]
    )
    last = invoices[0] if invoices else None
    open_leads = Lead.objects.visible_to(user).filter(contact=contact, status=Lead.Status.OPEN)
    return CustomerSummary(
        quotes=quotes["count"],
        quotes_total=quotes["total"] or 0,
        quotes_open=quotes["open"],
        invoices=last.count if last else 0,
        invoices_total=last.sum if last else 0,
        last_invoice=last,
        open_leads=open_leads.count(),
    )


def fiscal_years() -> list[int]:
    """The years to pick in the lists' «سال مالی» filter, newest first: the opened ones,
    this year and the last."""
    current = current_fiscal_year()
    opened = FiscalYear.objects.values_list("year", flat=True)
    return sorted({current, current - 1, *opened}, reverse=True)


@dataclass
class FiscalYearOpening:
    year: int  # the year that can be opened now, or None when it is already open
    quotes: int  # what the opening would carry into it
    leads: int


def fiscal_year_opening() -> FiscalYearOpening | None:
    year = current_fiscal_year()
    if FiscalYear.objects.filter(year__gte=year).exists():
        return None
    quotes, leads = carried_into(year)
    return FiscalYearOpening(year=year, quotes=quotes.count(), leads=leads.count())


def carried_into(year: int) -> tuple[QuerySet[Quote], QuerySet[Lead]]:
    """What the opening of ``year`` carries into it: the proformas in play and the open
    leads of earlier years (the preview counts them, the opening moves them)."""
    quotes = Quote.objects.filter(fiscal_year__lt=year, status__in=Quote.IN_PLAY)
    leads = Lead.objects.filter(fiscal_year__lt=year, status=Lead.Status.OPEN)
    return quotes, leads


# A customer's history (سابقه طرف حساب) ------------------------------------------------


def lead_history(user, contact: Contact, limit: int) -> list[HistoryItem]:
    leads = Lead.objects.visible_to(user).filter(contact=contact).order_by("-created_at", "-id")
    return [
        HistoryItem(lead, lead.title, lead.created_at, lead.get_status_display(), lead.is_open)
        for lead in leads[:limit]
    ]


def quote_history(user, contact: Contact, limit: int) -> list[HistoryItem]:
    quotes = Quote.objects.visible_to(user).filter(contact=contact).order_by("-date", "-id")
    return [
        HistoryItem(
            quote,
            f"پیش فاکتور {quote.number} — {fa_money(quote.total, quote.money_unit)}",
            quote.date,
            quote.get_status_display(),
            quote.status in Quote.IN_PLAY,
        )
        for quote in quotes[:limit]
    ]


def invoice_history(user, contact: Contact, limit: int) -> list[HistoryItem]:
    invoices = Invoice.objects.visible_to(user).filter(contact=contact).order_by("-date", "-id")
    return [
        HistoryItem(
            invoice,
            f"فاکتور {invoice.number} — {fa_money(invoice.total, invoice.money_unit)}",
            invoice.date,
            "صادر شده",
            False,
        )
        for invoice in invoices[:limit]
    ]


# «مشتریان خدمات» ----------------------------------------------------------------------

# What a row of «مشتریان خدمات» shows of the customer.
SERVICE_CUSTOMER_FIELDS = (
    "id", "name", "code", "mobile", "created_at", "owner__first_name", "owner__last_name",
    "owner__username",
)  # fmt: skip


def service_customers(user) -> QuerySet[Contact]:
    """«مشتریان خدمات»: the customers the user sees (the contact list's rule) who bought
    services — an invoice of kind service the user sees — newest customers first, as
    the contact list; each with the count and sum of those invoices and the last one's
    date. The walk goes down the contacts' ``contact_recent`` index and asks each, in the
    ``invoice_service_contact`` partial index, whether it bought a service: no COUNT, no
    aggregate over every invoice; the figures are computed for the page's rows only."""
    bought = (
        Invoice.objects.visible_to(user)
        .filter(Invoice.IN_FORCE, kind=GoodsOrService.SERVICE, contact=OuterRef("pk"))
        .order_by()
        .values("contact")
    )

    def per_customer(aggregate) -> Subquery:
        return Subquery(bought.annotate(value=aggregate).values("value"))

    return (
        Contact.objects.visible_to(user)
        .filter(Exists(bought))
        .select_related("owner")
        .only(*SERVICE_CUSTOMER_FIELDS)
        .annotate(
            service_invoices=per_customer(Count("id")),
            service_total=per_customer(Sum("total")),
            last_service=per_customer(Max("date")),
        )
        .order_by("-created_at", "-id")
    )
