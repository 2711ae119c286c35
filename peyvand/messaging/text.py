"""Message text: placeholders ({نام}، {تاریخ}…) and how many SMS parts a text takes."""

import re
from dataclasses import dataclass

from django.utils import timezone

from peyvand.core.dates import format_date

# The placeholders a template may use, with what each means (shown beside the editor).
PLACEHOLDERS: dict[str, str] = {
    "نام": "نام مخاطب",
    "شرکت": "شرکت مخاطب",
    "کد": "کد مخاطب",
    "تاریخ": "تاریخ امروز (شمسی)",
    "نام_فرستنده": "نام کاربر فرستنده",
    "نام_شرکت_ما": "نام شرکت ما (تنظیمات سامانه)",
    "کد_پیگیری": "کد پیگیری پرونده مرتبط",
    "پیوند_پیگیری": "نشانی صفحه پیگیری درخواست (در قانون‌های خودکار)",
    "نتیجه": "نتیجه پرونده مرتبط",
    "موضوع": "موضوع پرونده مرتبط",
}

_PLACEHOLDER = re.compile(r"\{([^{}\s]{1,40})\}")


class UnknownPlaceholder(ValueError):
    pass


def unknown_placeholders(text: str) -> list[str]:
    return [name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS]


def check_placeholders(text: str) -> None:
    """Raises with a Persian message naming each placeholder we do not know."""
    unknown = unknown_placeholders(text)
    if unknown:
        names = "، ".join("{" + name + "}" for name in dict.fromkeys(unknown))
        known = "، ".join("{" + name + "}" for name in PLACEHOLDERS)
        raise UnknownPlaceholder(f"جای‌نگهدار {names} شناخته نیست. جای‌نگهدارهای مجاز: {known}")


def placeholder_values(*, contact=None, sender=None, company_name: str = "", related=None) -> dict:
    """The values for one recipient, and of the record the message is about (``related``:
    its code, result and subject). Missing ones become empty text, never "{نام}"."""
    values = dict.fromkeys(PLACEHOLDERS, "")
    # Latin digits, as every stored text: the outbox sends it in the recipient's digits
    # and pages show it in the reader's (core.digits).
    values["تاریخ"] = format_date(timezone.localdate(), digits="latin")
    values["نام_شرکت_ما"] = company_name
    if sender is not None:
        values["نام_فرستنده"] = sender.get_full_name() or sender.get_username()
    if contact is not None:
        values |= contact_values(contact.name, contact.company, contact.code)
    if related is not None:
        values["کد_پیگیری"] = getattr(related, "tracking_code", "") or getattr(related, "code", "")
        values["نتیجه"] = getattr(related, "result", "") or ""
        values["موضوع"] = getattr(related, "subject", "") or getattr(related, "title", "") or ""
    return values


def contact_values(name: str, company: str, code: str) -> dict:
    """The recipient's own placeholders (broadcasts read them from rows, not objects)."""
    return {"نام": name, "شرکت": company, "کد": code}


def render(text: str, values: dict) -> str:
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


# GSM 03.38: the basic set takes one septet, the extension set two (an escape first).
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€\f")


@dataclass(frozen=True)
class SmsLength:
    characters: int  # as the user counts them
    parts: int  # what the operator bills
    per_part: int  # characters per part for this text's encoding
    unicode: bool  # UCS-2 (any Persian letter) rather than the GSM alphabet


def sms_length(text: str) -> SmsLength:
    """Persian is sent as UCS-2: 70 characters in one part, 67 a part when split (the
    rest carries the joining header). Latin-only text uses the GSM alphabet: 160 / 153."""
    if all(char in _GSM_BASIC or char in _GSM_EXTENDED for char in text):
        units = sum(2 if char in _GSM_EXTENDED else 1 for char in text)
        single, split, unicode = 160, 153, False
    else:
        # UCS-2 counts UTF-16 code units: an emoji outside the BMP takes two.
        units = len(text.encode("utf-16-le")) // 2
        single, split, unicode = 70, 67, True
    if units == 0:
        parts = 0
    elif units <= single:
        parts = 1
    else:
        parts = -(-units // split)
    return SmsLength(
        characters=len(text), parts=parts, per_part=single if parts <= 1 else split, unicode=unicode
    )
