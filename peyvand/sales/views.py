from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peyvand.contacts.models import Contact
from peyvand.core.access import back_or, get_visible_or_404, own_url
from peyvand.core.attachments import attachments_card
from peyvand.core.dates import format_date
from peyvand.core.dialog import opens_in_dialog
from peyvand.core.display import current_preferences, for_customers, site_settings_for
from peyvand.core.forms import add_service_errors
from peyvand.core.history import snapshot
from peyvand.core.lists import ME, Reading
from peyvand.core.lists.views import list_context
from peyvand.core.money import format_money
from peyvand.core.pagination import paginate
from peyvand.core.params import int_param
from peyvand.core.text import fa_search_key, normalize_persian
from peyvand.core.timeline import timeline_of
from peyvand.core.versions import StaleEdit
from peyvand.lookups.models import Channel as LookupChannel
from peyvand.messaging.drafts import Draft, draft_page
from peyvand.messaging.models import Channel
from peyvand.sales import selectors, services
from peyvand.sales.credit import credit_check
from peyvand.sales.documents import (
    missing_buyer_fields,
    official_context,
    paper_size,
    pdf_response,
)
from peyvand.sales.forms import (
    AdjustmentForm,
    FollowUpForm,
    LeadForm,
    PriceListForm,
    ProductForm,
    QuickFollowUpForm,
    QuoteForm,
    VatRateForm,
    lead_choice_label,
    line_formset,
    price_item_formset,
    return_formset,
)
from peyvand.sales.lists import INVOICES, LEADS, QUOTES, RESPONSIBLE, KindTotals, lead_search
from peyvand.sales.models import (
    FiscalYear,
    FollowUp,
    GoodsOrService,
    Invoice,
    InvoiceLine,
    InvoiceSubject,
    Lead,
    PriceList,
    Product,
    Quote,
    QuoteLine,
    VatRate,
)

view_leads = permission_required("sales.view_lead", raise_exception=True)


LEAD_PAGE_RELATIONS = (
    "contact__category", "contact__region", "source", "position", "responsible", "owner",
    "last_result", "next_by",
)  # fmt: skip


def get_lead_for_user(user, pk: int) -> Lead:
    return get_visible_or_404(
        Lead,
        user,
        pk,
        Lead.objects.select_related(*LEAD_PAGE_RELATIONS),
    )


# The lead list -------------------------------------------------------------------------


@view_leads
def lead_list(request: HttpRequest) -> HttpResponse:
    return render(request, "sales/lead_list.html", list_context(request, LEADS))


@view_leads
def lead_board(request: HttpRequest) -> HttpResponse:
    """The pipeline board: open leads by stage, won and lost; cards are dragged between
    the stage columns. «مسئول» reads as the list's (``me`` too)."""
    reading = Reading(user=request.user)
    responsible = RESPONSIBLE.read(request.GET, reading)
    columns = selectors.pipeline_board(
        user=request.user,
        responsible=request.user.pk if responsible == ME else responsible,
    )
    context = {
        "columns": columns,
        "responsible": responsible,
        "responsibles": RESPONSIBLE.options(reading),
        "stages": Lead.Stage.values,
        "stage_choices": Lead.Stage.choices,
        "column_size": selectors.BOARD_COLUMN_SIZE,
    }
    return render(request, "sales/lead_board.html", context)


@permission_required("sales.change_lead", raise_exception=True)
@require_POST
def lead_stage(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_lead_for_user(request.user, pk)
    stage = request.POST.get("stage", "")
    if stage not in Lead.Stage.values or not lead.is_open:
        return HttpResponse(_("این سرنخ به این مرحله نمی‌رود."), status=400)
    services.lead_set_stage(lead=lead, by=request.user, stage=stage)
    if request.htmx:
        return HttpResponse(status=204)
    return redirect(back_or(request, "sales:lead_board"))


# One lead ------------------------------------------------------------------------------


@opens_in_dialog
@permission_required("sales.add_lead", raise_exception=True)
@require_http_methods(["GET", "POST"])
def lead_create(request: HttpRequest) -> HttpResponse:
    """A new lead; ?contact=… starts it for that contact (from a contact's page)."""
    lead = Lead()
    if contact_pk := int_param(request.GET, "contact"):
        lead.contact = get_visible_or_404(Contact, request.user, contact_pk)
    form = LeadForm(request.POST or None, instance=lead, user=request.user)
    if request.method == "POST" and form.is_valid():
        lead = services.lead_save(
            lead=form.save(commit=False),
            by=request.user,
            new_contact=form.new_contact,
            new_contact_phones=form.new_contact_phones(),
        )
        flash.success(request, _("سرنخ %(code)s ثبت شد.") % {"code": lead.code})
        return redirect(back_or(request, lead))
    return render(request, "sales/lead_form.html", {"form": form, "lead": None})


@permission_required("sales.change_lead", raise_exception=True)
@require_http_methods(["GET", "POST"])
def lead_edit(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_lead_for_user(request.user, pk)
    before = snapshot(lead)
    form = LeadForm(request.POST or None, instance=lead, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.lead_save(
                lead=form.save(commit=False),
                by=request.user,
                before=before,
                version=form.cleaned_data["version"],
            )
        except StaleEdit as stale:
            form.refuse_stale(stale)
        else:
            flash.success(request, _("سرنخ ذخیره شد."))
            return redirect(lead)
    return render(request, "sales/lead_form.html", {"form": form, "lead": lead})


def _lead_page(
    request: HttpRequest,
    lead: Lead,
    followup_form: FollowUpForm | None = None,
    open_entry: bool = False,
):
    context = {
        "lead": lead,
        "record": lead,
        "followups": selectors.followups_of(lead),
        "followup_form": followup_form,
        "open": open_entry,
        "timeline": timeline_of(lead),
        **attachments_card(request.user, lead),
    }
    return render(request, "sales/lead_detail.html", context)


@view_leads
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_lead_for_user(request.user, pk)
    if request.GET.get("call") and lead.is_open and request.user.has_perm("sales.add_followup"):
        # «ثبت تماس» beside the customer's phone: back from the call just made, the entry
        # row opens on it — by telephone, now.
        form = FollowUpForm(
            instance=FollowUp(lead=lead), initial={"channel": LookupChannel.objects.phone()}
        )
        return _lead_page(request, lead, followup_form=form, open_entry=True)
    return _lead_page(request, lead)


@permission_required("sales.change_lead", raise_exception=True)
@require_POST
def lead_close(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_lead_for_user(request.user, pk)
    status = request.POST.get("status", "")
    try:
        services.lead_close(
            lead=lead, by=request.user, status=status, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        flash.error(request, error.messages[0])
    else:
        flash.success(request, _("سرنخ بسته شد."))
    return redirect(lead)


@permission_required("sales.change_lead", raise_exception=True)
@require_POST
def lead_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_lead_for_user(request.user, pk)
    services.lead_reopen(lead=lead, by=request.user)
    flash.success(request, _("سرنخ دوباره باز شد."))
    return redirect(lead)


@permission_required("sales.delete_lead", raise_exception=True)
@require_POST
def lead_delete(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_lead_for_user(request.user, pk)
    services.lead_delete(lead=lead, by=request.user)
    flash.success(request, _("سرنخ %(code)s به سطل بازیافت رفت.") % {"code": lead.code})
    return redirect("sales:lead_list")


# Follow-ups ----------------------------------------------------------------------------


def followup_entry(request: HttpRequest, followup: FollowUp, template: str, page):
    """The entry row of a lead's, a proforma's or a complaint's page: fetched (GET) when
    N opens it — the pages leave it out, a third of their time — and posted here (htmx):
    the answer is the refreshed follow-up card with the new row on top, or the entry row
    with its Persian errors and everything typed kept."""
    subject = followup.subject
    entry_url = request.path
    if request.method == "GET":
        form = FollowUpForm(instance=followup)
        context = {"followup_form": form, "entry_url": entry_url, "open": True}
        return render(request, "sales/_followup_entry.html", context)
    form = FollowUpForm(request.POST, instance=followup)
    if form.is_valid():
        try:
            services.followup_log(followup=form.save(commit=False), by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            form = None
            if not request.htmx:
                flash.success(request, _("پیگیری ثبت شد."))
                return redirect(subject)
    if request.htmx:
        context = {
            subject._meta.model_name: subject,
            "followups": selectors.followups_of(subject),
            "followup_form": form,
            "saved": form is None,
        }
        return render(request, f"{template}#followups", context)
    return page(request, subject, followup_form=form)


@permission_required(["sales.view_lead", "sales.add_followup"], raise_exception=True)
@require_http_methods(["GET", "POST"])
def followup_create(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_lead_for_user(request.user, pk)
    return followup_entry(request, FollowUp(lead=lead), "sales/lead_detail.html", _lead_page)


@opens_in_dialog
@permission_required(["sales.view_lead", "sales.add_followup"], raise_exception=True)
@require_http_methods(["GET", "POST"])
def followup_quick(request: HttpRequest) -> HttpResponse:
    """A follow-up from anywhere, on the lead the user picks: ?lead=… picks it,
    ?contact=… offers that customer's open leads (the only one picked), ?call=1 is the
    call just made (by telephone; the time is now, as always)."""
    contact = None
    if contact_pk := int_param(request.GET, "contact"):
        contact = get_visible_or_404(Contact, request.user, contact_pk)
    initial = {"channel": LookupChannel.objects.phone()} if request.GET.get("call") else {}
    form = QuickFollowUpForm(
        request.POST or None,
        instance=FollowUp(),
        initial=initial,
        user=request.user,
        contact=contact,
    )
    leads = form.fields["lead"].queryset
    no_leads = False
    if request.method == "GET":
        if lead_pk := int_param(request.GET, "lead"):
            form.initial["lead"] = leads.filter(pk=lead_pk).values_list("pk", flat=True).first()
        elif contact is not None:
            first_two = list(leads.values_list("pk", flat=True)[:2])
            no_leads = not first_two
            if len(first_two) == 1:
                form.initial["lead"] = first_two[0]
    if request.method == "POST" and form.is_valid():
        followup = form.save(commit=False)
        try:
            services.followup_log(followup=followup, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            flash.success(request, _("پیگیری سرنخ %(code)s ثبت شد.") % {"code": followup.lead.code})
            return redirect(back_or(request, followup.lead))
    context = {"form": form, "contact": contact, "no_leads": no_leads}
    return render(request, "sales/followup_quick.html", context)


@view_leads
@require_GET
def lead_autocomplete(request: HttpRequest) -> JsonResponse:
    """Suggestions for the lead pickers: open leads this user may see matching ?q= (the
    list's text rule: code, subject, customer, phone)."""
    leads = lead_search(user=request.user, query=request.GET.get("q", ""))
    leads = leads.filter(status=Lead.Status.OPEN).order_by("-created_at", "-id")[:20]
    results = [{"id": lead.pk, "text": lead_choice_label(lead)} for lead in leads]
    return JsonResponse({"results": results})


@permission_required("activities.add_task", raise_exception=True)
@require_POST
def followup_task(request: HttpRequest, pk: int) -> HttpResponse:
    followup = get_visible_or_404(FollowUp, request.user, pk)
    task = services.followup_to_task(followup=followup, by=request.user)
    flash.success(request, _("وظیفه ساخته شد."))
    return redirect(own_url(request, request.POST.get("next", "")) or task.get_absolute_url())


@permission_required("sales.view_followup", raise_exception=True)
def followup_due(request: HttpRequest) -> HttpResponse:
    """«پیگیری‌های من»: the whole due list (the home page shows its top)."""
    return render(
        request,
        "sales/followup_due.html",
        {
            "page": paginate(
                selectors.due_followups(request.user), request.GET.get("page"), settings.PAGE_SIZE
            )
        },
    )


def home_panel_context(request: HttpRequest) -> dict:
    return {"due_followups": selectors.my_followups(request.user, limit=15)}


def contact_panel_context(request: HttpRequest, contact: Contact) -> dict:
    """The sales card on a contact's page: this customer's leads this user may see."""
    leads = (
        Lead.objects.visible_to(request.user)
        .filter(contact=contact)
        .select_related("last_result", "responsible")
        .order_by("-created_at", "-id")[:10]
    )
    return {
        "leads": list(leads),
        "contact": contact,
        "summary": selectors.customer_summary(request.user, contact),
    }


# Products ------------------------------------------------------------------------------


@permission_required("sales.view_product", raise_exception=True)
def product_list(request: HttpRequest) -> HttpResponse:
    products = Product.objects.all()
    query = request.GET.get("q", "").strip()
    if key := fa_search_key(normalize_persian(query)):
        products = products.filter(search_key__contains=key)
    kind = request.GET.get("kind", "")
    if kind in GoodsOrService.values:
        products = products.filter(kind=kind)
    page = paginate(products.order_by("name", "id"), request.GET.get("page"), settings.PAGE_SIZE)
    context = {"page": page, "query": query, "kind": kind, "kinds": GoodsOrService.choices}
    return render(request, "sales/product_list.html", context)


@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    permission = "sales.change_product" if pk else "sales.add_product"
    if not request.user.has_perm(permission):
        raise PermissionDenied
    product = get_object_or_404(Product, pk=pk) if pk else Product()
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        try:
            services.product_save(
                product=form.save(commit=False), version=form.cleaned_data["version"]
            )
        except StaleEdit as stale:
            form.refuse_stale(stale)
        else:
            flash.success(request, _("«%(name)s» ذخیره شد.") % {"name": form.instance.name})
            return redirect("sales:product_list")
    return render(request, "sales/product_form.html", {"form": form, "product": product})


# Proformas and invoices ----------------------------------------------------------------

DOCUMENT_RELATIONS = ("contact", "lead", "owner")


def get_quote_for_user(user, pk: int) -> Quote:
    return get_visible_or_404(Quote, user, pk, Quote.objects.select_related(*DOCUMENT_RELATIONS))


def get_invoice_for_user(user, pk: int) -> Invoice:
    return get_visible_or_404(
        Invoice, user, pk, Invoice.objects.select_related(*DOCUMENT_RELATIONS, "quote", "reference")
    )


def _document_list(request: HttpRequest, spec, template: str) -> HttpResponse:
    context = list_context(request, spec)
    context["totals"] = KindTotals.of(context["figures"], context["reading"])
    return render(request, template, context)


@permission_required("sales.view_quote", raise_exception=True)
def quote_list(request: HttpRequest) -> HttpResponse:
    return _document_list(request, QUOTES, "sales/quote_list.html")


@require_http_methods(["GET", "POST"])
def quote_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A new proforma (?lead=… or ?contact=… to start from one) or a draft/sent one."""
    permission = "sales.change_quote" if pk else "sales.add_quote"
    if not request.user.has_perm(permission):
        raise PermissionDenied
    if pk:
        quote = get_quote_for_user(request.user, pk)
    else:
        quote = Quote(date=timezone.localdate(), money_unit=current_preferences().money_unit)
        if lead_pk := int_param(request.GET, "lead"):
            quote.lead = get_lead_for_user(request.user, lead_pk)
            quote.contact = quote.lead.contact
        elif contact_pk := int_param(request.GET, "contact"):
            quote.contact = get_visible_or_404(Contact, request.user, contact_pk)
        if quote.contact_id:
            _usual_terms(quote)
    before = snapshot(quote) if pk else None
    form = QuoteForm(request.POST or None, instance=quote, user=request.user)
    lines = line_formset(request.POST or None, quote)
    if request.method == "POST" and form.is_valid() & lines.is_valid():
        try:
            quote = services.quote_save(
                quote=form.save(commit=False),
                lines=lines.lines(QuoteLine),
                by=request.user,
                before=before,
                version=form.cleaned_data["version"],
                plan=form.plan(),
                credit_confirmed=form.cleaned_data["confirm_credit_limit"],
            )
        except StaleEdit as stale:
            form.refuse_stale(stale)
        except ValidationError as error:
            add_service_errors(error, form)
            if getattr(error, "code", None) == "confirm_credit_limit":
                form.ask_credit_confirmation()
        else:
            flash.success(request, _("پیش فاکتور %(number)s ذخیره شد.") % {"number": quote.number})
            return redirect(quote)
    context = {"form": form, "lines": lines, "quote": quote if pk else None, "lead": quote.lead}
    return render(request, "sales/quote_form.html", context)


def _usual_terms(quote: Quote) -> None:
    """A new proforma's terms: the customer's usual payment method, else their grade's
    (its rules of conduct, with its usual days of credit)."""
    contact, grade = quote.contact, quote.contact.grade
    if contact.payment_method:
        quote.payment_terms = contact.payment_method
    elif grade is not None and grade.payment_method:
        quote.payment_terms = grade.payment_method
    if grade is not None:
        quote.credit_days = grade.credit_days


def _quote_page(request: HttpRequest, quote: Quote, followup_form: FollowUpForm | None = None):
    invoice = Invoice.objects.filter(quote=quote).only("pk", "number").first()
    issuable = quote.status == Quote.Status.ACCEPTED and invoice is None
    context = {
        "credit": credit_check(quote.contact, quote.total) if issuable else None,
        # Before the invoice is issued: what its buyer block will lack.
        "missing": missing_buyer_fields(quote.contact) if issuable else [],
        "document": quote,
        "quote": quote,
        "invoice": invoice,
        "lines": list(quote.lines.select_related("product")),
        "followups": selectors.followups_of(quote),
        "followup_form": followup_form,
    }
    return render(request, "sales/quote_detail.html", context)


@permission_required("sales.view_quote", raise_exception=True)
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _quote_page(request, get_quote_for_user(request.user, pk))


@permission_required(["sales.view_quote", "sales.add_followup"], raise_exception=True)
@require_http_methods(["GET", "POST"])
def quote_followup_create(request: HttpRequest, pk: int) -> HttpResponse:
    quote = get_quote_for_user(request.user, pk)
    return followup_entry(request, FollowUp(quote=quote), "sales/quote_detail.html", _quote_page)


def _print_page(request: HttpRequest, document, pdf_url: str) -> HttpResponse:
    """The official layout as a page the browser prints (its own print style sheet),
    with the buyer fields an invoice still lacks shown above it, never printed."""
    size = paper_size(request.GET.get("size"))
    context = official_context(document, company=site_settings_for(request), size=size)
    context |= {"missing": missing_buyer_fields(document.contact), "pdf_url": pdf_url}
    with for_customers():
        response = render(request, "sales/document_print.html", context)
    response.persian_digits = True  # printed as the PDF is, whoever prints it (core.digits)
    return response


@permission_required("sales.view_quote", raise_exception=True)
def quote_print(request: HttpRequest, pk: int) -> HttpResponse:
    quote = get_quote_for_user(request.user, pk)
    return _print_page(request, quote, reverse("sales:quote_pdf", args=[quote.pk]))


@permission_required("sales.change_quote", raise_exception=True)
@require_POST
def quote_status(request: HttpRequest, pk: int) -> HttpResponse:
    """sent, accepted or expired; or cancelled with a reason."""
    quote = get_quote_for_user(request.user, pk)
    try:
        services.quote_set_status(
            quote=quote,
            by=request.user,
            status=request.POST.get("status", ""),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        flash.error(request, error.messages[0])
    else:
        flash.success(request, _("وضعیت پیش فاکتور: %(status)s") % {
            "status": quote.get_status_display()
        })  # fmt: skip
    return redirect(quote)


@permission_required("sales.add_invoice", raise_exception=True)
@require_POST
def quote_invoice(request: HttpRequest, pk: int) -> HttpResponse:
    quote = get_quote_for_user(request.user, pk)
    try:
        invoice = services.quote_to_invoice(
            quote=quote, by=request.user, credit_confirmed=bool(request.POST.get("confirm"))
        )
    except ValidationError as error:
        flash.error(request, error.messages[0])
        return redirect(quote)
    flash.success(request, _("فاکتور %(number)s صادر شد.") % {"number": invoice.number})
    return redirect(invoice)


@permission_required("sales.view_quote", raise_exception=True)
def quote_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    quote = get_quote_for_user(request.user, pk)
    size = paper_size(request.GET.get("size"))
    return pdf_response(quote, company=site_settings_for(request), size=size)


def _send_initial(request: HttpRequest, quote: Quote, channel: str) -> dict:
    """The message a rep would write: who, how much, and the PDF (attached, or linked)."""
    company = site_settings_for(request).company_name
    amount = format_money(quote.total, quote.money_unit)
    greeting = f"{quote.contact.name} گرامی،"
    if channel == Channel.SMS:
        link = request.build_absolute_uri(
            reverse("sales:quote_shared", args=[services.quote_share_token(quote)])
        )
        body = f"{greeting} پیش فاکتور {quote.number} به مبلغ {amount}:\n{link}\n{company}"
        return {"to": quote.contact.mobile, "body": body}
    body = (
        f"{greeting}\n\nپیش فاکتور شماره {quote.number} به تاریخ {format_date(quote.date)} "
        f"به مبلغ {amount} پیوست این نامه است.\n\nبا احترام،\n{request.user}\n{company}"
    )
    return {
        "to": quote.contact.email,
        "subject": f"پیش فاکتور {quote.number} — {company}",
        "body": body,
    }


@permission_required(["sales.view_quote", "messaging.send_message"], raise_exception=True)
@require_http_methods(["GET", "POST"])
def quote_send(request: HttpRequest, pk: int, channel: str) -> HttpResponse:
    """Sends a proforma to its customer by email (the PDF attached) or SMS (its link),
    the text shown for editing before it goes to the outbox."""
    quote = get_quote_for_user(request.user, pk)
    number = quote.number
    note = (
        _("پیوند درون پیامک، PDF پیش فاکتور را تا ۳۰ روز بدون ورود به سامانه باز می‌کند.")
        if channel == Channel.SMS
        else _("فایل PDF پیش فاکتور به ایمیل پیوست می‌شود.")
    )
    return draft_page(
        request,
        channel=channel,
        initial=lambda: _send_initial(request, quote, channel),
        draft=lambda: Draft(
            what=_("پیش فاکتور %(number)s") % {"number": number},
            to_name=quote.contact.name,
            crumbs=[
                (_("پیش فاکتورها"), reverse("sales:quote_list")),
                (number, quote.get_absolute_url()),
            ],
            back_url=quote.get_absolute_url(),
            note=note + " " + _("پیش‌نویس پس از ارسال «ارسال شده» می‌شود."),
            sent=_("پیش فاکتور در صف ارسال قرار گرفت."),
        ),
        send=lambda data: services.quote_send(
            quote=quote, by=request.user, channel=channel, **data
        ),
    )


@login_not_required
@require_GET
def quote_shared(request: HttpRequest, token: str) -> HttpResponse:
    """The PDF behind a proforma's SMS link; the signed link is the only credential."""
    quote = services.quote_from_share_token(token)
    if quote is None:
        raise Http404
    return pdf_response(quote, company=site_settings_for(request), inline=True)


@permission_required("sales.view_invoice", raise_exception=True)
def invoice_list(request: HttpRequest) -> HttpResponse:
    return _document_list(request, INVOICES, "sales/invoice_list.html")


@permission_required(["contacts.view_contact", "sales.view_invoice"], raise_exception=True)
def service_customers(request: HttpRequest) -> HttpResponse:
    """«مشتریان خدمات»: the customers who bought services, a page at a time."""
    customers = selectors.service_customers(request.user)
    page = paginate(customers, request.GET.get("page"), settings.PAGE_SIZE)
    return render(request, "sales/service_customers.html", {"page": page})


@permission_required("sales.view_invoice", raise_exception=True)
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_invoice_for_user(request.user, pk)
    context = {
        "document": invoice,
        "invoice": invoice,
        "missing": missing_buyer_fields(invoice.contact),
        "lines": list(invoice.lines.select_related("product")),
    }
    return render(request, "sales/invoice_detail.html", context)


# The address part of each replacement of an issued invoice.
ADJUSTMENTS = {
    "correction": InvoiceSubject.CORRECTION,
    "return": InvoiceSubject.RETURN,
    "cancellation": InvoiceSubject.CANCELLATION,
}


@permission_required("sales.add_invoice", raise_exception=True)
@require_http_methods(["GET", "POST"])
def invoice_adjust(request: HttpRequest, pk: int, subject: str) -> HttpResponse:
    """A correction (its rows, to edit), a return (how much of each row comes back) or
    a cancellation (its reason) of an issued invoice, which is never edited itself."""
    if subject not in ADJUSTMENTS:
        raise Http404
    subject_value = ADJUSTMENTS[subject]
    invoice = get_invoice_for_user(request.user, pk)
    if not invoice.adjustable:
        flash.error(request, _("این فاکتور جایگزین یا ابطال شده است و اصلاح نمی‌شود."))
        return redirect(invoice)
    data = request.POST if request.method == "POST" else None
    form = AdjustmentForm(data, cancelling=subject_value == InvoiceSubject.CANCELLATION)
    lines = returns = None
    if subject_value == InvoiceSubject.CORRECTION:
        lines = line_formset(data, invoice)
    elif subject_value == InvoiceSubject.RETURN:
        returns = return_formset(invoice, data)
    rows = lines if lines is not None else returns
    if request.method == "POST" and form.is_valid() & (rows is None or rows.is_valid()):
        try:
            adjustment = services.invoice_adjust(
                invoice=invoice,
                subject=subject_value,
                by=request.user,
                lines=lines.lines(InvoiceLine) if lines is not None else None,
                returned=returns.returned() if returns is not None else None,
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            flash.success(request, _("%(invoice)s صادر شد.") % {"invoice": adjustment})
            return redirect(adjustment)
    context = {
        "invoice": invoice,
        "subject": subject_value,
        "subject_label": InvoiceSubject(subject_value).label,
        "form": form,
        "lines": lines,
        "returns": returns,
    }
    return render(request, "sales/invoice_adjust.html", context)


@permission_required("sales.view_invoice", raise_exception=True)
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_invoice_for_user(request.user, pk)
    size = paper_size(request.GET.get("size"))
    return pdf_response(invoice, company=site_settings_for(request), size=size)


@permission_required("sales.view_invoice", raise_exception=True)
def invoice_print(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_invoice_for_user(request.user, pk)
    return _print_page(request, invoice, reverse("sales:invoice_pdf", args=[invoice.pk]))


# Fiscal years --------------------------------------------------------------------------


@permission_required("sales.add_fiscalyear", raise_exception=True)
@require_http_methods(["GET", "POST"])
def fiscal_years(request: HttpRequest) -> HttpResponse:
    """The opened Jalali years, and the opening (افتتاحیه) of this one with a preview of
    what it carries over."""
    if request.method == "POST":
        try:
            opening = services.fiscal_year_open(
                year=int_param(request.POST, "year") or 0, by=request.user
            )
        except ValidationError as error:
            flash.error(request, error.messages[0])
        else:
            flash.success(request, _(
                "سال مالی %(year)s افتتاح شد: %(quotes)s پیش فاکتور و %(leads)s سرنخ منتقل شد."
            ) % {
                "year": opening.year,
                "quotes": opening.carried_quotes,
                "leads": opening.carried_leads,
            })  # fmt: skip
        return redirect("sales:fiscal_years")
    context = {
        "years": FiscalYear.objects.select_related("opened_by"),
        "opening": selectors.fiscal_year_opening(),
    }
    return render(request, "sales/fiscal_years.html", context)


# Price lists and VAT rates -------------------------------------------------------------


@permission_required("sales.view_pricelist", raise_exception=True)
def price_list_list(request: HttpRequest) -> HttpResponse:
    price_lists = PriceList.objects.select_related("grade").annotate(item_count=Count("items"))
    return render(request, "sales/price_list_list.html", {"price_lists": price_lists})


@require_http_methods(["GET", "POST"])
def price_list_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    permission = "sales.change_pricelist" if pk else "sales.add_pricelist"
    if not request.user.has_perm(permission):
        raise PermissionDenied
    price_list = get_object_or_404(PriceList, pk=pk) if pk else PriceList()
    form = PriceListForm(request.POST or None, instance=price_list)
    items = price_item_formset(request.POST or None, price_list)
    if request.method == "POST" and form.is_valid() & items.is_valid():
        services.price_list_save(price_list=form.save(commit=False), items=items.items())
        flash.success(request, _("فهرست قیمت «%(name)s» ذخیره شد.") % {"name": price_list.name})
        return redirect("sales:price_list_list")
    context = {"form": form, "items": items, "price_list": price_list}
    return render(request, "sales/price_list_form.html", context)


@require_http_methods(["GET", "POST"])
def vat_rates(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The VAT rate table: each rate in force from its date until the next one. A
    document keeps the rate it was priced with, so a change here alters no document."""
    if not request.user.has_perm("sales.view_vatrate"):
        raise PermissionDenied
    rate = get_object_or_404(VatRate, pk=pk) if pk else VatRate()
    form = VatRateForm(request.POST or None, instance=rate)
    if request.method == "POST":
        if not request.user.has_perm("sales.change_vatrate" if pk else "sales.add_vatrate"):
            raise PermissionDenied
        if form.is_valid():
            form.save()
            flash.success(request, _("نرخ مالیات بر ارزش افزوده ذخیره شد."))
            return redirect("sales:vat_rates")
    context = {"rates": VatRate.objects.all(), "form": form, "rate": rate}
    return render(request, "sales/vat_rates.html", context)
