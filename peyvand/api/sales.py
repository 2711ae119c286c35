"""Sales over the API: leads and their follow-ups, the catalogue, proformas (with their
follow-ups, status changes and PDF) and invoices. The same forms, selectors and services
as the pages, so the same rules and Persian messages; a role without sales sees none of
it (403), and a record the caller may not see is 404."""

from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.errors import HttpError
from pydantic import Field, create_model

from peyvand.api.common import (
    RecordId,
    form_data,
    invalid,
    list_query,
    page_of,
    partial,
    patched,
    require,
)
from peyvand.api.conditional import unless_stale, version_of
from peyvand.api.schemas import (
    ErrorOut,
    FollowUpIn,
    FollowUpOut,
    FollowUpPage,
    InvoiceDetailOut,
    InvoicePage,
    LeadCloseIn,
    LeadIn,
    LeadOut,
    LeadPage,
    ProductIn,
    ProductOut,
    ProductPage,
    QuoteDetailOut,
    QuoteIn,
    QuotePage,
    QuoteStatusIn,
    StageIn,
)
from peyvand.core.access import get_visible_or_404
from peyvand.core.display import current_preferences, site_settings_for
from peyvand.core.history import snapshot
from peyvand.core.text import fa_search_key, normalize_persian
from peyvand.sales import selectors, services
from peyvand.sales.documents import PAPER_SIZES, pdf_response
from peyvand.sales.forms import FollowUpForm, LeadForm, LineFormSet, ProductForm, QuoteForm
from peyvand.sales.lists import INVOICES, LEADS, QUOTES, SHORT_TEXT
from peyvand.sales.models import (
    FollowUp,
    GoodsOrService,
    Invoice,
    Lead,
    Product,
    Quote,
    QuoteLine,
)

router = Router()

LEAD_RELATIONS = ("contact",)


def _lead(user, lead_id: int) -> Lead:
    return get_visible_or_404(Lead, user, lead_id, Lead.objects.select_related(*LEAD_RELATIONS))


def _quote(user, quote_id: int) -> Quote:
    quotes = Quote.objects.select_related("contact", "lead").annotate(invoice_id=F("invoice"))
    return get_visible_or_404(Quote, user, quote_id, quotes)


def _invoice(user, invoice_id: int) -> Invoice:
    return get_visible_or_404(Invoice, user, invoice_id, Invoice.objects.select_related("contact"))


# The PDFs' ``size``: "a4" or "a5", an enum in the schema (another value is a 422).
PaperSize = Literal[PAPER_SIZES]


def _kind(kind: str) -> str:
    if kind and kind not in GoodsOrService.values:
        raise HttpError(422, "نوع باید goods (کالا) یا service (خدمات) باشد.")
    return kind


# Leads ---------------------------------------------------------------------------------


# The lead list's parameters, from its declaration; the follow-up range's dates also
# as Jalali text (1405/02/15), as integrations have sent them since the first version.
LEAD_QUERY = create_model(
    "LeadsQuery",
    __base__=list_query(LEADS),
    **{
        f"due_{end}": (str, Field("", description=f"پیگیری بعدی: {word} (YYYY-MM-DD یا شمسی)"))
        for end, word in (("from", "از"), ("to", "تا"))
    },
)


@router.get("/leads", response=LeadPage, tags=["sales"])
def lead_list(request, filters: Query[LEAD_QUERY]):
    """Visible leads under the list page's filters (sales.lists.LEADS): ``q`` the code,
    subject, contact person or the customer's name or phone (one or two characters: the
    code); ``status`` open (the default), won, lost or all; ``responsible`` a user's id
    or ``me``; ``team`` the responsible's team; ``category``/``region`` the customer's,
    with their subtrees; ``due_*`` the next follow-up (then ordered by it unless
    ``sort`` says otherwise); ``created_*`` the registration date; ``expected_*`` the
    expected amount in rials. Newest first."""
    require(request.auth, LEADS.permission)
    reading = LEADS.read(request.GET, request.auth)
    # A date that cannot be read is refused; a short text is no error (it finds a code).
    if unreadable := [warning for warning in reading.warnings if warning != str(SHORT_TEXT)]:
        raise HttpError(422, unreadable[0])
    leads = LEADS.rows(request.auth, request.GET, reading)
    return page_of(leads.defer(None), filters.page)


@router.get("/leads/{lead_id}", response=LeadOut, tags=["sales"])
def lead_detail(request, lead_id: int):
    require(request.auth, "sales.view_lead")
    return _lead(request.auth, lead_id)


LEAD_IDS = ("contact", "source", "position", "responsible")
LeadPatch = partial(LeadIn, "LeadPatch")


def _lead_form(request, payload: LeadIn, lead: Lead) -> LeadForm:
    data = form_data(payload.dict(), LEAD_IDS)
    data["contact"] = data["contact"] or lead.contact_id
    data["responsible"] = data["responsible"] or lead.responsible_id or request.auth.pk
    return LeadForm(data=data, instance=lead, user=request.auth)


@router.post("/leads", response={201: LeadOut, 422: dict}, tags=["sales"])
def lead_create(request, payload: LeadIn):
    """A lead for ``contact_id``, or for a new contact typed as ``new_contact_name`` (and
    ``new_contact_mobile``, refused when the number is already a customer's)."""
    require(request.auth, "sales.add_lead")
    form = _lead_form(request, payload, Lead())
    if not form.is_valid():
        return invalid(form)
    lead = services.lead_save(
        lead=form.save(commit=False),
        by=request.auth,
        new_contact=form.new_contact,
        new_contact_phones=form.new_contact_phones(),
    )
    return Status(201, lead)


def _lead_edit(request, lead_id: int, form_of):
    """Saves ``form_of(lead)`` (the page's form, bound to what the PUT or PATCH says).
    With ``updated_at`` or If-Match (the ETag of its GET), 409 or 412 if someone saved it
    since."""
    require(request.auth, "sales.change_lead")
    lead = _lead(request.auth, lead_id)
    before = snapshot(lead)
    form = form_of(lead)
    if not form.is_valid():
        return invalid(form)
    return services.lead_save(
        lead=form.save(commit=False),
        by=request.auth,
        before=before,
        version=version_of(request, form.data.get("updated_at")),
    )


@router.put("/leads/{lead_id}", response={200: LeadOut, 422: dict}, tags=["sales"])
def lead_update(request, lead_id: int, payload: LeadIn):
    """Changes a lead: every field as on its form (the new_contact_* fields are ignored;
    without ``contact_id`` it keeps its customer)."""
    return _lead_edit(request, lead_id, lambda lead: _lead_form(request, payload, lead))


@router.patch("/leads/{lead_id}", response={200: LeadOut, 422: dict}, tags=["sales"])
def lead_patch(request, lead_id: RecordId, payload: LeadPatch):
    """Changes only the fields sent (``custom`` only the custom fields it names)."""
    sent = form_data(payload.dict(exclude_unset=True), LEAD_IDS)

    def form_of(lead):
        data = patched(LeadForm(instance=lead, user=request.auth), sent)
        return LeadForm(data=data, instance=lead, user=request.auth)

    return _lead_edit(request, lead_id, form_of)


@router.post("/leads/{lead_id}/stage", response={200: LeadOut, 422: ErrorOut}, tags=["sales"])
def lead_stage(request, lead_id: int, payload: StageIn):
    require(request.auth, "sales.change_lead")
    lead = _lead(request.auth, lead_id)
    if payload.stage not in Lead.Stage.values or not lead.is_open:
        return Status(422, {"detail": "این سرنخ به این مرحله نمی‌رود."})
    services.lead_set_stage(lead=lead, by=request.auth, stage=payload.stage)
    return lead


@router.post("/leads/{lead_id}/close", response={200: LeadOut, 422: ErrorOut}, tags=["sales"])
def lead_close(request, lead_id: int, payload: LeadCloseIn):
    """Closes a lead as ``won`` or ``lost`` (with a ``reason``)."""
    require(request.auth, "sales.change_lead")
    lead = _lead(request.auth, lead_id)
    try:
        return services.lead_close(
            lead=lead, by=request.auth, status=payload.status, reason=payload.reason
        )
    except ValidationError as error:
        return Status(422, {"detail": error.messages[0]})


@router.post("/leads/{lead_id}/reopen", response=LeadOut, tags=["sales"])
def lead_reopen(request, lead_id: int):
    require(request.auth, "sales.change_lead")
    return services.lead_reopen(lead=_lead(request.auth, lead_id), by=request.auth)


@router.delete("/leads/{lead_id}", response={204: None}, tags=["sales"])
def lead_delete(request, lead_id: int):
    """Moves the lead to the recycle bin (a manager restores it from there)."""
    require(request.auth, "sales.delete_lead")
    lead = _lead(request.auth, lead_id)
    with unless_stale(request, lead):
        services.lead_delete(lead=lead, by=request.auth)
    return Status(204, None)


# Follow-ups ----------------------------------------------------------------------------


def followups_page(subject, page: int) -> dict:
    followups = subject.followups.select_related("result").order_by("-at", "-id")
    return page_of(followups, page)


def log_followup(request, payload: FollowUpIn, followup: FollowUp):
    """Logs a follow-up on the subject the caller has already checked (a lead, a
    proforma or a complaint they may see)."""
    require(request.auth, "sales.add_followup")
    data = payload.dict()
    for name in ("channel", "result", "referred_to"):
        data[name] = data.pop(f"{name}_id")
    # A datetime, not text: the form reads text in the user's calendar, which the API
    # does not know (its dates are ISO).
    data["at"] = data["at"] or timezone.localtime().replace(second=0, microsecond=0)
    form = FollowUpForm(data=data, instance=followup)
    if not form.is_valid():
        return invalid(form)
    try:
        followup = services.followup_log(followup=form.save(commit=False), by=request.auth)
    except ValidationError as error:
        return Status(422, {"detail": error.messages[0], "errors": {}})
    return Status(201, followup)


@router.get("/leads/{lead_id}/followups", response=FollowUpPage, tags=["sales"])
def lead_followup_list(request, lead_id: int, page: int = 1):
    """A lead's follow-ups, newest first."""
    require(request.auth, "sales.view_lead")
    return followups_page(_lead(request.auth, lead_id), page)


@router.post("/leads/{lead_id}/followups", response={201: FollowUpOut, 422: dict}, tags=["sales"])
def lead_followup_create(request, lead_id: int, payload: FollowUpIn):
    """Logs a follow-up: it settles the previous one, and its next date (a Jalali date or
    "+3" working days) is reminded to the author, the responsible and the referred user."""
    require(request.auth, "sales.view_lead")
    return log_followup(request, payload, FollowUp(lead=_lead(request.auth, lead_id)))


@router.get("/followups/due", response=FollowUpPage, tags=["sales"])
def followup_due(request, page: int = 1):
    """«پیگیری‌های من»: the caller's follow-ups due today or overdue, most urgent first
    (on leads, proformas and complaints)."""
    require(request.auth, "sales.view_followup")
    return page_of(selectors.due_followups(request.auth), page)


@router.post("/followups/{followup_id}/task", response={201: dict}, tags=["sales"])
def followup_task(request, followup_id: int):
    """Turns a follow-up into a task (once; asking again answers the same task)."""
    require(request.auth, "activities.add_task")
    followup = get_visible_or_404(FollowUp, request.auth, followup_id)
    task = services.followup_to_task(followup=followup, by=request.auth)
    return Status(201, {"task_id": task.pk})


# Products ------------------------------------------------------------------------------


@router.get("/products", response=ProductPage, tags=["sales"])
def product_list(request, q: str = "", active: bool | None = None, kind: str = "", page: int = 1):
    """The catalogue by name; ``kind`` goods or service."""
    require(request.auth, "sales.view_product")
    products = Product.objects.all()
    if _kind(kind):
        products = products.filter(kind=kind)
    if key := fa_search_key(normalize_persian(q)):
        products = products.filter(search_key__contains=key)
    if active is not None:
        products = products.filter(is_active=active)
    return page_of(products.order_by("name", "id"), page)


def _save_product(request, payload: ProductIn, product: Product):
    form = ProductForm(data=payload.dict(), instance=product)
    if not form.is_valid():
        return invalid(form)
    return services.product_save(
        product=form.save(commit=False), version=version_of(request, payload.updated_at)
    )


@router.post("/products", response={201: ProductOut, 422: dict}, tags=["sales"])
def product_create(request, payload: ProductIn):
    require(request.auth, "sales.add_product")
    product = _save_product(request, payload, Product())
    return product if isinstance(product, Status) else Status(201, product)


@router.put("/products/{product_id}", response={200: ProductOut, 422: dict}, tags=["sales"])
def product_update(request, product_id: int, payload: ProductIn):
    require(request.auth, "sales.change_product")
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise Http404
    return _save_product(request, payload, product)


# Proformas -----------------------------------------------------------------------------


def _line_formset(rows: list[dict]) -> LineFormSet:
    data = {"lines-TOTAL_FORMS": str(len(rows)), "lines-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        row = dict(row, product=row.pop("product_id"))
        for name, value in row.items():
            if name == "vat_applies":
                if value:
                    data[f"lines-{index}-{name}"] = "on"
            elif value is not None:
                data[f"lines-{index}-{name}"] = str(value)
    return LineFormSet(data, prefix="lines")


def _line_errors(lines: LineFormSet) -> dict:
    errors = {}
    for index, row_errors in enumerate(lines.errors):
        for field, messages in row_errors.items():
            name = "product_id" if field == "product" else field
            errors[f"lines.{index}.{name}"] = [{"message": m} for m in messages]
    if lines.non_form_errors():
        errors["lines"] = [{"message": m} for m in lines.non_form_errors()]
    return errors


def _save_quote(request, payload: QuoteIn, quote: Quote, before: dict | None):
    data = payload.dict()
    data["contact"] = data.pop("contact_id") or quote.contact_id
    data["date"] = data["date"] or quote.date
    data["money_unit"] = data["money_unit"] or quote.money_unit
    form = QuoteForm(data=data, instance=quote, user=request.auth)
    lines = _line_formset(data.pop("lines"))
    if not form.is_valid() & lines.is_valid():
        return invalid(form, _line_errors(lines))
    try:
        return services.quote_save(
            quote=form.save(commit=False),
            lines=lines.lines(QuoteLine),
            by=request.auth,
            before=before,
            version=version_of(request, payload.updated_at),
        )
    except ValidationError as error:
        return Status(422, {"detail": error.messages[0], "errors": {}})


QUOTE_QUERY = list_query(QUOTES)
INVOICE_QUERY = list_query(INVOICES)


@router.get("/quotes", response=QuotePage, tags=["sales"])
def quote_list(request, filters: Query[QUOTE_QUERY]):
    """Visible proformas under the list page's filters (sales.lists.QUOTES): ``q`` a
    number or the customer's name or phone; ``owner`` the issuer's id (or ``me``);
    dates ISO (YYYY-MM-DD) or a named ``date_period``; amounts in rials. Newest first."""
    require(request.auth, QUOTES.permission)
    quotes = QUOTES.rows(request.auth, request.GET)
    return page_of(quotes.annotate(invoice_id=F("invoice")), filters.page)


@router.get("/quotes/{quote_id}", response=QuoteDetailOut, tags=["sales"])
def quote_detail(request, quote_id: int):
    require(request.auth, "sales.view_quote")
    return _quote(request.auth, quote_id)


@router.post("/quotes", response={201: QuoteDetailOut, 422: dict}, tags=["sales"])
def quote_create(request, payload: QuoteIn):
    """A proforma for ``contact_id`` or ``lead_id`` (the lead's customer), dated today
    unless ``date`` says otherwise; VAT from the rate in force on that date. Amounts in
    rials; ``money_unit`` decides how the document shows them."""
    require(request.auth, "sales.add_quote")
    quote = Quote(date=timezone.localdate(), money_unit=current_preferences().money_unit)
    if payload.lead_id is not None:
        quote.lead = _lead(request.auth, payload.lead_id)
        quote.contact = quote.lead.contact
    result = _save_quote(request, payload, quote, before=None)
    return result if isinstance(result, Status) else Status(201, _quote(request.auth, result.pk))


@router.put("/quotes/{quote_id}", response={200: QuoteDetailOut, 422: dict}, tags=["sales"])
def quote_update(request, quote_id: int, payload: QuoteIn):
    """Changes a draft or sent proforma; its lines are replaced by ``lines``. With
    ``updated_at``, 409 if someone saved it since."""
    require(request.auth, "sales.change_quote")
    quote = _quote(request.auth, quote_id)
    result = _save_quote(request, payload, quote, before=snapshot(quote))
    return result if isinstance(result, Status) else _quote(request.auth, quote_id)


@router.post(
    "/quotes/{quote_id}/status", response={200: QuoteDetailOut, 422: ErrorOut}, tags=["sales"]
)
def quote_status(request, quote_id: int, payload: QuoteStatusIn):
    require(request.auth, "sales.change_quote")
    quote = _quote(request.auth, quote_id)
    try:
        services.quote_set_status(
            quote=quote, by=request.auth, status=payload.status, reason=payload.reason
        )
    except ValidationError as error:
        return Status(422, {"detail": error.messages[0]})
    return quote


@router.post(
    "/quotes/{quote_id}/invoice", response={201: InvoiceDetailOut, 422: ErrorOut}, tags=["sales"]
)
def quote_invoice(request, quote_id: int):
    """Issues the invoice of an accepted proforma (once)."""
    require(request.auth, "sales.add_invoice")
    quote = _quote(request.auth, quote_id)
    try:
        invoice = services.quote_to_invoice(quote=quote, by=request.auth)
    except ValidationError as error:
        return Status(422, {"detail": error.messages[0]})
    return Status(201, _invoice(request.auth, invoice.pk))


@router.get("/quotes/{quote_id}/pdf", tags=["sales"])
def quote_pdf(request, quote_id: int, size: PaperSize = "a4"):
    """The proforma as a Persian PDF (application/pdf): A4 landscape, or A5 landscape
    with ``size=a5`` (the page's «PDF در اندازه A5»); another size is a 422."""
    require(request.auth, "sales.view_quote")
    quote = _quote(request.auth, quote_id)
    return pdf_response(quote, company=site_settings_for(request), size=size)


@router.get("/quotes/{quote_id}/followups", response=FollowUpPage, tags=["sales"])
def quote_followup_list(request, quote_id: int, page: int = 1):
    require(request.auth, "sales.view_quote")
    return followups_page(_quote(request.auth, quote_id), page)


@router.post("/quotes/{quote_id}/followups", response={201: FollowUpOut, 422: dict}, tags=["sales"])
def quote_followup_create(request, quote_id: int, payload: FollowUpIn):
    """A follow-up on a proforma; its next date reaches the proforma's owner (or the
    referred user) as a reminder and in «پیگیری‌های من»."""
    require(request.auth, "sales.view_quote")
    return log_followup(request, payload, FollowUp(quote=_quote(request.auth, quote_id)))


# Invoices ------------------------------------------------------------------------------


@router.get("/invoices", response=InvoicePage, tags=["sales"])
def invoice_list(request, filters: Query[INVOICE_QUERY]):
    """Visible invoices under the list page's filters (sales.lists.INVOICES): as the
    proformas, and ``payment`` unpaid (anything left to pay), overdue (unpaid past its
    due date) or paid; ``subject`` 1 original, 2 correction, 3 cancellation, 4 return;
    ``due_*`` the payment due date."""
    require(request.auth, INVOICES.permission)
    return page_of(INVOICES.rows(request.auth, request.GET), filters.page)


@router.get("/invoices/{invoice_id}", response=InvoiceDetailOut, tags=["sales"])
def invoice_detail(request, invoice_id: int):
    require(request.auth, "sales.view_invoice")
    return _invoice(request.auth, invoice_id)


@router.get("/invoices/{invoice_id}/pdf", tags=["sales"])
def invoice_pdf(request, invoice_id: int, size: PaperSize = "a4"):
    """The invoice as a Persian PDF (application/pdf): A4 landscape, or A5 landscape
    with ``size=a5`` (the page's «PDF در اندازه A5»); another size is a 422."""
    require(request.auth, "sales.view_invoice")
    invoice = _invoice(request.auth, invoice_id)
    return pdf_response(invoice, company=site_settings_for(request), size=size)
