"""What a list page shows, from its declaration: the page of rows, the filter bar, the
active filters' chips, the sort links and the footer's totals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from peyvand.core.dates import format_date
from peyvand.core.lists.filters import DateRange, Filter, Record
from peyvand.core.lists.spec import TOTALS_CAP, ListSpec
from peyvand.core.pagination import paginate

PRIMARY_FILTERS = 4


@dataclass(frozen=True)
class BarItem:
    """One filter in the bar: its value as typed back into its inputs."""

    filter: Filter
    value: Any
    options: Any
    label_text: str = ""  # a record's name
    texts: tuple[str, ...] = ()  # a date range's from/to as the date picker writes them


def _texts(list_filter: Filter, value: Any) -> tuple[str, ...]:
    if isinstance(list_filter, DateRange) and value and not value[2]:
        return tuple(
            format_date(day, "jalali", "latin", "short") if day else "" for day in value[:2]
        )
    return ()


def list_context(request: HttpRequest, spec: ListSpec, *, page_size: int | None = None) -> dict:
    """A list page's context: ``page`` (no COUNT), ``reading``, ``bar``, ``sorts`` (the
    headers' links by sort key), ``figures`` (the footer's totals) and ``rows`` (the
    filtered queryset, for what the page adds)."""
    user = request.user
    reading = spec.read(request.GET, user)
    rows = spec.rows(user, request.GET, reading)
    page = paginate(rows, request.GET.get("page"), page_size or settings.PAGE_SIZE)
    bar = []
    for list_filter in spec.filters:
        value = reading.values.get(list_filter.name)
        options = list_filter.options(reading)
        if isinstance(list_filter, DateRange):
            options = list(list_filter.presets.items())
        label = reading.values.get(f"{list_filter.name}__label", "")
        bar.append(
            BarItem(list_filter, value, options, label if isinstance(list_filter, Record) else "",
                    _texts(list_filter, value))
        )  # fmt: skip
    # The first filters in sight; the rest fold under «فیلترهای بیشتر» (open when one of
    # them is set): every input is in the page either way.
    primary, more = bar[:PRIMARY_FILTERS], bar[PRIMARY_FILTERS:]
    return {
        "spec": spec,
        "page": page,
        "reading": reading,
        "bar": primary,
        "more": more,
        "more_set": sum(1 for item in more if item.value is not None),
        "sorts": spec.sort_links(request.GET, reading),
        "figures": spec.totals_of(rows, reading),
        "rows": rows,
        "cap": TOTALS_CAP,
    }
