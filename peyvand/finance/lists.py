"""The receipt and cheque lists, declared once (core.lists): the pages, their Excel, CSV
and PDF exports and the API's list operations read the same rows through these."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from peyvand.accounts.selectors import users_who_can
from peyvand.contacts.lists import (
    CUSTOMER_SHOWN,
    customer_filter,
)
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
from peyvand.core.text import to_latin_digits, typed_search_key
from peyvand.finance.forms import IRANIAN_BANKS
from peyvand.finance.models import BankAccount, Cheque, Method, Receipt

# «در دست وصول»: the cheques still to collect, where the cheque list starts.
IN_HAND = "in_hand"


def receipt_search(text: str, reading) -> Q:
    """The receipt's number, its tracking or reference number, or its customer's name,
    company or phone (the receipt's search key); one or two digits are part of a number."""
    if key := typed_search_key(text):
        return Q(search_key__contains=key)
    digits = to_latin_digits(text)
    if not any(char.isdigit() for char in digits):
        return Q(pk__in=[])
    return Q(number__contains=digits) | Q(reference__contains=digits)


def cheque_search(text: str, reading) -> Q:
    """The sayad id, the serial, the drawer or the customer's name, company or phone
    (the cheque's search key); one or two characters are part of the first three."""
    if key := typed_search_key(text):
        return Q(search_key__contains=key)
    digits = to_latin_digits(text)
    return Q(sayad_id__contains=digits) | Q(serial__contains=digits) | Q(drawer__icontains=text)


def _bank_accounts() -> list[tuple[str, str]]:
    # Inactive accounts too: last year's receipts landed in them.
    choices = []
    for account in BankAccount.objects.order_by("name", "id"):
        label = account.name
        if not account.is_active:
            label = gettext("%(name)s (غیرفعال)") % {"name": account.name}
        choices.append((str(account.pk), label))
    return choices


def _cheque_status(value: str, reading) -> Q:
    if value == IN_HAND:
        return Q(status__in=Cheque.IN_HAND)
    return Q(status=value)


def _receipt_totals(reading: ListReading) -> dict:
    figures = {}
    for direction in Receipt.Direction.values:
        of_direction = Q(direction=direction)
        figures[f"{direction}_count"] = Count("pk", filter=of_direction)
        figures[f"{direction}_total"] = Sum("amount", filter=of_direction)
    return figures


CHEQUE_TONES = {
    Cheque.Status.CLEARED: "success",
    Cheque.Status.BOUNCED: "danger",
    Cheque.Status.RETURNED: "secondary",
    Cheque.Status.DEPOSITED: "info",
}


def cheque_badge(cheque) -> str:
    """A cheque's state as a badge: the list, its page (finance_tags' |cheque_badge)."""
    return cells.badge(cheque.get_status_display(), CHEQUE_TONES.get(cheque.status, "primary"))


def _due(cheque) -> str:
    """The due date, and «سررسید گذشته» for a cheque still in hand past it: in words as
    well as in colour."""
    shown = cells.date(lambda row: row.due_date)(cheque)
    if not cheque.is_overdue:
        return shown
    return format_html("{} {}", shown, cells.badge(gettext("سررسید گذشته"), "danger"))


def _in_rials(get):
    # Receipts and cheques have no money unit of their own: the reader's.
    return cells.money(get, lambda row: "")


RECEIPT_COLUMNS = [
    Column("number", _("شماره"), cells.link(lambda row: row.number)),
    Column("date", _("تاریخ"), cells.date(lambda row: row.date), sort="date"),
    Column("contact", _("طرف حساب"), cells.text(lambda row: row.contact.name)),
    Column("direction", _("نوع"), cells.text(lambda row: row.get_direction_display())),
    Column("method", _("روش"), cells.text(lambda row: row.get_method_display())),
    Column("amount", _("مبلغ"), _in_rials(lambda row: row.amount), sort="amount"),
    Column(
        "owner",
        _("ثبت‌کننده"),
        cells.text(lambda row: row.owner),
        default_for="accounts.see_all",
    ),
    Column(
        "bank_account",
        _("حساب بانکی شرکت"),
        cells.text(lambda row: row.bank_account.name if row.bank_account_id else ""),
        default=False,
    ),
    Column("reference", _("شماره پیگیری / مرجع"), cells.digits(lambda row: row.reference),
           default=False),
]  # fmt: skip

CHEQUE_COLUMNS = [
    Column("due", _("سررسید"), _due, sort="due"),
    Column("sayad_id", _("شناسه صیادی"), cells.link(lambda row: row.sayad_id)),
    Column("contact", _("طرف حساب"), cells.text(lambda row: row.contact.name)),
    Column(
        "bank",
        _("بانک"),
        cells.text(lambda row: f"{row.bank} — {row.branch}" if row.branch else row.bank),
    ),
    Column("amount", _("مبلغ"), _in_rials(lambda row: row.amount), sort="amount"),
    Column("status", _("وضعیت"), cheque_badge),
    Column("drawer", _("صادرکننده"), cells.text(lambda row: row.drawer), default=False),
    Column("serial", _("سری و سریال"), cells.digits(lambda row: row.serial), default=False),
    Column(
        "bank_account",
        _("خوابانده در حساب"),
        cells.text(lambda row: row.bank_account.name if row.bank_account_id else ""),
        default=False,
    ),
    Column("receipt", _("دریافت"), cells.digits(lambda row: row.receipt.number), default=False),
]

RECEIPTS = ListSpec(
    key="receipts",
    label=_("دریافت‌ها و پرداخت‌ها"),
    model=Receipt,
    permission="finance.view_receipt",
    url_name="finance:receipt_list",
    base=lambda user: Receipt.objects.visible_to(user).select_related(
        "contact", "owner", "bank_account"
    ),
    filters=[
        Search(
            condition=receipt_search,
            placeholder=_("شماره، پیگیری یا نام مشتری"),
            shown=(
                (_("شماره"), lambda row: row.number),
                (_("شماره پیگیری / مرجع"), lambda row: row.reference),
                *CUSTOMER_SHOWN,
            ),
        ),
        Choice(
            name="direction",
            label=_("نوع"),
            field="direction",
            choices=Receipt.Direction.choices,
        ),
        DateRange(name="date", label=_("تاریخ"), field="date", presets=PAST),
        customer_filter(_("طرف حساب")),
        Choice(name="method", label=_("روش"), field="method", choices=Method.choices),
        AmountRange(name="amount", label=_("مبلغ"), field="amount"),
        Choice(
            name="bank_account",
            label=_("حساب بانکی شرکت"),
            field="bank_account",
            choices=_bank_accounts,
        ),
        Person(
            name="owner",
            label=_("ثبت‌کننده"),
            field="owner",
            people=lambda reading: list(users_who_can("finance.add_receipt")),
        ),
    ],
    sorts=[
        Sort("date", _("تاریخ"), ("-date", "-id"), index="receipt_recent"),
        Sort("amount", _("مبلغ"), ("-amount", "-id"), index="receipt_amount"),
    ],
    columns=RECEIPT_COLUMNS,
    totals=_receipt_totals,
)

CHEQUES = ListSpec(
    key="cheques",
    label=_("چک‌های دریافتی"),
    model=Cheque,
    permission="finance.view_cheque",
    url_name="finance:cheque_list",
    base=lambda user: Cheque.objects.visible_to(user).select_related(
        "contact", "receipt", "bank_account"
    ),
    filters=[
        Search(
            condition=cheque_search,
            placeholder=_("شناسه صیادی، سریال، صادرکننده یا مشتری"),
            shown=(
                (_("شناسه صیادی"), lambda row: row.sayad_id),
                (_("سری و سریال"), lambda row: row.serial),
                (_("صادرکننده"), lambda row: row.drawer),
                *CUSTOMER_SHOWN,
            ),
        ),
        Choice(
            name="status",
            label=_("وضعیت"),
            choices=[(IN_HAND, _("در دست وصول")), *Cheque.Status.choices],
            condition=_cheque_status,
            default=IN_HAND,
        ),
        DateRange(name="due", label=_("سررسید"), field="due_date", presets=FUTURE),
        customer_filter(_("طرف حساب")),
        Choice(
            name="bank",
            label=_("بانک چک"),
            field="bank",
            choices=[(bank, bank) for bank in IRANIAN_BANKS],
        ),
        AmountRange(name="amount", label=_("مبلغ"), field="amount"),
        Choice(
            name="bank_account",
            label=_("خوابانده در حساب"),
            field="bank_account",
            choices=_bank_accounts,
        ),
    ],
    sorts=[
        # The cheques in hand (the list's default) walk the partial cheque_in_hand_due.
        Sort("due", _("سررسید"), ("due_date", "id"), index="cheque_due"),
        Sort("amount", _("مبلغ"), ("-amount", "-id"), index="cheque_amount"),
    ],
    columns=CHEQUE_COLUMNS,
    totals=lambda reading: {"total": Sum("amount")},
)


@dataclass(frozen=True)
class ListTotal:
    label: str
    count: int
    total: int  # rials


def receipt_totals(figures: dict) -> list[ListTotal]:
    """The footer's lines: receipts and payments apart (money in and money out are never
    added together), each only when the filtered rows hold some."""
    return [
        ListTotal(str(label), figures[f"{direction}_count"], figures[f"{direction}_total"] or 0)
        for direction, label in Receipt.Direction.choices
        if figures[f"{direction}_count"]
    ]


def cheque_totals(figures: dict) -> list[ListTotal]:
    return [ListTotal(gettext("جمع"), figures["count"], figures["total"] or 0)]
