import secrets
from hashlib import sha256

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    class Calendar(models.TextChoices):
        JALALI = "jalali", _("شمسی")
        GREGORIAN = "gregorian", _("میلادی")
        HIJRI = "hijri", _("قمری")

    class Digits(models.TextChoices):
        PERSIAN = "fa", _("فارسی (۱۲۳)")
        LATIN = "latin", _("لاتین (123)")

    mobile = models.CharField(_("تلفن همراه"), max_length=16, blank=True)
    extension = models.CharField(_("شماره داخلی"), max_length=10, blank=True)
    calendar = models.CharField(
        _("تقویم"), max_length=10, choices=Calendar.choices, default=Calendar.JALALI
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


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("توکن دسترسی")

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"

    @staticmethod
    def hash(key: str) -> str:
        return sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User) -> tuple["ApiToken", str]:
        key = secrets.token_urlsafe(32)
        return cls.objects.create(user=user, key_hash=cls.hash(key)), key
