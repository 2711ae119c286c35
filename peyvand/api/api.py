"""The JSON API under /api/v1/. Every endpoint authenticates, honours visibility and
permissions through the same selectors and services as the pages, and answers errors
as JSON with Persian messages."""

import datetime
from typing import Literal

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Form, NinjaAPI, Query, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from pydantic import Field, create_model

from peyvand.accounts import login_limits, two_factor
from peyvand.accounts import services as account_services
from peyvand.activities import calls as call_services
from peyvand.activities import services as activity_services
from peyvand.activities.forms import CallForm, EventForm, TaskForm
from peyvand.activities.lists import CALL_SCOPES, CALLS, EVENTS, TASK_SCOPES, TASKS, old_scope
from peyvand.activities.models import Call, Event, Notification, Task
from peyvand.activities.selectors import unseen_count
from peyvand.api.auth import TokenRefused, api_auth, pbx_auth
from peyvand.api.common import (
    RecordId,
    form_data,
    form_errors,
    invalid,
    list_query,
    page_of,
    partial,
    patched,
    require,
)
from peyvand.api.conditional import etag_of, unless_stale, version_of
from peyvand.api.finance import router as finance_router
from peyvand.api.messages import persian_errors
from peyvand.api.openapi import document_errors
from peyvand.api.reports import router as reports_router
from peyvand.api.sales import router as sales_router
from peyvand.api.schemas import (
    CallIn,
    CallOut,
    CallPage,
    ContactIn,
    ContactOut,
    ContactPage,
    ContactUpdate,
    ErrorOut,
    EventIn,
    EventOut,
    LookupOut,
    MeOut,
    MessageIn,
    MessageOut,
    MessagePage,
    NotificationPage,
    PbxIn,
    PbxReportOut,
    PhoneBookIn,
    PhoneBookOut,
    PhoneBookPage,
    TaskIn,
    TaskOut,
    TaskPage,
    TokenIn,
    TokenOut,
    TrashRestoredOut,
    TreeNodeOut,
)
from peyvand.api.service import router as service_router
from peyvand.contacts import services as contact_services
from peyvand.contacts.forms import ContactForm, PhoneBookEntryForm, phone_formset_from_rows
from peyvand.contacts.lists import CONTACTS, PHONEBOOK
from peyvand.contacts.models import Category, Contact, Region
from peyvand.core.access import get_visible_or_404
from peyvand.core.display import user_preferences
from peyvand.core.history import snapshot
from peyvand.core.services import record_delete, record_restore, trash_models
from peyvand.core.text import to_latin_digits
from peyvand.core.trees import ordered_nodes
from peyvand.core.versions import StaleEdit
from peyvand.lookups.models import LOOKUP_LISTS
from peyvand.messaging import services as messaging_services
from peyvand.messaging.lists import MESSAGES
from peyvand.messaging.models import Channel, Message
from peyvand.messaging.text import UnknownPlaceholder


class PeyvandAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """The document with the error answers every operation may give (openapi.py)."""
        return document_errors(super().get_openapi_schema(**kwargs))


api = PeyvandAPI(
    title="Peyvand API",
    version="1",
    description="واسط برنامه‌نویسی پیوند. با POST /api/v1/auth/token توکن بگیرید و آن را در "
    "سرآیند Authorization: Bearer بفرستید.",
    auth=api_auth,
    urls_namespace="api",
)
api.add_router("", sales_router)
api.add_router("", service_router)
api.add_router("", reports_router)
api.add_router("", finance_router)


def _error(request, message: str, status: int):
    return api.create_response(request, {"detail": message}, status=status)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    return _error(request, "احراز هویت لازم است: توکن معتبر بفرستید.", 401)


@api.exception_handler(TokenRefused)
def on_token_refused(request, exc):
    return _error(request, str(exc), 401)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return _error(request, "اجازه این کار را ندارید.", 403)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, "پیدا نشد.", 404)


@api.exception_handler(SchemaValidationError)
def on_schema_error(request, exc):
    fields = ", ".join(
        ".".join(str(part) for part in error.get("loc", [])[1:]) for error in exc.errors
    )
    return api.create_response(
        request,
        {"detail": f"داده‌های ارسالی معتبر نیست: {fields}", "errors": persian_errors(exc.errors)},
        status=422,
    )


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    if exc.status_code == 400 and exc.__cause__ is not None:
        # django-ninja's own refusal of a body it cannot parse, in English.
        return _error(request, "بدنهٔ درخواست JSON یا فرم خوانا نیست.", 400)
    return _error(request, str(exc), exc.status_code)


@api.exception_handler(StaleEdit)
def on_stale_edit(request, exc):
    """A write whose version is older than the record's (core.versions): who changed what
    since, and the version to read the record at anew. 412 when the version came as
    If-Match (HTTP's own answer), 409 when it came as the body's ``updated_at``."""
    if getattr(request, "if_match", None) is not None:
        hint = "رکورد را دوباره بخوانید و تغییر خود را با ETag تازه‌اش در If-Match بفرستید."
        status = 412
    else:
        hint = "رکورد را دوباره بخوانید و تغییر خود را با updated_at تازه‌اش بفرستید."
        status = 409
    detail = f"{exc.message} {hint}"
    response = api.create_response(
        request, {"detail": detail, "updated_at": exc.version}, status=status
    )
    response["ETag"] = etag_of(exc.version)
    return response


@api.exception_handler(ValidationError)
def on_service_refusal(request, exc):
    """A rule a service checks as it saves (a typed code taken a moment ago…): 422 with
    its Persian message, keyed by field where it names one, as form errors are."""
    errors = (
        {name: [{"message": str(message)} for message in messages]
         for name, messages in exc.message_dict.items()}
        if hasattr(exc, "error_dict") else {}
    )  # fmt: skip
    return api.create_response(request, {"detail": exc.messages[0], "errors": errors}, status=422)


@api.exception_handler(OverflowError)
def on_overflow(request, exc):
    """An id or number past what the database stores (SQLite refuses it outright)."""
    return _error(request, "عددی در درخواست بیش از اندازه بزرگ است.", 422)


@api.post(
    "/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut, 429: ErrorOut}, tags=["auth"]
)
def issue_token(request, payload: TokenIn):
    if login_limits.locked(request, payload.username):
        return Status(429, {"detail": str(login_limits.LOCKED_MESSAGE)})
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        login_limits.failed(request, payload.username)
        return Status(401, {"detail": "نام کاربری یا گذرواژه درست نیست."})
    if two_factor.needs_second_step(user):
        refused = _second_step_refused(request, user, payload)
        if refused is not None:
            return refused
    # Named by the caller, else after the client (its User-Agent), so that the user can
    # tell their tokens apart in the preferences.
    name = payload.name.strip() or request.headers.get("User-Agent", "")
    api_token, key = account_services.api_token_issue(user=user, name=name, by=user)
    return {"token": key, "name": api_token.name, "expires_at": api_token.expires_at}


def _second_step_refused(request, user, payload: TokenIn) -> Status | None:
    """The token endpoint's second step: the code in ``otp`` (a wrong one counts as a
    failed login); None when it is right."""
    if not two_factor.is_enabled(user):
        return Status(
            401,
            {
                "detail": "ورود دومرحله‌ای برای این حساب الزامی است؛ نخست با مرورگر وارد"
                " شوید و برنامه احراز هویت را راه‌اندازی کنید."
            },
        )
    if not payload.otp.strip():
        return Status(
            401,
            {
                "detail": "این حساب ورود دومرحله‌ای دارد؛ کد شش‌رقمی برنامه احراز هویت (یا"
                " یک کد بازیابی) را در فیلد otp بفرستید."
            },
        )
    try:
        device = two_factor.verify(user, payload.otp)
    except two_factor.TooSoon:
        return Status(429, {"detail": str(two_factor.TOO_SOON)})
    if device is None:
        login_limits.failed(request, payload.username)
        return Status(401, {"detail": str(two_factor.WRONG_CODE)})
    return None


@api.get("/me", response=MeOut, tags=["auth"])
def me(request):
    user = request.auth
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": str(user),
        # The calendar the user reads dates in; «پیش‌فرض سازمان» resolved to the site's.
        "calendar": user_preferences(user).calendar,
        "digits": user.digits,
        "permissions": sorted(user.get_all_permissions()),
    }


@api.get("/lookups/{slug}", response=list[LookupOut], tags=["lookups"])
def lookup_list(request, slug: str):
    model = LOOKUP_LISTS.get(slug)
    if model is None:
        raise Http404
    return list(model.objects.all())


CONTACT_QUERY = list_query(CONTACTS)


@api.get("/contacts", response=ContactPage, tags=["contacts"])
def contact_list(request, filters: Query[CONTACT_QUERY]):
    """Visible contacts under the list page's filters (contacts.lists.CONTACTS): ``q``
    any part of code, name, company, phone, email or national ID (one or two characters:
    a code); ``owner`` a user's id or ``me``; ``category`` and ``region`` a node with its
    whole subtree; ``status`` prospect, customer or inactive; ``kind`` person or
    organization; ``role`` customer, agent, supplier or employee (repeat for any of
    several); ``vip`` yes or no; ``group`` a send group's id; ``birth_month`` the Jalali
    month 1–12; ``created_from`` / ``created_to`` (YYYY-MM-DD) or ``created_period``
    (today, this_week, this_month, last_month, this_year…); ``id`` (repeated) only those
    contacts. Custom fields as on the page: ``cf<id>=…`` for text, choice and yes/no
    (1/0), ``cf<id>_from`` / ``cf<id>_to`` for numbers and Jalali dates. ``sort``:
    -created (newest first, the default), created, name, -name, code, -code. A value
    that cannot be read is refused (422), in Persian."""
    require(request.auth, CONTACTS.permission)
    reading = CONTACTS.read(request.GET, request.auth)
    if reading.warnings:
        raise HttpError(422, " ".join(reading.warnings))
    contacts = CONTACTS.rows(request.auth, request.GET, reading)
    page = contacts.defer(None).select_related(None).prefetch_related("phones")
    return page_of(page, filters.page)


@api.get("/contacts/{contact_id}", response=ContactOut, tags=["contacts"])
def contact_detail(request, contact_id: int):
    require(request.auth, "contacts.view_contact")
    return get_visible_or_404(
        Contact, request.auth, contact_id, Contact.objects.prefetch_related("phones")
    )


CONTACT_IDS = ("source", "grade", "organization", "position", "parent", "category", "region")
ContactPatch = partial(ContactUpdate, "ContactPatch")


def _contact_refused(form, phones, unknown: set[str]) -> Status:
    errors = form_errors(form)
    for key in sorted(unknown):
        errors[f"custom.{key}"] = [{"message": "چنین فیلد اطلاعات تکمیلی‌ای نیست."}]
    for index, phone_errors in enumerate(phones.errors if phones is not None else []):
        for field, messages in phone_errors.items():
            errors[f"phones.{index}.{field}"] = [{"message": m} for m in messages]
    return Status(422, {"detail": "داده‌های ارسالی معتبر نیست.", "errors": errors})


def _contact_save(request, data: dict, custom: dict, contact: Contact | None = None):
    """Creates or changes a contact through the page's own form and phone rules (the same
    Persian messages); ``phones`` absent from ``data`` leaves a contact's phones alone."""
    rows = data.pop("phones", None)
    form = ContactForm(data=data, instance=contact, user=request.auth)
    phones = phone_formset_from_rows(rows) if rows is not None else None
    unknown = set(custom) - {field.key for field in form.custom_fields}
    valid = form.is_valid() & (phones is None or phones.is_valid())
    if not valid or unknown:
        return _contact_refused(form, phones, unknown)
    if contact is None:
        saved = contact_services.contact_create(
            contact=form.save(commit=False), phones=phones.phones() if phones else [],
            by=request.auth,
        )  # fmt: skip
        return Status(201, saved)
    before = snapshot(Contact.objects.get(pk=contact.pk))
    return contact_services.contact_update(
        contact=form.save(commit=False),
        phones=phones.phones() if phones is not None else None,
        before=before,
        by=request.auth,
        version=version_of(request, data.get("updated_at")),
    )


@api.post("/contacts", response={201: ContactOut, 422: dict}, tags=["contacts"])
def contact_create(request, payload: ContactIn):
    require(request.auth, "contacts.add_contact")
    data = payload.dict()
    return _contact_save(request, form_data(data, CONTACT_IDS), data["custom"])


def _contact(request, contact_id: int) -> Contact:
    return get_visible_or_404(
        Contact, request.auth, contact_id, Contact.objects.prefetch_related("phones")
    )


@api.put("/contacts/{contact_id}", response={200: ContactOut, 422: dict}, tags=["contacts"])
def contact_update(request, contact_id: RecordId, payload: ContactUpdate):
    """Changes a contact: every field as on its form (what is left out takes its empty
    value, but for ``code``, which stays; ``phones`` replaces them all). With
    ``updated_at`` (or If-Match: the ETag of its GET), 409 (412) if someone saved it
    since."""
    require(request.auth, "contacts.change_contact")
    contact = _contact(request, contact_id)
    data = payload.dict()
    # Its code is its name elsewhere (documents, the portal): left out, it stays.
    data["code"] = data["code"] or contact.code
    return _contact_save(request, form_data(data, CONTACT_IDS), data["custom"], contact)


@api.patch("/contacts/{contact_id}", response={200: ContactOut, 422: dict}, tags=["contacts"])
def contact_patch(request, contact_id: RecordId, payload: ContactPatch):
    """Changes only the fields sent (``phones``, when sent, replaces them all; ``custom``
    only the custom fields it names). With ``updated_at`` or If-Match, as PUT."""
    require(request.auth, "contacts.change_contact")
    contact = _contact(request, contact_id)
    sent = payload.dict(exclude_unset=True)
    custom = sent.get("custom") or {}
    data = patched(ContactForm(instance=contact, user=request.auth), form_data(sent, CONTACT_IDS))
    return _contact_save(request, data, custom, contact)


@api.delete("/contacts/{contact_id}", response={204: None}, tags=["contacts"])
def contact_delete(request, contact_id: RecordId):
    """Moves the contact to the recycle bin (``POST /trash/contacts.contact/{id}/restore``
    brings it back). With If-Match, 412 if someone saved it since."""
    require(request.auth, "contacts.delete_contact")
    contact = _contact(request, contact_id)
    with unless_stale(request, contact):
        record_delete(record=contact, by=request.auth)
    return Status(204, None)


@api.post("/trash/{label}/{record_id}/restore", response={200: TrashRestoredOut}, tags=["trash"])
def trash_restore(request, label: str, record_id: RecordId):
    """Brings a record back from the recycle bin with what its delete changed besides it
    (its follow-ups, reminders, links), as the trash page does. ``label`` is the record
    type, e.g. ``contacts.contact``, ``sales.lead``, ``service.request``."""
    require(request.auth, "accounts.manage_trash")
    model = {model._meta.label_lower: model for model in trash_models()}.get(label)
    if model is None:
        raise Http404
    record = get_object_or_404(
        model.all_objects.visible_to(request.auth).filter(deleted_at__isnull=False), pk=record_id
    )
    record_restore(record=record, by=request.auth)
    return {"type": label, "id": record.pk, "name": str(record)}


@api.get("/categories", response=list[TreeNodeOut], tags=["contacts"])
def category_list(request):
    """The category tree (اصناف), depth first; filter contacts by a node's id."""
    require(request.auth, "contacts.view_contact")
    return ordered_nodes(Category)


@api.get("/regions", response=list[TreeNodeOut], tags=["contacts"])
def region_list(request):
    """The region tree (province → city → area), depth first."""
    require(request.auth, "contacts.view_contact")
    return ordered_nodes(Region)


# The phone book's parameters (contacts.lists.PHONEBOOK), and the old one clients may send.
PHONEBOOK_QUERY = create_model(
    "PhonebookQuery",
    __base__=list_query(PHONEBOOK),
    scope=(
        Literal["", "all", "mine", "public"],
        Field("", description="نام قدیمی tab: all، mine یا public"),
    ),
)


@api.get("/phonebook", response=PhoneBookPage, tags=["phonebook"])
def phonebook_list(request, filters: Query[PHONEBOOK_QUERY]):
    """Public entries and the caller's own under the page's filters
    (contacts.lists.PHONEBOOK): ``q`` any part of name, company, title, number or email
    (one or two characters: the start of the name); ``tab`` mine or public; ``owner``
    who recorded it (an id or ``me``); ``sort`` name or -name. The old ``scope`` (all,
    mine, public) is ``tab``."""
    require(request.auth, PHONEBOOK.permission)
    params = request.GET.copy()
    if (scope := params.pop("scope", [""])[0]) and not params.get("tab"):
        params["tab"] = scope
    return page_of(PHONEBOOK.rows(request.auth, params), filters.page)


@api.post("/phonebook", response={201: PhoneBookOut, 422: dict}, tags=["phonebook"])
def phonebook_create(request, payload: PhoneBookIn):
    require(request.auth, "contacts.add_phonebookentry")
    data = payload.dict()
    for key, value in data.pop("custom").items():
        data[f"custom_{key.removeprefix('f')}"] = value
    form = PhoneBookEntryForm(data=data, user=request.auth)
    if not form.is_valid():
        return invalid(form)
    entry = contact_services.phonebook_save(entry=form.save(commit=False), by=request.auth)
    return Status(201, entry)


MESSAGE_QUERY = list_query(MESSAGES)


@api.get("/messages", response=MessagePage, tags=["messages"])
def message_list(request, filters: Query[MESSAGE_QUERY]):
    """Messages the caller may see (their own and their teams'; everything for managers)
    under the list page's filters (messaging.lists.MESSAGES): ``q`` part of the
    recipient's number (with or without 0/+98) or email, of the subject or text (never a
    secret message's), or the contact's name; ``status`` (repeat for any of several);
    ``channel`` sms or email; ``created_from`` / ``created_to`` (YYYY-MM-DD, whole Tehran
    days) or ``created_period``; the old ``since`` / ``until`` are the same; ``owner`` a
    user's id or ``me``; ``contact``; ``backend``; ``broadcast``. Newest first (``sort``
    -created: oldest first)."""
    require(request.auth, MESSAGES.permission)
    return page_of(MESSAGES.rows(request.auth, request.GET), filters.page)


@api.get("/messages/{message_id}", response=MessageOut, tags=["messages"])
def message_detail(request, message_id: int):
    require(request.auth, "messaging.view_message")
    return get_visible_or_404(Message, request.auth, message_id)


@api.post("/messages", response={201: MessageOut, 422: ErrorOut}, tags=["messages"])
def message_send(request, payload: MessageIn):
    """Queues an SMS or email (now, or at ``scheduled_at``); a worker sends it. To a
    contact (its mobile or email, placeholders such as {نام} filled in) or to ``to``."""
    require(request.auth, "messaging.send_message")
    if payload.channel not in Channel.values:
        return Status(422, {"detail": "نوع پیام باید sms یا email باشد."})
    scheduled_at = payload.scheduled_at
    if scheduled_at is not None and timezone.is_naive(scheduled_at):
        scheduled_at = timezone.make_aware(scheduled_at)
    try:
        if payload.contact_id is not None:
            contact = get_visible_or_404(Contact, request.auth, payload.contact_id)
            message = messaging_services.message_to_contact(
                contact=contact,
                channel=payload.channel,
                subject=payload.subject,
                body=payload.body,
                scheduled_at=scheduled_at,
                by=request.auth,
            )
        elif payload.to:
            message = messaging_services.message_queue(
                channel=payload.channel,
                to=payload.to,
                subject=payload.subject,
                body=payload.body,
                scheduled_at=scheduled_at,
                by=request.auth,
            )
        else:
            return Status(422, {"detail": "گیرنده را با contact_id یا to مشخص کنید."})
    except (messaging_services.NotSendable, UnknownPlaceholder) as error:
        return Status(422, {"detail": str(error)})
    return Status(201, message)


@api.post(
    "/messages/{message_id}/retry", response={200: MessageOut, 422: ErrorOut}, tags=["messages"]
)
def message_retry(request, message_id: int):
    """Sends a failed, undelivered or unknown message again."""
    require(request.auth, "messaging.send_message")
    message = get_visible_or_404(Message, request.auth, message_id)
    try:
        return messaging_services.message_retry(message=message, by=request.auth)
    except messaging_services.NotSendable as error:
        return Status(422, {"detail": str(error)})


@api.post(
    "/messages/{message_id}/cancel", response={200: MessageOut, 422: ErrorOut}, tags=["messages"]
)
def message_cancel(request, message_id: int):
    """Cancels a message still waiting in the queue."""
    require(request.auth, "messaging.send_message")
    message = get_visible_or_404(Message, request.auth, message_id)
    if not messaging_services.message_cancel(message=message, by=request.auth):
        return Status(422, {"detail": "پیام دیگر در صف نیست و لغو نمی‌شود."})
    message.refresh_from_db()
    return message


# Tasks -------------------------------------------------------------------------------


# The task list's parameters (activities.lists.TASKS), and the old ones clients may send.
TASK_QUERY = create_model(
    "TasksQuery",
    __base__=list_query(TASKS),
    overdue=(
        Literal["", "yes", "no", "true", "false"],
        Field("", description="عقب‌افتاده: yes یا no (true: yes؛ false: بی این فیلتر)"),
    ),
    scope=(
        Literal["", *TASK_SCOPES],
        Field("", description="نام قدیمی: mine، by_me، team یا all (همان فیلترها را می‌گذارد)"),
    ),
)


@api.get("/tasks", response=TaskPage, tags=["tasks"])
def task_list(request, filters: Query[TASK_QUERY]):
    """Tasks under the list page's filters (activities.lists.TASKS): ``status`` open
    (the default), done or all; ``assignee`` a user's id, ``me`` (the default) or
    ``all``; ``owner`` who gave it (id or ``me``); ``team`` a team's id or ``mine``;
    ``urgency`` an urgency's id; dates ISO (YYYY-MM-DD) or ``date_period`` (overdue,
    today, tomorrow, this_week, next_week, next_30_days, this_month); ``overdue`` yes or
    no; ``sort`` date or -date. Old names still work: ``scope`` (mine, by_me, team, all)
    sets those filters; ``overdue=true`` is yes, ``overdue=false`` no filter."""
    require(request.auth, TASKS.permission)
    params = old_scope(request.GET, TASK_SCOPES)
    # The old boolean: true was «only overdue», false no filter at all.
    if (overdue := params.get("overdue")) == "true":
        params["overdue"] = "yes"
    elif overdue == "false":
        params.pop("overdue")
    return page_of(TASKS.rows(request.auth, params), filters.page)


@api.get("/tasks/{task_id}", response=TaskOut, tags=["tasks"])
def task_detail(request, task_id: int):
    require(request.auth, "activities.view_task")
    return get_visible_or_404(Task, request.auth, task_id)


@api.post("/tasks", response={201: TaskOut, 422: dict}, tags=["tasks"])
def task_create(request, payload: TaskIn):
    """A task for the caller or (with the assign permission) someone else; a reminder
    at ``remind_at`` reaches the assignee."""
    require(request.auth, "activities.add_task")
    data = payload.dict()
    for name in ("assignee", "team", "urgency"):
        data[name] = data.pop(f"{name}_id")
    data["assignee"] = data["assignee"] or request.auth.pk
    form = TaskForm(data=data, instance=Task(assignee=request.auth), user=request.auth)
    if not form.is_valid():
        return invalid(form)
    task = activity_services.task_save(task=form.save(commit=False), by=request.auth)
    return Status(201, task)


@api.post("/tasks/{task_id}/done", response={200: TaskOut, 422: ErrorOut}, tags=["tasks"])
def task_done(request, task_id: int):
    require(request.auth, "activities.change_task")
    task = get_visible_or_404(Task, request.auth, task_id)
    if not activity_services.task_done(task=task, by=request.auth):
        return Status(422, {"detail": "این وظیفه پیش‌تر انجام شده بود."})
    return task


# Calendar events ---------------------------------------------------------------------


@api.get("/events", response=list[EventOut], tags=["calendar"])
def event_list(
    request,
    start: datetime.date,
    end: datetime.date,
    team: int | None = None,
    q: str = "",
    owner: str = "",
    done: str = "",
    sort: str = "",
):
    """Visible events from ``start`` to ``end`` (Gregorian dates, at most 62 days):
    one's own, and one's teams'; narrowed as the event list is (activities.lists.EVENTS):
    ``team`` a team's id, ``q`` text in the title, place or description, ``owner`` who
    set it (id or ``me``), ``done`` yes or no; ``sort`` start (the default) or -start."""
    require(request.auth, "activities.view_event")
    if not 0 <= (end - start).days <= 62:
        raise HttpError(422, "بازهٔ تاریخ باید حداکثر ۶۲ روز باشد و end پس از start بیاید.")
    params = request.GET.copy()
    for name in ("start", "end", "team", "date_period"):
        params.pop(name, None)
    params["date_from"], params["date_to"] = start.isoformat(), end.isoformat()
    events = EVENTS.rows(request.auth, params)
    if team is not None:
        events = events.filter(team_id=team)  # any id: a team one may not see gives none
    return list(events)


@api.get("/events/{event_id}", response=EventOut, tags=["calendar"])
def event_detail(request, event_id: int):
    require(request.auth, "activities.view_event")
    return get_visible_or_404(Event, request.auth, event_id)


@api.post("/events", response={201: EventOut, 422: dict}, tags=["calendar"])
def event_create(request, payload: EventIn):
    require(request.auth, "activities.add_event")
    data = payload.dict()
    data["team"] = data.pop("team_id")
    form = EventForm(data=data, user=request.auth)
    if not form.is_valid():
        return invalid(form)
    event = activity_services.event_save(event=form.save(commit=False), by=request.auth)
    return Status(201, event)


@api.post("/events/{event_id}/done", response=EventOut, tags=["calendar"])
def event_done(request, event_id: int, undo: bool = False):
    """Ticks an event done (``undo=true``: not done)."""
    require(request.auth, "activities.change_event")
    event = get_visible_or_404(Event, request.auth, event_id)
    activity_services.event_set_done(event=event, by=request.auth, done=not undo)
    return event


# Calls -------------------------------------------------------------------------------


# The call log's parameters (activities.lists.CALLS), and the old ones clients may send.
CALL_QUERY = create_model(
    "CallsQuery",
    __base__=list_query(CALLS),
    number=(str, Field("", description="نام قدیمی q: شماره، به هر شکل")),
    scope=(
        Literal["", *CALL_SCOPES],
        Field("", description="نام قدیمی: mine (تماس‌های خودم) یا all (همه آنچه می‌بینم)"),
    ),
)


@api.get("/calls", response=CallPage, tags=["calls"])
def call_list(request, filters: Query[CALL_QUERY]):
    """The call log under the page's filters (activities.lists.CALLS): ``q`` part of the
    number (Persian or Latin digits, with or without 0 or +98), of the notes, or the name
    of a contact the caller may see; ``kind`` incoming, outgoing or missed; ``result``
    answered, missed or call_back; ``user`` whose calls: an id, ``me`` (the default) or
    ``all``; dates ISO (YYYY-MM-DD) or ``date_period`` (today, yesterday, this_week,
    this_month, last_month, this_year…); ``sort`` date or -date. Old names still work:
    ``number`` is ``q``, ``scope`` mine or all sets ``user``."""
    require(request.auth, CALLS.permission)
    params = old_scope(request.GET, CALL_SCOPES)
    if (typed := params.pop("number", [""])[0]) and not params.get("q"):
        params["q"] = typed
    return page_of(CALLS.rows(request.auth, params), filters.page)


@api.get("/calls/{call_id}", response=CallOut, tags=["calls"])
def call_detail(request, call_id: int):
    require(request.auth, "activities.view_call")
    calls_seen = Call.objects.with_contact_shown_to(request.auth)
    return get_visible_or_404(Call, request.auth, call_id, calls_seen)


@api.post("/calls", response={201: CallOut, 422: dict}, tags=["calls"])
def call_create(request, payload: CallIn):
    """Logs a call by hand; the contact is found by the number."""
    require(request.auth, "activities.add_call")
    form = CallForm(data=payload.dict(), instance=Call())
    if not form.is_valid():
        return invalid(form)
    call = call_services.call_log(call=form.save(commit=False), by=request.auth)
    return Status(201, call.show_contact_to(request.auth))


@api.post(
    "/pbx/calls",
    auth=pbx_auth,
    response={200: PbxReportOut, 201: PbxReportOut, 422: ErrorOut},
    tags=["calls"],
)
def pbx_call(request, payload: Form[PbxIn]):
    """The PBX webhook (Asterisk / Issabel / FreePBX), form-encoded, with an API token
    as ``?token=…`` or a bearer header. Report ``event=ring`` when an incoming call
    rings (the user on ``extension`` gets the caller's card as a pop-up) and
    ``event=end`` when any call ends, with ``duration`` in seconds and ``disposition``
    (ANSWERED, NO ANSWER, BUSY…). An unanswered incoming call becomes a call-back task.
    Numbers may use Persian digits. Reports repeat safely: ``call_id`` (the PBX's
    Uniqueid) identifies the call."""
    require(request.auth, "activities.add_call")
    duration = to_latin_digits(payload.duration).strip() or "0"
    if not duration.isdigit():
        return Status(422, {"detail": "duration باید عدد (ثانیه) باشد."})
    disposition = payload.disposition.strip().upper()
    try:
        call, created = call_services.pbx_report(
            integration=request.auth,
            event=payload.event.strip().lower(),
            call_id=payload.call_id.strip(),
            number=payload.number,
            extension=to_latin_digits(payload.extension).strip(),
            direction=payload.direction.strip().lower() or "in",
            duration=int(duration),
            answered=disposition.startswith("ANSWER") if disposition else None,
        )
    except call_services.BadCallReport as error:
        return Status(422, {"detail": str(error)})
    body = {
        "call_id": call.pk,
        "created": created,
        "kind": call.kind,
        "contact_id": call.show_contact_to(request.auth).shown_contact_id,
        "user_id": call.owner_id,
    }
    return Status(201 if created else 200, body)


# Notifications -----------------------------------------------------------------------


@api.get("/notifications", response=NotificationPage, tags=["notifications"])
def notification_list(request, unseen: bool = False, page: int = 1):
    """The caller's notifications, newest first, with the unseen count."""
    notifications = Notification.objects.filter(user=request.auth)
    if unseen:
        notifications = notifications.filter(seen_at__isnull=True)
    return page_of(notifications, page, unseen=unseen_count(request.auth))


@api.post("/notifications/seen", response=dict, tags=["notifications"])
def notification_seen(request, ids: list[RecordId] | None = Query(None)):  # noqa: B008
    """Marks the caller's notifications seen: all, or those given as ``?ids=1&ids=2``."""
    marked = activity_services.notifications_seen(user=request.auth, ids=ids)
    return {"marked": marked, "unseen": unseen_count(request.auth)}
