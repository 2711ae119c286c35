import itertools
import re
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from peyvand.automation import rules
from peyvand.automation.actions import ACTIONS, SetFieldForm
from peyvand.automation.models import Form, FormField, Rule, WebhookSubscription
from peyvand.automation.webhooks import event_groups, private_address_problem
from peyvand.lookups.models import FollowUpResult
from peyvand.messaging.text import check_placeholders


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


# What a form's submission makes: the rule types «a form sent» can be about.
FORM_RECORDS = ("sales.lead", "service.request", "contacts.contact")


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
    sent_form = forms.ModelChoiceField(
        label=_("کدام فرم"),
        queryset=Form.objects.none(),
        required=False,
        empty_label=_("هر فرمی"),
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
        Rule.Trigger.FORM: "sent_form",
    }

    def __init__(self, *args, spec, users, **kwargs):
        super().__init__(*args, **kwargs)
        dates = rules.date_fields(spec)
        absent = set()
        if not dates:
            absent.add(Rule.Trigger.DATE)
        if not rules.takes_followups(spec):
            absent.add(Rule.Trigger.FOLLOWUP)
        if spec.model._meta.label_lower not in FORM_RECORDS:
            absent.add(Rule.Trigger.FORM)
            del self.fields["sent_form"]
        else:
            self.fields["sent_form"].queryset = Form.objects.all()
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


ONLY_CHOICES = _(
    "پاسخ مشخص فقط برای فیلدهای گزینه‌ای است؛ برای «%(label)s» خالی بگذارید (هر پاسخی)."
)
SITE_HOST = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d{1,5})?")


class FormSettingsForm(forms.ModelForm):
    """A designed form's settings: what it makes, for whom, its texts, where it shows."""

    class Meta:
        model = Form
        fields = [
            "name", "title", "intro", "creates", "owner", "source", "urgency", "thanks",
            "confirm_sms", "confirm_text", "embed_sites", "is_published",
        ]  # fmt: skip
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 2}),
            "thanks": forms.Textarea(attrs={"rows": 2}),
            "confirm_text": forms.Textarea(attrs={"rows": 3}),
            "embed_sites": forms.Textarea(attrs={"rows": 2, "dir": "ltr"}),
        }

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = users

    def clean_embed_sites(self) -> str:
        text = self.cleaned_data["embed_sites"]
        for line in text.splitlines():
            site = line.strip()
            parts = urlsplit(site)
            # A host and maybe a port, nothing else: the line goes into a CSP header as
            # it is, where a space or «*» would let every site frame the form.
            if site and (
                parts.scheme not in ("https", "http")
                or not SITE_HOST.fullmatch(parts.netloc)
                or parts.path not in ("", "/")
                or parts.query
                or parts.fragment
            ):
                raise forms.ValidationError(
                    _("«%(site)s» نشانی یک سایت نیست؛ مانند https://www.example.ir بنویسید.")
                    % {"site": site}
                )
        return text

    def clean(self):
        data = super().clean()
        if data.get("creates") == Form.Creates.REQUEST and not data.get("urgency"):
            self.add_error("urgency", _("فوریت درخواست‌هایی که این فرم می‌سازد را برگزینید."))
        try:
            check_placeholders(data.get("confirm_text") or "")
        except ValueError as error:
            self.add_error("confirm_text", str(error))
        return data


class FormFieldForm(forms.ModelForm):
    class Meta:
        model = FormField
        fields = ["kind", "label", "help", "required", "options", "show_if", "show_value", "target"]
        widgets = {"options": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        others = self.instance.form.fields.exclude(kind=FormField.Kind.SECTION)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["show_if"].queryset = others
        self.fields["show_if"].empty_label = _("همیشه نشان داده شود")

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in (FormField.Kind.CHOICE, FormField.Kind.MULTI) and not [
            line for line in (data.get("options") or "").splitlines() if line.strip()
        ]:
            self.add_error("options", _("گزینه‌ها را بنویسید، هر کدام در یک سطر."))
        self._check_condition(data)
        target = data.get("target")
        if target == FormField.Target.EXPECTED and kind != FormField.Kind.MONEY:
            self.add_error("target", _("مبلغ پیش‌بینی فقط از فیلد «مبلغ» پر می‌شود."))
        if target == FormField.Target.TITLE and kind not in (
            FormField.Kind.TEXT, FormField.Kind.CHOICE
        ):  # fmt: skip
            self.add_error("target", _("موضوع فقط از «متن کوتاه» یا «یک گزینه» پر می‌شود."))
        return data

    def _check_condition(self, data: dict) -> None:
        """A condition names a field above the circle of conditions, and a value only a
        choice can have (what the visitor picks is what the page compares, in any
        digits)."""
        other = data.get("show_if")
        value = (data.get("show_value") or "").strip()
        if other is None:
            if value:
                self.add_error("show_value", _("نخست فیلدی را که پاسخش شرط است برگزینید."))
            return
        seen = {self.instance.pk}
        step = other
        while step is not None:
            if step.pk in seen:
                self.add_error("show_if", _("شرط‌ها دور می‌زنند؛ این فیلد به خودش برمی‌گردد."))
                return
            seen.add(step.pk)
            step = step.show_if
        if not value:
            return
        allowed = {
            FormField.Kind.CHOICE: other.option_list(),
            FormField.Kind.MULTI: other.option_list(),
            FormField.Kind.YESNO: ["بله", "خیر"],
        }.get(other.kind)
        if allowed is None:
            self.add_error(
                "show_value",
                ONLY_CHOICES % {"label": other.label},
            )
        elif value not in allowed:
            self.add_error(
                "show_value",
                _("«%(value)s» از گزینه‌های «%(label)s» نیست: %(options)s")
                % {"value": value, "label": other.label, "options": "، ".join(allowed)},
            )
