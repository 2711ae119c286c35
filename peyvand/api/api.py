"""The JSON API under /api/v1/. Every endpoint authenticates, honours visibility and
permissions through the same selectors and services as the pages, and answers errors
as JSON with Persian messages."""

import datetime

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

from peyvand.accounts.models import ApiToken
from peyvand.api.auth import api_auth
from peyvand.api.schemas import (
    ContactIn,
    ContactOut,
    ContactPage,
    ErrorOut,
    LookupOut,
    MeOut,
    MessageIn,
    MessageOut,
    MessagePage,
    PhoneBookIn,
    PhoneBookOut,
    PhoneBookPage,
    TokenIn,
    TokenOut,
    TreeNodeOut,
)
from peyvand.contacts import services as contact_services
from peyvand.contacts.forms import ContactForm, PhoneBookEntryForm, phone_formset_from_rows
from peyvand.contacts.models import Category, Contact, Region
from peyvand.contacts.selectors import ContactFilters, contacts_for_list, phonebook_search
from peyvand.core.access import get_visible_or_404
from peyvand.core.pagination import paginate
from peyvand.core.trees import ordered_nodes
from peyvand.customfields.forms import CustomFilters
from peyvand.customfields.models import CustomField
from peyvand.lookups.models import LOOKUP_LISTS
from peyvand.messaging import services as messaging_services
from peyvand.messaging.models import Channel, Message
from peyvand.messaging.selectors import MessageFilters, messages_for_list
from peyvand.messaging.text import UnknownPlaceholder

api = NinjaAPI(
    title="Peyvand API",
    version="1",
    description="واسط برنامه‌نویسی پیوند. با POST /api/v1/auth/token توکن بگیرید و آن را در "
    "سرآیند Authorization: Bearer بفرستید.",
    auth=api_auth,
    urls_namespace="api",
)


def _error(request, message: str, status: int):
    return api.create_response(request, {"detail": message}, status=status)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    return _error(request, "احراز هویت لازم است: توکن معتبر بفرستید.", 401)


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
        {"detail": f"داده‌های ارسالی معتبر نیست: {fields}", "errors": exc.errors},
        status=422,
    )


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    return _error(request, str(exc), exc.status_code)


def _require(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied


@api.post("/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut}, tags=["auth"])
def issue_token(request, payload: TokenIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        return Status(401, {"detail": "نام کاربری یا گذرواژه درست نیست."})
    _token, key = ApiToken.issue(user)
    return {"token": key}


@api.get("/me", response=MeOut, tags=["auth"])
def me(request):
    user = request.auth
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": str(user),
        "calendar": user.calendar,
        "digits": user.digits,
        "permissions": sorted(user.get_all_permissions()),
    }


@api.get("/lookups/{slug}", response=list[LookupOut], tags=["lookups"])
def lookup_list(request, slug: str):
    model = LOOKUP_LISTS.get(slug)
    if model is None:
        raise Http404
    return list(model.objects.all())


@api.get("/contacts", response=ContactPage, tags=["contacts"])
def contact_list(
    request,
    q: str = "",
    owner: int | None = None,
    category: int | None = None,
    region: int | None = None,
    source: int | None = None,
    grade: int | None = None,
    status: str = "",
    kind: str = "",
    sort: str = "-created",
    page: int = 1,
):
    """The contact list with the same search, filters and visibility as the page.
    Custom fields filter as on the page: ``cf<id>=…`` for text, choice and yes/no
    (1/0), ``cf<id>_from`` / ``cf<id>_to`` for numbers and Jalali dates."""
    _require(request.auth, "contacts.view_contact")
    filters = ContactFilters(
        query=q,
        owner=owner,
        category=category,
        region=region,
        source=source,
        grade=grade,
        status=status,
        kind=kind,
        sort=sort,
    )
    custom = CustomFilters(list(CustomField.objects.for_target("contacts.contact")), request.GET)
    contacts = custom.apply(contacts_for_list(user=request.auth, filters=filters))
    if custom.errors:
        raise HttpError(422, " ".join(custom.errors))
    result = paginate(contacts.prefetch_related("phones"), page, settings.PAGE_SIZE)
    return {"items": result.items, "page": result.number, "has_next": result.has_next}


@api.get("/contacts/{contact_id}", response=ContactOut, tags=["contacts"])
def contact_detail(request, contact_id: int):
    _require(request.auth, "contacts.view_contact")
    return get_visible_or_404(
        Contact, request.auth, contact_id, Contact.objects.prefetch_related("phones")
    )


@api.post("/contacts", response={201: ContactOut, 422: dict}, tags=["contacts"])
def contact_create(request, payload: ContactIn):
    _require(request.auth, "contacts.add_contact")
    data = payload.dict()
    for name in ("source", "grade", "organization", "position", "parent", "category", "region"):
        data[name] = data.pop(f"{name}_id")
    custom = data.pop("custom")
    for key, value in custom.items():
        data[f"custom_{key.removeprefix('f')}"] = value
    # The same form and phone rules as the page: the same Persian messages.
    form = ContactForm(data=data, user=request.auth)
    phones = phone_formset_from_rows(data.pop("phones"))
    unknown = set(custom) - {field.key for field in form.custom_fields}
    if not form.is_valid() & phones.is_valid() or unknown:
        errors = _form_errors(form)
        for key in sorted(unknown):
            errors[f"custom.{key}"] = [{"message": "چنین فیلد اطلاعات تکمیلی‌ای نیست."}]
        for index, phone_errors in enumerate(phones.errors):
            for field, messages in phone_errors.items():
                errors[f"phones.{index}.{field}"] = [{"message": m} for m in messages]
        return Status(422, {"detail": "داده‌های ارسالی معتبر نیست.", "errors": errors})
    contact = contact_services.contact_create(
        contact=form.save(commit=False), phones=phones.phones(), by=request.auth
    )
    return Status(201, contact)


def _form_errors(form) -> dict:
    """A form's errors keyed as the payload names them (custom fields as custom.f<id>)."""
    return {
        f"custom.f{name.removeprefix('custom_')}" if name.startswith("custom_") else name: errors
        for name, errors in form.errors.get_json_data().items()
    }


@api.get("/categories", response=list[TreeNodeOut], tags=["contacts"])
def category_list(request):
    """The category tree (اصناف), depth first; filter contacts by a node's id."""
    _require(request.auth, "contacts.view_contact")
    return ordered_nodes(Category)


@api.get("/regions", response=list[TreeNodeOut], tags=["contacts"])
def region_list(request):
    """The region tree (province → city → area), depth first."""
    _require(request.auth, "contacts.view_contact")
    return ordered_nodes(Region)


@api.get("/phonebook", response=PhoneBookPage, tags=["phonebook"])
def phonebook_list(request, q: str = "", scope: str = "all", page: int = 1):
    """Public entries and the caller's own; ``scope`` = all, mine or public."""
    _require(request.auth, "contacts.view_phonebookentry")
    entries = phonebook_search(user=request.auth, query=q)
    if scope == "mine":
        entries = entries.filter(owner=request.auth)
    elif scope == "public":
        entries = entries.filter(is_public=True)
    result = paginate(entries.order_by("name", "id"), page, settings.PAGE_SIZE)
    return {"items": result.items, "page": result.number, "has_next": result.has_next}


@api.post("/phonebook", response={201: PhoneBookOut, 422: dict}, tags=["phonebook"])
def phonebook_create(request, payload: PhoneBookIn):
    _require(request.auth, "contacts.add_phonebookentry")
    data = payload.dict()
    for key, value in data.pop("custom").items():
        data[f"custom_{key.removeprefix('f')}"] = value
    form = PhoneBookEntryForm(data=data, user=request.auth)
    if not form.is_valid():
        return Status(422, {"detail": "داده‌های ارسالی معتبر نیست.", "errors": _form_errors(form)})
    entry = contact_services.phonebook_save(entry=form.save(commit=False), by=request.auth)
    return Status(201, entry)


@api.get("/messages", response=MessagePage, tags=["messages"])
def message_list(
    request,
    status: str = "",
    channel: str = "",
    backend: str = "",
    owner: int | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    page: int = 1,
):
    """Messages the caller may see (their own and their teams'; everything for managers),
    newest first, with the same filters as the page."""
    _require(request.auth, "messaging.view_message")
    filters = MessageFilters(
        status=status, channel=channel, backend=backend, owner=owner, since=since, until=until
    )
    result = paginate(
        messages_for_list(user=request.auth, filters=filters), page, settings.PAGE_SIZE
    )
    return {"items": result.items, "page": result.number, "has_next": result.has_next}


@api.get("/messages/{message_id}", response=MessageOut, tags=["messages"])
def message_detail(request, message_id: int):
    _require(request.auth, "messaging.view_message")
    return get_visible_or_404(Message, request.auth, message_id)


@api.post("/messages", response={201: MessageOut, 422: ErrorOut}, tags=["messages"])
def message_send(request, payload: MessageIn):
    """Queues an SMS or email (now, or at ``scheduled_at``); a worker sends it. To a
    contact (its mobile or email, placeholders such as {نام} filled in) or to ``to``."""
    _require(request.auth, "messaging.send_message")
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
    _require(request.auth, "messaging.send_message")
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
    _require(request.auth, "messaging.send_message")
    message = get_visible_or_404(Message, request.auth, message_id)
    if not messaging_services.message_cancel(message=message, by=request.auth):
        return Status(422, {"detail": "پیام دیگر در صف نیست و لغو نمی‌شود."})
    message.refresh_from_db()
    return message
