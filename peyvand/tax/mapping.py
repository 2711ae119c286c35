"""An issued invoice as سامانه مودیان takes it (docs/moadian-research.md §4): pattern 1
(sale), type 1 with the buyer's identification or type 2 without it, one body row per
invoice line, amounts in whole rials.

``invoice_payload`` gives the JSON and the Persian problems that keep it from being
sent (a line without a شناسه کالا/خدمت, a unit the units table has no code for, the
seller's economic code missing); the worker sends nothing while there are any."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from peyvand.contacts.models import Contact
from peyvand.core.models import SiteSettings
from peyvand.core.text import to_latin_digits
from peyvand.sales.documents import missing_buyer_fields
from peyvand.sales.models import Invoice, InvoiceSubject, PaymentTerms
from peyvand.tax.models import TaxSubmission

# RC_UMGS.ST «جدول واحدهای اندازه‌گیری» (V1.18): the codes of the units our catalogue
# uses (the research note's §4.5 selection). A unit not here is a problem to fix (the
# product's unit renamed, or a code added here from the table), never a guess.
UNIT_CODES = {
    "عدد": "1627",
    "کیلوگرم": "164",
    "متر": "165",
    "لیتر": "1637",
    "متر مربع": "1645",
    "دستگاه": "1631",
    "ست": "1619",
    "کارتن": "1624",
    "بسته": "1628",
    "ساعت": "16103",
    "روز": "16104",
    "ماه": "16112",
    "قطعه": "16114",
    "واحد": "1653",
    "نفر": "1676",
    "نفر-ماه": "16134",
    "نفر ماه": "16134",
}

# نوع شخص خریدار (tob): 1 حقیقی, 2 حقوقی.
BUYER_PERSON, BUYER_ORGANIZATION = 1, 2
# روش تسویه (setm): 1 نقدی, 2 نسیه.
SETTLE_CASH, SETTLE_CREDIT = 1, 2


@dataclass
class Payload:
    data: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    invoice_type: int = 1


def unit_code(unit: str) -> str | None:
    return UNIT_CODES.get(" ".join((unit or "").split()))


def _number(value: Decimal) -> int | Decimal:
    value = Decimal(value).normalize()
    return int(value) if value == value.to_integral_value() else value


def _lines(invoice: Invoice, subject: int, reference_tax_id: str):
    """The rows sent: the invoice's own, but for a cancellation (which owes nothing and
    has none) those of the version it cancels, as the system holds them."""
    source = invoice
    if subject == InvoiceSubject.CANCELLATION and reference_tax_id:
        reference = TaxSubmission.objects.filter(tax_id=reference_tax_id).first()
        source = reference.invoice if reference is not None else invoice
    return source.lines.select_related("product").order_by("order", "id")


def invoice_payload(
    invoice: Invoice,
    *,
    tax_id: str,
    indatim: int,
    subject: int = 1,
    reference_tax_id: str = "",
    company: SiteSettings | None = None,
) -> Payload:
    company = company or SiteSettings.load()
    contact: Contact = invoice.contact
    problems: list[str] = []
    seller_code = to_latin_digits(company.economic_code or "").strip()
    if not seller_code:
        problems.append("کد اقتصادی فروشنده در تنظیمات سامانه (مشخصات فروشنده) خالی است.")
    typed = not missing_buyer_fields(contact)
    header: dict[str, Any] = {
        "taxid": tax_id,
        "inno": tax_id[11:21],
        "indatim": indatim,
        "inty": 1 if typed else 2,
        "inp": 1,
        "ins": subject,
        "tins": seller_code,
        "setm": SETTLE_CASH if invoice.payment_terms == PaymentTerms.CASH else SETTLE_CREDIT,
        "irtaxid": reference_tax_id or None,
    }
    if typed:
        legal = contact.kind == Contact.Kind.ORGANIZATION
        header["tob"] = BUYER_ORGANIZATION if legal else BUYER_PERSON
        header["bid"] = to_latin_digits(contact.national_id or "") or None
        header["tinb"] = to_latin_digits(contact.economic_code or "") or None
        header["bpc"] = to_latin_digits(contact.postal_code or "") or None
    body = []
    totals = dict.fromkeys(("prdis", "dis", "adis", "vam", "tsstam"), 0)
    for row, line in enumerate(_lines(invoice, subject, reference_tax_id), 1):
        product = line.product
        sstid = product.tax_id if product is not None else ""
        if not sstid:
            problems.append(
                f"ردیف {row} («{line.description}»): کالا/خدمت شناسه کالا/خدمت ۱۳ رقمی ندارد؛ "
                "آن را در فهرست کالاها و خدمات وارد کنید."
            )
        unit = line.unit or (product.unit if product is not None else "")
        mu = unit_code(unit)
        if mu is None:
            problems.append(
                f"ردیف {row} («{line.description}»): واحد «{unit}» در جدول واحدهای سامانه "
                "مودیان کدی ندارد؛ واحد را یکی از واحدهای شناخته‌شده (عدد، ساعت، دستگاه، …) "
                "بگذارید."
            )
        prdis = line.amount + line.discount
        vra = invoice.vat_percent if line.vat_applies else Decimal(0)
        tsstam = line.amount + line.vat
        body.append(
            {
                "sstid": sstid,
                "sstt": line.description,
                "mu": mu,
                "am": _number(line.quantity),
                "fee": line.unit_price,
                "prdis": prdis,
                "dis": line.discount,
                "adis": line.amount,
                "vra": _number(vra),
                "vam": line.vat,
                "tsstam": tsstam,
            }
        )
        for name, value in (
            ("prdis", prdis),
            ("dis", line.discount),
            ("adis", line.amount),
            ("vam", line.vat),
            ("tsstam", tsstam),
        ):
            totals[name] += value
    if not body:
        problems.append("فاکتور هیچ ردیفی ندارد.")
    header |= {
        "tprdis": totals["prdis"],
        "tdis": totals["dis"],
        "tadis": totals["adis"],
        "tvam": totals["vam"],
        "todam": 0,
        "tbill": totals["tsstam"],
    }
    return Payload(
        data={"header": header, "body": body, "payments": []},
        problems=problems,
        invoice_type=header["inty"],
    )
