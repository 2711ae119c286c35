from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import BusinessRecord, TreeNode, search_key_field
from peyvand.core.validators import format_phone_national
from peyvand.lookups.models import AcquaintanceSource


class Category(TreeNode):
    """صنف: the guild or line of business of a contact, as a tree."""

    class Meta(TreeNode.Meta):
        verbose_name = _("صنف")
        verbose_name_plural = _("اصناف")


class Region(TreeNode):
    """موقعیت جغرافیایی: province → city → area."""

    class Meta(TreeNode.Meta):
        verbose_name = _("موقعیت جغرافیایی")
        verbose_name_plural = _("موقعیت‌های جغرافیایی")


# URL slug → tree model, for the managers' tree screens.
TREES: dict[str, type[TreeNode]] = {"categories": Category, "regions": Region}


class Contact(BusinessRecord):
    """A party we deal with: a natural person (حقیقی) or a legal entity (حقوقی)."""

    class Kind(models.TextChoices):
        PERSON = "person", _("شخص حقیقی")
        ORGANIZATION = "organization", _("شخص حقوقی")

    code = models.CharField(_("کد"), max_length=30, unique=True)
    kind = models.CharField(_("نوع"), max_length=12, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("نام"), max_length=200)
    company = models.CharField(_("شرکت"), max_length=200, blank=True)
    mobile = models.CharField(_("تلفن همراه"), max_length=16, blank=True)
    phone = models.CharField(_("تلفن ثابت"), max_length=16, blank=True)
    email = models.EmailField(_("ایمیل"), blank=True)
    national_id = models.CharField(_("کد ملی / شناسه ملی"), max_length=11, blank=True)
    source = models.ForeignKey(
        AcquaintanceSource,
        verbose_name=_("نحوه آشنایی"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    category = models.ForeignKey(
        Category, verbose_name=_("صنف"), null=True, blank=True, on_delete=models.PROTECT
    )
    region = models.ForeignKey(
        Region, verbose_name=_("موقعیت جغرافیایی"), null=True, blank=True, on_delete=models.PROTECT
    )
    birthday = models.DateField(_("تاریخ تولد"), null=True, blank=True)
    notes = models.TextField(_("یادداشت"), blank=True)
    search_key = search_key_field(
        "code", "name", "company", "mobile", "phone", "email", "national_id"
    )

    class Meta:
        verbose_name = _("مخاطب")
        verbose_name_plural = _("مخاطبین")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="contact_owner_recent"),
            models.Index(fields=["-created_at", "-id"], name="contact_recent"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("contacts:detail", args=[self.pk])

    def history_text(self, field_name: str, value) -> str | None:
        if field_name in ("mobile", "phone") and value:
            return format_phone_national(value)
        return None
