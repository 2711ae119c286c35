"""The service desk lists' exports (``core.background_exports``): the rows the list
shows under its filters (service.lists), in its order, without the fields the service
settings hide."""

from operator import attrgetter

from django.http import QueryDict

from peyvand.core.exports import Column, choice_label
from peyvand.service.lists import COMPLAINTS, REQUESTS
from peyvand.service.models import Complaint, Request


def _name(get):
    return lambda item: str(get(item) or "")


def _shown(spec, user, params: QueryDict, columns: list[tuple[str, Column]]):
    """The list's rows and the export's columns but the hidden ones: the service
    settings read once."""
    reading = spec.read(params, user)
    kept = [column for key, column in columns if key not in reading.hidden]
    return spec.rows(user, params, reading), kept


def request_rows(user, params: QueryDict):
    columns = [
        ("code", Column("کد پیگیری", attrgetter("tracking_code"))),
        ("date", Column("تاریخ درخواست", attrgetter("created_at"), "date")),
        ("contact", Column("مشتری", lambda item: item.contact.name if item.contact_id else "")),
        ("subject", Column("موضوع", attrgetter("subject"))),
        ("description", Column("شرح", attrgetter("description"))),
        ("channel", Column("نوع ارتباط", _name(attrgetter("channel")))),
        ("type1", Column("نوع ۱", _name(attrgetter("type1")))),
        ("type2", Column("نوع ۲", _name(attrgetter("type2")))),
        ("type3", Column("نوع ۳", _name(attrgetter("type3")))),
        ("urgency", Column("فوریت", lambda item: item.urgency.name)),
        ("deadline", Column("مهلت انجام", attrgetter("deadline"), "date")),
        ("creator", Column("ثبت‌کننده", _name(attrgetter("owner")))),
        ("assignee", Column("انجام‌دهنده", _name(attrgetter("assignee")))),
        ("status", Column("وضعیت", lambda item: choice_label(Request.Status, item.status))),
        (
            "confidentiality",
            Column(
                "محرمانگی",
                lambda item: choice_label(Request.Confidentiality, item.confidentiality),
            ),
        ),
        ("result", Column("نتیجه", attrgetter("result"))),
        ("done_at", Column("تاریخ انجام", attrgetter("done_at"), "date")),
    ]
    return _shown(REQUESTS, user, params, columns)


def complaint_rows(user, params: QueryDict):
    columns = [
        ("code", Column("کد پیگیری", attrgetter("tracking_code"))),
        ("date", Column("تاریخ شکایت", attrgetter("date"), "date")),
        ("contact", Column("مشتری", lambda item: item.contact.name)),
        ("description", Column("شرح شکایت", attrgetter("description"))),
        ("source", Column("منبع", lambda item: choice_label(Complaint.Source, item.source))),
        ("channel", Column("نوع ارتباط", _name(attrgetter("channel")))),
        ("product", Column("کالا یا خدمت", _name(attrgetter("product")))),
        ("staff", Column("درباره کارمند", _name(attrgetter("staff")))),
        ("creator", Column("ثبت‌کننده", _name(attrgetter("owner")))),
        ("officer", Column("مسئول کنترل", _name(attrgetter("officer")))),
        ("status", Column("وضعیت", lambda item: choice_label(Complaint.Status, item.status))),
        ("actions", Column("اقدامات انجام‌شده", attrgetter("actions"))),
        ("result", Column("نتیجه نهایی", attrgetter("result"))),
    ]
    return _shown(COMPLAINTS, user, params, columns)
