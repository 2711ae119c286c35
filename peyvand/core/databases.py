"""Which database a read goes to. Reports (their pages, exports, the dashboard and the
API) may read from a streaming replica of the primary (REPORTS_DATABASE_URL), so a
manager's year-long report does not compete with the people typing into the primary;
every other read, and every write, stays on the primary."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

_reading_from: ContextVar[str | None] = ContextVar("reading_from", default=None)


def reports_database() -> str:
    """The alias reports read from: the replica when there is one, except inside a
    transaction on the primary, whose own writes the replica cannot see yet."""
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return settings.REPORTS_DATABASE


@contextmanager
def reading_reports() -> Iterator[str]:
    """Every read inside goes to ``reports_database()`` (through ReportsRouter)."""
    alias = reports_database()
    token = _reading_from.set(alias)
    try:
        yield alias
    finally:
        _reading_from.reset(token)


class ReportsRouter:
    def db_for_read(self, model, **hints) -> str | None:
        return _reading_from.get()

    def db_for_write(self, model, **hints) -> str:
        # Never the replica, even for a row a report loaded from it.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the replica holds the primary's rows

    def allow_migrate(self, db, app_label, **hints) -> bool | None:
        return False if db == "reports" else None
