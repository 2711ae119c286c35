"""The call log, the task list and the event list on core.lists (activities.lists):
each filter, the old tabs' addresses, Persian warnings for what cannot be read, no filter
widening what a user sees (a call never tells whose an invisible number is), sorts both
ways, and the same rows on the page, in the API and in the export."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from peyvand.accounts.models import Team
from peyvand.activities.lists import CALLS, EVENTS, TASKS, number_part
from peyvand.activities.models import Call, Event, Task
from peyvand.lookups.models import Urgency
from tests.api.test_api import auth  # noqa: F401 - a fixture
from tests.factories import ContactFactory
from tests.lists import query

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A moment of a Tehran day."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def persian(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


# Calls -------------------------------------------------------------------------------------


@pytest.fixture
def calls(personas):
    """The owner's calls (one from their customer, one out to a landline, one missed
    from another team's customer, still to call back), a teammate's call from the same
    customer, and the other team's call, which the owner never sees."""
    nour = ContactFactory(owner=personas.owner, name="فروشگاه نور", phones=["+989121234567"])
    hidden = ContactFactory(owner=personas.outsider, name="مهرداد پنهان", phones=["+989351112233"])
    theirs = ContactFactory(owner=personas.outsider, name="بازرگانی نور", phones=["+989129999999"])
    callback = Task.objects.create(
        owner=personas.owner, assignee=personas.owner, description="تماس بگیرید"
    )

    def call(key, owner, kind, number, contact=None, when=None, notes="", **extra):
        return key, Call.objects.create(
            owner=owner, kind=kind, number=number, contact=contact,
            started_at=when or at(TODAY), notes=notes, **extra,
        )  # fmt: skip

    return dict(
        [
            call(
                "nour",
                personas.owner,
                "incoming",
                "+989121234567",
                nour,
                notes="پیگیری پیش‌فاکتور",
                duration=95,
            ),
            call("landline", personas.owner, "outgoing", "+982188776655", when=at(days(-40))),
            call(
                "missed", personas.owner, "missed", "+989351112233", hidden, callback_task=callback
            ),
            call(
                "teammate", personas.teammate, "incoming", "+989121234567", nour, when=at(days(-1))
            ),
            call("foreign", personas.outsider, "incoming", "+989129999999", theirs),
        ]
    ) | {"nour_contact": nour, "hidden_contact": hidden, "callback": callback}


def call_keys(calls, reader, /, **params) -> set[str]:
    found = set(CALLS.rows(reader, query(**params)).values_list("pk", flat=True))
    return {key for key, call in calls.items() if isinstance(call, Call) and call.pk in found}


def test_a_typed_number_is_read_in_any_digits_with_or_without_its_prefix():
    assert number_part("۰۹۱۲ ۱۲۳") == "912123"
    assert number_part("+98 912-123") == "912123"
    assert number_part("0098912") == "912"
    assert number_part("۸۸۷۷") == "8877"
    assert number_part("نور") == ""


def test_calls_are_found_by_part_of_the_number_in_persian_or_latin_digits(personas, calls):
    owner = personas.owner
    for typed in ("۹۱۲۱۲۳", "۰۹۱۲۱۲۳", "09121234567", "+98 912 123", "۰۰۹۸۹۱۲۱۲۳"):
        assert call_keys(calls, owner, q=typed) == {"nour"}, typed
        assert call_keys(calls, owner, q=typed, user="all") == {"nour", "teammate"}, typed
    assert call_keys(calls, owner, q=persian("8877")) == {"landline"}
    assert call_keys(calls, owner, q="۰۲۱ ۸۸۷۷") == {"landline"}


def test_calls_are_found_by_their_notes_and_their_contacts_name(personas, calls):
    owner = personas.owner
    # Any spelling: a space for the zero-width non-joiner, Arabic yeh.
    assert call_keys(calls, owner, q="پیش فاكتور") == {"nour"}
    assert call_keys(calls, owner, q="فروشگاه نور", user="all") == {"nour", "teammate"}


def test_a_call_never_tells_whose_an_invisible_number_is(client, personas, calls):
    """The missed call is the owner's own, its contact another team's: the contact's
    name finds nothing, and the page names no one."""
    owner = personas.owner
    assert call_keys(calls, owner, q="مهرداد پنهان") == set()
    assert call_keys(calls, owner, q="پنهان", user="all") == set()
    assert call_keys(calls, owner, q="۰۹۳۵۱۱۱") == {"missed"}  # its number still does
    client.force_login(owner)
    page = client.get(reverse("activities:call_list"), {"q": "۰۹۳۵۱۱۱"}).content.decode()
    assert "۰۹۳۵ ۱۱۱ ۲۲۳۳" in page and "مهرداد پنهان" not in page
    # The row says why it matched: the number, the part typed marked.
    assert "شماره: <bdi" in page and "<mark>۰۹۳۵ ۱۱۱</mark> ۲۲۳۳" in page
    # The manager sees every contact: the name finds the call and is shown.
    assert call_keys(calls, personas.manager, q="مهرداد پنهان", user="all") == {"missed"}


def test_calls_by_kind_result_user_and_date(personas, calls):
    owner = personas.owner
    assert call_keys(calls, owner) == {"nour", "landline", "missed"}  # «تماس‌های من»
    assert call_keys(calls, owner, user="all") == {"nour", "landline", "missed", "teammate"}
    assert call_keys(calls, owner, user=str(personas.teammate.pk)) == {"teammate"}
    assert call_keys(calls, owner, kind="outgoing") == {"landline"}
    assert call_keys(calls, owner, result="answered") == {"nour", "landline"}
    assert call_keys(calls, owner, result="missed") == {"missed"}
    assert call_keys(calls, owner, result="call_back") == {"missed"}
    Task.objects.filter(pk=calls["callback"].pk).update(status="done")
    assert call_keys(calls, owner, result="call_back") == set()
    assert call_keys(calls, owner, date_period="today") == {"nour", "missed"}
    assert call_keys(calls, owner, date_period="yesterday", user="all") == {"teammate"}
    assert call_keys(calls, owner, date_to=days(-30).isoformat()) == {"landline"}
    assert call_keys(calls, owner, date_from=persian(days(-2).isoformat())) == {"nour", "missed"}


def test_a_days_range_holds_the_calls_of_its_whole_tehran_days(personas, calls):
    late = Call.objects.create(
        owner=personas.owner, kind="incoming", number="+989120000001", started_at=at(TODAY, 23, 59)
    )
    early = Call.objects.create(
        owner=personas.owner, kind="incoming", number="+989120000002", started_at=at(days(1), 0, 0)
    )
    today = set(CALLS.rows(personas.owner, query(date_period="today")).values_list("pk", flat=True))
    assert late.pk in today and early.pk not in today


def test_the_old_call_tabs_lead_to_the_same_lists(client, personas, calls):
    client.force_login(personas.owner)
    url = reverse("activities:call_list")
    old = client.get(url, {"scope": "all", "kind": "incoming"})
    assert old.status_code == 302 and old.url == f"{url}?kind=incoming&user=all"
    assert client.get(url, {"scope": "mine"}).url == url + "?"
    page = client.get(url, {"user": "all"})
    assert [row.pk for row in page.context["page"].items] == [
        calls["missed"].pk, calls["nour"].pk, calls["teammate"].pk, calls["landline"].pk,
    ]  # fmt: skip
    html = page.content.decode()
    assert 'class="table-warning"' in html  # the missed call
    assert "کاربر: من" not in html and '<option value="all" selected' not in html


def test_no_call_filter_widens_what_a_user_sees(personas, calls):
    owner = personas.owner
    seen = set(Call.objects.visible_to(owner).values_list("pk", flat=True))
    assert calls["foreign"].pk not in seen
    tries = [
        {"user": str(personas.outsider.pk)},
        {"user": "all", "q": "۰۹۱۲۹۹۹"},
        {"user": "all", "q": "بازرگانی نور"},
        {"user": "all", "kind": "incoming", "date_period": "today"},
        *({"user": "all", "result": value} for value in ("answered", "missed", "call_back")),
    ]
    for params in tries:
        found = set(CALLS.rows(owner, query(**params)).values_list("pk", flat=True))
        assert found <= seen, params


def test_what_cannot_be_read_is_a_persian_warning_and_filters_nothing(client, personas, calls):
    client.force_login(personas.owner)
    for url, params in (
        ("activities:call_list", {"date_from": "1405/13/40"}),
        ("activities:task_list", {"date_to": "۱۴۰۵/۰۲/۴۵"}),
        # «فردا» is a date now (core.dates shortcuts); «هفتهٔ بعد» is not.
        ("activities:event_list", {"date_from": "هفتهٔ بعد"}),
    ):
        page = client.get(reverse(url), params)
        assert page.status_code == 200
        assert "تاریخ درستی نیست" in page.content.decode(), url
    owner = personas.owner
    assert call_keys(calls, owner, date_from="abc", kind="lost", result="x") == call_keys(
        calls, owner
    )


def test_the_call_log_page_the_api_and_the_export_give_the_same_rows(
    client,
    personas,
    calls,
    auth,  # noqa: F811
):
    params = {"q": "۰۹۱۲۱۲", "user": "all", "date_period": "this_year", "sort": "-date"}
    client.force_login(personas.owner)
    page = client.get(reverse("activities:call_list"), params)
    shown = [row.pk for row in page.context["page"].items]
    assert shown == [calls["teammate"].pk, calls["nour"].pk]  # oldest first: -date
    answer = client.get("/api/v1/calls", params, headers=auth("owner")).json()
    assert [item["id"] for item in answer["items"]] == shown
    export = client.get(reverse("core:list_export", args=["calls", "csv"]), params)
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    header, *lines = csv.reader(io.StringIO(text))
    assert len(lines) == 2 and {line[header.index("کاربر")] for line in lines} == {
        str(personas.owner), str(personas.teammate)
    }  # fmt: skip
    # The API's old names: ``number`` is ``q``, ``scope`` the user filter.
    old = client.get(
        "/api/v1/calls", {"number": "09121234567", "scope": "all"}, headers=auth("owner")
    ).json()
    assert {item["id"] for item in old["items"]} == set(shown)
    mine = client.get("/api/v1/calls", headers=auth("owner")).json()
    assert {item["id"] for item in mine["items"]} == {
        calls[key].pk for key in ("nour", "landline", "missed")
    }


# Tasks -------------------------------------------------------------------------------------


@pytest.fixture
def tasks(personas):
    """The owner's tasks (one overdue, one urgent today, one done), one they gave a
    teammate, the manager's task for the teammate, and the other team's."""
    urgent = Urgency.objects.get_or_create(name="فوری")[0]

    def task(owner, assignee, description, date=TODAY, **extra):
        return Task.objects.create(
            owner=owner, assignee=assignee, description=description, date=date, **extra
        )

    owner, teammate = personas.owner, personas.teammate
    return {
        "late": task(owner, owner, "دیروزی", days(-1)),
        "urgent": task(owner, owner, "امروزی فوری", urgency=urgent),
        "done": task(owner, owner, "تمام‌شده", days(-3), status="done", done_at=timezone.now()),
        "given": task(owner, teammate, "واگذارشده", days(2)),
        "boss": task(personas.manager, teammate, "مال همکار", days(5)),
        "foreign": task(personas.outsider, personas.outsider, "کار شعبه"),
        "urgency": urgent,
    }


def task_keys(tasks, reader, /, **params) -> set[str]:
    found = set(TASKS.rows(reader, query(**params)).values_list("pk", flat=True))
    return {key for key, task in tasks.items() if isinstance(task, Task) and task.pk in found}


def test_tasks_start_with_mine_open_and_offer_every_filter(personas, tasks):
    owner = personas.owner
    assert task_keys(tasks, owner) == {"late", "urgent"}
    assert task_keys(tasks, owner, status="done") == {"done"}
    assert task_keys(tasks, owner, status="all") == {"late", "urgent", "done"}
    assert task_keys(tasks, owner, assignee="all") == {"late", "urgent", "given", "boss"}
    assert task_keys(tasks, owner, assignee="all", owner="me") == {"late", "urgent", "given"}
    assert task_keys(tasks, owner, assignee=str(personas.teammate.pk)) == {"given", "boss"}
    assert task_keys(tasks, owner, assignee="all", team="mine") == {
        "late", "urgent", "given", "boss"
    }  # fmt: skip
    assert task_keys(tasks, owner, urgency=str(tasks["urgency"].pk)) == {"urgent"}
    assert task_keys(tasks, owner, overdue="yes") == {"late"}
    assert task_keys(tasks, owner, overdue="no") == {"urgent"}
    assert task_keys(tasks, owner, date_period="overdue") == {"late"}
    assert task_keys(tasks, owner, assignee="all", date_period="next_30_days") == {
        "urgent", "given", "boss"
    }  # fmt: skip
    assert task_keys(tasks, owner, q="فوری") == {"urgent"}
    # The search key: an Arabic keyboard's «ي»/«ك» finds the Persian spelling.
    assert task_keys(tasks, owner, q="فوري") == {"urgent"}


def test_no_task_filter_widens_what_a_user_sees(personas, tasks):
    owner = personas.owner
    seen = set(Task.objects.visible_to(owner).values_list("pk", flat=True))
    assert tasks["foreign"].pk not in seen
    their_team = Team.objects.get(name="فروش شعبه")
    for params in (
        {"assignee": str(personas.outsider.pk)},
        {"assignee": "all", "team": str(their_team.pk)},
        {"assignee": "all", "owner": str(personas.outsider.pk), "status": "all"},
        {"assignee": "all", "q": "شعبه"},
    ):
        found = set(TASKS.rows(owner, query(**params)).values_list("pk", flat=True))
        assert found <= seen and tasks["foreign"].pk not in found, params


def test_the_old_task_tabs_are_presets_and_their_addresses_redirect(client, personas, tasks):
    client.force_login(personas.owner)
    url = reverse("activities:task_list")
    old = client.get(url, {"scope": "by_me", "status": "done"})
    assert old.url == f"{url}?status=done&assignee=all&owner=me"
    assert client.get(url, {"overdue": "on"}).url == f"{url}?overdue=yes"
    page = client.get(url)
    html = page.content.decode()
    assert [label for label, _q, current in page.context["scopes"] if current] == ["وظایف من"]
    assert 'href="?assignee=all&amp;owner=me"' in html
    # Overdue in red and in words; «انجام شد» posts through the page's one form.
    assert 'class="table-danger"' in html and "عقب‌افتاده" in html
    done = reverse("activities:task_done", args=[tasks["urgent"].pk])
    assert f'form="task-done" formaction="{done}"' in html and 'id="task-done"' in html
    # On a phone the same button is in the card's «⋯» menu: each open task has one, a
    # done task (no button) none.
    menus = re.findall(r'<td class="list-menu">.*?</td>', html, re.S)
    assert len(menus) == len(page.context["page"].items)
    assert all(f'formaction="{reverse("activities:task_done", args=[row.pk])}"' in menu
               for row, menu in zip(page.context["page"].items, menus, strict=True))  # fmt: skip
    finished = client.get(url, {"status": "done", "assignee": "all"}).content.decode()
    assert "تمام‌شده" in finished and 'class="list-menu"' not in finished
    every = client.get(url, {"assignee": "all", "team": "mine"})
    assert [label for label, _q, current in every.context["scopes"] if current] == ["وظایف گروه من"]
    # Tasks come by date, the other way on asking.
    dates = [row.date for row in every.context["page"].items]
    assert dates == sorted(dates)
    latest = client.get(url, {"assignee": "all", "sort": "-date"}).context["page"].items
    assert [row.date for row in latest] == sorted(dates, reverse=True)


def test_the_task_list_page_the_api_and_the_export_give_the_same_rows(
    client,
    personas,
    tasks,
    auth,  # noqa: F811
):
    params = {"assignee": "all", "status": "all", "owner": "me", "sort": "-date"}
    client.force_login(personas.owner)
    shown = [row.pk for row in client.get(reverse("activities:task_list"), params).context[
        "page"].items]  # fmt: skip
    assert shown == [tasks[key].pk for key in ("given", "urgent", "late", "done")]
    answer = client.get("/api/v1/tasks", params, headers=auth("owner")).json()
    assert [item["id"] for item in answer["items"]] == shown
    export = client.get(reverse("core:list_export", args=["tasks", "csv"]), params)
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    header, *lines = csv.reader(io.StringIO(text))
    described = [line[header.index("شرح وظیفه")] for line in lines]
    assert described == ["واگذارشده", "امروزی فوری", "دیروزی", "تمام‌شده"]
    # The API's old names still work.
    team = client.get("/api/v1/tasks", {"scope": "team"}, headers=auth("owner")).json()
    assert {item["id"] for item in team["items"]} == {
        tasks[key].pk for key in ("late", "urgent", "given", "boss")
    }
    late = client.get("/api/v1/tasks", {"overdue": "true"}, headers=auth("owner")).json()
    assert [item["id"] for item in late["items"]] == [tasks["late"].pk]
    either = client.get("/api/v1/tasks", {"overdue": "false"}, headers=auth("owner")).json()
    assert {item["id"] for item in either["items"]} == {tasks["late"].pk, tasks["urgent"].pk}


# Events ------------------------------------------------------------------------------------


@pytest.fixture
def events(personas):
    sales = Team.objects.get(name="فروش")
    branch = Team.objects.get(name="فروش شعبه")

    def event(owner, title, date, team=None, **extra):
        return Event.objects.create(owner=owner, title=title, date=date, team=team, **extra)

    return {
        "visit": event(personas.owner, "دیدار با نور", days(3), start_time="10:00"),
        "meeting": event(personas.teammate, "جلسه فروش", days(10), sales, location="دفتر"),
        "past": event(personas.owner, "نمایشگاه", days(-1), is_done=True),
        "private": event(personas.teammate, "دندانپزشک", days(1)),
        "branch": event(personas.outsider, "جلسه شعبه", days(2), branch),
    }


def event_keys(events, reader, /, **params) -> set[str]:
    found = set(EVENTS.rows(reader, query(**params)).values_list("pk", flat=True))
    return {key for key, event in events.items() if event.pk in found}


def test_events_are_listed_as_the_calendar_shows_them_and_filtered(personas, events):
    owner = personas.owner
    sales = Team.objects.get(name="فروش")
    assert event_keys(events, owner) == {"visit", "meeting", "past"}
    assert event_keys(events, owner, team="personal") == {"visit", "past"}
    assert event_keys(events, owner, team=str(sales.pk)) == {"meeting"}
    assert event_keys(events, owner, owner="me") == {"visit", "past"}
    assert event_keys(events, owner, done="yes") == {"past"}
    assert event_keys(events, owner, done="no") == {"visit", "meeting"}
    assert event_keys(events, owner, date_period="next_30_days") == {"visit", "meeting"}
    assert event_keys(events, owner, date_period="overdue") == {"past"}
    assert event_keys(events, owner, q="دفتر") == {"meeting"}
    assert event_keys(events, owner, q="فروش دفتر") == {"meeting"}  # the title, then the place
    assert event_keys(events, owner, q="ديدار با نور") == {"visit"}  # an Arabic «ي»
    rows = list(EVENTS.rows(owner, query()))
    assert [row.title for row in rows] == ["نمایشگاه", "دیدار با نور", "جلسه فروش"]


def test_no_event_filter_widens_what_a_user_sees(personas, events):
    owner = personas.owner
    branch = Team.objects.get(name="فروش شعبه")
    for params in (
        {"team": str(branch.pk)},
        {"owner": str(personas.outsider.pk)},
        {"owner": str(personas.teammate.pk), "team": "personal"},
        {"q": "جلسه"},
    ):
        found = event_keys(events, owner, **params)
        assert not found & {"private", "branch"}, params


def test_the_event_list_page_the_api_and_the_export_give_the_same_rows(
    client,
    personas,
    events,
    auth,  # noqa: F811
):
    client.force_login(personas.owner)
    calendar = client.get(reverse("activities:calendar")).content.decode()
    assert f'href="{reverse("activities:event_list")}"' in calendar
    params = {"date_period": "next_30_days", "sort": "-start"}
    page = client.get(reverse("activities:event_list"), params)
    shown = [row.pk for row in page.context["page"].items]
    assert shown == [events["meeting"].pk, events["visit"].pk]
    assert "رویدادی با این فیلترها نیست" not in page.content.decode()
    export = client.get(reverse("core:list_export", args=["events", "csv"]), params)
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    header, *lines = csv.reader(io.StringIO(text))
    assert [line[header.index("عنوان")] for line in lines] == ["جلسه فروش", "دیدار با نور"]
    # The API keeps its start, end and team; it reads the list's other filters too.
    span = {"start": days(-5).isoformat(), "end": days(20).isoformat()}
    answer = client.get("/api/v1/events", span, headers=auth("owner")).json()
    assert [item["id"] for item in answer] == [
        events[key].pk for key in ("past", "visit", "meeting")
    ]
    sales = Team.objects.get(name="فروش")
    branch = Team.objects.get(name="فروش شعبه")
    for team, expected in ((sales, ["meeting"]), (branch, [])):
        answer = client.get("/api/v1/events", {**span, "team": team.pk}, headers=auth("owner"))
        assert [item["id"] for item in answer.json()] == [events[key].pk for key in expected]
    done = client.get("/api/v1/events", {**span, "done": "yes"}, headers=auth("owner")).json()
    assert [item["id"] for item in done] == [events["past"].pk]
