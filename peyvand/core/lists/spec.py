"""One declaration per list (docs/lists-design.md §3.2): where its rows come from (what
the user may see), its filters, its sorts and its totals. The page, its exports and the
API's list operation read rows through ``ListSpec.rows``, so the three always agree on
what is filtered; a filter only ever narrows ``base(user)``, so none can widen what a
user sees."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.http import QueryDict

from peyvand.core.lists.bulk import BulkAction
from peyvand.core.lists.filters import Filter, Reading, Record, Search

# Every declared list by key (register_list, from the owning app's ready()): saved views
# and the list URLs of core find their list here.
LISTS: dict[str, ListSpec] = {}


def register_list(spec: ListSpec) -> None:
    LISTS[spec.key] = spec


# A filtered total reads at most this many rows (§3.9): past it the footer says so
# instead of counting a million rows on every page view.
TOTALS_CAP = 100_000


@dataclass(frozen=True)
class Sort:
    """``?sort=<key>`` (its natural direction) or ``?sort=-<key>`` (the other). Each
    order ends with the primary key (or is a unique field), so pages never overlap;
    ``index`` names the index that serves it (a test checks it exists)."""

    key: str
    label: str
    order_by: tuple[Any, ...]  # names ("-date"), or F("next_at").asc(nulls_last=True)
    index: str

    def reversed_order(self) -> tuple[Any, ...]:
        return tuple(_reversed(term) for term in self.order_by)


@dataclass(frozen=True)
class Column:
    """A column a user may show, hide and move: ``cell(row)`` is its safe HTML (see
    core.lists.cells); ``sort`` the key of the Sort its heading links to."""

    key: str
    label: str
    cell: Callable[[Any], str]
    sort: str = ""
    default: bool = True
    # Shown by default only to who holds this permission (a manager sees who issued
    # each invoice; a rep's list is mostly their own): defaults per role.
    default_for: str = ""
    # A button that acts on the row («انجام شد»): a cell on a wide screen, an entry of
    # the card's «⋯» menu on a phone (core/lists/_table.html).
    action: bool = False


@dataclass
class ListReading(Reading):
    """A list's request: its filters' values, the sort chosen and the chips to show."""

    sort: Sort | None = None
    descending: bool = False
    chips: list[tuple[str, str]] = field(default_factory=list)  # (label, query without it)
    # The query of the whole list: empty, but for the choices that have a default.
    everything: str = ""
    # The names of the columns and filters this installation hides (ListSpec.hidden),
    # read once for the request.
    hidden: frozenset[str] = frozenset()

    @property
    def narrowed(self) -> bool:
        return bool(self.chips)


@dataclass(frozen=True)
class ListSpec:
    key: str
    label: str
    model: Any
    permission: str
    url_name: str  # the page
    base: Callable[[Any], QuerySet]
    filters: Sequence[Filter]
    sorts: Sequence[Sort]
    columns: Sequence[Column] = ()
    # The footer's aggregates for a reading (name → expression), or None: no footer.
    totals: Callable[[ListReading], dict[str, Any]] | None = None
    # A row's CSS classes (a request past its deadline in red), or None.
    row_class: Callable[[Any, ListReading], str] | None = None
    # The fields this installation does not use (the service settings' hidden fields):
    # the columns and filters of those names leave the bar, the table, the columns menu
    # and the exports, and such a filter in a query is ignored. None: nothing hidden.
    hidden: Callable[[], Collection[str]] | None = None
    # The sort when none (or an unknown one) is asked, e.g. "-created": the first sort
    # the other way. Empty: the first sort, its natural way.
    default_sort: str = ""
    # The query parameter that opens a saved view (?view=<id>), left out of what a view
    # or the columns menu keeps. A list whose own filter is called ``view`` (the
    # complaints' tabs, a name the API reads too) names another, or saving would drop
    # the filter and opening the view would overwrite it.
    view_param: str = "view"
    # What may be done to the ticked rows or to all the filtered ones (core.lists.bulk):
    # the page gets tick boxes and an action bar, core:list_bulk does it.
    actions: Sequence[BulkAction] = ()
    # Columns known only at request time (one per custom field a manager defined:
    # customfields.lists.CustomFieldColumns), after the declared ones. Given the
    # request's reading, so they can share what the filters read (``reading.source``):
    # the page pays no query more for them. None: the declared columns only.
    more_columns: Callable[[ListReading], Sequence[Column]] | None = None

    @property
    def search(self) -> Search | None:
        return next((f for f in self.filters if isinstance(f, Search)), None)

    def all_columns(self, reading: ListReading | None = None) -> list[Column]:
        """Every column a user may choose: the declared ones and, for a request's
        reading, those computed for it (``more_columns``, once per reading)."""
        if reading is None or self.more_columns is None:
            return list(self.columns)
        more = self.more_columns
        return reading.source(f"columns:{self.key}", lambda: [*self.columns, *more(reading)])

    def shown_columns(
        self,
        chosen: Sequence[str],
        user,
        hidden: Collection[str] = (),
        reading: ListReading | None = None,
    ) -> list[Column]:
        """The columns a user chose, in their order (keys no longer declared, such as a
        custom field since deactivated, are skipped); the defaults for their role when
        they chose none. ``hidden`` columns (ListSpec.hidden) never show. With a
        ``reading``, the columns computed for it (``more_columns``) can be chosen too."""
        declared = [column for column in self.all_columns(reading) if column.key not in hidden]
        by_key = {column.key: column for column in declared}
        shown = [by_key[key] for key in chosen if key in by_key]
        return shown or [
            column
            for column in declared
            if column.default and (not column.default_for or user.has_perm(column.default_for))
        ]

    def read(self, params: QueryDict, user) -> ListReading:
        reading = ListReading(user=user)
        if self.hidden is not None:
            reading.hidden = frozenset(self.hidden())
        for list_filter in self.filters:
            if list_filter.name in reading.hidden:
                continue
            value = list_filter.read(params, reading)
            if value is not None:
                reading.values[list_filter.name] = value
            if isinstance(list_filter, Record):
                # Always asked (the fixed query count), named through its visibility.
                reading.values[f"{list_filter.name}__label"] = list_filter.label_of(value, reading)
        wanted = params.get("sort", "")
        if wanted.lstrip("-") not in {sort.key for sort in self.sorts}:
            wanted = self.default_sort
        descending = wanted.startswith("-")
        by_key = {sort.key: sort for sort in self.sorts}
        reading.sort = by_key.get(wanted.lstrip("-"), self.sorts[0])
        reading.descending = descending and reading.sort.key == wanted.lstrip("-")
        reading.everything = self.everything().urlencode()
        for list_filter in self.filters:
            if list_filter.name in reading.values:
                without = params.copy()
                without.pop("page", None)
                list_filter.clear(without)
                reading.chips.append(
                    (
                        list_filter.chip(reading.values[list_filter.name], reading),
                        without.urlencode(),
                    )
                )
        return reading

    def everything(self) -> QueryDict:
        """The query of the whole list: every filter off, defaults included (``status=all``
        for a list that starts at its open rows)."""
        everything = QueryDict(mutable=True)
        for list_filter in self.filters:
            list_filter.clear(everything)
        return everything

    def action(self, key: str) -> BulkAction | None:
        return next((action for action in self.actions if action.key == key), None)

    def rows(self, user, params: QueryDict, reading: ListReading | None = None) -> QuerySet:
        """The rows the user may see under the filters, in the order chosen."""
        reading = reading or self.read(params, user)
        queryset = self.base(user)
        for list_filter in self.filters:
            if list_filter.name in reading.values:
                queryset = list_filter.narrow(queryset, reading.values[list_filter.name], reading)
        sort = reading.sort or self.sorts[0]
        order = sort.reversed_order() if reading.descending else sort.order_by
        return queryset.order_by(*order)

    def totals_of(self, rows: QuerySet, reading: ListReading) -> dict[str, Any] | None:
        """The filtered rows' count and totals, reading at most TOTALS_CAP rows: one
        query (Django aggregates a sliced queryset over a subquery). ``capped`` says the
        figures cover only the first TOTALS_CAP rows."""
        if self.totals is None:
            return None
        figures = rows.order_by()[: TOTALS_CAP + 1].aggregate(
            count=Count("pk"), **self.totals(reading)
        )
        figures["capped"] = figures["count"] > TOTALS_CAP
        return figures

    def sort_links(self, params: QueryDict, reading: ListReading) -> dict[str, dict]:
        """For each sortable column: the link that sorts by it (the other direction when
        it is the current sort) and its aria-sort."""
        links = {}
        for sort in self.sorts:
            current = reading.sort is not None and reading.sort.key == sort.key
            query = params.copy()
            query.pop("page", None)
            query["sort"] = f"-{sort.key}" if current and not reading.descending else sort.key
            natural_descending = _descending(sort.order_by[0])
            descending = natural_descending != (current and reading.descending)
            links[sort.key] = {
                "query": query.urlencode(),
                "aria": ("descending" if descending else "ascending") if current else "none",
                "label": sort.label,
            }
        return links


# A sort's terms are names or, for a column that may be empty (a lead's next follow-up),
# an expression saying where the empty ones go, matching the index that serves it.
def _reversed(term):
    if isinstance(term, str):
        return term[1:] if term.startswith("-") else f"-{term}"
    return term.copy().reverse_ordering()


def _descending(term) -> bool:
    return term.startswith("-") if isinstance(term, str) else term.descending


def register_list_filter(key: str, list_filter: Filter, *, after: str = "") -> None:
    """A filter an upper app adds to a lower app's list (messaging's send group on the
    contacts), from its ``ready()``: placed after the filter named ``after`` (else
    last). The list declares ``filters`` as a list for this."""
    filters = LISTS[key].filters
    if any(known.name == list_filter.name for known in filters):
        return
    at = next((i + 1 for i, known in enumerate(filters) if known.name == after), len(filters))
    filters.insert(at, list_filter)
