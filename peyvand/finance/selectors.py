"""Reads of the money side, visibility applied: a customer's account and statement, the
cheques due, what a receipt settled. The receipt and cheque lists are finance.lists."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet, Sum

from peyvand.contacts.models import Contact
from peyvand.finance.models import Account, Allocation, Cheque, Entry, Receipt


def account_of(contact) -> Account:
    """The contact's kept totals (an empty account when nothing was ever recorded)."""
    return Account.objects.filter(contact=contact).first() or Account(contact=contact)


@dataclass
class Credit:
    """How much of a customer's credit limit (سقف اعتبار) is taken."""

    limit: int | None  # None: no limit set (neither theirs nor their grade's)
    used: int

    @property
    def available(self) -> int | None:
        """Negative: over the limit."""
        return None if self.limit is None else self.limit - self.used


def credit_of(contact, account: Account | None = None) -> Credit:
    """What they owe (an advance uses none) plus their cheques still in hand: a cheque is
    not money until it clears. The limit is theirs, else their grade's."""
    account = account if account is not None else account_of(contact)
    used = max(account.balance, 0) + account.cheques_in_hand
    return Credit(contact.effective_credit_limit, used)


def credit_in_use(contact) -> int:
    """What the credit check (sales.credit, through core.registry) counts."""
    return credit_of(contact).used


def open_debts(contact) -> QuerySet[Entry]:
    """What the customer still owes, item by item, oldest due first (the partial index)."""
    return (
        Entry.objects.filter(contact=contact, debit__gt=F("allocated"))
        .select_related("invoice")
        .order_by("due_date", "id")
    )


@dataclass
class OpenDebts:
    """The first of a customer's open debts (most overdue first), and how many there are
    and what they come to in all."""

    first: list[Entry]
    count: int
    total: int

    @property
    def more(self) -> int:
        return self.count - len(self.first)


def open_debts_summary(contact, *, limit: int) -> OpenDebts:
    """Two queries on the open-debit partial index, however long the history."""
    debts = open_debts(contact)
    totals = debts.aggregate(n=Count("id"), rest=Sum(F("debit") - F("allocated")))
    return OpenDebts(list(debts[:limit]), totals["n"], totals["rest"] or 0)


def debts_for_allocation(contact, current: dict[int, int]) -> list[Entry]:
    """The debts a receipt may settle: the open ones, and those it settles now (each with
    what it settles given back, so the form offers up to that much again)."""
    entries = (
        Entry.objects.filter(contact=contact, debit__gt=0)
        .filter(Q(debit__gt=F("allocated")) | Q(pk__in=current))
        .select_related("invoice")
        .order_by("due_date", "id")[:100]
    )
    debts = list(entries)
    for debt in debts:
        debt.allocated -= current.get(debt.pk, 0)
    return debts


@dataclass
class StatementLine:
    entry: Entry
    balance: int  # after this line; positive: the customer owes


# Lines per page of the account page's statement: a customer with years of weekly invoices
# and receipts has thousands of lines in a year, and a page of them is what one reads.
STATEMENT_PAGE_SIZE = 50


@dataclass
class Statement:
    """A customer's account over a period: what was owed before it, the lines in date
    order with the running balance, and the period's totals. A paged statement holds one
    page of the period's lines; ``opening`` is the balance before that page's first line."""

    start: datetime.date | None
    end: datetime.date | None
    brought_forward: int
    lines: list[StatementLine] = field(default_factory=list)
    debit: int = 0
    credit: int = 0
    opening: int = 0
    page: int = 1
    pages: int = 1

    @property
    def closing(self) -> int:
        return self.brought_forward + self.debit - self.credit

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _sums(entries) -> tuple[int, int]:
    totals = entries.aggregate(d=Sum("debit"), c=Sum("credit"))
    return totals["d"] or 0, totals["c"] or 0


def statement(
    contact,
    start: datetime.date | None,
    end: datetime.date | None,
    *,
    page: str | int | None = None,
    page_size: int | None = None,
) -> Statement:
    """The statement of a period, on the (contact, date) index; the whole history is
    never read to show it. Without ``page_size``, every line of the period (the PDF, the
    Excel). With it, one page — by default the last, the newest lines — in three queries
    (the sum before the period, the period's count and totals, the page) and one more
    for a page before the last (the sum of the lines after it, fewer than before it)."""
    entries = Entry.objects.filter(contact=contact)
    before = (0, 0)
    if start is not None:
        before = _sums(entries.filter(date__lt=start))
        entries = entries.filter(date__gte=start)
    if end is not None:
        entries = entries.filter(date__lte=end)
    result = Statement(start, end, before[0] - before[1])
    ordered = entries.select_related("invoice", "receipt", "cheque").order_by("date", "id")
    if page_size is None:
        rows = list(ordered)
        result.debit = sum(entry.debit for entry in rows)
        result.credit = sum(entry.credit for entry in rows)
        result.opening = result.brought_forward
    else:
        totals = entries.aggregate(n=Count("id"), d=Sum("debit"), c=Sum("credit"))
        result.debit, result.credit = totals["d"] or 0, totals["c"] or 0
        result.pages = max(1, -(-totals["n"] // page_size))
        try:
            result.page = min(result.pages, max(1, int(page))) if page else result.pages
        except (TypeError, ValueError):
            result.page = result.pages
        first = (result.page - 1) * page_size
        rows = list(ordered[first : first + page_size])
        after = (0, 0)
        if result.has_next:
            after = _sums(entries.order_by("date", "id")[first + page_size :])
        shown = sum(entry.debit - entry.credit for entry in rows)
        result.opening = result.closing - (after[0] - after[1]) - shown
    balance = result.opening
    for entry in rows:
        balance += entry.debit - entry.credit
        result.lines.append(StatementLine(entry, balance))
    return result


def cheques_due(user, end: datetime.date) -> QuerySet[Cheque]:
    """Visible cheques in hand due by ``end`` (overdue ones first), on the partial index:
    the home page's. The cheque list is finance.lists.CHEQUES."""
    return (
        Cheque.objects.visible_to(user)
        .select_related("contact", "bank_account")
        .filter(status__in=Cheque.IN_HAND, due_date__lte=end)
        .order_by("due_date", "id")
    )


def allocations_of_receipt(receipt: Receipt):
    """What a receipt is matched with: for a receipt, the debts it settled (the
    allocations' debit side); for a payment, the credits it used up (their credit side).
    Each allocation gets ``other``: the entry on the far side."""
    if receipt.is_in:
        rows = Allocation.objects.filter(credit__receipt=receipt).select_related(
            "credit", "debit__invoice", "debit__cheque", "debit__receipt"
        )
        side = "debit"
    else:
        rows = Allocation.objects.filter(debit__receipt=receipt).select_related(
            "debit", "credit__invoice", "credit__cheque", "credit__receipt"
        )
        side = "credit"
    rows = list(rows.order_by(f"{side}__due_date", f"{side}_id"))
    for row in rows:
        row.other = getattr(row, side)
    return rows


def allocations_of_invoice(invoice):
    return (
        Allocation.objects.filter(debit__invoice=invoice)
        .select_related("credit__receipt", "credit__cheque")
        .order_by("credit__date", "credit_id")
    )


def receivables_due(user, until: datetime.date, *, limit: int) -> list[Entry]:
    """Invoices and instalments owed by ``until`` (overdue ones first): of the user's own
    customers, or of every customer they see when they are named for money alerts."""
    entries = Entry.objects.filter(
        kind=Entry.Kind.INVOICE, debit__gt=F("allocated"), due_date__lte=until
    ).select_related("contact", "invoice")
    if user.has_perm("finance.receive_cheque_alerts"):
        entries = entries.filter(contact__in=Contact.objects.visible_to(user))
    else:
        entries = entries.filter(contact__owner=user)
    return list(entries.order_by("due_date", "id")[:limit])
