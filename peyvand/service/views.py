from django.contrib import messages as flash
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peyvand.activities.models import Call
from peyvand.contacts.models import Contact
from peyvand.core import throttle
from peyvand.core.access import back_or, get_visible_or_404
from peyvand.core.attachments import attachments_card
from peyvand.core.dialog import opens_in_dialog
from peyvand.core.display import site_settings_for
from peyvand.core.history import snapshot
from peyvand.core.lists.views import list_context
from peyvand.core.params import int_param
from peyvand.core.services import record_delete, record_save
from peyvand.core.text import normalize_persian
from peyvand.core.timeline import timeline_of
from peyvand.core.versions import StaleEdit
from peyvand.lookups.models import Channel
from peyvand.messaging.drafts import Draft, draft_page
from peyvand.messaging.models import Channel as MessageChannel
from peyvand.sales import selectors as sales_selectors
from peyvand.sales.forms import FollowUpForm
from peyvand.sales.models import FollowUp
from peyvand.sales.views import followup_entry
from peyvand.service import selectors, services
from peyvand.service.forms import (
    ComplaintForm,
    FeedbackForm,
    RequestForm,
    ServiceSettingsForm,
    TrackForm,
)
from peyvand.service.lists import (
    COMPLAINT_TABS,
    COMPLAINTS,
    REQUEST_TABS,
    REQUESTS,
    mark,
    request_tab,
)
from peyvand.service.models import Complaint, Feedback, Request, ServiceSettings

view_requests = permission_required("service.view_request", raise_exception=True)


def get_request_for_user(user, pk: int) -> Request:
    return get_visible_or_404(
        Request,
        user,
        pk,
        Request.objects.select_related(*selectors.RELATIONS, "channel", "type1", "type2", "type3"),
    )


def _mark(item: Request, user) -> None:
    """What makes a request stand out for this user (service.lists.mark): the page and
    the panels say it as the list does."""
    mark(item, user.pk, timezone.localdate())


def _from_call(request: HttpRequest, record):
    """A new request or complaint from a call-log entry or a caller-ID pop-up
    (?call=…): its caller (when the user may see them), by phone."""
    if call_pk := int_param(request.GET, "call"):
        call = get_visible_or_404(Call, request.user, call_pk)
        if call.contact_id:
            record.contact = (
                Contact.objects.visible_to(request.user).filter(pk=call.contact_id).first()
            )
        record.channel = Channel.objects.phone()
    return record


@view_requests
def request_list(request: HttpRequest, view: str) -> HttpResponse:
    """The requests (service.lists.REQUESTS), at «همه درخواست‌ها». کارتابل من and
    ارسالی‌های من are the same list with a preset — assigned to me, registered by me —
    and their addresses lead there, keeping the rest of the query."""
    if view != "all":
        params = request.GET.copy()
        if "assignee" not in params and "creator" not in params:
            params[REQUEST_TABS[view][0]] = "me"
        return redirect(f"{reverse('service:request_all')}?{params.urlencode()}")
    context = list_context(request, REQUESTS)
    context["tab"] = request_tab(context["reading"])
    context["tabs"] = REQUEST_TABS
    return render(request, "service/request_list.html", context)


@opens_in_dialog
@permission_required("service.add_request", raise_exception=True)
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    """A new request; ?contact=… and ?channel=… fill the form (from a contact's page), as
    ?call=… does from a call-log entry or a caller-ID pop-up: its caller, by phone."""
    new = _from_call(request, Request())
    if contact_pk := int_param(request.GET, "contact"):
        new.contact = get_visible_or_404(Contact, request.user, contact_pk)
    if channel_pk := int_param(request.GET, "channel"):
        new.channel = Channel.objects.filter(pk=channel_pk).first()
    form = RequestForm(request.POST or None, instance=new, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.request_register(
                request=form.save(commit=False),
                by=request.user,
                watchers=form.cleaned_data.get("watchers", ()),
            )
        except ValidationError as error:  # a typed code taken a moment ago
            form.add_error(None, error)
        else:
            flash.success(
                request,
                _("درخواست با کد پیگیری %(code)s ثبت شد.") % {"code": saved.tracking_code},
            )
            return redirect(back_or(request, saved))
    return render(request, "service/request_form.html", {"form": form, "item": None})


@permission_required("service.change_request", raise_exception=True)
@require_http_methods(["GET", "POST"])
def request_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_request_for_user(request.user, pk)
    try:
        services.request_check_editable(item, request.user)
    except ValidationError as error:
        flash.error(request, error.messages[0])
        return redirect(item)
    before = snapshot(item)
    form = RequestForm(request.POST or None, instance=item, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_update(
                request=form.save(commit=False),
                by=request.user,
                before=before,
                watchers=form.cleaned_data.get("watchers"),
                version=form.cleaned_data["version"],
            )
        except StaleEdit as stale:
            form.refuse_stale(stale)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            flash.success(request, _("درخواست ذخیره شد."))
            return redirect(item)
    return render(request, "service/request_form.html", {"form": form, "item": item})


@view_requests
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_request_for_user(request.user, pk)
    services.request_seen(request=item, user=request.user)
    _mark(item, request.user)
    watchers = list(item.watchers.all())
    context = {
        "item": item,
        "record": item,
        "timeline": timeline_of(item),
        "watchers": watchers,
        "watching": request.user in watchers,
        **attachments_card(request.user, item),
        # The fields this installation does not use: left out of the page as of the form.
        "hidden": ServiceSettings.load().hidden_fields,
        # Linked requests the user may see (a link does not open a confidential one).
        "related": list(
            item.related.visible_to(request.user).select_related("assignee").order_by("-id")
        ),
    }
    return render(request, "service/request_detail.html", context)


@view_requests
@require_POST
def request_watch(request: HttpRequest, pk: int) -> HttpResponse:
    """«دنبال کردن» / «دنبال نکردن» for the current user."""
    item = get_request_for_user(request.user, pk)
    watch = request.POST.get("watch") == "1"
    services.request_watch(request=item, by=request.user, watch=watch)
    if watch:
        flash.success(request, _("از این پس از هر تغییر این درخواست باخبر می‌شوید."))
    else:
        flash.success(request, _("دیگر این درخواست را دنبال نمی‌کنید."))
    return redirect(item)


@permission_required("service.change_request", raise_exception=True)
@require_POST
def request_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Links another request, found by its tracking code among those the user sees."""
    item = get_request_for_user(request.user, pk)
    code = normalize_persian(request.POST.get("code", ""))
    other = selectors.request_search(user=request.user, query=code).first() if code else None
    if other is None:
        flash.error(request, _("درخواستی با کد پیگیری «%(code)s» پیدا نشد.") % {"code": code})
        return redirect(item)
    return _step(
        request,
        item,
        lambda item: services.request_link(request=item, other=other, by=request.user),
        _("درخواست %(code)s پیوند شد.") % {"code": other.tracking_code},
    )


@permission_required("service.change_request", raise_exception=True)
@require_POST
def request_unlink(request: HttpRequest, pk: int, other_pk: int) -> HttpResponse:
    item = get_request_for_user(request.user, pk)
    other = get_request_for_user(request.user, other_pk)
    services.request_unlink(request=item, other=other, by=request.user)
    flash.success(request, _("پیوند برداشته شد."))
    return redirect(item)


def _step(request: HttpRequest, item, action, done_message: str) -> HttpResponse:
    """A workflow step on a request or a complaint: done, or its Persian refusal."""
    try:
        action(item)
    except ValidationError as error:
        flash.error(request, error.messages[0])
    else:
        flash.success(request, done_message)
    return redirect(item)


@permission_required("service.change_request", raise_exception=True)
@require_POST
def request_done(request: HttpRequest, pk: int) -> HttpResponse:
    result = request.POST.get("result", "")
    return _step(
        request,
        get_request_for_user(request.user, pk),
        lambda item: services.request_done(request=item, by=request.user, result=result),
        _("درخواست انجام‌شده اعلام شد و به ثبت‌کننده برای تأیید رفت."),
    )


@permission_required("service.change_request", raise_exception=True)
@require_POST
def request_archive(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        get_request_for_user(request.user, pk),
        lambda item: services.request_archive(request=item, by=request.user),
        _("درخواست تأیید و بایگانی شد."),
    )


@permission_required("service.change_request", raise_exception=True)
@require_POST
def request_reject(request: HttpRequest, pk: int) -> HttpResponse:
    note = request.POST.get("note", "")
    return _step(
        request,
        get_request_for_user(request.user, pk),
        lambda item: services.request_reject(request=item, by=request.user, note=note),
        _("درخواست با «اشکال دارد» به انجام‌دهنده برگشت."),
    )


@permission_required("service.delete_request", raise_exception=True)
@require_POST
def request_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_request_for_user(request.user, pk)
    try:
        services.request_delete(request=item, by=request.user)
    except ValidationError as error:
        flash.error(request, error.messages[0])
        return redirect(item)
    flash.success(request, _("درخواست به سطل بازیافت رفت."))
    return redirect("service:request_sent")


def contact_panel_context(request: HttpRequest, contact: Contact) -> dict:
    """The requests card on a contact's page: this customer's latest requests that the
    user may see, open ones first."""
    items = list(
        Request.objects.visible_to(request.user)
        .filter(contact=contact)
        .select_related("assignee", "urgency")
        .order_by("-created_at", "-id")[:10]
    )
    for item in items:
        _mark(item, request.user)
    feedback = []
    if request.user.has_perm("service.view_feedback"):
        feedback = list(
            Feedback.objects.visible_to(request.user)
            .filter(contact=contact)
            .select_related("owner")
            .order_by("-date", "-id")[:10]
        )
    complaints = []
    if request.user.has_perm("service.view_complaint"):
        complaints = list(
            Complaint.objects.visible_to(request.user)
            .filter(contact=contact)
            .select_related("officer")
            .order_by("-date", "-id")[:10]
        )
    return {"customer_requests": items, "feedback": feedback, "complaints": complaints}


# The public tracking page ---------------------------------------------------------------

# Per address: enough for a customer's typos, too few to guess codes and numbers.
TRACK_LIMIT = 10
TRACK_WINDOW_SECONDS = 600


@login_not_required
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """A customer types a tracking code and their mobile number and sees the status and
    result of their request or complaint; nothing else, and nothing at all for a wrong
    pair."""
    form = TrackForm(request.POST or None)
    context = {
        "form": form,
        "found": None,
        "searched": False,
        "company": site_settings_for(request).company_name,
    }
    status = 200
    if request.method == "POST":
        if not throttle.allow(
            f"track:{throttle.client_address(request)}",
            limit=TRACK_LIMIT,
            window_seconds=TRACK_WINDOW_SECONDS,
        ):
            context["throttled"] = True
            status = 429
        elif form.is_valid():
            context["searched"] = True
            context["found"] = selectors.tracked(
                form.cleaned_data["code"], form.cleaned_data["mobile"]
            )
    return render(request, "service/track.html", context, status=status)


def home_panel_context(request: HttpRequest) -> dict:
    items = selectors.awaiting_me(request.user)
    for item in items:
        _mark(item, request.user)
    return {"requests": items}


def _sms_text(request: HttpRequest, item: Request) -> str:
    company = site_settings_for(request).company_name
    name = item.contact.name if item.contact else ""
    if item.status == Request.Status.ARCHIVED:
        return (
            f"{name} گرامی، درخواست شما با کد پیگیری {item.tracking_code} انجام شد. "
            f"نتیجه: {item.result[:200]}\n{company}"
        )
    track_url = request.build_absolute_uri(reverse("service:track"))
    return (
        f"{name} گرامی، درخواست شما با کد پیگیری {item.tracking_code} ثبت شد. "
        f"پیگیری: {track_url}\n{company}"
    )


@permission_required(["service.view_request", "messaging.send_message"], raise_exception=True)
@require_http_methods(["GET", "POST"])
def request_sms(request: HttpRequest, pk: int) -> HttpResponse:
    """The optional SMS to the customer on registration (the tracking code) or on
    archiving (the result), shown for editing before it goes to the outbox."""
    item = get_request_for_user(request.user, pk)
    code = item.tracking_code
    return draft_page(
        request,
        channel=MessageChannel.SMS,
        initial=lambda: {
            "to": item.contact.mobile if item.contact else "",
            "body": _sms_text(request, item),
        },
        draft=lambda: Draft(
            what=_("درخواست %(code)s") % {"code": code},
            to_name=item.contact.name if item.contact else _("مشتری"),
            crumbs=[
                (_("درخواست‌ها"), reverse("service:request_inbox")),
                (code, item.get_absolute_url()),
            ],
            back_url=item.get_absolute_url(),
            note="",
            sent=_("پیامک در صف ارسال قرار گرفت."),
        ),
        send=lambda data: services.request_sms(
            request=item, by=request.user, to=data["to"], body=data["body"]
        ),
    )


@permission_required("accounts.manage_settings", raise_exception=True)
@require_http_methods(["GET", "POST"])
def service_settings(request: HttpRequest) -> HttpResponse:
    form = ServiceSettingsForm(request.POST or None, instance=ServiceSettings.load())
    if request.method == "POST" and form.is_valid():
        form.save()
        flash.success(request, _("تنظیمات درخواست‌ها و شکایات ذخیره شد."))
        return redirect("service:settings")
    return render(request, "service/settings.html", {"form": form})


# Suggestions, gifts and discounts ------------------------------------------------------


@permission_required("service.add_feedback", raise_exception=True)
@require_http_methods(["GET", "POST"])
def feedback_create(request: HttpRequest, contact_pk: int) -> HttpResponse:
    """A customer's suggestion, or a gift or discount given to them."""
    contact = get_visible_or_404(Contact, request.user, contact_pk)
    form = FeedbackForm(request.POST or None, instance=Feedback(contact=contact))
    if request.method == "POST" and form.is_valid():
        record_save(record=form.save(commit=False), by=request.user)
        flash.success(request, _("«%(kind)s» ثبت شد.") % {"kind": form.instance.get_kind_display()})
        return redirect(contact)
    return render(request, "service/feedback_form.html", {"form": form, "contact": contact})


@permission_required("service.delete_feedback", raise_exception=True)
@require_POST
def feedback_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(
        Feedback, request.user, pk, Feedback.objects.select_related("contact")
    )
    record_delete(record=item, by=request.user)
    flash.success(request, _("به سطل بازیافت رفت."))
    return redirect(item.contact)


# Complaints ------------------------------------------------------------------------------

view_complaints = permission_required("service.view_complaint", raise_exception=True)


def get_complaint_for_user(user, pk: int) -> Complaint:
    complaints = Complaint.objects.select_related(
        *selectors.COMPLAINT_RELATIONS, "channel", "product", "staff"
    )
    return get_visible_or_404(Complaint, user, pk, complaints)


@view_complaints
def complaint_list(request: HttpRequest) -> HttpResponse:
    """The complaints (service.lists.COMPLAINTS): شکایت‌های من (I am the control
    officer), ثبت‌شده‌های من, همه (what I may see) are its ``view`` tabs; a text search
    looks in all of them."""
    context = list_context(request, COMPLAINTS)
    context["tab"] = context["reading"].values.get("view", "all")
    context["tabs"] = COMPLAINT_TABS
    return render(request, "service/complaint_list.html", context)


@permission_required("service.add_complaint", raise_exception=True)
@require_http_methods(["GET", "POST"])
def complaint_create(request: HttpRequest) -> HttpResponse:
    """A new complaint; ?contact=… fills the customer, ?call=… the caller, by phone."""
    new = _from_call(request, Complaint(officer=request.user))
    if contact_pk := int_param(request.GET, "contact"):
        new.contact = get_visible_or_404(Contact, request.user, contact_pk)
    form = ComplaintForm(request.POST or None, instance=new, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = services.complaint_register(complaint=form.save(commit=False), by=request.user)
        flash.success(
            request, _("شکایت با کد پیگیری %(code)s ثبت شد.") % {"code": saved.tracking_code}
        )
        return redirect(saved)
    return render(request, "service/complaint_form.html", {"form": form, "item": None})


@permission_required("service.change_complaint", raise_exception=True)
@require_http_methods(["GET", "POST"])
def complaint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_complaint_for_user(request.user, pk)
    try:
        services.complaint_check_editable(item, request.user)
    except ValidationError as error:
        flash.error(request, error.messages[0])
        return redirect(item)
    before = snapshot(item)
    form = ComplaintForm(request.POST or None, instance=item, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.complaint_update(
                complaint=form.save(commit=False),
                by=request.user,
                before=before,
                version=form.cleaned_data["version"],
            )
        except StaleEdit as stale:
            form.refuse_stale(stale)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            flash.success(request, _("شکایت ذخیره شد."))
            return redirect(item)
    return render(request, "service/complaint_form.html", {"form": form, "item": item})


def _complaint_page(
    request: HttpRequest, complaint: Complaint, followup_form: FollowUpForm | None = None
) -> HttpResponse:
    context = {
        "complaint": complaint,
        "record": complaint,
        "followups": sales_selectors.followups_of(complaint),
        "followup_form": followup_form,
        "timeline": timeline_of(complaint),
        "hidden": ServiceSettings.load().hidden_complaint_fields,
        **attachments_card(request.user, complaint),
    }
    return render(request, "service/complaint_detail.html", context)


@view_complaints
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _complaint_page(request, get_complaint_for_user(request.user, pk))


@permission_required(["service.change_complaint", "sales.add_followup"], raise_exception=True)
@require_http_methods(["GET", "POST"])
def complaint_followup_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The follow-up entry row of a complaint's page (the leads' own, keyboard first)."""
    complaint = get_complaint_for_user(request.user, pk)
    return followup_entry(
        request, FollowUp(complaint=complaint), "service/complaint_detail.html", _complaint_page
    )


@permission_required("service.change_complaint", raise_exception=True)
@require_POST
def complaint_close(request: HttpRequest, pk: int) -> HttpResponse:
    result = request.POST.get("result", "")
    return _step(
        request,
        get_complaint_for_user(request.user, pk),
        lambda item: services.complaint_close(complaint=item, by=request.user, result=result),
        _("شکایت با نتیجه نهایی بسته شد."),
    )


@permission_required("service.change_complaint", raise_exception=True)
@require_POST
def complaint_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        get_complaint_for_user(request.user, pk),
        lambda item: services.complaint_reopen(complaint=item, by=request.user),
        _("شکایت دوباره باز شد."),
    )


@permission_required("service.delete_complaint", raise_exception=True)
@require_POST
def complaint_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_complaint_for_user(request.user, pk)
    try:
        services.complaint_delete(complaint=item, by=request.user)
    except ValidationError as error:
        flash.error(request, error.messages[0])
        return redirect(item)
    flash.success(request, _("شکایت به سطل بازیافت رفت."))
    return redirect("service:complaint_list")
