"""The service desk over the API: requests and complaints under their lists' filters, registered and
edited with the page's form, and the workflow's steps as actions (each refused step
answers 422 with its Persian reason); complaints with their follow-ups; customers'
suggestions, gifts and discounts."""

from typing import Literal

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Query, Router, Status
from pydantic import Field

from peyvand.api.common import (
    RecordId,
    form_data,
    invalid,
    list_query,
    page_of,
    partial,
    patched,
    require,
)
from peyvand.api.conditional import unless_stale, version_of
from peyvand.api.sales import followups_page, log_followup
from peyvand.api.schemas import (
    ComplaintCloseIn,
    ComplaintIn,
    ComplaintOut,
    ComplaintPage,
    ErrorOut,
    FeedbackIn,
    FeedbackOut,
    FeedbackPage,
    FollowUpIn,
    FollowUpOut,
    FollowUpPage,
    RequestDoneIn,
    RequestIn,
    RequestOut,
    RequestPage,
    RequestRejectIn,
)
from peyvand.contacts.models import Contact
from peyvand.core.access import get_visible_or_404
from peyvand.core.history import snapshot
from peyvand.core.services import record_save
from peyvand.sales.models import FollowUp
from peyvand.service import services
from peyvand.service.forms import ComplaintForm, FeedbackForm, RequestForm
from peyvand.service.lists import COMPLAINTS, REQUESTS
from peyvand.service.models import Complaint, Feedback, Request

router = Router()


def _request(user, request_id: int) -> Request:
    return get_visible_or_404(Request, user, request_id)


REQUEST_IDS = ("contact", "channel", "type1", "type2", "type3", "urgency", "assignee")
COMPLAINT_IDS = ("contact", "channel", "product", "staff", "officer")
RequestPatch = partial(RequestIn, "RequestPatch")
ComplaintPatch = partial(ComplaintIn, "ComplaintPatch")


def _request_data(data: dict) -> dict:
    data = form_data(data, REQUEST_IDS)
    if "watcher_ids" in data:
        data["watchers"] = data.pop("watcher_ids")
    return data


def _form(request, payload: RequestIn, item: Request) -> RequestForm:
    return RequestForm(data=_request_data(payload.dict()), instance=item, user=request.auth)


# The old ``view`` of GET /requests: a preset of the list's person filters.
REQUEST_VIEWS = {"inbox": "assignee", "sent": "creator", "all": ""}


class RequestQuery(list_query(REQUESTS)):
    view: Literal["inbox", "sent", "all"] = Field(
        "inbox",
        description="کارتابل: inbox (سپرده به من)، sent (ثبت من) یا all؛ "
        "مگر assignee یا creator داده شود",
    )


COMPLAINT_QUERY = list_query(COMPLAINTS)


@router.get("/requests", response=RequestPage, tags=["service"])
def request_list(request, filters: Query[RequestQuery]):
    """Visible requests under the list page's filters (service.lists.REQUESTS). ``view``
    (kept from before): inbox (assigned to the caller, the default), sent (registered by
    them) or all — unless ``assignee`` or ``creator`` is given (a user id or ``me``).
    ``q`` text of the tracking code, subject or description, or the customer's name or
    phone (one or two characters: a tracking code); ``status`` active (the default: not
    archived), open, done, archived or all; dates ISO or a named period (the deadline's
    also overdue); lookups by id. A field hidden in the service settings is not filtered
    by."""
    require(request.auth, REQUESTS.permission)
    params = request.GET.copy()
    person = REQUEST_VIEWS[filters.view]
    if person and "assignee" not in params and "creator" not in params:
        params[person] = "me"
    requests = REQUESTS.rows(request.auth, params)
    return page_of(requests.prefetch_related("watchers", "related"), filters.page)


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
    item = services.request_register(
        request=form.save(commit=False),
        by=request.auth,
        watchers=form.cleaned_data.get("watchers", ()),
    )
    return Status(201, item)


def _request_edit(request, request_id: int, data_of):
    """The creator's edit, until the assignee has acted: ``data_of(item)`` is the form
    data (the whole body for PUT, the record's values with the body over them for
    PATCH). With ``updated_at`` or If-Match, 409 or 412 if someone saved it since."""
    require(request.auth, "service.change_request")
    item = _request(request.auth, request_id)
    try:
        services.request_check_editable(item, request.auth)
    except ValidationError as error:
        return Status(422, {"detail": error.messages[0], "errors": {}})
    before = snapshot(item)
    data = data_of(item)
    form = RequestForm(data=data, instance=item, user=request.auth)
    if not form.is_valid():
        return invalid(form)
    try:
        return services.request_update(
            request=form.save(commit=False),
            by=request.auth,
            before=before,
            watchers=form.cleaned_data.get("watchers"),
            version=version_of(request, data.get("updated_at")),
        )
    except ValidationError as error:
        return Status(422, {"detail": error.messages[0], "errors": {}})


@router.put("/requests/{request_id}", response={200: RequestOut, 422: dict}, tags=["service"])
def request_update(request, request_id: int, payload: RequestIn):
    """The creator's edit, until the assignee has acted."""
    return _request_edit(request, request_id, lambda item: _request_data(payload.dict()))


@router.patch("/requests/{request_id}", response={200: RequestOut, 422: dict}, tags=["service"])
def request_patch(request, request_id: RecordId, payload: RequestPatch):
    """Changes only the fields sent (the creator's edit, until the assignee has acted)."""
    sent = _request_data(payload.dict(exclude_unset=True))
    return _request_edit(
        request,
        request_id,
        lambda item: patched(RequestForm(instance=item, user=request.auth), sent),
    )


def _step(item, action):
    """A workflow step: the item after it, or 422 with the Persian refusal."""
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
    require(request.auth, "service.change_request")
    return _step(
        _request(request.auth, request_id),
        lambda item: services.request_done(request=item, by=request.auth, result=payload.result),
    )


@router.post(
    "/requests/{request_id}/archive", response={200: RequestOut, 422: ErrorOut}, tags=["service"]
)
def request_archive(request, request_id: int):
    """The creator confirms a done request."""
    require(request.auth, "service.change_request")
    return _step(
        _request(request.auth, request_id),
        lambda item: services.request_archive(request=item, by=request.auth),
    )


@router.post(
    "/requests/{request_id}/reject", response={200: RequestOut, 422: ErrorOut}, tags=["service"]
)
def request_reject(request, request_id: int, payload: RequestRejectIn):
    """«اشکال دارد»: the creator sends a done request back with what is wrong."""
    require(request.auth, "service.change_request")
    return _step(
        _request(request.auth, request_id),
        lambda item: services.request_reject(request=item, by=request.auth, note=payload.note),
    )


@router.delete("/requests/{request_id}", response={204: None, 422: ErrorOut}, tags=["service"])
def request_delete(request, request_id: int):
    """The creator deletes it (to the recycle bin), until the assignee has acted."""
    require(request.auth, "service.delete_request")
    item = _request(request.auth, request_id)
    try:
        with unless_stale(request, item):
            services.request_delete(request=item, by=request.auth)
    except ValidationError as error:
        return Status(422, {"detail": error.messages[0]})
    return Status(204, None)


# Complaints ------------------------------------------------------------------------------


def _complaint(user, complaint_id: int) -> Complaint:
    return get_visible_or_404(Complaint, user, complaint_id)


def _complaint_data(body: dict) -> dict:
    data = form_data(body, COMPLAINT_IDS)
    data["date"] = data["date"] or timezone.localdate()
    return data


def _complaint_form(request, payload: ComplaintIn, item: Complaint) -> ComplaintForm:
    return ComplaintForm(data=_complaint_data(payload.dict()), instance=item, user=request.auth)


@router.get("/complaints", response=ComplaintPage, tags=["service"])
def complaint_list(request, filters: Query[COMPLAINT_QUERY]):
    """Visible complaints under the list page's filters (service.lists.COMPLAINTS):
    ``view`` mine (the caller is the control officer, the default), sent (registered by
    them) or all; ``q`` the tracking code, the complaint's text or the customer's name
    or phone — in every view (a search sets ``view`` aside); ``status`` following (the
    default), closed or all; ``staff`` and ``officer`` a user id or ``me``."""
    require(request.auth, COMPLAINTS.permission)
    return page_of(COMPLAINTS.rows(request.auth, request.GET), filters.page)


@router.get("/complaints/{complaint_id}", response=ComplaintOut, tags=["service"])
def complaint_detail(request, complaint_id: int):
    require(request.auth, "service.view_complaint")
    return _complaint(request.auth, complaint_id)


@router.post("/complaints", response={201: ComplaintOut, 422: dict}, tags=["service"])
def complaint_create(request, payload: ComplaintIn):
    """Registers a complaint with the series' next tracking code; the officer is told."""
    require(request.auth, "service.add_complaint")
    form = _complaint_form(request, payload, Complaint())
    if not form.is_valid():
        return invalid(form)
    complaint = form.save(commit=False)
    return Status(201, services.complaint_register(complaint=complaint, by=request.auth))


def _complaint_edit(request, complaint_id: int, data_of):
    """An edit while it is followed, by its registrar, officer or a manager;
    ``data_of(item)`` as for requests (``_request_edit``)."""
    require(request.auth, "service.change_complaint")
    item = _complaint(request.auth, complaint_id)
    try:
        services.complaint_check_editable(item, request.auth)
    except ValidationError as error:
        return Status(422, {"detail": error.messages[0], "errors": {}})
    before = snapshot(item)
    data = data_of(item)
    form = ComplaintForm(data=data, instance=item, user=request.auth)
    if not form.is_valid():
        return invalid(form)
    try:
        # Checked again with the edit: an officer who hands it to someone else may not.
        return services.complaint_update(
            complaint=form.save(commit=False),
            by=request.auth,
            before=before,
            version=version_of(request, data.get("updated_at")),
        )
    except ValidationError as error:
        return Status(422, {"detail": error.messages[0], "errors": {}})


@router.put("/complaints/{complaint_id}", response={200: ComplaintOut, 422: dict}, tags=["service"])
def complaint_update(request, complaint_id: int, payload: ComplaintIn):
    """An edit while it is followed, by its registrar, officer or a manager."""
    return _complaint_edit(request, complaint_id, lambda item: _complaint_data(payload.dict()))


@router.patch(
    "/complaints/{complaint_id}", response={200: ComplaintOut, 422: dict}, tags=["service"]
)
def complaint_patch(request, complaint_id: RecordId, payload: ComplaintPatch):
    """Changes only the fields sent, while it is followed."""
    sent = form_data(payload.dict(exclude_unset=True), COMPLAINT_IDS)
    return _complaint_edit(
        request,
        complaint_id,
        lambda item: patched(ComplaintForm(instance=item, user=request.auth), sent),
    )


@router.post(
    "/complaints/{complaint_id}/close",
    response={200: ComplaintOut, 422: ErrorOut},
    tags=["service"],
)
def complaint_close(request, complaint_id: int, payload: ComplaintCloseIn):
    """Closes it with the final result; its pending follow-ups are settled."""
    require(request.auth, "service.change_complaint")
    return _step(
        _complaint(request.auth, complaint_id),
        lambda item: services.complaint_close(
            complaint=item, by=request.auth, result=payload.result
        ),
    )


@router.post(
    "/complaints/{complaint_id}/reopen",
    response={200: ComplaintOut, 422: ErrorOut},
    tags=["service"],
)
def complaint_reopen(request, complaint_id: int):
    require(request.auth, "service.change_complaint")
    return _step(
        _complaint(request.auth, complaint_id),
        lambda item: services.complaint_reopen(complaint=item, by=request.auth),
    )


@router.delete("/complaints/{complaint_id}", response={204: None, 422: ErrorOut}, tags=["service"])
def complaint_delete(request, complaint_id: int):
    """To the recycle bin, while it is followed and has no follow-ups."""
    require(request.auth, "service.delete_complaint")
    item = _complaint(request.auth, complaint_id)
    try:
        with unless_stale(request, item):
            services.complaint_delete(complaint=item, by=request.auth)
    except ValidationError as error:
        return Status(422, {"detail": error.messages[0]})
    return Status(204, None)


@router.get("/complaints/{complaint_id}/followups", response=FollowUpPage, tags=["service"])
def complaint_followup_list(request, complaint_id: int, page: int = 1):
    require(request.auth, "service.view_complaint")
    return followups_page(_complaint(request.auth, complaint_id), page)


@router.post(
    "/complaints/{complaint_id}/followups",
    response={201: FollowUpOut, 422: dict},
    tags=["service"],
)
def complaint_followup_create(request, complaint_id: int, payload: FollowUpIn):
    """A follow-up on a complaint; its next date is the control officer's to chase."""
    require(request.auth, "service.change_complaint")
    complaint = _complaint(request.auth, complaint_id)
    return log_followup(request, payload, FollowUp(complaint=complaint))


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
    data["date"] = data["date"] or timezone.localdate()
    form = FeedbackForm(data=data, instance=Feedback(contact=contact))
    if not form.is_valid():
        return invalid(form)
    return Status(201, record_save(record=form.save(commit=False), by=request.auth))
