"""Notes and attachments on any registered record type: adding notes, uploading,
downloading and removing files. Each view first finds the record through the visibility
rule, so a file is never served to someone who may not see its record."""

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peyvand.core.access import get_visible_or_404
from peyvand.core.attachments import check_upload
from peyvand.core.history import log_event
from peyvand.core.models import Attachment, Note
from peyvand.core.registry import annotated_models


def _record(request: HttpRequest, model, pk: int, action: str):
    meta = model._meta
    if not request.user.has_perm(f"{meta.app_label}.{action}_{meta.model_name}"):
        raise PermissionDenied
    return get_visible_or_404(model, request.user, pk)


def _model(label: str):
    if label not in annotated_models:
        raise Http404
    return apps.get_model(label)


@require_POST
def attachment_upload(request: HttpRequest, model_label: str, pk: int) -> HttpResponse:
    record = _record(request, _model(model_label), pk, "change")
    uploads = request.FILES.getlist("file")
    note = request.POST.get("note", "").strip()[:200]
    if not uploads:
        messages.error(request, _("فایلی انتخاب نشده است."))
    for upload in uploads:
        try:
            kind = check_upload(upload)
        except ValidationError as error:
            messages.error(request, f"«{upload.name}»: {error.messages[0]}")
            continue
        Attachment.objects.create(
            record=record,
            file=upload,
            original_name=upload.name[:255],
            mime_type=kind.mime_type,
            size=upload.size,
            note=note,
            uploaded_by=request.user,
        )
        messages.success(request, _("«%(name)s» پیوست شد.") % {"name": upload.name})
    return redirect(record)


def _attachment(request: HttpRequest, pk: int, action: str) -> tuple[Attachment, object]:
    attachment = get_object_or_404(Attachment, pk=pk, deleted_at__isnull=True)
    model = attachment.content_type.model_class()
    if model is None or model._meta.label_lower not in annotated_models:
        raise Http404
    return attachment, _record(request, model, attachment.object_id, action)


def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = _attachment(request, pk, "view")[0]
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not attachment.is_image,
        filename=attachment.original_name,
        content_type=attachment.mime_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'"
    return response


@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    attachment, record = _attachment(request, pk, "change")
    attachment.deleted_at = timezone.now()
    attachment.save(update_fields=["deleted_at"])
    log_event(
        record, user=request.user, field="attachment", label="پیوست", old=attachment.original_name
    )
    messages.success(
        request, _("پیوست «%(name)s» برداشته شد.") % {"name": attachment.original_name}
    )
    return redirect(record)


@require_POST
def note_add(request: HttpRequest, model_label: str, pk: int) -> HttpResponse:
    record = _record(request, _model(model_label), pk, "change")
    text = request.POST.get("text", "").strip()
    if text:
        Note.objects.create(record=record, text=text, author=request.user)
        messages.success(request, _("یادداشت ثبت شد."))
    else:
        messages.error(request, _("متن یادداشت خالی است."))
    return redirect(record)
