import datetime
import sys

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, ValidationError
from django.db import InterfaceError, OperationalError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from pydantic import ValidationError as PydanticValidationError

from peyvand.core import services
from peyvand.core.access import own_url
from peyvand.core.dates import from_jalali, jalali_today, to_jalali
from peyvand.core.dialog import opens_in_dialog
from peyvand.core.display import site_settings_for
from peyvand.core.forms import HolidayOverrideForm, SequenceForm, SiteSettingsForm
from peyvand.core.images import image_data_uri
from peyvand.core.models import HolidayOverride, Sequence, SiteSettings
from peyvand.core.registry import home_panels, search_sources
from peyvand.core.workdays import WorkCalendar, official_holidays


def home(request: HttpRequest) -> HttpResponse:
    """کارتابل: the user's day. Each module adds its panel (see core.registry)."""
    today = timezone.localdate()
    calendar = WorkCalendar(
        today, today + datetime.timedelta(days=60), weekend=site_settings_for(request).weekend
    )
    upcoming = [
        (day, name)
        for day in (today + datetime.timedelta(days=offset) for offset in range(1, 60))
        if (name := calendar.holiday_name(day))
    ][:5]
    panels = [
        (panel.template, panel.context(request))
        for panel in home_panels
        if request.user.has_perm(panel.permission)
    ]
    return render(
        request,
        "core/home.html",
        {
            "today": today,
            "today_holiday": calendar.holiday_name(today),
            "today_is_working": calendar.is_working_day(today),
            "upcoming_holidays": upcoming,
            "panels": panels,
        },
    )


def search(request: HttpRequest) -> HttpResponse:
    """The top-bar search: as-you-type suggestions (htmx) or a full results page."""
    query = request.GET.get("q", "").strip()
    limit = 5 if request.htmx else 50
    sources = [s for s in search_sources if request.user.has_perm(s.permission)] if query else []
    groups = [
        (source, list(source.search(user=request.user, query=query)[:limit])) for source in sources
    ]
    context = {
        "groups": groups,
        "search_query": query,
        "found": any(results for _source, results in groups),
    }
    if request.htmx:
        return render(request, "core/search.html#suggestions", context)
    return render(request, "core/search.html", context)


manage_trash = permission_required("accounts.manage_trash", raise_exception=True)


@manage_trash
def trash(request: HttpRequest) -> HttpResponse:
    groups = []
    for model in services.trash_models():
        records = (
            model.all_objects.visible_to(request.user)
            .filter(deleted_at__isnull=False)
            .select_related("owner", "deleted_by")
            .order_by("-deleted_at")[:200]
        )
        groups.append((model._meta.verbose_name_plural, model._meta.label_lower, records))
    return render(request, "core/trash.html", {"groups": groups})


@manage_trash
@require_POST
def trash_restore(request: HttpRequest, model_label: str, pk: int) -> HttpResponse:
    models = {model._meta.label_lower: model for model in services.trash_models()}
    model = models.get(model_label)
    if model is None:
        raise Http404
    record = get_object_or_404(
        model.all_objects.visible_to(request.user).filter(deleted_at__isnull=False), pk=pk
    )
    services.record_restore(record=record, by=request.user)
    messages.success(request, _("«%(record)s» بازیابی شد.") % {"record": record})
    return redirect("core:trash")


manage_settings = permission_required("accounts.manage_settings", raise_exception=True)


@manage_settings
def site_settings(request: HttpRequest) -> HttpResponse:
    form = SiteSettingsForm(
        request.POST or None, request.FILES or None, instance=site_settings_for(request)
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("تنظیمات سامانه ذخیره شد."))
        return redirect("core:site_settings")
    # As saved, not as the rejected form left its instance (an upload not stored yet).
    settings = SiteSettings.load() if form.is_bound else form.instance
    context = {
        "form": form,
        "logo": image_data_uri(settings.logo),
        "stamp": image_data_uri(settings.stamp),
    }
    return render(request, "core/site_settings.html", context)


@manage_settings
def holidays(request: HttpRequest) -> HttpResponse:
    """تقویم کاری: a Jalali year's official holidays, the weekend and the overrides."""
    try:
        year = int(request.GET["year"])
        start = from_jalali(year, 1, 1)
    except (KeyError, ValueError, ValidationError):  # no or a bad ?year=: this year
        year = jalali_today().year
        start = from_jalali(year, 1, 1)
    end = start + datetime.timedelta(days=365 if to_jalali(start).isleap() else 364)
    form = HolidayOverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.holiday_override_save(override=form.save(commit=False))
        messages.success(request, _("استثنای تقویم ثبت شد."))
        return redirect(f"{request.path}?year={year}")
    official = {
        day: name
        for gregorian_year in {start.year, end.year}
        for day, name in official_holidays(gregorian_year).items()
        if start <= day <= end
    }
    overrides = HolidayOverride.objects.filter(date__range=(start, end))
    return render(
        request,
        "core/holidays.html",
        {
            "year": year,
            "official": sorted(official.items()),
            "overrides": overrides,
            "form": form,
            "weekend": site_settings_for(request).weekend,
        },
    )


@manage_settings
@require_POST
def holiday_delete(request: HttpRequest, pk: int) -> HttpResponse:
    # Overrides are settings, not business records: deleting one restores the
    # official calendar for that day, which is itself the "undo".
    override = get_object_or_404(HolidayOverride, pk=pk)
    override.delete()
    messages.success(request, _("استثنای تقویم حذف شد."))
    return redirect("core:holidays")


@manage_settings
def sequence_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/sequence_list.html", {"sequences": Sequence.objects.all()})


@manage_settings
def sequence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    sequence = get_object_or_404(Sequence, pk=pk)
    form = SequenceForm(request.POST or None, instance=sequence)
    if request.method == "POST" and form.is_valid():
        services.sequence_save(sequence=form.save(commit=False))
        messages.success(request, _("سری شماره ذخیره شد."))
        return redirect("core:sequence_list")
    return render(request, "core/sequence_form.html", {"form": form, "object": sequence})


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's own 400 is a bare English «Bad Request (400)». Ours says what went wrong
    in Persian: above all a body larger than the server reads (DATA_UPLOAD_MAX_MEMORY_SIZE),
    with the way back to the form, where the browser keeps what was typed. The API answers
    JSON. Rendered without the request: a 400 can come before the user is known."""
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent):
        megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        message = _(
            "آنچه فرستادید بیش از اندازهٔ مجاز (%(limit)s مگابایت، بی‌احتساب فایل‌ها) بود "
            "و خوانده نشد."
        ) % {"limit": megabytes}
        advice = _(
            "با دکمهٔ «بازگشت» مرورگر به فرم برگردید؛ نوشته‌هایتان آنجا مانده‌اند. متن را "
            "کوتاه‌تر کنید یا آن را به صورت فایل پیوست کنید."
        )
    else:
        message = _("این درخواست ناقص یا نادرست بود و پذیرفته نشد.")
        advice = _("به صفحهٔ قبل برگردید و دوباره تلاش کنید.")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400)
    template = loader.get_template("400.html")
    return HttpResponse(template.render({"message": message, "advice": advice}), status=400)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW. Django's own page is English («403 Forbidden»). A form
    without a valid token is nearly always a page left open across a sign-out or a new
    sign-in, or a browser that refuses cookies; ours says so in Persian. The API answers
    JSON. Standalone, like the 400 page: the user may not be known yet."""
    message = _(
        "این فرم پذیرفته نشد، چون اعتبار صفحه‌ای که آن را فرستاد تمام شده است؛ شاید صفحه "
        "مدتی باز مانده یا در این میان از سامانه خارج و دوباره وارد شده‌اید."
    )
    advice = _(
        "به صفحهٔ قبل برگردید، آن را تازه کنید و فرم را دوباره بفرستید. اگر باز هم این پیام "
        "را دیدید، مرورگر باید کوکی‌های این سایت را بپذیرد."
    )
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": message}, status=403, json_dumps_params={"ensure_ascii": False}
        )
    template = loader.get_template("403_csrf.html")
    return HttpResponse(template.render({"message": message, "advice": advice}), status=403)


BUSY = "سامانه مشغول است، دوباره تلاش کنید."
BUSY_ADVICE = (
    "پایگاه داده همین حالا پاسخ نداد (کار سنگینی در جریان است یا در حال راه‌اندازی دوباره "
    "است). چند ثانیه بعد دوباره تلاش کنید؛ آنچه در فرم نوشته‌اید با دکمهٔ «بازگشت» مرورگر "
    "سر جایش است."
)
FAILED = "خطایی در سامانه رخ داد و ثبت شد."
FAILED_ADVICE = "لطفاً دوباره تلاش کنید؛ اگر تکرار شد به پشتیبانی خبر دهید."
# Seconds a browser or an API client is told to wait before trying again when busy.
BUSY_RETRY_AFTER = 5


# PostgreSQL's answers that mean «not now» rather than «never» (SQLSTATE): the lock and
# statement timeouts, a server shutting down or starting, too many connections, and
# serialization failures and deadlocks; class 08 (connection exceptions) as well.
BUSY_SQLSTATES = {"55P03", "57014", "57P01", "57P02", "57P03", "53300", "40001", "40P01"}


def database_busy(exception: BaseException | None) -> bool:
    """Whether ``exception`` — or one it was raised from or while handling, as when the
    API's serializer loads a relation from a database that just went away — is the
    database away or giving up waiting. A repeatable database error (a missing column, a
    full disk, a value too long) is a 500: «try again» would never help."""
    seen = set()
    while exception is not None and id(exception) not in seen:
        seen.add(id(exception))
        if isinstance(exception, InterfaceError):  # the connection is closed
            return True
        if isinstance(exception, OperationalError):
            driver_error = exception.__cause__
            sqlstate = getattr(driver_error, "sqlstate", None)
            if sqlstate is not None:
                return sqlstate in BUSY_SQLSTATES or sqlstate.startswith("08")
            # No SQLSTATE: PostgreSQL could not be reached at all (psycopg raises the
            # connection failure without one), or SQLite's lock.
            message = str(exception)
            return connection.vendor != "sqlite" or "database is locked" in message
        if isinstance(exception, PydanticValidationError):
            # An API answer whose serializer read a relation from a database that had
            # just gone away: pydantic keeps only the error's text.
            return any(
                error["type"] == "get_attribute_error"
                and str(error.get("ctx", {}).get("error", "")).startswith(
                    ("OperationalError", "InterfaceError")
                )
                for error in exception.errors()
            )
        exception = exception.__cause__ or exception.__context__
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500, which runs while the exception is being handled. A database
    that is away (restarting, unreachable) or that gave up waiting (the web requests'
    lock and statement timeouts, SQLite's «database is locked») is not our bug but a busy
    moment: 503 with Retry-After and «سامانه مشغول است». Anything else is a 500. The API
    answers JSON; the page stands alone (no request context: the database may be gone)."""
    busy = database_busy(sys.exc_info()[1])
    status, message, advice = (503, BUSY, BUSY_ADVICE) if busy else (500, FAILED, FAILED_ADVICE)
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": message}, status=status, json_dumps_params={"ensure_ascii": False}
        )
    else:
        template = loader.get_template("500.html")
        response = HttpResponse(
            template.render({"message": message, "advice": advice}), status=status
        )
    if busy:
        response["Retry-After"] = str(BUSY_RETRY_AFTER)
    return response


@require_GET
@opens_in_dialog
def dialog_saved(request: HttpRequest) -> HttpResponse:
    """A form saved in the dialog (core.dialog) lands here: app.js hands the messages
    (taken on this page) and the saved record's address to the page beneath, which
    closes the dialog."""
    to = own_url(request, request.GET.get("to", ""))
    return render(request, "core/dialog_saved.html", {"to": to})
