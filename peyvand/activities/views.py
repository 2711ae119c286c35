import datetime

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_not_required, login_required, permission_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peyvand.activities import calls, services
from peyvand.activities.calendar import VIEWS, calendar_page
from peyvand.activities.forms import CallForm, EventForm, TaskForm
from peyvand.activities.ics import user_calendar
from peyvand.activities.lists import CALL_SCOPES, CALLS, EVENTS, TASK_SCOPES, TASKS, old_scope
from peyvand.activities.models import CalendarFeed, Call, Event, Notification, Task
from peyvand.activities.selectors import (
    UNSEEN_COUNT_CAP,
    todays_events,
    todays_tasks,
)
from peyvand.contacts.models import Contact
from peyvand.core.access import back_or, get_visible_or_404, is_visible, own_url
from peyvand.core.dialog import opens_in_dialog
from peyvand.core.digits import localize_text, reads_persian_digits
from peyvand.core.display import current_preferences, site_settings_for
from peyvand.core.history import snapshot
from peyvand.core.lists import ME
from peyvand.core.lists.filters import YES
from peyvand.core.lists.views import list_context
from peyvand.core.pagination import paginate
from peyvand.core.params import int_param
from peyvand.core.versions import StaleEdit

# Tasks -------------------------------------------------------------------------------


def _old_scope(request: HttpRequest, scopes: dict[str, dict[str, str]]) -> HttpResponse | None:
    """An address of the old tabs (?scope=…, ?overdue=on): the same list as the filters
    it now is, so that bookmarks keep working."""
    if "scope" not in request.GET and request.GET.get("overdue") != "on":
        return None
    query = old_scope(request.GET, scopes)
    if query.get("overdue") == "on":
        query["overdue"] = YES
    return redirect(f"{request.path}?{query.urlencode()}")


@permission_required("activities.view_task", raise_exception=True)
def task_list(request: HttpRequest) -> HttpResponse:
    """The task list (activities.lists.TASKS): «وظایف من» by default; the other old tabs
    are links with their filters."""
    if old := _old_scope(request, TASK_SCOPES):
        return old
    context = list_context(request, TASKS)
    context["scopes"] = _task_scopes(context["reading"])
    return render(request, "activities/task_list.html", context)


def _task_scopes(reading) -> list[tuple[str, str, bool]]:
    """The old tabs as presets: (label, query, whether the list is on it now)."""
    values = reading.values
    others = {"owner", "team"} & values.keys()
    return [
        (_("وظایف من"), "", values.get("assignee") == ME and not others),
        (
            _("واگذارشده توسط من"),
            "assignee=all&owner=me",
            "assignee" not in values and values.get("owner") == ME,
        ),
        (
            _("وظایف گروه من"),
            "assignee=all&team=mine",
            "assignee" not in values and values.get("team") == "mine",
        ),
        (_("همه وظایفی که می‌بینم"), "assignee=all", "assignee" not in values and not others),
    ]


@opens_in_dialog
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A new task (?contact=… links it to a contact) or an existing one."""
    permission = "activities.change_task" if pk else "activities.add_task"
    if not request.user.has_perm(permission):
        raise PermissionDenied
    task = get_visible_or_404(Task, request.user, pk) if pk else Task(assignee=request.user)
    before = snapshot(task) if pk else None
    if task.pk is None and (contact_pk := int_param(request.GET, "contact")):
        task.related = get_visible_or_404(Contact, request.user, contact_pk)
    form = TaskForm(request.POST or None, instance=task, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_save(
                task=form.save(commit=False),
                by=request.user,
                before=before,
                version=form.cleaned_data["version"],
            )
        except StaleEdit as stale:
            form.refuse_stale(stale)
        except PermissionDenied as error:
            form.add_error("assignee", str(error))
        else:
            flash.success(request, _("وظیفه ذخیره شد."))
            return redirect(back_or(request, "activities:task_list"))
    related = task.related
    if related is not None and not is_visible(request.user, type(related), related.pk):
        related = None  # what the task is about is not this reader's to see
    context = {"form": form, "task": task if pk else None, "related": related}
    return render(request, "activities/task_form.html", context)


@permission_required("activities.change_task", raise_exception=True)
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_visible_or_404(Task, request.user, pk)
    if services.task_done(task=task, by=request.user):
        flash.success(request, _("وظیفه انجام شد."))
    else:
        flash.error(request, _("این وظیفه پیش‌تر انجام شده بود."))
    return redirect(own_url(request, request.POST.get("next", "")) or "activities:task_list")


@permission_required("activities.change_task", raise_exception=True)
@require_POST
def task_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_visible_or_404(Task, request.user, pk)
    if services.task_reopen(task=task, by=request.user):
        flash.success(request, _("وظیفه دوباره در دست انجام است."))
    return redirect(task)


def home_panel_context(request: HttpRequest) -> dict:
    return {"tasks": todays_tasks(request.user), "events": todays_events(request.user)}


def contact_panel_context(request: HttpRequest, contact: Contact) -> dict:
    """The tasks and calls card on a contact's page: the latest of each this user may see."""
    tasks = (
        Task.objects.visible_to(request.user)
        .filter(content_type=ContentType.objects.get_for_model(Contact), object_id=contact.pk)
        .select_related("assignee")
        .order_by("status", "-date", "-id")[:10]
    )
    recent_calls = []
    if request.user.has_perm("activities.view_call"):
        recent_calls = list(
            Call.objects.visible_to(request.user)
            .filter(contact=contact)
            .select_related("owner")[:10]
        )
    return {"tasks": list(tasks), "calls": recent_calls}


# Calendar ----------------------------------------------------------------------------


def _date_param(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@permission_required("activities.view_event", raise_exception=True)
def calendar(request: HttpRequest) -> HttpResponse:
    """زمانبندی روزانه: ?view=day|week|month&date=YYYY-MM-DD (Gregorian in the address,
    shown in the user's calendar), ?team=… for one team's events."""
    view = request.GET.get("view") if request.GET.get("view") in VIEWS else "week"
    today = timezone.localdate()
    day = _date_param(request.GET.get("date")) or today
    teams = list(request.user.teams.filter(is_active=True))
    team = int_param(request.GET, "team")
    events = Event.objects.visible_to(request.user).select_related("team", "owner")
    tasks = Task.objects.none()
    if team:
        events = events.filter(team_id=team)
    else:
        tasks = Task.objects.filter(assignee=request.user).select_related("urgency")
    preferences = current_preferences()
    page = calendar_page(
        events=events,
        tasks=tasks,
        view=view,
        day=day,
        today=today,
        calendar=preferences.calendar,
        digits=preferences.digits,
        weekend=site_settings_for(request).weekend,
    )
    view_choices = [("day", _("روز")), ("week", _("هفته")), ("month", _("ماه"))]
    context = {
        "page": page,
        "teams": teams,
        "team": team,
        "today": today,
        "view_choices": view_choices,
    }
    return render(request, "activities/calendar.html", context)


@permission_required("activities.view_event", raise_exception=True)
def event_list(request: HttpRequest) -> HttpResponse:
    """The events as a list (activities.lists.EVENTS), beside the calendar: filtered,
    sorted by start, exported."""
    return render(request, "activities/event_list.html", list_context(request, EVENTS))


def _editable_event(request: HttpRequest, pk: int) -> Event:
    """Team members see a team event; the one who set it (or a manager) changes it."""
    event = get_visible_or_404(Event, request.user, pk)
    if event.owner_id != request.user.pk and not request.user.has_perm("accounts.see_all"):
        raise PermissionDenied
    return event


@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A new event (?date=YYYY-MM-DD, ?time=HH:MM from the calendar) or an existing one."""
    permission = "activities.change_event" if pk else "activities.add_event"
    if not request.user.has_perm(permission):
        raise PermissionDenied
    if pk:
        event = _editable_event(request, pk)
    else:
        event = Event(date=_date_param(request.GET.get("date")) or timezone.localdate())
    before = snapshot(event) if pk else None
    initial = {"start_time": request.GET.get("time")} if not pk and request.GET.get("time") else {}
    form = EventForm(request.POST or None, instance=event, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_save(
                event=form.save(commit=False),
                by=request.user,
                before=before,
                version=form.cleaned_data["version"],
            )
        except StaleEdit as stale:
            form.refuse_stale(stale)
        else:
            flash.success(request, _("رویداد ذخیره شد."))
            return redirect(f"{reverse('activities:calendar')}?view=day&date={event.date}")
    context = {"form": form, "event": event if pk else None}
    return render(request, "activities/event_form.html", context)


def _back_to_calendar(request: HttpRequest, event: Event) -> HttpResponse:
    default = f"{reverse('activities:calendar')}?view=day&date={event.date}"
    return redirect(own_url(request, request.POST.get("next", "")) or default)


@permission_required("activities.change_event", raise_exception=True)
@require_POST
def event_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Ticks an event done (or, with undo=1, not done)."""
    event = get_visible_or_404(Event, request.user, pk)
    done = request.POST.get("undo") != "1"
    services.event_set_done(event=event, by=request.user, done=done)
    return _back_to_calendar(request, event)


@permission_required("activities.delete_event", raise_exception=True)
@require_POST
def event_delete(request: HttpRequest, pk: int) -> HttpResponse:
    event = _editable_event(request, pk)
    services.event_delete(event=event, by=request.user)
    flash.success(request, _("رویداد «%(title)s» به سطل بازیافت رفت.") % {"title": event.title})
    return redirect(f"{reverse('activities:calendar')}?view=day&date={event.date}")


@login_required
def calendar_feed(request: HttpRequest) -> HttpResponse:
    """The user's secret calendar address; POST makes a new one (the old stops working)."""
    if request.method == "POST":
        key = CalendarFeed.new_key()
        CalendarFeed.objects.update_or_create(user=request.user, defaults={"key": key})
        flash.success(request, _("پیوند تازه ساخته شد؛ پیوند قبلی دیگر کار نمی‌کند."))
        return redirect("activities:calendar_feed")
    feed = CalendarFeed.objects.filter(user=request.user).first()
    url = request.build_absolute_uri(reverse("activities:ics", args=[feed.key])) if feed else ""
    return render(request, "activities/calendar_feed.html", {"feed_url": url})


@login_not_required
@require_GET
def ics(request: HttpRequest, key: str) -> HttpResponse:
    """The ICS file; the secret key in the address is the only credential."""
    feed = CalendarFeed.objects.select_related("user").filter(key=key).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    body = user_calendar(feed.user, request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="peyvand.ics"'
    return response


# Calls -------------------------------------------------------------------------------


@permission_required("activities.view_call", raise_exception=True)
def call_list(request: HttpRequest) -> HttpResponse:
    """The call log (activities.lists.CALLS): the user's own calls by default."""
    if old := _old_scope(request, CALL_SCOPES):
        return old
    return render(request, "activities/call_list.html", list_context(request, CALLS))


@permission_required("activities.view_call", raise_exception=True)
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A call with its caller's card: where the PBX pop-up leads."""
    call = get_visible_or_404(
        Call, request.user, pk, Call.objects.select_related("owner", "callback_task")
    )
    contact = None
    if call.contact_id:
        contact = (
            Contact.objects.visible_to(request.user)
            .filter(pk=call.contact_id)
            .select_related("grade", "owner")
            .prefetch_related("phones")
            .first()
        )
    recent = []
    if contact is not None:
        recent = list(
            Call.objects.visible_to(request.user)
            .filter(contact=contact)
            .exclude(pk=call.pk)
            .select_related("owner")[:5]
        )
    context = {
        "call": call,
        "contact": contact,
        "recent": recent,
        "new_contact_url": calls.new_contact_url(call),
    }
    return render(request, "activities/call_detail.html", context)


@opens_in_dialog
@require_http_methods(["GET", "POST"])
def call_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Logs a call by hand (?contact=… ties it to a contact), or edits one's notes."""
    permission = "activities.change_call" if pk else "activities.add_call"
    if not request.user.has_perm(permission):
        raise PermissionDenied
    if pk:
        calls_seen = Call.objects.with_contact_shown_to(request.user)
        call = get_visible_or_404(Call, request.user, pk, calls_seen)
    else:
        call = Call(kind=Call.Kind.OUTGOING, started_at=timezone.now())
        if contact_pk := int_param(request.GET, "contact"):
            call.contact = get_visible_or_404(Contact, request.user, contact_pk)
            call.contact_shown = True
            phone = call.contact.phones.order_by("position", "id").first()
            call.number = phone.number if phone else ""
    before = snapshot(call) if pk else None
    form = CallForm(request.POST or None, instance=call)
    if request.method == "POST" and form.is_valid():
        try:
            call = calls.call_log(
                call=form.save(commit=False),
                by=request.user,
                before=before,
                version=form.cleaned_data["version"],
            )
        except StaleEdit as stale:
            form.refuse_stale(stale)
        else:
            flash.success(request, _("تماس ثبت شد."))
            return redirect(back_or(request, call))
    context = {"form": form, "call": call if pk else None}
    return render(request, "activities/call_form.html", context)


# Notifications -----------------------------------------------------------------------


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.filter(user=request.user)
    page = paginate(notifications, request.GET.get("page"), settings.PAGE_SIZE)
    return render(request, "activities/notification_list.html", {"page": page})


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Marks one's own notification seen and goes to what it is about."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    services.notifications_seen(user=request.user, ids=[notification.pk])
    return redirect(own_url(request, notification.url) or "activities:notification_list")


@login_required
@require_POST
def notifications_seen(request: HttpRequest) -> HttpResponse:
    services.notifications_seen(user=request.user)
    back = own_url(request, request.POST.get("next", ""))
    return redirect(back or "activities:notification_list")


@login_required
@require_GET
def notification_poll(request: HttpRequest) -> JsonResponse:
    """What the bell polls: the unseen count (up to the cap), and the notifications
    newer than ``after`` (at most 5) for pop-ups. One query: the user's newest unseen
    rows, read backwards along the partial index of unseen ones."""
    after = int_param(request.GET, "after") or 0
    unseen = list(
        Notification.objects.filter(user=request.user, seen_at__isnull=True)
        .order_by("-id")
        .values("id", "title", "body", "pop_up")[:UNSEEN_COUNT_CAP]
    )
    fresh = [item for item in unseen if item["id"] > after][:5]
    # The pop-ups show this text as it comes: the display rule is applied here, as a
    # page would have it (core.digits).
    persian = reads_persian_digits(request.user)
    for item in fresh:
        item["url"] = Notification(pk=item["id"]).get_absolute_url()
        if persian:
            item["title"] = localize_text(item["title"])
            item["body"] = localize_text(item["body"])
    return JsonResponse({"unseen": len(unseen), "fresh": fresh})
