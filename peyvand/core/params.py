"""Numbers read from a query string or a form's hidden field: every list page, export
and API list parses its ids and page numbers here, so a value no database column can hold
(SQLite raises OverflowError past a signed 64-bit integer) or no number at all never
reaches a query. An id that cannot exist reads as "not given", like any other nonsense."""

from django.http import QueryDict

# The largest value of a signed 64-bit integer column (SQLite's INTEGER, PostgreSQL's
# bigint); every id of ours fits below it.
MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """A positive integer that can be a row's id, or None."""
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def int_param(params: QueryDict, name: str) -> int | None:
    return parse_id(params.get(name))


def id_list_param(params: QueryDict, name: str) -> list[int]:
    return [number for value in params.getlist(name) if (number := parse_id(value))]
