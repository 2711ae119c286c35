"""The proforma and invoice lists, declared once (core.lists): the pages, their Excel,
CSV and PDF exports and the API's list operations read the same rows through these."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from peyvand.contacts.lists import CUSTOMER_SHOWN, customer_condition, customer_filter
from peyvand.core.display import localize_digits
from peyvand.core.lists import (
    FUTURE,
    PAST,
    AmountRange,
    Choice,
    Column,
    DateRange,
    ListReading,
    ListSpec,
    Person,
    Search,
    Sort,
    cells,
)
from peyvand.core.text import to_latin_digits
from peyvand.sales.models import GoodsOrService, Invoice, InvoiceSubject, Quote
from peyvand.sales.selectors import fiscal_years, users_who_can

# What the invoice list's «پرداخت» filter offers.
PAYMENT_FILTERS = {
    "unpaid": _("پرداخت‌نشده"),
    "overdue": _("سررسید گذشته"),
    "paid": _("پرداخت‌شده"),
}


def document_search(text: str, reading) -> Q:
    """A number (or part of one: «۱۲» finds 1405/00012) or the customer's name, company
    or phone."""
    number = Q(number__contains=to_latin_digits(text))
    customers = customer_condition(text)
    return number | customers if customers is not None else number


def _common_filters(who: str, state) -> list:
    """What both lists filter by, the document's own state (``state``) second: the
    first four are in sight, the rest fold under «فیلترهای بیشتر»."""
    return [
        Search(
            condition=document_search,
            placeholder=_("شماره، نام یا تلفن مشتری"),
            shown=((_("شماره"), lambda row: row.number), *CUSTOMER_SHOWN),
        ),
        state,
        DateRange(name="date", label=_("تاریخ"), field="date", presets=PAST),
        customer_filter(),
        Person(
            name="owner",
            label=_("صادرکننده"),
            field="owner",
            people=lambda reading: list(users_who_can(who, current=[])),
        ),
        Choice(name="kind", label=_("کالا / خدمات"), field="kind", choices=GoodsOrService.choices),
        AmountRange(name="amount", label=_("مبلغ کل"), field="total"),
        Choice(
            name="year",
            label=_("سال مالی"),
            field="fiscal_year",
            choices=lambda: [(str(year), localize_digits(str(year))) for year in fiscal_years()],
        ),
    ]


def _payment(value: str, reading) -> Q:
    return Invoice.payment_condition(value, reading.today)


def _documents(model):
    return lambda user: model.objects.visible_to(user).select_related("contact", "owner")


# The rows a footer counts but does not sum, as the customer summary and the reports do:
# invoices not in force (a replaced version of a sale, a cancellation: each sale summed
# once) and cancelled proformas — unless the list asks for a status: then it sums what it
# shows, the cancelled list its cancelled.
def _summed(model, reading: ListReading) -> Q | None:
    if model is Invoice:
        return Invoice.IN_FORCE
    return None if "status" in reading.values else ~Q(status=Quote.Status.CANCELLED)


def _kind_totals(model):
    def totals(reading: ListReading) -> dict:
        summed = _summed(model, reading)
        figures = {}
        for kind in GoodsOrService.values:
            of_kind = Q(kind=kind)
            figures[f"{kind}_count"] = Count("pk", filter=of_kind)
            figures[f"{kind}_total"] = Sum("total", filter=of_kind & summed if summed else of_kind)
        if summed is not None:
            figures["not_summed"] = Count("pk", filter=~summed)
        return figures

    return totals


@dataclass(frozen=True)
class KindTotal:
    label: str  # «کالا», «خدمات» or «جمع»
    count: int
    total: int  # rials


@dataclass(frozen=True)
class KindTotals:
    rows: list[KindTotal]  # each kind the list may hold, then both together
    count: int
    not_summed: int
    capped: bool

    @classmethod
    def of(cls, figures: dict, reading: ListReading) -> KindTotals:
        """The footer from ListSpec.totals_of's figures: a list narrowed to one kind
        shows that kind alone."""
        kinds = [reading.values["kind"]] if "kind" in reading.values else GoodsOrService.values
        rows = [
            KindTotal(
                GoodsOrService(kind).label,
                figures[f"{kind}_count"] or 0,
                figures[f"{kind}_total"] or 0,
            )
            for kind in kinds
        ]
        together = KindTotal(
            _("جمع"), sum(row.count for row in rows), sum(row.total for row in rows)
        )
        return cls(
            rows=rows if len(rows) == 1 else [*rows, together],
            count=together.count,
            not_summed=figures.get("not_summed") or 0,
            capped=figures["capped"],
        )


QUOTE_TONES = {"accepted": "success", "sent": "primary", "draft": "light border"}
PAYMENT_TONES = {"paid": "success", "overdue": "danger", "partly": "warning"}


def _subject_badge(invoice) -> str:
    if invoice.subject == InvoiceSubject.ORIGINAL:
        return ""
    return " " + cells.badge(invoice.get_subject_display(), "info")


def quote_badge(quote) -> str:
    """A proforma's state as a badge: lists, its page (sales_tags' |quote_badge)."""
    return cells.badge(quote.get_status_display(), QUOTE_TONES.get(quote.status, "secondary"))


def payment_badge(invoice) -> str:
    """An invoice's payment state as a badge: lists, its page, the account, the portal."""
    return cells.badge(
        invoice.get_payment_status_display(),
        PAYMENT_TONES.get(invoice.payment_status, "secondary"),
    )


def _columns(model) -> list[Column]:
    """The columns both lists share, then the document's state."""
    if model is Invoice:
        state = Column("payment", _("پرداخت"), payment_badge)
    else:
        state = Column("status", _("وضعیت"), quote_badge)
    return [
        Column(
            "number",
            _("شماره"),
            cells.link(lambda row: row.number, _subject_badge if model is Invoice else None),
            sort="number",
        ),
        Column("date", _("تاریخ"), cells.date(lambda row: row.date), sort="date"),
        Column("contact", _("مشتری"), cells.text(lambda row: row.contact.name)),
        Column("kind", _("نوع"), cells.text(lambda row: row.get_kind_display())),
        Column(
            "total",
            _("مبلغ کل"),
            cells.money(lambda row: row.total, lambda row: row.money_unit),
            sort="total",
        ),
        state,
        Column(
            "owner",
            _("صادرکننده"),
            cells.text(lambda row: row.owner),
            default_for="accounts.see_all",
        ),
        Column(
            "vat",
            _("مالیات بر ارزش افزوده"),
            cells.money(lambda row: row.vat_total, lambda row: row.money_unit),
            default=False,
        ),
        Column("year", _("سال مالی"), cells.digits(lambda row: row.fiscal_year), default=False),
    ]


QUOTES = ListSpec(
    key="quotes",
    label=_("پیش فاکتورها"),
    model=Quote,
    permission="sales.view_quote",
    url_name="sales:quote_list",
    base=_documents(Quote),
    filters=[
        *_common_filters(
            "sales.add_quote",
            Choice(name="status", label=_("وضعیت"), field="status", choices=Quote.Status.choices),
        ),
        DateRange(name="valid", label=_("اعتبار تا"), field="valid_until", presets=FUTURE),
    ],
    sorts=[
        Sort("date", _("تاریخ"), ("-date", "-id"), index="quote_recent"),
        Sort("total", _("مبلغ کل"), ("-total", "-id"), index="quote_total"),
        Sort("number", _("شماره"), ("-number",), index="unique:number"),
    ],
    columns=_columns(Quote),
    totals=_kind_totals(Quote),
)

INVOICES = ListSpec(
    key="invoices",
    label=_("فاکتورها"),
    model=Invoice,
    permission="sales.view_invoice",
    url_name="sales:invoice_list",
    base=_documents(Invoice),
    filters=[
        *_common_filters(
            "sales.add_invoice",
            Choice(
                name="payment",
                label=_("پرداخت"),
                choices=list(PAYMENT_FILTERS.items()),
                condition=_payment,
            ),
        ),
        DateRange(name="due", label=_("سررسید پرداخت"), field="due_date", presets=FUTURE),
        Choice(
            name="subject",
            label=_("موضوع"),
            field="subject",
            choices=[(str(value), label) for value, label in InvoiceSubject.choices],
        ),
    ],
    sorts=[
        Sort("date", _("تاریخ"), ("-date", "-id"), index="invoice_recent"),
        Sort("total", _("مبلغ کل"), ("-total", "-id"), index="invoice_total"),
        Sort("number", _("شماره"), ("-number",), index="unique:number"),
    ],
    columns=_columns(Invoice),
    totals=_kind_totals(Invoice),
)
