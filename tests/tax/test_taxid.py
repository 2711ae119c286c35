"""The tax ID against every worked example of docs/moadian-research.md §1.3 (tax IDs the
organisation printed, its Java SDK's README, the Snapp PHP test vectors), and Verhoeff's
guarantees as properties."""

import random
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from peyvand.tax.taxid import (
    MAX_SERIAL,
    TaxIdError,
    check_digit,
    control_digits,
    day_number,
    normalize_memory_id,
    parse_tax_id,
    tax_id,
    verhoeff_valid,
)

TEHRAN = timezone(timedelta(hours=3, minutes=30))

# memory id, serial, day, the Verhoeff input, the tax id (§1.3, rows 1–11).
WORKED_EXAMPLES = [
    ("A11216", 49321217, 19490, "6511216019490000049321217", "A1121604C220002F095011"),
    ("A111DW", 4409600, 20099, "651116887020099000004409600", "A111DW04E8300004349008"),
    ("A111DW", 3982570, 20099, "651116887020099000003982570", "A111DW04E8300003CC4EA5"),
    ("A111H1", 487273132, 20134, "65111721020134000487273132", "A111H104EA6001D0B32AC6"),
    ("A1112K", 486548735745, 19730, "65111275019730486548735745", "A1112K04D1271489087018"),
    ("DEF5GH", 12, 18463, "68697057172018463000000000012", "DEF5GH0481F000000000C2"),
    ("DEF5GH", 8173, 18463, "68697057172018463000000008173", "DEF5GH0481F0000001FED8"),
    ("DEF5GH", 2572613409, 18463, "68697057172018463002572613409", "DEF5GH0481F009956F7211"),
    ("A3NFZT", 1, 20167, "65378709084020167000000000001", "A3NFZT04EC700000000010"),
    ("A3NFZT", 1, 20168, "65378709084020168000000000001", "A3NFZT04EC800000000019"),
    ("123456", 42, 20088, "123456020088000000000042", "12345604E78000000002A1"),
]


@pytest.mark.parametrize(("memory_id", "serial", "day", "control", "expected"), WORKED_EXAMPLES)
def test_it_reproduces_the_worked_example(memory_id, serial, day, control, expected):
    assert control_digits(memory_id, day, serial) == control
    assert tax_id(memory_id, day, serial) == expected
    parsed = parse_tax_id(expected)
    assert (parsed.memory_id, parsed.day, parsed.serial) == (memory_id, day, serial)
    assert parsed.inno == expected[11:21]


def test_it_takes_the_day_from_indatim_in_milliseconds():
    # RC_TICS p.20: indatim 1683997837988 is 2023-05-13 (UTC), day 19490.
    assert day_number(1683997837988) == 19490
    assert tax_id("A11216", day_number(1683997837988), 49321217) == "A1121604C220002F095011"


def test_it_takes_the_day_from_a_utc_date_or_an_aware_instant():
    assert day_number(date(2023, 5, 13)) == 19490
    assert tax_id("123456", datetime(2024, 12, 31, 23, 59, 59, tzinfo=UTC), 42) == (
        "12345604E78000000002A1"
    )
    assert tax_id("123456", date(2024, 12, 31), 42) == "12345604E78000000002A1"


def test_an_invoice_issued_just_after_tehran_midnight_carries_the_previous_utc_day():
    # 1404-01-01 00:00:01 in Tehran is 2025-03-20T20:30:01Z: the official SDKs take the
    # UTC day (20167, row 9), not the Tehran calendar day (20168, row 10).
    issued = datetime(2025, 3, 21, 0, 0, 1, tzinfo=TEHRAN)
    assert issued.astimezone(UTC) == datetime(2025, 3, 20, 20, 30, 1, tzinfo=UTC)
    assert day_number(issued) == 20167
    assert tax_id("A3NFZT", issued, 1) == "A3NFZT04EC700000000010"
    # The mistake the note warns of: the Tehran date as if it were the day.
    assert tax_id("A3NFZT", issued.date(), 1) == "A3NFZT04EC800000000019"
    # One second before Tehran midnight is still the same UTC day.
    assert day_number(issued - timedelta(seconds=2)) == 20167


def test_verhoeff_matches_the_textbook_vector():
    assert check_digit("236") == "3"
    assert verhoeff_valid("2363")
    assert not verhoeff_valid("2364")


def test_it_normalises_a_typed_memory_id():
    assert normalize_memory_id(" a11216 ") == "A11216"
    assert normalize_memory_id("A۱۱۲۱۶") == "A11216"
    assert tax_id("a1121۶", 19490, 49321217) == "A1121604C220002F095011"
    assert parse_tax_id("a1121604c220002f095011").value == "A1121604C220002F095011"


@pytest.mark.parametrize("memory_id", ["", "A1121", "A112167", "A1-216", "آ11216", "A 1216"])
def test_it_refuses_a_memory_id_that_is_not_six_latin_letters_or_digits(memory_id):
    with pytest.raises(TaxIdError) as caught:
        tax_id(memory_id, 19490, 1)
    assert "حافظهٔ مالیاتی" in caught.value.message
    assert "۶ نویسه" in caught.value.message


@pytest.mark.parametrize("serial", [0, -1, MAX_SERIAL + 1, 0xFFFFFFFFFF + 1, True, "12"])
def test_it_refuses_a_serial_out_of_range(serial):
    with pytest.raises(TaxIdError) as caught:
        tax_id("A11216", 19490, serial)
    assert "سریال داخلی صورتحساب" in caught.value.message


def test_the_largest_serial_fits_both_encodings():
    value = tax_id("A11216", 19490, MAX_SERIAL)
    assert len(value) == 22
    assert parse_tax_id(value).serial == MAX_SERIAL


@pytest.mark.parametrize("day", [-1, 1_000_000])
def test_it_refuses_a_day_out_of_range(day):
    with pytest.raises(TaxIdError) as caught:
        tax_id("A11216", day, 1)
    assert "روز صدور" in caught.value.message


def test_it_refuses_a_naive_issue_time():
    with pytest.raises(TaxIdError) as caught:
        tax_id("A11216", datetime(2025, 3, 21, 0, 0, 1), 1)
    assert "منطقهٔ زمانی" in caught.value.message


@pytest.mark.parametrize(
    "value", ["", "A1121604C220002F09501", "A1121604C220002F0950111", "A1121604C220002G095011"]
)
def test_it_refuses_a_string_that_is_not_shaped_like_a_tax_id(value):
    with pytest.raises(TaxIdError) as caught:
        parse_tax_id(value)
    assert "۲۲ نویسه" in caught.value.message


def _controls() -> list[str]:
    """The worked examples' check strings and 120 more from a seeded generator."""
    rng = random.Random(24)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    controls = [row[3] for row in WORKED_EXAMPLES]
    for _ in range(120):
        memory_id = "".join(rng.choice(alphabet) for _ in range(6))
        controls.append(
            control_digits(memory_id, rng.randint(0, 40_000), rng.randint(1, MAX_SERIAL))
        )
    return controls


def test_any_single_changed_digit_changes_the_check_digit():
    for control in _controls():
        digit = check_digit(control)
        assert verhoeff_valid(control + digit)
        for position, original in enumerate(control):
            for replacement in "0123456789":
                if replacement == original:
                    continue
                changed = control[:position] + replacement + control[position + 1 :]
                assert check_digit(changed) != digit, (control, position, replacement)
                assert not verhoeff_valid(changed + digit)


def test_any_swap_of_two_neighbouring_digits_changes_the_check_digit():
    for control in _controls():
        digit = check_digit(control)
        for position in range(len(control) - 1):
            a, b = control[position], control[position + 1]
            if a == b:
                continue
            swapped = control[:position] + b + a + control[position + 2 :]
            assert check_digit(swapped) != digit, (control, position)


@pytest.mark.parametrize("row", WORKED_EXAMPLES, ids=[row[4] for row in WORKED_EXAMPLES])
def test_a_tax_id_with_a_changed_check_or_memory_digit_is_refused(row):
    value = row[4]
    # The check character, and every digit of the memory id (a digit stands for itself
    # in the check string, so changing it is a single-digit change Verhoeff catches).
    positions = [21] + [i for i in range(6) if value[i].isdigit()]
    for position in positions:
        for replacement in "0123456789":
            if replacement == value[position]:
                continue
            changed = value[:position] + replacement + value[position + 1 :]
            with pytest.raises(TaxIdError) as caught:
                parse_tax_id(changed)
            assert "رقم کنترلی" in caught.value.message
