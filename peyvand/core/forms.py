import re

from django import forms
from django.utils.translation import gettext_lazy as _

from peyvand.core.dates import JalaliDateField
from peyvand.core.images import check_image
from peyvand.core.models import WEEKDAY_CHOICES, HolidayOverride, Sequence, SiteSettings
from peyvand.core.money import parse_amount
from peyvand.core.text import normalize_persian, to_latin_digits
from peyvand.core.trees import ordered_nodes
from peyvand.core.validators import (
    identifier_form_field,
    normalize_landline,
    normalize_legal_id,
    normalize_mobile,
    normalize_national_id,
    normalize_record_code,
)
from peyvand.core.versions import StaleEdit


class SiteSettingsForm(forms.ModelForm):
    weekend = forms.TypedMultipleChoiceField(
        label=_("روزهای تعطیل هفته"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    economic_code = identifier_form_field("economic_code", label=_("کد اقتصادی"), required=False)
    national_id = forms.CharField(
        label=_("شناسه ملی / کد ملی"),
        required=False,
        help_text=SiteSettings._meta.get_field("national_id").help_text,
        widget=forms.TextInput(
            attrs={"dir": "ltr", "inputmode": "numeric", "placeholder": "۱۰۳۸۰۲۸۴۷۹۰"}
        ),
    )
    registration_number = forms.CharField(
        label=_("شماره ثبت"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric"}),
    )
    postal_code = identifier_form_field("postal_code", label=_("کد پستی"), required=False)
    phone = forms.CharField(
        label=_("تلفن"),
        required=False,
        widget=forms.TextInput(
            attrs={"dir": "ltr", "inputmode": "tel", "placeholder": "۰۲۱-۸۸۷۷۶۶۵۵"}
        ),
    )
    # Uploads replace the image; these remove it. (A file input cannot keep what was
    # chosen when the form comes back with errors: the browser forgets it.)
    logo = forms.ImageField(label=_("لوگو"), required=False, widget=forms.FileInput)
    stamp = forms.ImageField(
        label=_("تصویر مهر و امضا"),
        required=False,
        widget=forms.FileInput,
        help_text=SiteSettings._meta.get_field("stamp").help_text,
    )
    remove_logo = forms.BooleanField(label=_("حذف لوگوی فعلی"), required=False)
    remove_stamp = forms.BooleanField(label=_("حذف تصویر مهر و امضای فعلی"), required=False)

    GENERAL_FIELDS = (
        "company_name", "weekend", "money_unit", "calendar", "notification_poll_seconds",
    )  # fmt: skip
    IDENTITY_FIELDS = (
        "legal_name", "economic_code", "national_id", "registration_number", "province",
        "city", "address", "postal_code", "phone", "logo", "remove_logo", "stamp",
        "remove_stamp",
    )  # fmt: skip

    class Meta:
        model = SiteSettings
        fields = [
            "company_name", "weekend", "money_unit", "calendar", "notification_poll_seconds",
            "legal_name", "economic_code", "national_id", "registration_number", "province",
            "city", "address", "postal_code", "phone", "logo", "stamp",
        ]  # fmt: skip
        widgets = {
            "money_unit": forms.RadioSelect,
            "calendar": forms.RadioSelect,
            "address": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("logo", "stamp"):
            self.fields[name].error_messages["invalid_image"] = _(
                "این فایل تصویر سالم نیست؛ یک تصویر PNG یا JPEG بارگذاری کنید."
            )
            if not getattr(self.instance, name):
                del self.fields[f"remove_{name}"]
        self.fields["calendar"].required = False

    def clean_calendar(self) -> str:
        # A form posted without it (an older page, a script) keeps the calendar there is.
        return self.cleaned_data.get("calendar") or self.instance.calendar

    def general_fields(self) -> list:
        return [self[name] for name in self.GENERAL_FIELDS if name in self.fields]

    def identity_fields(self) -> list:
        return [self[name] for name in self.IDENTITY_FIELDS if name in self.fields]

    def clean_national_id(self) -> str:
        """An 11-digit legal ID (شناسه ملی) for a company, a 10-digit national code for a
        sole trader; each with its check digit."""
        value = self.cleaned_data["national_id"]
        if not value:
            return ""
        digits = re.sub(r"[\s\-]", "", to_latin_digits(value))
        if len(digits) == 11:
            return normalize_legal_id(digits)
        if len(digits) in (8, 9, 10):
            return normalize_national_id(digits)
        raise forms.ValidationError(_("شناسه ملی شخص حقوقی ۱۱ رقم و کد ملی شخص حقیقی ۱۰ رقم است."))

    def clean_registration_number(self) -> str:
        value = to_latin_digits(self.cleaned_data["registration_number"].strip())
        if value and not value.isdigit():
            raise forms.ValidationError(_("شماره ثبت فقط از رقم تشکیل می‌شود."))
        return value

    def clean_phone(self) -> str:
        """A landline with its area code, or a mobile."""
        value = self.cleaned_data["phone"].strip()
        if not value:
            return ""
        try:
            return normalize_landline(value)
        except forms.ValidationError as error:
            if error.code != "not_landline":
                raise
        return normalize_mobile(value)

    def _clean_image(self, name: str):
        upload = self.cleaned_data.get(name)
        if name in self.files and upload:
            check_image(upload)
        return upload

    def clean_logo(self):
        return self._clean_image("logo")

    def clean_stamp(self):
        return self._clean_image("stamp")

    def save(self, commit: bool = True) -> SiteSettings:
        settings = super().save(commit=False)
        for name in ("logo", "stamp"):
            new_upload = name in self.files
            if self.cleaned_data.get(f"remove_{name}") and not new_upload:
                # The file stays in the media storage (nothing uploaded is lost).
                setattr(settings, name, "")
        if commit:
            settings.save()
        return settings


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


# What a secret's field (a key, a password, a token) says instead of its value: a page
# never shows a saved secret back; left empty, the saved one stays.
SECRET_SAVED = "ذخیره شده — برای تغییر، دوباره وارد کنید"  # noqa: S105 - a label


class KeptSecretsMixin:
    """For a ModelForm of settings with secrets (a password, an API key, a token), named
    in ``secret_fields``: each is a password input that never shows the saved value back
    and says one is saved; left empty, the saved one stays. A subclass's clean() calls
    this one first, then checks what it requires."""

    secret_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.secret_fields:
            field = self.fields[name]
            field.required = False
            field.strip = False  # a password may end in a space; keys are stripped where used
            field.widget = forms.PasswordInput(
                attrs={"autocomplete": "new-password", "dir": "ltr"}, render_value=False
            )
            if getattr(self.instance, name):
                field.widget.attrs["placeholder"] = SECRET_SAVED
                field.help_text = SECRET_SAVED

    def clean(self):
        cleaned = super().clean()
        for name in self.secret_fields:
            if not cleaned.get(name):
                cleaned[name] = getattr(self.instance, name)
        return cleaned


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
        label = self.choices.field.label_from_instance  # the field's text for a record
        options = [self.create_option(name, "", "—", not selected, 0)]
        options += [
            self.create_option(name, obj.pk, label(obj), True, index)
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


class WorkingDayDateField(JalaliDateField):
    """A date in the user's calendar, or "+3": three working days from today (holidays
    and the weekly days off skipped; "+0" is today, or the next working day). Every date
    field now reads "+3" (core.dates.parse_date); this one only says so in its
    placeholder."""

    placeholder_template = "+۳ یا {example}"


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
