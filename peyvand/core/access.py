"""Access to business records: the one way views and the API fetch a record."""

from typing import TypeVar

from django.http import Http404

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
