"""PDFs from HTML templates, set by WeasyPrint with Vazirmatn (right to left, joined
letters, ZWNJ kept), the font taken from the npm package. Templates include
``core/_pdf_fonts.html`` in their style sheet. The HTML goes through the display rule
(core.digits) like a page: Persian digits for a reader who reads them, phone numbers and
codes isolated left to right; the page counters use ``counter(page, persian)``."""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from weasyprint import HTML

from peyvand.core.digits import localize_html_for_reader
from peyvand.core.exports import content_disposition

FONT_DIR = "node_modules/vazirmatn/fonts/ttf"


def render_pdf(template: str, context: dict) -> bytes:
    html = render_to_string(
        template, {**context, "font_dir": (settings.BASE_DIR / FONT_DIR).as_uri()}
    )
    html = localize_html_for_reader(html)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def pdf_download(content: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    """The PDF as a download named ``filename`` (core.exports.download_name); ``inline``
    opens it in the browser (a link sent by SMS)."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename, as_attachment=not inline)
    return response
