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


def form_data(data: dict, ids: tuple[str, ...] = ()) -> dict:
    """A payload as the page's form posts it: ``<name>_id`` → ``<name>`` for ``ids``,
    ``custom: {"f12": …}`` → ``custom_12`` (only the keys present are touched, so a
    PATCH's partial payload maps the same way)."""
    data = dict(data)
    for name in ids:
        if f"{name}_id" in data:
            data[name] = data.pop(f"{name}_id")
    for key, value in (data.pop("custom", None) or {}).items():
        data[f"custom_{key.removeprefix('f')}"] = value
    return data


def partial(schema: type[Schema], name: str) -> type[Schema]:
    """A PATCH body: every field of ``schema``, none required (what is left out stays as
    it is; api.common.patched), its checks kept (its base's validators)."""
    fields = {
        field_name: (field.annotation | None, Field(None, description=field.description))
        for field_name, field in schema.model_fields.items()
    }
    return create_model(name, __base__=schema, **fields)


def patched(current_form, sent: dict) -> dict:
    """The form data of a PATCH: every field as the record has it now (the page's own
    form, unbound, gives its values as it would show them), overlaid with what was sent
    (already mapped by ``form_data``)."""
    data = {name: current_form[name].value() for name in current_form.fields}
    return {name: value for name, value in data.items() if value is not None} | sent
