"""PDFs from HTML templates, set by WeasyPrint with Vazirmatn (right to left, joined
letters, ZWNJ kept), the font taken from the npm package. Templates include
``core/_pdf_fonts.html`` in their style sheet. The HTML goes through the display rule
(core.digits) like a page: Persian digits for a reader who reads them, phone numbers and
codes isolated left to right; the page counters use ``counter(page, persian)``."""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from weasyprint import HTML

from peyvand.core.digits import localize_html_for_reader

FONT_DIR = "node_modules/vazirmatn/fonts/ttf"


def render_pdf(template: str, context: dict) -> bytes:
    html = render_to_string(
        template, {**context, "font_dir": (settings.BASE_DIR / FONT_DIR).as_uri()}
    )
    html = localize_html_for_reader(html)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def pdf_download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
