"""The sales lists' exports (``core.background_exports``): the rows the list shows under
its filters, for Excel, CSV, PDF and the background."""

from operator import attrgetter

from django.http import QueryDict

from peyvand.contacts.models import Contact
from peyvand.core.exports import Column, choice_label
from peyvand.sales import selectors
from peyvand.sales.lists import INVOICES, LEADS, QUOTES
from peyvand.sales.models import GoodsOrService, Invoice, InvoiceSubject, Lead, Quote


def lead_rows(user, params: QueryDict):
    columns = [
        Column("کد", attrgetter("code")),
        Column("موضوع", attrgetter("title")),
        Column("مشتری", lambda lead: lead.contact.name),
        Column("صنف", lambda lead: lead.contact.category.name if lead.contact.category_id else ""),
        Column("منطقه", lambda lead: lead.contact.region.name if lead.contact.region_id else ""),
        Column("تلفن همراه", lambda lead: lead.contact.mobile),
        Column("درجه اهمیت", attrgetter("stars"), "number"),
        Column("نحوه آشنایی", lambda lead: lead.source.name if lead.source_id else ""),
        Column("آخرین نتیجه", lambda lead: lead.last_result.name if lead.last_result_id else ""),
        Column("پیگیری بعدی", attrgetter("next_at"), "date"),
        Column("مسئول", lambda lead: str(lead.responsible)),
        Column("وضعیت", lambda lead: choice_label(Lead.Status, lead.status)),
        Column("مبلغ پیش‌بینی (ریال)", attrgetter("expected_value"), "number"),
        Column("تاریخ ثبت", attrgetter("created_at"), "date"),
    ]
    return LEADS.rows(user, params), columns


def _document_rows(spec, user, params: QueryDict, extra: list[Column]):
    documents = spec.rows(user, params)
    columns = [
        Column("شماره", attrgetter("number")),
        Column("تاریخ", attrgetter("date"), "date"),
        Column("مشتری", lambda document: document.contact.name),
        Column("نوع", lambda document: choice_label(GoodsOrService, document.kind)),
        *extra,
        Column("جمع (ریال)", attrgetter("subtotal"), "number"),
        Column("تخفیف (ریال)", attrgetter("discount_total"), "number"),
        Column("مالیات بر ارزش افزوده (ریال)", attrgetter("vat_total"), "number"),
        Column("جمع کل (ریال)", attrgetter("total"), "number"),
        Column("صادرکننده", lambda document: str(document.owner)),
    ]
    return documents, columns


def quote_rows(user, params: QueryDict):
    status = Column("وضعیت", lambda quote: choice_label(Quote.Status, quote.status))
    return _document_rows(QUOTES, user, params, [status])


def invoice_rows(user, params: QueryDict):
    subject = Column("موضوع", lambda invoice: choice_label(InvoiceSubject, invoice.subject))
    reference = Column(
        "صورتحساب مرجع", lambda invoice: invoice.reference.number if invoice.reference else ""
    )
    documents, columns = _document_rows(INVOICES, user, params, [subject, reference])
    documents = documents.select_related("reference")
    columns[-1:-1] = [
        Column("سررسید", lambda invoice: invoice.due_date or invoice.date, "date"),
        Column("پرداخت شده (ریال)", attrgetter("paid"), "number"),
        Column("مانده (ریال)", attrgetter("unpaid"), "number"),
        Column(
            "وضعیت پرداخت",
            lambda invoice: choice_label(Invoice.PaymentStatus, invoice.payment_status),
        ),
    ]
    return documents, columns


def service_customer_rows(user, params: QueryDict):
    """«مشتریان خدمات» as a sheet: customers' phones are a contact export (its
    permission, ``contacts.export_contact``, guards the download), and the invoices
    behind the figures are the user's to see only with ``sales.view_invoice``."""
    if not user.has_perm("sales.view_invoice"):
        return Contact.objects.none(), []
    columns = [
        Column("کد", attrgetter("code")),
        Column("مشتری", attrgetter("name")),
        Column("تلفن همراه", attrgetter("mobile")),
        Column("مالک", lambda customer: str(customer.owner)),
        Column("فاکتورهای خدمات", attrgetter("service_invoices"), "number"),
        Column("جمع فاکتورهای خدمات (ریال)", attrgetter("service_total"), "number"),
        Column("آخرین خرید خدمات", attrgetter("last_service"), "date"),
    ]
    return selectors.service_customers(user), columns
