"""The call log, the task list and the event list, declared once (core.lists): the
pages, their Excel, CSV and PDF exports and the API's list operations read the same
rows through these."""

from __future__ import annotations

import html

from django.db.models import Q
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from peyvand.accounts.models import Team
from peyvand.accounts.selectors import people_who_can, team_choices
from peyvand.activities.models import Call, Event, Task
from peyvand.activities.services import tasks_done
from peyvand.contacts.models import Contact
from peyvand.core.lists import (
    ALL,
    FUTURE,
    ME,
    PAST,
    BulkAction,
    Choice,
    Column,
    DateRange,
    DateTimeRange,
    ListSpec,
    Person,
    Reading,
    Search,
    Sort,
    YesNo,
    cells,
)
from peyvand.core.templatetags.peyvand import fa_date, fa_datetime, fa_duration
from peyvand.core.text import fa_search_key, number_part, typed_search_key
from peyvand.lookups.models import Urgency

# Filters of this app's lists --------------------------------------------------------------


# The call log -----------------------------------------------------------------------------


def text_condition(text: str, reading: Reading) -> Q:
    """A task's or event's own text (its search key): a word or part of one, in any
    spelling variant; one or two letters too (read without the index, within the
    page's limit)."""
    key = typed_search_key(text) or fa_search_key(text)
    return Q(search_key__contains=key) if key else Q()


def call_search(text: str, reading: Reading) -> Q:
    """Part of the number, of the notes, or the name of the call's contact — a contact
    the reader may see: the name is looked for among ``Contact.objects.visible_to``, so
    a call never tells who an invisible number belongs to (README «Visibility»)."""
    digits = number_part(text)
    if digits:
        found = Q(search_key__contains=digits)
    else:
        found = Q(search_key__contains=fa_search_key(text))
    if key := typed_search_key(text):
        # The contact's key is on the call (customer_key, trigram index
        # call_customer_trgm); a reader who does not see every contact has it matched
        # only where they see the contact: the list's own ``contact_shown``
        # (CallQuerySet.with_contact_shown_to), a correlated EXISTS. Joined instead, the
        # contact's rule multiplied the planner's guess of the matches down (a rep's
        # 1,126 calls of «کریمی» taken for 4), and a rep's page read every call holding
        # the name (114 ms) where walking their calls newest first finds it in 10 ms.
        named = Q(customer_key__contains=key)
        if Contact.objects.visibility(reading.user) is not None:
            named &= Q(contact_shown=True)
        found |= named
    return found


CALL_RESULTS = [
    ("answered", _("پاسخ داده شد")),
    ("missed", _("بی‌پاسخ")),
    ("call_back", _("بی‌پاسخ، هنوز تماس گرفته نشده")),
]


def _call_result(value: str, reading: Reading) -> Q:
    if value == "answered":
        return ~Q(kind=Call.Kind.MISSED)
    if value == "missed":
        return Q(kind=Call.Kind.MISSED)
    return Q(kind=Call.Kind.MISSED, callback_task__status=Task.Status.OPEN)


KIND_ICONS = {
    Call.Kind.INCOMING: "telephone-inbound text-success",
    Call.Kind.OUTGOING: "telephone-outbound text-primary",
    Call.Kind.MISSED: "telephone-x text-danger",
}


def _call_time(call) -> str:
    url, when = html.escape(call.get_absolute_url()), html.escape(fa_datetime(call.started_at))
    return cells._safe(f'<a class="text-nowrap" href="{url}">{when}</a>')


def _call_kind(call) -> str:
    icon = f'<i class="bi bi-{KIND_ICONS.get(call.kind, "telephone")}" aria-hidden="true"></i>'
    ringing = ""
    if not call.ended_at and call.pbx_id:
        ringing = " " + cells.badge(_("در حال زنگ"), "info")
    label = html.escape(call.get_kind_display())
    return cells._safe(f'<span class="text-nowrap">{icon} {label}{ringing}</span>')


def _call_contact(call) -> str:
    """The contact to a reader who may see it; «—» when there is one they may not see."""
    if call.shown_contact is not None:
        contact = call.shown_contact
        url, name = html.escape(contact.get_absolute_url()), html.escape(contact.name)
        return cells._safe(f'<a href="{url}">{name}</a>')
    word = "—" if call.contact_id else _("ناشناس")
    return cells._safe(f'<span class="text-secondary">{html.escape(str(word))}</span>')


def _call_user(call) -> str:
    shown = html.escape(str(call.owner))
    if call.extension:
        extension = html.escape(call.extension)
        shown += f' <small class="text-secondary">({extension})</small>'
    return cells._safe(shown)


def _call_duration(call) -> str:
    shown = html.escape(fa_duration(call.duration)) if call.duration else "—"
    return cells._safe(f'<span class="text-nowrap">{shown}</span>')


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _short(get, length: int):
    return cells.text(lambda row: _clip(str(get(row) or ""), length))


CALLS = ListSpec(
    key="calls",
    label=_("تماس‌ها"),
    model=Call,
    permission="activities.view_call",
    url_name="activities:call_list",
    base=lambda user: (
        Call.objects.visible_to(user).with_contact_shown_to(user).select_related("contact", "owner")
    ),
    filters=[
        Search(
            condition=call_search,
            placeholder=_("بخشی از شماره، نام مخاطب یا یادداشت"),
            shown=(
                (_("شماره"), lambda call: call.national_number),
                # Only a contact the reader may see: the list's base marks which.
                (_("مخاطب"), lambda call: call.shown_contact.name if call.shown_contact else ""),
                (_("یادداشت"), lambda call: call.notes),
            ),
        ),
        DateTimeRange(name="date", label=_("زمان"), field="started_at", presets=PAST),
        Choice(name="kind", label=_("نوع تماس"), field="kind", choices=Call.Kind.choices),
        Person(
            name="user",
            label=_("کاربر"),
            field="owner",
            people=people_who_can("activities.view_call"),
            default=ME,
        ),
        Choice(name="result", label=_("نتیجه"), choices=CALL_RESULTS, condition=_call_result),
    ],
    sorts=[Sort("date", _("زمان"), ("-started_at", "-id"), index="call_recent")],
    columns=[
        Column("date", _("زمان"), _call_time, sort="date"),
        Column("kind", _("نوع"), _call_kind),
        Column("number", _("شماره"), cells.phone(lambda call: call.number)),
        Column("contact", _("مخاطب"), _call_contact),
        Column("user", _("کاربر / داخلی"), _call_user),
        Column("duration", _("مدت"), _call_duration),
        Column("notes", _("یادداشت"), _short(lambda call: call.notes, 60)),
    ],
    row_class=lambda call, reading: "table-warning" if call.kind == Call.Kind.MISSED else "",
)


# The call log's old tabs (?scope=mine|all), as the filter they now are.
CALL_SCOPES = {"mine": {}, "all": {"user": ALL}}


def old_scope(params: QueryDict, scopes: dict[str, dict[str, str]]) -> QueryDict:
    """A query of the old tabs (?scope=…) as the filters they now are: the page
    redirects there, the API reads it."""
    query = params.copy()
    for name, value in scopes.get(query.pop("scope", [""])[0], {}).items():
        query[name] = value
    return query


# Tasks ------------------------------------------------------------------------------------

# The task list's «گروه»: the reader's own teams together, or one team.
MY_TEAMS = "mine"


def _task_team(value: str, reading: Reading) -> Q:
    """The tasks given to a team (or to its members): what «وظایف گروه من» showed."""
    if value == MY_TEAMS:
        teams = reading.user.teams.filter(is_active=True).values("pk")
    else:
        teams = Team.objects.filter(pk=value, is_active=True).values("pk")
    members = Team.members.through.objects.filter(team__in=teams).values("user_id")
    return Q(team__in=teams) | Q(assignee__in=members)


def _urgencies() -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in Urgency.objects.values_list("pk", "name")]


def _task_date(task) -> str:
    shown = cells.date(lambda row: row.date)(task)
    if not task.is_overdue:
        return shown
    late = '<span class="badge text-bg-danger"><i class="bi bi-alarm" aria-hidden="true"></i> '
    return cells._safe(f"{shown} {late}{html.escape(str(_('عقب‌افتاده')))}</span>")


def _task_status(task) -> str:
    if task.status == Task.Status.DONE:
        done = html.escape(fa_date(task.done_at))
        return cells._safe(
            f'<span class="badge text-bg-success"><i class="bi bi-check2" aria-hidden="true"></i>'
            f" {html.escape(str(_('انجام شده')))} {done}</span>"
        )
    return cells.badge(_("در دست انجام"), "light")


def _task_done_button(task) -> str:
    """«انجام شد» for an open task: a button of the page's one POST form (#task-done,
    with its CSRF token), sent to this task's address."""
    if task.status != Task.Status.OPEN:
        return cells._safe("")
    url = html.escape(reverse("activities:task_done", args=[task.pk]))
    return cells._safe(
        f'<button class="btn btn-sm btn-outline-success text-nowrap" type="submit" '
        f'form="task-done" formaction="{url}"><i class="bi bi-check2-square" aria-hidden="true">'
        f"</i> {html.escape(str(_('انجام شد')))}</button>"
    )


def _overdue(reading: Reading) -> Q:
    return Q(status=Task.Status.OPEN, date__lt=reading.today)


# The ticked (or all filtered) open tasks done, each as its «انجام شد» button does.
MARK_DONE = BulkAction(
    key="done",
    label=_("انجام شد"),
    permission="activities.change_task",
    apply=lambda rows, data, user: tasks_done(tasks=rows, by=user),
    done=_("%(count)s وظیفه انجام شد."),
    icon="check2-square",
)


TASKS = ListSpec(
    key="tasks",
    label=_("وظایف"),
    model=Task,
    permission="activities.view_task",
    url_name="activities:task_list",
    base=lambda user: Task.objects.visible_to(user).select_related(
        "assignee", "owner", "urgency", "team"
    ),
    filters=[
        Search(
            condition=text_condition,
            placeholder=_("شرح یا یادداشت وظیفه"),
            shown=((_("یادداشت"), lambda task: task.notes),),
        ),
        Choice(
            name="status",
            label=_("وضعیت"),
            field="status",
            choices=Task.Status.choices,
            default=Task.Status.OPEN,
        ),
        Person(
            name="assignee",
            label=_("انجام‌دهنده"),
            field="assignee",
            people=people_who_can("activities.view_task"),
            default=ME,
        ),
        YesNo(name="overdue", label=_("عقب‌افتاده"), condition=_overdue),
        # «فیلترهای بیشتر»
        DateRange(name="date", label=_("تاریخ"), field="date", presets=FUTURE),
        Person(
            name="owner",
            label=_("واگذارکننده"),
            field="owner",
            people=people_who_can("activities.add_task"),
        ),
        Choice(
            name="team",
            label=_("گروه"),
            choices=lambda: [(MY_TEAMS, _("گروه‌های من")), *team_choices()],
            condition=_task_team,
        ),
        Choice(name="urgency", label=_("فوریت"), field="urgency", choices=_urgencies),
    ],
    sorts=[Sort("date", _("تاریخ"), ("date", "id"), index="task_date")],
    columns=[
        Column("date", _("تاریخ"), _task_date, sort="date"),
        Column("description", _("شرح"), cells.link(lambda task: _clip(task.description, 90))),
        Column("urgency", _("فوریت"), cells.text(lambda task: task.urgency or _("عادی"))),
        Column("assignee", _("انجام‌دهنده"), cells.text(lambda task: task.assignee)),
        Column("owner", _("واگذارکننده"), cells.text(lambda task: task.owner)),
        Column("team", _("گروه"), cells.text(lambda task: task.team or ""), default=False),
        Column(
            "remind_at",
            _("یادآوری"),
            cells.text(lambda task: fa_datetime(task.remind_at) if task.remind_at else "—"),
        ),
        Column("status", _("وضعیت"), _task_status),
        Column("done", _("انجام"), _task_done_button, action=True),
    ],
    row_class=lambda task, reading: "table-danger" if task.is_overdue else "",
    actions=[MARK_DONE],
)

# The task list's old tabs (?scope=…), as the filters they now are.
TASK_SCOPES = {
    "mine": {},
    "by_me": {"assignee": ALL, "owner": "me"},
    "team": {"assignee": ALL, "team": MY_TEAMS},
    "all": {"assignee": ALL},
}


# Events -----------------------------------------------------------------------------------

PERSONAL = "personal"


def _event_teams() -> list[tuple[str, str]]:
    return [(PERSONAL, _("شخصی")), *team_choices()]


def _event_team(value: str, reading: Reading) -> Q:
    """«شخصی»: the reader's own personal events, the only ones anyone sees (the
    visibility says so too). Said here, the owner lets the planner take the reader's
    events by date (event_owner_date) instead of walking everyone's for a text that
    personal events of others hold: 95 ms for «کریمی» at 200,000 events."""
    if value == PERSONAL:
        return Q(team__isnull=True, owner=reading.user)
    return Q(team_id=value)


def _event_time(event) -> str:
    if not event.start_time:
        return cells._safe(f'<span class="text-secondary">{html.escape(str(_("تمام روز")))}</span>')
    shown = event.start_time.strftime("%H:%M")
    if event.end_time:
        shown += f"–{event.end_time.strftime('%H:%M')}"
    return cells._safe(f'<span class="text-nowrap ltr">{html.escape(shown)}</span>')


def _event_done(event) -> str:
    if event.is_done:
        return cells.badge(_("انجام شد"), "success")
    return cells._safe("")


EVENTS = ListSpec(
    key="events",
    label=_("رویدادها"),
    model=Event,
    permission="activities.view_event",
    url_name="activities:event_list",
    base=lambda user: Event.objects.visible_to(user).select_related("team", "owner"),
    filters=[
        Search(
            condition=text_condition,
            placeholder=_("عنوان، محل یا توضیح"),
            shown=((_("توضیح"), lambda event: event.description),),
        ),
        DateRange(name="date", label=_("تاریخ"), field="date", presets=FUTURE),
        Choice(name="team", label=_("گروه"), choices=_event_teams, condition=_event_team),
        Person(
            name="owner",
            label=_("ثبت‌کننده"),
            field="owner",
            people=people_who_can("activities.add_event"),
        ),
        YesNo(name="done", label=_("انجام شده"), condition=lambda reading: Q(is_done=True)),
    ],
    sorts=[Sort("start", _("زمان"), ("date", "start_time", "id"), index="event_date")],
    columns=[
        Column("date", _("تاریخ"), cells.date(lambda event: event.date), sort="start"),
        Column("time", _("ساعت"), _event_time),
        Column("title", _("عنوان"), cells.link(lambda event: event.title)),
        Column("location", _("محل"), cells.text(lambda event: event.location)),
        Column("team", _("گروه"), cells.text(lambda event: event.team or _("شخصی"))),
        Column("owner", _("ثبت‌کننده"), cells.text(lambda event: event.owner), default=False),
        Column("done", _("انجام"), _event_done),
    ],
)
