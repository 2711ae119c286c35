"""The Moadian settings (one row) and one TaxSubmission per invoice sent to سامانه مودیان."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peyvand.core.crypto import EncryptedTextField
from peyvand.core.models import SettingsRow
from peyvand.sales.models import InvoiceSubject as Subject
from peyvand.tax.client import PRODUCTION_BASE_URL, SANDBOX_BASE_URL


class MoadianSettings(SettingsRow):
    """How this company reaches سامانه مودیان: the one way to configure the client
    (``tax.services.moadian_client``). The private key and its password are stored
    encrypted (core.crypto) and never shown back; the certificate is public."""

    class Environment(models.TextChoices):
        SANDBOX = "sandbox", _("آزمایشی (محیط آزمون سامانه مودیان)")
        PRODUCTION = "production", _("اصلی")
        CUSTOM = "custom", _("نشانی دیگر")

    enabled = models.BooleanField(_("ارسال فاکتورها به سامانه مودیان"), default=False)
    memory_id = models.CharField(_("شناسه یکتای حافظه مالیاتی"), max_length=6, blank=True)
    private_key = EncryptedTextField(_("کلید خصوصی"), blank=True)
    private_key_password = EncryptedTextField(_("رمز کلید خصوصی"), blank=True)
    certificate = models.TextField(_("گواهی امضا"), blank=True)
    environment = models.CharField(
        _("محیط"), max_length=10, choices=Environment.choices, default=Environment.SANDBOX
    )
    custom_base_url = models.URLField(_("نشانی سامانه"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("تنظیمات سامانه مودیان")

    @property
    def base_url(self) -> str:
        if self.environment == self.Environment.CUSTOM:
            return self.custom_base_url
        if self.environment == self.Environment.PRODUCTION:
            return PRODUCTION_BASE_URL
        return SANDBOX_BASE_URL

    @property
    def configured(self) -> bool:
        return bool(self.memory_id and self.private_key and self.certificate and self.base_url)


class TaxSubmission(models.Model):
    """One invoice as sent (or to be sent) to سامانه مودیان, from the queue to the
    verdict. The worker (tax.sending) moves it like the outbox moves a message: claimed
    queued → sending under a row lock, every later write conditional on that claim."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("در صف")
        SENDING = "sending", _("در حال ارسال")
        SENT = "sent", _("ارسال شد")
        ACCEPTED = "accepted", _("تأیید")
        REJECTED = "rejected", _("رد")
        FAILED = "failed", _("خطا")

    # What a user may send again after fixing the data.
    RESENDABLE = (Status.REJECTED, Status.FAILED)
    NOT_ACCEPTED = (Status.QUEUED, Status.SENDING, Status.SENT, Status.REJECTED, Status.FAILED)

    invoice = models.ForeignKey(
        "sales.Invoice",
        verbose_name=_("فاکتور"),
        on_delete=models.PROTECT,
        related_name="tax_submissions",
    )
    subject = models.PositiveSmallIntegerField(
        _("موضوع"), choices=Subject.choices, default=Subject.ORIGINAL
    )
    reference_tax_id = models.CharField(_("شماره مالیاتی مرجع"), max_length=22, blank=True)
    # The serial comes from a database sequence (tax.services.SERIAL_SEQUENCE); a resend
    # after a rejection takes a new one (a new tax ID), never reusing a refused one.
    serial = models.PositiveBigIntegerField(_("سریال داخلی"), unique=True)
    tax_id = models.CharField(_("شماره منحصر به فرد مالیاتی"), max_length=22, unique=True)
    indatim = models.PositiveBigIntegerField(_("زمان صدور (میلی‌ثانیه)"))
    status = models.CharField(
        _("وضعیت"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    # The system's reasons (code and Persian message) for a rejection, or our own
    # problems with the data (no شناسه کالا/خدمت…).
    errors = models.JSONField(_("دلایل"), default=list, blank=True)
    last_error = models.TextField(_("آخرین خطا"), blank=True)
    error_code = models.CharField(max_length=30, blank=True)
    uid = models.CharField(_("شناسه پیگیری ارسال"), max_length=64, blank=True)
    reference_number = models.CharField(_("شماره مرجع"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("تعداد تلاش"), default=0)
    scheduled_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    claimed_by = models.CharField(max_length=64, blank=True, editable=False)
    # An attempt whose answer was lost: the system is asked by uid before sending again.
    maybe_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("زمان ارسال"), null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    settled_at = models.DateTimeField(_("زمان پاسخ"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ارسال به سامانه مودیان")
        ordering = ["-id"]
        constraints = [
            # An invoice is sent once (a resend after a rejection reuses its row); a
            # correction, return or cancellation is an invoice of its own.
            models.UniqueConstraint(fields=["invoice"], name="tax_submission_one_per_invoice")
        ]
        indexes = [
            models.Index(fields=["status", "scheduled_at"], name="tax_submission_due"),
            # The «ارسال‌نشده/ردشده» list, newest first, without reading the accepted.
            models.Index(
                fields=["-id"], name="tax_submission_open", condition=~Q(status="accepted")
            ),
        ]

    def __str__(self) -> str:
        return self.tax_id

    @property
    def resendable(self) -> bool:
        return self.status in self.RESENDABLE
