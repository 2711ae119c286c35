"""Numbering series for tracking codes and record codes.

``next_code`` must run inside the transaction that saves the record: the UPDATE takes the
sequence row's lock until commit, so concurrent callers queue instead of sharing a number
(PostgreSQL row lock; SQLite serialises writers with transaction_mode=IMMEDIATE)."""

from django.db import IntegrityError, transaction
from django.db.models import F

from peyvand.core.dates import jalali_today
from peyvand.core.models import Sequence


def ensure_sequence(kind: str, name: str, **defaults) -> Sequence:
    try:
        with transaction.atomic():
            sequence, _created = Sequence.objects.get_or_create(
                kind=kind, defaults={"name": name, **defaults}
            )
    except IntegrityError:  # created concurrently by someone else
        sequence = Sequence.objects.get(kind=kind)
    return sequence


def next_code(kind: str) -> str:
    return next_codes(kind, 1)[0]


def next_codes(kind: str, count: int) -> list[str]:
    """The next ``count`` codes of the series, taken with one UPDATE (bulk imports)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_code() must run inside the record's transaction")
    year = jalali_today().year
    # Restart a yearly series at the first call of a new Jalali year; the WHERE makes
    # this idempotent when several callers race to do it.
    Sequence.objects.filter(kind=kind, yearly=True).exclude(year=year).update(
        year=year, last_number=0
    )
    updated = Sequence.objects.filter(kind=kind).update(last_number=F("last_number") + count)
    if not updated:
        raise Sequence.DoesNotExist(f"no sequence {kind!r}; call ensure_sequence() first")
    sequence = Sequence.objects.get(kind=kind)
    first = sequence.last_number - count + 1
    return [
        format_code(sequence, number, year) for number in range(first, sequence.last_number + 1)
    ]


def format_code(sequence: Sequence, number: int, year: int) -> str:
    return sequence.pattern.replace("{سال}", str(year)).replace(
        "{شماره}", str(number).zfill(sequence.padding)
    )
