"""کدینگ عمومی: the option lists managers define. Each list is its own small model so
that records point at it with a real foreign key (PROTECT: an item in use cannot be
deleted, only deactivated)."""

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _


class LookupQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def phone(self):
        """The active «تلفن» channel, or None (for Channel only)."""
        return self.active().filter(name=self.model.PHONE).first()

    def active_or(self, current_id: int | None):
        """Active items, plus the one a record already has even if deactivated since:
        editing the record must not silently drop it."""
        return self.filter(models.Q(is_active=True) | models.Q(pk=current_id))


class LookupItem(models.Model):
    name = models.CharField(_("عنوان"), max_length=100)
    order = models.PositiveIntegerField(_("ترتیب"), default=0)
    is_active = models.BooleanField(_("فعال"), default=True)

    objects = LookupQuerySet.as_manager()

    # Extra fields shown in the list and edited in the form, besides name/order/active.
    extra_fields: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class AcquaintanceSource(LookupItem):
    class Meta(LookupItem.Meta):
        verbose_name = _("نحوه آشنایی")
        verbose_name_plural = _("نحوه‌های آشنایی")
        constraints = [models.UniqueConstraint("name", name="unique_source_name")]


class Position(LookupItem):
    class Meta(LookupItem.Meta):
        verbose_name = _("سمت")
        verbose_name_plural = _("سمت‌ها")
        constraints = [models.UniqueConstraint("name", name="unique_position_name")]


class Channel(LookupItem):
    # The channel seeded for phone calls (0002_defaults): what a record started from a
    # call, or a survey call, is registered with.
    PHONE = "تلفن"

    class Meta(LookupItem.Meta):
        verbose_name = _("نوع ارتباط")
        verbose_name_plural = _("انواع ارتباط")
        constraints = [models.UniqueConstraint("name", name="unique_channel_name")]


class FollowUpResult(LookupItem):
    priority = models.PositiveSmallIntegerField(
        _("درجه اولویت"), default=3, help_text=_("عدد کوچک‌تر یعنی اولویت بالاتر.")
    )
    extra_fields = ("priority",)

    class Meta(LookupItem.Meta):
        verbose_name = _("نتیجه پیگیری")
        verbose_name_plural = _("نتایج پیگیری")
        constraints = [models.UniqueConstraint("name", name="unique_result_name")]


class Urgency(LookupItem):
    deadline_days = models.PositiveSmallIntegerField(_("مهلت انجام (روز کاری)"), default=1)
    extra_fields = ("deadline_days",)

    class Meta(LookupItem.Meta):
        verbose_name = _("درجه فوریت")
        verbose_name_plural = _("درجه‌های فوریت")
        constraints = [models.UniqueConstraint("name", name="unique_urgency_name")]


class RequestType(LookupItem):
    class Level(models.IntegerChoices):
        ONE = 1, _("نوع ۱")
        TWO = 2, _("نوع ۲")
        THREE = 3, _("نوع ۳")

    level = models.PositiveSmallIntegerField(_("سطح"), choices=Level.choices, default=Level.ONE)
    extra_fields = ("level",)

    class Meta(LookupItem.Meta):
        verbose_name = _("نوع درخواست")
        verbose_name_plural = _("انواع درخواست")
        constraints = [models.UniqueConstraint("level", "name", name="unique_request_type_name")]


class PaymentMethod(models.TextChoices):
    """How a customer pays (نحوه پرداخت) and a sale's payment terms (شرایط پرداخت)."""

    CASH = "cash", _("نقدی")
    CHEQUE = "cheque", _("چک")
    CREDIT = "credit", _("اعتباری (مدت‌دار)")
    INSTALLMENTS = "installments", _("اقساطی")


class Grade(LookupItem):
    """درجه مشتری, with a colour shown beside the contact's name in every list, and the
    group's rules of conduct (قواعد رفتار): its customers' usual payment terms and credit
    limit, where a customer has none of their own."""

    class Color(models.TextChoices):
        GOLD = "warning", _("طلایی")
        BLUE = "primary", _("آبی")
        GREEN = "success", _("سبز")
        GREY = "secondary", _("خاکستری")
        RED = "danger", _("قرمز")
        TEAL = "info", _("فیروزه‌ای")

    color = models.CharField(_("رنگ"), max_length=10, choices=Color.choices, default=Color.BLUE)
    payment_method = models.CharField(
        _("نحوه پرداخت پیش‌فرض"), max_length=12, choices=PaymentMethod.choices, blank=True
    )
    credit_days = models.PositiveSmallIntegerField(_("مهلت پرداخت پیش‌فرض (روز)"), default=0)
    credit_limit = models.BigIntegerField(_("سقف اعتبار پیش‌فرض (ریال)"), null=True, blank=True)
    extra_fields = ("color", "payment_method", "credit_days", "credit_limit")

    class Meta(LookupItem.Meta):
        verbose_name = _("درجه مشتری")
        verbose_name_plural = _("درجه‌های مشتری")
        constraints = [models.UniqueConstraint("name", name="unique_grade_name")]


# URL slug → model, in the order the settings menu shows them.
LOOKUP_LISTS: dict[str, type[LookupItem]] = {
    "sources": AcquaintanceSource,
    "positions": Position,
    "grades": Grade,
    "channels": Channel,
    "results": FollowUpResult,
    "urgencies": Urgency,
    "request-types": RequestType,
}
