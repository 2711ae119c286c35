from django import forms

from peyvand.lookups.models import LookupItem


def lookup_form_class(model: type[LookupItem]) -> type[forms.ModelForm]:
    return forms.modelform_factory(
        model, fields=["name", *model.extra_fields, "order", "is_active"]
    )
