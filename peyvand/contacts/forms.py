from django import forms
from django.utils.translation import gettext_lazy as _

from peyvand.contacts.models import Category, Contact, Region
from peyvand.core.dates import JalaliDateField
from peyvand.core.forms import TreeNodeChoiceField
from peyvand.core.text import normalize_persian
from peyvand.core.trees import ordered_nodes, subtree
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
    category = TreeNodeChoiceField(Category, label=_("صنف"), required=False)
    region = TreeNodeChoiceField(Region, label=_("موقعیت جغرافیایی"), required=False)

    class Meta:
        model = Contact
        fields = [
            "kind", "name", "company", "code", "mobile", "phone", "email",
            "national_id", "category", "region", "source", "birthday", "notes",
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
        self.fields["category"].current_id = self.instance.category_id
        self.fields["region"].current_id = self.instance.region_id
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
            excluded = set(subtree(model, self.instance.pk).values_list("pk", flat=True))
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
