from django.apps import AppConfig
from django.db.backends.signals import connection_created


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """SQLite has no fa_search_key() or fa_short_words(); give every new connection the
    Python ones so the generated search columns work (PostgreSQL gets SQL twins from
    migrations)."""
    if connection.vendor == "sqlite":
        from peyvand.core.text import fa_search_key, fa_short_words

        for function in (fa_search_key, fa_short_words):
            connection.connection.create_function(
                function.__name__, 1, function, deterministic=True
            )


def clean_typed_text_in_every_form() -> None:
    """Every form's text field — ours, Django's, the API's (it validates through the same
    forms) — drops control and bidi-override characters, and a single-line one its line
    breaks, at the one place all typed text passes: CharField.to_python. A password is
    taken as typed (it must match what was set)."""
    from django import forms

    from peyvand.core.text import clean_typed_text

    to_python = forms.CharField.to_python
    if getattr(to_python, "cleans_typed_text", False):
        return

    def cleaned_to_python(self, value):
        value = to_python(self, value)
        if isinstance(value, str) and value and not isinstance(self.widget, forms.PasswordInput):
            value = clean_typed_text(value, multiline=isinstance(self.widget, forms.Textarea))
        return value

    cleaned_to_python.cleans_typed_text = True
    forms.CharField.to_python = cleaned_to_python


def normalize_digits_in_every_form() -> None:
    """Every form's data — ours, Django's, a formset's, a GET filter form's — is read
    with Latin digits wherever it was typed with Persian or Arabic-Indic ones
    (core.text.normalize_typed_digits), at the one place a bound form reads a widget's
    value: BaseForm._widget_data_value (cleaning, has_changed and redisplay all go
    through it). Pages show inputs in Persian digits (core.digits), so this is what makes
    an edit form submitted unchanged change nothing. A password (PasswordInput) and a
    widget marked ``data-latin`` (a PEM key) are taken exactly as typed."""
    from django import forms

    from peyvand.core.digits import keeps_typed_digits
    from peyvand.core.text import normalize_typed_digits

    read = forms.BaseForm._widget_data_value
    if getattr(read, "normalizes_digits", False):
        return

    def normalized_read(self, widget, html_name):
        value = read(self, widget, html_name)
        if keeps_typed_digits(widget):
            return value
        if isinstance(value, str):
            return normalize_typed_digits(value)
        if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
            return type(value)(normalize_typed_digits(item) for item in value)
        return value

    normalized_read.normalizes_digits = True
    forms.BaseForm._widget_data_value = normalized_read


def numbers_typed_as_text_in_every_form() -> None:
    """Every number field (integer, decimal, float) is a text input with a numeric
    keyboard (``inputmode``) rather than ``type="number"``: a number input's value must be
    Latin digits (a browser blanks «۳۰»), so it would be the one place a page shows
    Latin digits (core.digits). The fields validate the number, its range and its
    decimals on the server as before, and read Persian digits (normalize_digits_in_every_form)."""
    from django import forms

    from peyvand.core.widgets import NumberTextInput

    for field, mode in (
        (forms.IntegerField, "numeric"),
        (forms.DecimalField, "decimal"),
        (forms.FloatField, "decimal"),
    ):
        # DecimalField and FloatField inherit IntegerField's widget: each gets its own.
        if not issubclass(field.__dict__.get("widget", object), NumberTextInput):
            field.widget = type(f"{field.__name__}TextInput", (NumberTextInput,), {"mode": mode})


class CoreConfig(AppConfig):
    name = "peyvand.core"
    label = "core"
    verbose_name = "هسته"

    def ready(self) -> None:
        connection_created.connect(register_sqlite_functions, weak=False)
        clean_typed_text_in_every_form()
        normalize_digits_in_every_form()
        numbers_typed_as_text_in_every_form()
        from peyvand.core.sequences import watch_patterns

        watch_patterns()
