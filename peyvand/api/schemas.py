import datetime
import functools
import re
import types
import typing
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, ValidationInfo, field_validator

from peyvand.core.dates import MAX_JALALI_YEAR, MIN_JALALI_YEAR, days_in_jalali_month, from_jalali
from peyvand.core.params import MAX_ID
from peyvand.core.text import clean_typed_text, normalize_typed_digits, to_persian_digits


def _takes_booleans(annotation) -> bool:
    if annotation is bool or annotation is Any:
        return True
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return any(_takes_booleans(arg) for arg in typing.get_args(annotation))
    return False


class InputSchema(Schema):
    """A request body. JSON's true and false are no numbers (pydantic would read them as
    1 and 0): a Persian 422 instead. Its text is typed text like a form's: control and
    bidi-override characters go (PostgreSQL refuses a NUL outright), line breaks stay for
    the services that take text straight from the body; digits are stored Latin
    (core.text.normalize_typed_digits, as every form's); a password is taken as
    typed."""

    @field_validator("*", mode="before")
    @classmethod
    def _typed_values(cls, value, info: ValidationInfo):
        if isinstance(value, str):
            if info.field_name == "password":
                return value
            return normalize_typed_digits(clean_typed_text(value, multiline=True))
        annotation = cls.model_fields[info.field_name].annotation
        if _takes_booleans(annotation) or typing.get_origin(annotation) is dict:
            return value
        if any(isinstance(item, bool) for item in (value if isinstance(value, list) else [value])):
            raise ValueError(f"{info.field_name} باید عدد یا متن باشد، نه true یا false.")
        return value


class TokenIn(InputSchema):
    username: str
    password: str
    otp: str = Field(
        "",
        description=(
            "For a user with two-factor sign-in: the six-digit code of the authenticator"
            " app, or one of the recovery codes."
        ),
    )
    name: str = Field(
        "",
        max_length=100,
        description=(
            "What the token is for, as the user's token list shows it; empty: the"
            " client's User-Agent."
        ),
    )


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    name: str
    expires_at: datetime.datetime = Field(
        description="When the token stops working (API_TOKEN_DAYS after it was issued)."
    )


# Every PUT takes the version it edits (core.versions) as the record's GET gave it.
VERSION_HELP = (
    "PUT: the record's updated_at as the client read it. If someone saved the record"
    " since, the PUT answers 409 (who changed what, in Persian) instead of overwriting"
    " their change. Left out, nothing is checked. Ignored when creating."
)


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


class PhoneIn(InputSchema):
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
    updated_at: datetime.datetime  # the version a PUT or PATCH sends back (and the ETag)


class ContactIn(InputSchema):
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


class ContactUpdate(ContactIn):
    updated_at: datetime.datetime | None = Field(None, description=VERSION_HELP)


class TrashRestoredOut(Schema):
    type: str
    id: int
    name: str


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


class PhoneBookIn(InputSchema):
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


class MessageIn(InputSchema):
    channel: str = "sms"  # sms or email
    contact_id: int | None = None  # send to this contact's mobile/email (placeholders filled)
    to: str = ""  # or straight to a number/address
    subject: str = ""
    body: str
    scheduled_at: datetime.datetime | None = None  # later; naive times are Tehran time


class MessageOut(Schema):
    id: int
    channel: str
    direction: str  # "out": ours to the customer; "in": the customer's to us
    to: str  # the customer's side either way (the recipient of ours, the sender of theirs)
    contact_id: int | None
    subject: str
    body: str  # a secret message's (a portal sign-in code…): what it is, never the text
    secret: bool
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
    def resolve_body(message) -> str:
        return message.shown_body

    @staticmethod
    def resolve_secret(message) -> bool:
        return message.is_secret

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


class TaskIn(InputSchema):
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


class EventIn(InputSchema):
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

    @staticmethod
    def resolve_contact_id(call) -> int | None:
        """Null when the caller may not see the contact: a number tells no one its owner."""
        return call.shown_contact_id


class CallIn(InputSchema):
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


class PbxIn(InputSchema):
    event: str  # ring or end
    call_id: str  # the PBX's id of the call (Asterisk: ${UNIQUEID})
    number: str  # the other party: caller ID for incoming, dialled number for outgoing
    extension: str = ""  # the staff member's extension
    direction: str = "in"  # in or out
    duration: str = "0"  # seconds talked (end)
    disposition: str = ""  # ANSWERED, NO ANSWER, BUSY, FAILED (end)


# Sales ---------------------------------------------------------------------------------


class LeadOut(Schema):
    id: int
    code: str
    title: str
    contact_id: int
    contact_name: str
    source_id: int | None
    person_name: str
    position_id: int | None
    stars: int
    responsible_id: int
    status: str  # open, won, lost
    stage: str  # new, contacted, proposal, negotiation
    lost_reason: str
    closed_at: datetime.datetime | None
    expected_value: int | None  # rials
    expected_close: datetime.date | None
    notes: str
    custom: dict[str, Any]
    last_result_id: int | None
    last_followup_at: datetime.datetime | None
    next_at: datetime.datetime | None
    next_by_id: int | None
    owner_id: int
    created_at: datetime.datetime
    updated_at: datetime.datetime  # the version a PUT sends back

    @staticmethod
    def resolve_contact_name(lead) -> str:
        return lead.contact.name


class LeadIn(InputSchema):
    contact_id: int | None = None  # an existing contact; or the new_contact_* fields
    new_contact_kind: str = "person"
    new_contact_name: str = ""
    new_contact_mobile: str = ""
    title: str
    source_id: int | None = None
    person_name: str = ""
    position_id: int | None = None
    stars: int = 1  # 1 to 3
    responsible_id: int | None = None  # default: the caller
    stage: str = "new"
    expected_value: str = ""  # rials, any digits: "۱۲٬۵۰۰٬۰۰۰"
    expected_close: str = ""  # Jalali, e.g. "1405/10/15"
    notes: str = ""
    custom: dict[str, str] = {}
    updated_at: datetime.datetime | None = Field(None, description=VERSION_HELP)


class LeadPage(Schema):
    items: list[LeadOut]
    page: int
    has_next: bool


class LeadCloseIn(InputSchema):
    status: str  # won or lost
    reason: str = ""  # required for lost


class StageIn(InputSchema):
    stage: str  # new, contacted, proposal, negotiation


class FollowUpOut(Schema):
    id: int
    lead_id: int | None
    quote_id: int | None
    complaint_id: int | None
    at: datetime.datetime
    channel_id: int | None
    person: str
    result_id: int
    result: str
    priority: int
    description: str
    next_at: datetime.datetime | None
    referred_to_id: int | None
    next_by_id: int | None
    settled_at: datetime.datetime | None
    task_id: int | None
    owner_id: int

    @staticmethod
    def resolve_result(followup) -> str:
        return followup.result.name


class FollowUpIn(InputSchema):
    at: str = ""  # Jalali date and Tehran time, "1405/09/08 10:30"; default: now
    channel_id: int | None = None
    person: str = ""
    result_id: int
    description: str = ""
    next_date: str = ""  # Jalali date, or "+3" for three working days from today
    next_time: str = ""  # "14:00"; default 09:00
    referred_to_id: int | None = None


class FollowUpPage(Schema):
    items: list[FollowUpOut]
    page: int
    has_next: bool


class ProductOut(Schema):
    id: int
    code: str
    name: str
    kind: str  # goods or service
    tax_id: str  # شناسه کالا/خدمت: 13 digits, or empty
    unit: str
    price: int  # rials
    vat_applies: bool
    is_active: bool
    updated_at: datetime.datetime  # the version a PUT sends back


class ProductIn(InputSchema):
    code: str
    name: str
    kind: str = "goods"
    tax_id: str = ""  # شناسه کالا/خدمت: 13 digits (Persian or Latin), or empty
    unit: str = "عدد"
    price: str  # rials, any digits
    vat_applies: bool = True
    is_active: bool = True
    updated_at: datetime.datetime | None = Field(None, description=VERSION_HELP)


class ProductPage(Schema):
    items: list[ProductOut]
    page: int
    has_next: bool


class LineOut(Schema):
    product_id: int | None
    description: str
    quantity: str  # a decimal, as text: "2.5"
    unit: str
    unit_price: int
    discount: int
    vat_applies: bool
    amount: int
    vat: int

    @staticmethod
    def resolve_quantity(line) -> str:
        return str(line.quantity_shown)


class LineIn(InputSchema):
    product_id: int | None = None  # its name, unit and price fill what is left empty
    description: str = ""
    quantity: str = "1"
    unit: str = ""
    unit_price: str = ""  # rials
    discount: str = ""  # rials
    vat_applies: bool = True


class DocumentOut(Schema):
    id: int
    number: str
    fiscal_year: int
    contact_id: int
    contact_name: str
    lead_id: int | None
    kind: str  # goods or service
    date: datetime.date
    money_unit: str  # rial or toman: how the document shows its amounts
    vat_percent: str
    subtotal: int  # rials
    discount_total: int
    vat_total: int
    total: int
    total_in_words: str
    notes: str
    owner_id: int
    created_at: datetime.datetime
    updated_at: datetime.datetime  # the version a PUT sends back
    pdf_url: str

    @staticmethod
    def resolve_contact_name(document) -> str:
        return document.contact.name

    @staticmethod
    def resolve_vat_percent(document) -> str:
        return str(document.vat_percent_shown)

    @staticmethod
    def resolve_total_in_words(document) -> str:
        return document.total_in_words


class QuoteOut(DocumentOut):
    status: str  # draft, sent, accepted, cancelled, expired
    valid_until: datetime.date | None
    cancel_reason: str
    invoice_id: int | None

    @staticmethod
    def resolve_pdf_url(quote) -> str:
        return f"/api/v1/quotes/{quote.pk}/pdf"

    @staticmethod
    def resolve_invoice_id(quote) -> int | None:
        return getattr(quote, "invoice_id", None)


class QuoteDetailOut(QuoteOut):
    lines: list[LineOut]


class QuoteIn(InputSchema):
    contact_id: int | None = None  # or lead_id: the lead's customer
    lead_id: int | None = None
    kind: str = "goods"
    date: str = ""  # Jalali; default today
    valid_until: str = ""
    money_unit: str = ""  # rial or toman; default: the caller's
    notes: str = ""
    lines: list[LineIn]
    updated_at: datetime.datetime | None = Field(None, description=VERSION_HELP)


class QuoteStatusIn(InputSchema):
    status: str  # sent, accepted, expired, cancelled
    reason: str = ""  # required for cancelled


class QuotePage(Schema):
    items: list[QuoteOut]
    page: int
    has_next: bool


class InvoiceOut(DocumentOut):
    quote_id: int | None
    subject: int  # 1 original, 2 correction, 3 cancellation, 4 return (سامانه مودیان's ins)
    reference_id: int | None  # the invoice a correction, return or cancellation replaces
    superseded: bool  # replaced by a later one: its figures no longer count

    @staticmethod
    def resolve_pdf_url(invoice) -> str:
        return f"/api/v1/invoices/{invoice.pk}/pdf"


class InvoiceDetailOut(InvoiceOut):
    lines: list[LineOut]


class InvoicePage(Schema):
    items: list[InvoiceOut]
    page: int
    has_next: bool


# Service desk --------------------------------------------------------------------------


class RequestOut(Schema):
    id: int
    tracking_code: str
    created_at: datetime.datetime  # the request date, set by the system
    updated_at: datetime.datetime  # the version a PUT sends back
    owner_id: int  # the creator
    assignee_id: int
    contact_id: int | None
    channel_id: int | None
    type1_id: int | None
    type2_id: int | None
    type3_id: int | None
    subject: str
    description: str
    urgency_id: int
    deadline: datetime.date
    status: str  # open, done, archived
    result: str
    done_at: datetime.datetime | None
    archived_at: datetime.datetime | None
    rejected_at: datetime.datetime | None  # sent back («اشکال دارد»), marked until done
    rejection_note: str
    confidentiality: str  # private, team, public
    watcher_ids: list[int]
    related_ids: list[int]  # linked requests (only those the caller may see are worth asking)

    @staticmethod
    def resolve_watcher_ids(item) -> list[int]:
        return [user.pk for user in item.watchers.all()]

    @staticmethod
    def resolve_related_ids(item) -> list[int]:
        return [other.pk for other in item.related.all()]


class RequestIn(InputSchema):
    contact_id: int | None = None
    channel_id: int | None = None
    type1_id: int | None = None
    type2_id: int | None = None
    type3_id: int | None = None
    subject: str = ""
    description: str
    urgency_id: int
    tracking_code: str = ""  # empty: the series' next
    assignee_id: int
    confidentiality: str = "private"  # private, team or public: who else sees it
    watcher_ids: list[int] = []  # told of every update; they see it whatever its level
    updated_at: datetime.datetime | None = Field(None, description=VERSION_HELP)


class RequestPage(Schema):
    items: list[RequestOut]
    page: int
    has_next: bool


class RequestDoneIn(InputSchema):
    result: str


class RequestRejectIn(InputSchema):
    note: str


class FeedbackOut(Schema):
    id: int
    contact_id: int
    kind: str  # suggestion, gift, discount
    description: str
    value: int | None  # rials
    date: datetime.date
    owner_id: int


class FeedbackIn(InputSchema):
    contact_id: int
    kind: str  # suggestion, gift or discount
    description: str
    value: str = ""  # rials, any digits
    date: str = ""  # Jalali; default today


class FeedbackPage(Schema):
    items: list[FeedbackOut]
    page: int
    has_next: bool


class ComplaintOut(Schema):
    id: int
    tracking_code: str
    date: datetime.date
    owner_id: int  # who registered it
    officer_id: int  # the control officer
    contact_id: int
    channel_id: int | None
    source: str  # crm, after_sales
    description: str
    actions: str
    product_id: int | None
    staff_id: int | None
    status: str  # following, closed
    result: str
    closed_at: datetime.datetime | None
    updated_at: datetime.datetime  # the version a PUT sends back


class ComplaintIn(InputSchema):
    contact_id: int
    date: str = ""  # Jalali; default today
    channel_id: int | None = None
    source: str = "crm"  # crm or after_sales
    description: str
    product_id: int | None = None
    staff_id: int | None = None
    officer_id: int
    actions: str = ""
    updated_at: datetime.datetime | None = Field(None, description=VERSION_HELP)


class ComplaintPage(Schema):
    items: list[ComplaintOut]
    page: int
    has_next: bool


class ComplaintCloseIn(InputSchema):
    result: str


# Money ---------------------------------------------------------------------------------

# An amount in rials, as a whole number; zero and negatives reach the services, which
# refuse them with their own Persian message.
Rials = Annotated[int, Field(le=MAX_ID, description="ریال، عدد صحیح")]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


@functools.cache
def _calendar_bounds() -> tuple[datetime.date, datetime.date]:
    last_month_days = days_in_jalali_month(MAX_JALALI_YEAR, 12)
    return (
        from_jalali(MIN_JALALI_YEAR, 1, 1),
        from_jalali(MAX_JALALI_YEAR, 12, last_month_days),
    )


def _within_calendar(value: datetime.date) -> datetime.date:
    """The dates the pages take (Jalali years 1300–1500): anything else is a slip, and a
    date stored centuries away could not be shown in the Jalali calendar."""
    first, last = _calendar_bounds()
    if not first <= value <= last:
        years = f"{MIN_JALALI_YEAR} تا {MAX_JALALI_YEAR}"
        raise ValueError(
            f"تاریخ باید میان {to_persian_digits(first.isoformat())} و "
            f"{to_persian_digits(last.isoformat())} باشد (سال‌های "
            f"{to_persian_digits(years)} خورشیدی)."
        )
    return value


def _iso_text(value):
    """Only YYYY-MM-DD: pydantic would also read a number as a Unix time (0 → 1970-01-01)."""
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str) or not _ISO_DATE_RE.fullmatch(value.strip()):
        raise ValueError("باید تاریخ میلادی به شکل YYYY-MM-DD باشد (مثلاً 2025-03-21).")
    return value.strip()


_ISO_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A Gregorian date as ISO text, in a query or a body.
IsoDate = Annotated[datetime.date, BeforeValidator(_iso_text)]
# A date a record keeps: within the calendar the pages take.
StoredDate = Annotated[IsoDate, AfterValidator(_within_calendar)]


class BankAccountOut(Schema):
    id: int
    name: str
    bank: str
    branch: str
    number: str
    iban: str
    is_active: bool


class ChequeIn(InputSchema):
    sayad_id: str = Field(description="شناسه صیادی: ۱۶ رقم، با رقم فارسی یا لاتین")
    serial: str = Field("", description="سری و سریال")
    bank: str = Field(description="بانک صادرکننده، مثلاً «ملت»")
    branch: str = ""
    drawer: str = Field("", description="صادرکننده؛ خالی: نام خود مشتری")
    due_date: StoredDate = Field(description="سررسید (میلادی، YYYY-MM-DD)؛ نه پیش از تاریخ دریافت")


class AllocationIn(InputSchema):
    invoice_id: Id | None = Field(None, description="فاکتوری از همین مشتری که تسویه می‌شود")
    entry_id: Id | None = Field(
        None,
        description="یا ردیف بدهکار دیگری از حساب (مانده اول دوره، چک برگشتی): "
        "open_debts در GET /contacts/{contact_id}/account",
    )
    amount: Rials


class ReceiptIn(InputSchema):
    direction: str = Field("in", description="in: دریافت از مشتری، out: پرداخت به مشتری")
    contact_id: Id
    date: StoredDate | None = Field(None, description="میلادی، YYYY-MM-DD؛ خالی: امروز")
    amount: Rials
    method: str = Field(
        description="cash (نقد)، pos (کارتخوان)، card (کارت به کارت)، paya (پایا)، "
        "satna (ساتنا) یا cheque (چک؛ فقط برای دریافت)"
    )
    bank_account_id: Id | None = Field(None, description="حساب بانکی شرکت (GET /bank-accounts)")
    terminal: str = Field("", description="شماره پایانه؛ برای کارتخوان لازم است")
    reference: str = Field(
        "", description="شماره پیگیری یا مرجع؛ برای کارتخوان، کارت به کارت، پایا و ساتنا لازم است"
    )
    note: str = ""
    cheque: ChequeIn | None = Field(None, description="مشخصات چک؛ فقط با روش cheque")
    allocations: list[AllocationIn] | None = Field(
        None,
        description="فاکتورهایی که این دریافت تسویه می‌کند و مبلغ هر یک؛ باقی‌مانده (یا همه، "
        "اگر خالی باشد) به ترتیب قدیمی‌ترین بدهی تسویه می‌شود و بقیه بستانکاری مشتری می‌ماند.",
    )


class AllocationOut(Schema):
    entry_id: int  # the line on the far side: the debt a receipt settled, the credit a payment used
    invoice_id: int | None
    description: str
    due_date: datetime.date
    amount: int  # rials
    cleared: bool  # the money is in (a cheque's only once it clears)

    @staticmethod
    def resolve_entry_id(allocation) -> int:
        return allocation.other.pk

    @staticmethod
    def resolve_invoice_id(allocation) -> int | None:
        return allocation.other.invoice_id

    @staticmethod
    def resolve_description(allocation) -> str:
        return allocation.other.description

    @staticmethod
    def resolve_due_date(allocation) -> datetime.date:
        return allocation.other.due_date

    @staticmethod
    def resolve_cleared(allocation) -> bool:
        return allocation.credit.cleared


class AllocationsIn(InputSchema):
    allocations: list[AllocationIn] = Field(
        description="تسویه‌های تازهٔ این دریافت، به جای همهٔ تسویه‌های پیشین؛ [] یعنی هیچ"
    )


class ChequeEventOut(Schema):
    date: datetime.date
    from_status: str  # empty for the first (received)
    status: str
    note: str
    by_id: int
    at: datetime.datetime


class ChequeOut(Schema):
    id: int
    receipt_id: int
    contact_id: int
    contact_name: str
    sayad_id: str
    serial: str
    bank: str
    branch: str
    drawer: str
    amount: int  # rials
    due_date: datetime.date
    status: str  # received, deposited, cleared, bounced, returned, endorsed
    status_display: str
    next_statuses: list[str]  # where POST /cheques/{id}/move may take it
    is_in_hand: bool  # received, deposited or endorsed: not money yet
    bank_account_id: int | None
    endorsed_to: str
    bounce_reason: str
    owner_id: int  # who recorded it
    created_at: datetime.datetime

    @staticmethod
    def resolve_contact_name(cheque) -> str:
        return cheque.contact.name

    @staticmethod
    def resolve_status_display(cheque) -> str:
        return str(cheque.get_status_display())

    @staticmethod
    def resolve_next_statuses(cheque) -> list[str]:
        return list(cheque.MOVES[cheque.status])


class ChequeDetailOut(ChequeOut):
    events: list[ChequeEventOut]

    @staticmethod
    def resolve_events(cheque) -> list:
        return list(cheque.events.all())


class ChequePage(Schema):
    items: list[ChequeOut]
    page: int
    has_next: bool


class ChequeMoveIn(InputSchema):
    status: str = Field(
        description="وضعیت تازه: deposited (خوابانده)، cleared (وصول)، bounced (برگشتی)، "
        "returned (عودت) یا endorsed (خرج)، چنان که next_statuses چک اجازه می‌دهد"
    )
    date: StoredDate | None = Field(None, description="میلادی، YYYY-MM-DD؛ خالی: امروز")
    bank_account_id: Id | None = Field(None, description="برای deposited: حساب بانکی شرکت")
    endorsed_to: str = Field("", max_length=200, description="برای endorsed: به چه کسی داده شد")
    reason: str = Field("", max_length=300, description="برای bounced: علت برگشت")
    note: str = Field("", max_length=300)


class ReceiptOut(Schema):
    id: int
    number: str  # numbered apart: receipts «1405/00012», payments «1405/00003»
    direction: str  # in (دریافت) or out (پرداخت)
    contact_id: int
    contact_name: str
    date: datetime.date
    amount: int  # rials
    method: str  # cash, pos, card, paya, satna, cheque, online
    bank_account_id: int | None
    terminal: str
    reference: str
    note: str
    cheque_id: int | None
    owner_id: int  # who recorded it
    created_at: datetime.datetime

    @staticmethod
    def resolve_contact_name(receipt) -> str:
        return receipt.contact.name

    @staticmethod
    def resolve_cheque_id(receipt) -> int | None:
        return getattr(receipt, "cheque_id", None)


class ReceiptDetailOut(ReceiptOut):
    cheque: ChequeOut | None
    allocations: list[AllocationOut]

    @staticmethod
    def resolve_cheque(receipt):
        return getattr(receipt, "shown_cheque", None)

    @staticmethod
    def resolve_allocations(receipt) -> list:
        return getattr(receipt, "shown_allocations", [])


class ReceiptPage(Schema):
    items: list[ReceiptOut]
    page: int
    has_next: bool


class OpenDebtOut(Schema):
    entry_id: int
    kind: str  # opening, invoice, payment, bounced, returned
    invoice_id: int | None
    description: str
    date: datetime.date
    due_date: datetime.date
    amount: int  # rials
    open_amount: int  # what is still owed of it

    @staticmethod
    def resolve_entry_id(entry) -> int:
        return entry.pk


class AccountOut(Schema):
    contact_id: int
    contact_name: str
    balance: int  # rials; positive: the customer owes (بدهکار), negative: we owe them
    debit: int
    credit: int
    cheques_in_hand: int  # their cheques not cleared yet
    credit_limit: int | None  # null: no limit set
    credit_used: int  # what they owe plus their cheques in hand
    credit_available: int | None  # negative: over the limit
    open_debts: list[OpenDebtOut]  # the oldest due first, at most 50


class StatementLineOut(Schema):
    entry_id: int
    date: datetime.date
    due_date: datetime.date
    kind: str  # opening, invoice, receipt, payment, bounced, returned, presented
    kind_display: str
    description: str
    debit: int
    credit: int
    balance: int  # after this line; positive: the customer owes
    invoice_id: int | None
    receipt_id: int | None
    cheque_id: int | None
    cleared: bool  # a credit whose money is in (a cheque's only once it clears)


class StatementOut(Schema):
    contact_id: int
    start: datetime.date | None
    end: datetime.date | None
    brought_forward: int  # the balance before start
    debit: int  # the period's
    credit: int
    closing: int  # brought_forward + debit − credit
    lines: list[StatementLineOut]


# The output schema of each record type the API serves, by model label: the shape a
# webhook's record has too (core.registry.record_json, registered in api/apps.py).
RECORD_SCHEMAS: dict[str, type[Schema]] = {
    "contacts.contact": ContactOut,
    "contacts.phonebookentry": PhoneBookOut,
    "activities.task": TaskOut,
    "activities.event": EventOut,
    "activities.call": CallOut,
    "sales.lead": LeadOut,
    "sales.followup": FollowUpOut,
    "sales.quote": QuoteDetailOut,
    "sales.invoice": InvoiceDetailOut,
    "service.request": RequestOut,
    "service.feedback": FeedbackOut,
    "service.complaint": ComplaintOut,
    "finance.receipt": ReceiptDetailOut,
    "finance.cheque": ChequeDetailOut,
}
