"""The import pages, the same for every table with a registered Importer: upload, wait
for the worker to read the file, map the columns (with a preview of the first rows),
then follow the background run and download the rows that did not go in. No page here
reads an uploaded file: the worker does (peyvand.core.imports)."""

from pathlib import Path

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from peyvand.core.exports import Column, download_name, xlsx_response
from peyvand.core.imports import (
    MAX_UPLOAD_BYTES,
    SAMPLE_ROWS,
    SPREADSHEETS,
    Row,
    check_rows,
    importers,
    queue_import,
    queue_reading,
)
from peyvand.core.models import ImportJob


def _importer_for(request: HttpRequest, target: str):
    importer = importers.get(target)
    if importer is None:
        raise Http404
    if not request.user.has_perm(importer.permission):
        raise PermissionDenied
    return importer


def _job_for(request: HttpRequest, pk: int) -> ImportJob:
    """A job is its uploader's (and managers' who see everything)."""
    jobs = ImportJob.objects.all()
    if not request.user.has_perm("accounts.see_all"):
        jobs = jobs.filter(user=request.user)
    job = jobs.filter(pk=pk).first()
    if job is None:
        raise Http404
    _importer_for(request, job.target)
    return job


class UploadForm(forms.ModelForm):
    class Meta:
        model = ImportJob
        fields = ["file", "duplicates", "all_or_nothing"]
        labels = {"file": _("فایل اکسل (xlsx، xls)، CSV یا vCard گوشی (vcf)")}
        help_texts = {"file": _("حداکثر ۲۰ مگابایت.")}
        widgets = {
            "duplicates": forms.RadioSelect,
            # data-max-mb: app.js stops a larger file before it is sent.
            "file": forms.ClearableFileInput(
                attrs={
                    "accept": ".xlsx,.xls,.ods,.csv,.vcf",
                    "data-max-mb": str(MAX_UPLOAD_BYTES // (1024 * 1024)),
                    "data-max-message": _("حجم فایل بیش از ۲۰ مگابایت است؛ آن را چند تکه کنید."),
                }
            ),
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in (*SPREADSHEETS, ".csv", ".vcf"):
            raise forms.ValidationError(
                _("فقط فایل اکسل (xlsx، xls)، ods، CSV یا vCard (vcf) پذیرفته می‌شود.")
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("حجم فایل بیش از ۲۰ مگابایت است؛ آن را چند تکه کنید."))
        return upload


class MappingForm(forms.Form):
    """One select per column of the file: which field it fills, or none."""

    def __init__(self, *args, job: ImportJob, fields, **kwargs):
        super().__init__(*args, **kwargs)
        self.job = job
        self.import_fields = fields
        choices = [("", _("— وارد نشود —"))] + [(f.key, f.label) for f in fields]
        for index, header in enumerate(job.headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header or _("(بی‌عنوان)"),
                choices=choices,
                required=False,
                initial=job.mapping.get(str(index), ""),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
        self.fields["duplicates"] = forms.ChoiceField(
            label=_("مخاطب تکراری"),
            choices=ImportJob.Duplicates.choices,
            initial=job.duplicates,
            widget=forms.RadioSelect,
        )
        self.fields["all_or_nothing"] = forms.BooleanField(
            label=_("همه یا هیچ: اگر ردیفی خطا داشت، هیچ ردیفی وارد نشود"),
            required=False,
            initial=job.all_or_nothing,
        )

    def columns(self) -> list[tuple]:
        """(the column's select, the column's cells in the first rows)."""
        rows = [sample["cells"] for sample in self.job.samples[:SAMPLE_ROWS]]
        return [
            (self[f"col_{index}"], [row[index] for row in rows if index < len(row)])
            for index in range(len(self.job.headers))
        ]

    def clean(self):
        cleaned = super().clean()
        chosen = [(name, cleaned.get(name)) for name in self.fields if name.startswith("col_")]
        used: dict[str, str] = {}
        labels = {f.key: f.label for f in self.import_fields}
        for name, key in chosen:
            if not key:
                continue
            if key in used:
                self.add_error(name, _("«%s» به ستون دیگری هم داده شده است.") % labels[key])
            used[key] = name
        for field in self.import_fields:
            if field.required and field.key not in used:
                raise forms.ValidationError(_("ستونی را برای «%s» انتخاب کنید.") % field.label)
        cleaned["mapping"] = {name.removeprefix("col_"): key for name, key in chosen if key}
        return cleaned


@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest, target: str) -> HttpResponse:
    importer = _importer_for(request, target)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = form.save(commit=False)
        job.user, job.target = request.user, target
        job.original_name = Path(job.file.name).name[:255]
        with transaction.atomic():
            queue_reading(job)
        return redirect("core:import_detail", pk=job.pk)
    recent = ImportJob.objects.filter(user=request.user, target=target)[:10]
    return render(
        request, "core/import_start.html", {"form": form, "importer": importer, "recent": recent}
    )


@require_http_methods(["GET", "POST"])
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    importer = importers[job.target]
    context = {"job": job, "importer": importer}
    if request.htmx:  # the progress poll, while the worker reads or imports the file
        response = render(request, "core/import_detail.html#progress", context)
        if job.finished or job.status == ImportJob.Status.MAPPING:
            response["HX-Refresh"] = "true"  # the whole page: the mapping, or the issues
        return response
    if job.status != ImportJob.Status.MAPPING:
        context["issues"] = job.issues.all()[:200]
        return render(request, "core/import_detail.html", context)
    form = MappingForm(request.POST or None, job=job, fields=importer.fields())
    if request.method == "POST" and form.is_valid():
        job.mapping = form.cleaned_data["mapping"]
        job.duplicates = form.cleaned_data["duplicates"]
        job.all_or_nothing = form.cleaned_data["all_or_nothing"]
        if request.POST.get("action") == "start":
            with transaction.atomic():
                queue_import(job)
            return redirect("core:import_detail", pk=job.pk)
        context["preview"] = _preview(job, importer)
    context["form"] = form
    return render(request, "core/import_detail.html", context)


def _preview(job: ImportJob, importer) -> list[dict]:
    """What would happen to the first rows (kept by the worker), writing nothing."""
    rows = [Row(row["line"], row["cells"], row["error"]) for row in job.samples]
    result = check_rows(importer, importer.start(job), job, rows, False)
    errors, skipped = dict(result.errors), dict(result.skipped)
    return [
        {
            "line": row.line,
            "cells": row.cells,
            "error": errors.get(row.line, ""),
            "skipped": skipped.get(row.line, ""),
        }
        for row in rows
    ]


def import_issues(request: HttpRequest, pk: int) -> HttpResponse:
    """The rows that did not go in, with the reason and the row as it was in the file:
    fix them there and import this file again."""
    job = _job_for(request, pk)
    columns = [
        Column("ردیف در فایل", lambda issue: issue.line, kind="number"),
        Column("نتیجه", lambda issue: issue.get_level_display()),
        Column("شرح", lambda issue: issue.message),
    ] + [
        Column(header or f"ستون {index + 1}", _cell_reader(index))
        for index, header in enumerate(job.headers)
    ]
    issues = job.issues.all().iterator(chunk_size=2000)
    # «ردیف‌های واردنشده از مشتریان ۱۴۰۵-۰۹-۱۳.xlsx»: the imported file's name, its day.
    source = job.original_name.rpartition(".")[0] or job.original_name
    name = download_name(
        f"ردیف‌های واردنشده از {source}", "xlsx", day=timezone.localdate(job.created_at)
    )
    return xlsx_response(issues, columns, name, title="ردیف‌های واردنشده")


def _cell_reader(index: int):
    return lambda issue: issue.values[index] if index < len(issue.values) else ""
