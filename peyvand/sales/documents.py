"""Proformas and invoices in the official Iranian layout (صورتحساب فروش کالا و خدمات):
the seller's block from the company settings, the buyer's from the contact, one row per
line, the totals, the amount in words, the payment terms, stamp and signature boxes.
One template body serves the PDF (``core.pdf``: WeasyPrint with Vazirmatn) and the
browser's print view, on A4 or A5."""

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse

from peyvand.contacts.models import Contact, ContactPhone, Region
from peyvand.core.display import for_customers
from peyvand.core.exports import download_name
from peyvand.core.images import image_data_uri
from peyvand.core.models import SiteSettings
from peyvand.core.pdf import pdf_download, render_pdf
from peyvand.core.registry import document_facts
from peyvand.core.validators import format_phone_national
from peyvand.sales.models import InvoiceSubject, PaymentTerms, Quote

PAPER_SIZES = ("a4", "a5")
OFFICIAL_CSS = "static/peyvand/css/official.css"


def paper_size(value: str | None) -> str:
    """``?size=a5`` prints on A5; anything else on A4."""
    return value if value in PAPER_SIZES else "a4"


def document_title(document) -> str:
    if isinstance(document, Quote):
        return "پیش فاکتور"
    return f"فاکتور فروش {document.get_kind_display()}"


def official_title(document) -> str:
    if isinstance(document, Quote):
        return "پیش فاکتور"
    if document.subject != InvoiceSubject.ORIGINAL:
        return f"صورتحساب فروش کالا و خدمات ({document.get_subject_display()})"
    return "صورتحساب فروش کالا و خدمات"


def document_filename(document) -> str:
    """«پیش فاکتور ۱۴۰۵-۰۰۰۰۲.pdf»: the title and number (core.exports.download_name)."""
    return download_name(f"{document_title(document)} {document.number}", "pdf", dated=False)


@dataclass(frozen=True)
class Party:
    """One side's block of the layout. Codes and the phone are ASCII digits; the
    template shows them in Persian digits, left to right."""

    name: str
    legal: bool
    economic_code: str = ""
    national_id: str = ""
    registration_number: str = ""
    place: str = ""  # «استان، شهر»
    address: str = ""
    postal_code: str = ""
    phone: str = ""

    @property
    def national_id_label(self) -> str:
        return "شناسه ملی" if self.legal else "کد ملی"


def seller_party(company: SiteSettings) -> Party:
    place = "، ".join(part for part in (company.province, company.city) if part)
    return Party(
        name=company.seller_name,
        # A 10-digit code is a sole trader's national code; 11 digits a company's ID.
        legal=len(company.national_id) != 10,
        economic_code=company.economic_code,
        national_id=company.national_id,
        registration_number=company.registration_number,
        place=place,
        address=company.address,
        postal_code=company.postal_code,
        phone=format_phone_national(company.phone) if company.phone else "",
    )


def _region_names(contact: Contact) -> str:
    """«تهران، تهران، ونک»: the regions from the province down to the contact's own
    (its path holds their ids, its own last)."""
    if not contact.region_id:
        return ""
    ids = [int(part) for part in contact.region.path.split("/") if part]
    names = dict(Region.objects.filter(pk__in=ids).values_list("pk", "name"))
    return "، ".join(names[pk] for pk in ids if pk in names)


def _buyer_phone(contact: Contact) -> str:
    """A phone the buyer is reached on: the first one listed (not an extension)."""
    phone = (
        ContactPhone.objects.filter(contact=contact)
        .exclude(kind=ContactPhone.Kind.INTERNAL)
        .order_by("position", "id")
        .first()
    )
    return phone.national if phone is not None else ""


def buyer_party(contact: Contact) -> Party:
    name = contact.name
    if contact.company and contact.kind == Contact.Kind.PERSON:
        name = f"{name} — {contact.company}"
    return Party(
        name=name,
        legal=contact.kind == Contact.Kind.ORGANIZATION,
        economic_code=contact.economic_code,
        national_id=contact.national_id,
        registration_number=contact.registration_number,
        place=_region_names(contact),
        address=contact.address,
        postal_code=contact.postal_code,
        phone=_buyer_phone(contact),
    )


def missing_buyer_fields(contact: Contact) -> list[str]:
    """What an invoice with the buyer's identification (صورتحساب نوع اول) needs and the
    contact lacks, in Persian: for a legal person the economic code or national ID, the
    postal code and the address; for a natural person the national code. It warns, it
    does not stop the document: the PDF prints what there is."""
    if contact.kind == Contact.Kind.ORGANIZATION:
        missing = []
        if not contact.economic_code and not contact.national_id:
            missing.append("کد اقتصادی یا شناسه ملی")
        if not contact.postal_code:
            missing.append("کد پستی")
        if not contact.address.strip():
            missing.append("نشانی")
        return missing
    return [] if contact.national_id else ["کد ملی"]


def payment_kind(document) -> str:
    """نقدی or غیرنقدی, as the official form asks."""
    return "نقدی" if document.payment_terms == PaymentTerms.CASH else "غیرنقدی"


def official_context(document, *, company: SiteSettings, size: str = "a4") -> dict:
    lines = list(document.lines.select_related("product"))
    seller, buyer = seller_party(company), buyer_party(document.contact)
    return {
        "document": document,
        "is_quote": isinstance(document, Quote),
        "lines": lines,
        "instalments": list(document.instalments.all()),
        "title": official_title(document),
        "facts": document_facts(document),
        "seller": seller,
        "buyer": buyer,
        "parties": [(seller, "مشخصات فروشنده"), (buyer, "مشخصات خریدار")],
        "payment_kind": payment_kind(document),
        "logo": image_data_uri(company.logo),
        "stamp": image_data_uri(company.stamp),
        "size": paper_size(size),
    }


def document_pdf(document, *, company: SiteSettings, size: str = "a4") -> bytes:
    """The document as the customer receives it, amounts in the document's money unit."""
    context = official_context(document, company=company, size=size)
    context["official_css"] = (settings.BASE_DIR / OFFICIAL_CSS).as_uri()
    with for_customers():
        return render_pdf("sales/document_pdf.html", context)


def pdf_response(
    document, *, company: SiteSettings, size: str = "a4", inline: bool = False
) -> HttpResponse:
    """The PDF as a download (the pages and the API answer with the same file); ``inline``
    opens it in the browser (the SMS link)."""
    return pdf_download(
        document_pdf(document, company=company, size=size),
        document_filename(document),
        inline=inline,
    )
