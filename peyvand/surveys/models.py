"""Surveys (نظرسنجی): questionnaires managers define, answered per invoice or per
project, usually on a phone call with the customer; and the projects they are about."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import BusinessRecord


class Questionnaire(models.Model):
    """A set of questions, each scored in its range; for invoices or for projects."""

    class Subject(models.TextChoices):
        INVOICE = "invoice", _("فاکتور (کالا یا خدمات)")
        PROJECT = "project", _("پروژه")

    name = models.CharField(_("نام پرسشنامه"), max_length=200)
    subject = models.CharField(
        _("برای"), max_length=8, choices=Subject.choices, default=Subject.INVOICE
    )
    is_active = models.BooleanField(_("فعال"), default=True)

    class Meta:
        verbose_name = _("پرسشنامه")
        verbose_name_plural = _("پرسشنامه‌ها")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    text = models.CharField(_("پرسش"), max_length=300)
    min_score = models.PositiveSmallIntegerField(_("کمترین امتیاز"), default=1)
    max_score = models.PositiveSmallIntegerField(_("بیشترین امتیاز"), default=5)
    order = models.PositiveSmallIntegerField(_("ترتیب"), default=0)

    class Meta:
        verbose_name = _("پرسش")
        verbose_name_plural = _("پرسش‌ها")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_score__gt=models.F("min_score")), name="question_score_range"
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def scores(self) -> range:
        return range(self.min_score, self.max_score + 1)


class Project(BusinessRecord):
    """پروژه: work done for a customer over a span of time."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("برنامه‌ریزی‌شده")
        ACTIVE = "active", _("در حال اجرا")
        DONE = "done", _("پایان‌یافته")
        CANCELLED = "cancelled", _("لغو شده")

    name = models.CharField(_("نام پروژه"), max_length=200)
    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("مشتری"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    start = models.DateField(_("تاریخ شروع"), default=timezone.localdate)
    end = models.DateField(_("تاریخ پایان"), null=True, blank=True)
    status = models.CharField(
        _("وضعیت"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    description = models.TextField(_("شرح"), blank=True)

    class Meta:
        verbose_name = _("پروژه")
        verbose_name_plural = _("پروژه‌ها")
        ordering = ["-start", "-id"]
        indexes = [
            models.Index(fields=["contact", "-start"], name="project_contact"),
            models.Index(fields=["-start", "-id"], name="project_recent"),
            models.Index(
                fields=["-deleted_at"], name="project_trash", condition=Q(deleted_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("surveys:project_detail", args=[self.pk])

    def clean(self) -> None:
        if self.end and self.start and self.end < self.start:
            raise ValidationError({"end": _("تاریخ پایان نمی‌تواند پیش از تاریخ شروع باشد.")})


class SurveyResponse(BusinessRecord):
    """One answered questionnaire (a survey call): about an invoice or a project of a
    customer. The owner is whoever asked the questions."""

    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("پرسشنامه"), on_delete=models.PROTECT, related_name="+"
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("مشتری"),
        on_delete=models.PROTECT,
        related_name="survey_responses",
    )
    invoice = models.ForeignKey(
        "sales.Invoice",
        verbose_name=_("فاکتور"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_responses",
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("پروژه"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_responses",
    )
    date = models.DateField(_("تاریخ"), default=timezone.localdate)
    channel = models.ForeignKey(
        "lookups.Channel",
        verbose_name=_("نوع ارتباط"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    notes = models.TextField(_("توضیحات"), blank=True)

    # An answered survey is history: never deleted on its own.
    in_trash = False
    # The mean of its answers' scores, each scaled to 0–100 of its question's range, so
    # questions with different ranges average together.
    score = models.DecimalField(_("امتیاز (از ۱۰۰)"), max_digits=5, decimal_places=1, default=0)

    class Meta:
        verbose_name = _("نظرسنجی")
        verbose_name_plural = _("نظرسنجی‌ها")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["contact", "-date"], name="survey_contact"),
            models.Index(fields=["date"], name="survey_date"),
            models.Index(
                fields=["-deleted_at"], name="survey_trash", condition=Q(deleted_at__isnull=False)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(invoice__isnull=True) ^ Q(project__isnull=True),
                name="survey_one_subject",
            )
        ]

    def __str__(self) -> str:
        return f"نظرسنجی {self.subject}"

    @property
    def subject(self):
        return self.invoice if self.invoice_id else self.project

    def get_absolute_url(self) -> str:
        return f"{self.subject.get_absolute_url()}#survey-{self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    score = models.PositiveSmallIntegerField(_("امتیاز"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once")]
        indexes = [models.Index(fields=["question", "response"], name="answer_question")]

    def __str__(self) -> str:
        return f"{self.question}: {self.score}"
