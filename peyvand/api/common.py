"""What every group of API endpoints shares: the permission check, unnumbered pages and
form errors keyed as the payload names them."""

import datetime
from typing import Annotated, Literal, get_args, get_origin

from django.conf import settings
from django.core.exceptions import PermissionDenied
from ninja import Schema, Status
from ninja.errors import HttpError
from pydantic import Field, create_model

from peyvand.api.schemas import IsoDate
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


def list_query(spec) -> type[Schema]:
    """A list operation's query parameters, from the list's own declaration (core.lists):
    each filter's parameters with its Persian label, the sorts it offers, ``page``. The
    operation takes it as ``Query[...]`` for the OpenAPI description and for a 422 on a
    value no filter can read (the page drops such a value with a warning; an integration
    is better told); the rows are read from the same query string as the page reads."""
    fields: dict = {}
    for list_filter in spec.filters:
        for name, (kind, description) in list_filter.parameters().items():
            if kind == datetime.date | None:
                kind = IsoDate | None
            if get_origin(kind) is list:
                default = Field(default_factory=list, description=description)
            elif type(None) in get_args(kind):
                default = Field(None, description=description)
            else:
                default = Field("", description=description)
            fields[name] = (kind, default)
    sorts = [sort.key for sort in spec.sorts]
    fields["sort"] = (
        Literal[("", *sorts, *(f"-{key}" for key in sorts))],
        Field("", description=f"ترتیب: {'، '.join(sorts)}؛ با - پیش از آن برای جهت دیگر"),
    )
    fields["page"] = (int, Field(1, ge=1, description="شمارهٔ صفحه"))
    return create_model(f"{spec.key.title()}Query", __base__=Schema, **fields)
