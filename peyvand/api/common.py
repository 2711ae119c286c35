"""What every group of API endpoints shares: the permission check, unnumbered pages and
form errors keyed as the payload names them."""

from typing import Annotated

from django.conf import settings
from django.core.exceptions import PermissionDenied
from ninja import Status
from ninja.errors import HttpError
from pydantic import Field

from peyvand.core.pagination import MAX_PAGE, paginate
from peyvand.core.params import MAX_ID


def require(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied


# A record's id as the databases store it (a 64-bit integer).
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]


def page_of(queryset, page: int, **extra) -> dict:
    """One page of a list, never counted: the items, the page number, whether more follow."""
    if page > MAX_PAGE:
        raise HttpError(422, "شمارهٔ صفحه (page) بیش از اندازه بزرگ است.")
    result = paginate(queryset, page, settings.PAGE_SIZE)
    return {"items": result.items, "page": result.number, "has_next": result.has_next, **extra}


def form_errors(form) -> dict:
    """A form's errors keyed as the payload names them (custom fields as custom.f<id>)."""
    return {
        f"custom.f{name.removeprefix('custom_')}" if name.startswith("custom_") else name: errors
        for name, errors in form.errors.get_json_data().items()
    }


def invalid(form, extra: dict | None = None) -> Status:
    errors = form_errors(form) | (extra or {})
    return Status(422, {"detail": "داده‌های ارسالی معتبر نیست.", "errors": errors})
