from django import forms
from django.utils.translation import gettext_lazy as _

from peyvand.contacts.models import Contact
from peyvand.core.dates import JalaliDateField
from peyvand.core.text import normalize_persian
from peyvand.core.validators import (
    identifier_form_field,
    normalize_legal_id,
    normalize_national_id,
)
from peyvand.lookups.models import AcquaintanceSource


class ContactForm(forms.ModelForm):
    mobile = identifier_form_field("mobile", label=_("تلفن همراه"), required=False)
    phone = identifier_form_field("landline", label=_("تلفن ثابت"), required=False)
    birthday = JalaliDateField(label=_("تاریخ تولد"), required=False)

    class Meta:
        model = Contact
        fields = [
            "kind", "name", "company", "code", "mobile", "phone", "email",
            "national_id", "source", "birthday", "notes",
        ]  # fmt: skip
        widgets = {
            "kind": forms.RadioSelect,
            "code": forms.TextInput(
                attrs={"dir": "ltr", "placeholder": "خالی بگذارید تا خودکار داده شود"}
            ),
            "email": forms.EmailInput(attrs={"dir": "ltr"}),
            "national_id": forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        self.fields["source"].queryset = AcquaintanceSource.objects.active()
        self.fields["source"].empty_label = "— انتخاب کنید —"

    def clean_name(self) -> str:
        return normalize_persian(self.cleaned_data["name"])

    def clean_company(self) -> str:
        return normalize_persian(self.cleaned_data["company"])

    def clean_code(self) -> str:
        return normalize_persian(self.cleaned_data["code"])

    def clean(self):
        cleaned = super().clean()
        national_id = cleaned.get("national_id")
        if national_id:
            normalizer = (
                normalize_national_id
                if cleaned.get("kind") == Contact.Kind.PERSON
                else normalize_legal_id
            )
            try:
                cleaned["national_id"] = normalizer(national_id)
            except forms.ValidationError as error:
                self.add_error("national_id", error)
        return cleaned
