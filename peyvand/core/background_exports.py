"""Exports of lists, one mechanism for every list: an app registers an Exporter (the
list's rows for a user and a query string, and their columns). A list downloads them
at once (Excel, CSV, or a PDF of the first rows) through ``core:list_export``, or — a
large one — in the background: the filters saved on an ExportJob, the sheet written
by a task (``manage.py worker``) with its progress, the file downloaded from the
job's page."""

import tempfile
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django_tasks import task

from peyvand.core import workers
from peyvand.core.display import as_user, current_preferences
from peyvand.core.exports import Column, cells, download_name, headers
from peyvand.core.models import ExportJob
from peyvand.core.xlsx import SheetWriter

# How often (rows) a running export writes its progress.
PROGRESS_EVERY = 2000


@dataclass(frozen=True)
class Exporter:
    """What a list exports: ``rows(user, params)`` gives (a queryset, its columns) for
    the user's view of the list under ``params`` (its query string)."""

    label: str  # Persian, the sheet's title
    permission: str
    rows: Callable[..., tuple[QuerySet, list[Column]]]
    url_name: str  # the list page, to go back to


exporters: dict[str, Exporter] = {}


def register_exporter(kind: str, exporter: Exporter) -> None:
    exporters[kind] = exporter


def queue_export(*, user, kind: str, params: str) -> ExportJob:
    exporter = exporters[kind]
    job = ExportJob.objects.create(user=user, kind=kind, params=params, title=exporter.label)
    transaction.on_commit(lambda: export_file.enqueue(job.pk))
    return job


def run_export(job: ExportJob) -> None:
    # The worker has no request: the sheet reads in the calendar and digits of whoever
    # asked, as the same list downloaded at once does.
    with as_user(job.user):
        _write_export(job)


def _write_export(job: ExportJob) -> None:
    exporter = exporters[job.kind]
    records, columns = exporter.rows(job.user, QueryDict(job.params))
    calendar = current_preferences().calendar
    total = records.order_by().count()
    job.total_rows = total
    job.save(update_fields=["total_rows"])
    output = tempfile.TemporaryFile()  # noqa: SIM115 - closed below
    try:
        with SheetWriter(output, title=exporter.label, headers=headers(columns)) as sheet:
            for number, record in enumerate(records.iterator(chunk_size=2000), start=1):
                sheet.write_row(cells(columns, record, calendar))
                if number % PROGRESS_EVERY == 0:
                    ExportJob.objects.filter(pk=job.pk).update(processed_rows=number)
        output.seek(0)
        name = f"{job.kind}-{timezone.localdate():%Y%m%d}-{job.pk}.xlsx"
        job.file.save(name, File(output), save=False)
    finally:
        output.close()
    job.filename = download_name(exporter.label, "xlsx")
    job.processed_rows = total
    job.status = ExportJob.Status.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "filename", "processed_rows", "status", "finished_at"])


@task()
def export_file(job_id: int) -> None:
    """The background task. Claimed with one UPDATE, so a second delivery does nothing."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING
    )
    if not claimed:
        return
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    try:
        run_export(job)
    except Exception as error:
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED,
            failure=f"ساخت فایل ناتمام ماند: {error}",
            finished_at=timezone.now(),
        )
        raise


@workers.on_interrupted(export_file)
def export_again(job_id: int) -> None:
    """The worker died while writing the file: another one writes it from the start."""
    workers.run_again(
        export_file,
        job_id,
        ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING),
        back_to=ExportJob.Status.QUEUED,
        failure="ساخت فایل دو بار نیمه‌کاره ماند.",
    )
