"""The daily calendar: Jalali views with holidays, team visibility, the event form and
reminders, and the ICS feed read back with the icalendar package."""

import datetime
import re
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from peyvand.accounts.models import Team
from peyvand.activities import reminders, services
from peyvand.activities.models import CalendarFeed, Event, Notification, Reminder, Task
from peyvand.core.dates import format_date
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


def day_headers(html: str) -> list[str]:
    """The week view's day headings, in page order."""
    return re.findall(r'<section class="card[^"]*" aria-label="([^"]+)"', html)


def test_the_nowruz_week_shows_persian_months_saturday_first_and_the_holidays(client, personas):
    client.force_login(personas.owner)
    # 2026-03-21 is 1 Farvardin 1405, a Saturday.
    response = client.get(reverse("activities:calendar"), {"view": "week", "date": "2026-03-24"})
    html = response.content.decode()
    assert response.status_code == 200
    assert day_headers(html) == [
        "شنبه ۱ فروردین",
        "یکشنبه ۲ فروردین",
        "دوشنبه ۳ فروردین",
        "سه\u200cشنبه ۴ فروردین",
        "چهارشنبه ۵ فروردین",
        "پنجشنبه ۶ فروردین",
        "جمعه ۷ فروردین",
    ]
    assert "۱ فروردین ۱۴۰۵ تا ۷ فروردین ۱۴۰۵" in html
    holidays = re.findall(r"تعطیل: ([^<]+)</div>", html)
    assert any("نوروز" in name for name in holidays)
    assert len(holidays) >= 4  # Nowruz is four days off (here with Eid al-Fitr)


def test_the_month_view_is_the_jalali_month_in_saturday_first_weeks(client, personas):
    client.force_login(personas.owner)
    response = client.get(reverse("activities:calendar"), {"view": "month", "date": "2026-03-10"})
    html = response.content.decode()
    assert "<title>تقویم — اسفند ۱۴۰۴" in html
    headings = re.findall(r'<th scope="col" class="text-center[^"]*">([^<]+)</th>', html)
    assert headings[0] == "شنبه" and headings[-1] == "جمعه"
    cells = re.findall(r'data-date="(\d{4}-\d\d-\d\d)"', html)
    first, last = datetime.date.fromisoformat(cells[0]), datetime.date.fromisoformat(cells[-1])
    assert first.weekday() == 5 and last.weekday() == 4  # Saturday to Friday
    # Esfand 1404 runs from 2026-02-20 to 2026-03-20; the grid covers it whole.
    assert first <= datetime.date(2026, 2, 20) and last >= datetime.date(2026, 3, 20)
    assert len(cells) % 7 == 0


def test_a_gregorian_user_gets_gregorian_months(client, personas):
    personas.owner.calendar = "gregorian"
    personas.owner.save()
    client.force_login(personas.owner)
    html = client.get(
        reverse("activities:calendar"), {"view": "month", "date": "2026-03-10"}
    ).content.decode()
    assert "<title>تقویم — مارس ۲۰۲۶" in html


def test_team_events_reach_the_team_personal_ones_stay_personal(client, personas):
    team = Team.objects.get(name="فروش")
    services.event_save(
        event=Event(title="جلسهٔ تیم", date=timezone.localdate(), team=team), by=personas.owner
    )
    services.event_save(
        event=Event(title="دندان‌پزشکی", date=timezone.localdate()), by=personas.owner
    )
    seen = {}
    for persona in ("owner", "teammate", "outsider", "manager"):
        client.force_login(getattr(personas, persona))
        html = client.get(reverse("activities:calendar")).content.decode()
        seen[persona] = {title for title in ("جلسهٔ تیم", "دندان‌پزشکی") if title in html}
    assert seen == {
        "owner": {"جلسهٔ تیم", "دندان‌پزشکی"},
        "teammate": {"جلسهٔ تیم"},
        "outsider": set(),
        "manager": {"جلسهٔ تیم"},
    }


def test_an_event_with_a_reminder_reminds_every_team_member_once_and_done_stops_it(
    client, personas
):
    client.force_login(personas.owner)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    team = Team.objects.get(name="فروش")
    response = client.post(
        reverse("activities:calendar_event_create"),
        {
            "title": "دمو برای صنایع مهرگان",
            "date": tomorrow.isoformat().replace("-", "/"),  # rejected: not a Jalali year
            "start_time": "۱۰:۳۰",
            "end_time": "۱۱:۳۰",
            "team": team.pk,
            "remind": "on",
            "remind_minutes": 30,
        },
    )
    assert response.status_code == 200  # the Gregorian-looking year is refused, in Persian
    assert "سال باید بین" in response.content.decode()
    assert "دمو برای صنایع مهرگان" in response.content.decode()  # what was typed stays
    response = client.post(
        reverse("activities:calendar_event_create"),
        {
            "title": "دمو برای صنایع مهرگان",
            "date": format_date(tomorrow),
            "start_time": "۱۰:۳۰",
            "end_time": "۱۱:۳۰",
            "team": team.pk,
            "remind": "on",
            "remind_minutes": 30,
        },
    )
    assert response.status_code == 302
    event = Event.objects.get()
    assert (event.start_time, event.end_time) == (datetime.time(10, 30), datetime.time(11, 30))
    due = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(10, 0)))
    assert sorted(
        (reminder.user.username, reminder.due_at) for reminder in Reminder.objects.all()
    ) == [("owner", due), ("teammate", due)]
    assert reminders.fire_due(due) == 2
    assert reminders.fire_due(due) == 0
    assert Notification.objects.filter(title__startswith="رویداد: دمو").count() == 2

    # Moved to another time it reminds again; ticked done, it does not.
    event.start_time = datetime.time(14, 0)
    services.event_save(event=event, by=personas.owner, before={})
    assert Reminder.objects.filter(fired_at__isnull=True).count() == 2
    response = client.post(reverse("activities:calendar_event_done", args=[event.pk]))
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.is_done and event.done_at is not None
    assert not Reminder.objects.filter(fired_at__isnull=True).exists()


def test_the_event_form_explains_bad_times_in_persian(client, personas):
    client.force_login(personas.owner)
    response = client.post(
        reverse("activities:calendar_event_create"),
        {"title": "جلسه", "date": "1405/09/10", "start_time": "11:00", "end_time": "10:00"},
    )
    assert "ساعت پایان باید بعد از ساعت شروع باشد." in response.content.decode()
    response = client.post(
        reverse("activities:calendar_event_create"),
        {"title": "جلسه", "date": "1405/09/10", "start_time": "25:00"},
    )
    assert "ساعت باید بین ۰۰:۰۰ و ۲۳:۵۹ باشد." in response.content.decode()
    assert not Event.objects.exists()


def test_a_teammate_sees_a_team_event_but_only_its_owner_edits_or_deletes_it(client, personas):
    team = TeamFactory(name="پشتیبانی")
    team.members.add(personas.owner, personas.teammate)
    event = services.event_save(event=Event(title="جلسهٔ تیم", team=team), by=personas.owner)
    delete = reverse("activities:calendar_event_delete", args=[event.pk])
    client.force_login(personas.teammate)
    assert client.get(event.get_absolute_url()).status_code == 403
    assert client.post(delete).status_code == 403
    client.force_login(personas.owner)
    assert client.post(delete).status_code == 302
    assert Event.all_objects.get().deleted_at is not None  # in the trash, restorable


def ics_for(client, user) -> icalendar.Calendar:
    client.force_login(user)
    client.post(reverse("activities:calendar_feed"))
    page = client.get(reverse("activities:calendar_feed")).content.decode()
    url = re.search(r'id="feed-url" dir="ltr" readonly value="([^"]+)"', page)[1]
    client.logout()
    response = client.get(url.removeprefix("http://testserver"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def test_the_ics_feed_parses_with_tehran_times_and_holds_events_and_tasks(client, personas):
    tehran = ZoneInfo("Asia/Tehran")
    day = timezone.localdate() + datetime.timedelta(days=2)
    services.event_save(
        event=Event(
            title="بازدید از کارخانه",
            date=day,
            start_time=datetime.time(15, 30),
            end_time=datetime.time(17, 0),
            location="شهرک صنعتی",
        ),
        by=personas.owner,
    )
    services.event_save(event=Event(title="نمایشگاه", date=day), by=personas.owner)
    services.event_save(event=Event(title="مال دیگری", date=day), by=personas.teammate)
    Task.objects.create(
        owner=personas.manager, assignee=personas.owner, description="پیش‌فاکتور", date=day
    )
    calendar = ics_for(client, personas.owner)
    events = {str(item["SUMMARY"]): item for item in calendar.walk("VEVENT")}
    assert set(events) == {"بازدید از کارخانه", "نمایشگاه", "وظیفه: پیش‌فاکتور"}
    visit = events["بازدید از کارخانه"]
    start, end = visit.decoded("DTSTART"), visit.decoded("DTEND")
    assert start == datetime.datetime.combine(day, datetime.time(15, 30), tehran)
    assert end == datetime.datetime.combine(day, datetime.time(17, 0), tehran)
    assert str(start.tzinfo) == "Asia/Tehran"
    assert visit["DTSTART"].params["TZID"] == "Asia/Tehran"
    assert str(visit["LOCATION"]) == "شهرک صنعتی"
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Asia/Tehran"]
    assert events["نمایشگاه"].decoded("DTSTART") == day  # a whole-day event
    assert events["وظیفه: پیش‌فاکتور"].decoded("DTSTART") == day


def test_a_new_feed_address_revokes_the_old_and_a_wrong_key_is_404(client, personas):
    client.force_login(personas.owner)
    client.post(reverse("activities:calendar_feed"))
    old = CalendarFeed.objects.get().key
    client.post(reverse("activities:calendar_feed"))
    new = CalendarFeed.objects.get().key
    assert old != new
    client.logout()
    assert client.get(reverse("activities:ics", args=[old])).status_code == 404
    assert client.get(reverse("activities:ics", args=[new])).status_code == 200
    personas.owner.is_active = False
    personas.owner.save()
    assert client.get(reverse("activities:ics", args=[new])).status_code == 404


def test_home_lists_todays_events(client, personas):
    services.event_save(
        event=Event(title="بازدید امروز", start_time=datetime.time(9, 0)), by=personas.owner
    )
    client.force_login(personas.owner)
    html = client.get(reverse("core:home")).content.decode()
    assert "رویدادهای امروز" in html and "بازدید امروز" in html and "۰۹:۰۰" in html
