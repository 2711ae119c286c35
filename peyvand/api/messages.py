"""Pydantic's validation errors in Persian. A 422 for a body, query or path the schema
refuses lists pydantic's errors (``type``, ``loc``, ``ctx``); their ``msg`` is English,
so it is replaced here by the Persian message of the error's type, with its limits in
Persian digits. ``type`` stays as pydantic names it, for programs that branch on it."""

from django.utils.translation import gettext as _

from peyvand.core.text import to_persian_digits


def _whole_number() -> str:
    return _("باید عدد صحیح باشد.")


def _number() -> str:
    return _("باید عدد باشد.")


def _date() -> str:
    return _("باید تاریخ میلادی به شکل YYYY-MM-DD باشد (مثلاً 2025-03-21).")


def _datetime() -> str:
    return _("باید زمان به شکل ISO 8601 باشد (مثلاً 2025-03-21T10:30:00+03:30).")


def _object() -> str:
    return _("باید یک شیء JSON باشد.")


# Messages without a limit, by pydantic's error type.
_PLAIN = {
    "missing": lambda: _("این فیلد لازم است."),
    "int_parsing": _whole_number,
    "int_type": _whole_number,
    "int_from_float": lambda: _("باید عدد صحیح و بدون اعشار باشد."),
    "int_parsing_size": lambda: _("عدد بیش از اندازه بزرگ است."),
    "float_parsing": _number,
    "float_type": _number,
    "decimal_parsing": _number,
    "decimal_type": _number,
    "finite_number": lambda: _("باید عددی متناهی باشد."),
    "string_type": lambda: _("باید متن باشد."),
    "bool_parsing": lambda: _("باید true یا false باشد."),
    "bool_type": lambda: _("باید true یا false باشد."),
    "list_type": lambda: _("باید فهرست (آرایهٔ JSON) باشد."),
    "tuple_type": lambda: _("باید فهرست (آرایهٔ JSON) باشد."),
    "set_type": lambda: _("باید فهرست (آرایهٔ JSON) باشد."),
    "dict_type": _object,
    "model_type": _object,
    "model_attributes_type": _object,
    "date_parsing": _date,
    "date_type": _date,
    "date_from_datetime_parsing": _date,
    "date_from_datetime_inexact": _date,
    "datetime_parsing": _datetime,
    "datetime_type": _datetime,
    "datetime_from_date_parsing": _datetime,
    "time_parsing": lambda: _("باید ساعت به شکل HH:MM باشد."),
    "time_type": lambda: _("باید ساعت به شکل HH:MM باشد."),
    "json_invalid": lambda: _("JSON خوانا نیست."),
    "json_type": lambda: _("باید JSON باشد."),
    "extra_forbidden": lambda: _("چنین فیلدی پذیرفته نیست."),
    "none_required": lambda: _("باید خالی (null) باشد."),
    "uuid_parsing": lambda: _("باید یک UUID باشد."),
    "uuid_type": lambda: _("باید یک UUID باشد."),
}

# Messages that name a limit: (the limit's key in ctx, the message with %(limit)s).
_LIMITED = {
    "string_too_long": ("max_length", lambda: _("حداکثر %(limit)s نویسه مجاز است.")),
    "string_too_short": ("min_length", lambda: _("دست‌کم %(limit)s نویسه لازم است.")),
    "too_long": ("max_length", lambda: _("حداکثر %(limit)s مورد مجاز است.")),
    "too_short": ("min_length", lambda: _("دست‌کم %(limit)s مورد لازم است.")),
    "greater_than": ("gt", lambda: _("باید بزرگ‌تر از %(limit)s باشد.")),
    "greater_than_equal": ("ge", lambda: _("باید دست‌کم %(limit)s باشد.")),
    "less_than": ("lt", lambda: _("باید کوچک‌تر از %(limit)s باشد.")),
    "less_than_equal": ("le", lambda: _("باید حداکثر %(limit)s باشد.")),
    "multiple_of": ("multiple_of", lambda: _("باید مضربی از %(limit)s باشد.")),
    "decimal_max_digits": ("max_digits", lambda: _("حداکثر %(limit)s رقم مجاز است.")),
    "decimal_max_places": ("decimal_places", lambda: _("حداکثر %(limit)s رقم اعشار مجاز است.")),
    "literal_error": ("expected", lambda: _("باید یکی از این‌ها باشد: %(limit)s.")),
    "enum": ("expected", lambda: _("باید یکی از این‌ها باشد: %(limit)s.")),
}


def persian_message(error: dict) -> str:
    """The Persian ``msg`` of one of pydantic's errors."""
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind in _PLAIN:
        return _PLAIN[kind]()
    if kind in _LIMITED and _LIMITED[kind][0] in context:
        key, message = _LIMITED[kind]
        return message() % {"limit": to_persian_digits(str(context[key]))}
    if kind == "value_error" and context.get("error"):
        # Raised by our own validators (schemas.py), already in Persian.
        return str(context["error"])
    return _("مقدار معتبر نیست.")


def persian_errors(errors: list[dict]) -> list[dict]:
    """The errors with their ``msg`` in Persian."""
    return [{**error, "msg": persian_message(error)} for error in errors]
