"""What every report is made of: the ``Report`` (its filters, groupings and the function
that builds it), its ``ReportResult`` (columns, rows, a chart drawn from those rows, and
total rows under them), and the scopes the builders share (the viewer's records narrowed
by the filters, user names, months of the reader's calendar)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from peyvand.accounts.models import User
from peyvand.core.databases import reading_reports
from peyvand.core.dates import to_calendar
from peyvand.core.exports import Column
from peyvand.reports.forms import ReportFilters
from peyvand.reports.periods import months_of

NONE_LABEL = "— نامشخص —"


@dataclass(frozen=True)
class ChartSpec:
    kind: str  # bar, line, doughnut (Chart.js types)
    series: tuple[tuple[str, str], ...]  # (row key, Persian label) of the plotted numbers
    label_key: str = "label"
    # Draw the total rows (``ReportResult.footer``) rather than the rows: a list of
    # cheques charted by its totals per status.
    from_footer: bool = False
    stacked: bool = False


@dataclass
class ReportResult:
    columns: list[Column]
    rows: list[dict]
    chart: ChartSpec
    # How many rows the chart draws (the table has them all): the biggest first.
    chart_rows: int = 20
    # Total rows, under the table and after the rows in the exports (same columns).
    footer: list[dict] = field(default_factory=list)
    # A line under the table: what the rows leave out, how they were counted.
    note: str = ""

    def _cells(self, rows: list[dict]) -> list[list[tuple]]:
        return [[(column.value(row), column.kind) for column in self.columns] for row in rows]

    def table(self) -> list[list[tuple]]:
        """The rows as (value, kind) cells, in the columns' order."""
        return self._cells(self.rows)

    def footer_table(self) -> list[list[tuple]]:
        return self._cells(self.footer)

    def exported_rows(self) -> list[dict]:
        return self.rows + self.footer

    def chart_source(self) -> list[dict]:
        """The rows the chart draws."""
        if self.chart.from_footer:
            return [row for row in self.footer if row.get("in_chart", True)]
        return self.rows[: self.chart_rows]

    def chart_data(self) -> dict:
        rows = self.chart_source()
        return {
            "kind": self.chart.kind,
            "stacked": self.chart.stacked,
            "labels": [str(row[self.chart.label_key]) for row in rows],
            "datasets": [
                {"label": label, "data": [row[key] or 0 for row in rows]}
                for key, label in self.chart.series
            ],
        }


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    description: str
    permission: str
    build: Callable[[ReportFilters, User], ReportResult]
    # Which filters the form offers (the period always).
    filters: tuple[str, ...] = ("user", "team", "category", "region")
    groups: dict[str, str] = field(default_factory=dict)
    # False: the report is as of today (receivables aging), the period does not apply.
    period: bool = True

    def result(self, filters: ReportFilters, viewer) -> ReportResult:
        """The report's rows, every query read from the reports database (a replica of
        the primary when REPORTS_DATABASE_URL names one: core.databases)."""
        with reading_reports():
            return self.build(filters, viewer)


# Scopes: the viewer's records in the period, narrowed by the filters --------------------


def customer_q(prefixes: tuple[str, ...], name: str, ids: list[int]) -> Q:
    """The record's customer (through any of ``prefixes``) in a category/region subtree."""
    condition = Q()
    for prefix in prefixes:
        condition |= Q(**{f"{prefix}{name}_id__in": ids})
    return condition


def narrow(queryset: QuerySet, filters: ReportFilters, *, person: str, customer: tuple) -> QuerySet:
    if filters.user is not None:
        queryset = queryset.filter(**{person: filters.user})
    if filters.team_members is not None:
        queryset = queryset.filter(**{f"{person}_id__in": filters.team_members})
    if filters.categories is not None and customer:
        queryset = queryset.filter(customer_q(customer, "category", filters.categories))
    if filters.regions is not None and customer:
        queryset = queryset.filter(customer_q(customer, "region", filters.regions))
    return queryset


def user_names(ids) -> dict[int, str]:
    return {user.pk: str(user) for user in User.objects.filter(pk__in=[i for i in ids if i])}


def by_month(filters: ReportFilters, days: dict[datetime.date, int]) -> dict[tuple, int]:
    """Counts (or sums) per day folded into months of the reader's calendar (every month
    of the period, zeros too)."""
    months = dict.fromkeys(months_of(filters.start, filters.end, filters.calendar), 0)
    for day, count in days.items():
        month = to_calendar(day, filters.calendar)[:2]
        months[month] = months.get(month, 0) + count
    return months


def daily(queryset: QuerySet, field_name: str) -> dict[datetime.date, int]:
    tehran = timezone.get_current_timezone()
    rows = (
        queryset.annotate(day=TruncDate(field_name, tzinfo=tehran))
        .values("day")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {row["day"]: row["count"] for row in rows}
