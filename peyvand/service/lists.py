"""The request and complaint lists, declared once (core.lists): the pages, their Excel,
CSV and PDF exports and the API's list operations read the same rows through these.
Visibility is the models' own (RequestQuerySet / ComplaintQuerySet): filters only
narrow it. The fields a manager hid in the service settings leave the bar, the table,
the columns menu and the exports (``hidden``)."""

from __future__ import annotations

import datetime
import html
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, Value
from django.http import QueryDict
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from peyvand.accounts.models import User
from peyvand.accounts.selectors import people_who_can
from peyvand.contacts.lists import CUSTOMER_SHOWN, customer_filter
from peyvand.core.lists import (
    FUTURE,
    ME,
    PAST,
    BulkAction,
    Choice,
    Column,
    DateRange,
    DateTimeRange,
    ListReading,
    ListSpec,
    Person,
    Reading,
    Search,
    Sort,
    YesNo,
    cells,
    person_form,
)
from peyvand.core.sequences import text_or_code
from peyvand.customfields.lists import CustomFieldColumns, CustomFieldFilters
from peyvand.lookups.models import Channel, RequestType, Urgency
from peyvand.sales.models import Product
from peyvand.service.models import Complaint, Request, ServiceSettings
from peyvand.service.selectors import COMPLAINT_RELATIONS, RELATIONS, unseen_q
from peyvand.service.services import requests_archive, requests_assign

# Filters ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Lookup(Choice):
    """One item of a manager-edited lookup table (channel, urgency, a request type of
    ``level``), inactive ones too (last year's requests name them). The request types'
    three levels share one query."""

    choices: Any = ()
    model: Any
    level: int | None = None

    def options(self, reading: Reading):
        items = reading.source(
            f"lookup:{self.model._meta.label}",
            lambda: list(
                self.model.objects.order_by("order", "name", "id").values_list(
                    "pk", "name", *(("level",) if self.level else ())
                )
            ),
        )
        return [
            (str(item[0]), item[1]) for item in items if not self.level or item[2] == self.level
        ]

    def parameters(self) -> dict[str, tuple[Any, str]]:
        return {self.name: (int | None, f"{self.label} (شناسه)")}


@dataclass(frozen=True, kw_only=True)
class Tab(Choice):
    """The complaint list's tabs as a choice (``view``: mine, sent; ``all`` for every
    complaint the user sees). A text search looks in every tab: with ``q`` the tab is
    set aside, and the page says so."""

    def read(self, params: QueryDict, reading: Reading) -> Any:
        if params.get("q", "").strip():
            if params.get(self.name, self.default) != "all":
                reading.warnings.append(
                    gettext("جستجو در همه شکایت‌هایی است که می‌بینید، نه فقط در این زبانه.")
                )
            return None
        return super().read(params, reading)


def _everyone(reading: Reading) -> list:
    return reading.source(
        "people:all", lambda: list(User.objects.order_by("first_name", "last_name", "id"))
    )


# Requests --------------------------------------------------------------------------------


def _no_customer(get):
    """A request may have no customer: then nothing matched through one."""
    return lambda row: get(row) if row.contact_id else ""


def request_search(text: str, reading) -> Q:
    """Text in the tracking code, subject or description, or the customer's name,
    company or phone (the request's search key); one or two characters are a tracking
    code or a whole word of the subject or description (core.models.text_condition),
    and a number alone finds the code it ends (this year's or the two before).
    """
    return text_or_code(text, field="tracking_code", kind="request")


ACTIVE = "active"


def _request_status(value: str, reading) -> Q:
    if value == ACTIVE:
        return ~Q(status=Request.Status.ARCHIVED)
    return Q(status=value)


def _overdue(reading: Reading) -> Q:
    return Q(status=Request.Status.OPEN, deadline__lt=reading.today)


def mark(item: Request, user_pk: int, today: datetime.date) -> None:
    """What makes a request stand out for this user, noted on it: ``overdue`` (past its
    deadline, still to do: for every reader), ``late`` (overdue, or done and awaiting
    this user's confirmation) and ``unseen`` (new to them: assigned or sent back to
    them, or done and theirs to confirm, until they open it)."""
    mine_to_do = item.assignee_id == user_pk and item.status == Request.Status.OPEN
    mine_to_confirm = item.owner_id == user_pk and item.status == Request.Status.DONE
    item.overdue = item.status == Request.Status.OPEN and item.deadline < today
    item.late = item.overdue or mine_to_confirm
    item.unseen = (mine_to_do and item.assignee_seen_at is None) or (
        mine_to_confirm and item.creator_seen_at is None
    )


def request_row_class(item: Request, reading: ListReading) -> str:
    """Red: past its deadline and still to do — for every reader, a manager in «همه»
    as much as its assignee — or done and awaiting my confirmation. Bold: new to me."""
    mark(item, reading.user.pk, reading.today)
    classes = ["table-danger"] if item.late else []
    if item.unseen:
        classes.append("fw-bold")
    return " ".join(classes)


def request_badges(item: Request) -> str:
    """The status cell: the state, sent back, late, new to me (as the request's page and
    the row's colour say it: the list's rows know their reader, ``viewer_pk``)."""
    if not hasattr(item, "late"):
        mark(item, item.viewer_pk, timezone.localdate())
    late = item.late
    if item.status == Request.Status.ARCHIVED:
        shown = [cells.badge(item.get_status_display(), "secondary")]
    elif item.status == Request.Status.DONE:
        shown = [cells.badge(item.get_status_display(), "danger" if late else "info")]
    else:
        shown = [cells.badge(item.get_status_display(), "primary")]
        if item.rejected_at:
            shown.append(cells.badge(gettext("برگشتی: اشکال دارد"), "warning"))
        if late:
            shown.append(cells.badge(gettext("دیرکرد"), "danger"))
    if getattr(item, "unseen", False):
        shown.append(cells.badge(gettext("تازه"), "success"))
    return mark_safe(" ".join(shown))  # noqa: S308 - badges are escaped


def _short(get, length: int = 60):
    return cells.text(lambda row: Truncator(get(row) or "").chars(length))


def _name(get):
    return cells.text(lambda row: get(row) or "")


def _code(row) -> str:
    code = html.escape(row.tracking_code)
    url = html.escape(row.get_absolute_url())
    return mark_safe(f'<a class="ltr d-inline-block text-nowrap" href="{url}">{code}</a>')  # noqa: S308


REQUEST_COLUMNS = [
    Column("code", _("کد پیگیری"), _code),
    Column("date", _("تاریخ"), cells.date(lambda row: row.created_at), sort="date"),
    Column("contact", _("مشتری"), _name(lambda row: row.contact.name if row.contact_id else "")),
    Column("subject", _("موضوع"), _short(lambda row: row.subject)),
    Column("description", _("شرح"), _short(lambda row: row.description)),
    Column("channel", _("نوع ارتباط"), _name(lambda row: row.channel), default=False),
    Column("type1", _("نوع ۱"), _name(lambda row: row.type1), default=False),
    Column("type2", _("نوع ۲"), _name(lambda row: row.type2), default=False),
    Column("type3", _("نوع ۳"), _name(lambda row: row.type3), default=False),
    Column("urgency", _("فوریت"), _name(lambda row: row.urgency)),
    Column("deadline", _("مهلت"), cells.date(lambda row: row.deadline), sort="deadline"),
    Column("creator", _("ثبت‌کننده"), _name(lambda row: row.owner)),
    Column("assignee", _("انجام‌دهنده"), _name(lambda row: row.assignee)),
    Column("status", _("وضعیت"), request_badges),
    Column(
        "confidentiality",
        _("محرمانگی"),
        _name(lambda row: row.get_confidentiality_display()),
        default=False,
    ),
]


def request_hidden() -> list[str]:
    return ServiceSettings.load().hidden_fields


# What may be done to many requests at once: what their creator may do to each (edit
# the assignee until they act; confirm a done one). The done step itself stays one by
# one: it needs each request's own result.
REQUEST_ACTIONS = [
    BulkAction(
        key="assign",
        label=_("ارجاع"),
        permission="service.change_request",
        apply=lambda rows, data, user: requests_assign(
            requests=rows, assignee=data["person"], by=user
        ),
        done=_(
            "%(count)s درخواست از %(total)s به «%(person)s» ارجاع شد (فقط ثبت‌شده‌های شما "
            "که انجام‌دهنده هنوز رویشان کار نکرده است)."
        ),
        icon="person-check",
        form=person_form(_("انجام‌دهنده تازه"), "assignee"),
    ),
    BulkAction(
        key="archive",
        label=_("تأیید و بایگانی"),
        permission="service.change_request",
        apply=lambda rows, data, user: requests_archive(requests=rows, by=user),
        done=_(
            "%(count)s درخواست از %(total)s تأیید و بایگانی شد (فقط انجام‌شده‌هایی که "
            "شما ثبت کرده‌اید)."
        ),
        icon="archive",
    ),
]


REQUESTS = ListSpec(
    key="requests",
    label=_("درخواست‌ها"),
    model=Request,
    permission="service.view_request",
    url_name="service:request_all",
    base=lambda user: (
        Request.objects.visible_to(user)
        .select_related(*RELATIONS, "channel", "type1", "type2", "type3")
        .annotate(viewer_pk=Value(user.pk))
    ),
    filters=[
        Search(
            condition=request_search,
            placeholder=_("کد پیگیری، موضوع، شرح یا مشتری"),
            shown=(
                (_("کد پیگیری"), lambda row: row.tracking_code),
                # Not the subject: it is a column, and a field a manager may hide.
                (_("شرح"), lambda row: row.description),
                *((label, _no_customer(get)) for label, get in CUSTOMER_SHOWN),
            ),
        ),
        Choice(
            name="status",
            label=_("وضعیت"),
            choices=[(ACTIVE, _("جاری")), *Request.Status.choices],
            condition=_request_status,
            default=ACTIVE,
        ),
        Person(
            name="assignee",
            label=_("انجام‌دهنده"),
            field="assignee",
            people=people_who_can("service.view_request"),
        ),
        Person(
            name="creator",
            label=_("ثبت‌کننده"),
            field="owner",
            people=people_who_can("service.view_request"),
        ),
        customer_filter(),
        DateTimeRange(name="date", label=_("تاریخ"), field="created_at", presets=PAST),
        DateRange(name="deadline", label=_("مهلت انجام"), field="deadline", presets=FUTURE),
        YesNo(name="overdue", label=_("دیرکرد"), condition=_overdue),
        YesNo(
            name="unseen",
            label=_("تازه برای من"),
            condition=lambda reading: unseen_q(reading.user),
            words=(_("دیده‌نشده"), _("دیده‌شده")),
        ),
        Lookup(name="urgency", label=_("فوریت"), field="urgency", model=Urgency),
        Lookup(name="channel", label=_("نوع ارتباط"), field="channel", model=Channel),
        *(
            Lookup(
                name=f"type{level}",
                label=RequestType.Level(level).label,
                field=f"type{level}",
                model=RequestType,
                level=level,
            )
            for level in (1, 2, 3)
        ),
        Choice(
            name="confidentiality",
            label=_("محرمانگی"),
            field="confidentiality",
            choices=Request.Confidentiality.choices,
        ),
        CustomFieldFilters(target="service.request"),
    ],
    sorts=[
        Sort("date", _("تاریخ"), ("-created_at", "-id"), index="request_recent"),
        Sort("deadline", _("مهلت"), ("deadline", "id"), index="request_deadline"),
    ],
    columns=REQUEST_COLUMNS,
    more_columns=CustomFieldColumns(target="service.request"),
    row_class=request_row_class,
    hidden=request_hidden,
    actions=REQUEST_ACTIONS,
)

# What the three request URLs (and the API's old ``view``) mean: a preset of the list.
REQUEST_TABS = {
    "inbox": ("assignee", _("کارتابل من")),
    "sent": ("creator", _("ارسالی‌های من")),
    "all": ("", _("همه درخواست‌ها")),
}


def request_tab(reading: ListReading) -> str:
    """Which tab a reading is: assigned to me alone, registered by me alone, or neither
    person set; "" for another narrowing."""
    me = (ME, reading.user.pk)
    assignee, creator = reading.values.get("assignee"), reading.values.get("creator")
    if assignee in me and creator is None:
        return "inbox"
    if creator in me and assignee is None:
        return "sent"
    return "all" if assignee is None and creator is None else ""


# Complaints ------------------------------------------------------------------------------


def complaint_search(text: str, reading) -> Q:
    """Text in the tracking code or the complaint, or the customer's name, company or
    phone (the complaint's search key); one or two characters are a tracking code or a
    whole word of the complaint (core.models.text_condition), and a number alone finds
    the code it ends (this year's or the two before)."""
    return text_or_code(text, field="tracking_code", kind="complaint")


def _complaint_tab(value: str, reading) -> Q:
    me = reading.user
    return Q(officer=me) if value == "mine" else Q(owner=me)


def _products() -> list[tuple[str, str]]:
    return [
        (str(pk), name)
        for pk, name in Product.objects.order_by("name", "id").values_list("pk", "name")
    ]


def complaint_badge(item: Complaint) -> str:
    tone = "secondary" if item.status == Complaint.Status.CLOSED else "primary"
    return cells.badge(item.get_status_display(), tone)


COMPLAINT_COLUMNS = [
    Column("code", _("کد پیگیری"), _code),
    Column("date", _("تاریخ"), cells.date(lambda row: row.date), sort="date"),
    Column("contact", _("مشتری"), _name(lambda row: row.contact.name)),
    Column("description", _("شرح شکایت"), _short(lambda row: row.description, 70)),
    Column("source", _("منبع"), _name(lambda row: row.get_source_display())),
    Column("channel", _("نوع ارتباط"), _name(lambda row: row.channel), default=False),
    Column("product", _("کالا یا خدمت"), _name(lambda row: row.product), default=False),
    Column("staff", _("درباره کارمند"), _name(lambda row: row.staff), default=False),
    Column("creator", _("ثبت‌کننده"), _name(lambda row: row.owner)),
    Column("officer", _("مسئول کنترل"), _name(lambda row: row.officer)),
    Column("status", _("وضعیت"), complaint_badge),
]


def complaint_hidden() -> list[str]:
    return ServiceSettings.load().hidden_complaint_fields


COMPLAINTS = ListSpec(
    key="complaints",
    label=_("شکایات"),
    model=Complaint,
    permission="service.view_complaint",
    url_name="service:complaint_list",
    base=lambda user: Complaint.objects.visible_to(user).select_related(
        *COMPLAINT_RELATIONS, "channel", "product", "staff"
    ),
    filters=[
        Search(
            condition=complaint_search,
            placeholder=_("کد پیگیری، شرح یا مشتری"),
            shown=(
                (_("کد پیگیری"), lambda row: row.tracking_code),
                (_("شرح شکایت"), lambda row: row.description),
                *CUSTOMER_SHOWN,
            ),
        ),
        Tab(
            name="view",
            label=_("زبانه"),
            choices=[("mine", _("شکایت‌های من")), ("sent", _("ثبت‌شده‌های من"))],
            condition=_complaint_tab,
            default="mine",
        ),
        Choice(
            name="status",
            label=_("وضعیت"),
            field="status",
            choices=Complaint.Status.choices,
            default=Complaint.Status.FOLLOWING,
        ),
        DateRange(name="date", label=_("تاریخ"), field="date", presets=PAST),
        customer_filter(),
        Choice(name="product", label=_("کالا یا خدمت"), field="product", choices=_products),
        Person(name="staff", label=_("درباره کارمند"), field="staff", people=_everyone),
        Person(name="officer", label=_("مسئول کنترل"), field="officer", people=_everyone),
        Lookup(name="channel", label=_("نوع ارتباط"), field="channel", model=Channel),
        CustomFieldFilters(target="service.complaint"),
    ],
    sorts=[Sort("date", _("تاریخ"), ("-date", "-id"), index="complaint_recent")],
    columns=COMPLAINT_COLUMNS,
    more_columns=CustomFieldColumns(target="service.complaint"),
    hidden=complaint_hidden,
    # ``view`` is the tab here (the API's name too): a saved view opens by another.
    view_param="saved_view",
)

COMPLAINT_TABS = {
    "mine": _("شکایت‌های من"),
    "sent": _("ثبت‌شده‌های من"),
    "all": _("همه شکایت‌ها"),
}
