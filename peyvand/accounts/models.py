import datetime
import secrets
from hashlib import sha256

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    class Calendar(models.TextChoices):
        # The site's calendar (SiteSettings.calendar), whatever a manager sets it to.
        DEFAULT = "default", _("پیش‌فرض سازمان")
        JALALI = "jalali", _("شمسی")
        GREGORIAN = "gregorian", _("میلادی")
        HIJRI = "hijri", _("قمری")

    class Digits(models.TextChoices):
        PERSIAN = "fa", _("فارسی (۱۲۳)")
        LATIN = "latin", _("لاتین (انگلیسی)")

    mobile = models.CharField(_("تلفن همراه"), max_length=16, blank=True)
    extension = models.CharField(_("شماره داخلی"), max_length=10, blank=True)
    calendar = models.CharField(
        _("تقویم"), max_length=10, choices=Calendar.choices, default=Calendar.DEFAULT
    )
    digits = models.CharField(
        _("ارقام"), max_length=5, choices=Digits.choices, default=Digits.PERSIAN
    )
    # New work handed to me opens as a dialog that waits for me, instead of a toast
    # that fades after a few seconds.
    pop_up_assignments = models.BooleanField(
        _("کار تازه‌ای که به من سپرده می‌شود فوراً در پنجره‌ای باز شود"), default=False
    )
    # Whether the user has a confirmed authenticator (kept by the two-factor services in
    # accounts.services): on the user's row, so every request can tell whether its
    # session still needs the second step without another query.
    two_factor_enabled = models.BooleanField(_("ورود دومرحله‌ای"), default=False, editable=False)
    # Counted up to sign the user out everywhere (accounts.services.end_sessions): it is
    # part of the hash each session carries, so every older session stops matching.
    session_generation = models.PositiveIntegerField(default=0, editable=False)
    # Where signing in lands when no page was asked for: a saved view of a list (a local
    # address, set from the list's «نماها» menu); empty = the کارتابل.
    start_page = models.CharField(_("صفحه شروع"), max_length=4000, blank=True, editable=False)

    class Meta:
        verbose_name = _("کاربر")
        verbose_name_plural = _("کاربران")
        ordering = ["first_name", "last_name", "username"]
        permissions = [
            ("see_all", _("دیدن همه پرونده‌ها")),
            ("manage_users", _("مدیریت کاربران و گروه‌ها")),
            ("manage_settings", _("مدیریت تنظیمات و کدینگ")),
            ("manage_trash", _("دیدن و بازیابی حذف‌شده‌ها")),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def _get_session_auth_hash(self, secret=None):
        # Django's hash (of the password: a new password ends other sessions), mixed
        # with session_generation once it has been counted up. Django routes both the
        # current and the SECRET_KEY_FALLBACKS hash through this method.
        plain = super()._get_session_auth_hash(secret=secret)
        if not self.session_generation:
            return plain  # sessions from before the field stay valid
        return salted_hmac(
            "peyvand.accounts.User.session_generation",
            f"{plain}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def team_member_ids(self) -> list[int]:
        """Ids of this user and everyone sharing a team with them; cached on the
        instance, i.e. once per request."""
        if not hasattr(self, "_team_member_ids"):
            active_teams = self.teams.filter(is_active=True)
            teammates = User.objects.filter(teams__in=active_teams).values_list("id", flat=True)
            self._team_member_ids = sorted({self.pk, *teammates})
        return self._team_member_ids


class Team(models.Model):
    """گروه کاربران: members see the records each other own."""

    name = models.CharField(_("نام گروه"), max_length=100, unique=True)
    members = models.ManyToManyField(User, verbose_name=_("اعضا"), related_name="teams", blank=True)
    is_active = models.BooleanField(_("فعال"), default=True)

    class Meta:
        verbose_name = _("گروه کاربران")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def default_token_name() -> str:
    return str(_("توکن API"))


def default_token_expiry() -> datetime.datetime:
    """API_TOKEN_DAYS from now; also what tokens issued before tokens expired got when
    the field was added, so an upgrade breaks no integration overnight."""
    return timezone.now() + datetime.timedelta(days=settings.API_TOKEN_DAYS)


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its hash is stored: the key is shown once,
    to whoever created it. Revoking a token deletes it (accounts.services)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("نام"), max_length=100, default=default_token_name)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("ساخته شده"), default=timezone.now)
    last_used_at = models.DateTimeField(_("آخرین استفاده"), null=True, blank=True)
    expires_at = models.DateTimeField(_("انقضا"), default=default_token_expiry)

    class Meta:
        verbose_name = _("توکن دسترسی")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @staticmethod
    def hash(key: str) -> str:
        return sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str = "") -> tuple["ApiToken", str]:
        """A new token and its key (the only time the key exists outside the caller)."""
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name.strip()[: cls._meta.get_field("name").max_length] or default_token_name(),
            key_hash=cls.hash(key),
        )
        return token, key

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
