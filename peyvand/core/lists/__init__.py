"""One mechanism for list pages, their exports and the API's list operations: a list
declares its filters, sorts and totals once (``ListSpec``); see docs/lists-design.md."""

from peyvand.core.lists.filters import (
    FUTURE,
    PAST,
    AmountRange,
    Choice,
    DateRange,
    DateTimeRange,
    Filter,
    MultiChoice,
    Person,
    Reading,
    Record,
    Search,
    Tree,
    YesNo,
)
from peyvand.core.lists.spec import (
    LISTS,
    TOTALS_CAP,
    Column,
    ListReading,
    ListSpec,
    Sort,
    register_list,
    register_list_filter,
)

__all__ = [
    "FUTURE",
    "LISTS",
    "PAST",
    "TOTALS_CAP",
    "AmountRange",
    "Choice",
    "Column",
    "DateRange",
    "DateTimeRange",
    "Filter",
    "ListReading",
    "ListSpec",
    "MultiChoice",
    "Person",
    "Reading",
    "Record",
    "Search",
    "Sort",
    "Tree",
    "YesNo",
    "register_list",
    "register_list_filter",
]
