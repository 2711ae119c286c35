"""The 22-character tax ID («شماره منحصر به فرد مالیاتی», ``taxid`` in the invoice JSON).

Layout (docs/moadian-research.md §1): the fiscal memory id (6 characters), the day in
hex (5), the invoice serial in hex (10), one Verhoeff check digit. The check digit is
computed over a *decimal* string: the memory id with every letter replaced by its ASCII
code ("A" → "65") and digits kept, then the day in decimal padded to 6, then the serial
in decimal padded to 12. This is the official Java and .NET SDKs' algorithm, and the
tests pin every worked example of the research note.

The day is the **UTC** day, ``floor(epoch_seconds / 86400)``, as both official SDKs
compute it: an invoice issued between 00:00 and 03:29 Tehran time carries the previous
Gregorian day. Pass the issue instant (an aware datetime) or ``indatim`` in milliseconds
through ``day_number`` rather than a Tehran calendar date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.utils.translation import gettext as _

from peyvand.core.text import to_latin_digits

__all__ = [
    "MAX_DAY",
    "MAX_SERIAL",
    "TaxId",
    "TaxIdError",
    "check_digit",
    "control_digits",
    "day_number",
    "normalize_memory_id",
    "parse_tax_id",
    "tax_id",
    "verhoeff_valid",
]

# The day is 5 hex characters in the ID and 6 decimal digits in the check string: both
# hold days up to 999,999 (year 4707). The serial is 10 hex characters and 12 decimal
# digits; 12 decimal digits is the narrower, so the largest serial is 999,999,999,999
# (0xE8D4A50FFF). Serials start at 1.
MAX_DAY = 999_999
MAX_SERIAL = 999_999_999_999
_MS_PER_DAY = 86_400_000
_EPOCH = date(1970, 1, 1)

_MEMORY_ID = re.compile(r"[A-Z0-9]{6}")
_TAX_ID = re.compile(r"([A-Z0-9]{6})([0-9A-F]{5})([0-9A-F]{10})([0-9])")

# Verhoeff's tables: d (the dihedral group D5), p (the position permutations), inv.
_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)


class TaxIdError(ValueError):
    """Input a tax ID cannot be made of (or a string that is not one); ``message`` is
    Persian, for the person who typed the memory id or the serial."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class TaxId:
    memory_id: str
    day: int
    serial: int
    value: str  # the 22 characters

    @property
    def inno(self) -> str:
        """The invoice serial field ``inno``: the ID's 10 hex serial characters."""
        return self.value[11:21]


def _verhoeff(digits: str, offset: int) -> int:
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _D[c][_P[(i + offset) % 8][int(ch)]]
    return c


def check_digit(digits: str) -> str:
    """Verhoeff's check digit for a string of decimal digits ("236" → "3").

    Generating uses position ``i + 1`` (the digit about to be appended is position 0);
    ``verhoeff_valid`` checks a number that already ends in its digit with position ``i``.
    """
    if not digits.isascii() or not digits.isdigit():
        raise TaxIdError(_("رقم کنترلی فقط از روی رقم‌ها ساخته می‌شود."))
    return str(_INV[_verhoeff(digits, 1)])


def verhoeff_valid(digits: str) -> bool:
    """Whether ``digits`` (ending in its check digit) passes Verhoeff's check."""
    return digits.isascii() and digits.isdigit() and _verhoeff(digits, 0) == 0


def normalize_memory_id(memory_id: str) -> str:
    """The memory id as issued: 6 upper-case Latin letters or digits. Persian digits and
    lower case are accepted from a person and normalised; anything else is refused."""
    value = to_latin_digits(str(memory_id or "").strip()).upper()
    if not _MEMORY_ID.fullmatch(value):
        raise TaxIdError(
            _(
                "شناسهٔ یکتای حافظهٔ مالیاتی باید ۶ نویسه از حروف لاتین بزرگ (A تا Z) "
                "و رقم‌ها باشد؛ «%(value)s» نیست."
            )
            % {"value": memory_id}
        )
    return value


def day_number(moment: datetime | date | int) -> int:
    """The day part of a tax ID: days since 1970-01-01 in UTC.

    An aware datetime is the issue instant; an int is ``indatim`` in milliseconds; a
    plain date is taken as a UTC calendar date (a Tehran date would be a day late for
    invoices issued before 03:30). A naive datetime is refused: its day is a guess.
    """
    if isinstance(moment, bool):
        raise TaxIdError(_("زمان صدور صورتحساب معتبر نیست."))
    if isinstance(moment, int):
        if moment < 0:
            raise TaxIdError(_("زمان صدور صورتحساب معتبر نیست."))
        return moment // _MS_PER_DAY
    if isinstance(moment, datetime):
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise TaxIdError(_("زمان صدور صورتحساب باید با منطقهٔ زمانی داده شود."))
        return (moment.astimezone(UTC).date() - _EPOCH).days
    if isinstance(moment, date):
        return (moment - _EPOCH).days
    raise TaxIdError(_("زمان صدور صورتحساب معتبر نیست."))


def _check_day(day: int) -> int:
    if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= MAX_DAY:
        raise TaxIdError(_("روز صدور صورتحساب بیرون از بازهٔ مجاز است."))
    return day


def _check_serial(serial: int) -> int:
    if isinstance(serial, bool) or not isinstance(serial, int) or not 1 <= serial <= MAX_SERIAL:
        raise TaxIdError(
            _("سریال داخلی صورتحساب باید عددی از ۱ تا ۹۹۹٬۹۹۹٬۹۹۹٬۹۹۹ باشد؛ «%(value)s» نیست.")
            % {"value": serial}
        )
    return serial


def control_digits(memory_id: str, day: int, serial: int) -> str:
    """The decimal string the check digit is computed over (see the module docstring)."""
    memory_id = normalize_memory_id(memory_id)
    day = _check_day(day)
    serial = _check_serial(serial)
    letters = "".join(ch if ch.isdigit() else str(ord(ch)) for ch in memory_id)
    return f"{letters}{day:06d}{serial:012d}"


def tax_id(memory_id: str, day: date | int, serial: int) -> str:
    """The 22-character tax ID of invoice ``serial`` issued on ``day`` under
    ``memory_id``. ``day`` is a day number (``day_number``), an aware issue datetime or
    a UTC calendar date. Raises TaxIdError (Persian) for an impossible input."""
    if not isinstance(day, int):
        day = day_number(day)
    memory_id = normalize_memory_id(memory_id)
    control = control_digits(memory_id, day, serial)
    return f"{memory_id}{day:05X}{serial:010X}{check_digit(control)}"


def parse_tax_id(value: str) -> TaxId:
    """The parts of a tax ID, after checking its shape and its check digit; TaxIdError
    (Persian) when it is not one."""
    text = to_latin_digits(str(value or "").strip()).upper()
    match = _TAX_ID.fullmatch(text)
    if match is None:
        raise TaxIdError(
            _("شماره منحصر به فرد مالیاتی باید ۲۲ نویسه باشد؛ «%(value)s» نیست.") % {"value": value}
        )
    memory_id, day_hex, serial_hex, digit = match.groups()
    day, serial = int(day_hex, 16), int(serial_hex, 16)
    try:
        control = control_digits(memory_id, day, serial)
    except TaxIdError:
        control = ""
    if not control or not verhoeff_valid(control + digit):
        raise TaxIdError(
            _("رقم کنترلی شماره منحصر به فرد مالیاتی «%(value)s» درست نیست.") % {"value": value}
        )
    return TaxId(memory_id=memory_id, day=day, serial=serial, value=text)
