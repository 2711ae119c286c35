import re

import django
import phonenumbers
import pytest
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

if not settings.configured:  # run without the project settings: -p no:django
    settings.configure(USE_I18N=False)
    django.setup()

from peyvand.core import validators
from peyvand.core.validators import (
    IDENTIFIER_KINDS,
    format_mobile_national,
    identifier_form_field,
    normalize_bank_card,
    normalize_economic_code,
    normalize_iban,
    normalize_landline,
    normalize_legal_id,
    normalize_mobile,
    normalize_national_id,
    normalize_postal_code,
)

PERSIAN_LETTER = re.compile("[ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی]")


def assert_rejected(normalize, value, code):
    with pytest.raises(ValidationError) as caught:
        normalize(value)
    error = caught.value
    assert error.code == code
    assert PERSIAN_LETTER.search(error.message), error.message
    assert "{" not in error.message and "%" not in error.message
    return error


def with_last_digit_changed(value: str) -> list[str]:
    return [value[:-1] + digit for digit in "0123456789" if digit != value[-1]]


# --- national ID ----------------------------------------------------------------------

VALID_NATIONAL_IDS = ["0012345679", "1234567891", "2287654321"]


@pytest.mark.parametrize("national_id", VALID_NATIONAL_IDS)
def test_it_accepts_a_valid_national_id(national_id):
    assert normalize_national_id(national_id) == national_id


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("۰۰۱۲۳۴۵۶۷۹", "0012345679"),
        ("١٢٣٤٥٦٧٨٩١", "1234567891"),
        ("228-765432-1", "2287654321"),
        (" 228 765 4321 ", "2287654321"),
        ("\u200f۲۲۸۷۶۵۴۳۲۱\u200e", "2287654321"),
    ],
)
def test_it_accepts_a_national_id_in_persian_digits_or_with_separators(typed, stored):
    assert normalize_national_id(typed) == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("12345679", "0012345679"), ("012345679", "0012345679"), ("۱۲۳۴۵۶۷۹", "0012345679")],
)
def test_it_pads_a_national_id_that_lost_its_leading_zeros(typed, stored):
    assert normalize_national_id(typed) == stored


@pytest.mark.parametrize("twin", ["0012345678", "1234567890", "2287654322"])
def test_it_rejects_a_national_id_with_one_digit_changed(twin):
    error = assert_rejected(normalize_national_id, twin, "invalid_checksum")
    assert error.message == "رقم کنترل کد ملی درست نیست؛ لطفاً دوباره بررسی کنید."


@pytest.mark.parametrize("national_id", VALID_NATIONAL_IDS)
def test_it_rejects_every_other_check_digit_of_a_national_id(national_id):
    for twin in with_last_digit_changed(national_id):
        assert_rejected(normalize_national_id, twin, "invalid_checksum")


@pytest.mark.parametrize("digit", "0123456789")
def test_it_rejects_a_national_id_of_one_repeated_digit(digit):
    assert_rejected(normalize_national_id, digit * 10, "repeated_digits")


def test_it_rejects_1111111111_although_its_check_digit_matches():
    assert validators._national_id_checksum_ok("1111111111")
    assert_rejected(normalize_national_id, "1111111111", "repeated_digits")


@pytest.mark.parametrize("typed", ["", "1234567", "12345678901", "۱۲۳"])
def test_it_says_a_national_id_has_ten_digits(typed):
    error = assert_rejected(normalize_national_id, typed, "invalid_length")
    assert error.message == "کد ملی باید ۱۰ رقم باشد."


@pytest.mark.parametrize("typed", ["12345a6789", "۱۲۳۴۵۶۷۸۹O", "1234567891.", "١٢٣٤٥/٦٧٨٩١"])
def test_it_rejects_a_national_id_with_letters_or_signs(typed):
    assert_rejected(normalize_national_id, typed, "invalid_characters")


# --- legal ID -------------------------------------------------------------------------

VALID_LEGAL_IDS = ["10380284790", "10100123456", "10860123456", "14001234562"]


@pytest.mark.parametrize("legal_id", VALID_LEGAL_IDS)
def test_it_accepts_a_valid_legal_id(legal_id):
    assert normalize_legal_id(legal_id) == legal_id


def test_it_accepts_a_legal_id_in_persian_digits_with_spaces():
    assert normalize_legal_id("۱۰۳۸ ۰۲۸۴ ۷۹۰") == "10380284790"


@pytest.mark.parametrize("twin", ["10380284791", "10100123457", "10860123455", "14001234563"])
def test_it_rejects_a_legal_id_with_one_digit_changed(twin):
    error = assert_rejected(normalize_legal_id, twin, "invalid_checksum")
    assert "شناسه ملی" in error.message


@pytest.mark.parametrize("legal_id", VALID_LEGAL_IDS)
def test_it_rejects_every_other_check_digit_of_a_legal_id(legal_id):
    for twin in with_last_digit_changed(legal_id):
        assert_rejected(normalize_legal_id, twin, "invalid_checksum")


def test_a_legal_id_whose_remainder_is_ten_ends_in_zero():
    # c = 8 + 2; Σ (d + c)·w = 319 + 270 + 253 + 190 + 170 + 319 + 324 + 299 + 266 + 306
    # = 2716 = 11·246 + 10, so the check digit is 0.
    assert normalize_legal_id("10100123480") == "10100123480"
    assert_rejected(normalize_legal_id, "10100123481", "invalid_checksum")


@pytest.mark.parametrize("typed", ["1038028479", "103802847901", "0012345679"])
def test_it_says_a_legal_id_has_eleven_digits(typed):
    error = assert_rejected(normalize_legal_id, typed, "invalid_length")
    assert error.message == "شناسه ملی باید ۱۱ رقم باشد."


# --- economic code --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        *((legal_id, legal_id) for legal_id in VALID_LEGAL_IDS),
        ("00123456791234", "00123456791234"),
        ("12345678910000", "12345678910000"),
        ("۲۲۸۷۶۵۴۳۲۱-۰۰۰۱", "22876543210001"),
    ],
)
def test_it_accepts_an_economic_code_of_a_legal_id_or_a_national_id_and_four_digits(typed, stored):
    assert normalize_economic_code(typed) == stored


@pytest.mark.parametrize("twin", ["10380284791", "00123456781234", "12345678900000"])
def test_it_rejects_an_economic_code_with_one_digit_changed(twin):
    error = assert_rejected(normalize_economic_code, twin, "invalid_checksum")
    assert "کد اقتصادی" in error.message


def test_it_rejects_an_economic_code_of_a_repeated_digit_national_id():
    assert_rejected(normalize_economic_code, "11111111111234", "repeated_digits")


@pytest.mark.parametrize("typed", ["0012345679", "001234567912", "0012345679123", ""])
def test_it_says_an_economic_code_has_eleven_or_fourteen_digits(typed):
    error = assert_rejected(normalize_economic_code, typed, "invalid_length")
    assert "۱۱" in error.message and "۱۴" in error.message


# --- postal code ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["1234567890", "12345-67890", "۱۲۳۴۵-۶۷۸۹۰", "١٢٣٤٥ ٦٧٨٩٠", "0000000000"]
)
def test_it_accepts_a_ten_digit_postal_code_in_any_digits(typed):
    expected = "0000000000" if typed == "0000000000" else "1234567890"
    assert normalize_postal_code(typed) == expected


@pytest.mark.parametrize("typed", ["123456789", "12345678901"])
def test_it_says_a_postal_code_has_ten_digits(typed):
    error = assert_rejected(normalize_postal_code, typed, "invalid_length")
    assert error.message == "کد پستی باید ۱۰ رقم باشد."


def test_it_rejects_a_postal_code_with_letters():
    assert_rejected(normalize_postal_code, "12345-6789A", "invalid_characters")


# --- mobile ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "09123456789",
        "0912 345 6789",
        "0912-345-6789",
        "(0912) 345-6789",
        "+989123456789",
        "+98 912 345 6789",
        "+98 (912) 345-67-89",
        "00989123456789",
        "0098 912 345 6789",
        "989123456789",
        "98 912 345 6789",
        "9123456789",
        "912 345 6789",
        "۰۹۱۲۳۴۵۶۷۸۹",
        "۰۹۱۲ ۳۴۵ ۶۷۸۹",
        "٠٩١٢٣٤٥٦٧٨٩",
        "+۹۸ ۹۱۲ ۳۴۵ ۶۷۸۹",
        "۰۰۹۸۹۱۲۳۴۵۶۷۸۹",
        "\u200e+98 912 345 6789\u200f",
    ],
)
def test_it_accepts_a_mobile_in_every_common_form(typed):
    assert normalize_mobile(typed) == "+989123456789"


def test_it_accepts_a_mobile_in_persian_digits():
    assert normalize_mobile("۰۹۳۵۱۲۳۴۵۶۷") == "+989351234567"


def test_it_accepts_a_mobile_already_stored_in_e164():
    assert normalize_mobile(normalize_mobile("09123456789")) == "+989123456789"


@pytest.mark.parametrize("typed", ["0912345678", "091234567890", "0912", "+98", ""])
def test_it_rejects_a_mobile_of_the_wrong_length(typed):
    assert_rejected(normalize_mobile, typed, "invalid_mobile")


@pytest.mark.parametrize("typed", ["0912abc6789", "0912 345 67 89 ext 1", "+98+9123456789"])
def test_it_rejects_a_mobile_with_letters_or_signs(typed):
    # phonenumbers alone would read "abc" as keypad digits 222.
    assert_rejected(normalize_mobile, typed, "invalid_characters")


@pytest.mark.parametrize("typed", ["+1 202 555 0123", "+44 7911 123456"])
def test_it_rejects_a_foreign_mobile(typed):
    assert_rejected(normalize_mobile, typed, "invalid_country")


@pytest.mark.parametrize("landline", ["021-88776655", "+982188776655", "03132345678"])
def test_it_rejects_a_landline_given_as_a_mobile(landline):
    error = assert_rejected(normalize_mobile, landline, "not_mobile")
    assert "ثابت" in error.message


def test_the_mobile_shortcut_agrees_with_a_full_parse_for_every_prefix():
    """Mobiles skip phonenumbers.parse (a fast path for imports); for every 09xx prefix
    and every way of writing it the answer must be the one the full parse gives."""
    for prefix in range(9000, 10000):
        national = f"{prefix}{prefix % 997:03d}{prefix % 89:03d}"[:10]
        for typed in (f"0{national}", f"+98{national}", f"0098{national}", f"98{national}"):
            try:
                expected = _parsed_mobile(typed)
            except ValidationError as error:
                expected = error.code
            try:
                got = normalize_mobile(typed)
            except ValidationError as error:
                got = error.code
            assert got == expected, typed


def _parsed_mobile(typed: str) -> str:
    """What phonenumbers alone says of a typed mobile: E.164, or our error code."""
    number = phonenumbers.parse(typed, "IR")
    if not phonenumbers.is_valid_number(number):
        raise ValidationError("", code="invalid_mobile")
    if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
        raise ValidationError("", code="not_mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@pytest.mark.parametrize("typed", ["+989123456789", "09123456789", "۰۹۱۲-۳۴۵-۶۷۸۹"])
def test_it_formats_a_mobile_the_national_way(typed):
    assert format_mobile_national(typed) == "0912 345 6789"


# --- landline -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "021-88776655",
        "02188776655",
        "021 8877 6655",
        "(021) 88776655",
        "+98 21 8877 6655",
        "+982188776655",
        "0098 21 88776655",
        "۰۲۱-۸۸۷۷۶۶۵۵",
        "٠٢١٨٨٧٧٦٦٥٥",
    ],
)
def test_it_accepts_a_landline_with_its_area_code(typed):
    assert normalize_landline(typed) == "+982188776655"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("031-32345678", "+983132345678"), ("051 3876 5432", "+985138765432")],
)
def test_it_accepts_landlines_outside_tehran(typed, stored):
    assert normalize_landline(typed) == stored


@pytest.mark.parametrize("mobile", ["09123456789", "+98 912 345 6789", "۰۹۱۲۳۴۵۶۷۸۹"])
def test_it_rejects_a_mobile_given_as_a_landline(mobile):
    error = assert_rejected(normalize_landline, mobile, "not_landline")
    assert "همراه" in error.message


@pytest.mark.parametrize("typed", ["021-8877665", "021-887766551", "8877"])
def test_it_rejects_a_landline_of_the_wrong_length(typed):
    assert_rejected(normalize_landline, typed, "invalid_landline")


# --- IBAN -----------------------------------------------------------------------------

VALID_IBANS = ["IR820540102680020817909002", "IR270170000000100324200001"]


@pytest.mark.parametrize("iban", VALID_IBANS)
def test_it_accepts_a_valid_iban(iban):
    assert normalize_iban(iban) == iban


@pytest.mark.parametrize(
    "typed",
    [
        "820540102680020817909002",
        "ir820540102680020817909002",
        "Ir82 0540 1026 8002 0817 9090 02",
        "IR82-0540-1026-8002-0817-9090-02",
        "IR۸۲۰۵۴۰۱۰۲۶۸۰۰۲۰۸۱۷۹۰۹۰۰۲",
        "۸۲۰۵۴۰۱۰۲۶۸۰۰۲۰۸۱۷۹۰۹۰۰۲",
        "\u200fIR۸۲ ۰۵۴۰ ۱۰۲۶ ۸۰۰۲ ۰۸۱۷ ۹۰۹۰ ۰۲",
    ],
)
def test_it_accepts_an_iban_with_or_without_the_ir_prefix_in_any_digits(typed):
    assert normalize_iban(typed) == "IR820540102680020817909002"


@pytest.mark.parametrize("twin", ["IR820540102680020817909003", "IR270170000000100324200002"])
def test_it_rejects_an_iban_with_one_digit_changed(twin):
    error = assert_rejected(normalize_iban, twin, "invalid_checksum")
    assert "شبا" in error.message


@pytest.mark.parametrize("typed", ["IR8205401026800208179090", "IR82054010268002081790900211", ""])
def test_it_says_an_iban_is_ir_and_24_digits(typed):
    error = assert_rejected(normalize_iban, typed, "invalid_length")
    assert "۲۴" in error.message


def test_it_rejects_a_foreign_iban():
    assert_rejected(normalize_iban, "DE89370400440532013000", "invalid_country")


@pytest.mark.parametrize(
    "typed", ["IR82054010268002081790900X", "IR82.0540.1026.8002.0817.9090.02"]
)
def test_it_rejects_an_iban_with_letters_or_signs_after_ir(typed):
    assert_rejected(normalize_iban, typed, "invalid_characters")


# --- bank card ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["6037990000000006", "6037-9900-0000-0006", "۶۰۳۷ ۹۹۰۰ ۰۰۰۰ ۰۰۰۶"]
)
def test_it_accepts_a_bank_card_that_passes_luhn(typed):
    assert normalize_bank_card(typed) == "6037990000000006"


def test_it_rejects_a_bank_card_that_fails_luhn():
    error = assert_rejected(normalize_bank_card, "6037990000000007", "invalid_checksum")
    assert "شماره کارت" in error.message


def test_it_rejects_every_other_check_digit_of_a_bank_card():
    for twin in with_last_digit_changed("6037990000000006"):
        assert_rejected(normalize_bank_card, twin, "invalid_checksum")


@pytest.mark.parametrize("typed", ["603799000000000", "60379900000000061"])
def test_it_says_a_bank_card_has_sixteen_digits(typed):
    error = assert_rejected(normalize_bank_card, typed, "invalid_length")
    assert error.message == "شماره کارت باید ۱۶ رقم باشد."


@pytest.mark.parametrize(
    ("digits", "passes"),
    [("79927398713", True), ("79927398710", False), ("4539578763621486", True), ("0", True)],
)
def test_the_luhn_check_matches_published_examples(digits, passes):
    assert validators._luhn_ok(digits) is passes


# --- validators and form fields -------------------------------------------------------

# kind: (what a user types, the stored form, an invalid value, its error code)
EXAMPLES = {
    "national_id": ("۰۰۱۲۳۴۵۶۷۹", "0012345679", "0012345678", "invalid_checksum"),
    "legal_id": ("۱۰۳۸۰۲۸۴۷۹۰", "10380284790", "10380284791", "invalid_checksum"),
    "economic_code": ("۰۰۱۲۳۴۵۶۷۹۱۲۳۴", "00123456791234", "00123456781234", "invalid_checksum"),
    "postal_code": ("۱۲۳۴۵-۶۷۸۹۰", "1234567890", "123456789", "invalid_length"),
    "mobile": ("۰۹۱۲ ۳۴۵ ۶۷۸۹", "+989123456789", "02188776655", "not_mobile"),
    "landline": ("۰۲۱-۸۸۷۷۶۶۵۵", "+982188776655", "09123456789", "not_landline"),
    "iban": (
        "۸۲۰۵۴۰۱۰۲۶۸۰۰۲۰۸۱۷۹۰۹۰۰۲",
        "IR820540102680020817909002",
        "IR820540102680020817909003",
        "invalid_checksum",
    ),
    "bank_card": (
        "۶۰۳۷-۹۹۰۰-۰۰۰۰-۰۰۰۶",
        "6037990000000006",
        "6037990000000007",
        "invalid_checksum",
    ),
    "sayad_id": ("۱۲۳۴ ۵۶۷۸ ۹۰۱۲ ۳۴۵۶", "1234567890123456", "123456789012345", "invalid_length"),
    "goods_service_id": ("۲۷۲۰۰۰۰ ۱۱۴۵۴۲", "2720000114542", "272000011454", "invalid_length"),
}


def test_every_identifier_kind_has_an_example():
    assert set(EXAMPLES) == set(IDENTIFIER_KINDS)


@pytest.mark.parametrize("kind", EXAMPLES)
def test_each_validator_accepts_the_stored_form_and_rejects_an_invalid_value(kind):
    validate = getattr(validators, f"validate_{kind}")
    _typed, stored, invalid, code = EXAMPLES[kind]
    assert validate(stored) is None
    assert_rejected(validate, invalid, code)


@pytest.mark.parametrize("kind", EXAMPLES)
def test_each_form_field_cleans_to_the_stored_form(kind):
    typed, stored, _invalid, _code = EXAMPLES[kind]
    field = identifier_form_field(kind)
    assert isinstance(field, forms.CharField)
    assert field.clean(typed) == stored
    assert field.clean(stored) == stored


@pytest.mark.parametrize("kind", EXAMPLES)
def test_each_form_field_reports_the_validation_code(kind):
    _typed, _stored, invalid, code = EXAMPLES[kind]
    assert_rejected(identifier_form_field(kind).clean, invalid, code)


@pytest.mark.parametrize("kind", EXAMPLES)
def test_each_form_field_is_left_to_right_with_a_valid_persian_example(kind):
    attrs = identifier_form_field(kind).widget.attrs
    assert attrs["dir"] == "ltr"
    assert re.search("[۰-۹]", attrs["placeholder"])
    IDENTIFIER_KINDS[kind].normalize(attrs["placeholder"])  # the example itself is valid


def test_a_form_field_keeps_the_attributes_the_caller_set():
    field = identifier_form_field(
        "mobile", widget=forms.TextInput(attrs={"placeholder": "شماره همراه", "class": "x"})
    )
    assert field.widget.attrs["placeholder"] == "شماره همراه"
    assert field.widget.attrs["class"] == "x"
    assert field.widget.attrs["dir"] == "ltr"


def test_an_optional_form_field_cleans_empty_input_to_an_empty_string():
    field = identifier_form_field("national_id", required=False)
    assert field.clean("") == ""
    assert field.clean("   ") == ""


def test_a_required_form_field_rejects_empty_input():
    with pytest.raises(ValidationError) as caught:
        identifier_form_field("national_id").clean("")
    assert caught.value.error_list[0].code == "required"


def test_a_form_field_sees_no_change_when_the_same_number_is_typed_differently():
    field = identifier_form_field("mobile")
    assert not field.has_changed("+989123456789", "۰۹۱۲ ۳۴۵ ۶۷۸۹")
    assert field.has_changed("+989123456789", "09351234567")


def test_an_unknown_identifier_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="passport"):
        identifier_form_field("passport")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2720000114542", "2720000114542"),
        ("۲۷۲۰۰۰۰۱۱۴۵۴۲", "2720000114542"),
        ("٢٧٢٠٠٠٠١١٤٥٤٢", "2720000114542"),  # Arabic-Indic digits
        (" ۲۷۲ ۰۰۰۰ ۱۱۴ ۵۴۲ ", "2720000114542"),
        ("272-0000-114542", "2720000114542"),
    ],
)
def test_a_goods_or_service_id_is_13_digits_typed_any_way_and_stored_latin(typed, stored):
    assert validators.normalize_goods_service_id(typed) == stored


@pytest.mark.parametrize(
    "typed", ["", "272000011454", "27200001145420", "272000011454x", "+2720000114542"]
)
def test_a_goods_or_service_id_of_another_length_or_with_letters_is_refused(typed):
    error = assert_rejected(validators.normalize_goods_service_id, typed, "invalid_length")
    assert error.message == "شناسه کالا/خدمت باید ۱۳ رقم باشد."
