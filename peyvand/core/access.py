"""Access to business records: the one way views and the API fetch a record; and the one
check of where a redirect may lead."""

from typing import TypeVar

from django.http import Http404, HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from peyvand.core.dialog import in_dialog, saved_url
from peyvand.core.models import BusinessRecord

Record = TypeVar("Record", bound=BusinessRecord)


def get_visible_or_404(model: type[Record], user, pk, queryset=None) -> Record:
    """The record if ``user`` may see it, else 404 — never 403, so outsiders cannot even
    learn that a record exists."""
    base = queryset if queryset is not None else model.objects.all()
    # Ordered by pk, not the model's list ordering: a primary-key lookup, not a walk of
    # the "newest first" index until the row turns up.
    record = base.visible_to(user).filter(pk=pk).order_by("pk").first()
    if record is None:
        raise Http404
    return record


def is_visible(user, model: type[BusinessRecord], pk) -> bool:
    """Whether ``user`` may see the record ``pk`` of ``model``: for what names a record
    inside another one (a call's caller, what a task is about)."""
    return pk is not None and model.objects.visible_to(user).filter(pk=pk).exists()


def own_url(request: HttpRequest, target: str) -> str:
    """``target`` if it is a page of this site (a "next" field, a stored link), else ""."""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else ""


def back_or(request: HttpRequest, default):
    """Where a form goes once saved: in the dialog (core.dialog), the page that closes
    it; else the page the user opened it from (``next``, posted by the form's
    ``{% back_field %}``; the quick-create menu sends it), if it is this site's, else
    ``default`` (the new record, a list). For ``redirect``."""
    if in_dialog(request):
        return saved_url(default)
    return own_url(request, request.POST.get("next", "")) or default
