"""Money: amounts are stored as integer rials and shown in rials or tomans (÷10).

Conversions use ``Decimal`` with ROUND_HALF_UP (15 rials → 2 tomans, 25 → 3); Python's
``round`` rounds half to even and would give 2 for both. Ties round away from zero, so
negative amounts mirror positive ones.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from persiantools.digits import to_word

from peyvand.core.text import to_latin_digits, to_persian_digits

MONEY_UNITS = ("rial", "toman")
MONEY_UNIT_LABELS = {"rial": "ریال", "toman": "تومان"}
MONEY_UNIT_CHOICES = [(unit, MONEY_UNIT_LABELS[unit]) for unit in MONEY_UNITS]
_RIALS_PER_UNIT = {"rial": 1, "toman": 10}

DIGIT_STYLES = ("fa", "latin")
ARABIC_THOUSANDS_SEPARATOR = "\u066c"  # ٬
# U+2212 MINUS SIGN after a LEFT-TO-RIGHT MARK, as in CLDR's fa locale: without the
# mark, right-to-left text shows the minus on the right of the number.
NEGATIVE_SIGN = "\u200e\u2212"

_WORDS_LIMIT = 10**15  # persiantools.digits.to_word's range
_BIGINT_MAX = 2**63 - 1  # what a BigIntegerField holds


def _check_unit(unit: str) -> None:
    if unit not in _RIALS_PER_UNIT:
        raise ValueError(f"unknown money unit {unit!r}; expected one of {MONEY_UNITS}")


def _as_rials(rials) -> int:
    """Rials are whole numbers: ints, or a whole ``Decimal`` as database aggregates give."""
    if isinstance(rials, Decimal) and rials == rials.to_integral_value():
        return int(rials)
    if isinstance(rials, bool) or not isinstance(rials, int):
        raise TypeError(f"an amount in rials must be an int, not {type(rials).__name__}")
    return rials


def to_unit(rials: int, unit: str) -> Decimal:
    """The amount in ``unit``, rounded half up to a whole number."""
    _check_unit(unit)
    amount = Decimal(_as_rials(rials)) / _RIALS_PER_UNIT[unit]
    return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def format_money(
    rials: int | None, unit: str = "rial", digits: str = "fa", with_label: bool = True
) -> str:
    """12500000 → "۱۲٬۵۰۰٬۰۰۰ ریال"; with ``digits="latin"`` → "12,500,000 ریال".
    Negative amounts start with ``NEGATIVE_SIGN``. None → ""."""
    if rials is None:
        return ""
    if digits not in DIGIT_STYLES:
        raise ValueError(f"unknown digit style {digits!r}; expected one of {DIGIT_STYLES}")
    amount = int(to_unit(rials, unit))
    text = f"{abs(amount):,}"
    if digits == "fa":
        text = to_persian_digits(text.replace(",", ARABIC_THOUSANDS_SEPARATOR))
    if amount < 0:
        text = NEGATIVE_SIGN + text
    if with_label:
        text = f"{text} {MONEY_UNIT_LABELS[unit]}"
    return text


def amount_in_words(rials: int, unit: str = "rial") -> str:
    """1250000 → "یک میلیون و دویست و پنجاه هزار ریال"; 0 → "صفر ریال"."""
    amount = int(to_unit(rials, unit))
    if abs(amount) >= _WORDS_LIMIT:
        raise ValueError(f"cannot spell out amounts of {_WORDS_LIMIT} or more")
    return f"{to_word(amount)} {MONEY_UNIT_LABELS[unit]}"


# Grouping separators people type: comma, Arabic thousands separator, Arabic comma and
# spaces (plain, no-break, thin, narrow no-break).
_GROUP = ",\u066c\u060c \u00a0\u2009\u202f"
_MONEY_RE = re.compile(rf"([-\u2212])?([0-9]{{1,3}}(?:[{_GROUP}][0-9]{{3}})+|[0-9]+)")
_INVISIBLE_RE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def parse_money(value: str) -> int:
    """A typed amount ("۱۲٬۵۰۰", "12,500", "12500", "-500") → int. Separators, if any,
    must sit between groups of three digits, so "12,50" is an error rather than a guess.
    The unit is the caller's business."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = _INVISIBLE_RE.sub("", to_latin_digits(str(value))).strip()
    match = _MONEY_RE.fullmatch(text)
    if not match:
        raise ValidationError(
            "مبلغ معتبر نیست؛ آن را فقط با رقم وارد کنید، با یا بدون جداکننده هزارگان، "
            "مانند ۱۲٬۵۰۰٬۰۰۰.",
            code="invalid_money",
        )
    sign, number = match.groups()
    amount = int(re.sub(f"[{_GROUP}]", "", number))
    if amount > _BIGINT_MAX:
        raise ValidationError("مبلغ بیش از اندازه بزرگ است.", code="invalid_money")
    return -amount if sign else amount


def parse_amount(value: str) -> int:
    """A typed amount that cannot be negative (a price, a discount, a credit limit)."""
    amount = parse_money(value)
    if amount < 0:
        raise ValidationError("مبلغ نمی‌تواند منفی باشد.", code="negative_money")
    return amount
