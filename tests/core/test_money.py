import re
from decimal import Decimal

import django
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

if not settings.configured:  # run without the project settings: -p no:django
    settings.configure(USE_I18N=False)
    django.setup()

from peyvand.core.money import (
    MONEY_UNIT_LABELS,
    MONEY_UNITS,
    NEGATIVE_SIGN,
    amount_in_words,
    format_money,
    parse_money,
    to_unit,
)

PERSIAN_LETTER = re.compile("[ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی]")
LRM, MINUS = "\u200e", "\u2212"


def test_money_units_are_rial_and_toman_with_persian_labels():
    assert MONEY_UNITS == ("rial", "toman")
    assert MONEY_UNIT_LABELS == {"rial": "ریال", "toman": "تومان"}


# --- to_unit --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rials", "unit", "expected"),
    [
        (12345, "rial", 12345),
        (12500000, "toman", 1250000),
        (14, "toman", 1),
        (15, "toman", 2),
        (16, "toman", 2),
        (25, "toman", 3),
        (35, "toman", 4),
        (5, "toman", 1),
        (4, "toman", 0),
        (-15, "toman", -2),
        (-25, "toman", -3),
        (-14, "toman", -1),
        (Decimal(250), "toman", 25),
    ],
)
def test_to_unit_divides_tomans_by_ten_rounding_half_up(rials, unit, expected):
    result = to_unit(rials, unit)
    assert isinstance(result, Decimal)
    assert result == expected


def test_to_unit_does_not_round_half_to_even_like_python_round():
    assert round(25 / 10) == 2
    assert to_unit(25, "toman") == 3


@pytest.mark.parametrize("rials", [12.5, "125", True, Decimal("12.5")])
def test_to_unit_rejects_anything_but_whole_rials(rials):
    with pytest.raises(TypeError):
        to_unit(rials, "rial")


def test_to_unit_rejects_an_unknown_unit():
    with pytest.raises(ValueError, match="dollar"):
        to_unit(10, "dollar")


# --- format_money ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rials", "unit", "digits", "expected"),
    [
        (12500000, "rial", "fa", "۱۲٬۵۰۰٬۰۰۰ ریال"),
        (12500000, "rial", "latin", "12,500,000 ریال"),
        (12500000, "toman", "fa", "۱٬۲۵۰٬۰۰۰ تومان"),
        (12500000, "toman", "latin", "1,250,000 تومان"),
        (0, "rial", "fa", "۰ ریال"),
        (999, "rial", "fa", "۹۹۹ ریال"),
        (1000, "rial", "fa", "۱٬۰۰۰ ریال"),
        (123456789012, "rial", "fa", "۱۲۳٬۴۵۶٬۷۸۹٬۰۱۲ ریال"),
        (15, "toman", "fa", "۲ تومان"),
        (25, "toman", "fa", "۳ تومان"),
        (14, "toman", "fa", "۱ تومان"),
        (4, "toman", "fa", "۰ تومان"),
        (9995, "toman", "fa", "۱٬۰۰۰ تومان"),
    ],
)
def test_it_formats_money_with_grouped_thousands(rials, unit, digits, expected):
    assert format_money(rials, unit, digits) == expected


def test_it_groups_persian_digits_with_the_arabic_thousands_separator():
    text = format_money(1234567)
    assert "\u066c" in text
    assert "," not in text
    assert not re.search("[0-9]", text)


def test_it_formats_money_in_rials_and_persian_digits_by_default():
    assert format_money(12500000) == "۱۲٬۵۰۰٬۰۰۰ ریال"


def test_it_formats_money_without_the_unit_label():
    assert format_money(12500000, with_label=False) == "۱۲٬۵۰۰٬۰۰۰"
    assert format_money(15, "toman", "latin", with_label=False) == "2"


@pytest.mark.parametrize(
    ("rials", "unit", "digits", "expected"),
    [
        (-12500000, "rial", "fa", f"{LRM}{MINUS}۱۲٬۵۰۰٬۰۰۰ ریال"),
        (-12500, "rial", "latin", f"{LRM}{MINUS}12,500 ریال"),
        (-15, "toman", "fa", f"{LRM}{MINUS}۲ تومان"),
    ],
)
def test_it_puts_a_true_minus_sign_that_stays_left_of_a_negative_number(
    rials, unit, digits, expected
):
    text = format_money(rials, unit, digits)
    assert text == expected
    assert text.startswith(NEGATIVE_SIGN)
    assert "-" not in text


def test_it_shows_no_minus_for_a_negative_amount_that_rounds_to_zero():
    assert format_money(-4, "toman") == "۰ تومان"


def test_it_formats_a_missing_amount_as_empty_text():
    assert format_money(None) == ""
    assert format_money(None, "toman", "latin") == ""


def test_it_rejects_an_unknown_digit_style():
    with pytest.raises(ValueError, match="arabic"):
        format_money(10, digits="arabic")


# --- amount_in_words ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rials", "unit", "expected"),
    [
        (1250000, "rial", "یک میلیون و دویست و پنجاه هزار ریال"),
        (1250000, "toman", "یکصد و بیست و پنج هزار تومان"),
        (0, "rial", "صفر ریال"),
        (0, "toman", "صفر تومان"),
        (15, "toman", "دو تومان"),
        (25, "toman", "سه تومان"),
        (1000, "rial", "یک هزار ریال"),
        (-5, "rial", "منفی پنج ریال"),
    ],
)
def test_it_spells_out_the_amount_in_persian_words(rials, unit, expected):
    assert amount_in_words(rials, unit) == expected


def test_it_spells_out_rials_by_default():
    assert amount_in_words(1250000) == "یک میلیون و دویست و پنجاه هزار ریال"


def test_it_refuses_to_spell_out_amounts_beyond_the_word_list():
    with pytest.raises(ValueError):
        amount_in_words(10**15)


# --- parse_money ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("۱۲٬۵۰۰", 12500),
        ("12,500", 12500),
        ("12500", 12500),
        ("۱۲۵۰۰", 12500),
        ("١٢٬٥٠٠", 12500),
        ("12،500", 12500),
        ("12 500", 12500),
        ("  12,500  ", 12500),
        ("۱۲٬۵۰۰٬۰۰۰", 12500000),
        ("1,234,567,890", 1234567890),
        ("0", 0),
        ("-500", -500),
        ("−1,000", -1000),
        (f"{LRM}{MINUS}۱۲٬۵۰۰", -12500),
        ("\u200f۱۲٬۵۰۰\u200e", 12500),
        (12500, 12500),
    ],
)
def test_it_parses_typed_money_in_any_digits_with_or_without_separators(typed, expected):
    assert parse_money(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "abc",
        "12.5",
        "۱۲٫۵",
        "12,50",
        "1,2345",
        "1234,567",
        "12,345,67",
        "12,,500",
        ",500",
        "500,",
        "12500 ریال",
        "--5",
        "5-",
        "+5",
        "1e5",
        "1_000",
        "۱۲ هزار",
        "99999999999999999999",
        None,
    ],
)
def test_it_rejects_invalid_money_with_a_persian_message(typed):
    with pytest.raises(ValidationError) as caught:
        parse_money(typed)
    assert caught.value.code == "invalid_money"
    assert PERSIAN_LETTER.search(caught.value.message)


@pytest.mark.parametrize("rials", [0, 7, 999, 1000, 12500000, -12500, 9_000_000_000_000])
@pytest.mark.parametrize("digits", ["fa", "latin"])
def test_formatted_money_parses_back_to_the_same_amount(rials, digits):
    assert parse_money(format_money(rials, digits=digits, with_label=False)) == rials
