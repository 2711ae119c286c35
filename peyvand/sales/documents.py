"""Proformas and invoices as PDF (``core.pdf``: WeasyPrint with Vazirmatn)."""

from django.http import HttpResponse

from peyvand.core.pdf import pdf_download, render_pdf
from peyvand.sales.models import Quote


def document_title(document) -> str:
    if isinstance(document, Quote):
        return "پیش فاکتور"
    return f"فاکتور فروش {document.get_kind_display()}"


def document_filename(document) -> str:
    return f"{document_title(document)} {document.number.replace('/', '-')}.pdf"


def document_pdf(document, *, company: str) -> bytes:
    """The document as the customer receives it, amounts in the document's money unit."""
    lines = list(document.lines.select_related("product"))
    context = {
        "document": document,
        "lines": lines,
        "title": document_title(document),
        "company": company,
    }
    return render_pdf("sales/document_pdf.html", context)


def pdf_response(document, *, company: str) -> HttpResponse:
    """The PDF as a download (the pages and the API answer with the same file)."""
    return pdf_download(document_pdf(document, company=company), document_filename(document))
