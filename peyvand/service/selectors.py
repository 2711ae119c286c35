"""Reads of the service desk: the three views of requests, and the unseen ones."""

from django.db.models import Q, QuerySet

from peyvand.core.text import normalize_persian
from peyvand.service.models import Request

RELATIONS = ("contact", "owner", "assignee", "urgency")

# view → who sees which requests there, newest first.
VIEWS = {
    "inbox": "کارتابل من",  # assigned to me
    "sent": "ارسالی‌های من",  # registered by me
    "all": "همه درخواست‌ها",  # all I may see (everything, for managers)
}
STATUS_FILTERS = ("active", "open", "done", "archived", "all")


def requests_for(user, view: str, status: str = "active", query: str = "") -> QuerySet[Request]:
    """``view``: inbox (assigned to the user), sent (registered by them) or all (what
    they may see; for managers, everything). ``status`` active leaves archived ones out;
    ``query`` is a tracking code."""
    requests = Request.objects.visible_to(user).select_related(*RELATIONS)
    if query:
        requests = requests.filter(tracking_code=normalize_persian(query))
    if view == "inbox":
        requests = requests.filter(assignee=user)
    elif view == "sent":
        requests = requests.filter(owner=user)
    if status == "active":
        requests = requests.exclude(status=Request.Status.ARCHIVED)
    elif status in Request.Status.values:
        requests = requests.filter(status=status)
    return requests.order_by("-created_at", "-id")


def unseen_q(user) -> Q:
    """Unseen by this user: newly assigned or sent back to them, or done and awaiting
    their confirmation."""
    return Q(assignee=user, status=Request.Status.OPEN, assignee_seen_at__isnull=True) | Q(
        owner=user, status=Request.Status.DONE, creator_seen_at__isnull=True
    )


def tracked_request(code: str, mobile: str) -> Request | None:
    """The request a customer tracks: its code, and a mobile number of its customer.
    Anything else (a wrong number, no customer, deleted) finds nothing, alike."""
    if not code or not mobile:
        return None
    return (
        Request.objects.filter(tracking_code=code)
        .filter(Q(contact__mobile=mobile) | Q(contact__phones__number=mobile))
        .only(
            "tracking_code",
            "status",
            "created_at",
            "deadline",
            "done_at",
            "archived_at",
            "result",
            "rejected_at",
        )
        .first()
    )


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
