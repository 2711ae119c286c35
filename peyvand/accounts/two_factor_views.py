"""Two-factor sign-in: the code step, setting up the authenticator, recovery codes,
turning it off, and a manager's reset (accounts.two_factor holds the rules)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_not_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from peyvand.accounts import services, two_factor
from peyvand.accounts.forms import TwoFactorCodeForm, TwoFactorDisableForm, TwoFactorSetupForm
from peyvand.accounts.models import User


@login_not_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in; only with a pending sign-in younger than five
    minutes, else back to the password."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    user = two_factor.pending_user(request)
    if user is None:
        return redirect("accounts:login")
    form = TwoFactorCodeForm(request.POST or None, request=request, user=user)
    if request.method == "POST" and form.is_valid():
        next_url = two_factor.finish(request, user, form.device)
        if isinstance(form.device, StaticDevice):
            left = form.device.token_set.count()
            messages.warning(
                request,
                _(
                    "با یک کد بازیابی وارد شدید؛ %(left)s کد دیگر مانده است. اگر گوشی را"
                    " گم کرده‌اید، برنامه احراز هویت را دوباره راه‌اندازی کنید."
                )
                % {"left": left},
            )
        return redirect(next_url)
    return render(request, "accounts/two_factor_verify.html", {"form": form})


def _enrol_key(request: HttpRequest, user: User) -> str:
    """The secret being set up for ``user``; the same until confirmed, so reloading the
    page never changes a QR code already scanned."""
    held = request.session.get(two_factor.ENROL_KEY)
    if not held or held["user"] != user.pk:
        held = {"user": user.pk, "key": two_factor.new_secret()}
        request.session[two_factor.ENROL_KEY] = held
    return held["key"]


@login_not_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Sets up (or replaces) the authenticator app: the QR code and the secret, then a
    first code. Reached logged in (from «ورود دومرحله‌ای»), or with a pending sign-in
    when two-factor is required and not yet set up; the latter is logged in at the end."""
    pending = not request.user.is_authenticated
    user = two_factor.pending_user(request, enrol=True) if pending else request.user
    if user is None:
        return redirect("accounts:login")
    device = two_factor.enrolment_device(user, _enrol_key(request, user))
    replacing = not pending and two_factor.is_enabled(user)
    form = TwoFactorSetupForm(
        request.POST or None, device=device, password_of=user if replacing else None
    )
    if request.method == "POST" and form.is_valid():
        codes = services.two_factor_enable(user=user, device=device)
        del request.session[two_factor.ENROL_KEY]
        if pending:
            next_url = two_factor.finish(request, user, device)
        else:  # replacing a phone ends the other sessions; not this one
            update_session_auth_hash(request, user)
            two_factor.mark_verified(request)
            next_url = reverse("accounts:two_factor")
        request.session[two_factor.NEW_CODES] = {"codes": codes, "next": next_url}
        messages.success(request, _("ورود دومرحله‌ای فعال شد."))
        return redirect("accounts:two_factor_codes")
    context = {
        "form": form,
        "pending": pending,
        "replacing": replacing,
        "required": two_factor.required_for(user),
        "qr": two_factor.qr_svg(device),
        "secret": two_factor.secret_for_typing(device.key),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@require_GET
def codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once: they leave the session as the page is shown."""
    new = request.session.pop(two_factor.NEW_CODES, None)
    if new is None:
        return redirect("accounts:two_factor")
    context = {"codes": [two_factor.shown(code) for code in new["codes"]], "next": new["next"]}
    return render(request, "accounts/two_factor_codes.html", context)


@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    context = {
        "status": two_factor.status(request.user),
        "disable_form": TwoFactorDisableForm(user=request.user),
    }
    return render(request, "accounts/two_factor.html", context)


@require_POST
def new_codes(request: HttpRequest) -> HttpResponse:
    if not two_factor.is_enabled(request.user):
        messages.error(request, _("نخست ورود دومرحله‌ای را فعال کنید."))
        return redirect("accounts:two_factor")
    codes = services.two_factor_new_recovery_codes(user=request.user)
    request.session[two_factor.NEW_CODES] = {
        "codes": codes,
        "next": reverse("accounts:two_factor"),
    }
    return redirect("accounts:two_factor_codes")


@require_POST
def disable(request: HttpRequest) -> HttpResponse:
    status = two_factor.status(request.user)
    if status.required:
        messages.error(request, _("ورود دومرحله‌ای برای مدیران الزامی است و خاموش نمی‌شود."))
        return redirect("accounts:two_factor")
    form = TwoFactorDisableForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, "accounts/two_factor.html", {"status": status, "disable_form": form})
    if status.enabled:
        services.two_factor_disable(user=request.user)
        messages.success(request, _("ورود دومرحله‌ای خاموش شد."))
    two_factor.mark_exempt(request)
    return redirect("accounts:two_factor")


@permission_required("accounts.manage_users", raise_exception=True)
@require_POST
def reset(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager removes a user's authenticator and recovery codes (a lost phone)."""
    user = get_object_or_404(User, pk=pk)
    services.two_factor_reset(user=user, by=request.user)
    update_session_auth_hash(request, user)  # a manager resetting their own stays in here
    messages.success(request, _("ورود دومرحله‌ای «%(name)s» بازنشانی شد.") % {"name": user})
    return redirect("accounts:user_edit", pk=user.pk)
