"""Custom fields (اطلاعات تکمیلی): managers define them per record type; the values
live in the record's own ``custom`` JSON column, keyed by ``CustomField.key``.

One column instead of a value table keeps a record and its values one row: the list,
the export and the detail page read them without joins, and on PostgreSQL a GIN index
(jsonb_path_ops) serves equality filters on any field at a million rows."""

import datetime
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_SECTION = "اطلاعات تکمیلی"


def custom_values_field():
    """The column a target model declares: ``custom = custom_values_field()``."""
    return models.JSONField(_("اطلاعات تکمیلی"), default=dict, blank=True)


class CustomFieldQuerySet(models.QuerySet):
    def for_target(self, target: str) -> "CustomFieldQuerySet":
        return self.filter(target=target, is_active=True)


class CustomField(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", _("متن")
        NUMBER = "number", _("عدد")
        DATE = "date", _("تاریخ")
        CHOICE = "choice", _("انتخاب از فهرست")
        BOOLEAN = "boolean", _("بله / خیر")

    target = models.CharField(_("برای"), max_length=50, db_index=True)
    section = models.CharField(
        _("بخش"),
        max_length=100,
        default=DEFAULT_SECTION,
        help_text=_("فیلدهای هم‌بخش در فرم و صفحهٔ جزئیات کنار هم می‌آیند."),
    )
    label = models.CharField(_("عنوان"), max_length=100)
    kind = models.CharField(_("نوع"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    options = models.TextField(
        _("گزینه‌ها"), blank=True, help_text=_("برای «انتخاب از فهرست»: هر گزینه در یک سطر.")
    )
    required = models.BooleanField(_("اجباری"), default=False)
    order = models.PositiveSmallIntegerField(_("ترتیب"), default=0)
    is_active = models.BooleanField(
        _("فعال"),
        default=True,
        help_text=_("فیلد غیرفعال از فرم‌ها و فهرست‌ها کنار می‌رود و مقدارهایش می‌مانند."),
    )

    objects = CustomFieldQuerySet.as_manager()

    class Meta:
        verbose_name = _("فیلد اطلاعات تکمیلی")
        verbose_name_plural = _("اطلاعات تکمیلی")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["target", "label"], name="customfield_unique_label")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def key(self) -> str:
        # Not the bare number: a digit key reads as an array index in JSON lookups.
        return f"f{self.pk}"

    @property
    def option_list(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]

    def to_json(self, value):
        """A cleaned form value as stored in the JSON column."""
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        if isinstance(value, datetime.date):
            return value.isoformat()
        return value

    def from_json(self, raw):
        """A stored value as Python (for forms, display and exports)."""
        if raw is None:
            return None
        if self.kind == self.Kind.DATE:
            return datetime.date.fromisoformat(raw)
        if self.kind == self.Kind.NUMBER:
            return Decimal(str(raw))
        return raw


def sections(fields) -> list[tuple[str, list]]:
    """Fields grouped by section, sections in the order of their first field."""
    grouped: dict[str, list] = {}
    for field in fields:
        grouped.setdefault(field.section, []).append(field)
    return list(grouped.items())
