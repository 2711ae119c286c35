"""Activities: tasks (مدیریت وظایف), and the two mechanisms every module uses to reach a
user — reminders that fire once at their time, and the notifications they leave."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import BusinessRecord


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
        ]

    def __str__(self) -> str:
        return self.description[:60]

    def get_absolute_url(self) -> str:
        return reverse("activities:task_edit", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.date < timezone.localdate()
