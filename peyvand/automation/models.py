"""Outgoing webhooks: a manager subscribes a URL to record events; each event that
matches becomes a delivery row in the transaction of the change itself (so an event is
never lost nor invented by a rollback), sent by the worker (automation.webhooks)."""

import base64
import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peyvand.core.crypto import EncryptedTextField
from peyvand.core.models import TimeStampedModel

# Standard Webhooks' secret form: a prefix, then base64 of the key's bytes.
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookSubscription(TimeStampedModel):
    """A URL that hears about record events; only records its owner may see are sent."""

    name = models.CharField(_("نام"), max_length=100)
    url = models.URLField(_("نشانی گیرنده"), max_length=500)
    # Event types, e.g. "sales.lead.created" (automation.webhooks.event_groups).
    events = models.JSONField(_("رویدادها"), default=list)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("مالک"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("فقط پرونده‌هایی فرستاده می‌شوند که مالک اشتراک اجازه‌ی دیدنشان را دارد."),
    )
    # Signs every delivery (HMAC-SHA256); shown once, to whoever made or renewed it.
    secret = EncryptedTextField(_("کلید امضا"), default=new_secret, editable=False)
    is_active = models.BooleanField(_("فعال"), default=True)
    # Deliveries that gave up in a row; at automation.webhooks.DISABLE_AFTER it is switched
    # off and its owner told.
    failures_in_row = models.PositiveIntegerField(default=0, editable=False)
    disabled_reason = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("وب‌هوک")
        verbose_name_plural = _("وب‌هوک‌ها")
        permissions = [
            ("manage_automation", _("مدیریت خودکارسازی: فرم‌ها، قانون‌ها و وب‌هوک‌ها")),
        ]

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    """One event for one subscription: its body is fixed when first sent, so every retry
    sends the same bytes with the same id (a receiver drops repeats by ``webhook-id``)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("در نوبت")
        SENDING = "sending", _("در حال ارسال")
        DELIVERED = "delivered", _("رسید")
        FAILED = "failed", _("ناموفق")
        SKIPPED = "skipped", _("فرستاده نشد")

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("رویداد"), max_length=80)
    # The history line the event comes from (None for a test ping).
    change = models.ForeignKey(
        "core.ChangeRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    record = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(_("زمان رویداد"), default=timezone.now)
    status = models.CharField(
        _("وضعیت"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    body = models.TextField(blank=True)  # the JSON sent, once built
    attempts = models.PositiveSmallIntegerField(_("تلاش‌ها"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("زمان رسیدن"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("پاسخ"), null=True, blank=True)
    response_body = models.TextField(_("متن پاسخ"), blank=True)  # its first RESPONSE_KEEP chars
    last_error = models.CharField(_("خطا"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ارسال وب‌هوک")
        verbose_name_plural = _("ارسال‌های وب‌هوک")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhookdelivery_due"),
            models.Index(fields=["subscription", "-created_at", "-id"], name="webhookdelivery_log"),
        ]
        constraints = [
            # One delivery per event and subscription, however often the event is seen.
            models.UniqueConstraint(
                fields=["subscription", "change", "event"], name="one_delivery_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription_id}"

    @property
    def webhook_id(self) -> str:
        """Standard Webhooks' ``webhook-id``: the same for every attempt."""
        return f"msg_{self.pk}"


class Rule(TimeStampedModel):
    """«When this happens to a record of that kind, and it matches these conditions, do
    that» (automation.rules). The conditions are a query string of the record type's
    list (core.lists): the same filters, read the same way, as its list page — so a
    preview is that list's rows."""

    class Trigger(models.TextChoices):
        CREATED = "created", _("ثبت پرونده تازه")
        CHANGED = "changed", _("تغییر یک فیلد")
        DATE = "date", _("رسیدن یک تاریخ")
        FOLLOWUP = "followup", _("ثبت پیگیری")
        MESSAGE = "message", _("رسیدن پیام مشتری")
        FORM = "form", _("ارسال یک فرم")

    name = models.CharField(_("نام قانون"), max_length=150)
    # The key of a registered list (core.lists.LISTS): the record type and its filters.
    list_key = models.CharField(_("نوع پرونده"), max_length=40)
    trigger = models.CharField(_("رویداد"), max_length=10, choices=Trigger.choices)
    # The field whose change (CHANGED) or date (DATE) sets the rule off, the result a
    # follow-up must have (FOLLOWUP: its id) or the form sent (FORM: its id); "" = any.
    trigger_field = models.CharField(_("فیلد"), max_length=60, blank=True)
    # DATE: days after the date (a negative number: before it).
    date_offset = models.SmallIntegerField(_("فاصله از تاریخ (روز)"), default=0)
    conditions = models.TextField(_("شرایط"), blank=True)  # the list's query string
    actions = models.JSONField(_("کارها"), default=list)  # automation.actions, in order
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("به نام"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "قانون فقط روی پرونده‌هایی کار می‌کند که این کاربر اجازه‌ی دیدنشان را دارد و "
            "کارهایش به نام او ثبت می‌شود؛ «من» در شرایط یعنی همین کاربر."
        ),
    )
    is_active = models.BooleanField(_("روشن"), default=False)
    # A date rule acts on the dates that pass while it is on: each scan reads the dates
    # in (scanned_until, now] and moves it on; switching it on sets it to now.
    scanned_until = models.DateTimeField(null=True, blank=True, editable=False)
    # This Peyvand's address as the manager who last saved the rule reached it: links in
    # its messages (the tracking page) start with it — the worker has no request to ask.
    link_base = models.URLField(max_length=200, blank=True, editable=False)
    # A default rule's key («service.request_registered»): made by a migration, kept.
    key = models.CharField(max_length=60, blank=True, editable=False)
    # Round-robin assignment: who got the last record.
    last_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("قانون خودکار")
        verbose_name_plural = _("قانون‌های خودکار")
        indexes = [models.Index(fields=["is_active", "list_key"], name="rule_active")]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~models.Q(key=""), name="one_default_rule_per_key"
            )
        ]

    def __str__(self) -> str:
        return self.name


class RuleRun(models.Model):
    """One rule on one record for one cause: written in the transaction of the change
    that caused it, run by the worker — its actions and its «done» commit together, so
    it runs exactly once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("در نوبت")
        RUNNING = "running", _("در حال اجرا")
        DONE = "done", _("انجام شد")
        FAILED = "failed", _("ناموفق")
        SKIPPED = "skipped", _("انجام نشد")

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="runs")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    # What caused it, unique per rule and record: "change:<id>" or "date:<iso date>".
    cause = models.CharField(max_length=60)
    change = models.ForeignKey(
        "core.ChangeRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # 0 for a user's change; n+1 for a change made by a run of depth n (rules.MAX_DEPTH).
    depth = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        _("وضعیت"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("زمان"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(_("زمان اجرا"), null=True, blank=True)
    summary = models.TextField(_("آنچه انجام شد"), blank=True)  # a line per action
    error = models.CharField(_("خطا"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("اجرای قانون")
        verbose_name_plural = _("اجراهای قانون")
        indexes = [
            models.Index(fields=["status", "created_at"], name="rulerun_due"),
            models.Index(fields=["rule", "-created_at", "-id"], name="rulerun_history"),
            models.Index(fields=["content_type", "object_id"], name="rulerun_record"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "content_type", "object_id", "cause"], name="one_run_per_cause"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} → {self.content_type_id}:{self.object_id}"


def new_form_key() -> str:
    """A public form's address part: unguessable, so an unpublished form stays unseen."""
    return secrets.token_urlsafe(9)


class Form(TimeStampedModel):
    """A form a manager designs (فرم ساز): published on a public page (and in other sites
    through its snippet) or filled inside Peyvand; each submission finds or makes the
    contact and makes what ``creates`` says (automation.submissions)."""

    class Creates(models.TextChoices):
        LEAD = "lead", _("سرنخ")
        REQUEST = "request", _("درخواست")
        CONTACT = "contact", _("فقط مخاطب")

    name = models.CharField(_("نام فرم"), max_length=150)
    title = models.CharField(_("عنوان صفحه"), max_length=200)
    intro = models.TextField(_("متن بالای فرم"), blank=True)
    thanks = models.TextField(
        _("متن پس از ارسال"), default="پیام شما رسید؛ به‌زودی با شما تماس می‌گیریم."
    )
    key = models.CharField(max_length=20, unique=True, default=new_form_key, editable=False)
    creates = models.CharField(
        _("هر ارسال چه می‌سازد"), max_length=10, choices=Creates.choices, default=Creates.LEAD
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("مسئول ارسال‌ها"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "سرنخ، درخواست یا مخاطب تازه به نام این کاربر ثبت و به او سپرده می‌شود (یک "
            "قانون خودکار می‌تواند به نوبت به دیگران بسپارد)."
        ),
    )
    source = models.ForeignKey(
        "lookups.AcquaintanceSource",
        verbose_name=_("نحوه آشنایی"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    urgency = models.ForeignKey(
        "lookups.Urgency",
        verbose_name=_("فوریت درخواست"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirm_sms = models.BooleanField(_("پیامک تأیید به فرستنده"), default=False)
    confirm_text = models.TextField(
        _("متن پیامک تأیید"),
        default="{نام} گرامی، پیام شما رسید. کد پیگیری: {کد_پیگیری}\n{نام_شرکت_ما}",
    )
    embed_sites = models.TextField(
        _("سایت‌هایی که فرم را نشان می‌دهند"),
        blank=True,
        help_text=_("هر نشانی در یک سطر، مانند https://www.example.ir"),
    )
    is_published = models.BooleanField(_("منتشر شده"), default=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("فرم")
        verbose_name_plural = _("فرم‌ها")

    def __str__(self) -> str:
        return self.name

    def embed_origins(self) -> list[str]:
        return [line.strip().rstrip("/") for line in self.embed_sites.splitlines() if line.strip()]


class FormField(models.Model):
    class Kind(models.TextChoices):
        SECTION = "section", _("عنوان بخش")
        NAME = "name", _("نام (مخاطب)")
        MOBILE = "mobile", _("تلفن همراه (مخاطب)")
        EMAIL = "email", _("ایمیل (مخاطب)")
        COMPANY = "company", _("شرکت (مخاطب)")
        TEXT = "text", _("متن کوتاه")
        TEXTAREA = "textarea", _("متن بلند")
        NUMBER = "number", _("عدد")
        MONEY = "money", _("مبلغ (ریال)")
        DATE = "date", _("تاریخ (شمسی)")
        CHOICE = "choice", _("یک گزینه")
        MULTI = "multi", _("چند گزینه")
        YESNO = "yesno", _("بله / خیر")
        FILE = "file", _("فایل")
        CONSENT = "consent", _("رضایت")

    class Target(models.TextChoices):
        NONE = "", _("—")
        TITLE = "title", _("موضوع سرنخ یا درخواست")
        EXPECTED = "expected_value", _("مبلغ پیش‌بینی سرنخ")

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="fields")
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("نوع"), max_length=10, choices=Kind.choices)
    label = models.CharField(_("برچسب"), max_length=200)
    help = models.CharField(_("راهنما"), max_length=300, blank=True)
    required = models.BooleanField(_("الزامی"), default=False)
    options = models.TextField(_("گزینه‌ها"), blank=True, help_text=_("هر گزینه در یک سطر"))
    # Shown only when this other field's answer is ``show_value`` (or any answer).
    show_if = models.ForeignKey(
        "self",
        verbose_name=_("فقط وقتی نشان داده شود که"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    show_value = models.CharField(_("پاسخ آن این باشد"), max_length=200, blank=True)
    target = models.CharField(
        _("در پرونده کجا بنشیند"), max_length=20, choices=Target.choices, blank=True
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("فیلد فرم")
        verbose_name_plural = _("فیلدهای فرم")

    def __str__(self) -> str:
        return self.label

    @property
    def name(self) -> str:
        """Its input's name on the public page."""
        return f"f{self.pk}"

    def option_list(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]


class FormSubmission(models.Model):
    """One filled form: its answers as the visitor gave them, and what it made."""

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="submissions")
    created_at = models.DateTimeField(_("زمان ارسال"), default=timezone.now)
    # [{"label", "value"}]: as shown then (a field renamed later does not rename it).
    answers = models.JSONField(default=list)
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    record = GenericForeignKey("content_type", "object_id")
    # Filled inside Peyvand by this user (None: the public page).
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(max_length=300, blank=True)  # e.g. why no SMS went

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ارسال فرم")
        verbose_name_plural = _("ارسال‌های فرم")
        indexes = [
            models.Index(fields=["form", "-created_at", "-id"], name="formsubmission_list"),
            models.Index(fields=["content_type", "object_id"], name="formsubmission_record"),
        ]

    def __str__(self) -> str:
        return f"{self.form_id}: {self.created_at:%Y-%m-%d}"
