from dataclasses import replace
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from peyvand.core.databases import reading_reports
from peyvand.core.dates import format_date, user_calendar
from peyvand.core.display import site_settings_for
from peyvand.core.exports import download_name, xlsx_response
from peyvand.core.pdf import pdf_download, render_pdf
from peyvand.reports.definitions import DASHBOARD, REPORTS, REPORTS_BY_SLUG, Report
from peyvand.reports.forms import PeriodForm
from peyvand.reports.money import PERMISSION as MONEY_PERMISSION
from peyvand.reports.money import money_cards
from peyvand.reports.running import run_report
from peyvand.tax import selectors as tax_selectors


def _report(request: HttpRequest, slug: str) -> Report:
    report = REPORTS_BY_SLUG.get(slug)
    if report is None:
        raise Http404
    if not request.user.has_perm(report.permission):
        raise PermissionDenied
    return report


def report_index(request: HttpRequest) -> HttpResponse:
    """The reports this user may read (each counts only what they may see)."""
    reports = [report for report in REPORTS if request.user.has_perm(report.permission)]
    if not reports:
        raise PermissionDenied
    return render(request, "reports/index.html", {"reports": reports})


def report_show(request: HttpRequest, slug: str) -> HttpResponse:
    report = _report(request, slug)
    form, filters, result = run_report(report, request.GET, request.user)
    context = {
        "report": report,
        "form": form,
        "filters": filters,
        "result": result,
        "chart": result.chart_data() if result else None,
        "query": request.GET.urlencode(),
    }
    return render(request, "reports/show.html", context)


def _filename(report: Report, filters, extension: str) -> str:
    """«گزارش سنی مطالبات ۱۴۰۵-۰۹-۱۳.xlsx», or the period's days for a report of one."""
    if not report.period:
        return download_name(report.title, extension, day=filters.today)
    period = f"{format_date(filters.start)} تا {format_date(filters.end)}"
    return download_name(f"{report.title} {period}", extension, dated=False)


COLOURS = ("#0d6efd", "#198754", "#dc3545", "#fd7e14", "#6f42c1", "#20c997")


def _bars(chart: dict) -> dict:
    """The chart for the PDF, as bars drawn in HTML (WeasyPrint sets them, and their
    Persian labels, like any text): per label, each series' value and bar length — or,
    for a stacked chart, one bar of the series' segments and their sum. A negative value
    (a customer in credit) draws no bar, only its number."""
    series = [
        (dataset["label"], COLOURS[index % len(COLOURS)])
        for index, dataset in enumerate(chart["datasets"])
    ]
    columns = [
        [dataset["data"][position] for dataset in chart["datasets"]]
        for position in range(len(chart["labels"]))
    ]
    if chart.get("stacked"):
        biggest = max((sum(max(v, 0) for v in values) for values in columns), default=0)
    else:
        biggest = max((value for values in columns for value in values), default=0)

    def length(value) -> float:
        return max(round(100 * value / biggest, 1), 0) if biggest > 0 else 0

    rows = []
    for label, values in zip(chart["labels"], columns, strict=True):
        bars = [
            (value, length(value), colour)
            for value, (_name, colour) in zip(values, series, strict=True)
        ]
        if chart.get("stacked"):
            bars = [(sum(values), [bar for bar in bars if bar[1] > 0])]
        rows.append((label, bars))
    return {"series": series, "rows": rows, "stacked": bool(chart.get("stacked"))}


def report_export(request: HttpRequest, slug: str, file_format: str) -> HttpResponse:
    """The report's table to Excel (right-to-left, numbers numeric), or to PDF with
    its chart."""
    report = _report(request, slug)
    full = file_format == "xlsx"  # a sheet takes every row; a page or a PDF the first ones
    _form, filters, result = run_report(report, request.GET, request.user, limit_rows=not full)
    if result is None:
        return report_show(request, slug)
    if file_format == "xlsx":
        return xlsx_response(
            result.exported_rows(),
            result.columns,
            _filename(report, filters, "xlsx"),
            report.title,
        )
    if file_format != "pdf":
        raise Http404
    context = {
        "report": report,
        "filters": filters,
        "result": result,
        "bars": _bars(result.chart_data()),
        "company": site_settings_for(request).company_name,
        "made_at": timezone.localtime(),
        "user": request.user,
    }
    content = render_pdf("reports/pdf.html", context)
    return pdf_download(content, _filename(report, filters, "pdf"))


def dashboard(request: HttpRequest) -> HttpResponse:
    """Key charts for a period: the manager's (everything they see) or the user's own
    (their work alone, ?scope=mine; the default for those who do not see everything)."""
    sees_all = request.user.has_perm("accounts.see_all")
    scope = request.GET.get("scope") or ("all" if sees_all else "mine")
    data = request.GET.copy()
    data.setdefault("period", "this_month")
    form = PeriodForm(data)
    charts = []
    if form.is_valid():
        filters = form.filters(user=request.user if scope == "mine" else None)
        form.data["date_from"] = format_date(filters.start, user_calendar())
        form.data["date_to"] = format_date(filters.end, user_calendar())
        for slug, group in DASHBOARD:
            report = REPORTS_BY_SLUG[slug]
            if not request.user.has_perm(report.permission):
                continue
            result = report.result(replace(filters, group=group), request.user)
            query = {"period": data["period"], "date_from": form.data["date_from"],
                     "date_to": form.data["date_to"], "group": group}  # fmt: skip
            if scope == "mine":
                query["user"] = request.user.pk
            charts.append(
                {
                    "json_id": f"dashboard-data-{len(charts) + 1}",
                    "report": report,
                    "group": report.groups.get(group, ""),
                    "result": result,
                    "chart": result.chart_data(),
                    "url": f"{reverse('reports:show', args=[slug])}?{urlencode(query)}",
                }
            )
    money = None
    if request.user.has_perm(MONEY_PERMISSION):
        money = money_cards(request.user, today=timezone.localdate(), mine=scope == "mine")
    tax_rejected = 0
    if request.user.has_perm("sales.view_invoice"):
        with reading_reports():
            tax_rejected = tax_selectors.rejected_count(request.user)
    context = {
        "form": form,
        "charts": charts,
        "money": money,
        "tax_rejected": tax_rejected,
        "scope": scope,
        "sees_all": sees_all,
    }
    return render(request, "reports/dashboard.html", context)
