from django import template

from peyvand.customfields.display import value_sections
from peyvand.customfields.models import CustomField

register = template.Library()


@register.inclusion_tag("customfields/_values.html")
def custom_values(record) -> dict:
    """The detail page's custom field values, grouped by section."""
    fields = list(CustomField.objects.for_target(record._meta.label_lower))
    return {"sections": value_sections(fields, record)}
