"""The customer portal (/portal/): a customer signs in with their mobile and a code
texted through the outbox, and sees their own requests, complaints, proformas and
invoices and answers pending surveys. Staff users are not involved: the portal keeps
its own key in the session, and every page checks again that access still holds."""

import datetime
from functools import wraps

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peyvand.contacts.models import Contact
from peyvand.core import throttle
from peyvand.core.access import get_visible_or_404
from peyvand.core.display import site_settings_for
from peyvand.core.pagination import paginate
from peyvand.finance import statements
from peyvand.finance.forms import PeriodForm
from peyvand.finance.selectors import STATEMENT_PAGE_SIZE, account_of
from peyvand.finance.selectors import statement as finance_statement
from peyvand.portal import selectors, services
from peyvand.portal.forms import (
    CodeForm,
    MobileForm,
    PortalAccessForm,
    PortalRequestForm,
    PortalSurveyForm,
)
from peyvand.portal.models import PortalAccess
from peyvand.sales.documents import pdf_response
from peyvand.surveys.models import SurveyResponse

SESSION_KEY = "portal"
PENDING_KEY = "portal_pending"
# Per address, in ten minutes: enough for typos, too few to guess codes or numbers.
SEND_LIMIT = 10
CHECK_LIMIT = 20
WINDOW_SECONDS = 600
PAGE_SIZE = 20

# The sections a customer may be shown, each behind its access flag.
SECTIONS = {
    "requests": ("show_requests", "درخواست‌ها", selectors.requests_of),
    "complaints": ("show_complaints", "شکایت‌ها", selectors.complaints_of),
    "quotes": ("show_quotes", "پیش فاکتورها", selectors.quotes_of),
    "invoices": ("show_invoices", "فاکتورها", selectors.invoices_listed_of),
}


def _company(request: HttpRequest) -> str:
    return site_settings_for(request).company_name


def _customer(request: HttpRequest) -> Contact | None:
    """The signed-in customer, while their sign-in is fresh and their access holds."""
    state = request.session.get(SESSION_KEY)
    if not state or not state.get("contact"):
        return None
    signed_at = datetime.datetime.fromisoformat(state["at"])
    if timezone.now() - signed_at > datetime.timedelta(hours=settings.PORTAL_SESSION_HOURS):
        return None
    for contact in selectors.login_contacts(state["mobile"]):
        if contact.pk == state["contact"]:
            return contact
    return None


def customer_required(view):
    """A portal page: the signed-in customer as ``request.customer`` (and their access
    as ``request.access``), else the portal's sign-in page."""

    @login_not_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        customer = _customer(request)
        if customer is None:
            request.session.pop(SESSION_KEY, None)
            return redirect("portal:login")
        request.customer = customer
        request.access = customer.portal_access
        return view(request, *args, **kwargs)

    return wrapper


def _section(request: HttpRequest, name: str):
    if name not in SECTIONS:
        raise Http404
    flag, title, records_of = SECTIONS[name]
    if not getattr(request.access, flag):
        raise Http404
    return title, records_of(request.customer)


# Signing in ------------------------------------------------------------------------------

TOO_MANY = "تعداد تلاش‌ها زیاد بود؛ چند دقیقه دیگر امتحان کنید."


def _too_many(request: HttpRequest, what: str, limit: int) -> bool:
    """Counts one try of ``what`` from this address; True past ``limit`` in the window."""
    key = f"portal-{what}:{throttle.client_address(request)}"
    return not throttle.allow(key, limit=limit, window_seconds=WINDOW_SECONDS)


@login_not_required
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    if _customer(request) is not None:
        return redirect("portal:home")
    form = MobileForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        mobile = form.cleaned_data["mobile"]
        if _too_many(request, "send", SEND_LIMIT):
            form.add_error(None, TOO_MANY)
            status = 429
        else:
            try:
                services.code_send(mobile=mobile, company=_company(request))
            except services.PortalError as error:
                form.add_error(None, str(error))
            else:
                request.session[PENDING_KEY] = {"mobile": mobile}
                return redirect("portal:code")
    context = {"form": form, "company": _company(request)}
    return render(request, "portal/login.html", context, status=status)


@login_not_required
@require_http_methods(["GET", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return redirect("portal:login")
    mobile = pending["mobile"]
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if _too_many(request, "check", CHECK_LIMIT):
            form.add_error(None, TOO_MANY)
            status = 429
        else:
            try:
                services.code_check(mobile=mobile, code=form.cleaned_data["code"])
            except services.PortalError as error:
                form.add_error("code", str(error))
            else:
                return _signed_in(request, mobile)
    context = {"form": form, "company": _company(request), "mobile": mobile}
    return render(request, "portal/code.html", context, status=status)


def _signed_in(request: HttpRequest, mobile: str) -> HttpResponse:
    contacts = selectors.login_contacts(mobile)
    request.session.cycle_key()  # a new session id once signed in (no fixation)
    request.session.pop(PENDING_KEY, None)
    if not contacts:
        flash.error(request, _("این شماره دیگر به پرتال دسترسی ندارد."))
        return redirect("portal:login")
    state = {"mobile": mobile, "at": timezone.now().isoformat(), "contact": None}
    if len(contacts) == 1:
        state["contact"] = contacts[0].pk
        services.signed_in(contacts[0])
    request.session[SESSION_KEY] = state
    return redirect("portal:home" if state["contact"] else "portal:choose")


@login_not_required
@require_http_methods(["GET", "POST"])
def choose(request: HttpRequest) -> HttpResponse:
    """One mobile, several customers (a person and their company): which one."""
    state = request.session.get(SESSION_KEY)
    if not state:
        return redirect("portal:login")
    contacts = selectors.login_contacts(state["mobile"])
    if request.method == "POST":
        chosen = next((c for c in contacts if str(c.pk) == request.POST.get("contact")), None)
        if chosen is not None:
            request.session[SESSION_KEY] = {**state, "contact": chosen.pk}
            services.signed_in(chosen)
            return redirect("portal:home")
    return render(
        request, "portal/choose.html", {"contacts": contacts, "company": _company(request)}
    )


@login_not_required
@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    request.session.pop(PENDING_KEY, None)
    request.session.cycle_key()
    flash.success(request, _("از پرتال خارج شدید."))
    return redirect("portal:login")


# The customer's pages --------------------------------------------------------------------


@customer_required
def home(request: HttpRequest) -> HttpResponse:
    access = request.access
    sections = [
        (name, title, records_of(request.customer)[:5])
        for name, (flag, title, records_of) in SECTIONS.items()
        if getattr(access, flag)
    ]
    surveys = selectors.pending_surveys(request.customer) if access.show_surveys else []
    context = {"sections": sections, "surveys": surveys, **_shell(request)}
    return render(request, "portal/home.html", context)


def _shell(request: HttpRequest) -> dict:
    access = request.access
    tabs = [(name, title) for name, (flag, title, _r) in SECTIONS.items() if getattr(access, flag)]
    if access.show_statement:
        tabs.append(("statement", _("صورت‌حساب")))
    return {
        "customer": request.customer,
        "company": _company(request),
        "tabs": tabs,
        "takes_requests": access.show_requests and services.request_assignee() is not None,
        "today": timezone.localdate(),
    }


@customer_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    """A customer registers a request of their own; it gets its tracking code at once."""
    shell = _shell(request)
    if not shell["takes_requests"]:
        raise Http404
    form = PortalRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.request_from_portal(
                request=form.save(commit=False), contact=request.customer
            )
        except services.PortalError as error:
            form.add_error(None, str(error))
        else:
            flash.success(
                request,
                _("درخواست شما با کد پیگیری %(code)s ثبت شد.") % {"code": item.tracking_code},
            )
            return redirect("portal:request_detail", pk=item.pk)
    return render(request, "portal/request_form.html", {"form": form, **shell})


@customer_required
def section(request: HttpRequest, name: str) -> HttpResponse:
    title, records = _section(request, name)
    page = paginate(records, request.GET.get("page"), PAGE_SIZE)
    context = {"name": name, "title": title, "page": page, **_shell(request)}
    return render(request, "portal/section.html", context)


@customer_required
def statement(request: HttpRequest) -> HttpResponse:
    """The customer's own account this Jalali year (or a period they choose), when their
    access shows it: what the staff's statement shows, with its PDF."""
    if not request.access.show_statement:
        raise Http404
    form, start, end = PeriodForm.from_query(request.GET)
    if request.GET.get("format") == "pdf":
        return statements.statement_pdf_response(
            request.customer, start, end, company=_company(request)
        )
    context = {
        "name": "statement",
        "statement": finance_statement(
            request.customer,
            start,
            end,
            page=request.GET.get("page"),
            page_size=STATEMENT_PAGE_SIZE,
        ),
        "account": account_of(request.customer),
        "period_form": form,
        **_shell(request),
    }
    return render(request, "portal/statement.html", context)


@customer_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _title, records = _section(request, "requests")
    item = get_object_or_404(records.select_related("urgency"), pk=pk)
    return render(request, "portal/request_detail.html", {"item": item, **_shell(request)})


@customer_required
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _title, records = _section(request, "complaints")
    item = get_object_or_404(records, pk=pk)
    return render(request, "portal/complaint_detail.html", {"item": item, **_shell(request)})


@customer_required
def document_pdf(request: HttpRequest, name: str, pk: int) -> HttpResponse:
    if name not in ("quotes", "invoices"):
        raise Http404
    _title, records = _section(request, name)
    document = get_object_or_404(records, pk=pk)
    response = pdf_response(document, company=site_settings_for(request))
    return response


@customer_required
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    if not request.access.show_surveys:
        raise Http404
    subject = selectors.pending_survey(request.customer, kind, pk)
    questionnaire = selectors.questionnaire_for(kind) if subject is not None else None
    if questionnaire is None:
        raise Http404
    response = SurveyResponse(questionnaire=questionnaire, **{kind: subject})
    form = PortalSurveyForm(request.POST or None, instance=response, questionnaire=questionnaire)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_answer(response=form.save(commit=False), scores=form.scores())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            flash.success(request, _("از اینکه نظرتان را گفتید سپاسگزاریم."))
            return redirect("portal:home")
    context = {"form": form, "subject": subject, "questionnaire": questionnaire}
    return render(request, "portal/survey.html", {**context, **_shell(request)})


# Staff: who may sign in, and what they see ------------------------------------------------


def contact_panel_context(request: HttpRequest, contact: Contact) -> dict:
    access = PortalAccess.objects.filter(contact=contact).first()
    if access is None or not access.enabled:
        return {"portal_access": access, "portal_mobiles": []}
    mobiles = selectors.login_mobiles(contact, include_people=access.include_people)
    return {"portal_access": access, "portal_mobiles": mobiles}


@permission_required("contacts.change_contact", raise_exception=True)
@require_http_methods(["GET", "POST"])
def access_edit(request: HttpRequest, contact_pk: int) -> HttpResponse:
    contact = get_visible_or_404(Contact, request.user, contact_pk)
    access = PortalAccess.objects.filter(contact=contact).first() or PortalAccess(contact=contact)
    before = services.access_snapshot(access)
    form = PortalAccessForm(request.POST or None, instance=access)
    if request.method == "POST" and form.is_valid():
        services.access_save(access=form.save(commit=False), by=request.user, before=before)
        if access.enabled and not selectors.login_mobiles(
            contact, include_people=access.include_people
        ):
            flash.warning(
                request,
                _("دسترسی پرتال ذخیره شد، اما این مخاطب تلفن همراهی ندارد؛ کسی نمی‌تواند وارد شود."),
            )
        else:
            flash.success(request, _("دسترسی پرتال ذخیره شد."))
        return redirect(contact)
    mobiles = selectors.login_mobiles(contact, include_people=access.include_people)
    context = {"form": form, "contact": contact, "mobiles": mobiles}
    return render(request, "portal/access_form.html", context)
