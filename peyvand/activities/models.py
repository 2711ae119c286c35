"""Activities: tasks (مدیریت وظایف), the daily calendar (زمانبندی روزانه), the call log
(تماس‌ها), and the two mechanisms every module uses to reach a user — reminders that
fire once at their time, and the notifications they leave."""

import datetime
import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peyvand.contacts.models import Contact
from peyvand.core.access import is_visible
from peyvand.core.models import (
    AllRecordsManager,
    BusinessRecord,
    LiveManager,
    VisibleQuerySet,
    customer_key_field,
    search_key_field,
)
from peyvand.core.validators import format_phone_national


class Notification(models.Model):
    """Something a user should see: shown under the bell until opened."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("عنوان"), max_length=200)
    body = models.TextField(_("متن"), blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(_("زمان"), default=timezone.now)
    seen_at = models.DateTimeField(_("زمان دیدن"), null=True, blank=True)
    # Opens as a dialog that waits to be acknowledged (new work for a user who asked
    # for that), not as a passing toast.
    pop_up = models.BooleanField(default=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("اعلان")
        verbose_name_plural = _("اعلان‌ها")
        indexes = [
            models.Index(fields=["user", "-id"], name="notification_user_recent"),
            # The bell's count reads only this user's unseen rows.
            models.Index(
                fields=["user", "id"], condition=Q(seen_at__isnull=True), name="notification_unseen"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activities:notification_open", args=[self.pk])


class Reminder(models.Model):
    """One reminder for one user at one time: in-app always, by email and SMS (through the
    outbox) when asked. A record keeps at most one per user and purpose ("task",
    "follow-up"…): setting it again moves it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField(_("زمان یادآوری"))
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    by_email = models.BooleanField(default=False)
    by_sms = models.BooleanField(default=False)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    purpose = models.CharField(max_length=30, blank=True)
    fired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("یادآوری")
        verbose_name_plural = _("یادآوری‌ها")
        indexes = [
            # The scan for due reminders: pending ones only, by time (one index range).
            models.Index(
                fields=["due_at", "id"], condition=Q(fired_at__isnull=True), name="reminder_pending"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "user", "purpose"],
                name="one_reminder_per_purpose",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Task(BusinessRecord):
    """وظیفه: the owner is who assigned it; the assignee (and their teams) see it too."""

    class Status(models.TextChoices):
        OPEN = "open", _("در دست انجام")
        DONE = "done", _("انجام شده")

    date = models.DateField(_("تاریخ"), default=timezone.localdate)
    description = models.TextField(_("شرح وظیفه"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("انجام‌دهنده"),
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("گروه"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    urgency = models.ForeignKey(
        "lookups.Urgency",
        verbose_name=_("فوریت"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    remind_at = models.DateTimeField(_("زمان یادآوری"), null=True, blank=True)
    remind_by_email = models.BooleanField(_("یادآوری با ایمیل"), default=False)
    remind_by_sms = models.BooleanField(_("یادآوری با پیامک"), default=False)
    status = models.CharField(_("وضعیت"), max_length=5, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(_("زمان انجام"), null=True, blank=True, editable=False)
    notes = models.TextField(_("یادداشت"), blank=True)
    # The task list's text search, whatever the spelling variant (a trigram index on
    # PostgreSQL), as every list's.
    search_key = search_key_field("description", "notes")
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    related = GenericForeignKey("content_type", "object_id")

    assignee_fields = ("assignee",)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("وظیفه")
        verbose_name_plural = _("وظایف")
        permissions = [("assign_task", _("واگذاری وظیفه به دیگران"))]
        indexes = [
            models.Index(fields=["assignee", "status", "date"], name="task_assignee"),
            models.Index(fields=["owner", "status", "date"], name="task_owner"),
            models.Index(fields=["content_type", "object_id"], name="task_related"),
            # The task list's sort by date (activities.lists.TASKS), whoever it is for.
            models.Index(fields=["date", "id"], name="task_date"),
        ]

    def __str__(self) -> str:
        return self.description[:60]

    def get_absolute_url(self) -> str:
        return reverse("activities:task_edit", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.date < timezone.localdate()


class EventQuerySet(VisibleQuerySet):
    @staticmethod
    def _attendance(user) -> Q:
        return Q(owner=user) | Q(team__in=user.teams.filter(is_active=True).values("id"))

    def attended_by(self, user) -> "EventQuerySet":
        """The user's own events and their teams' (their diary: home, the ICS feed)."""
        return self.filter(self._attendance(user))

    def visibility(self, user) -> Q:
        """A personal event is its owner's alone, as a diary is; a team event is seen by
        the team's members, and by whoever sees everything."""
        if user.has_perm("accounts.see_all"):
            return Q(owner=user) | Q(team__isnull=False)
        return self._attendance(user)


class Event(BusinessRecord):
    """رویداد تقویم: a meeting, a visit, a call to make at a time. Without a team it is
    personal; with one, the team's members see it and are reminded of it."""

    REMIND_CHOICES = [
        (0, _("سر وقت")),
        (10, _("۱۰ دقیقه پیش")),
        (30, _("نیم ساعت پیش")),
        (60, _("یک ساعت پیش")),
        (24 * 60, _("یک روز پیش")),
    ]
    # An event without a start time is a whole-day one; its reminder counts from here.
    DAY_START = datetime.time(8, 0)

    title = models.CharField(_("عنوان"), max_length=200)
    date = models.DateField(_("تاریخ"), default=timezone.localdate)
    start_time = models.TimeField(_("ساعت شروع"), null=True, blank=True)
    end_time = models.TimeField(_("ساعت پایان"), null=True, blank=True)
    location = models.CharField(_("محل"), max_length=200, blank=True)
    description = models.TextField(_("توضیح"), blank=True)
    # The event list's text search (title, place, description; trigram-indexed).
    search_key = search_key_field("title", "location", "description")
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("گروه"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("خالی: رویداد شخصی که فقط شما می‌بینید."),
    )
    remind = models.BooleanField(_("یادآوری"), default=False)
    remind_minutes = models.PositiveIntegerField(
        _("زمان یادآوری"), choices=REMIND_CHOICES, default=10
    )
    remind_by_email = models.BooleanField(_("یادآوری با ایمیل"), default=False)
    remind_by_sms = models.BooleanField(_("یادآوری با پیامک"), default=False)
    is_done = models.BooleanField(_("انجام شد"), default=False)
    done_at = models.DateTimeField(_("زمان انجام"), null=True, blank=True, editable=False)

    objects = LiveManager.from_queryset(EventQuerySet)()
    all_objects = AllRecordsManager.from_queryset(EventQuerySet)()

    class Meta:
        ordering = ["date", "start_time", "id"]
        verbose_name = _("رویداد")
        verbose_name_plural = _("رویدادها")
        indexes = [
            models.Index(fields=["owner", "date"], name="event_owner_date"),
            models.Index(fields=["team", "date"], name="event_team_date"),
            # The event list's sort by start (activities.lists.EVENTS).
            models.Index(fields=["date", "start_time", "id"], name="event_date"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activities:calendar_event_edit", args=[self.pk])

    def starts_at(self) -> datetime.datetime:
        """When it starts, Tehran time (a whole-day event: at the start of the work day)."""
        local = datetime.datetime.combine(self.date, self.start_time or self.DAY_START)
        return timezone.make_aware(local, timezone.get_default_timezone())

    def remind_at(self) -> datetime.datetime | None:
        if not self.remind or self.is_done:
            return None
        return self.starts_at() - datetime.timedelta(minutes=self.remind_minutes)


class CallQuerySet(VisibleQuerySet):
    def with_contact_shown_to(self, user) -> "CallQuerySet":
        """Each call marked, in the same query, with whether ``user`` may see its contact
        (see ``Call.shown_contact``)."""
        visible = Contact.objects.visible_to(user).filter(pk=OuterRef("contact_id"))
        return self.annotate(contact_shown=Exists(visible))


class Call(BusinessRecord):
    """تماس: a phone call, logged by hand or by the PBX. Its owner is the staff member
    who took or made it; the matched contact is found by the normalised number."""

    class Kind(models.TextChoices):
        INCOMING = "incoming", _("ورودی")
        OUTGOING = "outgoing", _("خروجی")
        MISSED = "missed", _("بی‌پاسخ")

    kind = models.CharField(_("نوع تماس"), max_length=8, choices=Kind.choices)
    # E.164 when it is an Iranian number; otherwise the digits as the PBX gave them.
    number = models.CharField(_("شماره"), max_length=20)
    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("مخاطب"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calls",
    )
    extension = models.CharField(_("داخلی"), max_length=10, blank=True)
    started_at = models.DateTimeField(_("زمان"), default=timezone.now)
    # Null while the phone is still ringing (the PBX reports the end separately).
    ended_at = models.DateTimeField(_("پایان"), null=True, blank=True)
    duration = models.PositiveIntegerField(_("مدت (ثانیه)"), default=0)
    notes = models.TextField(_("یادداشت"), blank=True)
    # The call log's text search: part of the number (stored E.164: "+98912…") or of
    # the notes, whatever the spelling variant (a trigram index on PostgreSQL).
    search_key = search_key_field("number", "notes")
    # The contact's key, apart from the call's own: the list matches it only where the
    # reader may see the contact (activities.lists.call_search).
    customer_key = customer_key_field()
    # The PBX's id of the call (Asterisk's Uniqueid): a repeated report updates, never
    # duplicates.
    pbx_id = models.CharField(max_length=64, blank=True, editable=False)
    callback_task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = LiveManager.from_queryset(CallQuerySet)()
    all_objects = AllRecordsManager.from_queryset(CallQuerySet)()

    in_trash = False  # a call happened: it is corrected, never deleted
    # Whether the reader may see the contact: set by ``with_contact_shown_to`` (lists)
    # or ``show_contact_to`` (one call). A call read without either shows no contact,
    # so a reader can never learn from a number who owns it.
    contact_shown = False

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("تماس")
        verbose_name_plural = _("تماس‌ها")
        indexes = [
            models.Index(fields=["owner", "-started_at"], name="call_owner_recent"),
            models.Index(fields=["-started_at", "-id"], name="call_recent"),
            models.Index(fields=["number"], name="call_number"),
            models.Index(fields=["contact", "-started_at"], name="call_contact"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["pbx_id"], condition=~Q(pbx_id=""), name="one_call_per_pbx_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.national_number}"

    def get_absolute_url(self) -> str:
        return reverse("activities:call_detail", args=[self.pk])

    @property
    def national_number(self) -> str:
        return format_phone_national(self.number) if self.number.startswith("+") else self.number

    @property
    def shown_contact_id(self) -> int | None:
        return self.contact_id if self.contact_shown else None

    @property
    def shown_contact(self) -> Contact | None:
        """The contact as the reader may see it; None to a reader who may not."""
        return self.contact if self.contact_shown else None

    def show_contact_to(self, user) -> "Call":
        self.contact_shown = is_visible(user, Contact, self.contact_id)
        return self


class CalendarFeed(models.Model):
    """A user's secret calendar address (ICS): whoever has the link reads their events
    and tasks, as Google Calendar, Outlook and Thunderbird do. A new key revokes the old."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    # Kept readable (not hashed): the user copies the address again into a new device.
    key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("پیوند تقویم")

    def __str__(self) -> str:
        return str(self.user)

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)
