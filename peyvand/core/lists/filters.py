"""The kinds of filter a list declares (docs/lists-design.md §3.4). Each owns its
query-string names, reads them (a value it cannot read is dropped with a Persian warning,
never an error page), narrows a queryset that already holds only what the user may see,
and says what the filter bar shows. Every kind costs the same queries whether it is set
or not, so a list page's query count does not depend on its filters."""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.safestring import mark_safe

from peyvand.core.dates import format_date, parse_date, user_calendar
from peyvand.core.money import format_money, parse_amount
from peyvand.core.params import parse_id
from peyvand.core.periods import period_range
from peyvand.core.text import (
    fa_search_key,
    national_phone_key,
    normalize_persian,
    search_span,
    to_latin_digits,
    typed_short_words,
)

# The API's dates (and what a Gregorian user may type the same way): 2026-12-06.
_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")

# Presets of a date range (docs/lists-design.md §3.5): looking back (dates of records)
# and looking ahead (due dates, deadlines).
PAST = {
    "today": "امروز",
    "yesterday": "دیروز",
    "this_week": "این هفته",
    "last_week": "هفته گذشته",
    "this_month": "این ماه",
    "last_month": "ماه گذشته",
    "this_quarter": "این فصل",
    "last_quarter": "فصل گذشته",
    "this_year": "امسال",
    "last_year": "سال گذشته",
    "fiscal_year": "سال مالی",
}
FUTURE = {
    "overdue": "گذشته (سررسیدشده)",
    "today": "امروز",
    "tomorrow": "فردا",
    "this_week": "این هفته",
    "next_week": "هفته آینده",
    "next_30_days": "۳۰ روز آینده",
    "this_month": "این ماه",
}


@dataclass
class Reading:
    """What one request's parameters mean for a list: each active filter's value, and
    the warnings for what could not be read."""

    values: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    user: Any = None
    today: datetime.date = field(default_factory=timezone.localdate)
    # Options read from the database, once per request whoever asks (read, chip, bar).
    sources: dict[str, Any] = field(default_factory=dict)

    def source(self, key: str, load: Callable[[], Any]) -> Any:
        if key not in self.sources:
            self.sources[key] = load()
        return self.sources[key]


@dataclass(frozen=True, kw_only=True)
class Filter:
    name: str
    label: str
    template = ""

    def names(self) -> tuple[str, ...]:
        return (self.name,)

    # The value of the bar's «همه» option.
    all_value = ""

    def clear(self, params: QueryDict) -> None:
        """Takes the filter out of a (mutable) query: what its chip's × links to."""
        for name in self.names():
            params.pop(name, None)

    def read(self, params: QueryDict, reading: Reading) -> Any:
        """The value given, or None (nothing given, or nothing readable)."""
        value = params.get(self.name, "").strip()
        return value or None

    def narrow(self, queryset: QuerySet, value: Any, reading: Reading) -> QuerySet:
        raise NotImplementedError

    def options(self, reading: Reading) -> Sequence[tuple[Any, str]]:
        return ()

    def chip(self, value: Any, reading: Reading) -> str:
        labels = {str(key): label for key, label in self.options(reading)}
        return f"{self.label}: {labels.get(str(value), value)}"

    def parameters(self) -> dict[str, tuple[Any, str]]:
        """The API's query parameters for this filter: name → (type, description). The
        page reads the same names (api.common.list_query builds the API's schema)."""
        return {self.name: (str, str(self.label))}


def _marked(label: str, text: str, span: tuple[int, int]) -> str:
    start, end = span
    before, match, after = (
        html.escape(part) for part in (text[:start], text[start:end], text[end:])
    )
    # A phone or a code reads left to right inside the Persian line.
    way = "rtl" if _RTL_LETTER.search(text) else "ltr"
    return mark_safe(  # noqa: S308 - each part escaped above
        f'<div class="small text-secondary search-why">{html.escape(str(label))}: '
        f'<bdi dir="{way}" class="text-nowrap">{before}<mark>{match}</mark>{after}</bdi></div>'
    )


_RTL_LETTER = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")

# What a choice with a default is given to show every row: without it, the default.
ALL = "all"
# The reader, in a person filter.
ME = "me"


@dataclass(frozen=True, kw_only=True)
class Choice(Filter):
    """One of fixed choices: ``field=value``, or ``condition(value, reading)`` for a
    state that is not a column (an invoice's payment state). A ``default`` applies only
    when the parameter is absent (the cheques «در دست وصول»): it shows as a chip like any
    choice, and «همه» sends ``ALL`` explicitly, so that the whole list has an address."""

    choices: Sequence[tuple[str, str]] | Callable[[], Sequence[tuple[Any, str]]]
    field: str = ""
    condition: Callable[[str, Reading], Q] | None = None
    default: str = ""
    template = "core/lists/_choice.html"

    def options(self, reading: Reading) -> Sequence[tuple[Any, str]]:
        if callable(self.choices):
            return reading.source(self.name, self.choices)
        return self.choices

    @property
    def all_value(self) -> str:
        return ALL if self.default else ""

    def clear(self, params: QueryDict) -> None:
        super().clear(params)
        if self.default:
            params[self.name] = ALL  # absent would mean the default again

    def read(self, params: QueryDict, reading: Reading) -> Any:
        if self.default and self.name not in params:
            return self.default
        value = super().read(params, reading)
        if value is None or (self.default and value == ALL):
            return None
        if value not in {str(key) for key, _label in self.options(reading)}:
            return None  # a typo in the address bar filters nothing
        return value

    def narrow(self, queryset: QuerySet, value: Any, reading: Reading) -> QuerySet:
        if self.condition is not None:
            return queryset.filter(self.condition(value, reading))
        return queryset.filter(**{self.field: value})

    def values(self) -> tuple[str, ...] | None:
        """The values the API accepts, when they are fixed (not read from the database)."""
        if callable(self.choices):
            return None
        return tuple(str(key) for key, _label in self.choices) + ((ALL,) if self.default else ())

    def parameters(self) -> dict[str, tuple[Any, str]]:
        values = self.values()
        kind = Literal[("", *values)] if values else str
        return {self.name: (kind, str(self.label))}


@dataclass(frozen=True, kw_only=True)
class Record(Filter):
    """One record of a large table (a customer): its id, picked with the record picker
    that asks ``url``. Its label is read through the model's own visibility — an id the
    user may not see still narrows (rows stay within what they see) but is named
    «نامعلوم». One query, always: an empty choice reads no row."""

    field: str
    model: Any
    url: str
    template = "core/lists/_record.html"

    def read(self, params: QueryDict, reading: Reading) -> Any:
        return parse_id(params.get(self.name))

    def narrow(self, queryset: QuerySet, value: Any, reading: Reading) -> QuerySet:
        return queryset.filter(**{f"{self.field}_id": value})

    def parameters(self) -> dict[str, tuple[Any, str]]:
        return {self.name: (int | None, f"{self.label} (شناسه)")}

    def label_of(self, value: Any, reading: Reading) -> str:
        # pk__in=[0] when empty: the query runs either way (the pinned query count).
        found = (
            self.model.objects.visible_to(reading.user)
            .filter(pk__in=[value or 0])
            .values_list("name", flat=True)
            .first()
        )
        return found or ("نامعلوم" if value else "")

    def chip(self, value: Any, reading: Reading) -> str:
        return f"{self.label}: {reading.values.get(f'{self.name}__label') or 'نامعلوم'}"


@dataclass(frozen=True, kw_only=True)
class Person(Filter):
    """A user among those ``people(reading)`` offers (one query), «من» first. ``me``
    stays ``me`` in the value (and so in a saved or shared view: «my leads» is each
    reader's own). ``default="me"`` starts the list at the reader (تماس‌های من، وظایف من)
    when the parameter is absent, like a Choice's default: «همه» then sends ``all``."""

    field: str
    people: Callable[[Reading], Sequence[Any]]
    default: str = ""
    template = "core/lists/_choice.html"

    @property
    def all_value(self) -> str:
        return ALL if self.default else ""

    def clear(self, params: QueryDict) -> None:
        super().clear(params)
        if self.default:
            params[self.name] = ALL  # absent would mean the default again

    def read(self, params: QueryDict, reading: Reading) -> Any:
        if self.default and self.name not in params:
            return self.default
        value = params.get(self.name, "").strip()
        if value == ME:
            return ME
        return parse_id(value)

    def options(self, reading: Reading) -> Sequence[tuple[Any, str]]:
        return [(ME, "من"), *reading.source(
            self.name, lambda: [(user.pk, str(user)) for user in self.people(reading)]
        )]  # fmt: skip

    def narrow(self, queryset: QuerySet, value: Any, reading: Reading) -> QuerySet:
        return queryset.filter(**{f"{self.field}_id": reading.user.pk if value == ME else value})

    def parameters(self) -> dict[str, tuple[Any, str]]:
        return {self.name: (str, f"{self.label}: شناسهٔ کاربر، یا me")}


@dataclass(frozen=True, kw_only=True)
class DateRange(Filter):
    """A date range typed (``<name>_from``, ``<name>_to``, either alone) or a named
    period (``<name>_period``), resolved at request time so a saved link stays
    relative. ``overdue`` (in FUTURE) means before today. Dates are in the user's
    calendar on pages (shortcuts such as «امروز» too) and ISO (YYYY-MM-DD) in the API,
    which reads either; «this month» and «this year» are the user's calendar's, the
    fiscal year the company's."""

    field: str
    presets: dict[str, str] = field(default_factory=lambda: PAST)
    template = "core/lists/_date_range.html"

    def names(self) -> tuple[str, ...]:
        return (f"{self.name}_period", f"{self.name}_from", f"{self.name}_to")

    def _date(self, raw: str, reading: Reading, which: str) -> datetime.date | None:
        raw = to_latin_digits(raw.strip())
        if not raw:
            return None
        try:
            if _ISO_DATE_RE.fullmatch(raw) and int(raw[:4]) > 1700:
                return datetime.date.fromisoformat(raw)
            return parse_date(raw, user_calendar(), today=reading.today)
        except (ValueError, ValidationError):
            reading.warnings.append(
                f"«{raw}» در «{self.label} ({which})» تاریخ درستی نیست؛ نادیده گرفته شد."
            )
            return None

    def read(self, params: QueryDict, reading: Reading) -> Any:
        period = params.get(f"{self.name}_period", "")
        if period in self.presets:
            if period == "overdue":
                return (None, reading.today - datetime.timedelta(days=1), period)
            return (*period_range(period, reading.today, user_calendar()), period)
        start = self._date(params.get(f"{self.name}_from", ""), reading, "از")
        end = self._date(params.get(f"{self.name}_to", ""), reading, "تا")
        if start and end and start > end:
            reading.warnings.append(f"در «{self.label}»، «از» پس از «تا» است؛ جابه‌جا شد.")
            start, end = end, start
        return (start, end, "") if start or end else None

    def narrow(self, queryset: QuerySet, value: Any, reading: Reading) -> QuerySet:
        start, end, _period = value
        if start:
            queryset = queryset.filter(**{f"{self.field}__gte": start})
        if end:
            queryset = queryset.filter(**{f"{self.field}__lte": end})
        return queryset

    def parameters(self) -> dict[str, tuple[Any, str]]:
        return {
            f"{self.name}_from": (datetime.date | None, f"{self.label}: از (YYYY-MM-DD)"),
            f"{self.name}_to": (datetime.date | None, f"{self.label}: تا (YYYY-MM-DD)"),
            f"{self.name}_period": (Literal[("", *self.presets)], f"{self.label}: بازهٔ نام‌دار"),
        }

    def chip(self, value: Any, reading: Reading) -> str:
        start, end, period = value
        if period:
            return f"{self.label}: {self.presets[period]}"
        shown = [
            f"{word} {format_date(day, user_calendar(), 'fa', 'short')}"
            for word, day in (("از", start), ("تا", end))
            if day
        ]
        return f"{self.label}: {' '.join(shown)}"


@dataclass(frozen=True, kw_only=True)
class AmountRange(Filter):
    """An amount between ``<name>_min`` and ``<name>_max``, typed in rials (Persian or
    Latin digits, with or without separators)."""

    field: str
    template = "core/lists/_amount_range.html"

    def names(self) -> tuple[str, ...]:
        return (f"{self.name}_min", f"{self.name}_max")

    def parameters(self) -> dict[str, tuple[Any, str]]:
        return {
            f"{self.name}_min": (int | None, f"{self.label}: از (ریال)"),
            f"{self.name}_max": (int | None, f"{self.label}: تا (ریال)"),
        }

    def _amount(self, raw: str, reading: Reading, which: str) -> int | None:
        if not raw.strip():
            return None
        try:
            amount = parse_amount(raw)
        except (ValueError, ValidationError):
            amount = None
        if amount is None or amount < 0 or amount > 10**18:
            reading.warnings.append(
                f"«{raw}» در «{self.label} ({which})» مبلغ درستی نیست؛ نادیده گرفته شد."
            )
            return None
        return int(amount)

    def read(self, params: QueryDict, reading: Reading) -> Any:
        low = self._amount(params.get(f"{self.name}_min", ""), reading, "از")
        high = self._amount(params.get(f"{self.name}_max", ""), reading, "تا")
        return (low, high) if low is not None or high is not None else None

    def narrow(self, queryset: QuerySet, value: Any, reading: Reading) -> QuerySet:
        low, high = value
        if low is not None:
            queryset = queryset.filter(**{f"{self.field}__gte": low})
        if high is not None:
            queryset = queryset.filter(**{f"{self.field}__lte": high})
        return queryset

    def chip(self, value: Any, reading: Reading) -> str:
        low, high = value
        shown = [
            f"{word} {format_money(amount, with_label=False)}"
            for word, amount in (("از", low), ("تا", high))
            if amount is not None
        ]
        return f"{self.label}: {' '.join(shown)} ریال"


@dataclass(frozen=True, kw_only=True)
class Search(Filter):
    """The text box (``q``): ``condition(text, reading)`` says which rows match."""

    name: str = "q"
    label: str = "جستجو"
    condition: Callable[[str, Reading], Q]
    placeholder: str = ""
    # Where a row may have matched, to say it in the row (issue 25 §6): (label, the row's
    # text or texts) — a phone, a contact person, a code — checked in this order.
    shown: Sequence[tuple[str, Callable[[Any], Any]]] = ()
    # Run on every read, text or none (its queries count the same either way): what
    # the condition needs looked up first, into ``reading.sources`` (the customers).
    prepare: Callable[[str | None, Reading], None] | None = None
    template = "core/lists/_search.html"

    def why(self, row: Any, value: str) -> str:
        """«تلفن: ۰۹۱۲ <mark>۳۴۵</mark> ۶۷۸۹» for the first of ``shown`` that holds the
        text (folded as the search folds it), or ""."""
        key = fa_search_key(value)
        # A one- or two-character text matched whole words (core.models.text_condition):
        # «۱۲» is not why a contact with the phone 0912… was found.
        words = [word.strip() for word in typed_short_words(value)]
        keys = dict.fromkeys(words or (key, national_phone_key(key)))
        for label, get in self.shown:
            texts = get(row)
            for text in [texts] if isinstance(texts, str) else texts or ():
                for one in keys:
                    if span := search_span(text, one, whole_word=bool(words)):
                        return _marked(label, text, span)
        return ""

    def read(self, params: QueryDict, reading: Reading) -> Any:
        value = normalize_persian(params.get(self.name, "")).strip()[:100] or None
        if self.prepare is not None:
            self.prepare(value, reading)
        return value

    def narrow(self, queryset: QuerySet, value: Any, reading: Reading) -> QuerySet:
        return queryset.filter(self.condition(value, reading))

    def chip(self, value: Any, reading: Reading) -> str:
        return f"«{value}»"

    def parameters(self) -> dict[str, tuple[Any, str]]:
        return {self.name: (str, f"{self.label}: {self.placeholder}")}


@dataclass(frozen=True, kw_only=True)
class Tree(Filter):
    """A node of a manager-edited tree (category, region) and everything under it. The
    nodes are read for the bar anyway (one query, set or not), so the subtree is found
    among them here rather than by another query."""

    field: str
    model: Any
    template = "core/lists/_choice.html"

    def _nodes(self, reading: Reading) -> list:
        from peyvand.core.trees import ordered_nodes

        return reading.source(f"tree:{self.model._meta.label}", lambda: ordered_nodes(self.model))

    def options(self, reading: Reading) -> Sequence[tuple[Any, str]]:
        return [(node.pk, node.indented_name) for node in self._nodes(reading)]

    def parameters(self) -> dict[str, tuple[Any, str]]:
        return {self.name: (int | None, f"{self.label} (شناسه؛ با زیرشاخه‌ها)")}

    def read(self, params: QueryDict, reading: Reading) -> Any:
        value = parse_id(params.get(self.name))
        if value is None:
            return None
        # An id that is no node (deleted since the link was saved) filters nothing.
        return value if any(node.pk == value for node in self._nodes(reading)) else None

    def narrow(self, queryset: QuerySet, value: Any, reading: Reading) -> QuerySet:
        nodes = self._nodes(reading)
        path = next(node.path for node in nodes if node.pk == value)
        ids = [node.pk for node in nodes if node.path.startswith(path)]
        return queryset.filter(**{f"{self.field}_id__in": ids})

    def chip(self, value: Any, reading: Reading) -> str:
        name = next(node.name for node in self._nodes(reading) if node.pk == value)
        return f"{self.label}: {name}"


YES, NO = "yes", "no"


@dataclass(frozen=True, kw_only=True)
class YesNo(Filter):
    """«بله» / «خیر»: ``yes`` narrows to ``condition(reading)``, ``no`` to its opposite;
    ``words`` name the two answers when «بله/خیر» would read oddly («دیده‌شده/دیده‌نشده»)."""

    condition: Callable[[Reading], Q]
    words: tuple[str, str] = ("بله", "خیر")
    template = "core/lists/_choice.html"

    def options(self, reading: Reading) -> Sequence[tuple[Any, str]]:
        return [(YES, self.words[0]), (NO, self.words[1])]

    def parameters(self) -> dict[str, tuple[Any, str]]:
        return {self.name: (Literal["", YES, NO], f"{self.label}: yes یا no")}

    def read(self, params: QueryDict, reading: Reading) -> Any:
        value = params.get(self.name, "").strip()
        return value if value in (YES, NO) else None

    def narrow(self, queryset: QuerySet, value: Any, reading: Reading) -> QuerySet:
        condition = self.condition(reading)
        return queryset.filter(condition if value == YES else ~condition)


@dataclass(frozen=True, kw_only=True)
class MultiChoice(Choice):
    """Any of several choices (``?<name>=a&<name>=b``): rows with one of the ticked
    values. Unknown values are dropped; nothing ticked filters nothing."""

    template = "core/lists/_multi_choice.html"

    def parameters(self) -> dict[str, tuple[Any, str]]:
        values = self.values()
        # An empty value means none, as on the page (a client that sends every parameter
        # sends ``status=``): read() drops it.
        kind = list[Literal[("", *values)]] if values else list[str]  # type: ignore[valid-type]
        return {self.name: (kind, f"{self.label} (چند مقدار)")}

    def read(self, params: QueryDict, reading: Reading) -> Any:
        known = {str(key) for key, _label in self.options(reading)}
        values = [value for value in params.getlist(self.name) if value in known]
        return tuple(dict.fromkeys(values)) or None

    def narrow(self, queryset: QuerySet, value: Any, reading: Reading) -> QuerySet:
        if self.condition is not None:
            condition = Q()
            for one in value:
                condition |= self.condition(one, reading)
            return queryset.filter(condition)
        return queryset.filter(**{f"{self.field}__in": value})

    def chip(self, value: Any, reading: Reading) -> str:
        labels = {str(key): str(label) for key, label in self.options(reading)}
        return f"{self.label}: {'، '.join(labels.get(one, one) for one in value)}"


@dataclass(frozen=True, kw_only=True)
class DateTimeRange(DateRange):
    """A DateRange over a date-and-time column (a lead's next follow-up, a record's
    creation): whole Tehran days, ``[from 00:00, to + 1 day 00:00)``, so an index on the
    column serves it; «گذشته (سررسیدشده)» means before now, not before today."""

    def narrow(self, queryset: QuerySet, value: Any, reading: Reading) -> QuerySet:
        start, end, period = value
        if period == "overdue":
            return queryset.filter(**{f"{self.field}__lt": timezone.now()})
        if start:
            queryset = queryset.filter(**{f"{self.field}__gte": _day_start(start)})
        if end:
            day_after = _day_start(end + datetime.timedelta(days=1))
            queryset = queryset.filter(**{f"{self.field}__lt": day_after})
        return queryset


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
