"""Running a report from its parameters: the one path the pages, the exports and the
API take, so they can never disagree."""

from dataclasses import replace

from django.http import QueryDict

from peyvand.core.dates import format_date, user_calendar
from peyvand.reports.definitions import Report, ReportResult
from peyvand.reports.forms import ReportFilterForm, ReportFilters


def run_report(
    report: Report, params: QueryDict, user, *, limit_rows: bool = True
) -> tuple[ReportFilterForm, ReportFilters | None, ReportResult | None]:
    """The filter form (the current quarter when no period is chosen) and, when it is
    valid, the filters and the report's result over what ``user`` may see; with
    ``limit_rows`` False, a long list's every row (the Excel export)."""
    data = params.copy()
    data.setdefault("period", "this_quarter")
    form = ReportFilterForm(data, report=report)
    if not form.is_valid():
        return form, None, None
    filters = replace(form.filters(), limit_rows=limit_rows)
    # The range a named period stands for shows in the date fields (a starting point
    # for «بازه دلخواه»).
    form.data["date_from"] = format_date(filters.start, user_calendar())
    form.data["date_to"] = format_date(filters.end, user_calendar())
    return form, filters, report.result(filters, user)
