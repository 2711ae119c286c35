"""The service desk lists' exports (``core.background_exports``)."""

from operator import attrgetter

from django.http import QueryDict

from peyvand.core.exports import Column, choice_label
from peyvand.service import selectors
from peyvand.service.models import Complaint, Request


def request_rows(user, params: QueryDict):
    view = params.get("view") if params.get("view") in selectors.VIEWS else "inbox"
    status = params.get("status") or "active"
    requests = selectors.requests_for(user, view, status, params.get("q", "").strip())
    columns = [
        Column("کد پیگیری", attrgetter("tracking_code")),
        Column("تاریخ درخواست", attrgetter("created_at"), "date"),
        Column("مشتری", lambda item: item.contact.name if item.contact_id else ""),
        Column("موضوع", lambda item: item.subject or item.description[:200]),
        Column("فوریت", lambda item: item.urgency.name),
        Column("مهلت انجام", attrgetter("deadline"), "date"),
        Column("ثبت‌کننده", lambda item: str(item.owner)),
        Column("انجام‌دهنده", lambda item: str(item.assignee)),
        Column("وضعیت", lambda item: choice_label(Request.Status, item.status)),
        Column("نتیجه", attrgetter("result")),
        Column("تاریخ انجام", attrgetter("done_at"), "date"),
    ]
    return requests, columns


def complaint_rows(user, params: QueryDict):
    view = params.get("view") if params.get("view") in selectors.COMPLAINT_VIEWS else "mine"
    status = params.get("status") or "following"
    complaints = selectors.complaints_for(user, view, status, params.get("q", "").strip())
    columns = [
        Column("کد پیگیری", attrgetter("tracking_code")),
        Column("تاریخ شکایت", attrgetter("date"), "date"),
        Column("مشتری", lambda item: item.contact.name),
        Column("شرح شکایت", attrgetter("description")),
        Column("منبع", lambda item: choice_label(Complaint.Source, item.source)),
        Column("ثبت‌کننده", lambda item: str(item.owner)),
        Column("مسئول کنترل", lambda item: str(item.officer)),
        Column("وضعیت", lambda item: choice_label(Complaint.Status, item.status)),
        Column("اقدامات انجام‌شده", attrgetter("actions")),
        Column("نتیجه نهایی", attrgetter("result")),
    ]
    return complaints, columns
