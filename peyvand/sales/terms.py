"""Payment terms (شرایط پرداخت): when a proforma's or an invoice's money is due, and an
instalment plan's schedule in whole Jalali months."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from peyvand.core.dates import days_in_jalali_month, from_jalali, to_jalali
from peyvand.core.money import format_money
from peyvand.sales.models import PaymentTerms

# Instalments are rounded down to this many rials (a thousand tomans); the last one takes
# what the rounding left.
INSTALMENT_ROUNDING = 10_000
MAX_INSTALMENTS = 60


@dataclass(frozen=True)
class InstalmentPlan:
    count: int  # instalments after the down payment
    first_due: datetime.date
    down_payment: int = 0


def add_jalali_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` Jalali months later (the month's last day where it is
    shorter: 31 Shahrivar + 1 month = 30 Mehr)."""
    jalali = to_jalali(day)
    index = jalali.month - 1 + months
    year, month = jalali.year + index // 12, index % 12 + 1
    return from_jalali(year, month, min(jalali.day, days_in_jalali_month(year, month)))


def instalment_schedule(
    *, total: int, plan: InstalmentPlan, start: datetime.date
) -> list[tuple[datetime.date, int]]:
    """(due date, amount) rows: the down payment on ``start``, then ``plan.count``
    instalments a Jalali month apart from ``plan.first_due``, equal and rounded down to
    INSTALMENT_ROUNDING but the last, which absorbs the rounding. They add up to
    ``total``; bad plans are refused in Persian."""
    if not 1 <= plan.count <= MAX_INSTALMENTS:
        raise ValidationError({"instalment_count": "تعداد اقساط باید بین ۱ و ۶۰ باشد."})
    if plan.first_due < start:
        raise ValidationError(
            {"first_instalment": "سررسید قسط اول نمی‌تواند پیش از تاریخ سند باشد."}
        )
    if not 0 <= plan.down_payment < total:
        raise ValidationError(
            {"down_payment": f"پیش‌پرداخت باید کمتر از مبلغ کل ({format_money(total)}) باشد."}
        )
    rows = [(start, plan.down_payment)] if plan.down_payment else []
    rest = total - plan.down_payment
    each = rest // plan.count
    if each >= INSTALMENT_ROUNDING:
        each -= each % INSTALMENT_ROUNDING
    for number in range(plan.count):
        amount = each if number < plan.count - 1 else rest - each * (plan.count - 1)
        rows.append((add_jalali_months(plan.first_due, number), amount))
    return rows


def due_date(document, schedule: list[tuple[datetime.date, int]]) -> datetime.date:
    """When the whole document is owed: its date for a cash sale, ``credit_days`` later on
    credit or by cheques, the last instalment's date for a plan."""
    if document.payment_terms == PaymentTerms.INSTALLMENTS and schedule:
        return schedule[-1][0]
    if document.payment_terms in (PaymentTerms.CREDIT, PaymentTerms.CHEQUE):
        return document.date + datetime.timedelta(days=document.credit_days)
    return document.date


def rescheduled(
    schedule: list[tuple[datetime.date, int]], total: int
) -> list[tuple[datetime.date, int]]:
    """A replaced invoice's plan for its new total (a correction, a return): the same due
    dates; a decrease comes off the last instalments first (those then owed nothing are
    dropped), an increase is added to the last."""
    if not schedule:
        return []
    rows = [[day, amount] for day, amount in schedule]
    difference = total - sum(amount for _day, amount in rows)
    if difference >= 0:
        rows[-1][1] += difference
    else:
        for row in reversed(rows):
            taken = min(row[1], -difference)
            row[1] -= taken
            difference += taken
            if not difference:
                break
    return [(day, amount) for day, amount in rows if amount > 0]
