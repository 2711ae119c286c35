from django.apps import AppConfig
from django.db.backends.signals import connection_created


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """SQLite has no fa_search_key(); give every new connection the Python one so the
    generated search columns work (PostgreSQL gets an SQL twin from a migration)."""
    if connection.vendor == "sqlite":
        from peyvand.core.text import fa_search_key

        connection.connection.create_function("fa_search_key", 1, fa_search_key, deterministic=True)


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


class CoreConfig(AppConfig):
    name = "peyvand.core"
    label = "core"
    verbose_name = "هسته"

    def ready(self) -> None:
        connection_created.connect(register_sqlite_functions, weak=False)
        clean_typed_text_in_every_form()
        from peyvand.core.sequences import watch_patterns

        watch_patterns()
