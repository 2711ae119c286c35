"""The project's template filters: every date, number and amount a user sees goes
through these, in the user's calendar and digits (see core.display)."""

import datetime
import html
from decimal import Decimal

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from peyvand.core import dates, money, registry
from peyvand.core.display import current_preferences, localize_digits
from peyvand.core.validators import format_phone_national

register = template.Library()


@register.filter
def fa_date(value, style: str = "short") -> str:
    """{{ contact.birthday|fa_date }} or {{ value|fa_date:"long" }}; ISO strings too."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        # A moment (history lines written before they were typed "datetime") or a day.
        value = (
            datetime.datetime.fromisoformat(value)
            if "T" in value
            else (datetime.date.fromisoformat(value))
        )
    preferences = current_preferences()
    return dates.format_date(value, preferences.calendar, preferences.digits, style)


@register.filter
def fa_datetime(value) -> str:
    """A moment in Tehran time, in the user's calendar; ISO strings too (history)."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value) if value else None
    preferences = current_preferences()
    return dates.format_datetime(value, preferences.calendar, preferences.digits)


@register.filter
def fa_time(value) -> str:
    return dates.format_time(value, current_preferences().digits)


@register.filter
def fa_number(value) -> str:
    """Grouped thousands in the user's digits; text passes through with its digits
    converted (codes, phone numbers)."""
    if value is None or value == "":
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        text = f"{value:,}"
        if current_preferences().digits == "fa":
            # Persian separators: ٬ for thousands, ٫ for decimals.
            text = text.translate(str.maketrans(",.", "٬٫"))
        return localize_digits(text)
    return localize_digits(str(value))


@register.filter
def fa_digits(value) -> str:
    """Digits in the user's preference, without grouping (years, codes, extensions)."""
    return localize_digits(str(value)) if value not in (None, "") else ""


@register.filter
def fa_money(rials, unit: str = "") -> str:
    """An amount in the user's money unit, or in ``unit`` (a document's own)."""
    preferences = current_preferences()
    return money.format_money(rials, unit or preferences.money_unit, preferences.digits)


@register.filter
def fa_money_words(rials, unit: str = "") -> str:
    """An amount in words in the user's money unit (or ``unit``): «یک میلیون و دویست
    هزار ریال»."""
    if rials is None or rials == "":
        return ""
    return money.amount_in_words(rials, unit or current_preferences().money_unit)


_CHECK_WIDGETS = ("CheckboxInput",)
_CHOICE_LIST_WIDGETS = ("RadioSelect", "CheckboxSelectMultiple")
_SELECT_WIDGETS = ("Select", "SelectMultiple", "NullBooleanSelect")


@register.inclusion_tag("core/_field.html")
def form_field(field, col: str = "col-12"):
    """One Bootstrap form row: label, widget with the right class, help, Persian errors."""
    widget = field.field.widget
    kind = type(widget).__name__
    if field.is_hidden:
        # No row, no label: a form looping over its fields carries it unseen (an edit
        # form's version, core.forms.EditVersionMixin).
        return {"field": field, "layout": "hidden", "widget": field.as_widget()}
    if kind in _CHECK_WIDGETS:
        css, layout = "form-check-input", "check"
    elif kind in _CHOICE_LIST_WIDGETS:
        # Each option renders its own <input>; they read the class from the widget.
        widget.attrs["class"] = "form-check-input"
        css, layout = "form-check-input", "choices"
    elif kind in _SELECT_WIDGETS:
        css, layout = "form-select", "plain"
    else:
        css, layout = "form-control", "plain"
    if field.errors:
        css += " is-invalid"
    attrs = {"class": f"{widget.attrs.get('class', '')} {css}".strip()}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return {"field": field, "layout": layout, "col": col, "widget": field.as_widget(attrs=attrs)}


@register.filter
def fa_duration(seconds) -> str:
    """A length of time in seconds as a clock shows it: «۳:۰۵», «۱:۰۲:۰۵»."""
    if seconds in (None, ""):
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
    return localize_digits(text)


@register.filter
def fa_phone(value: str) -> str:
    """A stored E.164 number as Iranians write it (0912 345 6789), in the user's digits."""
    return localize_digits(format_phone_national(value)) if value else ""


@register.filter
def phone_link(value: str) -> str:
    """A stored number as a link a phone dials with one tap (``tel:``), left to right in
    the user's digits and on one line, with «پیامک» (``sms:``) beside a mobile. Text that
    is no phone number (an extension, a caller id) is dialled as it is."""
    if not value:
        return ""
    dial = "".join(char for char in value if char.isdigit() or char == "+")
    if not dial:
        return escape(value)
    sms = (
        format_html(
            ' <a class="phone-sms" href="sms:{}" title="پیامک" aria-label="پیامک">'
            '<i class="bi bi-chat-text" aria-hidden="true"></i></a>',
            dial,
        )
        if dial.startswith("+989")
        else ""
    )
    return format_html(
        '<span class="text-nowrap"><a class="ltr" href="tel:{}">{}</a>{}</span>',
        dial,
        fa_phone(value),
        sms,
    )


@register.filter
def email_link(value: str) -> str:
    """An e-mail address as a ``mailto:`` link, left to right."""
    if not value:
        return ""
    return format_html('<a class="ltr" href="mailto:{0}">{0}</a>', value)


@register.simple_tag(takes_context=True)
def back_field(context) -> str:
    """The hidden ``next`` of a form opened from another page (the quick-create menu's
    ?next=, kept through a refused POST): where core.access.back_or returns once saved."""
    request = context.get("request")
    back = request and (request.POST.get("next") or request.GET.get("next"))
    return format_html('<input type="hidden" name="next" value="{}">', back) if back else ""


@register.simple_tag
def lookup_value(record, field) -> str:
    """A field's display value: choice label, or number in the user's digits."""
    if field.choices:
        return getattr(record, f"get_{field.name}_display")()
    return fa_number(getattr(record, field.name))


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (for pagers and sorts)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()


@register.simple_tag
def tree_options(nodes, selected) -> str:
    """<option>s for tree nodes, indented, with ``selected`` marked."""
    return select_options([(node.pk, node.indented_name) for node in nodes], selected)


@register.simple_tag
def select_options(choices, selected) -> str:
    """<option>s for (value, label) pairs or records (pk, str), ``selected`` marked.
    Built here with the standard library's escape: region trees and user lists run to
    hundreds of options on every list page, and a template loop or format_html (lazy-
    aware escaping per value) over them cost several milliseconds a page."""
    parts = []
    for choice in choices:
        value, label = choice if isinstance(choice, tuple) else (choice.pk, choice)
        mark = " selected" if value == selected and selected not in (None, "") else ""
        parts.append(
            f'<option value="{html.escape(str(value))}"{mark}>{html.escape(str(label))}</option>'
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above


@register.filter
def model_label(record) -> str:
    """ "contacts.contact" for a contact: the URL part naming a record's type."""
    return record._meta.label_lower


@register.simple_tag(takes_context=True)
def record_panels(context, record) -> str:
    """The cards other modules add to this record's page (core.registry)."""
    request = context["request"]
    label = record._meta.label_lower
    return mark_safe(  # noqa: S308 - each panel is a template rendered with autoescape
        "".join(
            render_to_string(
                panel.template,
                {"record": record, **panel.context(request, record)},
                request=request,
            )
            for panel in registry.record_panels
            if panel.model_label == label and request.user.has_perm(panel.permission)
        )
    )


@register.simple_tag(takes_context=True)
def list_action_buttons(context, model_label: str, filters_form: str = "") -> str:
    """Other modules' actions on a list (core.registry.ListAction). Given the filter
    form's selector, links that carry the list's current filters (read from the form
    when clicked); without it, buttons that send the ticked rows' ids (#bulk-form)."""
    request = context["request"]
    parts = []
    for action in registry.list_actions:
        if action.model_label != model_label or not request.user.has_perm(action.permission):
            continue
        url = reverse(action.url_name)
        if filters_form:
            parts.append(
                format_html(
                    '<a class="btn btn-outline-secondary" data-query-from="{}" '
                    'href="{}?{}"><i class="bi bi-{}" aria-hidden="true"></i> {}</a>',
                    filters_form,
                    url,
                    request.GET.urlencode(),
                    action.icon,
                    action.label,
                )
            )
        else:
            parts.append(
                format_html(
                    '<button class="btn btn-sm btn-outline-secondary" type="submit" '
                    'form="bulk-form" formmethod="get" formaction="{}">'
                    '<i class="bi bi-{}" aria-hidden="true"></i> {}</button>',
                    url,
                    action.icon,
                    action.label,
                )
            )
    return mark_safe("".join(parts))  # noqa: S308 - every part went through format_html


@register.simple_tag
def user_calendar() -> str:
    """The calendar of the person reading the page ("jalali", "gregorian" or "hijri"):
    the date pickers (static/peyvand/js/) pick theirs by it."""
    return current_preferences().calendar
