from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from peyvand.contacts.models import (
    Category,
    Contact,
    ContactAddress,
    ContactBankAccount,
    ContactPhone,
    PhoneBookEntry,
    Region,
)
from peyvand.core.dates import JalaliDateField, validate_birthday
from peyvand.core.forms import (
    AutocompleteSelect,
    EditVersionMixin,
    MoneyField,
    TreeNodeChoiceField,
)
from peyvand.core.text import normalize_persian, to_latin_digits
from peyvand.core.trees import ordered_nodes, subtree_ids
from peyvand.core.validators import (
    format_phone_national,
    identifier_form_field,
    normalize_landline,
    normalize_legal_id,
    normalize_mobile,
    normalize_national_id,
    normalize_record_code,
)
from peyvand.customfields.forms import CustomFieldsMixin
from peyvand.lookups.models import AcquaintanceSource, Grade, Position


class ContactForm(EditVersionMixin, CustomFieldsMixin, forms.ModelForm):
    birthday = JalaliDateField(
        label=_("تاریخ تولد"), required=False, validators=[validate_birthday]
    )
    category = TreeNodeChoiceField(Category, label=_("صنف"), required=False)
    region = TreeNodeChoiceField(Region, label=_("موقعیت جغرافیایی"), required=False)
    roles = forms.MultipleChoiceField(
        label=_("نقش‌ها"),
        choices=Contact.Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    credit_limit = MoneyField(label=_("سقف اعتبار (ریال)"), required=False)
    website = forms.URLField(
        label=_("وب‌سایت"),
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"dir": "ltr", "placeholder": "https://"}),
    )
    economic_code = identifier_form_field("economic_code", label=_("کد اقتصادی"), required=False)
    postal_code = identifier_form_field("postal_code", label=_("کد پستی"), required=False)

    class Meta:
        model = Contact
        fields = [
            "kind", "name", "code", "status", "grade", "is_vip", "roles",
            "organization", "company", "position", "parent",
            "national_id", "economic_code", "registration_number", "email", "website",
            "category", "region", "address", "postal_code", "source",
            "birthday", "job", "education", "credit_limit", "payment_method", "notes",
        ]  # fmt: skip
        widgets = {
            "kind": forms.RadioSelect,
            "status": forms.RadioSelect,
            "code": forms.TextInput(
                attrs={"dir": "ltr", "placeholder": "خالی بگذارید تا خودکار داده شود"}
            ),
            "email": forms.EmailInput(attrs={"dir": "ltr"}),
            "national_id": forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric"}),
            "registration_number": forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric"}),
            "address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # New contacts may leave the code empty (the series gives one); a saved one keeps it.
        self.fields["code"].required = bool(self.instance.pk)
        self.fields["category"].current_id = self.instance.category_id
        self.fields["region"].current_id = self.instance.region_id
        for name, model, empty in [
            ("source", AcquaintanceSource, _("— انتخاب کنید —")),
            ("grade", Grade, _("— بدون درجه —")),
            ("position", Position, _("— انتخاب کنید —")),
        ]:
            self.fields[name].queryset = model.objects.active_or(
                getattr(self.instance, f"{name}_id")
            )
            self.fields[name].empty_label = empty
        self.fields["payment_method"].choices = [
            ("", "— انتخاب کنید —"),
            *Contact.PaymentMethod.choices,
        ]
        url = reverse("contacts:autocomplete") + "?kind=organization"
        for name in ("organization", "parent"):
            current = getattr(self.instance, f"{name}_id")
            # A link the user may pick: visible organisations, plus the one already set
            # (which may belong to someone this user cannot see).
            self.fields[name].queryset = Contact.objects.filter(
                Q(pk__in=Contact.objects.visible_to(user).filter(kind=Contact.Kind.ORGANIZATION))
                | Q(pk=current)
            ).exclude(pk=self.instance.pk)
            self.fields[name].widget = AutocompleteSelect(url)
            self.fields[name].widget.choices = self.fields[name].choices
        self.add_custom_fields("contacts.contact")

    def clean_name(self) -> str:
        return normalize_persian(self.cleaned_data["name"])

    def clean_company(self) -> str:
        return normalize_persian(self.cleaned_data["company"])

    def clean_registration_number(self) -> str:
        value = to_latin_digits(self.cleaned_data["registration_number"].strip())
        if value and not value.isdigit():
            raise forms.ValidationError(_("شماره ثبت فقط از رقم تشکیل می‌شود."))
        return value

    def clean_code(self) -> str:
        code = normalize_record_code(self.cleaned_data["code"])
        # Codes stay unique across the trash too: a deleted record can come back.
        taken = Contact.all_objects.filter(code=code).exclude(pk=self.instance.pk).first()
        if code and taken is not None:
            where = _(" (در سطل بازیافت)") if taken.is_deleted else ""
            raise forms.ValidationError(
                _("کد %(code)s پیش‌تر به مخاطب دیگری داده شده است%(where)s.")
                % {"code": code, "where": where}
            )
        return code

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


class TreeNodeForm(forms.ModelForm):
    """Add or edit a node of a tree; the parent select lists the tree indented, without
    the node itself and its descendants (a branch cannot move under itself)."""

    parent = forms.TypedChoiceField(
        label=_("زیرمجموعهٔ"), required=False, coerce=int, empty_value=None
    )

    class Meta:
        fields = ["name", "parent", "order", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = self._meta.model
        excluded = set()
        if self.instance.pk:
            excluded = set(subtree_ids(model, self.instance.pk))
            self.initial["parent"] = self.instance.parent_id
        self.fields["parent"].choices = [("", _("— ریشه —"))] + [
            (node.pk, node.indented_name)
            for node in ordered_nodes(model)
            if node.pk not in excluded
        ]

    def clean_parent(self):
        parent_id = self.cleaned_data["parent"]
        return self._meta.model.objects.get(pk=parent_id) if parent_id else None


def tree_node_form_class(model) -> type[TreeNodeForm]:
    return forms.modelform_factory(model, form=TreeNodeForm, fields=TreeNodeForm.Meta.fields)


_PHONE_NORMALIZERS = {
    ContactPhone.Kind.MOBILE: normalize_mobile,
    ContactPhone.Kind.LANDLINE: normalize_landline,
    ContactPhone.Kind.FAX: normalize_landline,
}


class PhoneForm(forms.Form):
    """One phone row of the contact form; the number is checked by its kind."""

    # An initial kind makes the untouched spare row "unchanged", so it is skipped.
    kind = forms.ChoiceField(
        label=_("نوع"), choices=ContactPhone.Kind.choices, initial=ContactPhone.Kind.MOBILE
    )
    number = forms.CharField(
        label=_("شماره"),
        max_length=30,
        widget=forms.TextInput(
            attrs={"dir": "ltr", "inputmode": "tel", "placeholder": "۰۹۱۲ ۳۴۵ ۶۷۸۹"}
        ),
    )
    note = forms.CharField(label=_("توضیح"), max_length=100, required=False)

    def clean(self):
        cleaned = super().clean()
        kind, number = cleaned.get("kind"), cleaned.get("number")
        if not kind or not number:
            return cleaned
        if kind == ContactPhone.Kind.INTERNAL:
            digits = to_latin_digits(number).strip()
            if not digits.isascii() or not digits.isdigit() or len(digits) > 8:
                self.add_error("number", _("شماره داخلی باید حداکثر ۸ رقم باشد."))
            cleaned["number"] = digits
        else:
            try:
                cleaned["number"] = _PHONE_NORMALIZERS[kind](number)
            except forms.ValidationError as error:
                self.add_error("number", error)
        return cleaned


class BasePhoneFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            number = form.cleaned_data.get("number")
            if not number or form.cleaned_data.get("DELETE"):
                continue
            if number in seen:
                form.add_error("number", _("این شماره دو بار وارد شده است."))
            seen.add(number)

    def phones(self) -> list[dict]:
        """The rows to keep, in order, without empty or deleted ones."""
        return [
            {key: form.cleaned_data[key] for key in ("kind", "number", "note")}
            for form in self.forms
            if form.cleaned_data.get("number") and not form.cleaned_data.get("DELETE")
        ]


PhoneFormSet = forms.formset_factory(PhoneForm, formset=BasePhoneFormSet, extra=1, can_delete=True)


def phone_formset_from_rows(rows: list[dict]) -> BasePhoneFormSet:
    """The same formset bound to rows that come from elsewhere (the API, an import), so
    phones are checked by one set of rules with the same Persian messages."""
    data = {"phones-TOTAL_FORMS": str(len(rows)), "phones-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        for key in ("kind", "number", "note"):
            data[f"phones-{index}-{key}"] = row.get(key, "")
    return PhoneFormSet(data, prefix="phones")


def phone_formset(data=None, contact: Contact | None = None, number: str = "") -> BasePhoneFormSet:
    """The phones of ``contact`` for editing (stored numbers shown the Iranian way); for
    a new contact, ``number`` (E.164, e.g. a caller's) fills the first row."""
    initial = [
        {"kind": phone.kind, "number": phone.national, "note": phone.note}
        for phone in (contact.phones.all() if contact is not None and contact.pk else [])
    ]
    if number and not initial:
        kind = ContactPhone.Kind.MOBILE if number.startswith("+989") else ContactPhone.Kind.LANDLINE
        initial = [{"kind": kind, "number": format_phone_national(number), "note": ""}]
    return PhoneFormSet(data, initial=initial, prefix="phones")


class PhoneBookEntryForm(EditVersionMixin, CustomFieldsMixin, forms.ModelForm):
    mobile = identifier_form_field("mobile", label=_("تلفن همراه"), required=False)
    phone = identifier_form_field("landline", label=_("تلفن ثابت"), required=False)

    class Meta:
        model = PhoneBookEntry
        fields = [
            "name", "company", "job_title", "mobile", "phone", "extension", "email",
            "address", "notes", "is_public",
        ]  # fmt: skip
        widgets = {
            "email": forms.EmailInput(attrs={"dir": "ltr"}),
            "extension": forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric"}),
            "address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Sharing with everyone is a choice; managing others' shared numbers is a role.
        if self.instance.pk and self.instance.owner_id != user.pk:
            self.fields["is_public"].disabled = True
        self.add_custom_fields("contacts.phonebookentry")

    def clean_name(self) -> str:
        return normalize_persian(self.cleaned_data["name"])

    def clean_company(self) -> str:
        return normalize_persian(self.cleaned_data["company"])

    def clean_extension(self) -> str:
        digits = to_latin_digits(self.cleaned_data["extension"]).strip()
        if digits and (not digits.isascii() or not digits.isdigit() or len(digits) > 8):
            raise forms.ValidationError(_("شماره داخلی باید حداکثر ۸ رقم باشد."))
        return digits

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) for name in ("mobile", "phone", "extension", "email")):
            raise forms.ValidationError(
                _("دست‌کم یکی از تلفن همراه، تلفن ثابت، داخلی یا ایمیل را بنویسید.")
            )
        return cleaned


class BankAccountForm(forms.ModelForm):
    iban = identifier_form_field("iban", label=_("شماره شبا"))
    card_number = identifier_form_field("bank_card", label=_("شماره کارت"), required=False)

    class Meta:
        model = ContactBankAccount
        fields = ["iban", "card_number", "bank", "holder"]

    def clean_bank(self) -> str:
        return normalize_persian(self.cleaned_data["bank"])

    def clean_holder(self) -> str:
        return normalize_persian(self.cleaned_data["holder"])


class AddressForm(forms.ModelForm):
    postal_code = identifier_form_field("postal_code", label=_("کد پستی"), required=False)

    class Meta:
        model = ContactAddress
        fields = ["kind", "title", "value", "postal_code"]
        widgets = {"kind": forms.RadioSelect, "value": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        cleaned = super().clean()
        value = normalize_persian(cleaned.get("value") or "")
        if cleaned.get("kind") == ContactAddress.Kind.EMAIL and value:
            try:
                value = forms.EmailField().clean(value)
            except forms.ValidationError as error:
                self.add_error("value", error)
        cleaned["value"] = value
        return cleaned
