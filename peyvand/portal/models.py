"""The customer portal: which contacts' customers may sign in (staff decide, per contact)
and the one-time codes they sign in with."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peyvand.contacts.models import Contact


class PortalAccess(models.Model):
    """A contact's portal access: whether its customers may sign in with their mobile
    and an SMS code, and which of its records they see. For an organisation, its people
    (contacts whose organisation it is) may sign in with their own mobiles too."""

    contact = models.OneToOneField(
        Contact, on_delete=models.CASCADE, related_name="portal_access", verbose_name=_("مخاطب")
    )
    enabled = models.BooleanField(_("دسترسی به پرتال مشتریان"), default=False)
    include_people = models.BooleanField(
        _("کارکنان این سازمان هم با تلفن همراه خودشان وارد شوند"), default=False
    )
    show_requests = models.BooleanField(_("درخواست‌ها"), default=True)
    show_complaints = models.BooleanField(_("شکایت‌ها"), default=True)
    show_quotes = models.BooleanField(_("پیش فاکتورها"), default=True)
    show_invoices = models.BooleanField(_("فاکتورها"), default=True)
    show_statement = models.BooleanField(_("صورت‌حساب و مانده حساب"), default=False)
    show_surveys = models.BooleanField(_("نظرسنجی"), default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_login_at = models.DateTimeField(_("آخرین ورود"), null=True, blank=True, editable=False)

    history_exclude = ("updated_at", "updated_by", "last_login_at")

    SECTIONS = (
        "show_requests", "show_complaints", "show_quotes", "show_invoices", "show_statement",
        "show_surveys",
    )  # fmt: skip

    class Meta:
        verbose_name = _("دسترسی پرتال")
        verbose_name_plural = _("دسترسی‌های پرتال")

    def __str__(self) -> str:
        return f"دسترسی پرتال {self.contact}"

    def get_absolute_url(self) -> str:
        return self.contact.get_absolute_url()


class PortalCode(models.Model):
    """A one-time sign-in code sent by SMS: only its keyed hash is kept; it expires,
    allows a few wrong guesses, and works once."""

    mobile = models.CharField(max_length=16)  # E.164
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["mobile", "-created_at"], name="portal_code_mobile")]

    def __str__(self) -> str:
        return f"{self.mobile} {self.created_at:%Y-%m-%d %H:%M}"
