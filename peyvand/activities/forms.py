from django import forms
from django.utils.translation import gettext_lazy as _

from peyvand.accounts.models import Team, User
from peyvand.activities.models import Call, Event, Task
from peyvand.core.dates import JalaliDateField, JalaliDateTimeField, TimeOfDayField
from peyvand.core.forms import EditVersionMixin
from peyvand.core.validators import any_number
from peyvand.lookups.models import Urgency


class TaskForm(EditVersionMixin, forms.ModelForm):
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


class EventForm(EditVersionMixin, forms.ModelForm):
    date = JalaliDateField(label=_("تاریخ"))
    start_time = TimeOfDayField(label=_("ساعت شروع"), required=False)
    end_time = TimeOfDayField(label=_("ساعت پایان"), required=False)

    class Meta:
        model = Event
        fields = [
            "title",
            "date",
            "start_time",
            "end_time",
            "location",
            "team",
            "remind",
            "remind_minutes",
            "remind_by_email",
            "remind_by_sms",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # A team event goes to a team of one's own (a manager: any active team).
        teams = Team.objects.filter(is_active=True)
        if not user.has_perm("accounts.see_all"):
            teams = teams.filter(members=user)
        self.fields["team"].queryset = teams
        self.fields["team"].empty_label = _("— شخصی —")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if end and not start:
            self.add_error("start_time", _("برای ساعت پایان، ساعت شروع را هم بنویسید."))
        elif start and end and end <= start:
            self.add_error("end_time", _("ساعت پایان باید بعد از ساعت شروع باشد."))
        copies = cleaned.get("remind_by_email") or cleaned.get("remind_by_sms")
        if copies and not cleaned.get("remind"):
            self.add_error("remind", _("برای یادآوری با ایمیل یا پیامک، «یادآوری» را بزنید."))
        if cleaned.get("remind_by_sms") and not self.user.mobile:
            self.add_error("remind_by_sms", _("در نمایهٔ شما تلفن همراهی ثبت نشده است."))
        if cleaned.get("remind_by_email") and not self.user.email:
            self.add_error("remind_by_email", _("در نمایهٔ شما ایمیلی ثبت نشده است."))
        return cleaned


class CallForm(EditVersionMixin, forms.ModelForm):
    """A call logged by hand (one the PBX did not report, or a mobile call)."""

    started_at = JalaliDateTimeField(label=_("زمان"))
    duration_minutes = forms.IntegerField(
        label=_("مدت (دقیقه)"), min_value=0, max_value=24 * 60, required=False
    )

    class Meta:
        model = Call
        fields = ["kind", "number", "started_at", "notes"]
        widgets = {
            "number": forms.TextInput(attrs={"dir": "ltr", "inputmode": "tel"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["duration_minutes"].initial = round(self.instance.duration / 60)

    def clean_number(self):
        number = any_number(self.cleaned_data["number"])
        if not number:
            raise forms.ValidationError(_("شماره تماس را وارد کنید، مانند ۰۹۱۲۳۴۵۶۷۸۹."))
        return number

    def save(self, commit=True):
        minutes = self.cleaned_data.get("duration_minutes")
        if minutes is not None:
            self.instance.duration = minutes * 60
        return super().save(commit)
