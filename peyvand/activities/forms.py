from django import forms
from django.utils.translation import gettext_lazy as _

from peyvand.accounts.models import Team, User
from peyvand.activities.models import Task
from peyvand.core.dates import JalaliDateField, JalaliDateTimeField
from peyvand.lookups.models import Urgency


class TaskForm(forms.ModelForm):
    date = JalaliDateField(label=_("تاریخ"))
    remind_at = JalaliDateTimeField(
        label=_("زمان یادآوری"),
        required=False,
        help_text=_(
            "در این زمان به انجام‌دهنده یادآوری می‌شود (اعلان، و اگر بخواهید ایمیل و پیامک)."
        ),
    )

    class Meta:
        model = Task
        fields = [
            "description",
            "date",
            "assignee",
            "team",
            "urgency",
            "remind_at",
            "remind_by_email",
            "remind_by_sms",
            "notes",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.assignee_id if self.instance.pk else None
        if user.has_perm("activities.assign_task"):
            assignees = User.objects.filter(is_active=True)
        else:
            # Without the permission a user keeps their own tasks (and one already given).
            assignees = User.objects.filter(pk__in={user.pk, current} - {None})
        self.fields["assignee"].queryset = assignees
        self.fields["assignee"].empty_label = None
        self.fields["team"].queryset = Team.objects.filter(is_active=True)
        self.fields["urgency"].queryset = Urgency.objects.active_or(self.instance.urgency_id)
        self.fields["urgency"].empty_label = _("— عادی —")

    def clean(self):
        cleaned = super().clean()
        asked = cleaned.get("remind_by_email") or cleaned.get("remind_by_sms")
        if asked and not cleaned.get("remind_at"):
            self.add_error(
                "remind_at", _("برای یادآوری با ایمیل یا پیامک، زمان یادآوری را بنویسید.")
            )
        assignee = cleaned.get("assignee")
        if assignee is not None:
            if cleaned.get("remind_by_sms") and not assignee.mobile:
                self.add_error(
                    "remind_by_sms",
                    _("برای %(user)s تلفن همراهی ثبت نشده است.") % {"user": assignee},
                )
            if cleaned.get("remind_by_email") and not assignee.email:
                self.add_error(
                    "remind_by_email", _("برای %(user)s ایمیلی ثبت نشده است.") % {"user": assignee}
                )
        return cleaned


class TaskFilterForm(forms.Form):
    """The task list's filters, read from the query string."""

    status = forms.ChoiceField(
        label=_("وضعیت"),
        required=False,
        choices=[("open", _("در دست انجام")), ("done", _("انجام شده")), ("all", _("همه"))],
    )
    scope = forms.ChoiceField(
        label=_("وظایف"),
        required=False,
        choices=[
            ("mine", _("وظایف من")),
            ("by_me", _("واگذارشده توسط من")),
            ("team", _("وظایف گروه من")),
            ("all", _("همه وظایفی که می‌بینم")),
        ],
    )
    urgency = forms.ModelChoiceField(
        label=_("فوریت"),
        required=False,
        queryset=Urgency.objects.all(),
        empty_label=_("همه"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    overdue = forms.BooleanField(label=_("فقط عقب‌افتاده"), required=False)
