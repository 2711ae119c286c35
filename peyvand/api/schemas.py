import datetime
from typing import Any

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
    economic_code: str
    status: str
    grade_id: int | None
    is_vip: bool
    roles: list[str]
    organization_id: int | None
    position_id: int | None
    parent_id: int | None
    website: str
    address: str
    postal_code: str
    category_id: int | None
    region_id: int | None
    source_id: int | None
    birthday: datetime.date | None
    job: str
    education: str
    credit_limit: int | None
    payment_method: str
    notes: str
    custom: dict[str, Any]  # custom field values by key ("f12"), as stored
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
    economic_code: str = ""
    status: str = "prospect"  # prospect, customer, inactive
    grade_id: int | None = None
    is_vip: bool = False
    roles: list[str] = []  # customer, agent, supplier, employee
    organization_id: int | None = None
    position_id: int | None = None
    parent_id: int | None = None
    website: str = ""
    address: str = ""
    postal_code: str = ""
    category_id: int | None = None
    region_id: int | None = None
    source_id: int | None = None
    birthday: str | None = None  # Jalali, e.g. "1370/05/12"
    job: str = ""
    education: str = ""
    credit_limit: int | None = None  # rials
    payment_method: str = ""  # cash, cheque, credit, installments
    notes: str = ""
    # Custom field values by key ("f12"): text, a number, a Jalali date, an option, 1/0.
    custom: dict[str, str] = {}


class ContactPage(Schema):
    items: list[ContactOut]
    page: int
    has_next: bool


class TreeNodeOut(Schema):
    id: int
    name: str
    parent_id: int | None
    depth: int
    is_active: bool


class PhoneBookOut(Schema):
    id: int
    name: str
    company: str
    job_title: str
    mobile: str  # E.164
    phone: str  # E.164
    extension: str
    email: str
    address: str
    notes: str
    is_public: bool
    custom: dict[str, Any]
    owner_id: int


class PhoneBookIn(Schema):
    name: str
    company: str = ""
    job_title: str = ""
    mobile: str = ""  # any Iranian form: ۰۹۱۲…، +98 912…
    phone: str = ""  # with area code: 021-…
    extension: str = ""
    email: str = ""
    address: str = ""
    notes: str = ""
    is_public: bool = False
    custom: dict[str, str] = {}


class PhoneBookPage(Schema):
    items: list[PhoneBookOut]
    page: int
    has_next: bool


class MessageIn(Schema):
    channel: str = "sms"  # sms or email
    contact_id: int | None = None  # send to this contact's mobile/email (placeholders filled)
    to: str = ""  # or straight to a number/address
    subject: str = ""
    body: str
    scheduled_at: datetime.datetime | None = None  # later; naive times are Tehran time


class MessageOut(Schema):
    id: int
    channel: str
    to: str
    contact_id: int | None
    subject: str
    body: str
    status: str
    status_display: str
    scheduled_at: datetime.datetime
    sent_at: datetime.datetime | None
    delivered_at: datetime.datetime | None
    attempts: int
    last_error: str
    backend: str
    provider_id: str
    owner_id: int
    broadcast_id: int | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_status_display(message) -> str:
        return str(message.get_status_display())


class MessagePage(Schema):
    items: list[MessageOut]
    page: int
    has_next: bool


class TaskOut(Schema):
    id: int
    date: datetime.date
    description: str
    assignee_id: int
    team_id: int | None
    urgency_id: int | None
    remind_at: datetime.datetime | None
    remind_by_email: bool
    remind_by_sms: bool
    status: str
    done_at: datetime.datetime | None
    notes: str
    owner_id: int
    created_at: datetime.datetime


class TaskIn(Schema):
    description: str
    date: str  # Jalali, e.g. "1405/09/02"
    assignee_id: int | None = None  # default: the caller
    team_id: int | None = None
    urgency_id: int | None = None
    remind_at: str = ""  # Jalali date and Tehran time, e.g. "1405/09/02 09:30"
    remind_by_email: bool = False
    remind_by_sms: bool = False
    notes: str = ""


class TaskPage(Schema):
    items: list[TaskOut]
    page: int
    has_next: bool


class EventOut(Schema):
    id: int
    title: str
    date: datetime.date
    start_time: datetime.time | None
    end_time: datetime.time | None
    location: str
    description: str
    team_id: int | None
    remind: bool
    remind_minutes: int
    is_done: bool
    done_at: datetime.datetime | None
    owner_id: int


class EventIn(Schema):
    title: str
    date: str  # Jalali, e.g. "1405/09/02"
    start_time: str = ""  # "09:30"
    end_time: str = ""
    location: str = ""
    description: str = ""
    team_id: int | None = None  # empty: a personal event
    remind: bool = False
    remind_minutes: int = 10  # 0, 10, 30, 60 or 1440
    remind_by_email: bool = False
    remind_by_sms: bool = False


class CallOut(Schema):
    id: int
    kind: str
    number: str  # E.164 for Iranian numbers
    contact_id: int | None
    extension: str
    started_at: datetime.datetime
    ended_at: datetime.datetime | None
    duration: int  # seconds
    notes: str
    owner_id: int
    callback_task_id: int | None


class CallIn(Schema):
    kind: str = "outgoing"  # incoming, outgoing, missed
    number: str
    started_at: str  # Jalali date and Tehran time, "1405/09/02 09:30"
    duration_minutes: int | None = None
    notes: str = ""


class CallPage(Schema):
    items: list[CallOut]
    page: int
    has_next: bool


class PbxReportOut(Schema):
    call_id: int
    created: bool
    kind: str
    contact_id: int | None
    user_id: int


class NotificationOut(Schema):
    id: int
    title: str
    body: str
    url: str
    created_at: datetime.datetime
    seen_at: datetime.datetime | None


class NotificationPage(Schema):
    items: list[NotificationOut]
    unseen: int  # counted up to 100 (the bell shows ۹۹+)
    page: int
    has_next: bool


class PbxIn(Schema):
    event: str  # ring or end
    call_id: str  # the PBX's id of the call (Asterisk: ${UNIQUEID})
    number: str  # the other party: caller ID for incoming, dialled number for outgoing
    extension: str = ""  # the staff member's extension
    direction: str = "in"  # in or out
    duration: str = "0"  # seconds talked (end)
    disposition: str = ""  # ANSWERED, NO ANSWER, BUSY, FAILED (end)
