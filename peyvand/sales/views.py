from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peyvand.contacts.models import Category, Contact, Region
from peyvand.contacts.selectors import MIN_SEARCH_LENGTH, int_param
from peyvand.core.access import get_visible_or_404, own_url
from peyvand.core.attachments import attachments_of
from peyvand.core.history import snapshot
from peyvand.core.pagination import paginate
from peyvand.core.text import fa_search_key
from peyvand.core.timeline import timeline_of
from peyvand.core.trees import ordered_nodes
from peyvand.customfields.display import value_sections
from peyvand.customfields.models import CustomField
from peyvand.lookups.models import AcquaintanceSource, FollowUpResult
from peyvand.sales import selectors, services
from peyvand.sales.forms import FollowUpForm, LeadCloseForm, LeadForm
from peyvand.sales.models import FollowUp, Lead

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
    filters = selectors.lead_filters(request.GET)
    leads = selectors.leads_for_list(user=request.user, filters=filters)
    page = paginate(leads, request.GET.get("page"), settings.PAGE_SIZE)
    short_query = 0 < len(fa_search_key(filters.query) or "") < MIN_SEARCH_LENGTH
    context = {"page": page, "filters": filters, "short_query": short_query}
    if request.htmx and request.htmx.target == "lead-results":
        return render(request, "sales/lead_list.html#results", context)
    context |= {
        "responsibles": selectors.sales_users(),
        "results": FollowUpResult.objects.all(),
        "sources": AcquaintanceSource.objects.all(),
        "categories": ordered_nodes(Category),
        "regions": ordered_nodes(Region),
        "stars": Lead.Stars.choices,
        "statuses": [*Lead.Status.choices, ("all", _("همه"))],
    }
    return render(request, "sales/lead_list.html", context)


@view_leads
def lead_board(request: HttpRequest) -> HttpResponse:
    """The pipeline board: open leads by stage, won and lost; cards are dragged between
    the stage columns."""
    responsible = selectors.lead_filters(request.GET).responsible
    columns = selectors.pipeline_board(user=request.user, responsible=responsible)
    context = {
        "columns": columns,
        "responsible": responsible,
        "responsibles": selectors.sales_users(),
        "stages": Lead.Stage.values,
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
    return redirect("sales:lead_board")


# One lead ------------------------------------------------------------------------------


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
        return redirect(lead)
    return render(request, "sales/lead_form.html", {"form": form, "lead": None})


@permission_required("sales.change_lead", raise_exception=True)
@require_http_methods(["GET", "POST"])
def lead_edit(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_lead_for_user(request.user, pk)
    before = snapshot(lead)
    form = LeadForm(request.POST or None, instance=lead, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.lead_save(lead=form.save(commit=False), by=request.user, before=before)
        flash.success(request, _("سرنخ ذخیره شد."))
        return redirect(lead)
    return render(request, "sales/lead_form.html", {"form": form, "lead": lead})


def _lead_page(request: HttpRequest, lead: Lead, followup_form: FollowUpForm | None = None):
    fields = list(CustomField.objects.for_target("sales.lead"))
    context = {
        "lead": lead,
        "record": lead,
        "followups": selectors.lead_followups(lead),
        "followup_form": followup_form or FollowUpForm(),
        "close_form": LeadCloseForm(),
        "custom_sections": value_sections(fields, lead),
        "timeline": timeline_of(lead),
        "attachments": list(attachments_of(lead)),
        "attachment_max_mb": settings.ATTACHMENT_MAX_MB,
        "can_annotate": request.user.has_perm("sales.change_lead"),
    }
    return render(request, "sales/lead_detail.html", context)


@view_leads
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _lead_page(request, get_lead_for_user(request.user, pk))


@permission_required("sales.change_lead", raise_exception=True)
@require_POST
def lead_close(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_lead_for_user(request.user, pk)
    form = LeadCloseForm(request.POST)
    if form.is_valid():
        services.lead_close(
            lead=lead,
            by=request.user,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
        )
        flash.success(request, _("سرنخ بسته شد."))
    else:
        for errors in form.errors.values():
            for error in errors:
                flash.error(request, error)
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


@permission_required("sales.add_followup", raise_exception=True)
@require_POST
def followup_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The entry row on a lead's page posts here (htmx): the answer is the refreshed
    follow-up card — the new row on top and an empty entry row — or the entry row with
    its Persian errors and everything typed kept."""
    lead = get_lead_for_user(request.user, pk)
    form = FollowUpForm(request.POST, instance=FollowUp(lead=lead))
    if form.is_valid():
        try:
            services.followup_log(followup=form.save(commit=False), by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            lead = get_lead_for_user(request.user, pk)
            form = None
            if not request.htmx:
                flash.success(request, _("پیگیری ثبت شد."))
                return redirect(lead)
    if request.htmx:
        context = {
            "lead": lead,
            "followups": selectors.lead_followups(lead),
            "followup_form": form or FollowUpForm(),
            "saved": form is None,
        }
        return render(request, "sales/lead_detail.html#followups", context)
    return _lead_page(request, lead, followup_form=form)


@permission_required("activities.add_task", raise_exception=True)
@require_POST
def followup_task(request: HttpRequest, pk: int) -> HttpResponse:
    followup = get_visible_or_404(FollowUp, request.user, pk)
    task = services.followup_to_task(followup=followup, by=request.user)
    flash.success(request, _("وظیفه ساخته شد."))
    return redirect(own_url(request, request.POST.get("next", "")) or task.get_absolute_url())


@view_leads
def followup_due(request: HttpRequest) -> HttpResponse:
    """«پیگیری‌های من»: the whole due list (the home page shows its top)."""
    return render(
        request,
        "sales/followup_due.html",
        {"followups": selectors.my_followups(request.user, limit=500)},
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
    return {"leads": list(leads), "contact": contact}
