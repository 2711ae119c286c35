"""Iranian identifiers: turn what users type into the canonical string we store.

Each ``normalize_<kind>`` converts Persian and Arabic-Indic digits to ASCII, drops the
spaces, dashes and invisible bidi marks people type or paste, checks the value and
returns the string to store, or raises ``ValidationError`` with a Persian message and
one of these codes:

    invalid_characters   something other than digits (and, where allowed, "+" or "IR")
    invalid_length       wrong number of digits
    repeated_digits      a national ID made of one digit repeated
    invalid_checksum     the check digit(s) do not match
    invalid_country      a foreign phone number or IBAN
    invalid_mobile       not a valid Iranian mobile number
    invalid_landline     not a valid Iranian fixed-line number
    not_mobile           a valid landline where a mobile was asked for
    not_landline         a valid mobile where a landline was asked for
    invalid              anything else schwifty rejects in an IBAN

``validate_<kind>`` are the same checks as Django validators (for model fields; they
accept the stored canonical form). ``identifier_form_field(kind)`` is a form field whose
``clean`` returns the canonical value. The rules are in /work/shared/DOMAIN.md.
"""

import re
from collections.abc import Callable
from typing import NamedTuple

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from schwifty import IBAN
from schwifty.exceptions import InvalidChecksumDigits, SchwiftyException

from peyvand.core.text import normalize_persian, to_latin_digits, to_persian_digits

# Whitespace, dashes (hyphen, en/em dash, minus…) and the zero-width and bidi marks that
# come along when a number is copied out of right-to-left text.
_SEPARATORS = r"\s\-\u2010-\u2015\u2212\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff"
_SEPARATORS_RE = re.compile(f"[{_SEPARATORS}]+")
_PHONE_SEPARATORS_RE = re.compile(f"[{_SEPARATORS}()]+")
_ASCII_DIGITS_RE = re.compile(r"[0-9]+")  # not \d: it matches every script's digits


def _compact(value, separators: re.Pattern = _SEPARATORS_RE) -> str:
    if value is None:
        return ""
    return separators.sub("", to_latin_digits(str(value)))


def _fa(number: int) -> str:
    return to_persian_digits(str(number))


def _length_error(label: str, length: int) -> ValidationError:
    return ValidationError(f"{label} باید {_fa(length)} رقم باشد.", code="invalid_length")


def _checksum_error(label: str) -> ValidationError:
    return ValidationError(
        f"رقم کنترل {label} درست نیست؛ لطفاً دوباره بررسی کنید.", code="invalid_checksum"
    )


def _digits(value, label: str) -> str:
    """The compacted value, which must be ASCII digits only (empty is a length error)."""
    text = _compact(value)
    if text and not _ASCII_DIGITS_RE.fullmatch(text):
        raise ValidationError(f"{label} باید فقط از رقم تشکیل شده باشد.", code="invalid_characters")
    return text


def _fixed_length_digits(value, label: str, length: int) -> str:
    text = _digits(value, label)
    if len(text) != length:
        raise _length_error(label, length)
    return text


# --- check digits ---------------------------------------------------------------------


def _national_id_checksum_ok(digits: str) -> bool:
    remainder = sum(int(digits[i]) * (10 - i) for i in range(9)) % 11
    return int(digits[9]) == (remainder if remainder < 2 else 11 - remainder)


_LEGAL_ID_WEIGHTS = (29, 27, 23, 19, 17)


def _legal_id_checksum_ok(digits: str) -> bool:
    shift = int(digits[9]) + 2
    total = sum((int(digits[i]) + shift) * _LEGAL_ID_WEIGHTS[i % 5] for i in range(10))
    remainder = total % 11
    return int(digits[10]) == (0 if remainder == 10 else remainder)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _repeated_digits_error(label: str) -> ValidationError:
    return ValidationError(
        f"{label} نمی‌تواند از یک رقم تکراری تشکیل شده باشد.", code="repeated_digits"
    )


# --- normalisers ----------------------------------------------------------------------


def normalize_national_id(value) -> str:
    """کد ملی: 10 digits; 8–9 digits are left-padded with zeros (leading zeros get lost
    when the number passed through a spreadsheet)."""
    label = "کد ملی"
    digits = _digits(value, label)
    if 8 <= len(digits) <= 9:
        digits = digits.zfill(10)
    if len(digits) != 10:
        raise _length_error(label, 10)
    if len(set(digits)) == 1:
        raise _repeated_digits_error(label)
    if not _national_id_checksum_ok(digits):
        raise _checksum_error(label)
    return digits


def normalize_legal_id(value) -> str:
    """شناسه ملی of a legal entity: 11 digits with a check digit."""
    label = "شناسه ملی"
    digits = _fixed_length_digits(value, label, 11)
    if not _legal_id_checksum_ok(digits):
        raise _checksum_error(label)
    return digits


def normalize_economic_code(value) -> str:
    """کد اقتصادی: a legal entity's 11-digit legal ID, or for a person 14 digits of which
    the first 10 are their national ID."""
    label = "کد اقتصادی"
    digits = _digits(value, label)
    if len(digits) == 11:
        if not _legal_id_checksum_ok(digits):
            raise _checksum_error(label)
    elif len(digits) == 14:
        national_id = digits[:10]
        if len(set(national_id)) == 1:
            raise _repeated_digits_error("کد ملیِ ده رقم اول کد اقتصادی")
        if not _national_id_checksum_ok(national_id):
            raise ValidationError(
                "ده رقم اول کد اقتصادی اشخاص حقیقی باید کد ملی معتبر باشد؛ "
                "رقم کنترل آن درست نیست. لطفاً دوباره بررسی کنید.",
                code="invalid_checksum",
            )
    else:
        raise ValidationError(
            "کد اقتصادی باید ۱۱ رقم (شناسه ملی، برای اشخاص حقوقی) "
            "یا ۱۴ رقم (کد ملی و چهار رقم، برای اشخاص حقیقی) باشد.",
            code="invalid_length",
        )
    return digits


def normalize_postal_code(value) -> str:
    """کد پستی: 10 digits (often typed as 5-5), no check digit."""
    return _fixed_length_digits(value, "کد پستی", 10)


class _PhoneKind(NamedTuple):
    label: str
    example: str
    accepted_types: frozenset[int]
    code: str
    other_kind_message: str  # the number is valid but of the other kind
    other_kind_code: str


_MOBILE = _PhoneKind(
    label="شماره تلفن همراه",
    example="۰۹۱۲۳۴۵۶۷۸۹",
    accepted_types=frozenset({phonenumbers.PhoneNumberType.MOBILE}),
    code="invalid_mobile",
    other_kind_message=(
        "این شماره تلفن ثابت است؛ شماره تلفن همراه با ۰۹ شروع می‌شود، مانند ۰۹۱۲۳۴۵۶۷۸۹."
    ),
    other_kind_code="not_mobile",
)
_LANDLINE = _PhoneKind(
    label="شماره تلفن ثابت",
    example="۰۲۱-۸۸۷۷۶۶۵۵",
    accepted_types=frozenset(
        {phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
    ),
    code="invalid_landline",
    other_kind_message=(
        "این شماره تلفن همراه است؛ شماره تلفن ثابت را با کد شهر وارد کنید، مانند ۰۲۱-۸۸۷۷۶۶۵۵."
    ),
    other_kind_code="not_landline",
)
_PHONE_RE = re.compile(r"\+?[0-9]+")
# A whole Iranian mobile number with any of its prefixes, and phonenumbers' own pattern
# for the national part: most numbers in an import or a form are mobiles, and checking
# them against the library's metadata directly is forty times faster than parsing.
_MOBILE_SHAPE_RE = re.compile(r"(?:\+98|0098|98|0)?(9\d{9})")
_IR_METADATA = phonenumbers.PhoneMetadata.metadata_for_region("IR")
_IR_MOBILE_RE = re.compile(_IR_METADATA.mobile.national_number_pattern)
_IR_FIXED_RE = re.compile(_IR_METADATA.fixed_line.national_number_pattern)


def _normalize_phone(value, kind: _PhoneKind) -> str:
    text = _compact(value, _PHONE_SEPARATORS_RE)
    invalid = ValidationError(
        f"{kind.label} معتبر نیست؛ آن را مانند {kind.example} وارد کنید.", code=kind.code
    )
    if not text:
        raise invalid
    # Checked before phonenumbers sees it: it would read letters as a keypad's digits.
    if not _PHONE_RE.fullmatch(text):
        raise ValidationError(
            f"{kind.label} باید فقط از رقم تشکیل شده باشد (و در صورت نیاز + در ابتدای آن).",
            code="invalid_characters",
        )
    shape = _MOBILE_SHAPE_RE.fullmatch(text) if kind is _MOBILE else None
    if shape and _IR_MOBILE_RE.fullmatch(shape[1]) and not _IR_FIXED_RE.fullmatch(shape[1]):
        return "+98" + shape[1]
    try:
        number = phonenumbers.parse(text, "IR")
    except phonenumbers.NumberParseException as error:
        raise invalid from error
    if number.country_code != 98:
        raise ValidationError(
            f"{kind.label} باید یک شماره ایران باشد؛ شماره‌های کشورهای دیگر پذیرفته نمی‌شود.",
            code="invalid_country",
        )
    if not phonenumbers.is_valid_number(number):
        raise invalid
    number_type = phonenumbers.number_type(number)
    if number_type not in kind.accepted_types:
        other = _LANDLINE if kind is _MOBILE else _MOBILE
        if number_type in other.accepted_types:
            raise ValidationError(kind.other_kind_message, code=kind.other_kind_code)
        raise invalid
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_mobile(value) -> str:
    """تلفن همراه in E.164 ("+989123456789"). Accepts 09…, +98 9…, 0098 9…, 98 9… and
    9… with spaces, dashes and parentheses. The operator is not inferred: numbers move
    between operators."""
    return _normalize_phone(value, _MOBILE)


def normalize_landline(value) -> str:
    """تلفن ثابت in E.164 ("+982188776655"), typed with its area code (021-88776655)."""
    return _normalize_phone(value, _LANDLINE)


_NOT_NUMBER_RE = re.compile(r"[^0-9+]")


def any_number(raw: str) -> str:
    """A number from outside — a PBX's caller, an SMS's sender, what a user typed
    (Persian or Arabic digits, spaces, 0098…, or 912… without its zero) — in E.164 when
    it is an Iranian mobile or landline; otherwise its bare digits (an internal
    extension, a number without its area code)."""
    for normalize in (normalize_mobile, normalize_landline):
        try:
            return normalize(raw)
        except ValidationError:
            continue
    return _NOT_NUMBER_RE.sub("", to_latin_digits(raw or ""))[:20]


def format_mobile_national(e164: str) -> str:
    """Show a mobile the Iranian way: "+989123456789" → "0912 345 6789" (ASCII digits;
    convert for display as needed). Takes anything ``normalize_mobile`` accepts."""
    return format_phone_national(normalize_mobile(e164))


def format_phone_national(e164: str) -> str:
    """Any stored E.164 number as Iranians write it ("+982188776655" → "021 8877 6655");
    text that is not a phone number comes back unchanged."""
    if len(e164) == 13 and e164.startswith("+989") and e164[1:].isdigit():
        # Iranian mobiles, the bulk of every list and export: no parsing needed.
        return f"0{e164[3:6]} {e164[6:9]} {e164[9:]}"
    try:
        number = phonenumbers.parse(e164, "IR")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def phone_national_digits(e164: str) -> str:
    """The national form without spaces ("+982188776655" → "02188776655"), what the
    search key holds. Iranian numbers need no parsing: 0 replaces +98."""
    if e164.startswith("+98"):
        return "0" + e164[3:]
    return format_phone_national(e164).replace(" ", "")


_IBAN_DIGITS = 24  # after "IR": 2 check digits and the 22-digit account number


def normalize_iban(value) -> str:
    """شماره شبا: "IR" and 24 digits, upper case, no spaces. The 24 digits alone are
    accepted too (the form often shows "IR" outside the input)."""
    label = "شماره شبا"
    text = _compact(value).upper()
    if _ASCII_DIGITS_RE.fullmatch(text) and len(text) == _IBAN_DIGITS:
        text = "IR" + text
    if re.match(r"[A-Z]{2}", text) and not text.startswith("IR"):
        raise ValidationError(
            "شماره شبا باید با IR شروع شود؛ فقط حساب‌های بانک‌های ایران پذیرفته می‌شود.",
            code="invalid_country",
        )
    if not re.fullmatch(r"(IR)?[0-9]*", text):
        raise ValidationError(
            "شماره شبا باید فقط از IR و پس از آن رقم تشکیل شده باشد.", code="invalid_characters"
        )
    if not text.startswith("IR") or len(text) != 2 + _IBAN_DIGITS:
        raise ValidationError(
            f"شماره شبا باید IR و پس از آن {_fa(_IBAN_DIGITS)} رقم باشد.", code="invalid_length"
        )
    try:
        iban = IBAN(text)
    except InvalidChecksumDigits as error:
        raise _checksum_error(label) from error
    except SchwiftyException as error:
        raise ValidationError(
            "شماره شبا معتبر نیست؛ لطفاً دوباره بررسی کنید.", code="invalid"
        ) from error
    return iban.compact


def normalize_bank_card(value) -> str:
    """شماره کارت: 16 digits with a Luhn check digit."""
    label = "شماره کارت"
    digits = _fixed_length_digits(value, label, 16)
    if not _luhn_ok(digits):
        raise _checksum_error(label)
    return digits


def normalize_sayad_id(value) -> str:
    """شناسه صیادی: the 16 digits printed at the top of every Sayad cheque. The central
    bank publishes no check digit for it, so only the length is checked."""
    return _fixed_length_digits(value, "شناسه صیادی", 16)


def normalize_goods_service_id(value) -> str:
    """شناسه کالا/خدمت: the 13-digit identifier the tax system (سامانه مودیان) gives a
    good or a service. Typed with Persian or Latin digits, spaces or dashes between
    groups; stored as 13 Latin digits. Anything else is the one message, since people
    copy it from the tax portal and only its length is known (no check digit)."""
    digits = _compact(value)
    if not re.fullmatch(r"[0-9]{13}", digits):
        raise _length_error("شناسه کالا/خدمت", 13)
    return digits


# What a record code may hold besides letters (of any script): ASCII digits and three
# marks. Spaces, control and invisible characters are refused: a customer reading a
# tracking code out, or typing it on the tracking page, could never reproduce them.
_CODE_CHARACTERS = frozenset("0123456789-/_")


def normalize_record_code(value) -> str:
    """A code typed for a record (a tracking code, a contact or product code): Persian
    and Arabic-Indic digits to ASCII, Arabic ي/ك to Persian, surrounding spaces dropped;
    then only letters, digits, "-", "/" and "_". An empty value stays empty."""
    code = normalize_persian(str(value or ""))
    if not all(char.isalpha() or char in _CODE_CHARACTERS for char in code):
        raise ValidationError(
            _(
                "کد فقط می‌تواند حرف، رقم و نشانه‌های - و / و _ داشته باشد؛"
                " فاصله و نشانه‌های دیگر پذیرفته نیست."
            ),
            code="invalid_characters",
        )
    return code


# --- Django validators ----------------------------------------------------------------
# Plain module-level functions so that migrations can refer to them by name.


def validate_national_id(value) -> None:
    normalize_national_id(value)


def validate_legal_id(value) -> None:
    normalize_legal_id(value)


def validate_economic_code(value) -> None:
    normalize_economic_code(value)


def validate_postal_code(value) -> None:
    normalize_postal_code(value)


def validate_mobile(value) -> None:
    normalize_mobile(value)


def validate_landline(value) -> None:
    normalize_landline(value)


def validate_iban(value) -> None:
    normalize_iban(value)


def validate_bank_card(value) -> None:
    normalize_bank_card(value)


def validate_sayad_id(value) -> None:
    normalize_sayad_id(value)


def validate_goods_service_id(value) -> None:
    normalize_goods_service_id(value)


# --- form fields ----------------------------------------------------------------------


class IdentifierKind(NamedTuple):
    normalize: Callable[[str], str]
    placeholder: str  # a valid example, in Persian digits
    inputmode: str  # the on-screen keyboard mobiles show


IDENTIFIER_KINDS: dict[str, IdentifierKind] = {
    "national_id": IdentifierKind(normalize_national_id, "۰۰۱۲۳۴۵۶۷۹", "numeric"),
    "legal_id": IdentifierKind(normalize_legal_id, "۱۰۳۸۰۲۸۴۷۹۰", "numeric"),
    "economic_code": IdentifierKind(normalize_economic_code, "۱۰۳۸۰۲۸۴۷۹۰", "numeric"),
    "postal_code": IdentifierKind(normalize_postal_code, "۱۲۳۴۵-۶۷۸۹۰", "numeric"),
    "mobile": IdentifierKind(normalize_mobile, "۰۹۱۲ ۳۴۵ ۶۷۸۹", "tel"),
    "landline": IdentifierKind(normalize_landline, "۰۲۱-۸۸۷۷۶۶۵۵", "tel"),
    "iban": IdentifierKind(normalize_iban, "IR۸۲۰۵۴۰۱۰۲۶۸۰۰۲۰۸۱۷۹۰۹۰۰۲", "text"),
    "bank_card": IdentifierKind(normalize_bank_card, "۶۰۳۷-۹۹۰۰-۰۰۰۰-۰۰۰۶", "numeric"),
    "sayad_id": IdentifierKind(normalize_sayad_id, "۱۲۳۴۵۶۷۸۹۰۱۲۳۴۵۶", "numeric"),
    "goods_service_id": IdentifierKind(normalize_goods_service_id, "۲۷۲۰۰۰۰۱۱۴۵۴۲", "numeric"),
}


class IdentifierField(forms.CharField):
    """A text input (left-to-right, with an example) whose ``clean`` returns the
    canonical value of one identifier kind."""

    def __init__(self, kind: str, **kwargs):
        if kind not in IDENTIFIER_KINDS:
            raise ValueError(
                f"unknown identifier kind {kind!r}; expected one of {sorted(IDENTIFIER_KINDS)}"
            )
        self.kind = kind  # before super().__init__, which calls widget_attrs
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        spec = IDENTIFIER_KINDS[self.kind]
        defaults = {"dir": "ltr", "placeholder": spec.placeholder, "inputmode": spec.inputmode}
        # Attributes the caller set on the widget win over ours.
        return super().widget_attrs(widget) | {
            name: value for name, value in defaults.items() if name not in widget.attrs
        }

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return IDENTIFIER_KINDS[self.kind].normalize(value)

    def prepare_value(self, value):
        # A stored phone (E.164) is shown for editing as Iranians write it; what the
        # user typed (a bound form) is shown exactly as typed.
        if self.kind in ("mobile", "landline") and isinstance(value, str) and value.startswith("+"):
            return format_phone_national(value)
        return value


def identifier_form_field(kind: str, **kwargs) -> forms.CharField:
    """``identifier_form_field("mobile", label="تلفن همراه", required=False)``."""
    return IdentifierField(kind, **kwargs)
