"""Proformas and invoices as PDF: an HTML template set by WeasyPrint with Vazirmatn
(right to left, joined letters, ZWNJ kept), the font taken from the npm package."""

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML

FONT_DIR = "node_modules/vazirmatn/fonts/ttf"


def document_pdf(document, *, title: str, company: str) -> bytes:
    """The document as the customer receives it, amounts in the user's money unit."""
    lines = list(document.lines.select_related("product"))
    html = render_to_string(
        "sales/document_pdf.html",
        {
            "document": document,
            "lines": lines,
            "title": title,
            "company": company,
            "font_dir": (settings.BASE_DIR / FONT_DIR).as_uri(),
        },
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
