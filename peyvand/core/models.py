"""Building blocks shared by every business record, and the few settings tables the
core services read (sequences, holiday overrides, installation settings)."""

from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models
from django.db.models import Func, Q, TextField, Value
from django.db.models.functions import Concat
from django.db.models.lookups import In
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peyvand.core.text import typed_search_key, typed_short_words


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("زمان ثبت"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("آخرین تغییر"), auto_now=True)

    class Meta:
        abstract = True


# A reader whose rows are limited to at most this many owners gets a first page read one
# owner at a time (VisibleQuerySet.first_rows); past it, or deeper than FIRST_ROWS_LIMIT
# rows, the page is read as it is.
OWNER_RANGES_LIMIT = 20
FIRST_ROWS_LIMIT = 1000


class VisibleQuerySet(models.QuerySet):
    """Visibility rule, in one place: a user sees what they own or are assigned, what
    members of their teams own, and everything with the ``accounts.see_all`` permission."""

    # The owners a reader's rows are limited to, when the rule is their owner alone (set
    # by visible_to, kept through every later filter, which can only narrow): see
    # first_rows.
    _visible_owners: tuple[int, ...] = ()

    def _clone(self):
        clone = super()._clone()
        clone._visible_owners = self._visible_owners
        return clone

    def visible_to(self, user) -> "VisibleQuerySet":
        if not user.is_authenticated or not user.is_active:
            return self.none()
        condition = self.visibility(user)
        if condition is None:
            return self
        visible = self.filter(condition)
        match condition.children:
            case [("owner_id__in", owners)] if not condition.negated:
                visible._visible_owners = tuple(owners)
        return visible

    def first_rows(self, count: int) -> "VisibleQuerySet":
        """The same rows in the same order, of which the first ``count`` are read cheaply:
        on PostgreSQL, for a reader who sees a few owners' rows, each owner's first
        ``count`` in this order (one ordered range of an index on owner and the order's
        first column) and only those. PostgreSQL 15 cannot read the ranges of an
        ``owner IN (…)`` as one ordered stream: it reads every row of the team and sorts
        them, or walks the whole table's order looking for the team's rows. The first
        rows of the whole are among the first of each owner, so the page is the same."""
        owners = self._visible_owners
        query = self.query
        if (
            not 2 <= len(owners) <= OWNER_RANGES_LIMIT
            or count > FIRST_ROWS_LIMIT
            or connections[self.db].vendor != "postgresql"
            or query.is_sliced
            or query.distinct
            or query.combinator
            or query.group_by is not None
            or not _owner_index_serves(self.model, query.order_by)
        ):
            return self
        from django.contrib.postgres.expressions import ArraySubquery

        each = self._without_owners_rule()
        ranges = [each.filter(owner_id=owner).values("pk")[:count] for owner in owners]
        # ``id = ANY(ARRAY(…))``, not ``id IN (…)``: the array is read first, once; a
        # semi-join would let the planner join the team's every row against it.
        chosen = ArraySubquery(ranges[0].union(*ranges[1:], all=True))
        return self.filter(_AnyOf(models.F("pk"), chosen))

    def _without_owners_rule(self) -> "VisibleQuerySet":
        """This query without visible_to's ``owner_id IN (…)``, for one owner's range: its
        own ``owner_id = X`` (X among them) implies the rule, and PostgreSQL would count
        the two as independent (an owner's 23,000 messages taken for 1,000, read through
        the owner index and filtered instead of through a status index)."""
        clone = self._chain()
        where = clone.query.where
        if where.connector != "AND" or where.negated:
            return self
        owners = set(self._visible_owners)
        where.children = [
            child
            for child in where.children
            if not (
                isinstance(child, In)
                and getattr(getattr(child.lhs, "target", None), "attname", "") == "owner_id"
                and set(child.rhs) == owners
            )
        ]
        return clone

    def visibility(self, user) -> Q | None:
        """The rule as a condition (None: everything). A model with another rule (the
        phone book's personal entries) overrides this in its own queryset."""
        if user.has_perm("accounts.see_all"):
            return None
        # A record is its owner's and its assignee's: their teams see it too.
        team = user.team_member_ids()
        condition = Q(owner_id__in=team)
        for field in self.model.assignee_fields:
            condition |= Q(**{f"{field}_id__in": team})
        return condition


class _AnyOf(Func):
    """``field = ANY(array)``, as a condition."""

    arg_joiner = " = ANY("
    template = "%(expressions)s)"
    output_field = models.BooleanField()


def _owner_index_serves(model, order_by) -> bool:
    """Whether an index on (owner, the order's first column, …) reads one owner's rows in
    this order (either way: the owner is one value)."""
    first = order_by[0] if order_by else None
    if not isinstance(first, str):
        return False
    name = first.lstrip("-")
    name = model._meta.pk.name if name == "pk" else name
    return any(
        index.condition is None
        and len(index.fields) > 1
        and index.fields[0] == "owner"
        and index.fields[1].lstrip("-") == name
        for index in model._meta.indexes
    )


class LiveManager(models.Manager.from_queryset(VisibleQuerySet)):
    """Default manager: records not in the trash."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class AllRecordsManager(models.Manager.from_queryset(VisibleQuerySet)):
    pass


class BusinessRecord(TimeStampedModel):
    """Base of every business record: an owner (visibility), soft delete (the trash) and
    a change history (see core.history). Writes go through the app's services."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("مالک"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    deleted_at = models.DateTimeField(_("زمان حذف"), null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("حذف‌کننده"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    objects = LiveManager()
    all_objects = AllRecordsManager()

    # User foreign keys that also grant visibility (e.g. "assignee"), to that user and
    # their teams, as the owner does; see visible_to().
    assignee_fields: ClassVar[tuple[str, ...]] = ()
    # Fields whose changes are not worth a history line.
    history_exclude: ClassVar[tuple[str, ...]] = ("updated_at", "deleted_at", "deleted_by")
    # Records that are never deleted (a sent message is cancelled, not trashed) stay off
    # the trash page, which would otherwise scan their table for deleted rows.
    in_trash: ClassVar[bool] = True

    class Meta:
        abstract = True
        base_manager_name = "all_objects"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def history_text(self, field_name: str, value) -> str | None:
        """How a value reads in the change history; None means "the default"."""
        return None

    def restored(self, *, by) -> None:
        """Called by core.services.record_restore once the record and the rows its
        delete touched are back: a record whose delete changed kept totals elsewhere
        (a receipt's customer balance) brings them up to date here."""


def _joined(field_names: tuple[str, ...]):
    """The text fields one after the other, a space between them."""
    parts: list = []
    for name in field_names:
        if parts:
            parts.append(Value(" "))
        parts.append(models.F(name))
    return Concat(*parts, output_field=TextField()) if len(parts) > 1 else parts[0]


def search_key_field(*field_names: str) -> models.GeneratedField:
    """A stored column holding fa_search_key() of the given text fields, kept by the
    database itself. Add ``core.operations.PostgresGinIndex`` (gin_trgm_ops) in the
    migration so that ``search_key__contains`` is an index scan on PostgreSQL."""
    return models.GeneratedField(
        expression=Func(_joined(field_names), function="fa_search_key", output_field=TextField()),
        output_field=TextField(),
        db_persist=True,
        verbose_name=_("کلید جستجو"),
    )


def short_words_field(*field_names: str) -> models.GeneratedField:
    """A stored column holding fa_short_words() of the given text fields: their whole
    words of one or two characters, folded, between spaces (« 12 ab »). A query too short
    for the search key is matched as whole words there (text_condition). Add
    ``core.operations.PostgresGinIndex`` (gin_trgm_ops) in the migration: pg_trgm reads
    ``LIKE '% 12 %'`` as the trigrams of the word «12», which the index answers."""
    return models.GeneratedField(
        expression=Func(_joined(field_names), function="fa_short_words", output_field=TextField()),
        output_field=TextField(),
        db_persist=True,
        verbose_name=_("کلمه‌های کوتاه"),
    )


def text_condition(text: str) -> Q | None:
    """Rows of a model with ``search_key`` and ``short_words`` columns matching typed
    ``text``: the search key holds it (three folded characters or more), or, shorter,
    the row has each of its words as a whole word («۱۲» finds «داروخانه ۱۲ فروردین»,
    not «۱۲۰»; «آ» a name with the word «آ», not every name with the letter). None when
    the text has nothing to search by («-», spaces)."""
    if key := typed_search_key(text):
        return Q(search_key__contains=key)
    if words := typed_short_words(text):
        return Q(*(Q(short_words__contains=word) for word in words))
    return None


def customer_key_field() -> models.TextField:
    """The row's customer's search key (their code, name, company, phones, email and
    national id, folded), copied onto the row by the database itself: see
    ``core.operations.CopyCustomerKey``. Put it in the row's ``search_key_field`` so one
    trigram index finds a row by its own text and its customer's at once; whatever
    Django writes here is overwritten."""
    return models.TextField(_("کلید جستجوی مشتری"), default="", blank=True, editable=False)


def customer_copy_field(to, verbose_name) -> models.ForeignKey:
    """A foreign key of the row's customer (their owner, category, region) copied onto
    the row by the database itself (``core.operations.CopyCustomerField``): a list that
    sees or filters rows by it reads a column, not a join. Whatever Django writes here is
    overwritten; no foreign key (a copy), no index of its own (add the one the lists
    need)."""
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )


class ChangeRecord(models.Model):
    """One line of a record's history: who, when, what, old → new."""

    class Action(models.TextChoices):
        CREATED = "created", _("ثبت")
        CHANGED = "changed", _("ویرایش")
        DELETED = "deleted", _("حذف")
        RESTORED = "restored", _("بازیابی")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=10, choices=Action.choices)
    # [{"field": name, "label": verbose name, "old": text, "new": text}, …]
    changes = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]
        ordering = ["-at", "-id"]
        verbose_name = _("سابقه تغییر")
        verbose_name_plural = _("سوابق تغییر")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.content_type_id}:{self.object_id}"


class DeletionUndo(models.Model):
    """What deleting a record did besides marking it (a lead's pending follow-ups settled
    and their reminders dropped…): those rows as they were just before, so restoring the
    record from the trash writes them back. At most one per record in the trash; none
    when its delete touched nothing else. See core.services.record_delete."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    # The rows in core.exact_json's format: what a restore saves back, exactly.
    rows = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="one_deletion_undo_per_record"
            )
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id}"


class Sequence(models.Model):
    """A numbering series (tracking codes, contact codes…). ``next_code`` in
    core.sequences takes the next number inside the caller's transaction."""

    kind = models.SlugField(_("نوع"), max_length=40, unique=True)
    name = models.CharField(_("عنوان"), max_length=100)
    pattern = models.CharField(
        _("الگو"),
        max_length=60,
        default="{سال}{شماره}",
        help_text=_("{سال} سال شمسی چهاررقمی و {شماره} شماره ترتیبی است."),
    )
    padding = models.PositiveSmallIntegerField(_("تعداد رقم شماره"), default=5)
    yearly = models.BooleanField(_("شروع دوباره در هر سال شمسی"), default=True)
    year = models.PositiveSmallIntegerField(default=0, editable=False)
    last_number = models.PositiveBigIntegerField(_("آخرین شماره"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("سری شماره")

    def __str__(self) -> str:
        return self.name


class HolidayOverride(models.Model):
    """A manager's correction of the official calendar: an extra day off, or an official
    holiday the company works on."""

    date = models.DateField(_("تاریخ"), unique=True)
    is_holiday = models.BooleanField(_("تعطیل است"), default=True)
    note = models.CharField(_("توضیح"), max_length=200)

    class Meta:
        ordering = ["date"]
        verbose_name = _("استثنای تقویم")

    def __str__(self) -> str:
        return self.note


WEEKDAY_CHOICES = [
    (5, _("شنبه")),
    (6, _("یکشنبه")),
    (0, _("دوشنبه")),
    (1, _("سه‌شنبه")),
    (2, _("چهارشنبه")),
    (3, _("پنجشنبه")),
    (4, _("جمعه")),
]


class SettingsRow(models.Model):
    """Installation-wide settings a page edits: one row (pk=1), made on first read."""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def load(cls):
        return cls.objects.get_or_create(pk=1)[0]


class SiteSettings(models.Model):
    """Installation-wide settings managers edit in the UI (a single row, pk=1)."""

    class MoneyUnit(models.TextChoices):
        RIAL = "rial", _("ریال")
        TOMAN = "toman", _("تومان")

    company_name = models.CharField(_("نام شرکت"), max_length=150, default="پیوند")
    # Python weekday numbers (Monday = 0); Friday is the legal weekend.
    weekend = models.JSONField(_("روزهای تعطیل هفته"), default=list)
    money_unit = models.CharField(
        _("واحد پول نمایش"), max_length=5, choices=MoneyUnit.choices, default=MoneyUnit.RIAL
    )
    notification_poll_seconds = models.PositiveIntegerField(
        _("فاصله به‌روزرسانی اعلان‌ها (ثانیه)"), default=30
    )
    # The calendar of everyone whose own preference is «پیش‌فرض سازمان» (core.display).
    calendar = models.CharField(
        _("تقویم"),
        max_length=10,
        choices=[
            ("jalali", _("شمسی")),
            ("gregorian", _("میلادی")),
            ("hijri", _("قمری")),
        ],
        default="jalali",
        help_text=_("برای همه کسانی که در تنظیمات خود «پیش‌فرض سازمان» را گذاشته‌اند."),
    )
    # The company's identity, as the seller's block of an official invoice (صورتحساب
    # فروش کالا و خدمات) prints it. Codes are stored as digits, the phone in E.164; the
    # settings form normalises what a manager types (core.validators).
    legal_name = models.CharField(
        _("نام قانونی فروشنده"),
        max_length=200,
        blank=True,
        help_text=_("همان‌گونه که ثبت شده است؛ خالی باشد نام شرکت چاپ می‌شود."),
    )
    economic_code = models.CharField(_("کد اقتصادی"), max_length=14, blank=True)
    national_id = models.CharField(
        _("شناسه ملی / کد ملی"),
        max_length=11,
        blank=True,
        help_text=_("شناسه ملی ۱۱ رقمی شخص حقوقی، یا کد ملی ۱۰ رقمی شخص حقیقی."),
    )
    registration_number = models.CharField(_("شماره ثبت"), max_length=20, blank=True)
    province = models.CharField(_("استان"), max_length=60, blank=True)
    city = models.CharField(_("شهر"), max_length=60, blank=True)
    address = models.TextField(_("نشانی"), blank=True)
    postal_code = models.CharField(_("کد پستی"), max_length=10, blank=True)
    phone = models.CharField(_("تلفن"), max_length=16, blank=True)
    logo = models.ImageField(_("لوگو"), upload_to="company/", blank=True)
    stamp = models.ImageField(
        _("تصویر مهر و امضا"),
        upload_to="company/",
        blank=True,
        help_text=_("اختیاری؛ در کادر مهر و امضای فروشنده چاپ می‌شود."),
    )

    class Meta:
        verbose_name = _("تنظیمات سامانه")

    def __str__(self) -> str:
        return self.company_name

    @classmethod
    def load(cls) -> "SiteSettings":
        obj, _created = cls.objects.get_or_create(pk=1, defaults={"weekend": [4]})
        return obj

    @property
    def seller_name(self) -> str:
        return self.legal_name or self.company_name


class TreeNode(models.Model):
    """A node of a manager-edited tree (categories, regions). ``path`` holds the ids from
    the root down ("12/57/"), so a subtree is ``path__startswith`` on an indexed column
    and a move rewrites the moved subtree's paths in one UPDATE (core.trees)."""

    name = models.CharField(_("عنوان"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("زیرمجموعهٔ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    order = models.PositiveIntegerField(_("ترتیب"), default=0)
    is_active = models.BooleanField(_("فعال"), default=True)

    class Meta:
        abstract = True
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def indented_name(self) -> str:
        """The name with one dash per level, for select boxes."""
        return f"{'— ' * self.depth}{self.name}"


class ImportJob(models.Model):
    """An uploaded spreadsheet on its way into a table: mapped by the user, previewed,
    then imported by a background task that reports every row it did not import."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("در صف خواندن فایل")
        READING = "reading", _("در حال خواندن فایل")
        MAPPING = "mapping", _("در انتظار تطبیق ستون‌ها")
        QUEUED = "queued", _("در صف")
        RUNNING = "running", _("در حال ورود")
        DONE = "done", _("پایان یافت")
        REJECTED = "rejected", _("هیچ ردیفی وارد نشد")  # all-or-nothing with bad rows
        FAILED = "failed", _("خطا")

    class Duplicates(models.TextChoices):
        SKIP = "skip", _("رد شود (پرونده موجود دست نخورد)")
        UPDATE = "update", _("پرونده موجود با داده‌های فایل به‌روز شود")
        CREATE = "create", _("پرونده جدید ساخته شود")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    target = models.CharField(max_length=50)
    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("فایل"), max_length=255)
    headers = models.JSONField(default=list)
    # The first rows, {"line", "cells", "error"}, for the mapping screen and its preview.
    samples = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)  # column index (str) -> field key
    duplicates = models.CharField(
        _("مخاطب تکراری"), max_length=10, choices=Duplicates.choices, default=Duplicates.SKIP
    )
    all_or_nothing = models.BooleanField(
        _("همه یا هیچ"),
        default=False,
        help_text=_("اگر حتی یک ردیف خطا داشته باشد، هیچ ردیفی وارد نمی‌شود."),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.MAPPING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)  # why the whole job stopped, in Persian
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ورود از فایل")
        verbose_name_plural = _("ورود از فایل")

    def __str__(self) -> str:
        return self.original_name

    @property
    def percent(self) -> int:
        return (
            min(100, round(100 * self.processed_rows / self.total_rows)) if self.total_rows else 0
        )

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.REJECTED, self.Status.FAILED)


class ImportIssue(models.Model):
    """A row an import did not take as it was: an error (not imported) or a duplicate
    that was skipped. Its values are kept, so the user can fix and re-import them."""

    class Level(models.TextChoices):
        ERROR = "error", _("خطا")
        SKIPPED = "skipped", _("تکراری، رد شد")

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="issues")
    line = models.PositiveIntegerField(_("ردیف"))
    level = models.CharField(max_length=10, choices=Level.choices)
    message = models.TextField(_("شرح"))
    values = models.JSONField(default=list)  # the row's cells as read

    class Meta:
        ordering = ["line", "id"]

    def __str__(self) -> str:
        return f"{self.line}: {self.message}"


class Attachment(models.Model):
    """A file or image on any business record (contacts now; leads and requests later).
    Served only through core.attachment_views, to users who may see the record."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("نام فایل"), max_length=255)
    mime_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("حجم"))
    note = models.CharField(_("توضیح"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    # Removed from the record's page, kept on disk: nothing a user added is lost.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id", "-uploaded_at"])]
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("پیوست")
        verbose_name_plural = _("پیوست‌ها")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.mime_type.startswith("image/")


class Note(models.Model):
    """A dated note on any business record, by a user; shown in the record's timeline."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    text = models.TextField(_("یادداشت"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]
        ordering = ["-created_at", "-id"]
        verbose_name = _("یادداشت")
        verbose_name_plural = _("یادداشت‌ها")

    def __str__(self) -> str:
        return self.text[:50]


class ScheduleLease(models.Model):
    """When a periodic job (core.scheduler) next falls due. Every worker's beat tries to
    move ``next_run_at`` forward with one conditional UPDATE; only the one that succeeds
    enqueues the job, so several workers on several hosts run it once per period."""

    name = models.CharField(max_length=60, unique=True)
    next_run_at = models.DateTimeField()
    last_beat_by = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return self.name


class ExportJob(models.Model):
    """A large export written by a background task while the user watches a progress
    bar; the file is theirs to download when it is done."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("در صف")
        RUNNING = "running", _("در حال ساخت")
        DONE = "done", _("آماده")
        FAILED = "failed", _("خطا")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    kind = models.CharField(max_length=50)  # a registered exporter (core.exports)
    params = models.CharField(max_length=2000, blank=True)  # the list's query string
    title = models.CharField(_("خروجی"), max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    filename = models.CharField(max_length=255, blank=True)
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("خروجی در پس‌زمینه")
        verbose_name_plural = _("خروجی‌های پس‌زمینه")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("core:export_detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class WorkerHeartbeat(models.Model):
    """A task worker (``manage.py worker``) that is alive: its beat thread moves
    ``beat_at`` every couple of seconds, and a clean stop deletes the row. A row whose
    beat is older than WORKER_HEARTBEAT_SECONDS is a dead worker (killed, its host gone):
    /health/ says so and core.workers finishes what it left running."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"


class SavedView(models.Model):
    """A list's filters, sort and columns saved under a name (core.lists): its owner's, or shared
    with a team by someone allowed to. Only the query string is stored; it is read again
    on every use, so a shared view is a link: it grants nothing the reader lacks."""

    list_key = models.CharField(_("فهرست"), max_length=40)
    name = models.CharField(_("نام"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("سازنده"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    # Shared with this team's members (core depends on accounts' Team as a model only:
    # the code reads the user's teams, never imports accounts).
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("گروه"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    params = models.TextField(_("فیلترها"), blank=True)
    # The saver's columns, in order, when they saved it (empty: the reader's own).
    columns = models.JSONField(_("ستون‌ها"), default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("نمای ذخیره‌شده")
        ordering = ["name", "id"]
        permissions = [("share_savedview", _("اشتراک نمای فهرست با گروه"))]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "list_key", "name"], name="saved_view_name_once"
            )
        ]
        indexes = [models.Index(fields=["team", "list_key"], name="saved_view_team")]

    def __str__(self) -> str:
        return self.name


class ListPreference(models.Model):
    """Which columns of a list a user shows, in their order (core.lists); none stored:
    the list's defaults."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    list_key = models.CharField(max_length=40)
    columns = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "list_key"], name="one_list_preference")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.list_key}"
