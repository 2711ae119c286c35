"""The lead, proforma and invoice lists, declared once (core.lists): the pages, their
Excel, CSV and PDF exports and the API's list operations read the same rows through
these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from peyvand.accounts.models import Team
from peyvand.contacts.lists import CUSTOMER_SHOWN, customer_filter
from peyvand.contacts.models import Category, Region
from peyvand.core.lists import (
    FUTURE,
    PAST,
    AmountRange,
    BulkAction,
    Choice,
    Column,
    DateRange,
    DateTimeRange,
    ListReading,
    ListSpec,
    Person,
    Search,
    Sort,
    Tree,
    cells,
    person_form,
)
from peyvand.core.sequences import text_or_code
from peyvand.core.templatetags.peyvand import fa_datetime, fa_number
from peyvand.core.text import fa_search_key, normalize_persian, to_latin_digits, typed_search_key
from peyvand.customfields.lists import CustomFieldColumns, CustomFieldFilters
from peyvand.lookups.models import AcquaintanceSource, FollowUpResult
from peyvand.sales.models import GoodsOrService, Invoice, InvoiceSubject, Lead, Quote
from peyvand.sales.selectors import fiscal_years, users_who_can
from peyvand.sales.services import leads_hand_over

# What the invoice list's «پرداخت» filter offers.
PAYMENT_FILTERS = {
    "unpaid": _("پرداخت‌نشده"),
    "overdue": _("سررسید گذشته"),
    "paid": _("پرداخت‌شده"),
}


def document_search(text: str, reading) -> Q:
    """The number or the customer's name, company or phone (the document's search key);
    one or two digits are part of a number («۱۲» finds 1405/00012)."""
    if key := typed_search_key(text):
        return Q(search_key__contains=key)
    digits = to_latin_digits(text)
    if not any(char.isdigit() for char in digits):
        return Q(pk__in=[])
    return Q(number__contains=digits)


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
            choices=lambda: [(str(year), str(year)) for year in fiscal_years()],
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


# The lead list -------------------------------------------------------------------------

# How the expected amount sorts: an empty one as 0 (lead_expected indexes the same).
EXPECTED_ORDER = Coalesce("expected_value", 0)


def lead_text_condition(text: str) -> Q:
    """Leads whose code, subject, contact person or customer's name, company or phone
    holds ``text`` (the lead's search key), or whose code is the one typed by its
    number («۲۵» → this year's L140500025); one or two characters match a code or a
    whole word of the subject or contact person (core.models.text_condition)."""
    return text_or_code(text, field="code", kind="lead")


def lead_search(*, user, query: str) -> QuerySet:
    """The global search's leads (core.registry): the list's text rule."""
    leads = Lead.objects.visible_to(user).select_related("contact")
    query = normalize_persian(query).strip()
    if not fa_search_key(query):
        return leads
    return leads.filter(lead_text_condition(query))


SHORT_TEXT = _(
    "برای جستجو در میان کلمه‌های موضوع‌ها، نام‌ها و تلفن‌ها دست‌کم ۳ حرف یا رقم بنویسید؛ "
    "با کمتر از آن، فقط کلمه‌های کامل و کد سرنخ جستجو می‌شود."
)


def _short_text(text: str | None, reading) -> None:
    """A text too short for the search key says it searches whole words and codes only."""
    if text and fa_search_key(text) and typed_search_key(text) is None:
        reading.warnings.append(str(SHORT_TEXT))


def _lead_text(text: str, reading) -> Q:
    return lead_text_condition(text)


def _teams_with_members(reading) -> dict[str, tuple[str, list[int]]]:
    """The active teams by name, each with its members' ids: one query, read once per
    request, for the bar's choices and the condition alike."""

    def load() -> dict[str, tuple[str, list[int]]]:
        teams: dict[str, tuple[str, list[int]]] = {}
        rows = Team.objects.filter(is_active=True).order_by("name", "pk")
        for pk, name, member in rows.values_list("pk", "name", "members"):
            teams.setdefault(str(pk), (name, []))[1].extend([member] if member else [])
        return teams

    return reading.source("team", load)


@dataclass(frozen=True, kw_only=True)
class TeamChoice(Choice):
    """The responsible's team. The members go to the query as numbers
    (``responsible IN (3, 7)``), not as a subquery: PostgreSQL then estimates the rows
    from each member's own statistics, where a subquery gets the average — and a team
    none of whose members holds a lead walked the whole date index (661 ms at 200,000
    leads) looking for one."""

    choices: Sequence[tuple[str, str]] = ()

    def options(self, reading) -> list[tuple[str, str]]:
        return [(pk, name) for pk, (name, _members) in _teams_with_members(reading).items()]

    def values(self) -> None:
        return None  # read from the database: the API takes any team's id

    def narrow(self, queryset: QuerySet, value: str, reading) -> QuerySet:
        return queryset.filter(responsible__in=_teams_with_members(reading)[value][1])


# A filter of the list, and of the board, which reads «مسئول» through it.
RESPONSIBLE = Person(
    name="responsible",
    label=_("پرسنل مسئول"),
    field="responsible",
    people=lambda reading: list(users_who_can("sales.view_lead")),
)


def _next_cell(lead) -> str:
    """The next follow-up, and «عقب‌افتاده» for an open lead past it: said to a screen
    reader as well as shown by the icon and the row's colour (a label, not a visually
    hidden span: positioned absolutely, it would widen a phone's page past the table's
    scrolling box)."""
    if not lead.is_overdue:
        return format_html('<span class="text-nowrap">{}</span>', fa_datetime(lead.next_at))
    return format_html(
        '<span class="text-nowrap"><i class="bi bi-exclamation-circle text-danger" role="img" '
        'aria-label="عقب‌افتاده" title="عقب‌افتاده"></i> {}</span>',
        fa_datetime(lead.next_at),
    )


LEAD_TONES = {"won": "success", "lost": "secondary"}


def _status_badge(lead) -> str:
    if lead.is_open:
        return ""
    return " " + cells.badge(lead.get_status_display(), LEAD_TONES[lead.status])


_title_cell = cells.link(
    lambda row: row.title if len(row.title) <= 50 else f"{row.title[:49]}…", _status_badge
)


def _stars_cell(lead) -> str:
    return format_html(
        '<span class="text-warning text-nowrap" title="درجه اهمیت {}">{}</span>',
        fa_number(lead.stars),
        lead.get_stars_display(),
    )


def _node(name: str):
    return cells.text(lambda row: getattr(row, name).name if getattr(row, f"{name}_id") else "")


LEAD_COLUMNS = [
    Column("code", _("کد"), cells.link(lambda row: row.code)),
    Column("contact", _("مشتری"), cells.text(lambda row: row.contact.name)),
    Column("title", _("موضوع"), _title_cell),
    Column(
        "category",
        _("صنف"),
        cells.text(lambda row: row.contact.category.name if row.contact.category_id else ""),
    ),
    Column(
        "region",
        _("منطقه"),
        cells.text(lambda row: row.contact.region.name if row.contact.region_id else ""),
    ),
    Column("mobile", _("تلفن"), cells.phone(lambda row: row.contact.mobile)),
    Column("stars", _("اهمیت"), _stars_cell),
    Column("source", _("نحوه آشنایی"), _node("source")),
    Column("result", _("آخرین نتیجه"), _node("last_result")),
    Column("next", _("پیگیری بعدی"), _next_cell, sort="next"),
    Column("responsible", _("مسئول"), cells.text(lambda row: row.responsible)),
    Column(
        "expected",
        _("مبلغ پیش‌بینی"),
        cells.money(lambda row: row.expected_value, lambda row: ""),
        sort="expected",
    ),
    Column("created", _("تاریخ ثبت"), cells.date(lambda row: row.created_at), sort="created",
           default=False),
    Column("stage", _("مرحله"), cells.text(lambda row: row.get_stage_display()), default=False),
    Column("year", _("سال مالی"), cells.digits(lambda row: row.fiscal_year), default=False),
]  # fmt: skip

# What a lead row and its export read: the page loads only these.
LEAD_FIELDS = (
    "id", "code", "title", "person_name", "status", "stage", "stars", "next_at",
    "created_at", "expected_value", "fiscal_year",
    "contact__name", "contact__company", "contact__mobile", "contact__phones_text",
    "contact__category__name", "contact__region__name",
    "source__name", "last_result__name",
    "responsible__first_name", "responsible__last_name", "responsible__username",
    # The custom-field columns' values.
    "custom",
)  # fmt: skip


def _leads(user) -> QuerySet:
    return (
        Lead.objects.visible_to(user)
        .select_related(
            "contact__category", "contact__region", "source", "last_result", "responsible"
        )
        .only(*LEAD_FIELDS)
    )


def _lead_row_class(lead, reading) -> str:
    return "table-danger" if lead.is_overdue else ""


@dataclass(frozen=True)
class LeadListSpec(ListSpec):
    """The lead list orders a next-follow-up range by the follow-up (as it always has)
    unless a sort is asked for."""

    def read(self, params, user) -> ListReading:
        reading = super().read(params, user)
        if "due" in reading.values and not params.get("sort"):
            reading.sort = next(sort for sort in self.sorts if sort.key == "next")
        return reading


def _hand_over(leads, data, user) -> int:
    return leads_hand_over(leads=leads, responsible=data["person"], by=user)


# Ticked leads, or all the filtered ones, to another rep (as the lead form would).
HAND_OVER = BulkAction(
    key="responsible",
    label=_("تغییر مسئول"),
    permission="sales.change_lead",
    apply=_hand_over,
    done=_("%(count)s سرنخ به «%(person)s» سپرده شد."),
    icon="person-check",
    form=person_form(_("مسئول تازه"), "responsible"),
)


LEADS = LeadListSpec(
    key="leads",
    label=_("سرنخ‌ها"),
    model=Lead,
    permission="sales.view_lead",
    url_name="sales:lead_list",
    base=_leads,
    filters=[
        Search(
            condition=_lead_text,
            prepare=_short_text,
            placeholder=_("کد، موضوع، مشتری یا تلفن"),
            shown=(
                (_("کد"), lambda row: row.code),
                (_("رابط"), lambda row: row.person_name),
                *CUSTOMER_SHOWN,
            ),
        ),
        Choice(
            name="status",
            label=_("وضعیت"),
            field="status",
            choices=Lead.Status.choices,
            default=Lead.Status.OPEN,
        ),
        RESPONSIBLE,
        DateTimeRange(name="due", label=_("پیگیری بعدی"), field="next_at", presets=FUTURE),
        Choice(
            name="stars",
            label=_("درجه اهمیت"),
            field="stars",
            choices=[(str(value), label) for value, label in Lead.Stars.choices],
        ),
        Choice(
            name="result",
            label=_("آخرین نتیجه"),
            field="last_result",
            choices=lambda: [
                (str(pk), name) for pk, name in FollowUpResult.objects.values_list("pk", "name")
            ],
        ),
        customer_filter(),
        TeamChoice(name="team", label=_("گروه مسئول")),
        Choice(
            name="source",
            label=_("نحوه آشنایی"),
            field="source",
            choices=lambda: [
                (str(pk), name) for pk, name in AcquaintanceSource.objects.values_list("pk", "name")
            ],
        ),
        Tree(name="category", label=_("صنف مشتری"), field="customer_category", model=Category),
        Tree(name="region", label=_("منطقه مشتری"), field="customer_region", model=Region),
        AmountRange(name="expected", label=_("مبلغ پیش‌بینی"), field="expected_value"),
        DateTimeRange(name="created", label=_("تاریخ ثبت"), field="created_at", presets=PAST),
        Choice(
            name="fiscal_year",
            label=_("سال مالی"),
            field="fiscal_year",
            choices=lambda: [(str(year), str(year)) for year in fiscal_years()],
        ),
        CustomFieldFilters(target="sales.lead"),
    ],
    sorts=[
        Sort("created", _("تاریخ ثبت"), ("-created_at", "-id"), index="lead_recent"),
        # Leads with no follow-up set last (and first the other way): as lead_next holds them.
        Sort(
            "next", _("پیگیری بعدی"), (F("next_at").asc(nulls_last=True), "id"), index="lead_next"
        ),
        # An empty amount sorts as none (0), by the expression lead_expected indexes.
        Sort(
            "expected",
            _("مبلغ پیش‌بینی"),
            (EXPECTED_ORDER.desc(), "-id"),
            index="lead_expected",
        ),
    ],
    columns=LEAD_COLUMNS,
    more_columns=CustomFieldColumns(target="sales.lead"),
    totals=lambda reading: {"expected": Sum("expected_value")},
    row_class=_lead_row_class,
    actions=[HAND_OVER],
)
