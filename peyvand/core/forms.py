from django import forms
from django.utils.translation import gettext_lazy as _

from peyvand.core.dates import JalaliDateField
from peyvand.core.models import WEEKDAY_CHOICES, HolidayOverride, Sequence, SiteSettings


class SiteSettingsForm(forms.ModelForm):
    weekend = forms.TypedMultipleChoiceField(
        label=_("روزهای تعطیل هفته"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = SiteSettings
        fields = ["company_name", "weekend", "money_unit", "notification_poll_seconds"]
        widgets = {"money_unit": forms.RadioSelect}


class HolidayOverrideForm(forms.ModelForm):
    date = JalaliDateField(label=_("تاریخ"))
    is_holiday = forms.TypedChoiceField(
        label=_("این روز"),
        choices=[(True, _("تعطیل است")), (False, _("کاری است"))],
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
        initial=True,
    )

    class Meta:
        model = HolidayOverride
        fields = ["date", "is_holiday", "note"]

    def validate_unique(self):
        try:
            self.instance.validate_unique()
        except forms.ValidationError:
            self.add_error("date", _("برای این روز قبلاً استثنا ثبت شده است."))


class SequenceForm(forms.ModelForm):
    class Meta:
        model = Sequence
        fields = ["name", "pattern", "padding", "yearly"]
        widgets = {"pattern": forms.TextInput(attrs={"dir": "ltr"})}

    def clean_pattern(self) -> str:
        pattern = self.cleaned_data["pattern"]
        if "{شماره}" not in pattern:
            raise forms.ValidationError(_("الگو باید {شماره} را داشته باشد."))
        return pattern

    def clean_padding(self) -> int:
        padding = self.cleaned_data["padding"]
        if not 1 <= padding <= 12:
            raise forms.ValidationError(_("تعداد رقم باید بین ۱ و ۱۲ باشد."))
        return padding
