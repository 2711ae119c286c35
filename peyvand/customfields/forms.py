"""Custom fields on forms: the managers' definition form, the value fields a record's
form gains (CustomFieldsMixin); the list filters are customfields.lists."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from peyvand.core.dates import JalaliDateField
from peyvand.core.text import normalize_persian, to_latin_digits
from peyvand.customfields.models import CustomField, sections
from peyvand.customfields.registry import targets

YES_NO = [("", _("—")), ("1", _("بله")), ("0", _("خیر"))]


def parse_decimal(text: str) -> Decimal:
    """A number typed in any digits, with ٬ or , between thousands and ٫ or . as the
    decimal point; ValidationError in Persian otherwise."""
    cleaned = to_latin_digits(str(text)).strip().translate(str.maketrans("٫", ".", "٬, "))
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise forms.ValidationError(_("یک عدد وارد کنید، مثلاً ۱۲۵۰ یا ۳٫۵.")) from None
    if not value.is_finite() or abs(value) >= Decimal(10) ** 15:
        raise forms.ValidationError(_("یک عدد وارد کنید، مثلاً ۱۲۵۰ یا ۳٫۵."))
    return value


class PersianTextField(forms.CharField):
    def to_python(self, value):
        return normalize_persian(super().to_python(value))


class PersianDecimalField(forms.CharField):
    widget = forms.TextInput(attrs={"dir": "ltr", "inputmode": "decimal"})

    def to_python(self, value):
        value = super().to_python(value)
        return parse_decimal(value) if value else None

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value.normalize():,f}"
        return value


def value_form_field(field: CustomField, current=None) -> forms.Field:
    """The form field that edits one custom field's value. ``current`` (the stored
    value) stays a valid choice even after a manager removed it from the options."""
    common = {"label": field.label, "required": field.required}
    if field.kind == CustomField.Kind.NUMBER:
        return PersianDecimalField(**common)
    if field.kind == CustomField.Kind.DATE:
        return JalaliDateField(**common)
    if field.kind == CustomField.Kind.CHOICE:
        options = field.option_list
        if current and current not in options:
            options.append(current)
        choices = [("", _("— انتخاب کنید —"))] + [(option, option) for option in options]
        return forms.ChoiceField(choices=choices, **common)
    if field.kind == CustomField.Kind.BOOLEAN:
        return forms.TypedChoiceField(
            choices=YES_NO, coerce=lambda value: value == "1", empty_value=None, **common
        )
    return PersianTextField(max_length=500, **common)


def _as_initial(field: CustomField, raw):
    if field.kind == CustomField.Kind.BOOLEAN and raw is not None:
        return "1" if raw else "0"
    return field.from_json(raw)


class CustomFieldsMixin:
    """For a ModelForm whose model has a ``custom`` column. Call
    ``add_custom_fields(target)`` at the end of ``__init__``; the template renders
    ``form.custom_sections``. Values of deactivated fields are kept as they are."""

    custom_fields: list[CustomField] = ()

    def add_custom_fields(self, target: str, fields: list[CustomField] | None = None) -> None:
        self.custom_fields = (
            fields if fields is not None else list(CustomField.objects.for_target(target))
        )
        stored = self.instance.custom or {}
        for field in self.custom_fields:
            name = self.custom_field_name(field)
            self.fields[name] = value_form_field(field, current=stored.get(field.key))
            if field.key in stored:
                self.initial[name] = _as_initial(field, stored[field.key])

    @staticmethod
    def custom_field_name(field: CustomField) -> str:
        return f"custom_{field.pk}"

    @property
    def custom_sections(self) -> list[tuple[str, list]]:
        return [
            (title, [self[self.custom_field_name(field)] for field in fields])
            for title, fields in sections(self.custom_fields)
        ]

    def clean(self):
        cleaned = super().clean()
        values = dict(self.instance.custom or {})
        for field in self.custom_fields:
            name = self.custom_field_name(field)
            if name not in cleaned:
                continue
            value = cleaned[name]
            if value is None or value == "":
                values.pop(field.key, None)
            else:
                values[field.key] = field.to_json(value)
        self.instance.custom = values
        return cleaned


class CustomFieldDefinitionForm(forms.ModelForm):
    class Meta:
        model = CustomField
        fields = ["target", "section", "label", "kind", "options", "required", "order", "is_active"]
        widgets = {"options": forms.Textarea(attrs={"rows": 4}), "kind": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"] = forms.ChoiceField(
            label=_("برای"), choices=list(targets.items()), initial=self.initial.get("target")
        )
        if self.instance.pk:
            # Stored values were written for this kind and this record type.
            for name in ("target", "kind"):
                self.fields[name].disabled = True
            self.fields["kind"].help_text = _("نوع فیلد پس از ساخت عوض نمی‌شود.")

    def clean_label(self) -> str:
        return normalize_persian(self.cleaned_data["label"])

    def clean_section(self) -> str:
        return normalize_persian(self.cleaned_data["section"])

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("kind") == CustomField.Kind.CHOICE
            and not CustomField(options=cleaned.get("options", "")).option_list
        ):
            self.add_error("options", _("دست‌کم یک گزینه بنویسید، هر گزینه در یک سطر."))
        return cleaned

    def validate_unique(self):
        try:
            self.instance.validate_constraints()
        except forms.ValidationError:
            self.add_error("label", _("فیلدی با این عنوان برای این نوع پرونده هست."))
