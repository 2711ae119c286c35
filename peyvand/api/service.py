"""The service desk over the API: requests in the pages' three views, registered and
edited with the page's form, and the workflow's steps as actions (each refused step
answers 422 with its Persian reason); customers' suggestions, gifts and discounts."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Router, Status
from ninja.errors import HttpError

from peyvand.api.common import invalid, page_of, require
from peyvand.api.schemas import (
    ErrorOut,
    FeedbackIn,
    FeedbackOut,
    FeedbackPage,
    RequestDoneIn,
    RequestIn,
    RequestOut,
    RequestPage,
    RequestRejectIn,
)
from peyvand.contacts.models import Contact
from peyvand.core.access import get_visible_or_404
from peyvand.core.dates import format_date
from peyvand.core.history import snapshot
from peyvand.core.services import record_save
from peyvand.service import selectors, services
from peyvand.service.forms import FeedbackForm, RequestForm
from peyvand.service.models import Feedback, Request

router = Router()


def _request(user, request_id: int) -> Request:
    return get_visible_or_404(Request, user, request_id)


def _form(request, payload: RequestIn, item: Request) -> RequestForm:
    data = payload.dict()
    for name in ("contact", "channel", "type1", "type2", "type3", "urgency", "assignee"):
        data[name] = data.pop(f"{name}_id")
    return RequestForm(data=data, instance=item, user=request.auth)


@router.get("/requests", response=RequestPage, tags=["service"])
def request_list(request, view: str = "inbox", status: str = "active", page: int = 1):
    """``view``: inbox (assigned to the caller), sent (registered by them) or all (what
    they may see; every request for managers); ``status``: active (not archived), open,
    done, archived or all."""
    require(request.auth, "service.view_request")
    if view not in selectors.VIEWS:
        raise HttpError(422, "view باید inbox، sent یا all باشد.")
    return page_of(selectors.requests_for(request.auth, view, status), page)


@router.get("/requests/{request_id}", response=RequestOut, tags=["service"])
def request_detail(request, request_id: int):
    """A request; opening it marks it seen for the caller, as the page does."""
    require(request.auth, "service.view_request")
    item = _request(request.auth, request_id)
    services.request_seen(request=item, user=request.auth)
    return item


@router.post("/requests", response={201: RequestOut, 422: dict}, tags=["service"])
def request_create(request, payload: RequestIn):
    """Registers a request (the caller is its creator); the deadline is the urgency's
    working days from today."""
    require(request.auth, "service.add_request")
    form = _form(request, payload, Request())
    if not form.is_valid():
        return invalid(form)
    return Status(201, services.request_register(request=form.save(commit=False), by=request.auth))


@router.put("/requests/{request_id}", response={200: RequestOut, 422: dict}, tags=["service"])
def request_update(request, request_id: int, payload: RequestIn):
    """The creator's edit, until the assignee has acted."""
    require(request.auth, "service.change_request")
    item = _request(request.auth, request_id)
    try:
        services.request_check_editable(item, request.auth)
    except ValidationError as error:
        return Status(422, {"detail": error.messages[0], "errors": {}})
    before = snapshot(item)
    form = _form(request, payload, item)
    if not form.is_valid():
        return invalid(form)
    return services.request_update(request=form.save(commit=False), by=request.auth, before=before)


def _step(request, request_id: int, action):
    require(request.auth, "service.change_request")
    item = _request(request.auth, request_id)
    try:
        action(item)
    except ValidationError as error:
        return Status(422, {"detail": error.messages[0]})
    return item


@router.post(
    "/requests/{request_id}/done", response={200: RequestOut, 422: ErrorOut}, tags=["service"]
)
def request_done(request, request_id: int, payload: RequestDoneIn):
    """The assignee marks it done with the result."""
    return _step(
        request,
        request_id,
        lambda item: services.request_done(request=item, by=request.auth, result=payload.result),
    )


@router.post(
    "/requests/{request_id}/archive", response={200: RequestOut, 422: ErrorOut}, tags=["service"]
)
def request_archive(request, request_id: int):
    """The creator confirms a done request."""
    return _step(
        request, request_id, lambda item: services.request_archive(request=item, by=request.auth)
    )


@router.post(
    "/requests/{request_id}/reject", response={200: RequestOut, 422: ErrorOut}, tags=["service"]
)
def request_reject(request, request_id: int, payload: RequestRejectIn):
    """«اشکال دارد»: the creator sends a done request back with what is wrong."""
    return _step(
        request,
        request_id,
        lambda item: services.request_reject(request=item, by=request.auth, note=payload.note),
    )


@router.delete("/requests/{request_id}", response={204: None, 422: ErrorOut}, tags=["service"])
def request_delete(request, request_id: int):
    """The creator deletes it (to the recycle bin), until the assignee has acted."""
    require(request.auth, "service.delete_request")
    item = _request(request.auth, request_id)
    try:
        services.request_delete(request=item, by=request.auth)
    except ValidationError as error:
        return Status(422, {"detail": error.messages[0]})
    return Status(204, None)


# Suggestions, gifts and discounts ------------------------------------------------------


@router.get("/feedback", response=FeedbackPage, tags=["service"])
def feedback_list(request, contact: int | None = None, kind: str = "", page: int = 1):
    """Suggestions, gifts and discounts the caller may see, newest first."""
    require(request.auth, "service.view_feedback")
    items = Feedback.objects.visible_to(request.auth)
    if contact is not None:
        items = items.filter(contact_id=contact)
    if kind:
        items = items.filter(kind=kind)
    return page_of(items.order_by("-date", "-id"), page)


@router.post("/feedback", response={201: FeedbackOut, 422: dict}, tags=["service"])
def feedback_create(request, payload: FeedbackIn):
    require(request.auth, "service.add_feedback")
    contact = get_visible_or_404(Contact, request.auth, payload.contact_id)
    data = payload.dict()
    data["date"] = data["date"] or format_date(timezone.localdate(), digits="latin")
    form = FeedbackForm(data=data, instance=Feedback(contact=contact))
    if not form.is_valid():
        return invalid(form)
    return Status(201, record_save(record=form.save(commit=False), by=request.auth))
