"""Sales (فروش): leads (سرنخ) and their follow-ups (پیگیری).

A lead keeps a few denormalised columns written by the services whenever a follow-up
is logged (the last result, when it was, the next date and whose turn it is): the lead
list shows and filters them on one table, and «پیگیری‌های من» reads the follow-ups'
own partial index of pending next dates."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peyvand.core.dates import to_jalali
from peyvand.core.models import (
    AllRecordsManager,
    BusinessRecord,
    LiveManager,
    VisibleQuerySet,
    customer_copy_field,
    customer_key_field,
    search_key_field,
    short_words_field,
)
from peyvand.core.money import MONEY_UNIT_CHOICES, amount_in_words
from peyvand.core.validators import validate_goods_service_id
from peyvand.customfields.display import history_text as custom_history_text
from peyvand.customfields.models import custom_values_field
from peyvand.lookups.models import PaymentMethod


def current_fiscal_year() -> int:
    """The Jalali year of today in Tehran: Peyvand's fiscal years are Jalali years."""
    return to_jalali(timezone.localdate()).year


class Lead(BusinessRecord):
    """سرنخ: a sale being chased. The owner registered it; the responsible user (پرسنل
    مسئول) chases it, and whoever's turn the next follow-up is (a referral) sees it too."""

    class Status(models.TextChoices):
        OPEN = "open", _("باز")
        WON = "won", _("موفق")
        LOST = "lost", _("ناموفق")

    class Stage(models.TextChoices):
        NEW = "new", _("سرنخ تازه")
        CONTACTED = "contacted", _("در تماس")
        PROPOSAL = "proposal", _("پیشنهاد قیمت")
        NEGOTIATION = "negotiation", _("مذاکره")

    class Stars(models.IntegerChoices):
        ONE = 1, "★"
        TWO = 2, "★★"
        THREE = 3, "★★★"

    code = models.CharField(_("کد سرنخ"), max_length=30, unique=True)
    title = models.CharField(_("موضوع"), max_length=200)
    contact = models.ForeignKey(
        "contacts.Contact", verbose_name=_("مشتری"), on_delete=models.PROTECT, related_name="leads"
    )
    source = models.ForeignKey(
        "lookups.AcquaintanceSource",
        verbose_name=_("نحوه آشنایی"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    person_name = models.CharField(_("رابط"), max_length=200, blank=True)
    position = models.ForeignKey(
        "lookups.Position",
        verbose_name=_("سمت رابط"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    stars = models.PositiveSmallIntegerField(
        _("درجه اهمیت"), choices=Stars.choices, default=Stars.ONE
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("پرسنل مسئول"),
        on_delete=models.PROTECT,
        related_name="leads",
    )
    status = models.CharField(_("وضعیت"), max_length=5, choices=Status.choices, default="open")
    stage = models.CharField(_("مرحله"), max_length=12, choices=Stage.choices, default="new")
    lost_reason = models.CharField(_("علت ناموفق بودن"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("زمان بستن"), null=True, blank=True, editable=False)
    expected_value = models.BigIntegerField(_("مبلغ پیش‌بینی (ریال)"), null=True, blank=True)
    expected_close = models.DateField(_("تاریخ پیش‌بینی بستن"), null=True, blank=True)
    notes = models.TextField(_("توضیحات"), blank=True)
    # The Jalali year the lead belongs to: the year it was registered in, or a later one
    # it was carried into at that year's opening (افتتاحیه) while still open.
    fiscal_year = models.PositiveSmallIntegerField(
        _("سال مالی"), default=current_fiscal_year, editable=False
    )
    custom = custom_values_field()
    # Kept by the services from the follow-ups (see the module docstring).
    last_result = models.ForeignKey(
        "lookups.FollowUpResult",
        verbose_name=_("آخرین نتیجه"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    last_followup_at = models.DateTimeField(
        _("آخرین پیگیری"), null=True, blank=True, editable=False
    )
    next_at = models.DateTimeField(_("پیگیری بعدی"), null=True, blank=True, editable=False)
    next_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("نوبت پیگیری با"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    customer_key = customer_key_field()
    # The customer's category and region, for the list's subtree filters (indexes
    # lead_customer_category, lead_customer_region): no join through the contact.
    customer_category = customer_copy_field("contacts.Category", _("صنف مشتری"))
    customer_region = customer_copy_field("contacts.Region", _("منطقه مشتری"))
    # The list's and the global search's text (trigram index lead_search_trgm).
    search_key = search_key_field("code", "title", "person_name", "customer_key")
    # A one- or two-character query's whole words (trigram index lead_short_words_trgm).
    short_words = short_words_field("title", "person_name")

    assignee_fields = ("responsible", "next_by")
    history_exclude = (
        *BusinessRecord.history_exclude,
        "last_result",
        "last_followup_at",
        "next_at",
        "next_by",
    )

    class Meta:
        verbose_name = _("سرنخ")
        verbose_name_plural = _("سرنخ‌ها")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="lead_recent"),
            models.Index(fields=["responsible", "-created_at"], name="lead_responsible_recent"),
            models.Index(fields=["owner", "-created_at"], name="lead_owner_recent"),
            models.Index(fields=["next_at", "id"], name="lead_next"),
            # The list's sort by expected amount (sales.lists.EXPECTED_ORDER): an empty
            # amount as 0, so that both databases walk it either way.
            models.Index(
                Coalesce("expected_value", 0).desc(), F("id").desc(), name="lead_expected"
            ),
            models.Index(fields=["status", "stage", "-created_at"], name="lead_pipeline"),
            # The list's year and status filters, newest first: a page without a sort.
            models.Index(
                fields=["fiscal_year", "status", "-created_at", "-id"], name="lead_fiscal_year"
            ),
            models.Index(
                fields=["customer_category", "-created_at", "-id"], name="lead_customer_category"
            ),
            models.Index(
                fields=["customer_region", "-created_at", "-id"], name="lead_customer_region"
            ),
            models.Index(
                fields=["-deleted_at"], name="lead_trash", condition=Q(deleted_at__isnull=False)
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=3), name="lead_stars_1_3")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("sales:lead_detail", args=[self.pk])

    @property
    def conversation_owner(self):
        """Who answers the customer's messages about it (core.registry.ConversationKind)."""
        return self.responsible

    def history_text(self, field_name: str, value) -> str | None:
        if field_name == "custom":
            return custom_history_text(self._meta.label_lower, value)
        return None

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.next_at is not None and self.next_at < timezone.now()


class FollowUpQuerySet(VisibleQuerySet):
    def visibility(self, user) -> Q | None:
        """A follow-up on a lead or a proforma is seen by whoever sees its lead, and by
        its author's team; one on a complaint by its author and whoever sees the
        complaint (its registrar and control officer)."""
        if user.has_perm("accounts.see_all"):
            return None
        team = user.team_member_ids()
        on_sales = Q(complaint__isnull=True) & (
            Q(owner_id__in=team)
            | Q(lead__owner_id__in=team)
            | Q(lead__responsible_id__in=team)
            | Q(lead__next_by_id__in=team)
            | Q(quote__owner_id__in=team)
        )
        # A complaint's follow-ups are as confidential as the complaint.
        on_complaint = Q(complaint__isnull=False) & (
            Q(owner=user) | Q(complaint__owner=user) | Q(complaint__officer=user)
        )
        return on_sales | on_complaint


class FollowUp(BusinessRecord):
    """پیگیری: one contact attempt on a lead. The owner is its author. A follow-up with a
    next date is pending until a newer follow-up on the same lead (or closing the lead)
    settles it; pending ones are what «پیگیری‌های من» lists and reminders fire for."""

    # A follow-up is on a lead, a proforma or a complaint (exactly one, by a constraint).
    lead = models.ForeignKey(
        Lead,
        verbose_name=_("سرنخ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followups",
    )
    quote = models.ForeignKey(
        "sales.Quote",
        verbose_name=_("پیش فاکتور"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followups",
    )
    complaint = models.ForeignKey(
        "service.Complaint",
        verbose_name=_("شکایت"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followups",
    )
    at = models.DateTimeField(_("زمان پیگیری"), default=timezone.now)
    channel = models.ForeignKey(
        "lookups.Channel",
        verbose_name=_("نوع ارتباط"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    person = models.CharField(_("طرف گفتگو"), max_length=200, blank=True)
    result = models.ForeignKey(
        "lookups.FollowUpResult",
        verbose_name=_("نتیجه"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The result's priority when it was logged: the due list sorts on it without a join,
    # and a manager re-ranking results later does not reorder history.
    priority = models.PositiveSmallIntegerField(_("درجه اولویت"), default=3, editable=False)
    description = models.TextField(_("شرح"), blank=True)
    next_at = models.DateTimeField(_("پیگیری بعدی"), null=True, blank=True)
    referred_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ارجاع به"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Whose turn the next follow-up is: the referred user, else the lead's responsible.
    next_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("نوبت پیگیری با"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    settled_at = models.DateTimeField(null=True, blank=True, editable=False)
    task = models.ForeignKey(
        "activities.Task",
        verbose_name=_("وظیفه"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = LiveManager.from_queryset(FollowUpQuerySet)()
    all_objects = AllRecordsManager.from_queryset(FollowUpQuerySet)()

    # A follow-up is history: it is never deleted on its own.
    in_trash = False

    class Meta:
        verbose_name = _("پیگیری")
        verbose_name_plural = _("پیگیری‌ها")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["lead", "-at", "-id"], name="followup_lead_recent"),
            models.Index(fields=["quote", "-at", "-id"], name="followup_quote_recent"),
            models.Index(fields=["complaint", "-at", "-id"], name="followup_complaint_recent"),
            # Reports over a period (a month of follow-ups, not the whole table).
            models.Index(fields=["at"], name="followup_at"),
            # «پیگیری‌های من»: a user's pending next dates, nothing else.
            models.Index(
                fields=["next_by", "next_at"],
                name="followup_pending",
                condition=Q(
                    next_at__isnull=False, settled_at__isnull=True, deleted_at__isnull=True
                ),
            ),
            models.Index(
                fields=["-deleted_at"], name="followup_trash", condition=Q(deleted_at__isnull=False)
            ),
        ]

        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(lead__isnull=False, quote__isnull=True, complaint__isnull=True)
                    | Q(lead__isnull=True, quote__isnull=False, complaint__isnull=True)
                    | Q(lead__isnull=True, quote__isnull=True, complaint__isnull=False)
                ),
                name="followup_one_subject",
            )
        ]

    def __str__(self) -> str:
        return str(self.result)

    @property
    def subject(self) -> "Lead | Quote | service.Complaint":  # noqa: F821 - the service app
        if self.lead_id:
            return self.lead
        return self.quote if self.quote_id else self.complaint

    def get_absolute_url(self) -> str:
        return f"{self.subject.get_absolute_url()}#followup-{self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.next_at is not None and self.settled_at is None

    @property
    def is_overdue(self) -> bool:
        return self.is_pending and self.next_at < timezone.now()


# Products, proformas and invoices -----------------------------------------------------


def plain_decimal(value: Decimal) -> Decimal:
    """10 rather than 10.00, 2.5 rather than 2.500 (and never 1E+1)."""
    whole = value.to_integral_value()
    return whole if value == whole else value.normalize()


class GoodsOrService(models.TextChoices):
    GOODS = "goods", _("کالا")
    SERVICE = "service", _("خدمات")


class Product(models.Model):
    """A line of the catalogue (کالا و خدمات). Never deleted once used: deactivated."""

    code = models.CharField(_("کد"), max_length=30, unique=True)
    name = models.CharField(_("نام"), max_length=200)
    kind = models.CharField(
        _("نوع"), max_length=7, choices=GoodsOrService.choices, default=GoodsOrService.GOODS
    )
    unit = models.CharField(_("واحد"), max_length=30, default="عدد")
    # شناسه کالا/خدمت: the tax system's 13-digit id of the good or service (invoices
    # sent to سامانه مودیان name it per line); stored as Latin digits.
    tax_id = models.CharField(
        _("شناسه کالا/خدمت"),
        max_length=13,
        blank=True,
        validators=[validate_goods_service_id],
    )
    price = models.BigIntegerField(_("قیمت واحد (ریال)"), default=0)
    vat_applies = models.BooleanField(_("مشمول مالیات بر ارزش افزوده"), default=True)
    is_active = models.BooleanField(_("فعال"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The version an edit starts from (core.versions): two managers editing the
    # catalogue do not silently overwrite each other.
    updated_at = models.DateTimeField(_("آخرین تغییر"), auto_now=True)
    search_key = search_key_field("code", "name")

    class Meta:
        verbose_name = _("کالا یا خدمت")
        verbose_name_plural = _("کالاها و خدمات")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class PriceList(models.Model):
    """The prices and discount pattern of one customer group — the contacts of a grade
    (درجه مشتری), e.g. «همکار» or «نمایندگی». A catalogue line on a proforma for such a
    customer takes this list's price for the product (the catalogue's where the list
    has none) and this list's discount, unless the rep types their own."""

    name = models.CharField(_("نام"), max_length=100)
    grade = models.OneToOneField(
        "lookups.Grade",
        verbose_name=_("درجه مشتری"),
        on_delete=models.PROTECT,
        related_name="price_list",
    )
    discount_percent = models.DecimalField(
        _("درصد تخفیف"), max_digits=5, decimal_places=2, default=0
    )
    is_active = models.BooleanField(_("فعال"), default=True)

    class Meta:
        verbose_name = _("فهرست قیمت")
        verbose_name_plural = _("فهرست‌های قیمت")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0, discount_percent__lte=100),
                name="price_list_discount_0_100",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sales:price_list_edit", args=[self.pk])

    @property
    def discount_percent_shown(self) -> Decimal:
        return plain_decimal(self.discount_percent)


class PriceListItem(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(
        Product, verbose_name=_("کالا / خدمت"), on_delete=models.PROTECT, related_name="+"
    )
    price = models.BigIntegerField(_("قیمت (ریال)"))

    class Meta:
        constraints = [
            models.UniqueConstraint("price_list", "product", name="unique_price_list_product")
        ]

    def __str__(self) -> str:
        return f"{self.price_list}: {self.product}"


class VatRate(models.Model):
    """نرخ مالیات بر ارزش افزوده from a date on; a document stores the rate it used."""

    valid_from = models.DateField(_("از تاریخ"), unique=True)
    percent = models.DecimalField(_("نرخ (درصد)"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("نرخ مالیات بر ارزش افزوده")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.percent}%"

    @property
    def percent_shown(self) -> Decimal:
        return plain_decimal(self.percent)


# A sale's payment terms are the words of a customer's usual payment method (its default).
PaymentTerms = PaymentMethod


class SalesDocument(BusinessRecord):
    """What a proforma and an invoice share: party, lines, the VAT rate used, totals."""

    number = models.CharField(_("شماره"), max_length=30, unique=True)
    fiscal_year = models.PositiveSmallIntegerField(_("سال مالی"), editable=False)
    contact = models.ForeignKey(
        "contacts.Contact", verbose_name=_("مشتری"), on_delete=models.PROTECT, related_name="+"
    )
    lead = models.ForeignKey(
        Lead,
        verbose_name=_("سرنخ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(
        _("نوع"), max_length=7, choices=GoodsOrService.choices, default=GoodsOrService.GOODS
    )
    date = models.DateField(_("تاریخ"), default=timezone.localdate)
    customer_key = customer_key_field()
    # The list's text: the number or the customer (a trigram index on PostgreSQL).
    search_key = search_key_field("number", "customer_key")
    vat_percent = models.DecimalField(
        _("نرخ مالیات بر ارزش افزوده"), max_digits=5, decimal_places=2, default=0, editable=False
    )
    subtotal = models.BigIntegerField(_("جمع"), default=0, editable=False)
    discount_total = models.BigIntegerField(_("تخفیف"), default=0, editable=False)
    vat_total = models.BigIntegerField(_("مالیات بر ارزش افزوده"), default=0, editable=False)
    total = models.BigIntegerField(_("مبلغ کل"), default=0, editable=False)
    # Amounts are stored in rials; the document shows them (and the total in words) in
    # the unit chosen for it, whoever looks at it.
    money_unit = models.CharField(
        _("واحد پول"), max_length=5, choices=MONEY_UNIT_CHOICES, default="rial"
    )
    notes = models.TextField(_("توضیحات"), blank=True)
    # How the customer pays (شرایط پرداخت): cash; on credit or by (post-dated) cheques due
    # ``credit_days`` after the document's date; or by instalments (``instalments``
    # rows: a down payment on the date, then one a Jalali month apart).
    payment_terms = models.CharField(
        _("شرایط پرداخت"), max_length=12, choices=PaymentTerms.choices, default=PaymentTerms.CASH
    )
    credit_days = models.PositiveSmallIntegerField(_("مهلت پرداخت (روز)"), default=0)

    class Meta:
        abstract = True
        ordering = ["-date", "-id"]

    @property
    def vat_percent_shown(self) -> Decimal:
        return plain_decimal(self.vat_percent)

    @property
    def after_discount(self) -> int:
        """The lines' amounts less their discounts, before VAT (جمع پس از تخفیف)."""
        return self.subtotal - self.discount_total

    @property
    def total_in_words(self) -> str:
        return amount_in_words(self.total, self.money_unit)

    @property
    def payment_terms_text(self) -> str:
        """«اعتباری (مدت‌دار)، ۶۰ روزه» — the terms as an invoice prints them."""
        text = self.get_payment_terms_display()
        if self.payment_terms in (PaymentTerms.CREDIT, PaymentTerms.CHEQUE) and self.credit_days:
            text += f"، {self.credit_days} روزه"
        return text


class Quote(SalesDocument):
    """پیش فاکتور."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("پیش‌نویس")
        SENT = "sent", _("ارسال شده")
        ACCEPTED = "accepted", _("پذیرفته شده")
        CANCELLED = "cancelled", _("لغو شده")
        EXPIRED = "expired", _("منقضی شده")

    # Still being negotiated: edited, followed up, carried into a new fiscal year.
    IN_PLAY = (Status.DRAFT, Status.SENT)

    valid_until = models.DateField(_("اعتبار تا"), null=True, blank=True)
    status = models.CharField(_("وضعیت"), max_length=9, choices=Status.choices, default="draft")
    cancel_reason = models.CharField(_("علت لغو"), max_length=300, blank=True)

    class Meta(SalesDocument.Meta):
        verbose_name = _("پیش فاکتور")
        verbose_name_plural = _("پیش فاکتورها")
        permissions = [("sell_over_credit_limit", _("ثبت فروش بیش از سقف اعتبار (با هشدار)"))]
        indexes = [
            models.Index(fields=["-date", "-id"], name="quote_recent"),
            models.Index(fields=["contact", "-date"], name="quote_contact"),
            models.Index(fields=["lead", "-date"], name="quote_lead"),
            # The list's «سال مالی», newest first (last year's first page walked this
            # year's 100,000 proformas first), and the new year's carry-over of those in
            # play (a year's rows, their status read).
            models.Index(fields=["fiscal_year", "-date", "-id"], name="quote_year_recent"),
            # The list's «نوع» filter (goods or services), newest first.
            models.Index(fields=["kind", "-date", "-id"], name="quote_kind_recent"),
            # The list sorted by amount (core.lists: a sort walks an index).
            models.Index(fields=["total", "id"], name="quote_total"),
            models.Index(
                fields=["-deleted_at"], name="quote_trash", condition=Q(deleted_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"پیش فاکتور {self.number}"

    @property
    def is_open(self) -> bool:
        """Still being negotiated (draft or sent): follow-ups are logged on it."""
        return self.status in self.IN_PLAY

    def get_absolute_url(self) -> str:
        return reverse("sales:quote_detail", args=[self.pk])


class InvoiceSubject(models.IntegerChoices):
    """موضوع صورتحساب, as سامانه مودیان numbers them (``ins``). An issued invoice is never
    edited: a mistake, goods sent back or a sale called off is a new invoice of the
    matching subject that replaces it (``Invoice.reference``)."""

    ORIGINAL = 1, _("اصلی")
    CORRECTION = 2, _("اصلاحی")
    CANCELLATION = 3, _("ابطالی")
    RETURN = 4, _("برگشت از فروش")


class Invoice(SalesDocument):
    """فاکتور, made from an accepted proforma (or directly). Issued invoices are never
    deleted nor edited: a correction, a return or a cancellation is a new invoice that
    replaces its reference (sales.services.invoice_adjust), which is then superseded."""

    quote = models.OneToOneField(
        Quote,
        verbose_name=_("پیش فاکتور"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoice",
    )
    # When the customer must have paid (the date itself for a cash sale), and how much
    # of the total cleared money has settled: kept by the finance app (its allocations).
    due_date = models.DateField(_("سررسید پرداخت"), null=True, blank=True)
    paid = models.BigIntegerField(_("پرداخت شده"), default=0, editable=False)
    subject = models.PositiveSmallIntegerField(
        _("موضوع"), choices=InvoiceSubject.choices, default=InvoiceSubject.ORIGINAL
    )
    # The invoice this one replaces (a correction, return or cancellation of it): the
    # latest version of the sale, never one already replaced.
    reference = models.ForeignKey(
        "self",
        verbose_name=_("صورتحساب مرجع"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adjustments",
    )
    # Replaced by a later version: it stays as issued, the sale is counted once (IN_FORCE).
    superseded = models.BooleanField(_("جایگزین شده"), default=False)

    class PaymentStatus(models.TextChoices):
        PAID = "paid", _("پرداخت شده")
        PARTLY_PAID = "partly", _("بخشی پرداخت شده")
        UNPAID = "unpaid", _("پرداخت نشده")
        OVERDUE = "overdue", _("سررسید گذشته")
        # Nothing is owed on these: their replacement (or nothing, cancelled) is.
        REPLACED = "replaced", _("جایگزین شده")
        CANCELLED = "cancelled", _("ابطالی")

    in_trash = False
    history_exclude = (*SalesDocument.history_exclude, "paid")
    # The sales in force: each sale counted once, by its latest version, a cancelled one
    # not at all (the totals of reports, summaries and lists' footers).
    IN_FORCE = Q(superseded=False) & ~Q(subject=InvoiceSubject.CANCELLATION)

    class Meta(SalesDocument.Meta):
        verbose_name = _("فاکتور")
        verbose_name_plural = _("فاکتورها")
        indexes = [
            models.Index(fields=["-date", "-id"], name="invoice_recent"),
            models.Index(fields=["contact", "-date"], name="invoice_contact"),
            models.Index(
                fields=["-deleted_at"], name="invoice_trash", condition=Q(deleted_at__isnull=False)
            ),
            # The list's «نوع» filter (goods or services), newest first.
            models.Index(fields=["kind", "-date", "-id"], name="invoice_kind_recent"),
            # The list sorted by amount, and its amount range.
            models.Index(fields=["total", "id"], name="invoice_total"),
            # The list's «پرداخت‌نشده» and «سررسید گذشته»: the open few among a million
            # settled invoices, newest first, without reading the settled ones.
            models.Index(
                fields=["-date", "-id"], name="invoice_unpaid", condition=Q(paid__lt=F("total"))
            ),
            # … and the same few by number: the newest numbers are mostly settled, so the
            # number's own index walked hundreds of thousands of them to fill a page.
            models.Index(
                fields=["-number"], name="invoice_unpaid_number", condition=Q(paid__lt=F("total"))
            ),
            # «مشتریان خدمات»: whether a customer has bought a service, one probe each.
            models.Index(
                fields=["contact"], name="invoice_service_contact", condition=Q(kind="service")
            ),
            # The list's «موضوع» filter: the few corrections, returns and cancellations
            # among a million originals (matching none, it scanned the table: 90 ms).
            models.Index(
                fields=["subject", "-date", "-id"],
                name="invoice_replacing",
                condition=Q(subject__gt=InvoiceSubject.ORIGINAL),
            ),
            # The list's «سال مالی», newest first (last year's first page walked this
            # year's 340,000 invoices first).
            models.Index(fields=["fiscal_year", "-date", "-id"], name="invoice_year_recent"),
        ]

    def __str__(self) -> str:
        if self.subject == InvoiceSubject.ORIGINAL:
            return f"فاکتور {self.number}"
        return f"فاکتور {self.get_subject_display()} {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("sales:invoice_detail", args=[self.pk])

    @property
    def adjustable(self) -> bool:
        """Can be corrected, returned or cancelled: the sale's latest version, in force."""
        return not self.superseded and self.subject != InvoiceSubject.CANCELLATION

    @property
    def unpaid(self) -> int:
        return max(self.total - self.paid, 0)

    @property
    def payment_status(self) -> str:
        """Paid when cleared money covers the total; overdue when not, past its due date.
        A replaced invoice and a cancellation owe nothing and say so."""
        if self.superseded:
            return self.PaymentStatus.REPLACED
        if self.subject == InvoiceSubject.CANCELLATION:
            return self.PaymentStatus.CANCELLED
        if self.paid >= self.total:
            return self.PaymentStatus.PAID
        if (self.due_date or self.date) < timezone.localdate():
            return self.PaymentStatus.OVERDUE
        return self.PaymentStatus.PARTLY_PAID if self.paid else self.PaymentStatus.UNPAID

    def get_payment_status_display(self) -> str:
        return str(self.PaymentStatus(self.payment_status).label)

    @staticmethod
    def payment_condition(payment: str, today: datetime.date) -> Q:
        """The invoices of a list's payment filter, as ``payment_status`` decides one
        invoice: «unpaid» (anything left to pay, partly paid too), «overdue» (unpaid past
        its due date, or its date when it has none) and «paid»."""
        unpaid = Q(paid__lt=F("total"))
        if payment == "unpaid":
            return unpaid
        if payment == "overdue":
            return unpaid & (Q(due_date__lt=today) | Q(due_date__isnull=True, date__lt=today))
        if payment == "paid":
            return Q(paid__gte=F("total"))
        raise ValueError(f"unknown payment filter {payment!r}")


class DocumentLine(models.Model):
    product = models.ForeignKey(
        Product,
        verbose_name=_("کالا / خدمت"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.CharField(_("شرح"), max_length=300)
    quantity = models.DecimalField(_("تعداد / مقدار"), max_digits=14, decimal_places=3, default=1)
    unit = models.CharField(_("واحد"), max_length=30, blank=True)
    unit_price = models.BigIntegerField(_("فی (ریال)"))
    discount = models.BigIntegerField(_("تخفیف (ریال)"), default=0)
    vat_applies = models.BooleanField(_("مشمول مالیات"), default=True)
    # Computed by sales.pricing when the document is saved.
    amount = models.BigIntegerField(_("مبلغ"), default=0, editable=False)
    vat = models.BigIntegerField(_("مالیات"), default=0, editable=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.description

    @property
    def quantity_shown(self) -> Decimal:
        return plain_decimal(self.quantity)

    @property
    def gross(self) -> int:
        """Quantity × unit price, before the line's discount."""
        return self.amount + self.discount

    @property
    def total(self) -> int:
        return self.amount + self.vat


class QuoteLine(DocumentLine):
    document = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")


class InvoiceLine(DocumentLine):
    document = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")


class Instalment(models.Model):
    """One payment of an instalment plan (قسط): the down payment, or one of the
    instalments a Jalali month apart; the last one absorbs the rounding."""

    due_date = models.DateField(_("سررسید"))
    amount = models.BigIntegerField(_("مبلغ"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.due_date}: {self.amount}"


class QuoteInstalment(Instalment):
    document = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="instalments")


class InvoiceInstalment(Instalment):
    document = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="instalments")


class FiscalYear(models.Model):
    """A Jalali fiscal year a manager has opened (افتتاحیه, as in Sama): the proformas
    still in play and the open leads of earlier years were carried into it. Numbering
    restarts each Jalali year by itself (yearly series)."""

    year = models.PositiveSmallIntegerField(_("سال مالی"), unique=True)
    opened_at = models.DateTimeField(_("زمان افتتاحیه"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("افتتاح‌کننده"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    carried_quotes = models.PositiveIntegerField(_("پیش فاکتورهای منتقل‌شده"), default=0)
    carried_leads = models.PositiveIntegerField(_("سرنخ‌های منتقل‌شده"), default=0)

    class Meta:
        verbose_name = _("سال مالی")
        verbose_name_plural = _("سال‌های مالی")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)
