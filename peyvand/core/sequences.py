"""Numbering series for tracking codes and record codes.

``next_code`` must run inside the transaction that saves the record: it locks the
sequence row until commit, so concurrent callers queue instead of sharing a number
(PostgreSQL row lock; SQLite serialises writers with transaction_mode=IMMEDIATE).

Every series steps over codes its records already hold — typed by hand, imported, or
reached again after a manager changed the pattern — counting those in the trash (a
deleted record can come back). A taken code would otherwise fail the unique constraint,
roll the counter back with the transaction, and fail every later registration too."""

import re
import time
from collections.abc import Collection
from itertools import count as numbers_from
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from peyvand.core.dates import jalali_today
from peyvand.core.models import Sequence, text_condition
from peyvand.core.text import fa_search_key, normalize_persian

# Candidates checked per query while stepping over taken codes: a long run of typed codes
# is crossed in a few queries, and the IN list stays well inside every database's limit.
_WINDOW = 500


def ensure_sequence(kind: str, name: str, **defaults) -> Sequence:
    try:
        with transaction.atomic():
            sequence, _created = Sequence.objects.get_or_create(
                kind=kind, defaults={"name": name, **defaults}
            )
    except IntegrityError:  # created concurrently by someone else
        sequence = Sequence.objects.get(kind=kind)
    return sequence


def claim_typed_code(
    kind: str, *, model: type[models.Model], field: str, code: str, record_pk: int | None = None
) -> None:
    """A code typed by hand, taken under the series' lock as ``next_code`` takes its own:
    a typed code and an automatic one can then never both go to the database as the same
    code (the later of the two sees the other's record). The form checked the code when
    it was sent; a record that took it since gets a Persian error on ``field``, not a 500."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("claim_typed_code() must run inside the record's transaction")
    list(Sequence.objects.select_for_update().filter(kind=kind).values_list("pk", flat=True))
    if model._base_manager.filter(**{field: code}).exclude(pk=record_pk).exists():
        raise ValidationError(
            {
                field: (
                    f"کد {code} همین حالا به پرونده دیگری داده شد؛ کد دیگری بنویسید یا "
                    "خالی بگذارید تا شماره بعدی سری داده شود."
                )
            }
        )


def next_code(
    kind: str, *, model: type[models.Model], field: str, scope: dict | None = None
) -> str:
    """The series' next code that no ``model`` record holds in ``field`` (of those that
    match ``scope``, when codes are unique within a part of the table only)."""
    return next_codes(kind, 1, model=model, field=field, scope=scope)[0]


def next_codes(
    kind: str,
    count: int,
    *,
    model: type[models.Model],
    field: str,
    reserved: Collection[str] = (),
    scope: dict | None = None,
) -> list[str]:
    """The series' next ``count`` codes that no ``model`` record holds in ``field`` and
    that are not in ``reserved`` (codes typed into the same bulk import, not saved yet).
    Only the numbers handed out and the taken ones before them are used up."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_code() must run inside the record's transaction")
    year = jalali_today().year
    # Restart a yearly series at the first call of a new Jalali year; the WHERE makes
    # this idempotent when several callers race to do it.
    Sequence.objects.filter(kind=kind, yearly=True).exclude(year=year).update(
        year=year, last_number=0
    )
    try:
        sequence = Sequence.objects.select_for_update().get(kind=kind)
    except Sequence.DoesNotExist:
        raise Sequence.DoesNotExist(f"no sequence {kind!r}; call ensure_sequence() first") from None
    records = model._base_manager.filter(**(scope or {}))  # the trash included
    reserved = set(reserved)
    candidates = numbers_from(sequence.last_number + 1)
    codes: list[str] = []
    last = sequence.last_number
    size = min(count, _WINDOW)
    while len(codes) < count:
        window = [
            (number, format_code(sequence, number, year)) for number in islice(candidates, size)
        ]
        taken = set(
            records.filter(**{f"{field}__in": [code for _number, code in window]}).values_list(
                field, flat=True
            )
        )
        for number, code in window:
            last = number
            if code not in taken and code not in reserved:
                codes.append(code)
                if len(codes) == count:
                    break
        size = _WINDOW  # some were taken: look further ahead in one query
    Sequence.objects.filter(pk=sequence.pk).update(last_number=last)
    return codes


def format_code(sequence: Sequence, number: int, year: int) -> str:
    return sequence.pattern.replace("{سال}", str(year)).replace(
        "{شماره}", str(number).zfill(sequence.padding)
    )


# A code typed by its number: «۶۶» or «c66» for C000066, «۲۵» for this year's L140500025.
_TYPED_NUMBER = re.compile(r"^([A-Za-z]*)(\d{1,9})$")
# How long a process trusts the series' patterns it read: a manager's new pattern is
# searched by its number within this time, and a search costs no query for them.
PATTERNS_SECONDS = 300
_patterns: dict[str, tuple[float, str, int] | None] = {}


def watch_patterns() -> None:
    """A series saved or deleted in this process is read again at its next search
    (other processes within PATTERNS_SECONDS)."""
    from django.db.models.signals import post_delete, post_save

    for signal in (post_save, post_delete):
        signal.connect(_forget_patterns, sender=Sequence, weak=False)


def _forget_patterns(**kwargs) -> None:
    _patterns.clear()


def _pattern(kind: str) -> tuple[str, int] | None:
    cached = _patterns.get(kind)
    if cached is None or cached[0] < time.monotonic():
        row = Sequence.objects.filter(kind=kind).values_list("pattern", "padding").first()
        cached = (time.monotonic() + PATTERNS_SECONDS, *(row or ("", 0)))
        _patterns[kind] = cached
    return (cached[1], cached[2]) if cached[1] else None


def typed_code(field: str, kind: str, text: str) -> models.Q:
    """Rows whose ``field`` (a unique code) is ``text`` as typed (any case, any digits),
    or, when ``text`` is a number (with letters before it, at most), the code the series
    ``kind`` gives that number — in this Jalali year or the two before when its pattern
    has the year: a code is found by its number alone, without its letters and zeros.
    An exact match of a few values, which the code's unique index answers however many
    rows the table holds."""
    typed = normalize_persian(text)
    codes = {typed, typed.upper()}
    match = _TYPED_NUMBER.match(typed)
    if match and (found := _pattern(kind)):
        pattern, padding = found
        letters, number = match.groups()
        this_year = jalali_today().year
        for year in (this_year, this_year - 1, this_year - 2):
            code = pattern.replace("{سال}", str(year)).replace("{شماره}", number.zfill(padding))
            if code.upper().startswith(letters.upper()):
                codes.add(code)
    return models.Q(**{f"{field}__in": sorted(codes)})


def text_or_code(text: str, *, field: str, kind: str) -> models.Q:
    """A list's text rule for rows with a code of series ``kind`` in ``field`` (and
    ``search_key`` and ``short_words`` columns): the row's search key holds the text
    (three characters or more), or the row has the shorter text as a whole word
    (core.models.text_condition), or the code is the one typed, in full or by its number
    («۶۶», «c66» → C000066)."""
    if not fa_search_key(normalize_persian(text)):
        return models.Q()
    code = typed_code(field, kind, text)
    condition = text_condition(text)
    return code if condition is None else condition | code
