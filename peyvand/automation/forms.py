from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from peyvand.automation.models import WebhookSubscription
from peyvand.automation.webhooks import event_choices, private_address_problem


class WebhookForm(forms.ModelForm):
    """A webhook subscription: where, which events, whose view of the records."""

    url = forms.URLField(
        label=_("نشانی گیرنده"),
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"dir": "ltr", "placeholder": "https://"}),
        help_text=_(
            "هر رویداد به این نشانی فرستاده و با کلید امضای وب‌هوک امضا می‌شود؛ راهنمای "
            "سامانه‌ی گیرنده در صفحه‌ی وب‌هوک است."
        ),
    )
    events = forms.MultipleChoiceField(
        label=_("رویدادها"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("دست‌کم یک رویداد را برگزینید.")},
    )

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "events", "owner", "is_active"]

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["events"].choices = event_choices()
        if users is not None:
            self.fields["owner"].queryset = users

    def event_groups(self) -> list[tuple[str, list[tuple[str, str, bool, str]]]]:
        """The checkboxes by record type: (value, label, checked, id)."""
        chosen = set(self["events"].value() or [])
        groups = []
        number = 0
        for legend, choices in self.fields["events"].choices:
            rows = []
            for value, label in choices:
                rows.append(
                    (value, label.split(": ", 1)[-1], value in chosen, f"id_events_{number}")
                )
                number += 1
            groups.append((legend, rows))
        return groups

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        private_ok = getattr(settings, "WEBHOOK_PRIVATE_ADDRESSES", False)
        if urlsplit(url).scheme != "https" and not private_ok:
            raise forms.ValidationError(
                _("نشانی باید با https آغاز شود؛ اطلاعات مشتریان بی‌رمز فرستاده نمی‌شود.")
            )
        problem = private_address_problem(url, resolve=False)
        if problem:
            raise forms.ValidationError(problem)
        return url
