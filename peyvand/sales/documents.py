"""Proformas and invoices as PDF: an HTML template set by WeasyPrint with Vazirmatn
(right to left, joined letters, ZWNJ kept), the font taken from the npm package."""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from weasyprint import HTML

from peyvand.sales.models import Quote

FONT_DIR = "node_modules/vazirmatn/fonts/ttf"


def document_title(document) -> str:
    if isinstance(document, Quote):
        return "پیش فاکتور"
    return f"فاکتور فروش {document.get_kind_display()}"


def document_filename(document) -> str:
    return f"{document_title(document)} {document.number.replace('/', '-')}.pdf"


def document_pdf(document, *, company: str) -> bytes:
    """The document as the customer receives it, amounts in the document's money unit."""
    lines = list(document.lines.select_related("product"))
    html = render_to_string(
        "sales/document_pdf.html",
        {
            "document": document,
            "lines": lines,
            "title": document_title(document),
            "company": company,
            "font_dir": (settings.BASE_DIR / FONT_DIR).as_uri(),
        },
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def pdf_response(document, *, company: str) -> HttpResponse:
    """The PDF as a download (the pages and the API answer with the same file)."""
    response = HttpResponse(document_pdf(document, company=company), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, document_filename(document))
    return response
