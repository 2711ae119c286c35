"""Reports as JSON: the same reports, filters and visibility as the pages (and the
same numbers: one ``run_report``)."""

import datetime
from typing import Any

from django.http import Http404
from ninja import Router, Schema, Status

from peyvand.api.common import form_errors, require
from peyvand.reports.definitions import REPORTS, REPORTS_BY_SLUG
from peyvand.reports.running import run_report

router = Router()


class ReportInfo(Schema):
    slug: str
    title: str
    description: str
    filters: list[str]  # besides period, date_from and date_to
    groups: dict[str, str]  # the ``group`` values and their Persian names


class ReportColumn(Schema):
    label: str
    kind: str  # text, number or date (an ISO date in the rows)


class ReportData(Schema):
    slug: str
    title: str
    start: datetime.date
    end: datetime.date
    period: str
    columns: list[ReportColumn]
    rows: list[list[Any]]
    footer: list[list[Any]] = []  # total rows under the table, in the same columns
    chart: dict[str, Any]  # kind, labels, datasets [{label, data}]: the rows' own numbers


def _info(report) -> dict:
    return {
        "slug": report.slug,
        "title": report.title,
        "description": report.description,
        "filters": list(report.filters) + (["group"] if report.groups else []),
        "groups": report.groups,
    }


@router.get("/reports", response=list[ReportInfo], tags=["reports"])
def report_list(request):
    """The reports the caller may read."""
    return [_info(report) for report in REPORTS if request.auth.has_perm(report.permission)]


@router.get("/reports/{slug}", response={200: ReportData, 422: dict}, tags=["reports"])
def report_data(request, slug: str):
    """A report's rows and chart. Query parameters as the page's: ``period``
    (this_month, last_month, this_quarter — the default —, last_quarter, this_year,
    last_year, custom), ``date_from``/``date_to`` (Jalali, for custom), ``user``,
    ``team``, ``category``, ``region`` (ids; a node means its subtree), ``group``, and
    ``kind`` (goods or service) where the report lists it in its ``filters``."""
    report = REPORTS_BY_SLUG.get(slug)
    if report is None:
        raise Http404
    require(request.auth, report.permission)
    form, filters, result = run_report(report, request.GET, request.auth)
    if result is None:
        return Status(422, {"detail": "داده‌های ارسالی معتبر نیست.", "errors": form_errors(form)})
    return {
        "slug": report.slug,
        "title": report.title,
        "start": filters.start,
        "end": filters.end,
        "period": filters.period_label,
        "columns": [{"label": c.label, "kind": c.kind} for c in result.columns],
        "rows": [[value for value, _kind in row] for row in result.table()],
        "footer": [[value for value, _kind in row] for row in result.footer_table()],
        "chart": result.chart_data(),
    }
