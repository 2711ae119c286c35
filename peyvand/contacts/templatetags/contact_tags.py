from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def grade_badges(contact) -> str:
    """The VIP star and the coloured grade shown beside a contact's name in every list.
    A tag rather than an include: it runs once per row of long lists."""
    parts = []
    if contact.is_vip:
        parts.append(
            format_html(
                '<span class="badge text-bg-warning" title="{}">'
                '<i class="bi bi-star-fill" aria-hidden="true"></i> {}</span> ',
                "مشتری ویژه",
                "ویژه",
            )
        )
    if contact.grade_id:
        grade = contact.grade
        parts.append(
            format_html(
                '<span class="badge text-bg-{}" title="درجه {}">{}</span> ',
                grade.color,
                grade.name,
                grade.name,
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 - each part is built by format_html
