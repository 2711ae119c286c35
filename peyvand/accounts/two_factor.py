"""Two-factor sign-in: a six-digit code from an authenticator app (TOTP) or one of ten
one-time recovery codes, kept by django-otp (otp_totp, otp_static).

Nobody is half logged in. After the password the session holds only a *pending*
sign-in (who, since when, where to go next), which opens no page: the user is logged in
by ``finish`` once the code is right, or once the authenticator is set up when it is
required and missing. Every logged-in session carries its state (verified by a code,
or exempt under the current policy); a session without a valid one (from before the
user turned two-factor on, or before it became required) is sent back through the
second step by ``TwoFactorMiddleware``.
"""

import re
import secrets
import time
from base64 import b32encode
from binascii import unhexlify
from dataclasses import dataclass

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, login, logout
from django.db import transaction
from django.shortcuts import redirect, resolve_url
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from peyvand.accounts.models import User
from peyvand.core.text import to_latin_digits

PENDING = "two_factor_pending"
STATE = "two_factor_state"
ENROL_KEY = "two_factor_enrol_key"
NEW_CODES = "two_factor_new_codes"
VERIFIED = "verified"
CODE_STEP_SECONDS = 5 * 60
# Setting up an authenticator app for the first time takes longer than typing a code.
ENROL_STEP_SECONDS = 15 * 60
RECOVERY_CODES = 10

WRONG_CODE = _("کد درست نیست یا پیش‌تر به کار رفته است.")
TOO_SOON = _("چند ثانیه صبر کنید و دوباره امتحان کنید.")
EXPIRED = _("مهلت ورود کد تمام شد؛ دوباره وارد شوید.")


class TooSoon(Exception):
    """The device refuses attempts for a few seconds after a wrong code (django-otp's
    throttling: 1, 2, 4… seconds)."""


# Who must ----------------------------------------------------------------------------


def required_for(user: User) -> bool:
    """Whether ``user`` must sign in with a second step: managers, when
    TWO_FACTOR_REQUIRED_FOR_MANAGERS is on. A manager here is whoever may manage users
    — the مدیر role (every permission) and superusers hold it — since that permission
    can grant any role, itself included."""
    return (
        settings.TWO_FACTOR_REQUIRED_FOR_MANAGERS
        and user.is_active
        and user.has_perm("accounts.manage_users")
    )


def is_enabled(user: User) -> bool:
    return user.two_factor_enabled


def needs_second_step(user: User) -> bool:
    return is_enabled(user) or required_for(user)


@dataclass(frozen=True)
class Status:
    enabled: bool
    required: bool
    recovery_codes_left: int


def status(user: User) -> Status:
    return Status(
        enabled=is_enabled(user),
        required=required_for(user),
        recovery_codes_left=StaticToken.objects.filter(
            device__user=user, device__confirmed=True
        ).count(),
    )


# Codes -------------------------------------------------------------------------------


def clean_code(code: str) -> str:
    """What the user typed, as stored: Persian digits to ASCII, no spaces or dashes
    (recovery codes are shown as «abcd-efgh»), lower case."""
    return re.sub(r"[\s\-‐-―_]", "", to_latin_digits(code or "")).lower()


def is_app_code(code: str) -> bool:
    return re.fullmatch(r"\d{6}", code) is not None


def verify(user: User, code: str) -> Device | None:
    """The device that accepts ``code`` (six digits: the authenticator; anything else:
    a recovery code, used up by this), or None. An authenticator code is accepted once:
    a code at or before the last accepted one is refused (django-otp's ``last_t``).
    Raises TooSoon while the device waits after a wrong code."""
    code = clean_code(code)
    if not re.fullmatch(r"[0-9a-z]{6,16}", code):
        return None  # not the shape of any code (nor worth a query)
    model = TOTPDevice if is_app_code(code) else StaticDevice
    with transaction.atomic():
        # Locked, so two requests cannot both spend the same code.
        for device in model.objects.filter(user=user, confirmed=True).select_for_update():
            allowed, _details = device.verify_is_allowed()
            if not allowed:
                raise TooSoon
            if device.verify_token(code):
                return device
    return None


def new_secret() -> str:
    """A TOTP key as django-otp stores it (hex, 20 random bytes)."""
    return secrets.token_hex(20)


def secret_for_typing(key: str) -> str:
    """The key in base32, as authenticator apps expect it typed: groups of four."""
    text = b32encode(unhexlify(key)).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def enrolment_device(user: User, key: str) -> TOTPDevice:
    """The device being set up (not saved: saved only once a code confirms it)."""
    return TOTPDevice(user=user, key=key, name=str(_("برنامه احراز هویت")), confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code (no styles, no data
    URI: allowed by a strict Content-Security-Policy)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5,
        dark="#000",
        light="#fff",
        svgclass="two-factor-qr",
        lineclass=None,
        title=str(_("کد QR برای برنامه احراز هویت")),
    )


def check_first_code(device: TOTPDevice, code: str) -> bool:
    """Whether ``code`` is right for an authenticator being set up (not yet saved); if
    so the device remembers its time step, so this code cannot sign in afterwards."""
    code = clean_code(code)
    if not is_app_code(code):
        return False
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not totp.verify(int(code), tolerance=device.tolerance):
        return False
    device.last_t = totp.t()
    device.drift = totp.drift
    return True


def new_recovery_codes() -> list[str]:
    return [StaticToken.random_token() for _ in range(RECOVERY_CODES)]


def shown(code: str) -> str:
    """A recovery code as shown: «abcd-efgh»."""
    return f"{code[:4]}-{code[4:]}"


# The pending sign-in -----------------------------------------------------------------


def begin(request, user: User, *, backend: str, next_url: str) -> str:
    """Holds a sign-in whose password was right until the second step; returns where
    to go: the code step, or the authenticator's setup when it is required and
    missing."""
    enrol = not is_enabled(user)
    request.session[PENDING] = {
        "user": user.pk,
        "backend": backend,
        "since": time.time(),
        "next": next_url,
        "enrol": enrol,
    }
    return resolve_url("accounts:two_factor_setup" if enrol else "accounts:two_factor_verify")


def pending_user(request, *, enrol: bool = False) -> User | None:
    """The user of the session's pending sign-in, or None (none, or timed out, or for
    the other step)."""
    pending = request.session.get(PENDING)
    if not pending or pending["enrol"] != enrol:
        return None
    limit = ENROL_STEP_SECONDS if enrol else CODE_STEP_SECONDS
    if time.time() - pending["since"] > limit:
        del request.session[PENDING]
        messages.error(request, EXPIRED)
        return None
    return User.objects.filter(pk=pending["user"], is_active=True).first()


def finish(request, user: User, device: Device) -> str:
    """Logs the pending sign-in's user in, verified by ``device``; returns where to go."""
    pending = request.session.pop(PENDING)
    user.otp_device = device  # django-otp records it in the session; on_login sees it
    login(request, user, backend=pending["backend"])
    return pending["next"]


def _exempt_state() -> str:
    # The policy is part of the state: turning the requirement on re-checks sessions.
    return f"exempt:{int(settings.TWO_FACTOR_REQUIRED_FOR_MANAGERS)}"


def on_login(sender, request, user, **kwargs) -> None:
    """Every login records whether the session passed the second step."""
    if request is None or not hasattr(request, "session"):
        return
    if getattr(user, "otp_device", None) is not None:
        request.session[STATE] = VERIFIED
    elif needs_second_step(user):
        request.session[STATE] = "unverified"
    else:
        request.session[STATE] = _exempt_state()


def mark_verified(request) -> None:
    """The logged-in user has just set up an authenticator (or passed a code)."""
    request.session[STATE] = VERIFIED


def mark_exempt(request) -> None:
    request.session[STATE] = _exempt_state()


class TwoFactorMiddleware:
    """A logged-in session that has not passed the second step the user now needs is
    logged out and sent to that step (only the code or the setup: the password was
    given when the session began). Costs nothing on a session already settled."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not self._settled(request.session.get(STATE), user)
            and request.path != resolve_url("accounts:logout")
        ):
            if not needs_second_step(user):
                mark_exempt(request)
            else:
                backend = request.session[BACKEND_SESSION_KEY]
                next_url = request.get_full_path() if request.method == "GET" else ""
                logout(request)
                return redirect(
                    begin(
                        request,
                        user,
                        backend=backend,
                        next_url=next_url or resolve_url(settings.LOGIN_REDIRECT_URL),
                    )
                )
        return self.get_response(request)

    @staticmethod
    def _settled(state: str | None, user: User) -> bool:
        # An exempt session of a user who has since turned two-factor on (elsewhere)
        # is not: it must pass the code too.
        return state == VERIFIED or (state == _exempt_state() and not user.two_factor_enabled)
