import itertools
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from peyvand.automation import rules
from peyvand.automation.actions import ACTIONS, SetFieldForm
from peyvand.automation.models import Rule, WebhookSubscription
from peyvand.automation.webhooks import event_groups, private_address_problem
from peyvand.lookups.models import FollowUpResult


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


class RuleForm(forms.ModelForm):
    """A rule's event, name, owner and switch; its conditions are its list's filter
    inputs and its actions their own small forms (views.rule_edit puts them together)."""

    changed_field = forms.ChoiceField(label=_("کدام فیلد"), required=False)
    date_field = forms.ChoiceField(label=_("کدام تاریخ"), required=False)
    result = forms.ModelChoiceField(
        label=_("با کدام نتیجه"),
        queryset=FollowUpResult.objects.none(),
        required=False,
        empty_label=_("هر نتیجه‌ای"),
    )

    class Meta:
        model = Rule
        fields = ["name", "trigger", "date_offset", "owner", "is_active"]
        widgets = {"trigger": forms.RadioSelect}

    # Which form field names the trigger's detail, by trigger.
    DETAIL = {
        Rule.Trigger.CHANGED: "changed_field",
        Rule.Trigger.DATE: "date_field",
        Rule.Trigger.FOLLOWUP: "result",
    }

    def __init__(self, *args, spec, users, **kwargs):
        super().__init__(*args, **kwargs)
        dates = rules.date_fields(spec)
        absent = set()
        if not dates:
            absent.add(Rule.Trigger.DATE)
        if not rules.takes_followups(spec):
            absent.add(Rule.Trigger.FOLLOWUP)
        self.fields["trigger"].choices = [c for c in Rule.Trigger.choices if c[0] not in absent]
        self.fields["changed_field"].choices = [("", _("هر فیلدی")), *rules.change_fields(spec)]
        self.fields["date_field"].choices = [("", "—"), *dates]
        if Rule.Trigger.FOLLOWUP in absent:
            del self.fields["result"]
        else:
            self.fields["result"].queryset = FollowUpResult.objects.all()
        if Rule.Trigger.DATE in absent:
            del self.fields["date_field"], self.fields["date_offset"]
        self.fields["owner"].queryset = users
        if "date_offset" in self.fields:
            self.fields["date_offset"].help_text = _(
                "۰: همان روز؛ ۲: دو روز پس از آن تاریخ؛ −۱: یک روز پیش از آن."
            )
        rule = self.instance
        detail = self.DETAIL.get(rule.trigger)
        if detail in self.fields and rule.trigger_field:
            self.initial.setdefault(detail, rule.trigger_field)

    def clean(self):
        data = super().clean()
        if data.get("trigger") == Rule.Trigger.DATE and not data.get("date_field"):
            self.add_error("date_field", _("برای «رسیدن یک تاریخ»، تاریخ را برگزینید."))
        return data

    def save(self, commit: bool = True) -> Rule:
        rule = super().save(commit=False)
        detail = self.DETAIL.get(self.cleaned_data["trigger"])
        value = self.cleaned_data.get(detail) if detail else None
        rule.trigger_field = str(value.pk if hasattr(value, "pk") else value or "")
        if commit:
            rule.save()
        return rule


def action_forms(rule: Rule, model, data=None) -> list[tuple[str, forms.Form]]:
    """Each action's form (prefixed by its key), filled from the rule's stored actions."""
    stored = {item.get("kind"): item for item in rule.actions}
    found = []
    for key, action in ACTIONS.items():
        kwargs = {"model": model} if action.form is SetFieldForm else {}
        initial = action.initial(stored[key]) if key in stored else None
        found.append((key, action.form(data, prefix=f"a-{key}", initial=initial, **kwargs)))
    return found


def stored_actions(forms_: list[tuple[str, forms.Form]]) -> list[dict]:
    """The JSON of the actions switched on, in the forms' order."""
    return [
        {"kind": key, **ACTIONS[key].stored(form.cleaned_data)}
        for key, form in forms_
        if form.cleaned_data.get("on")
    ]
