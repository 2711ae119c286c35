from dataclasses import replace
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from peyvand.core.dates import format_date
from peyvand.core.display import site_settings_for
from peyvand.core.exports import xlsx_response
from peyvand.core.pdf import pdf_download, render_pdf
from peyvand.reports.definitions import DASHBOARD, REPORTS, REPORTS_BY_SLUG, Report
from peyvand.reports.forms import PeriodForm
from peyvand.reports.running import run_report


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


def _filename(report: Report, filters) -> str:
    start = format_date(filters.start, digits="latin")
    end = format_date(filters.end, digits="latin")
    return f"{report.title} {start} تا {end}".replace("/", "-")


COLOURS = ("#0d6efd", "#198754", "#dc3545", "#fd7e14", "#6f42c1", "#20c997")


def _bars(chart: dict) -> dict:
    """The chart for the PDF, as bars drawn in HTML (WeasyPrint sets them, and their
    Persian labels, like any text): per label, each series' value and bar length."""
    biggest = max((value for dataset in chart["datasets"] for value in dataset["data"]), default=0)
    series = [
        (dataset["label"], COLOURS[index % len(COLOURS)])
        for index, dataset in enumerate(chart["datasets"])
    ]
    rows = []
    for position, label in enumerate(chart["labels"]):
        values = [dataset["data"][position] for dataset in chart["datasets"]]
        rows.append(
            (
                label,
                [
                    (value, round(100 * value / biggest, 1) if biggest else 0, colour)
                    for value, (_name, colour) in zip(values, series, strict=True)
                ],
            )
        )
    return {"series": series, "rows": rows}


def report_export(request: HttpRequest, slug: str, file_format: str) -> HttpResponse:
    """The report's table to Excel (right-to-left, numbers numeric), or to PDF with
    its chart."""
    report = _report(request, slug)
    _form, filters, result = run_report(report, request.GET, request.user)
    if result is None:
        return report_show(request, slug)
    if file_format == "xlsx":
        return xlsx_response(result.rows, result.columns, _filename(report, filters), report.title)
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
    return pdf_download(content, f"{_filename(report, filters)}.pdf")


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
        form.data["date_from"] = format_date(filters.start)
        form.data["date_to"] = format_date(filters.end)
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
    context = {"form": form, "charts": charts, "scope": scope, "sees_all": sees_all}
    return render(request, "reports/dashboard.html", context)
