import datetime

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peyvand.contacts.models import Contact
from peyvand.core.access import get_visible_or_404
from peyvand.core.attachments import attachments_card
from peyvand.core.dates import format_date, from_jalali, jalali_today, user_calendar
from peyvand.core.display import site_settings_for
from peyvand.core.forms import add_service_errors
from peyvand.core.lists.views import list_context
from peyvand.core.money import format_money
from peyvand.core.params import int_param
from peyvand.core.periods import week_range
from peyvand.core.timeline import timeline_of
from peyvand.finance import payments, selectors, services, statements
from peyvand.finance.forms import (
    IRANIAN_BANKS,
    AllocationForm,
    BankAccountForm,
    ChequeForm,
    ChequeMoveForm,
    FinanceSettingsForm,
    OpeningBalanceForm,
    PeriodForm,
    ReceiptForm,
)
from peyvand.finance.lists import CHEQUES, RECEIPTS, cheque_totals, receipt_totals
from peyvand.finance.models import BankAccount, Cheque, Entry, FinanceSettings, Method, Receipt
from peyvand.finance.selectors import STATEMENT_PAGE_SIZE
from peyvand.messaging.drafts import Draft, draft_page
from peyvand.messaging.models import Channel
from peyvand.messaging.services import message_queue
from peyvand.sales.models import Invoice

# The open debts the account page lists, most overdue first; the rest are a click away in
# the invoice list, and every line is in the statement below.
ACCOUNT_DEBTS_SHOWN = 10

view_account = permission_required("finance.view_account", raise_exception=True)
view_receipts = permission_required("finance.view_receipt", raise_exception=True)
view_cheques = permission_required("finance.view_cheque", raise_exception=True)


def get_receipt_for_user(user, pk: int) -> Receipt:
    return get_visible_or_404(
        Receipt, user, pk, Receipt.objects.select_related("contact", "owner", "bank_account")
    )


def get_cheque_for_user(user, pk: int) -> Cheque:
    return get_visible_or_404(
        Cheque, user, pk, Cheque.objects.select_related("contact", "receipt", "bank_account")
    )


# The customer's account ---------------------------------------------------------------


@view_account
def account(request: HttpRequest, pk: int) -> HttpResponse:
    """کارت حساب: the totals, what is still owed item by item, and the period's lines
    with a running balance."""
    contact = get_visible_or_404(Contact, request.user, pk)
    form, start, end = PeriodForm.from_query(request.GET)
    lines = selectors.statement(
        contact, start, end, page=request.GET.get("page"), page_size=STATEMENT_PAGE_SIZE
    )
    context = {
        "contact": contact,
        "account": selectors.account_of(contact),
        "statement": lines,
        "debts": selectors.open_debts_summary(contact, limit=ACCOUNT_DEBTS_SHOWN),
        "period_form": form,
        "today": timezone.localdate(),
    }
    return render(request, "finance/account.html", context)


@permission_required("finance.change_account", raise_exception=True)
@require_http_methods(["GET", "POST"])
def opening_balance(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_visible_or_404(Contact, request.user, pk)
    current = Entry.objects.filter(contact=contact, kind=Entry.Kind.OPENING).first()
    initial = {"side": "debtor", "date": from_jalali(jalali_today().year, 1, 1)}
    if current is not None:
        initial = {
            "side": "debtor" if current.debit else "creditor",
            "amount": current.amount,
            "date": current.date,
        }
    form = OpeningBalanceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.opening_balance_set(
            contact=contact,
            amount=form.signed_amount(),
            date=form.cleaned_data["date"],
            by=request.user,
        )
        flash.success(request, _("مانده اول دوره ذخیره شد."))
        return redirect("finance:account", pk=contact.pk)
    return render(request, "finance/opening_balance.html", {"form": form, "contact": contact})


# Receipts and payments --------------------------------------------------------------------


@view_receipts
def receipt_list(request: HttpRequest) -> HttpResponse:
    context = list_context(request, RECEIPTS)
    context["totals"] = receipt_totals(context["figures"])
    return render(request, "finance/receipt_list.html", context)


@permission_required("finance.add_receipt", raise_exception=True)
@require_http_methods(["GET", "POST"])
def receipt_create(request: HttpRequest, direction: str) -> HttpResponse:
    """Records a receipt (or a payment) of one customer: chosen first, so that the form
    can offer their open invoices to settle."""
    if direction not in Receipt.Direction.values:
        raise Http404
    contact_pk = int_param(request.GET, "contact")
    if contact_pk is None:
        return render(request, "finance/receipt_pick_contact.html", {"direction": direction})
    contact = get_visible_or_404(Contact, request.user, contact_pk)
    receipt = Receipt(contact=contact, direction=direction, date=timezone.localdate())
    data = request.POST or None
    form = ReceiptForm(data, instance=receipt, direction=direction)
    cheque_form = ChequeForm(data, initial={"drawer": contact.name})
    debts = selectors.open_debts(contact)[:50] if direction == Receipt.Direction.IN else []
    allocation_form = AllocationForm(data, prefix="alloc", debts=debts)
    if request.method == "POST" and form.is_valid() & allocation_form.is_valid():
        is_cheque = form.cleaned_data["method"] == Method.CHEQUE
        if not is_cheque or cheque_form.is_valid():
            try:
                services.receipt_record(
                    receipt=form.save(commit=False),
                    cheque=cheque_form.save(commit=False) if is_cheque else None,
                    targets=allocation_form.targets(),
                    by=request.user,
                )
            except ValidationError as error:
                add_service_errors(error, form, cheque_form, allocation_form)
            else:
                flash.success(
                    request,
                    _("%(kind)s %(number)s ثبت شد.")
                    % {
                        "kind": receipt.get_direction_display(),
                        "number": receipt.number,
                    },
                )
                return redirect(receipt)
    context = {
        "form": form,
        "cheque_form": cheque_form,
        "allocation_form": allocation_form,
        "contact": contact,
        "direction": direction,
        "account": selectors.account_of(contact),
        "banks": IRANIAN_BANKS,
    }
    return render(request, "finance/receipt_form.html", context)


@view_receipts
def receipt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = get_receipt_for_user(request.user, pk)
    context = {
        "receipt": receipt,
        "cheque": Cheque.objects.filter(receipt=receipt).first(),
        "allocations": list(selectors.allocations_of_receipt(receipt)),
        "record": receipt,
        **attachments_card(request.user, receipt),
        "timeline": timeline_of(receipt),
    }
    return render(request, "finance/receipt_detail.html", context)


@permission_required("finance.delete_receipt", raise_exception=True)
@require_POST
def receipt_delete(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = get_receipt_for_user(request.user, pk)
    try:
        services.receipt_delete(receipt=receipt, by=request.user)
    except ValidationError as error:
        flash.error(request, error.messages[0])
        return redirect(receipt)
    flash.success(
        request,
        _("%(receipt)s به سطل بازیافت رفت.") % {"receipt": receipt},
    )
    return redirect("finance:account", pk=receipt.contact_id)


# Cheques -----------------------------------------------------------------------------------------


# The due-date tabs the cheque list had before its filters, as the due date's presets:
# old bookmarks and links open the same due dates (the default is no longer «this week»:
# the cheques in hand, overdue first).
OLD_PERIODS = {"week": "this_week", "overdue": "overdue", "month": "next_30_days", "all": ""}


@view_cheques
def cheque_list(request: HttpRequest) -> HttpResponse:
    """The cheques to collect: by default those in hand, the first due first."""
    if "period" in request.GET:
        query = request.GET.copy()
        period = OLD_PERIODS.get(query.pop("period")[-1], "")
        if period and "due_period" not in query:
            query["due_period"] = period
        return redirect(f"{request.path}?{query.urlencode()}" if query else request.path)
    context = list_context(request, CHEQUES)
    context["totals"] = cheque_totals(context["figures"])
    return render(request, "finance/cheque_list.html", context)


@view_cheques
@require_http_methods(["GET", "POST"])
def cheque_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cheque = get_cheque_for_user(request.user, pk)
    can_move = request.user.has_perm("finance.manage_cheque") and bool(cheque.next_statuses)
    form = None
    if can_move:
        form = ChequeMoveForm(
            request.POST or None, cheque=cheque, initial={"date": timezone.localdate()}
        )
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.cheque_move(cheque=cheque, by=request.user, **data)
            except ValidationError as error:
                add_service_errors(error, form)
            else:
                cheque.refresh_from_db()
                flash.success(
                    request, _("وضعیت چک: %(status)s") % {"status": cheque.get_status_display()}
                )
                return redirect(cheque)
    context = {
        "cheque": cheque,
        "events": list(cheque.events.select_related("by")),
        "form": form,
    }
    return render(request, "finance/cheque_detail.html", context)


# Panels on other apps' pages ---------------------------------------------------------------


def contact_panel_context(request: HttpRequest, contact: Contact) -> dict:
    account = selectors.account_of(contact)
    credit = selectors.credit_of(contact, account)
    return {
        "account": account,
        "credit_limit": credit.limit,
        "credit_used": credit.used,
        "credit_available": credit.available,
    }


def home_panel_context(request: HttpRequest) -> dict:
    """The home page's money: what the user's customers owe this week (instalments and
    invoices, overdue first) and, for whoever follows cheques, the cheques due."""
    today = timezone.localdate()
    _start, end = week_range(today)
    cheques = []
    if request.user.has_perm("finance.view_cheque") and request.user.has_perm(
        "finance.receive_cheque_alerts"
    ):
        cheques = list(selectors.cheques_due(request.user, end)[:10])
    return {
        "due": selectors.receivables_due(
            request.user, today + datetime.timedelta(days=7), limit=10
        ),
        "cheques": cheques,
        "today": today,
    }


def invoice_panel_context(request: HttpRequest, invoice) -> dict:
    link = ""
    parts = payments.instalments(invoice)
    if invoice.unpaid:
        link = _pay_url(request, invoice)
        if len(parts) > 1:
            for part in parts:
                if part.open_amount > 0:
                    part.pay_link = _pay_url(request, invoice, part)
    return {
        "allocations": list(selectors.allocations_of_invoice(invoice)),
        "instalments": parts,
        "pay_link": link,
        "online_payments": list(invoice.online_payments.all()[:5]),
        "today": timezone.localdate(),
    }


# Settings ------------------------------------------------------------------------------------


manage_settings = permission_required("accounts.manage_settings", raise_exception=True)


@manage_settings
@require_http_methods(["GET", "POST"])
def finance_settings(request: HttpRequest) -> HttpResponse:
    form = FinanceSettingsForm(request.POST or None, instance=FinanceSettings.load())
    if request.method == "POST" and form.is_valid():
        form.save()
        flash.success(request, _("تنظیمات مالی ذخیره شد."))
        return redirect("finance:settings")
    context = {"form": form, "bank_accounts": BankAccount.objects.all()}
    return render(request, "finance/settings.html", context)


@manage_settings
@require_http_methods(["GET", "POST"])
def bank_account_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    bank_account = get_object_or_404(BankAccount, pk=pk) if pk else BankAccount()
    form = BankAccountForm(request.POST or None, instance=bank_account)
    if request.method == "POST" and form.is_valid():
        form.save()
        flash.success(request, _("حساب بانکی ذخیره شد."))
        return redirect("finance:settings")
    context = {"form": form, "bank_account": bank_account, "banks": IRANIAN_BANKS}
    return render(request, "finance/bank_account_form.html", context)


# Online payment: the customer's pages (no staff login; the signed link is the credential)


def _pay_url(request: HttpRequest, invoice, instalment: Entry | None = None) -> str:
    token = payments.pay_token(invoice, instalment)
    return request.build_absolute_uri(reverse("finance:pay", args=[token]))


def _pay_choices(parts: list[Entry], linked: Entry | None) -> list[Entry]:
    """The instalments a pay page offers: the next one due (or overdue) and the one its
    link is for (the page offers «everything left» beside them)."""
    return [part for part in parts if part is linked or part is parts[0]]


@login_not_required
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, token: str) -> HttpResponse:
    """The invoice's pay page: what is left to pay — the whole rest or, for an invoice
    paid in instalments, the next instalment (or the one the link is for) — and the
    button to the gateway."""
    link = payments.pay_link_from_token(token)
    if link is None:
        raise Http404
    invoice = link.invoice
    entries = payments.instalments(invoice)
    parts = [entry for entry in entries if entry.open_amount > 0]
    linked = next((part for part in parts if part.pk == link.instalment_id), None)
    notice = ""
    if link.instalment_id is not None and linked is None and parts:
        notice = _("این قسط پرداخت شده است.")
    choices = _pay_choices(parts, linked) if len(entries) > 1 else []
    choice = str((linked or parts[0]).pk) if choices else "all"
    error = ""
    if request.method == "POST":
        # «all» (or no choice: a form from before instalments) is the whole rest.
        choice = request.POST.get("part", "all")
        instalment_id = None if choice == "all" else int_param(request.POST, "part")
        if choice != "all" and instalment_id is None:
            error = _("این قسط از اقساط این فاکتور نیست.")
        else:
            callback = request.build_absolute_uri(reverse("finance:pay_callback"))
            try:
                _payment, redirect_url = payments.payment_start(
                    invoice=invoice, callback_url=callback, instalment_id=instalment_id
                )
            except payments.PaymentRefused as refused:
                error = refused.message
            else:
                return redirect(redirect_url)
    context = {
        "invoice": invoice,
        "amount": sum(part.open_amount for part in parts),
        "choices": choices,
        "offer_all": len(parts) > 1,
        "choice": choice,
        "notice": notice,
        "error": error,
        "today": timezone.localdate(),
        "company": site_settings_for(request).company_name,
    }
    response = render(request, "finance/pay.html", context, status=400 if error else 200)
    if origin := payments.gateway_origin():
        # The form's POST is answered with a redirect to the gateway: browsers hold that
        # redirect to the policy's form-action, which otherwise allows this site only.
        response._csp_update = {"form-action": [origin]}
    return response


@login_not_required
@require_GET
def pay_callback(request: HttpRequest) -> HttpResponse:
    """Where the gateway sends the buyer back: verified and recorded once."""
    context = {"company": site_settings_for(request).company_name}
    try:
        payment = payments.payment_callback(request.GET)
    except payments.PaymentRefused as refused:
        return render(request, "finance/pay_result.html", {**context, "error": refused.message},
                      status=400)  # fmt: skip
    number = payments.instalment_number(payment.instalment) if payment.instalment_id else None
    context |= {
        "payment": payment,
        "instalment_number": number,
        "token": payments.pay_token(payment.invoice, payment.instalment),
    }
    return render(request, "finance/pay_result.html", context)


def _pay_message(request: HttpRequest, invoice, channel: str, instalment=None) -> dict:
    """The message carrying an invoice's pay link: of what it still owes, or of one
    instalment («قسط ۲ فاکتور ۱۴۰۵-۰۰۱۲ به سررسید …: مبلغ …»)."""
    company = site_settings_for(request).company_name
    link = _pay_url(request, invoice, instalment)
    greeting = f"{invoice.contact.name} گرامی،"
    number = invoice.number
    if instalment is None:
        amount = format_money(payments.payable(invoice), invoice.money_unit)
        owed = f"مانده فاکتور {number}: {amount}"
        owed_long = f"مانده فاکتور شماره {number} {amount} است"
        subject = f"پرداخت فاکتور {number} — {company}"
    else:
        amount = format_money(instalment.open_amount, invoice.money_unit)
        what = payments.paying_for(invoice, instalment)
        due = format_date(instalment.due_date)
        owed = f"{what} به سررسید {due}: مبلغ {amount}"
        owed_long = f"مبلغ {what} به سررسید {due}، {amount} است"
        subject = f"پرداخت {what} — {company}"
    if channel == Channel.SMS:
        body = f"{greeting} {owed}. پرداخت آنلاین:\n{link}\n{company}"
        return {"to": invoice.contact.mobile, "body": body}
    body = (
        f"{greeting}\n\n{owed_long}. برای پرداخت آنلاین این "
        f"پیوند را باز کنید:\n{link}\n\nبا احترام،\n{request.user}\n{company}"
    )
    return {"to": invoice.contact.email, "subject": subject, "body": body}


@permission_required(["finance.view_account", "messaging.send_message"], raise_exception=True)
@require_http_methods(["GET", "POST"])
def pay_link_send(request: HttpRequest, pk: int, channel: str) -> HttpResponse:
    """Sends an invoice's pay link to its customer by SMS or email, through the outbox:
    the link of the whole rest, or of one instalment (``?part=`` its account line)."""
    invoice = get_visible_or_404(
        Invoice, request.user, pk, Invoice.objects.select_related("contact")
    )
    instalment = None
    if "part" in request.GET:
        part = int_param(request.GET, "part")
        parts = {entry.pk: entry for entry in payments.instalments(invoice)}
        instalment = parts.get(part) if part is not None else None
        if instalment is None:
            raise Http404
        if instalment.open_amount <= 0:
            flash.error(request, _("این قسط پرداخت شده است."))
            return redirect(invoice)
    number = invoice.number
    what = (
        _("پیوند پرداخت فاکتور %(number)s") % {"number": number}
        if instalment is None
        else _("پیوند پرداخت %(what)s") % {"what": payments.paying_for(invoice, instalment)}
    )
    due = ""
    if instalment is not None:
        due = _("سررسید قسط %(date)s، مانده آن %(amount)s. ") % {
            "date": format_date(instalment.due_date),
            "amount": format_money(instalment.open_amount, invoice.money_unit),
        }
    return draft_page(
        request,
        channel=channel,
        initial=lambda: _pay_message(request, invoice, channel, instalment),
        draft=lambda: Draft(
            what=what,
            to_name=invoice.contact.name,
            crumbs=[
                (_("فاکتورها"), reverse("sales:invoice_list")),
                (number, invoice.get_absolute_url()),
            ],
            back_url=invoice.get_absolute_url(),
            note=due
            + _(
                "پیوند تا ۳۰ روز صفحه پرداخت آنلاین این فاکتور را بدون ورود به سامانه باز "
                "می‌کند و همیشه مانده روز را نشان می‌دهد."
            ),
            sent=_("پیوند پرداخت در صف ارسال قرار گرفت."),
        ),
        send=lambda data: message_queue(
            channel=channel, by=request.user, contact=invoice.contact, related=invoice, **data
        ),
    )


# The customer's statement: PDF, Excel, a signed link, sent by SMS or email


@view_account
def statement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_visible_or_404(Contact, request.user, pk)
    _form, start, end = PeriodForm.from_query(request.GET)
    company = site_settings_for(request).company_name
    return statements.statement_pdf_response(contact, start, end, company=company)


@view_account
def statement_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_visible_or_404(Contact, request.user, pk)
    _form, start, end = PeriodForm.from_query(request.GET)
    return statements.statement_xlsx_response(contact, start, end)


@login_not_required
@require_GET
def statement_shared(request: HttpRequest, token: str) -> HttpResponse:
    """The PDF behind a statement's SMS link; the signed link is the only credential."""
    found = statements.from_statement_token(token)
    contact = Contact.objects.filter(pk=found[0]).first() if found else None
    if contact is None:
        raise Http404
    company = site_settings_for(request).company_name
    return statements.statement_pdf_response(
        contact, found[1], found[2], company=company, inline=True
    )


def _statement_message(request: HttpRequest, contact, start, end, channel: str) -> dict:
    company = site_settings_for(request).company_name
    period = statements.period_text(start, end)
    greeting = f"{contact.name} گرامی،"
    if channel == Channel.SMS:
        token = statements.statement_token(contact, start, end)
        link = request.build_absolute_uri(reverse("finance:statement_shared", args=[token]))
        return {
            "to": contact.mobile,
            "body": f"{greeting} صورت‌حساب شما {period}:\n{link}\n{company}",
        }
    body = (
        f"{greeting}\n\nصورت‌حساب شما {period} پیوست این نامه است.\n\n"
        f"با احترام،\n{request.user}\n{company}"
    )
    return {"to": contact.email, "subject": f"صورت‌حساب {contact.name} — {company}", "body": body}


@permission_required(["finance.view_account", "messaging.send_message"], raise_exception=True)
@require_http_methods(["GET", "POST"])
def statement_send(request: HttpRequest, pk: int, channel: str) -> HttpResponse:
    """Sends the statement of a period by email (the PDF attached) or SMS (its link)."""
    contact = get_visible_or_404(Contact, request.user, pk)
    _form, start, end = PeriodForm.from_query(request.GET)
    account_url = reverse("finance:account", args=[contact.pk])
    note = (
        _("پیوند درون پیامک، PDF صورت‌حساب را تا ۳۰ روز بدون ورود به سامانه باز می‌کند.")
        if channel == Channel.SMS
        else _("فایل PDF صورت‌حساب به ایمیل پیوست می‌شود.")
    )
    return draft_page(
        request,
        channel=channel,
        initial=lambda: _statement_message(request, contact, start, end, channel),
        draft=lambda: Draft(
            what=_("صورت‌حساب %(period)s")
            % {"period": statements.period_text(start, end, user_calendar())},
            to_name=contact.name,
            crumbs=[(contact.name, contact.get_absolute_url()), (_("کارت حساب"), account_url)],
            back_url=account_url,
            note=note,
            sent=_("صورت‌حساب در صف ارسال قرار گرفت."),
        ),
        send=lambda data: statements.statement_send(
            contact=contact,
            start=start,
            end=end,
            channel=channel,
            by=request.user,
            company=site_settings_for(request).company_name,
            **data,
        ),
    )


@permission_required("finance.change_receipt", raise_exception=True)
@require_http_methods(["GET", "POST"])
def receipt_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    """Changes which debts a receipt settles (the automatic choice is oldest first)."""
    receipt = get_receipt_for_user(request.user, pk)
    if not receipt.is_in:
        raise Http404
    current = {a.debit_id: a.amount for a in selectors.allocations_of_receipt(receipt)}
    debts = selectors.debts_for_allocation(receipt.contact, current)
    initial = {f"entry_{pk}": amount for pk, amount in current.items()}
    form = AllocationForm(request.POST or None, prefix="alloc", debts=debts, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.receipt_reallocate(receipt=receipt, targets=form.targets(), by=request.user)
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            flash.success(request, _("تسویه‌های این دریافت ذخیره شد."))
            return redirect(receipt)
    return render(request, "finance/receipt_allocate.html", {"receipt": receipt, "form": form})
