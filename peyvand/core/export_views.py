"""The background export pages: start one from a list, watch its progress, download
the file. A job is its owner's alone."""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from peyvand.core.background_exports import exporters, queue_export
from peyvand.core.display import site_settings_for
from peyvand.core.exports import (
    XLSX_CONTENT_TYPE,
    content_disposition,
    csv_response,
    download_name,
    xlsx_response,
)
from peyvand.core.models import ExportJob
from peyvand.core.pdf import pdf_download, render_pdf

# A list's PDF holds its first rows (a printout); the whole list goes to Excel.
PDF_ROWS = 2000


def _exporter(request: HttpRequest, kind: str):
    exporter = exporters.get(kind)
    if exporter is None:
        raise Http404
    if not request.user.has_perm(exporter.permission):
        raise PermissionDenied
    return exporter


def list_export(request: HttpRequest, kind: str, file_format: str) -> HttpResponse:
    """A list as the user sees it under its current filters (the query string): Excel
    or CSV streamed with flat memory, or a PDF of its first rows."""
    exporter = _exporter(request, kind)
    if file_format not in ("xlsx", "csv", "pdf"):
        raise Http404
    rows, columns = exporter.rows(request.user, request.GET)
    name = download_name(exporter.label, file_format)
    if file_format == "xlsx":
        return xlsx_response(rows.iterator(chunk_size=2000), columns, name, exporter.label)
    if file_format == "csv":
        return csv_response(rows.iterator(chunk_size=2000), columns, name)
    records = list(rows[: PDF_ROWS + 1])
    context = {
        "title": exporter.label,
        "headers": [column.label for column in columns],
        # (value, kind) cells: a date prints once, in Jalali.
        "rows": [
            [(column.value(record), column.kind) for column in columns]
            for record in records[:PDF_ROWS]
        ],
        "cut": len(records) > PDF_ROWS,
        "limit": PDF_ROWS,
        "company": site_settings_for(request).company_name,
        "made_at": timezone.localtime(),
        "user": request.user,
    }
    return pdf_download(render_pdf("core/list_pdf.html", context), name)


@require_POST
def export_start(request: HttpRequest, kind: str) -> HttpResponse:
    """Saves the list's current filters (its query string) on a job and queues it."""
    _exporter(request, kind)
    params = request.POST.get("params", "")[:2000]
    job = queue_export(user=request.user, kind=kind, params=params)
    return redirect(job)


def _job(request: HttpRequest, pk: int) -> ExportJob:
    job = get_object_or_404(ExportJob, pk=pk, user=request.user)
    _exporter(request, job.kind)
    return job


def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress (htmx asks again every second until it is done), then its
    download link."""
    job = _job(request, pk)
    exporter = exporters[job.kind]
    context = {"job": job, "exporter": exporter}
    if request.htmx:
        return render(request, "core/export_detail.html#progress", context)
    return render(request, "core/export_detail.html", context)


def export_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _job(request, pk)
    if job.status != ExportJob.Status.DONE:
        raise Http404
    response = FileResponse(job.file.open("rb"), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(job.filename)
    return response
