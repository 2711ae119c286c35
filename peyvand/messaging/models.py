"""SMS and email through an outbox: every message is first a row here, then a worker
sends it through a gateway (messaging.outbox). Nothing is sent from a web request."""

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Func, Q, Value, When
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from peyvand.contacts.models import Contact
from peyvand.core.crypto import EncryptedTextField
from peyvand.core.dates import JALALI_MONTHS, days_in_jalali_month, from_jalali, to_jalali
from peyvand.core.models import BusinessRecord, SettingsRow, customer_key_field
from peyvand.core.validators import format_phone_national


class Channel(models.TextChoices):
    SMS = "sms", _("پیامک")
    EMAIL = "email", _("ایمیل")
    # The messenger (پیام‌رسان بله): a customer's chat with the company's bot
    # (messaging.bale); the chat id stands where a number or an address would.
    BALE = "bale", _("بله")


# What a broadcast, an occasion or a template can go by: a messenger reaches only the
# customers who linked their chat, one by one.
BULK_CHANNELS = [(Channel.SMS.value, Channel.SMS.label), (Channel.EMAIL.value, Channel.EMAIL.label)]


class MessageTemplate(models.Model):
    """A text with placeholders ({نام}، {تاریخ}…) that users pick when they write."""

    name = models.CharField(_("عنوان"), max_length=100)
    channel = models.CharField(_("نوع"), max_length=5, choices=Channel.choices)
    subject = models.CharField(_("موضوع ایمیل"), max_length=200, blank=True)
    body = models.TextField(_("متن"))
    is_active = models.BooleanField(_("فعال"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["channel", "name"]
        verbose_name = _("الگوی پیام")
        verbose_name_plural = _("الگوهای پیام")

    def __str__(self) -> str:
        return self.name


class ContactGroup(BusinessRecord):
    """گروه ارسال: a saved list of contacts to message together (Sama's "گروه اس ام اس")."""

    name = models.CharField(_("نام گروه"), max_length=100)
    description = models.CharField(_("توضیح"), max_length=300, blank=True)
    members = models.ManyToManyField(
        Contact, through="ContactGroupMember", related_name="message_groups"
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("گروه ارسال")
        verbose_name_plural = _("گروه‌های ارسال")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("messaging:group_detail", args=[self.pk])


class ContactGroupMember(models.Model):
    group = models.ForeignKey(ContactGroup, on_delete=models.CASCADE, related_name="memberships")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="group_memberships")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "contact"], name="group_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.group_id}:{self.contact_id}"


class OptOut(models.Model):
    """An address (mobile in E.164, or email) that asked not to receive our messages.
    Kept by address, not by contact: the same number on two contacts is one person."""

    address = models.CharField(_("نشانی یا شماره"), max_length=254, unique=True)
    channel = models.CharField(_("نوع"), max_length=5, choices=Channel.choices)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("علت"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("انصراف از دریافت پیام")

    def __str__(self) -> str:
        return self.address


class Broadcast(BusinessRecord):
    """One sending to many: the current filtered contact list, a group, or an occasion.
    A background task expands it into messages (100,000 rows in seconds, by COPY)."""

    class Target(models.TextChoices):
        LIST = "list", _("فهرست فیلترشده مخاطبین")
        GROUP = "group", _("گروه ارسال")

    class Status(models.TextChoices):
        PENDING = "pending", _("در حال آماده‌سازی")
        QUEUED = "queued", _("در صف ارسال")
        FAILED = "failed", _("خطا")
        CANCELLED = "cancelled", _("لغو شده")

    channel = models.CharField(_("نوع"), max_length=5, choices=Channel.choices)
    title = models.CharField(_("عنوان"), max_length=150)
    target = models.CharField(_("گیرندگان"), max_length=10, choices=Target.choices)
    group = models.ForeignKey(
        ContactGroup, verbose_name=_("گروه"), null=True, blank=True, on_delete=models.PROTECT
    )
    # The contact list's query string (search and filters) when target is "list".
    filters = models.CharField(max_length=2000, blank=True)
    subject = models.CharField(_("موضوع"), max_length=200, blank=True)
    body = models.TextField(_("متن"))
    scheduled_at = models.DateTimeField(_("زمان ارسال"), default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    queued_count = models.PositiveIntegerField(_("در صف"), default=0)
    opted_out_count = models.PositiveIntegerField(_("انصراف داده"), default=0)
    no_address_count = models.PositiveIntegerField(_("بدون شماره/ایمیل"), default=0)
    failure = models.TextField(blank=True)
    occasion = models.ForeignKey(
        "Occasion",
        verbose_name=_("مناسبت"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="broadcasts",
    )

    in_trash = False

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ارسال گروهی")
        verbose_name_plural = _("ارسال‌های گروهی")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("messaging:broadcast_detail", args=[self.pk])


class Occasion(BusinessRecord):
    """مناسبت: a campaign that goes to a group every year on a Jalali date (Nowruz,
    Yalda, Teacher's Day…). At its hour on that day the beat turns it into that year's
    Broadcast, once (``last_year``); 30 Esfand falls on 29 Esfand in common years."""

    title = models.CharField(_("عنوان"), max_length=150)
    channel = models.CharField(_("نوع"), max_length=5, choices=Channel.choices, default=Channel.SMS)
    group = models.ForeignKey(ContactGroup, verbose_name=_("گروه ارسال"), on_delete=models.PROTECT)
    month = models.PositiveSmallIntegerField(
        _("ماه"), choices=[(n, name) for n, name in enumerate(JALALI_MONTHS, start=1)]
    )
    day = models.PositiveSmallIntegerField(
        _("روز"), validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    hour = models.PositiveSmallIntegerField(
        _("ساعت ارسال"), default=9, validators=[MaxValueValidator(23)]
    )
    subject = models.CharField(_("موضوع ایمیل"), max_length=200, blank=True)
    body = models.TextField(_("متن"))
    is_active = models.BooleanField(_("فعال"), default=True)
    # The Jalali year it last went out in: at most once a year, however often it is checked.
    last_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["month", "day", "id"]
        verbose_name = _("مناسبت")
        verbose_name_plural = _("مناسبت‌ها")
        indexes = [models.Index(fields=["month", "day"], name="occasion_date")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("messaging:occasion_edit", args=[self.pk])

    def day_in(self, year: int) -> int:
        """Its day of the month in a Jalali year (30 Esfand is 29 Esfand in common years)."""
        return min(self.day, days_in_jalali_month(year, self.month))

    def next_date(self, today: datetime.date) -> datetime.date:
        """The Gregorian date it goes out next, counting from ``today`` (today included
        while this year's has not gone)."""
        year = to_jalali(today).year
        for candidate in (year, year + 1):
            when = from_jalali(candidate, self.month, self.day_in(candidate))
            if when > today or (when == today and self.last_year != candidate):
                return when
        return from_jalali(year + 2, self.month, self.day_in(year + 2))


class ReadState(models.Model):
    """Where the worker reads customers' messages from (a mailbox, a bot): whether its
    last reading worked, and if not why, in Persian, and since when
    (messaging.reading)."""

    checked_at = models.DateTimeField(_("آخرین خواندن"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("آخرین خطا"), blank=True, editable=False)
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class Mailbox(ReadState):
    """A company mailbox the worker reads over IMAP (messaging.mail_in): each new email
    becomes a received Message in the customer's conversation, once. The mailbox is
    only read (BODY.PEEK): nothing is marked, moved or deleted there; where reading got
    to is kept here (UIDVALIDITY and the last UID recorded)."""

    class Security(models.TextChoices):
        SSL = "ssl", _("SSL/TLS (معمولاً درگاه ۹۹۳)")
        STARTTLS = "starttls", _("STARTTLS (معمولاً درگاه ۱۴۳)")
        NONE = "none", _("بدون رمزنگاری (فقط روی شبکه داخلی)")

    name = models.CharField(_("عنوان"), max_length=100, help_text=_("مثلاً «پشتیبانی»"))
    address = models.EmailField(
        _("نشانی ایمیل"), unique=True, help_text=_("پاسخ‌ها از این نشانی فرستاده می‌شوند.")
    )
    host = models.CharField(_("سرور IMAP"), max_length=255)
    port = models.PositiveIntegerField(
        _("درگاه"), default=993, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    security = models.CharField(
        _("رمزنگاری"), max_length=8, choices=Security.choices, default=Security.SSL
    )
    username = models.CharField(_("نام کاربری"), max_length=255)
    # Readable by the worker only: never shown back, never in a list, export or log.
    password = EncryptedTextField(_("رمز عبور"), blank=True)
    folder = models.CharField(_("پوشه"), max_length=255, default="INBOX")
    is_active = models.BooleanField(_("فعال"), default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("مسئول"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("ایمیل نشانی ناشناس به این کاربر می‌رسد و خطاهای خواندن به او گفته می‌شود."),
    )
    # What an email that belongs to nothing yet opens (core.registry's conversation
    # kinds: "service.request"), or nothing; its assignee and type.
    opens = models.CharField(_("ایمیل تازه"), max_length=50, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("انجام‌دهنده درخواست‌های تازه"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    request_type = models.ForeignKey(
        "lookups.RequestType",
        verbose_name=_("نوع درخواست‌های تازه"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"level": 1, "is_active": True},
    )
    uid_validity = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    last_uid = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("صندوق ایمیل")
        verbose_name_plural = _("صندوق‌های ایمیل")

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"

    def get_absolute_url(self) -> str:
        return reverse("messaging:mailbox_edit", args=[self.pk])

    @property
    def backend(self) -> str:
        """Message.backend of the emails read from it (with provider_id the IMAP
        UIDVALIDITY:UID, unique per mailbox)."""
        return f"imap:{self.pk}"


class Message(BusinessRecord):
    """One SMS or email to one recipient, from the moment it is queued to its delivery
    report. The owner is who sent it (visibility follows the usual rule)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("در صف")
        SENDING = "sending", _("در حال ارسال")
        SENT = "sent", _("ارسال شد")
        DELIVERED = "delivered", _("رسید")
        UNDELIVERED = "undelivered", _("نرسید")
        FAILED = "failed", _("ناموفق")
        UNKNOWN = "unknown", _("نامعلوم")
        CANCELLED = "cancelled", _("لغو شد")
        RECEIVED = "received", _("دریافت شد")

    class Direction(models.TextChoices):
        OUT = "out", _("ارسالی")
        IN = "in", _("دریافتی")

    # What a manager may send again; what a user may still cancel.
    RETRYABLE = (Status.FAILED, Status.UNDELIVERED, Status.UNKNOWN)
    CANCELLABLE = (Status.QUEUED,)

    channel = models.CharField(_("نوع"), max_length=5, choices=Channel.choices)
    # Ours to the customer, or the customer's to us (a received SMS: status «دریافت شد»,
    # the provider's id of it in provider_id, our line in sender).
    direction = models.CharField(
        _("جهت"), max_length=3, choices=Direction.choices, default=Direction.OUT
    )
    # The customer's side either way: E.164 mobile or email address (the recipient of
    # ours, the sender of theirs).
    to = models.CharField(_("شماره یا نشانی مخاطب"), max_length=254)
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("مخاطب"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
    )
    subject = models.CharField(_("موضوع"), max_length=200, blank=True)
    body = models.TextField(_("متن"))
    # Kavenegar "verify/lookup"-style sends: the provider's template and its tokens. A
    # Bale message names here the keyboard it shows (messaging.bale.KEYBOARDS).
    provider_template = models.CharField(max_length=100, blank=True)
    tokens = models.JSONField(default=list, blank=True)
    sender = models.CharField(_("خط / فرستنده"), max_length=100, blank=True)
    # Sent even in the quiet hours: a customer's sign-in code cannot wait for morning.
    immediate = models.BooleanField(default=False, editable=False)
    # A secret message (a portal sign-in code, later password resets and payment links)
    # says here what it is («کد ورود پرتال»); empty for an ordinary one. Its text is for
    # its recipient alone: staff read this label instead (shown_body), and the outbox
    # forgets the text (and tokens) once the provider has accepted it.
    secret_label = models.CharField(max_length=100, blank=True, editable=False)
    status = models.CharField(
        _("وضعیت"), max_length=11, choices=Status.choices, default=Status.QUEUED
    )
    scheduled_at = models.DateTimeField(_("زمان ارسال"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("تعداد تلاش"), default=0)
    last_error = models.TextField(_("آخرین خطا"), blank=True)
    error_code = models.CharField(max_length=20, blank=True)
    backend = models.CharField(_("سامانه ارسال"), max_length=20, blank=True)
    provider_id = models.CharField(_("شناسه پیام نزد سامانه"), max_length=64, blank=True)
    # A manager's resend of a message the provider already took needs a new local id.
    send_round = models.PositiveSmallIntegerField(default=0)
    # Whether sending again after a crash is safe (the provider drops a repeated local id).
    resend_safe = models.BooleanField(default=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The worker (core.workers) that claimed it: a dead one's claims are taken back at
    # once, not after the claim timeout. Empty for claims made outside a worker.
    claimed_by = models.CharField(max_length=64, blank=True, editable=False)
    # When an attempt ended without knowing whether the provider took the message (its
    # answer lost): before sending again the outbox asks the provider by local id.
    maybe_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("زمان ارسال شدن"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("زمان رسیدن"), null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # An email's Message-ID (theirs as received; ours is built from local_id), for
    # threading a reply to the conversation it answers.
    message_id = models.CharField(max_length=255, blank=True, editable=False)
    # Ours answering theirs: the email goes out with In-Reply-To and References.
    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    # A received email as it came (kept whole: nothing the customer sent is lost), and
    # its HTML part sanitised (nh3), remote images removed.
    raw = models.FileField(upload_to="mail/%Y/%m/", blank=True, editable=False)
    html = models.TextField(blank=True, editable=False)
    # How many remote images the HTML had: shown only when a reader asks («نمایش تصاویر»).
    remote_images = models.PositiveIntegerField(default=0, editable=False)
    # An auto-reply or a bounce: kept, shown, but it opens no request and asks no answer.
    automatic = models.BooleanField(_("خودکار"), default=False, editable=False)
    # A received message is «تازه» for its owner until they open it.
    seen_at = models.DateTimeField(_("دیده شد"), null=True, blank=True, editable=False)
    broadcast = models.ForeignKey(
        Broadcast, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    # Automatic messages (birthdays…) carry a key so that no job can queue one twice.
    dedupe_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    # The record the message is about (a request, a proforma…), if any.
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    related = GenericForeignKey("content_type", "object_id")
    customer_key = customer_key_field()
    # The message list's text search (messaging.lists): the recipient (number or email
    # address), the subject, the text — never a secret message's text, not even while
    # it is still queued (the column is computed by the database from this expression)
    # — and the contact's name, company and phones (customer_key).
    search_key = models.GeneratedField(
        expression=Func(
            Concat(
                F("to"),
                Value(" "),
                F("subject"),
                Value(" "),
                Case(
                    When(secret_label="", then=F("body")),
                    default=Value(""),
                    output_field=models.TextField(),
                ),
                Value(" "),
                F("customer_key"),
                output_field=models.TextField(),
            ),
            function="fa_search_key",
            output_field=models.TextField(),
        ),
        output_field=models.TextField(),
        db_persist=True,
        verbose_name=_("کلید جستجو"),
    )

    in_trash = False

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("پیام")
        verbose_name_plural = _("پیام‌ها")
        permissions = [
            ("send_message", _("ارسال پیامک و ایمیل")),
            ("send_broadcast", _("ارسال گروهی پیامک و ایمیل")),
            ("manage_messaging", _("مدیریت پیام‌ها، الگوها و تنظیمات ارسال")),
        ]
        indexes = [
            # The workers' claim: due queued messages, oldest first.
            models.Index(
                fields=["scheduled_at", "id"],
                name="message_due",
                condition=Q(status="queued"),
            ),
            # Crash recovery and delivery polling look only at these few rows.
            models.Index(
                fields=["claimed_at"], name="message_sending", condition=Q(status="sending")
            ),
            models.Index(fields=["checked_at"], name="message_to_poll", condition=Q(status="sent")),
            models.Index(fields=["contact", "-created_at"], name="message_contact"),
            models.Index(fields=["owner", "-created_at"], name="message_owner_recent"),
            models.Index(fields=["-created_at", "-id"], name="message_recent"),
            # The list's «سامانه ارسال» filter: a gateway used for few messages (or
            # none) is found without walking message_recent through a million rows.
            models.Index(fields=["backend", "-created_at", "-id"], name="message_backend_recent"),
            models.Index(fields=["broadcast", "status"], name="message_broadcast"),
            # «تازه برای من»: each owner's received messages not opened yet.
            models.Index(
                fields=["owner", "-created_at", "-id"],
                name="message_unseen",
                condition=Q(direction="in", seen_at__isnull=True),
            ),
            # The list's «دریافتی»: the customers' messages, few among ours.
            models.Index(
                fields=["-created_at", "-id"],
                name="message_received_recent",
                condition=Q(direction="in"),
            ),
            # An email answering or repeating one we have (threading, a mailbox read again).
            models.Index(
                fields=["message_id"], name="message_message_id", condition=~Q(message_id="")
            ),
            # A record's conversation (a request's emails and SMS, in and out).
            models.Index(
                fields=["content_type", "object_id", "created_at"], name="message_related"
            ),
        ]
        constraints = [
            # A received SMS or email is recorded once, however many workers read the
            # provider or the mailbox (email: backend imap:<mailbox>, UIDVALIDITY:UID).
            models.UniqueConstraint(
                fields=["backend", "provider_id"],
                condition=Q(direction="in"),
                name="message_received_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.to}"

    def get_absolute_url(self) -> str:
        return reverse("messaging:detail", args=[self.pk])

    @property
    def local_id(self) -> str:
        """Our id for the provider (Kavenegar's ``localid``): the same on every attempt,
        so a resend after a crash is dropped by the provider; a new one per manual round."""
        return str(self.pk * 1000 + self.send_round)

    @property
    def national_to(self) -> str:
        """The customer's side as the reader types it: 0912… for a number, an email
        address as it is."""
        return format_phone_national(self.to) if self.to.startswith("+") else self.to

    @property
    def received(self) -> bool:
        return self.direction == self.Direction.IN

    @property
    def unseen(self) -> bool:
        """A received message its owner has not opened yet."""
        return self.received and self.seen_at is None

    @property
    def is_secret(self) -> bool:
        return bool(self.secret_label)

    @property
    def text_forgotten(self) -> bool:
        """A secret message whose text the outbox forgot once the provider took it: it
        cannot be sent again (its recipient asks for a new one)."""
        return self.is_secret and not self.body

    @property
    def shown_body(self) -> str:
        """The text as every page, export and API answer shows it: a secret message's
        is a placeholder that says what it was, never the text."""
        if self.is_secret:
            return gettext("%(what)s — متن محرمانه است") % {"what": self.secret_label}
        return self.body

    @property
    def retryable(self) -> bool:
        return self.status in self.RETRYABLE and not self.text_forgotten

    @property
    def cancellable(self) -> bool:
        return self.status in self.CANCELLABLE


class MessageAttachment(models.Model):
    """A file sent with an email (a proforma's PDF…)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="messages/%Y/%m/")
    name = models.CharField(max_length=255)
    mime_type = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.name


class BaleSettings(SettingsRow, ReadState):  # noqa: DJ008 - SettingsRow names it
    """The company's Bale bot (a single row, pk=1): its token (encrypted, never shown
    back; the BALE_BOT_TOKEN environment variable wins), who its messages are for, what
    «ثبت درخواست» opens, and how far reading its updates has got."""

    is_active = models.BooleanField(_("فعال"), default=False)
    token = EncryptedTextField(_("توکن ربات"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("مسئول پیام‌های بله"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("پیام کسی که شماره‌اش در مخاطبین نیست به این کاربر می‌رسد."),
    )
    opens = models.CharField(_("«ثبت درخواست» در ربات"), max_length=50, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("انجام‌دهنده درخواست‌های ربات"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    bot_username = models.CharField(max_length=100, blank=True, editable=False)
    # getUpdates' offset: the last update recorded (with what it did, in one transaction).
    last_update_id = models.BigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("تنظیمات بله")


class MessengerLink(models.Model):
    """A customer's chat with our bot, linked to their mobile number once they shared
    it with the bot (Bale's «ارسال شماره»: the number is the messenger's, verified by
    it), and so to the contact with that number."""

    channel = models.CharField(_("پیام‌رسان"), max_length=5, choices=Channel.choices)
    chat_id = models.CharField(max_length=64)
    name = models.CharField(_("نام در پیام‌رسان"), max_length=200, blank=True)
    phone = models.CharField(_("تلفن همراه"), max_length=20, blank=True)
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("مخاطب"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messenger_links",
    )

    class Notify(models.TextChoices):
        ALSO = "also", _("در بله و با پیامک")
        ONLY = "only", _("فقط در بله")
        SMS = "sms", _("فقط با پیامک")

    # What the customer's next text is: "request" (its description), "status" (a code).
    awaiting = models.CharField(max_length=10, blank=True)
    linked_at = models.DateTimeField(null=True, blank=True)
    # Where the SMS we send the linked contact (a request registered, a proforma, a
    # reminder) also or instead go; the customer chooses in the bot.
    notify = models.CharField(
        _("اطلاع‌رسانی‌ها"), max_length=4, choices=Notify.choices, default=Notify.ALSO
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("پیوند پیام‌رسان")
        constraints = [
            models.UniqueConstraint(fields=["channel", "chat_id"], name="messenger_chat_once")
        ]
        indexes = [models.Index(fields=["contact", "channel"], name="messenger_contact")]

    def __str__(self) -> str:
        return f"{self.channel}:{self.chat_id}"


def sms_backend_choices() -> list[tuple[str, str]]:
    """Every SMS gateway by its name and label (messaging.gateways.SMS_BACKENDS): a new
    provider is one gateway class."""
    from peyvand.messaging.gateways import SMS_BACKENDS  # gateways read this app's models

    return [(name, _(gateway.label)) for name, gateway in SMS_BACKENDS.items()]


class SmsSettings(SettingsRow):
    """The company's SMS provider as a manager sets it (a single row, pk=1): which one,
    its API key (encrypted, never shown back) and the sender line. SMS_BACKEND in the
    environment, when set, wins with the other SMS_* variables (messaging.gateways
    .sms_config)."""

    backend = models.CharField(
        _("سامانه پیامک"), max_length=20, choices=sms_backend_choices, default="console"
    )
    # Readable by the worker only: never shown back, never in a list, export or log.
    api_key = EncryptedTextField(_("کلید API"), blank=True)
    sender = models.CharField(
        _("خط فرستنده"),
        max_length=20,
        blank=True,
        help_text=_("شماره خطی که پیامک‌ها از آن فرستاده و پیامک‌های مشتریان از آن خوانده می‌شوند."),
    )

    class Meta:
        verbose_name = _("تنظیمات سامانه پیامک")


class SmtpSettings(SettingsRow):
    """The company's outgoing mail server as a manager sets it (a single row, pk=1); used
    once its server is filled in. EMAIL_HOST in the environment, when set, wins with the
    other EMAIL_* variables (messaging.smtp)."""

    class Security(models.TextChoices):
        STARTTLS = "starttls", _("STARTTLS (معمولاً درگاه ۵۸۷)")
        SSL = "ssl", _("SSL/TLS (معمولاً درگاه ۴۶۵)")
        NONE = "none", _("بدون رمزنگاری (فقط روی شبکه داخلی)")

    host = models.CharField(
        _("سرور SMTP"),
        max_length=255,
        blank=True,
        help_text=_("خالی: ایمیل‌ها فرستاده نمی‌شوند و فقط در گزارش سامانه نوشته می‌شوند."),
    )
    port = models.PositiveIntegerField(
        _("درگاه"), default=587, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    security = models.CharField(
        _("رمزنگاری"), max_length=8, choices=Security.choices, default=Security.STARTTLS
    )
    username = models.CharField(_("نام کاربری"), max_length=255, blank=True)
    # Readable by the worker only: never shown back, never in a list, export or log.
    password = EncryptedTextField(_("رمز عبور"), blank=True)
    from_email = models.EmailField(
        _("نشانی فرستنده"),
        blank=True,
        help_text=_("ایمیل‌هایی که از صندوق خاصی نیستند با این نشانی فرستاده می‌شوند."),
    )

    class Meta:
        verbose_name = _("تنظیمات سرور ایمیل")


class MessagingSettings(SettingsRow):
    """Installation-wide sending rules managers edit (a single row, pk=1)."""

    quiet_start = models.TimeField(
        _("شروع ساعت سکوت"),
        default=datetime.time(21, 0),
        help_text=_("از این ساعت پیامک فرستاده نمی‌شود و تا پایان ساعت سکوت نگه داشته می‌شود."),
    )
    quiet_end = models.TimeField(_("پایان ساعت سکوت"), default=datetime.time(8, 0))
    birthday_enabled = models.BooleanField(_("تبریک خودکار تولد"), default=False)
    birthday_template = models.ForeignKey(
        MessageTemplate,
        verbose_name=_("الگوی پیامک تولد"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        limit_choices_to={"channel": Channel.SMS, "is_active": True},
    )
    birthday_hour = models.PositiveSmallIntegerField(
        _("ساعت ارسال تبریک تولد"),
        default=10,
        validators=[MaxValueValidator(23)],
        help_text=_("به وقت تهران، ۰ تا ۲۳"),
    )
    birthday_sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("فرستنده تبریک‌ها"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("تبریک‌ها به نام این کاربر ثبت می‌شوند."),
    )
    birthdays_done_on = models.DateField(null=True, blank=True, editable=False)
    email_signature = models.TextField(
        _("امضای ایمیل‌ها"),
        blank=True,
        help_text=_(
            "زیر هر ایمیلی که کاربران می‌نویسند می‌آید؛ جای‌نگهدارها مانند {نام_فرستنده} و"
            " {نام_شرکت_ما} پر می‌شوند."
        ),
    )
    inbound_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("مسئول پیامک‌های شماره‌های ناشناس"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "پیامک مخاطب شناخته‌شده به مسئول همان مخاطب می‌رسد؛ پیامک شماره‌ای که در مخاطبین"
            " نیست به این کاربر."
        ),
    )

    class Meta:
        verbose_name = _("تنظیمات ارسال پیام")

    def in_quiet_hours(self, at: datetime.datetime) -> bool:
        local = timezone.localtime(at).time()
        if self.quiet_start == self.quiet_end:
            return False
        if self.quiet_start < self.quiet_end:
            return self.quiet_start <= local < self.quiet_end
        return local >= self.quiet_start or local < self.quiet_end  # across midnight
