"""Writes of the money side: receipts and payments, cheque moves, allocations and the
opening balance, each keeping the customer's account (see finance.models) consistent.

Every write takes the customer's ``Account`` row lock first (``lock_account``): all the entries
and allocations it touches are that customer's, so two writers on one customer take turns
and cannot allocate the same open amount twice; writers on different customers never wait
for each other. After its changes a write recomputes the totals of the rows it touched
(``_refresh``) from the allocations themselves, not by adding deltas."""

import datetime
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from peyvand.activities.reminders import (
    notify,
    pending_reminders,
    reminder_clear,
    reminder_set,
)
from peyvand.core.dates import format_date
from peyvand.core.history import log_event, snapshot
from peyvand.core.money import format_money
from peyvand.core.sequences import ensure_sequence, next_code
from peyvand.core.services import record_delete, record_save
from peyvand.finance.models import (
    Account,
    Allocation,
    Cheque,
    ChequeEvent,
    Entry,
    FinanceSettings,
    Method,
    Receipt,
)
from peyvand.sales.models import Invoice
from peyvand.sales.services import invoice_set_paid

RECEIPT_SEQUENCE = "receipt"
PAYMENT_SEQUENCE = "payment"
CHEQUE_DUE_REMINDER = "cheque_due"
ALERT_PERMISSION = "finance.receive_cheque_alerts"


def _fa(number: int) -> str:
    """An amount in a refusal, read at once (the API answers it as it is)."""
    return format_money(number)


def _stored(number: int) -> str:
    """An amount in text kept for later (a notification, a reminder, a history line):
    stored in Latin digits like everything else, so each reader sees their own."""
    return format_money(number, digits="latin")


# The account: locking, totals, matching ---------------------------------------------------


def lock_account(contact_id: int) -> Account:
    """The customer's account row, locked until the transaction ends (made on first use)."""
    Account.objects.get_or_create(contact_id=contact_id)
    return Account.objects.select_for_update().get(pk=contact_id)


def _refresh(contact_id: int, entry_ids: Iterable[int]) -> None:
    """Recomputes the kept totals of these entries (and their invoices) and of the
    customer's account from the rows themselves: a fixed number of queries however many
    entries a write touched (a receipt settling twenty invoices, a bounce undoing them)."""
    entry_ids = set(entry_ids)
    as_debit = {
        row["debit_id"]: (row["allocated"], row["settled"] or 0)
        for row in Allocation.objects.filter(debit_id__in=entry_ids)
        .values("debit_id")
        .annotate(allocated=Sum("amount"), settled=Sum("amount", filter=Q(credit__cleared=True)))
        .order_by()
    }
    as_credit = {
        row["credit_id"]: (row["allocated"], 0)  # a credit settles; it is never settled
        for row in Allocation.objects.filter(credit_id__in=entry_ids)
        .values("credit_id")
        .annotate(allocated=Sum("amount"))
        .order_by()
    }
    changed, invoice_ids = [], set()
    for entry in Entry.objects.filter(pk__in=entry_ids).only(
        "debit", "allocated", "settled", "invoice_id"
    ):
        kept = (as_debit if entry.is_debit else as_credit).get(entry.pk, (0, 0))
        if (entry.allocated, entry.settled) != kept:
            entry.allocated, entry.settled = kept
            changed.append(entry)
        if entry.invoice_id:
            invoice_ids.add(entry.invoice_id)
    Entry.objects.bulk_update(changed, ["allocated", "settled"])
    paid = (
        Entry.objects.filter(invoice_id__in=invoice_ids)
        .values("invoice_id")
        .annotate(settled=Sum("settled"))
        .order_by()
    )
    for row in paid:
        invoice_set_paid(invoice_id=row["invoice_id"], paid=row["settled"])
    totals = Entry.objects.filter(contact_id=contact_id).aggregate(d=Sum("debit"), c=Sum("credit"))
    in_hand = Cheque.objects.filter(contact_id=contact_id, status__in=Cheque.IN_HAND).aggregate(
        s=Sum("amount")
    )["s"]
    Account.objects.filter(pk=contact_id).update(
        debit=totals["d"] or 0,
        credit=totals["c"] or 0,
        cheques_in_hand=in_hand or 0,
    )


def _allocate(debit: Entry, credit: Entry, amount: int, by) -> Allocation:
    """Adds ``amount`` to the pair's allocation (the caller checked both open amounts)."""
    allocation, created = Allocation.objects.get_or_create(
        debit=debit, credit=credit, defaults={"amount": amount, "created_by": by}
    )
    if not created:
        allocation.amount += amount
        allocation.save(update_fields=["amount"])
    # Kept at once: a match later in the same write must see these amounts as taken.
    Entry.objects.filter(pk__in=[debit.pk, credit.pk]).update(allocated=F("allocated") + amount)
    debit.allocated += amount
    credit.allocated += amount
    return allocation


def _match(
    contact_id: int,
    by,
    *,
    credits: list[Entry] | None = None,
    debits: list[Entry] | None = None,
) -> set[int]:
    """Settles the customer's open debits with their unallocated credits, oldest debt
    (by due date) first and oldest credit first; ``credits`` and ``debits`` limit it to
    those (each in the order given). Returns the ids of the entries it allocated."""
    if debits is None:
        debits = list(
            Entry.objects.filter(contact_id=contact_id, debit__gt=F("allocated")).order_by(
                "due_date", "id"
            )
        )
    if credits is None:
        credits = list(
            Entry.objects.filter(contact_id=contact_id, credit__gt=F("allocated")).order_by(
                "date", "id"
            )
        )
    touched: set[int] = set()
    debit_iter = iter(debits)
    debit = next(debit_iter, None)
    for credit in credits:
        while debit is not None and credit.open_amount > 0:
            amount = min(debit.open_amount, credit.open_amount)
            _allocate(debit, credit, amount, by)
            touched |= {debit.pk, credit.pk}
            if debit.open_amount == 0:
                debit = next(debit_iter, None)
        if debit is None:
            break
    return touched


def _release(entry: Entry) -> set[int]:
    """Takes back every allocation of ``entry``; returns the entries on the other side."""
    allocations = Allocation.objects.filter(Q(debit=entry) | Q(credit=entry))
    others = {a.credit_id if a.debit_id == entry.pk else a.debit_id for a in allocations}
    allocations.delete()
    return others | {entry.pk}


def _entry(**fields) -> Entry:
    fields.setdefault("due_date", fields["date"])
    return Entry.objects.create(**fields)


# Invoices ------------------------------------------------------------------------------------


def _take_back(replaced: Invoice, by, *, text: str) -> tuple[set[int], list[Entry]]:
    """Moves a replaced invoice off the account: what had settled it is released (to
    settle its replacement), and one credit settles its lines exactly. Returns the
    entries touched and the released credits, oldest first."""
    debits = list(Entry.objects.filter(invoice=replaced, debit__gt=0).order_by("due_date", "id"))
    touched: set[int] = set()
    for debit in debits:
        touched |= _release(debit)
    released_ids = touched - {debit.pk for debit in debits}
    # The kept totals from the rows (the release deleted allocations): the matches
    # below must see the released amounts as open.
    _refresh(replaced.contact_id, touched)
    owed = sum(debit.debit for debit in debits)
    if owed:
        credit = _entry(
            contact_id=replaced.contact_id,
            date=timezone.localdate(),
            kind=Entry.Kind.REPLACED,
            credit=owed,
            invoice=replaced,
            description=text,
            created_by=by,
        )
        for debit in Entry.objects.filter(pk__in=[debit.pk for debit in debits]):
            _allocate(debit, credit, debit.debit, by)
        touched |= {credit.pk}
    released = list(
        Entry.objects.filter(pk__in=released_ids, credit__gt=F("allocated")).order_by("date", "id")
    )
    return touched, released


def invoice_issued(*, invoice: Invoice, by, replaces: Invoice | None = None) -> list[Entry]:
    """The invoice's debit on its customer's account — one line per instalment of a plan,
    each due on its date — settled at once by any credit the customer has left (an
    advance, an over-payment). When it replaces another (a correction, return or
    cancellation), that one's debt is taken back first and what had paid it pays this
    one before anything older. Subscribed to sales.invoice_issued."""
    lock_account(invoice.contact_id)
    touched: set[int] = set()
    released: list[Entry] = []
    if replaces is not None:
        touched, released = _take_back(replaces, by, text=f"{replaces} — جایگزین با {invoice}")
    plan = list(invoice.instalments.all())
    parts = [(row.due_date, row.amount) for row in plan] or [
        (invoice.due_date or invoice.date, invoice.total)
    ]
    entries = []
    for number, (due, amount) in enumerate(parts, start=1):
        if amount <= 0:
            continue
        text = str(invoice)
        if len(parts) > 1:
            text += f" — قسط {number} از {len(parts)}"
        entries.append(
            _entry(
                contact_id=invoice.contact_id,
                date=invoice.date,
                due_date=due,
                kind=Entry.Kind.INVOICE,
                debit=amount,
                invoice=invoice,
                description=text,
                created_by=by,
            )
        )
    if released and entries:
        touched |= _match(invoice.contact_id, by, credits=released, debits=entries)
    touched |= _match(invoice.contact_id, by)
    _refresh(invoice.contact_id, touched | {entry.pk for entry in entries})
    return entries


# Receipts and payments -------------------------------------------------------------------------


def _check_receipt(receipt: Receipt, cheque: Cheque | None) -> None:
    errors = {}
    if receipt.amount is None or receipt.amount <= 0:
        errors["amount"] = "مبلغ باید بیشتر از صفر باشد."
    if receipt.method == Method.CHEQUE:
        if receipt.direction != Receipt.Direction.IN:
            errors["method"] = "پرداخت با چک به مشتری هنوز پشتیبانی نمی‌شود."
        elif cheque is None:
            errors["method"] = "مشخصات چک را وارد کنید."
        elif cheque.due_date < receipt.date:
            errors["due_date"] = "سررسید چک نمی‌تواند پیش از تاریخ دریافت باشد."
    if errors:
        raise ValidationError(errors)


def _check_targets(contact_id: int, targets: list[tuple[int, int]], amount: int) -> list:
    """The invoices the user chose to settle, checked: (entry, amount) pairs."""
    if sum(part for _pk, part in targets) > amount:
        raise ValidationError("جمع تسویه‌ها از مبلغ دریافت بیشتر است.")
    chosen = []
    entries = Entry.objects.select_related("invoice").in_bulk([pk for pk, _part in targets])
    for pk, part in targets:
        entry = entries.get(pk)
        if entry is None or entry.contact_id != contact_id or not entry.is_debit:
            raise ValidationError("فاکتور انتخاب‌شده از حساب همین مشتری نیست.")
        if part <= 0:
            raise ValidationError("مبلغ تسویه باید بیشتر از صفر باشد.")
        if part > entry.open_amount:
            raise ValidationError(
                f"مبلغ تسویه «{entry.description}» ({_fa(part)}) از مانده آن "
                f"({_fa(entry.open_amount)}) بیشتر است."
            )
        chosen.append((entry, part))
    return chosen


def _number(receipt: Receipt) -> str:
    if receipt.is_in:
        kind, name = RECEIPT_SEQUENCE, "دریافت‌ها"
    else:
        kind, name = PAYMENT_SEQUENCE, "پرداخت‌ها"
    ensure_sequence(kind, name, pattern="{سال}/{شماره}", padding=5)
    return next_code(kind, model=Receipt, field="number", scope={"direction": receipt.direction})


@transaction.atomic
def receipt_record(
    *,
    receipt: Receipt,
    by,
    cheque: Cheque | None = None,
    targets: list[tuple[int, int]] | None = None,
) -> Receipt:
    """Records a receipt (or a payment to the customer) on their account. A receipt
    settles ``targets`` — (entry id, amount) pairs the user chose — and then, with what
    is left, the oldest open debts; the rest stays as the customer's credit. A payment is
    settled by the customer's unallocated credit (a refund of an over-payment). A cheque
    receipt's money is not cleared until the cheque is."""
    _check_receipt(receipt, cheque)
    lock_account(receipt.contact_id)
    chosen = _check_targets(receipt.contact_id, targets or [], receipt.amount)
    receipt.number = _number(receipt)
    record_save(record=receipt, by=by)
    side = "credit" if receipt.is_in else "debit"
    entry = _entry(
        contact_id=receipt.contact_id,
        date=receipt.date,
        kind=Entry.Kind.RECEIPT if receipt.is_in else Entry.Kind.PAYMENT,
        receipt=receipt,
        cleared=receipt.method != Method.CHEQUE,
        description=_receipt_text(receipt, cheque),
        created_by=by,
        **{side: receipt.amount},
    )
    touched = {entry.pk}
    if cheque is not None:
        cheque.receipt = receipt
        cheque.contact_id = receipt.contact_id
        cheque.amount = receipt.amount
        cheque.entry = entry
        cheque.status = Cheque.Status.RECEIVED
        record_save(record=cheque, by=by)
        Entry.objects.filter(pk=entry.pk).update(cheque=cheque)
        ChequeEvent.objects.create(
            cheque=cheque, date=receipt.date, status=cheque.status, by=by, note=receipt.note[:300]
        )
        _schedule_due_reminders(cheque)
    for debit, part in chosen:
        _allocate(debit, entry, part, by)
        touched.add(debit.pk)
    touched |= _match(receipt.contact_id, by, credits=[entry] if receipt.is_in else None)
    _refresh(receipt.contact_id, touched)
    return receipt


def _receipt_text(receipt: Receipt, cheque: Cheque | None) -> str:
    text = f"{receipt.get_direction_display()} {receipt.get_method_display()}"
    if cheque is not None:
        text += f" {cheque.sayad_id} سررسید {format_date(cheque.due_date)}"
    elif receipt.reference:
        text += f" {receipt.reference}"
    return text[:300]


@transaction.atomic
def receipt_reallocate(*, receipt: Receipt, targets: list[tuple[int, int]], by) -> Receipt:
    """Changes which debts a receipt settles: its allocations are replaced by ``targets``;
    what is left stays as credit (it is not matched again by itself)."""
    lock_account(receipt.contact_id)
    entry = receipt.entries.filter(kind=Entry.Kind.RECEIPT).first()
    if entry is None or (hasattr(receipt, "cheque") and receipt.cheque.entry_id != entry.pk):
        raise ValidationError("تسویه‌های این دریافت را نمی‌توان تغییر داد.")
    before = _allocation_text(entry)
    touched = _release(entry)
    _refresh(receipt.contact_id, touched)
    entry.refresh_from_db()
    chosen = _check_targets(receipt.contact_id, targets, receipt.amount)
    for debit, part in chosen:
        _allocate(debit, entry, part, by)
        touched.add(debit.pk)
    _refresh(receipt.contact_id, touched)
    log_event(receipt, user=by, field="allocations", label="تسویه", old=before,
              new=_allocation_text(entry))  # fmt: skip
    return receipt


def _allocation_text(entry: Entry) -> str:
    rows = Allocation.objects.filter(credit=entry).select_related("debit").order_by("debit_id")
    return "، ".join(f"{row.debit.description}: {_stored(row.amount)}" for row in rows) or "—"


@transaction.atomic
def receipt_delete(*, receipt: Receipt, by) -> None:
    """Moves a receipt to the trash with its lines on the account and what they settled;
    a restore puts them back (``Receipt.restored``). A cheque already deposited, cleared
    or bounced has a history at the bank: its receipt stays."""
    lock_account(receipt.contact_id)
    cheque = Cheque.all_objects.filter(receipt=receipt).first()
    if cheque is not None and (
        cheque.status != Cheque.Status.RECEIVED or cheque.events.count() > 1
    ):
        raise ValidationError("این چک گردش دارد؛ به جای حذف، وضعیت آن را تغییر دهید (مثلاً عودت).")
    entries = list(Entry.objects.filter(receipt=receipt))
    allocations = list(Allocation.objects.filter(Q(debit__in=entries) | Q(credit__in=entries)))
    touched = {a.debit_id for a in allocations} | {a.credit_id for a in allocations}
    cheques = [cheque] if cheque else []
    reminders = pending_reminders(targets=cheques, purpose=CHEQUE_DUE_REMINDER) if cheque else []
    record_delete(record=receipt, by=by, touching=[entries, allocations, cheques, list(reminders)])
    if cheque is not None:
        cheque.deleted_at, cheque.deleted_by, cheque.entry = receipt.deleted_at, by, None
        cheque.save(update_fields=["deleted_at", "deleted_by", "entry"])
        reminder_clear(target=cheque, purpose=CHEQUE_DUE_REMINDER)
    Allocation.objects.filter(pk__in=[a.pk for a in allocations]).delete()
    Entry.objects.filter(pk__in=[e.pk for e in entries]).delete()
    _refresh(receipt.contact_id, touched - {e.pk for e in entries})


def receipt_restored(*, receipt: Receipt, by) -> None:
    """After the trash put a receipt's rows back (its cheque and the cheque's reminders
    with them): allocations that no longer fit (someone settled those debts meanwhile)
    are trimmed, newest first, then the totals follow."""
    lock_account(receipt.contact_id)
    entries = list(Entry.objects.filter(receipt=receipt))
    ids = {e.pk for e in entries}
    allocations = Allocation.objects.filter(Q(debit__in=ids) | Q(credit__in=ids))
    touched = ids | {a.debit_id for a in allocations} | {a.credit_id for a in allocations}
    for entry in Entry.objects.filter(pk__in=touched):
        rows = entry.debit_allocations if entry.is_debit else entry.credit_allocations
        excess = (rows.aggregate(s=Sum("amount"))["s"] or 0) - entry.amount
        for row in rows.order_by("-created_at", "-id"):
            if excess <= 0:
                break
            cut = min(excess, row.amount)
            excess -= cut
            if cut == row.amount:
                row.delete()
            else:
                row.amount -= cut
                row.save(update_fields=["amount"])
    _refresh(receipt.contact_id, touched)


# Cheques ---------------------------------------------------------------------------------


def alert_users(cheque: Cheque) -> list:
    """Who hears about a cheque: the users the company named (the alerts permission) and
    the rep who owns the customer."""
    users = list(get_user_model().objects.with_perm(ALERT_PERMISSION).filter(is_active=True))
    owner = cheque.contact.owner
    if owner.is_active and owner not in users:
        users.append(owner)
    return users


def _schedule_due_reminders(cheque: Cheque) -> None:
    settings = FinanceSettings.load()
    due_day = cheque.due_date - datetime.timedelta(days=settings.cheque_reminder_days)
    due_at = timezone.make_aware(datetime.datetime.combine(due_day, datetime.time(9)))
    title = (
        f"سررسید چک {cheque.sayad_id} از {cheque.contact.name}: "
        f"{format_date(cheque.due_date, digits='latin')}، {_stored(cheque.amount)}"
    )
    for user in alert_users(cheque):
        reminder_set(
            user=user,
            due_at=due_at,
            title=title,
            target=cheque,
            purpose=CHEQUE_DUE_REMINDER,
            by_email=settings.remind_by_email,
            by_sms=settings.remind_by_sms,
        )


def _check_move(cheque: Cheque, status: str, *, date, bank_account, endorsed_to, reason) -> None:
    if status not in cheque.MOVES.get(cheque.status, ()):
        labels = dict(Cheque.Status.choices)
        raise ValidationError(
            f"چک «{labels[cheque.status]}» را نمی‌توان به «{labels.get(status, status)}» برد."
        )
    errors = {}
    if date is None:
        errors["date"] = "تاریخ را وارد کنید."
    elif date < cheque.receipt.date:
        errors["date"] = "تاریخ نمی‌تواند پیش از تاریخ دریافت چک باشد."
    if status == Cheque.Status.DEPOSITED and bank_account is None:
        errors["bank_account"] = "حساب بانکی را که چک در آن خوابانده شد انتخاب کنید."
    if status == Cheque.Status.ENDORSED and not endorsed_to.strip():
        errors["endorsed_to"] = "بنویسید چک به چه کسی داده شد."
    if status == Cheque.Status.BOUNCED and not reason.strip():
        errors["reason"] = "علت برگشت چک را بنویسید."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def cheque_move(
    *,
    cheque: Cheque,
    status: str,
    by,
    date: datetime.date | None = None,
    note: str = "",
    bank_account=None,
    endorsed_to: str = "",
    reason: str = "",
) -> Cheque:
    """Moves a cheque along its life cycle (Cheque.MOVES) with what that does to the
    account: cleared money settles what the cheque was allocated to; a bounce or a return
    takes those allocations back and charges the cheque to the customer again; presenting
    a bounced cheque again credits it again. A bounce alerts the rep and the named users."""
    lock_account(cheque.contact_id)
    cheque = Cheque.objects.select_related("receipt", "contact__owner").get(pk=cheque.pk)
    _check_move(cheque, status, date=date, bank_account=bank_account, endorsed_to=endorsed_to,
                reason=reason)  # fmt: skip
    before = snapshot(cheque)
    from_status = cheque.status
    touched: set[int] = set()
    entry = cheque.entry
    common = {"contact_id": cheque.contact_id, "date": date, "cheque": cheque, "created_by": by}
    if status == Cheque.Status.CLEARED:
        entry.cleared = True
        entry.save(update_fields=["cleared"])
        touched |= {entry.pk, *entry.credit_allocations.values_list("debit_id", flat=True)}
    elif (
        status in (Cheque.Status.BOUNCED, Cheque.Status.RETURNED) and from_status in Cheque.IN_HAND
    ):
        touched |= _release(entry)
        _refresh(cheque.contact_id, touched)
        entry.refresh_from_db()
        kind = (
            Entry.Kind.CHEQUE_BOUNCED
            if status == Cheque.Status.BOUNCED
            else Entry.Kind.CHEQUE_RETURNED
        )
        text = f"{Entry.Kind(kind).label} {cheque.sayad_id}"
        if reason.strip():
            text += f" ({reason.strip()})"
        charge = _entry(kind=kind, debit=cheque.amount, description=text[:300], **common)
        _allocate(charge, entry, cheque.amount, by)
        touched |= {charge.pk} | _match(cheque.contact_id, by)
    elif status == Cheque.Status.DEPOSITED and from_status == Cheque.Status.BOUNCED:
        again = _entry(
            kind=Entry.Kind.CHEQUE_PRESENTED,
            credit=cheque.amount,
            cleared=False,
            description=f"{Entry.Kind.CHEQUE_PRESENTED.label} {cheque.sayad_id}",
            **common,
        )
        cheque.entry = again
        touched |= {again.pk} | _match(cheque.contact_id, by, credits=[again])
    cheque.status = status
    if status == Cheque.Status.DEPOSITED:
        cheque.bank_account = bank_account
    if status == Cheque.Status.ENDORSED:
        cheque.endorsed_to = endorsed_to.strip()
    if status == Cheque.Status.BOUNCED:
        cheque.bounce_reason = reason.strip()
    record_save(record=cheque, by=by, before=before)
    ChequeEvent.objects.create(
        cheque=cheque, date=date, from_status=from_status, status=status, by=by,
        note=(reason or note).strip()[:300],
    )  # fmt: skip
    if status not in Cheque.IN_HAND:
        reminder_clear(target=cheque, purpose=CHEQUE_DUE_REMINDER)
    elif from_status == Cheque.Status.BOUNCED:
        _schedule_due_reminders(cheque)
    _refresh(cheque.contact_id, touched)
    if status == Cheque.Status.BOUNCED:
        _alert_bounce(cheque, reason.strip())
    return cheque


def _alert_bounce(cheque: Cheque, reason: str) -> None:
    amount = _stored(cheque.amount)
    title = f"چک {cheque.sayad_id} از {cheque.contact.name} به مبلغ {amount} برگشت خورد"
    for user in alert_users(cheque):
        notify(user=user, title=title, body=reason, url=cheque.get_absolute_url(), assignment=True)


# Merged contacts ---------------------------------------------------------------------------


def contacts_merging(*, survivor, duplicate, by) -> None:
    """Before a merge locks the two contacts (contacts.services.CONTACTS_MERGING): both
    accounts locked (lower id first: two merges of the same pair cannot deadlock), so that
    no receipt or cheque move on either customer runs in the middle of the move."""
    for contact_id in sorted({survivor.pk, duplicate.pk}):
        lock_account(contact_id)


def contacts_merged(*, survivor, duplicate, by) -> None:
    """After a merge moved the duplicate's invoices, receipts, cheques and account lines
    to the survivor (contacts.services.CONTACTS_MERGED): the survivor's account is what it
    would be had all of them been recorded on it — one opening balance (the two added up,
    as opening_balance_set keeps one), the duplicate's unallocated credit settling the
    survivor's open debts and the other way round (as the next invoice or receipt would),
    and the totals recomputed from the rows. The duplicate's account row was dropped by
    the merge (the survivor has one since contacts_merging): nothing is left on it."""
    lock_account(survivor.pk)
    before = Account.objects.get(pk=survivor.pk).balance
    touched: set[int] = set()
    openings = list(
        Entry.objects.filter(contact_id=survivor.pk, kind=Entry.Kind.OPENING).order_by("date", "id")
    )
    if len(openings) > 1:
        for old in openings:
            touched |= _release(old)
        _refresh(survivor.pk, touched)
        Entry.objects.filter(pk__in=[old.pk for old in openings]).delete()
        touched -= {old.pk for old in openings}
        amount = sum(old.debit - old.credit for old in openings)
        if amount:
            side = {"debit": amount} if amount > 0 else {"credit": -amount}
            entry = _entry(
                contact_id=survivor.pk,
                date=openings[0].date,
                kind=Entry.Kind.OPENING,
                description=str(Entry.Kind.OPENING.label),
                created_by=by,
                **side,
            )
            touched.add(entry.pk)
    touched |= _match(survivor.pk, by)
    _refresh(survivor.pk, touched)
    after = Account.objects.get(pk=survivor.pk).balance
    if after != before:
        # The survivor's history says what the duplicate's money did to its balance.
        log_event(survivor, user=by, field="account_merge", label="مانده حساب", old=_stored(before),
                  new=_stored(after))  # fmt: skip


# The opening balance ----------------------------------------------------------------------


@transaction.atomic
def opening_balance_set(*, contact, amount: int, date: datetime.date, by) -> Entry | None:
    """The contact's balance when Peyvand took over their account (مانده اول دوره):
    positive, they owed us; negative, we owed them; zero, none. Replaces the earlier one
    (what it had settled is matched again)."""
    lock_account(contact.pk)
    old = Entry.objects.filter(contact=contact, kind=Entry.Kind.OPENING).first()
    touched: set[int] = set()
    before = ""
    if old is not None:
        before = _stored(old.debit or -old.credit)
        touched |= _release(old)
        _refresh(contact.pk, touched)
        old.delete()
        touched.discard(old.pk)
    entry = None
    if amount:
        side = {"debit": amount} if amount > 0 else {"credit": -amount}
        entry = _entry(
            contact_id=contact.pk,
            date=date,
            kind=Entry.Kind.OPENING,
            description=str(Entry.Kind.OPENING.label),
            created_by=by,
            **side,
        )
        touched.add(entry.pk)
    touched |= _match(contact.pk, by)
    _refresh(contact.pk, touched)
    log_event(contact, user=by, field="opening_balance", label="مانده اول دوره", old=before,
              new=_stored(amount) if amount else "")  # fmt: skip
    return entry
