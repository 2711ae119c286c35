import datetime

from ninja import Schema


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret


class ErrorOut(Schema):
    detail: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    calendar: str
    digits: str
    permissions: list[str]


class LookupOut(Schema):
    id: int
    name: str
    order: int
    is_active: bool


class PhoneIn(Schema):
    kind: str = "mobile"  # mobile, landline, fax, internal
    number: str
    note: str = ""


class PhoneOut(Schema):
    kind: str
    number: str
    note: str


class ContactOut(Schema):
    id: int
    code: str
    kind: str
    name: str
    company: str
    mobile: str
    phones: list[PhoneOut]
    email: str
    national_id: str
    source_id: int | None
    birthday: datetime.date | None
    notes: str
    owner_id: int
    created_at: datetime.datetime


class ContactIn(Schema):
    kind: str = "person"
    name: str
    company: str = ""
    code: str = ""
    phones: list[PhoneIn] = []
    email: str = ""
    national_id: str = ""
    source_id: int | None = None
    birthday: str | None = None  # Jalali, e.g. "1370/05/12"
    notes: str = ""


class ContactPage(Schema):
    items: list[ContactOut]
    page: int
    has_next: bool
