import itertools
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from peyvand.automation.models import WebhookSubscription
from peyvand.automation.webhooks import event_groups, private_address_problem


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
        self.fields["events"].choices = event_groups()
        if users is not None:
            self.fields["owner"].queryset = users

    def event_groups(self) -> list[tuple[str, list[tuple[str, str, bool, str]]]]:
        """The checkboxes by record type: (value, the action's name, checked, id)."""
        chosen = set(self["events"].value() or [])
        numbers = itertools.count()
        return [
            (
                legend,
                [
                    (value, label, value in chosen, f"id_events_{next(numbers)}")
                    for value, label in choices
                ],
            )
            for legend, choices in self.fields["events"].choices
        ]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if urlsplit(url).scheme != "https" and not settings.WEBHOOK_PRIVATE_ADDRESSES:
            raise forms.ValidationError(
                _("نشانی باید با https آغاز شود؛ اطلاعات مشتریان بی‌رمز فرستاده نمی‌شود.")
            )
        problem = private_address_problem(url, resolve=False)
        if problem:
            raise forms.ValidationError(problem)
        return url
