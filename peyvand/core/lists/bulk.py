"""Bulk actions on a list (docs/lists-design.md §3.12): a list declares what may be done
to its ticked rows, or to every row under its filters («همه نتایج فیلتر»), and one view
(``core:list_bulk``) does it. The rows are always re-read through ``ListSpec.rows``, so
an action reaches only what the user may see, whatever ids are posted; the action itself
calls the app's service, so history and notifications are what a single edit records."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.text import format_lazy

from peyvand.core.lists.filters import ME, Reading

if TYPE_CHECKING:
    from peyvand.core.lists.spec import ListSpec

# An action reaches at most this many rows at once: past it, the user narrows the
# filters (a larger hand-over is an import or an administrator's job, not a click).
BULK_LIMIT = 5000


class BulkForm(forms.Form):
    """An action's own inputs (the new owner…). Built with the list's reading, so its
    options come from what the filter bar reads anyway: no query more on the page."""

    # Every action's inputs sit in the one bulk form: a required input of another
    # action must not stop the browser sending this one. The view validates.
    use_required_attribute = False

    def __init__(self, data=None, *, reading: Reading, spec: ListSpec, prefix: str):
        super().__init__(data, prefix=prefix)
        self.setup(reading, spec)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.update(
                {"class": f"{css} {css}-sm w-auto", "aria-label": field.label}
            )

    def setup(self, reading: Reading, spec: ListSpec) -> None:
        """Sets the fields' options for this reader and list."""

    def described(self) -> dict[str, str]:
        """The chosen values as the success message names them."""
        return {name: str(value) for name, value in self.cleaned_data.items()}


def person_form(label: str, filter_name: str) -> type[BulkForm]:
    """A form choosing one person (``person``) among the people of the list's person
    filter ``filter_name`` (read once per request for the bar too): who may hold the
    rows' owner or assignee is who the list lets one filter by."""

    class PersonForm(BulkForm):
        person = forms.ChoiceField(
            label=label,
            error_messages={
                "required": format_lazy("{} را انتخاب کنید.", label),
                "invalid_choice": format_lazy("{} را از فهرست انتخاب کنید.", label),
            },
        )

        def setup(self, reading: Reading, spec: ListSpec) -> None:
            people = next(f for f in spec.filters if f.name == filter_name)
            self.fields["person"].choices = [
                ("", f"{label}…"),
                *((str(pk), name) for pk, name in people.options(reading) if pk != ME),
            ]

        def clean_person(self):
            return get_user_model().objects.get(pk=self.cleaned_data["person"])

    return PersonForm


@dataclass(frozen=True)
class BulkAction:
    """``apply(rows, cleaned_data, user) -> count``: calls the app's service on each of
    ``rows`` (a plain queryset of the list's model, only rows the user may see, at most
    ``limit``) and says how many it changed. ``done`` is the success message, with
    ``%(count)s`` and ``%(total)s`` (changed, chosen; Persian digits) and the form's
    values by name."""

    key: str
    label: str  # Persian, the button
    permission: str  # besides the list's own
    apply: Callable[[QuerySet, dict[str, Any], Any], int]
    done: str
    icon: str = "check2-square"
    form: type[BulkForm] | None = None
    limit: int = BULK_LIMIT
