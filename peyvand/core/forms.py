import datetime
import re
from typing import ClassVar

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peyvand.core.dates import JalaliDateField
from peyvand.core.models import WEEKDAY_CHOICES, HolidayOverride, Sequence, SiteSettings
from peyvand.core.money import parse_amount
from peyvand.core.text import normalize_persian, to_latin_digits
from peyvand.core.trees import ordered_nodes
from peyvand.core.validators import normalize_record_code
from peyvand.core.versions import StaleEdit
from peyvand.core.workdays import add_working_days


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
        fields = ["name", "pattern", "padding", "yearly", "last_number"]
        widgets = {"pattern": forms.TextInput(attrs={"dir": "ltr"})}
        help_texts = {
            "last_number": _(
                "می‌توانید آن را بالا ببرید (مثلاً برای ادامهٔ شماره‌های دفتر قبلی)، نه پایین."
            )
        }

    def clean_pattern(self) -> str:
        pattern = normalize_persian(self.cleaned_data["pattern"])
        if "{شماره}" not in pattern:
            raise forms.ValidationError(_("الگو باید {شماره} را داشته باشد."))
        # The codes it makes follow the rule of typed codes: a customer types them back.
        normalize_record_code(pattern.replace("{سال}", "0").replace("{شماره}", "0"))
        return pattern

    def clean_last_number(self) -> int:
        number = self.cleaned_data["last_number"]
        if number < self.instance.last_number:
            # Lowering it would hand out codes that were already given.
            raise forms.ValidationError(_("آخرین شماره را نمی‌توان کم کرد."))
        return number

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("yearly") and "{سال}" not in cleaned.get("pattern", "{سال}"):
            # Without the year in the code, a yearly restart repeats last year's codes.
            self.add_error(
                "yearly", _("شروع دوباره در هر سال فقط وقتی ممکن است که الگو {سال} را داشته باشد.")
            )
        return cleaned

    def clean_padding(self) -> int:
        padding = self.cleaned_data["padding"]
        if not 1 <= padding <= 12:
            raise forms.ValidationError(_("تعداد رقم باید بین ۱ و ۱۲ باشد."))
        return padding


class EditVersionMixin:
    """For a record's edit form: a hidden ``version`` field with the record's
    ``updated_at`` when the form was opened. The view passes
    ``cleaned_data["version"]`` to the service, which refuses the save if someone saved
    the record since (core.versions), and shows the refusal with ``refuse_stale``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = forms.DateTimeField(required=False, widget=forms.HiddenInput)
        if self.instance.pk:
            self.initial["version"] = self.instance.updated_at.isoformat()

    def refuse_stale(self, stale: StaleEdit) -> None:
        """The refusal on top of the form, everything typed kept. The form now carries
        the record's current version: saving it again, after reading what the other
        person changed, is a deliberate overwrite rather than a silent one."""
        keep = _(
            "آنچه شما نوشته‌اید هنوز در این فرم است؛ آن را با تغییرات تازه بسنجید. "
            "اگر باز هم ذخیره کنید، جای آن تغییرات را می‌گیرد."
        )
        self.add_error(None, f"{stale.message} {keep}")
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = stale.version.isoformat()


class TreeNodeChoiceField(forms.ChoiceField):
    """A select of a tree's active nodes, indented, in tree order; cleans to the node.
    A record's current node stays selectable even after it was deactivated."""

    def __init__(self, model, **kwargs):
        self.model = model
        self.current_id: int | None = None
        super().__init__(choices=self._node_choices, **kwargs)

    def __deepcopy__(self, memo):
        # Each form gets a copy of the field; its choices must read the copy's current_id.
        result = super().__deepcopy__(memo)
        result.choices = result._node_choices
        return result

    def _node_choices(self) -> list[tuple]:
        nodes = ordered_nodes(self.model)
        visible = [n for n in nodes if n.is_active or n.pk == self.current_id]
        return [("", _("— انتخاب کنید —"))] + [(node.pk, node.indented_name) for node in visible]

    def prepare_value(self, value):
        return getattr(value, "pk", value)

    def clean(self, value):
        node_id = super().clean(value)
        return self.model.objects.get(pk=node_id) if node_id else None


class AutocompleteSelect(forms.Select):
    """A select that renders only its selected option; the browser asks
    ``data-autocomplete-url`` for more as the user types (tom-select). For foreign keys
    to tables far too large to list (contacts)."""

    def __init__(self, url: str, attrs=None):
        super().__init__(attrs={**(attrs or {}), "data-autocomplete-url": url})

    def optgroups(self, name, value, attrs=None):
        selected = [v for v in value if v not in ("", None)]
        queryset = self.choices.queryset.filter(pk__in=selected) if selected else []
        options = [self.create_option(name, "", "—", not selected, 0)]
        options += [
            self.create_option(name, obj.pk, str(obj), True, index)
            for index, obj in enumerate(queryset, start=1)
        ]
        return [(None, options, 0)]


class MoneyField(forms.CharField):
    """An amount in rials typed with or without separators, in any digits (see
    core.money.parse_money); shown back grouped. Never negative: prices, discounts,
    values and credit limits are amounts, and a minus sign is a slip."""

    widget = forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric"})

    def to_python(self, value):
        value = super().to_python(value)
        return parse_amount(value) if value else None

    def prepare_value(self, value):
        return f"{value:,}" if isinstance(value, int) else value


_PLUS_DAYS_RE = re.compile(r"\+\s*(\d{1,3})")


class WorkingDayDateField(JalaliDateField):
    """A Jalali date, or "+3": three working days from today (holidays and the weekly
    days off skipped; "+0" is today, or the next working day)."""

    input_attrs: ClassVar[dict[str, str]] = {
        **JalaliDateField.input_attrs,
        "placeholder": "+۳ یا ۱۴۰۵/۰۹/۱۵",
    }

    def to_python(self, value: object) -> datetime.date | None:
        if isinstance(value, str):
            match = _PLUS_DAYS_RE.fullmatch(to_latin_digits(value).strip())
            if match:
                return add_working_days(timezone.localdate(), int(match[1]))
        return super().to_python(value)


def add_service_errors(error, *forms) -> None:
    """A service's refusal (ValidationError) shown where it belongs: on the field of
    whichever form has it, else above the first form."""
    if not hasattr(error, "error_dict"):
        forms[0].add_error(None, error)
        return
    for name, errors in error.message_dict.items():
        target = next((form for form in forms if name in form.fields), None)
        for message in errors:
            (target or forms[0]).add_error(name if target else None, message)
