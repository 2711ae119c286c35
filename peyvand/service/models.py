"""Service desk (خدمات مشتریان): customer requests with the working-day workflow of
DOMAIN.md — the creator registers and assigns, the assignee does it and writes the
result, the creator archives it or sends it back («اشکال دارد»)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import (
    AllRecordsManager,
    BusinessRecord,
    LiveManager,
    SettingsRow,
    VisibleQuerySet,
    customer_key_field,
    search_key_field,
    short_words_field,
)
from peyvand.customfields.display import history_text as custom_history_text
from peyvand.customfields.models import custom_values_field


class RequestQuerySet(VisibleQuerySet):
    def visibility(self, user) -> Q | None:
        """A request is its creator's, its assignee's and its watchers'; beyond them its
        confidentiality decides: private (nobody else), team (the creator's and the
        assignee's teams) or public (everyone who works requests). Managers see every
        request."""
        if user.has_perm("accounts.see_all"):
            return None
        team = user.team_member_ids()
        watched = self.model.watchers.through.objects.filter(user=user).values("request_id")
        level = Request.Confidentiality
        return (
            Q(owner=user)
            | Q(assignee=user)
            | Q(pk__in=watched)
            | Q(confidentiality=level.TEAM) & (Q(owner_id__in=team) | Q(assignee_id__in=team))
            | Q(confidentiality=level.PUBLIC)
        )


class Request(BusinessRecord):
    """درخواست. The owner is the creator (user 1), the assignee is user 2."""

    # What the public tracking page calls it (it shows requests and complaints).
    tracked_kind = "request"

    class Status(models.TextChoices):
        OPEN = "open", _("در دست انجام")
        DONE = "done", _("انجام شده، در انتظار تأیید")
        ARCHIVED = "archived", _("بایگانی شده")

    class Confidentiality(models.TextChoices):
        PRIVATE = "private", _("محرمانه (فقط ثبت‌کننده، انجام‌دهنده و دنبال‌کنندگان)")
        TEAM = "team", _("تیمی (تیم‌های ثبت‌کننده و انجام‌دهنده هم)")
        PUBLIC = "public", _("عمومی (همه کارشناسان درخواست‌ها)")

    tracking_code = models.CharField(_("کد پیگیری"), max_length=30, unique=True)
    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("مشتری"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    channel = models.ForeignKey(
        "lookups.Channel",
        verbose_name=_("نوع ارتباط"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    type1 = models.ForeignKey(
        "lookups.RequestType",
        verbose_name=_("نوع ۱"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": 1},
    )
    type2 = models.ForeignKey(
        "lookups.RequestType",
        verbose_name=_("نوع ۲"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": 2},
    )
    type3 = models.ForeignKey(
        "lookups.RequestType",
        verbose_name=_("نوع ۳"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": 3},
    )
    subject = models.CharField(_("موضوع"), max_length=200, blank=True)
    description = models.TextField(_("شرح درخواست"))
    urgency = models.ForeignKey(
        "lookups.Urgency", verbose_name=_("فوریت"), on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("انجام‌دهنده"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The workflow's fields are written by the services only (the form lists its own
    # fields); they stay editable in the model's sense so that the history records them.
    deadline = models.DateField(_("مهلت انجام"))
    status = models.CharField(_("وضعیت"), max_length=8, choices=Status.choices, default=Status.OPEN)
    result = models.TextField(_("نتیجه"), blank=True)
    done_at = models.DateTimeField(_("تاریخ انجام"), null=True, blank=True)
    archived_at = models.DateTimeField(_("تاریخ بایگانی"), null=True, blank=True)
    # Sent back by the creator («اشکال دارد»): when and why; it stays marked until done.
    rejected_at = models.DateTimeField(_("برگشت"), null=True, blank=True)
    rejection_note = models.CharField(_("اشکال"), max_length=500, blank=True)
    confidentiality = models.CharField(
        _("محرمانگی"),
        max_length=8,
        choices=Confidentiality.choices,
        default=Confidentiality.PRIVATE,
    )
    # Told of every update, and they see it whatever its confidentiality.
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("دنبال‌کنندگان"),
        blank=True,
        related_name="watched_requests",
    )
    related = models.ManyToManyField("self", verbose_name=_("درخواست‌های مرتبط"), blank=True)
    custom = custom_values_field()
    # Unseen until opened: by the assignee (newly assigned, sent back) and by the creator
    # (done, awaiting confirmation).
    assignee_seen_at = models.DateTimeField(null=True, blank=True, editable=False)
    creator_seen_at = models.DateTimeField(null=True, blank=True, editable=False)
    customer_key = customer_key_field()
    # The list's text search, the customer's too (trigram index request_search_trgm).
    search_key = search_key_field("tracking_code", "subject", "description", "customer_key")
    # A one- or two-character query's whole words (trigram index request_short_words_trgm):
    # each word once, so a long description adds a few dozen characters at most.
    short_words = short_words_field("subject", "description")

    objects = LiveManager.from_queryset(RequestQuerySet)()
    all_objects = AllRecordsManager.from_queryset(RequestQuerySet)()
    history_exclude = (*BusinessRecord.history_exclude, "assignee_seen_at", "creator_seen_at")

    class Meta:
        verbose_name = _("درخواست")
        verbose_name_plural = _("درخواست‌ها")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["assignee", "status", "-created_at"], name="request_inbox"),
            models.Index(fields=["owner", "status", "-created_at"], name="request_sent"),
            # «منتظر من» on the home page: the soonest deadlines to do, and to confirm.
            models.Index(fields=["assignee", "status", "deadline", "id"], name="request_to_do"),
            models.Index(fields=["owner", "status", "deadline", "id"], name="request_to_confirm"),
            models.Index(fields=["-created_at", "-id"], name="request_recent"),
            models.Index(fields=["contact", "-created_at"], name="request_contact"),
            # The list sorted by deadline (soonest first), and its deadline range.
            models.Index(fields=["deadline", "id"], name="request_deadline"),
            models.Index(
                fields=["-deleted_at"], name="request_trash", condition=Q(deleted_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"درخواست {self.tracking_code}"

    def history_text(self, field_name: str, value) -> str | None:
        if field_name == "custom":
            return custom_history_text(self._meta.label_lower, value)
        return None

    def get_absolute_url(self) -> str:
        return reverse("service:request_detail", args=[self.pk])

    @property
    def conversation_owner(self):
        """Who answers the customer's messages about it (core.registry.ConversationKind)."""
        return self.assignee

    @property
    def assignee_has_acted(self) -> bool:
        """Done at least once: from then on the creator no longer edits or deletes it."""
        return self.status != self.Status.OPEN or self.rejected_at is not None

    @property
    def is_overdue(self) -> bool:
        """Still to do after its deadline (red for the assignee)."""
        return self.status == self.Status.OPEN and self.deadline < timezone.localdate()

    @property
    def awaits_confirmation(self) -> bool:
        """Done, not yet archived or sent back (red for the creator)."""
        return self.status == self.Status.DONE


class ServiceSettings(SettingsRow):
    """The service desk's settings managers edit (a single row, pk=1): the request and
    complaint fields this installation does not use, left out of the forms and pages."""

    HIDEABLE_FIELDS = ("channel", "type1", "type2", "type3", "subject")
    HIDEABLE_COMPLAINT_FIELDS = ("channel", "product", "staff", "source", "actions")

    hidden_fields = models.JSONField(_("فیلدهای پنهان"), default=list, blank=True)
    hidden_complaint_fields = models.JSONField(_("فیلدهای پنهان شکایت"), default=list, blank=True)
    portal_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("درخواست‌های پرتال مشتریان به"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "مشتریان در پرتال درخواست ثبت می‌کنند و درخواست به این کاربر سپرده می‌شود؛ "
            "خالی: ثبت درخواست در پرتال بسته است."
        ),
    )

    class Meta:
        verbose_name = _("تنظیمات درخواست‌ها")


class Feedback(BusinessRecord):
    """A suggestion from a customer, or a gift or a discount given to them (Sama's
    «پیشنهادات، هدایا و تخفیفات»): what, how much, when, by whom (the owner)."""

    class Kind(models.TextChoices):
        SUGGESTION = "suggestion", _("پیشنهاد")
        GIFT = "gift", _("هدیه")
        DISCOUNT = "discount", _("تخفیف")

    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("مشتری"),
        on_delete=models.PROTECT,
        related_name="feedback",
    )
    kind = models.CharField(_("نوع"), max_length=10, choices=Kind.choices)
    description = models.TextField(_("شرح"))
    value = models.BigIntegerField(_("ارزش (ریال)"), null=True, blank=True)
    date = models.DateField(_("تاریخ"), default=timezone.localdate)

    class Meta:
        verbose_name = _("پیشنهاد، هدیه یا تخفیف")
        verbose_name_plural = _("پیشنهادها، هدایا و تخفیف‌ها")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["contact", "-date"], name="feedback_contact"),
            models.Index(
                fields=["-deleted_at"], name="feedback_trash", condition=Q(deleted_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description[:40]}"

    def get_absolute_url(self) -> str:
        return f"{self.contact.get_absolute_url()}#feedback-{self.pk}"


class ComplaintQuerySet(VisibleQuerySet):
    def visibility(self, user) -> Q | None:
        """A complaint is its registrar's and its control officer's; managers see every
        complaint. The staff member it is about does not see it."""
        if user.has_perm("accounts.see_all"):
            return None
        return Q(owner=user) | Q(officer=user)


class Complaint(BusinessRecord):
    """شکایت: what a customer complains of, followed up by a control officer until a
    final result closes it. The owner is whoever registered it."""

    tracked_kind = "complaint"

    class Status(models.TextChoices):
        FOLLOWING = "following", _("در حال پیگیری")
        CLOSED = "closed", _("بسته شده")

    class Source(models.TextChoices):
        CRM = "crm", _("ارتباط با مشتری")
        AFTER_SALES = "after_sales", _("خدمات پس از فروش")

    tracking_code = models.CharField(_("کد پیگیری"), max_length=30, unique=True, editable=False)
    date = models.DateField(_("تاریخ شکایت"), default=timezone.localdate)
    channel = models.ForeignKey(
        "lookups.Channel",
        verbose_name=_("نوع ارتباط"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("مشتری"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("مسئول کنترل"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField(_("شرح شکایت مشتری"))
    actions = models.TextField(_("اقدامات انجام‌شده"), blank=True)
    customer_key = customer_key_field()
    # The list's text: code, complaint or the customer (trigram index complaint_search_trgm).
    search_key = search_key_field("tracking_code", "description", "customer_key")
    # A one- or two-character query's whole words (complaint_short_words_trgm): the
    # complaint has no subject, its description is its text.
    short_words = short_words_field("description")
    product = models.ForeignKey(
        "sales.Product",
        verbose_name=_("درباره کالا یا خدمت"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("درباره کارمند"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(_("منبع"), max_length=12, choices=Source.choices, default=Source.CRM)
    status = models.CharField(
        _("وضعیت"), max_length=10, choices=Status.choices, default=Status.FOLLOWING
    )
    result = models.TextField(_("نتیجه نهایی"), blank=True)
    closed_at = models.DateTimeField(_("تاریخ بستن"), null=True, blank=True)
    custom = custom_values_field()

    objects = LiveManager.from_queryset(ComplaintQuerySet)()
    all_objects = AllRecordsManager.from_queryset(ComplaintQuerySet)()

    class Meta:
        verbose_name = _("شکایت")
        verbose_name_plural = _("شکایات")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["officer", "status", "-date", "-id"], name="complaint_officer"),
            models.Index(fields=["owner", "status", "-date", "-id"], name="complaint_owner"),
            models.Index(fields=["-date", "-id"], name="complaint_recent"),
            models.Index(fields=["contact", "-date"], name="complaint_contact"),
            models.Index(
                fields=["-deleted_at"],
                name="complaint_trash",
                condition=Q(deleted_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"شکایت {self.tracking_code}"

    @property
    def conversation_owner(self):
        """Who answers the customer's messages about it (core.registry.ConversationKind)."""
        return self.officer

    def history_text(self, field_name: str, value) -> str | None:
        if field_name == "custom":
            return custom_history_text(self._meta.label_lower, value)
        return None

    def get_absolute_url(self) -> str:
        return reverse("service:complaint_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        """Still followed: it takes follow-ups and edits."""
        return self.status == self.Status.FOLLOWING
