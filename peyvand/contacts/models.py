from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from peyvand.core.dates import to_jalali
from peyvand.core.models import (
    AllRecordsManager,
    BusinessRecord,
    LiveManager,
    TreeNode,
    VisibleQuerySet,
    search_key_field,
    short_words_field,
)
from peyvand.core.validators import format_phone_national
from peyvand.customfields.display import history_text as custom_history_text
from peyvand.customfields.models import custom_values_field
from peyvand.lookups.models import AcquaintanceSource, Grade, PaymentMethod, Position


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


def jalali_month(day) -> int | None:
    """The Jalali month (1–12) of a Gregorian date, or None: a contact's birth month as
    the list filters it (kept in ``Contact.birth_month``)."""
    return to_jalali(day).month if day else None


# URL slug → tree model, for the managers' tree screens.
TREES: dict[str, type[TreeNode]] = {"categories": Category, "regions": Region}


class Contact(BusinessRecord):
    """A party we deal with: a natural person (حقیقی) or a legal entity (حقوقی)."""

    class Kind(models.TextChoices):
        PERSON = "person", _("شخص حقیقی")
        ORGANIZATION = "organization", _("شخص حقوقی")

    class Status(models.TextChoices):
        PROSPECT = "prospect", _("مشتری بالقوه")
        CUSTOMER = "customer", _("مشتری فعال")
        INACTIVE = "inactive", _("غیرفعال")

    PaymentMethod = PaymentMethod

    class Role(models.TextChoices):
        CUSTOMER = "customer", _("مشتری")
        AGENT = "agent", _("نماینده فروش")
        SUPPLIER = "supplier", _("تأمین‌کننده")
        EMPLOYEE = "employee", _("همکار")

    code = models.CharField(_("کد"), max_length=30, unique=True)
    kind = models.CharField(_("نوع"), max_length=12, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("نام"), max_length=200)
    company = models.CharField(_("شرکت"), max_length=200, blank=True)
    # The first mobile of ``phones``, kept by the services for lists and SMS.
    mobile = models.CharField(_("تلفن همراه"), max_length=16, blank=True, editable=False)
    # Every phone in national digits, "|"-separated, kept by the services: the search key
    # covers it, so "0912 1" finds +98912 1… and the history shows phone changes.
    phones_text = models.CharField(_("تلفن‌ها"), max_length=500, blank=True)
    email = models.EmailField(_("ایمیل"), blank=True)
    national_id = models.CharField(
        _("کد ملی / شناسه ملی"), max_length=11, blank=True, db_index=True
    )
    status = models.CharField(
        _("وضعیت"), max_length=10, choices=Status.choices, default=Status.PROSPECT
    )
    grade = models.ForeignKey(
        Grade, verbose_name=_("درجه"), null=True, blank=True, on_delete=models.PROTECT
    )
    is_vip = models.BooleanField(_("مشتری ویژه"), default=False)
    roles = models.JSONField(_("نقش‌ها"), default=list, blank=True)
    organization = models.ForeignKey(
        "self",
        verbose_name=_("سازمان"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
        help_text=_("شرکتی که این شخص در آن کار می‌کند."),
    )
    position = models.ForeignKey(
        Position, verbose_name=_("سمت"), null=True, blank=True, on_delete=models.PROTECT
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("سازمان مادر"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="branches",
        help_text=_("برای شعبه‌ها و شرکت‌های زیرمجموعه."),
    )
    economic_code = models.CharField(_("کد اقتصادی"), max_length=14, blank=True)
    # A legal person's شماره ثبت: the buyer's block of an official invoice prints it.
    registration_number = models.CharField(_("شماره ثبت"), max_length=20, blank=True)
    website = models.URLField(_("وب‌سایت"), blank=True)
    address = models.TextField(_("نشانی"), blank=True)
    postal_code = models.CharField(_("کد پستی"), max_length=10, blank=True)
    job = models.CharField(_("شغل"), max_length=100, blank=True)
    education = models.CharField(_("تحصیلات"), max_length=100, blank=True)
    credit_limit = models.BigIntegerField(_("سقف اعتبار (ریال)"), null=True, blank=True)
    payment_method = models.CharField(
        _("نحوه پرداخت"), max_length=12, choices=PaymentMethod.choices, blank=True
    )
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
    # The birthday's Jalali month, kept by save() (and by the importer's bulk insert):
    # the list filters «متولد فروردین» with no Jalali arithmetic in SQL.
    birth_month = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    notes = models.TextField(_("یادداشت"), blank=True)
    logo = models.ForeignKey(
        "core.Attachment",
        verbose_name=_("لوگو / تصویر"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    custom = custom_values_field()
    search_key = search_key_field("code", "name", "company", "phones_text", "email", "national_id")
    # «۱۲» in «داروخانه ۱۲ فروردین»: a one- or two-character query (trigram index
    # contact_short_words_trgm).
    short_words = short_words_field("name", "company")

    class Meta:
        verbose_name = _("مخاطب")
        verbose_name_plural = _("مخاطبین")
        permissions = [
            ("export_contact", _("خروجی گرفتن از مخاطبین")),
            ("merge_contact", _("ادغام مخاطبین تکراری")),
        ]
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="contact_owner_recent"),
            # Who an email comes from (messaging.mail_in): addresses compared lower-cased.
            models.Index(Lower("email"), name="contact_email_lower", condition=~Q(email="")),
            models.Index(fields=["-created_at", "-id"], name="contact_recent"),
            models.Index(fields=["name", "id"], name="contact_name"),
            # The list's «وضعیت» and «نوع», newest first: a state few contacts are in
            # (none of a rep's «غیرفعال») is found, or not, without walking every
            # contact by date.
            models.Index(fields=["status", "-created_at", "-id"], name="contact_status_recent"),
            models.Index(fields=["kind", "-created_at", "-id"], name="contact_kind_recent"),
            # «مشتریان من»: a rep's contacts in a status, newest first; and a status none
            # of a team's contacts is in, answered from the index alone (the rep's rows
            # lie on tens of thousands of pages).
            models.Index(
                fields=["owner", "status", "-created_at", "-id"], name="contact_owner_status_recent"
            ),
            # A rep's contacts by code: one ordered range per owner of their team
            # (core.models.VisibleQuerySet.first_rows); a team's contacts may all have
            # lower codes than hundreds of thousands of others'.
            models.Index(fields=["owner", "code"], name="contact_owner_code"),
            # The list's VIP and birth-month filters: few rows each, newest first.
            models.Index(
                fields=["-created_at", "-id"], name="contact_vip_recent", condition=Q(is_vip=True)
            ),
            models.Index(
                fields=["birth_month", "-created_at", "-id"],
                name="contact_birth_month",
                condition=Q(birth_month__isnull=False),
            ),
            # The trash page: only deleted rows, newest first.
            models.Index(
                fields=["-deleted_at"], name="contact_trash", condition=Q(deleted_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.birth_month = jalali_month(self.birthday)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "birthday" in update_fields:
            kwargs["update_fields"] = {*update_fields, "birth_month"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("contacts:detail", args=[self.pk])

    def history_text(self, field_name: str, value) -> str | None:
        if field_name == "phones_text":
            return "، ".join(value.split("|"))
        if field_name == "custom":
            return custom_history_text(self._meta.label_lower, value)
        if field_name == "roles":
            labels = dict(self.Role.choices)
            return "، ".join(str(labels.get(role, role)) for role in value)
        return None

    @property
    def effective_credit_limit(self) -> int | None:
        """The contact's own credit limit, else their grade's (its rules of conduct)."""
        if self.credit_limit is not None:
            return self.credit_limit
        return self.grade.credit_limit if self.grade_id else None

    def get_roles_display(self) -> list[str]:
        labels = dict(self.Role.choices)
        return [str(labels[role]) for role in self.roles if role in labels]


class ContactPhone(models.Model):
    class Kind(models.TextChoices):
        MOBILE = "mobile", _("همراه")
        LANDLINE = "landline", _("ثابت")
        FAX = "fax", _("فکس")
        INTERNAL = "internal", _("داخلی")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="phones")
    kind = models.CharField(_("نوع"), max_length=10, choices=Kind.choices, default=Kind.MOBILE)
    # E.164 for mobile, landline and fax (one form however typed); digits for internal.
    number = models.CharField(_("شماره"), max_length=20, db_index=True)
    note = models.CharField(_("توضیح"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("تلفن")
        verbose_name_plural = _("تلفن‌ها")

    def __str__(self) -> str:
        return self.national

    @property
    def national(self) -> str:
        """The number as Iranians write it, ASCII digits (display converts digits)."""
        return format_phone_national(self.number) if self.number.startswith("+") else self.number


class PhoneBookQuerySet(VisibleQuerySet):
    def visibility(self, user) -> Q:
        """Public entries for everyone; a personal entry only for its owner — not for
        teammates, nor for managers: it is someone's own address book."""
        return Q(is_public=True) | Q(owner=user)


class PhoneBookEntry(BusinessRecord):
    """دفترچه تلفن: numbers people need that are not customers (a supplier's
    accountant, the building manager, a courier). Personal or shared with everyone."""

    name = models.CharField(_("نام"), max_length=200)
    company = models.CharField(_("شرکت / سازمان"), max_length=200, blank=True)
    job_title = models.CharField(_("سمت"), max_length=100, blank=True)
    mobile = models.CharField(_("تلفن همراه"), max_length=16, blank=True)
    phone = models.CharField(_("تلفن ثابت"), max_length=16, blank=True)
    extension = models.CharField(_("داخلی"), max_length=8, blank=True)
    email = models.EmailField(_("ایمیل"), blank=True)
    address = models.TextField(_("نشانی"), blank=True)
    notes = models.TextField(_("یادداشت"), blank=True)
    is_public = models.BooleanField(
        _("عمومی"), default=False, help_text=_("همه کاربران این شماره را می‌بینند.")
    )
    custom = custom_values_field()
    # National digits of the numbers, for the search key (as Contact.phones_text).
    numbers_text = models.CharField(max_length=60, blank=True, editable=False)
    search_key = search_key_field("name", "company", "job_title", "numbers_text", "email")
    short_words = short_words_field("name", "company")  # phonebook_short_words_trgm

    objects = LiveManager.from_queryset(PhoneBookQuerySet)()
    all_objects = AllRecordsManager.from_queryset(PhoneBookQuerySet)()

    class Meta:
        verbose_name = _("شماره دفترچه تلفن")
        verbose_name_plural = _("دفترچه تلفن")
        permissions = [("manage_public_phonebook", _("ویرایش شماره‌های عمومی دیگران"))]
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name", "id"], name="phonebook_name"),
            models.Index(fields=["owner", "name"], name="phonebook_owner_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("phonebook:detail", args=[self.pk])

    def history_text(self, field_name: str, value) -> str | None:
        if field_name == "custom":
            return custom_history_text(self._meta.label_lower, value)
        return None


class ContactBankAccount(models.Model):
    """A bank account of a contact (for refunds, payments to suppliers and agents)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="bank_accounts")
    iban = models.CharField(_("شماره شبا"), max_length=26)
    card_number = models.CharField(_("شماره کارت"), max_length=16, blank=True)
    bank = models.CharField(_("بانک"), max_length=60, blank=True)
    holder = models.CharField(_("صاحب حساب"), max_length=120, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("حساب بانکی")
        verbose_name_plural = _("حساب‌های بانکی")

    def __str__(self) -> str:
        return self.iban


class ContactAddress(models.Model):
    """Another email or postal address beside the contact's main one (a warehouse, the
    accounting department's email…)."""

    class Kind(models.TextChoices):
        POSTAL = "postal", _("نشانی پستی")
        EMAIL = "email", _("ایمیل")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(_("نوع"), max_length=10, choices=Kind.choices, default=Kind.POSTAL)
    title = models.CharField(
        _("عنوان"), max_length=60, blank=True, help_text=_("مثلاً انبار، حسابداری")
    )
    value = models.TextField(_("نشانی یا ایمیل"))
    postal_code = models.CharField(_("کد پستی"), max_length=10, blank=True)

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("نشانی دیگر")
        verbose_name_plural = _("نشانی‌های دیگر")
        # Who writes in from another address is found by it (selectors.contact_with_email).
        indexes = [
            models.Index(
                Lower("value"), condition=Q(kind="email"), name="contactaddress_email_lower"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}: {self.value}" if self.title else self.value
