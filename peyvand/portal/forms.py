from django import forms
from django.utils.translation import gettext_lazy as _

from peyvand.core.text import normalize_persian
from peyvand.core.validators import normalize_mobile
from peyvand.portal.models import PortalAccess
from peyvand.service.models import Request
from peyvand.surveys.forms import SurveyForm


class MobileForm(forms.Form):
    mobile = forms.CharField(
        label=_("تلفن همراه"),
        max_length=30,
        widget=forms.TextInput(
            attrs={"dir": "ltr", "inputmode": "tel", "autocomplete": "tel", "autofocus": True}
        ),
        error_messages={"required": _("شماره تلفن همراه خود را بنویسید.")},
    )

    def clean_mobile(self) -> str:
        return normalize_mobile(self.cleaned_data["mobile"])


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("کد پیامک شده"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "dir": "ltr",
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
            }
        ),
        error_messages={"required": _("کد ۶ رقمی پیامک شده را بنویسید.")},
    )

    def clean_code(self) -> str:
        code = normalize_persian(self.cleaned_data["code"]).replace(" ", "")
        if not (len(code) == 6 and code.isdigit()):
            raise forms.ValidationError(_("کد ۶ رقم است؛ همان را که پیامک شده بنویسید."))
        return code


class PortalAccessForm(forms.ModelForm):
    class Meta:
        model = PortalAccess
        fields = ["enabled", "include_people", *PortalAccess.SECTIONS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.contact.kind != self.instance.contact.Kind.ORGANIZATION:
            del self.fields["include_people"]
        for name in self.fields:
            self.fields[name].widget.attrs["class"] = "form-check-input"


class PortalSurveyForm(SurveyForm):
    """The questionnaire as a customer answers it: the scores and a comment."""

    date = None  # today, the day they answer

    class Meta(SurveyForm.Meta):
        fields = ["notes"]
        labels = {"notes": _("اگر نکته‌ای دارید بنویسید")}


class PortalRequestForm(forms.ModelForm):
    """A request as a customer writes it in the portal: what about, and the details."""

    class Meta:
        model = Request
        fields = ["subject", "description"]
        labels = {"subject": _("موضوع"), "description": _("شرح درخواست")}
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        error_messages = {"description": {"required": _("بنویسید چه کاری لازم است.")}}

    def clean_subject(self) -> str:
        return normalize_persian(self.cleaned_data["subject"])

    def clean_description(self) -> str:
        return normalize_persian(self.cleaned_data["description"])
