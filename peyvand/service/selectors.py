"""Reads of the service desk (the lists themselves are service.lists): the unseen
requests, what waits for a user, the top bar's search, a customer's history."""

from django.db.models import Q, QuerySet

from peyvand.core.registry import HistoryItem
from peyvand.core.templatetags.peyvand import fa_money
from peyvand.core.text import normalize_persian
from peyvand.service.models import Complaint, Feedback, Request

RELATIONS = ("contact", "owner", "assignee", "urgency")


def unseen_q(user) -> Q:
    """Unseen by this user: newly assigned or sent back to them, or done and awaiting
    their confirmation."""
    return Q(assignee=user, status=Request.Status.OPEN, assignee_seen_at__isnull=True) | Q(
        owner=user, status=Request.Status.DONE, creator_seen_at__isnull=True
    )


def tracked(code: str, mobile: str) -> list[Request | Complaint]:
    """What a customer tracks: the request or complaint with this code whose customer
    has this mobile number. Anything else (a wrong number, no customer, deleted) finds
    nothing, alike; only what the page shows is read."""
    if not code or not mobile:
        return []
    customer = Q(contact__mobile=mobile) | Q(contact__phones__number=mobile)
    request = (
        Request.objects.filter(customer, tracking_code=code)
        .only("tracking_code", "status", "created_at", "deadline", "result")
        .first()
    )
    complaint = (
        Complaint.objects.filter(customer, tracking_code=code)
        .only("tracking_code", "status", "date", "result")
        .first()
    )
    return [item for item in (request, complaint) if item is not None]


def awaiting_me(user, limit: int = 10) -> list[Request]:
    """What waits for this user: requests assigned to them still to do, and theirs that
    are done and await their confirmation; soonest deadline first. Two queries, each
    the head of one index (an OR of the two sorted thousands of rows: 67 ms for an
    agent with 4,000 open requests)."""
    requests = Request.objects.select_related("contact", "owner", "assignee")
    order = ("deadline", "id")
    to_do = requests.filter(assignee=user, status=Request.Status.OPEN).order_by(*order)
    to_confirm = requests.filter(owner=user, status=Request.Status.DONE).order_by(*order)
    both = [*to_do[:limit], *to_confirm[:limit]]
    return sorted(both, key=lambda item: (item.deadline, item.pk))[:limit]


def request_search(*, user, query: str) -> QuerySet[Request]:
    """The top bar's search: a tracking code, typed in any digits."""
    code = normalize_persian(query)
    requests = Request.objects.visible_to(user).select_related("contact")
    return requests.filter(tracking_code=code) if code else requests.none()


COMPLAINT_RELATIONS = ("contact", "owner", "officer")


def complaint_search(*, user, query: str) -> QuerySet[Complaint]:
    """The top bar's search: a complaint's tracking code."""
    code = normalize_persian(query)
    complaints = Complaint.objects.visible_to(user).select_related("contact")
    return complaints.filter(tracking_code=code) if code else complaints.none()


# A customer's history (سابقه طرف حساب) ------------------------------------------------


def request_history(user, contact, limit: int) -> list[HistoryItem]:
    requests = Request.objects.visible_to(user).filter(contact=contact)
    return [
        HistoryItem(
            item,
            f"درخواست {item.tracking_code}: {item.subject or item.description[:80]}",
            item.created_at,
            item.get_status_display(),
            item.status != Request.Status.ARCHIVED,
        )
        for item in requests.order_by("-created_at", "-id")[:limit]
    ]


def complaint_history(user, contact, limit: int) -> list[HistoryItem]:
    complaints = Complaint.objects.visible_to(user).filter(contact=contact)
    return [
        HistoryItem(
            item,
            f"شکایت {item.tracking_code}: {item.description[:80]}",
            item.date,
            item.get_status_display(),
            item.is_open,
        )
        for item in complaints.order_by("-date", "-id")[:limit]
    ]


def feedback_history(user, contact, limit: int) -> list[HistoryItem]:
    """Suggestions, gifts and discounts: each a settled fact of the customer's file."""
    feedback = Feedback.objects.visible_to(user).filter(contact=contact)
    items = []
    for item in feedback.order_by("-date", "-id")[:limit]:
        item.contact = contact  # its link is on the contact's page
        title = f"{item.get_kind_display()}: {item.description[:80]}"
        if item.value is not None:
            title += f" — {fa_money(item.value)}"
        items.append(HistoryItem(item, title, item.date, "ثبت شده", False))
    return items


def request_with_code(codes: list[str]) -> Request | None:
    """The request whose tracking code is one of ``codes`` (an email subject's words):
    core.registry's conversation kind, for messaging."""
    return Request.objects.filter(tracking_code__in=codes).order_by("-created_at").first()


def complaint_with_code(codes: list[str]) -> Complaint | None:
    return Complaint.objects.filter(tracking_code__in=codes).order_by("-date").first()
