from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peyvand.core.pagination import paginate
from peyvand.sales.models import Invoice
from peyvand.tax import selectors, services
from peyvand.tax.forms import MoadianSettingsForm
from peyvand.tax.models import MoadianSettings, TaxSubmission

PAGE_SIZE = 25


@permission_required("accounts.manage_settings", raise_exception=True)
def moadian_settings(request: HttpRequest) -> HttpResponse:
    row = MoadianSettings.load()
    form = MoadianSettingsForm(request.POST or None, request.FILES or None, instance=row)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("تنظیمات سامانه مودیان ذخیره شد."))
        return redirect("tax:settings")
    return render(request, "tax/settings.html", {"form": form, "saved": MoadianSettings.load()})


@permission_required("sales.view_invoice", raise_exception=True)
def submission_list(request: HttpRequest) -> HttpResponse:
    """فاکتورهای ارسال‌نشده/ردشده به سامانه مودیان."""
    page = paginate(selectors.open_submissions(request.user), request.GET.get("page"), PAGE_SIZE)
    return render(request, "tax/submission_list.html", {"page": page})


@permission_required("sales.add_invoice", raise_exception=True)
@require_POST
def submission_resend(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(
        TaxSubmission.objects.filter(
            invoice__in=Invoice.objects.visible_to(request.user).values("pk")
        ),
        pk=pk,
    )
    try:
        services.submission_resend(submission=submission)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("فاکتور دوباره در صف ارسال به سامانه مودیان قرار گرفت."))
    return redirect(submission.invoice.get_absolute_url())


def invoice_panel_context(request: HttpRequest, invoice) -> dict:
    return {"submissions": selectors.submissions_of_invoice(invoice)}
