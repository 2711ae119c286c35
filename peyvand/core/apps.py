from django.apps import AppConfig
from django.db.backends.signals import connection_created


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """SQLite has no fa_search_key(); give every new connection the Python one so the
    generated search columns work (PostgreSQL gets an SQL twin from a migration)."""
    if connection.vendor == "sqlite":
        from peyvand.core.text import fa_search_key

        connection.connection.create_function("fa_search_key", 1, fa_search_key, deterministic=True)


class CoreConfig(AppConfig):
    name = "peyvand.core"
    label = "core"
    verbose_name = "هسته"

    def ready(self) -> None:
        connection_created.connect(register_sqlite_functions, weak=False)
