"""Pagination that never counts rows: fetch one row more than the page size to know
whether there is a next page. COUNT(*) over millions of visible rows is what makes
CRM lists slow; users page forward and back, they do not need "page 7 of 41,210"."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass
class Page:
    items: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.items else 0

    size: int = 25


# Far past any list's end, and an offset every database can take (a page number typed
# into the address bar must not overflow SQLite's 64-bit integers).
MAX_PAGE = 1_000_000


def paginate(queryset: QuerySet, page: str | int | None, size: int) -> Page:
    try:
        number = min(MAX_PAGE, max(1, int(page or 1)))
    except (TypeError, ValueError):
        number = 1
    offset = (number - 1) * size
    # A reader's rows read by owner where that is cheaper (core.models.VisibleQuerySet).
    first_rows = getattr(queryset, "first_rows", None)
    if first_rows is not None:
        queryset = first_rows(offset + size + 1)
    rows = list(queryset[offset : offset + size + 1])
    return Page(items=rows[:size], number=number, has_next=len(rows) > size, size=size)
