import pytest

from peyvand.messaging.text import (
    UnknownPlaceholder,
    check_placeholders,
    placeholder_values,
    render,
    sms_length,
)
from tests.factories import ContactFactory, UserFactory


@pytest.mark.parametrize(
    ("text", "parts", "per_part", "unicode"),
    [
        ("", 0, 160, False),
        ("س" * 70, 1, 70, True),  # Persian is UCS-2: 70 in one part…
        ("س" * 71, 2, 67, True),  # …67 a part once split
        ("س" * 134, 2, 67, True),
        ("س" * 135, 3, 67, True),
        ("a" * 160, 1, 160, False),  # Latin-only text uses the GSM alphabet
        ("a" * 161, 2, 153, False),
        ("a" * 159 + "€", 2, 153, False),  # € takes two septets
        ("a" * 69 + "😀", 2, 67, True),  # an emoji is two UCS-2 units
    ],
)
def test_sms_length_counts_parts_as_operators_bill_them(text, parts, per_part, unicode):
    length = sms_length(text)
    assert (length.characters, length.parts, length.per_part, length.unicode) == (
        len(text),
        parts,
        per_part,
        unicode,
    )


def test_unknown_placeholders_are_named_in_persian():
    check_placeholders("سلام {نام}، کد شما {کد_پیگیری}")
    with pytest.raises(UnknownPlaceholder) as raised:
        check_placeholders("سلام {نام_خانوادگی} و {فلان}")
    assert "{نام_خانوادگی}" in str(raised.value)
    assert "{فلان}" in str(raised.value)
    assert "{نام}" in str(raised.value)  # the message lists what is allowed


@pytest.mark.django_db
def test_placeholders_are_filled_per_contact_and_jalali_date():
    contact = ContactFactory(name="مریم احمدی", company="آسا", code="C000042")
    sender = UserFactory(first_name="سارا", last_name="کامرانی")
    values = placeholder_values(contact=contact, sender=sender, company_name="پیوند")
    text = render("{نام} عزیز از {شرکت} ({کد})، {تاریخ} — {نام_فرستنده}، {نام_شرکت_ما}", values)
    # Stored with Latin digits like all text; sent and shown in Persian (core.digits).
    assert text.startswith("مریم احمدی عزیز از آسا (C000042)، 14")
    assert text.endswith("— سارا کامرانی، پیوند")
    # A placeholder with no value becomes empty text, never "{کد_پیگیری}".
    assert render("کد: {کد_پیگیری}", values) == "کد: "
