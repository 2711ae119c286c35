"""A customer's statement (صورت‌حساب مشتری) as the customer receives it: PDF on the
company's letterhead, Excel for their accountant, and a signed link that opens the PDF
without a login (an SMS carries it; the portal shows the same statement)."""

import datetime

from django.core import signing
from django.http import FileResponse, HttpResponse
from django.utils import timezone

from peyvand.core.dates import format_date
from peyvand.core.display import for_customers
from peyvand.core.exports import Column, download_name, xlsx_response
from peyvand.core.money import amount_in_words
from peyvand.core.pdf import pdf_download, render_pdf
from peyvand.finance.selectors import Statement, StatementLine, statement
from peyvand.messaging.models import Channel
from peyvand.messaging.services import message_queue

STATEMENT_LINK_SALT = "finance.statement"
STATEMENT_LINK_AGE = datetime.timedelta(days=30)


def period_text(
    start: datetime.date | None, end: datetime.date | None, calendar: str = "jalali"
) -> str:
    """The period in words: in Jalali for the customer (the statement, its SMS and
    e-mail), in the reader's calendar on a staff page."""
    if start and end:
        return f"از {format_date(start, calendar)} تا {format_date(end, calendar)}"
    if start:
        return f"از {format_date(start, calendar)}"
    return f"تا {format_date(end, calendar)}" if end else "همه گردش‌ها"


def filename(contact, start, end, extension: str) -> str:
    """«صورت‌حساب فروشگاه نور ۱۴۰۵-۰۱-۰۱ تا ۱۴۰۵-۰۹-۱۴.pdf»: Persian, Jalali, the
    half-space kept; no slashes (they would be folders)."""
    days = " تا ".join(format_date(day) for day in (start, end) if day)
    return download_name(f"صورت‌حساب {contact.name} {days}", extension, dated=False)


def statement_pdf(contact, start, end, *, company: str) -> bytes:
    result = statement(contact, start, end)
    context = {
        "contact": contact,
        "statement": result,
        "period": period_text(start, end),
        "company": company,
        "closing_words": amount_in_words(abs(result.closing)),
        "today": timezone.localdate(),
    }
    with for_customers():
        return render_pdf("finance/statement_pdf.html", context)


def statement_pdf_response(
    contact, start, end, *, company: str, inline: bool = False
) -> HttpResponse:
    return pdf_download(
        statement_pdf(contact, start, end, company=company),
        filename(contact, start, end, "pdf"),
        inline=inline,
    )


def statement_send(
    *, contact, start, end, channel: str, by, company: str, to: str, subject: str, body: str
):
    """Puts the statement in the outbox: by email with its PDF attached, or by SMS (whose
    text carries the signed link). Raises messaging's NotSendable with a Persian reason."""
    attachments = []
    if channel == Channel.EMAIL:
        pdf = statement_pdf(contact, start, end, company=company)
        attachments = [(filename(contact, start, end, "pdf"), pdf, "application/pdf")]
    return message_queue(
        channel=channel,
        to=to,
        subject=subject if channel == Channel.EMAIL else "",
        body=body,
        by=by,
        contact=contact,
        attachments=attachments,
    )


def _rows(result: Statement) -> list:
    opening = StatementLine(entry=None, balance=result.brought_forward)
    return [opening, *result.lines]


COLUMNS = [
    Column("تاریخ", lambda line: line.entry.date if line.entry else None, "date"),
    Column("شرح", lambda line: line.entry.description if line.entry else "مانده از قبل"),
    Column("بدهکار", lambda line: line.entry.debit if line.entry else None, "number"),
    Column("بستانکار", lambda line: line.entry.credit if line.entry else None, "number"),
    Column("مانده (مثبت: بدهکار)", lambda line: line.balance, "number"),
]


def statement_xlsx_response(contact, start, end) -> FileResponse:
    result = statement(contact, start, end)
    return xlsx_response(
        _rows(result), COLUMNS, filename(contact, start, end, "xlsx"), title="صورت‌حساب"
    )


def statement_token(contact, start, end) -> str:
    data = {
        "c": contact.pk,
        "s": start.isoformat() if start else "",
        "e": end.isoformat() if end else "",
    }
    return signing.dumps(data, salt=STATEMENT_LINK_SALT, compress=True)


def from_statement_token(token: str):
    """(contact id, start, end) of a signed statement link, or None."""
    try:
        data = signing.loads(token, salt=STATEMENT_LINK_SALT, max_age=STATEMENT_LINK_AGE)
    except signing.BadSignature:
        return None
    day = lambda text: datetime.date.fromisoformat(text) if text else None  # noqa: E731
    return data["c"], day(data["s"]), day(data["e"])
