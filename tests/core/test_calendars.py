"""The three calendars for input as well as display (core.dates): parsing and formatting
round-trips over month and year edges, errors naming the calendar, shortcuts, the date
fields per calendar, periods, exports, and the site default (core.display)."""

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from hijridate import Hijri

from peyvand.accounts.roles import SALES
from peyvand.activities.models import Task
from peyvand.core import dates
from peyvand.core.display import DisplayPreferences, activate, deactivate
from peyvand.core.exports import Column, cells
from peyvand.core.models import SiteSettings
from peyvand.core.periods import period_range
from peyvand.core.text import to_latin_digits
from tests.factories import UserFactory

TEHRAN = ZoneInfo("Asia/Tehran")
A_SUNDAY = date(2026, 12, 6)  # 1405/09/15, 2026/12/06, 1448/06/26 (Umm al-Qura)


def _hijri(year: int, month: int, day: int) -> date:
    g = Hijri(year, month, day).to_gregorian()
    return date(g.year, g.month, g.day)


class Preferences:
    """The calendar a request would have, for code that reads core.display."""

    def __init__(self, calendar: str):
        self.preferences = DisplayPreferences(calendar=calendar)

    def __enter__(self):
        self.token = activate(self.preferences)

    def __exit__(self, *exc):
        deactivate(self.token)


# --- Parsing and formatting -------------------------------------------------------------


@pytest.mark.parametrize("calendar", dates.CALENDARS)
def test_every_day_of_four_years_reads_back_as_itself_in_every_calendar(calendar):
    # 2024–2027 crosses Jalali 1402→1406 (1403 leap), Hijri 1445→1449 (29- and 30-day
    # months), and the Gregorian leap day of 2024.
    day = date(2024, 1, 1)
    while day <= date(2027, 12, 31):
        for digits in ("fa", "latin"):
            assert dates.parse_date(dates.format_date(day, calendar, digits), calendar) == day
        assert dates.parse_date(dates.format_date(day, calendar, "fa", "long"), calendar) == day
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("calendar", "text", "expected"),
    [
        ("jalali", "۱۴۰۵/۰۹/۱۵", A_SUNDAY),
        ("gregorian", "۲۰۲۶/۱۲/۰۶", A_SUNDAY),
        ("gregorian", "2026-12-06", A_SUNDAY),
        ("hijri", "۱۴۴۸/۰۶/۲۶", A_SUNDAY),
        ("hijri", "١٤٤٨/٦/٢٦", A_SUNDAY),  # Arabic-Indic digits
        # Year edges.
        ("jalali", "۱۴۰۳/۱۲/۳۰", date(2025, 3, 20)),
        ("jalali", "۱۴۰۴/۰۱/۰۱", date(2025, 3, 21)),
        ("gregorian", "۲۰۲۶/۱۲/۳۱", date(2026, 12, 31)),
        ("gregorian", "۲۰۲۴/۰۲/۲۹", date(2024, 2, 29)),
        ("hijri", "۱۴۴۷/۱۲/۲۹", date(2026, 6, 15)),
        ("hijri", "۱۴۴۸/۰۱/۰۱", date(2026, 6, 16)),
        # Month names, as the long form shows them (and with Arabic letters, no ZWNJ).
        ("hijri", "۲۶ جمادی‌الثانی ۱۴۴۸ ق", A_SUNDAY),
        ("hijri", "26 جمادي الثاني 1448", A_SUNDAY),
        ("gregorian", "۶ دسامبر ۲۰۲۶", A_SUNDAY),
        ("jalali", "۱۵ آذر ۱۴۰۵", A_SUNDAY),
    ],
)
def test_a_typed_date_is_read_in_its_calendar(calendar, text, expected):
    assert dates.parse_date(text, calendar) == expected


def test_the_same_day_reads_in_each_calendar():
    assert [dates.format_date(A_SUNDAY, c) for c in dates.CALENDARS] == [
        "۱۴۰۵/۰۹/۱۵",
        "۲۰۲۶/۱۲/۰۶",
        "۱۴۴۸/۰۶/۲۶",
    ]
    assert dates.format_date(A_SUNDAY, "hijri", style="long") == "۲۶ جمادی\u200cالثانی ۱۴۴۸ ق"


def test_hijri_months_have_the_umm_al_qura_lengths():
    assert dates.days_in_month(1448, 6, "hijri") == 29
    assert dates.days_in_month(1448, 5, "hijri") == 30
    assert dates.month_bounds(A_SUNDAY, "hijri") == (_hijri(1448, 6, 1), _hijri(1448, 6, 29))
    assert dates.month_bounds(A_SUNDAY, "gregorian") == (date(2026, 12, 1), date(2026, 12, 31))
    assert dates.month_bounds(A_SUNDAY, "jalali") == (date(2026, 11, 22), date(2026, 12, 21))
    assert type(dates.from_calendar(1448, 6, 26, "hijri")) is date


@pytest.mark.parametrize(
    ("calendar", "text", "message"),
    [
        (
            "hijri",
            "۱۴۴۸/۰۶/۳۰",
            "تاریخ قمری ۱۴۴۸/۰۶/۳۰ وجود ندارد: جمادی\u200cالثانی ۱۴۴۸، ۲۹ روز دارد.",
        ),
        ("gregorian", "۲۰۲۶/۰۲/۲۹", "تاریخ میلادی ۲۰۲۶/۰۲/۲۹ وجود ندارد: فوریه ۲۰۲۶، ۲۸ روز دارد."),
        # A Jalali year typed by habit under the Gregorian calendar.
        ("gregorian", "۱۴۰۵/۰۹/۱۵", "سال میلادی باید بین ۱۹۲۱ و ۲۱۲۱ باشد."),
        ("hijri", "۱۵۰۱/۰۱/۰۱", "سال قمری باید بین ۱۳۴۳ و ۱۵۰۰ باشد."),
        (
            "hijri",
            "دیروز صبح",
            "تاریخ قمری را به شکل ۱۴۴۵/۰۹/۲۴ بنویسید؛ «امروز»، «فردا»، «دیروز» یا «+۳» "
            "(سه روز کاری بعد) هم پذیرفته است.",
        ),
        ("gregorian", "12/06/2026", "تاریخ میلادی را به شکل ۲۰۲۴/۰۴/۰۳ بنویسید؛"),
        ("jalali", "۳۱ اسفند ۱۴۰۴", "تاریخ ۱۴۰۴/۱۲/۳۱ وجود ندارد: اسفند ۱۴۰۴، ۲۹ روز دارد."),
    ],
)
def test_a_wrong_date_is_refused_in_persian_naming_the_calendar(calendar, text, message):
    with pytest.raises(ValidationError) as caught:
        dates.parse_date(text, calendar)
    assert caught.value.message.startswith(message)


@pytest.mark.parametrize("calendar", dates.CALENDARS)
def test_the_day_words_are_read_in_every_calendar(calendar):
    assert dates.parse_date("امروز", calendar, today=A_SUNDAY) == A_SUNDAY
    assert dates.parse_date(" فردا ", calendar, today=A_SUNDAY) == date(2026, 12, 7)
    assert dates.parse_date("ديروز", calendar, today=A_SUNDAY) == date(2026, 12, 5)
    assert dates.parse_date("پس‌فردا", calendar, today=A_SUNDAY) == date(2026, 12, 8)
    moment = dates.parse_datetime("فردا ۹:۳۰", calendar, today=A_SUNDAY)
    assert moment == datetime(2026, 12, 7, 9, 30, tzinfo=TEHRAN)


@pytest.mark.django_db
@pytest.mark.parametrize("calendar", dates.CALENDARS)
def test_plus_n_is_working_days_in_every_calendar(calendar):
    SiteSettings.load()  # the weekend: Friday
    wednesday = date(2026, 12, 9)
    # Thursday is a working day, Friday is not: +2 from Wednesday is Saturday.
    assert dates.parse_date("+۲", calendar, today=wednesday) == date(2026, 12, 12)
    assert dates.parse_date("۲+", calendar, today=wednesday) == date(2026, 12, 12)


def test_a_datetime_is_read_in_its_calendar():
    expected = datetime(2026, 12, 6, 14, 5, tzinfo=TEHRAN)
    assert dates.parse_datetime("۱۴۴۸/۰۶/۲۶ ۱۴:۰۵", "hijri") == expected
    assert dates.parse_datetime("2026-12-06T14:05", "gregorian") == expected
    with pytest.raises(ValidationError) as caught:
        dates.parse_datetime("فردا", "hijri")
    assert caught.value.message.startswith("تاریخ قمری و ساعت را به شکل ۱۴۴۵/۰۹/۲۴ ۰۹:۳۰")


# --- Form fields --------------------------------------------------------------------


class TaskLikeForm(forms.Form):
    day = dates.JalaliDateField()
    at = dates.JalaliDateTimeField(required=False)


@pytest.mark.parametrize(
    ("calendar", "typed", "shown", "placeholder"),
    [
        ("jalali", "۱۴۰۵/۰۹/۱۵", "1405/09/15", "۱۴۰۳/۰۱/۱۵"),
        ("gregorian", "۲۰۲۶/۱۲/۰۶", "2026/12/06", "۲۰۲۴/۰۴/۰۳"),
        ("hijri", "۱۴۴۸/۰۶/۲۶", "1448/06/26", "۱۴۴۵/۰۹/۲۴"),
    ],
)
def test_the_date_fields_read_and_show_the_users_calendar(calendar, typed, shown, placeholder):
    with Preferences(calendar):
        form = TaskLikeForm(data={"day": typed, "at": f"{typed} ۰۸:۱۵"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == A_SUNDAY
        assert form.cleaned_data["at"] == datetime(2026, 12, 6, 8, 15, tzinfo=TEHRAN)

        html = str(TaskLikeForm(initial={"day": A_SUNDAY})["day"])
        assert f'value="{shown}"' in html
        assert f'placeholder="{placeholder}"' in html
        assert f'data-calendar="{calendar}"' in html

        refused = TaskLikeForm(data={"day": "۳۱/۱۲/۲۰۲۶"})
        assert not refused.is_valid()
        assert dates.CALENDAR_NAMES[calendar] in refused.errors["day"][0]
        assert placeholder in refused.errors["day"][0]


def test_a_field_can_keep_one_calendar_whatever_the_user_reads():
    field = dates.JalaliDateField(calendar="jalali")
    with Preferences("hijri"):
        assert field.clean("۱۴۰۵/۰۹/۱۵") == A_SUNDAY
        assert field.prepare_value(A_SUNDAY) == "1405/09/15"


def test_the_working_day_field_says_plus_three_in_the_users_calendar():
    from peyvand.core.forms import WorkingDayDateField

    class FollowUp(forms.Form):
        next_date = WorkingDayDateField(required=False)

    with Preferences("gregorian"):
        assert 'placeholder="+۳ یا ۲۰۲۴/۰۴/۰۳"' in str(FollowUp()["next_date"])


# --- Periods and exports ------------------------------------------------------------


def test_this_month_and_this_year_are_the_users_calendars_and_the_fiscal_year_jalali():
    hijri, gregorian = "hijri", "gregorian"
    assert period_range("this_month", A_SUNDAY, hijri) == (_hijri(1448, 6, 1), _hijri(1448, 6, 29))
    assert period_range("last_month", A_SUNDAY, hijri) == (_hijri(1448, 5, 1), _hijri(1448, 5, 30))
    assert period_range("this_year", A_SUNDAY, gregorian) == (date(2026, 1, 1), date(2026, 12, 31))
    last_of_1448 = _hijri(1449, 1, 1) - timedelta(days=1)
    assert period_range("this_year", A_SUNDAY, "hijri") == (date(2026, 6, 16), last_of_1448)
    fiscal = (date(2026, 3, 21), date(2027, 3, 20))
    for calendar in dates.CALENDARS:
        assert period_range("fiscal_year", A_SUNDAY, calendar) == fiscal
    assert period_range("this_year", A_SUNDAY) == fiscal  # Jalali by default


def test_an_exported_date_is_text_in_the_users_calendar_beside_a_real_date():
    columns = [Column("تاریخ", lambda row: row, kind="date")]
    assert cells(columns, A_SUNDAY, "hijri") == ["1448/06/26", A_SUNDAY]
    assert cells(columns, A_SUNDAY) == ["1405/09/15", A_SUNDAY]


# --- Through the pages ------------------------------------------------------------


@pytest.mark.django_db
def test_a_user_on_the_site_default_follows_the_managers_choice(client):
    site = SiteSettings.load()
    site.calendar = "hijri"
    site.save()
    follower = UserFactory(calendar="default", role=SALES)
    jalali = UserFactory(calendar="jalali", role=SALES)
    url = reverse("activities:calendar") + "?view=month&date=2026-12-06"

    client.force_login(follower)
    page = client.get(url).content.decode()
    assert "جمادی\u200cالثانی ۱۴۴۸ ق" in page
    assert 'data-calendar="hijri"' in page

    client.force_login(jalali)
    page = client.get(url).content.decode()
    assert "آذر ۱۴۰۵" in page
    assert 'data-calendar="jalali"' in page


@pytest.mark.django_db
def test_new_users_follow_the_site_default():
    assert UserFactory().calendar == "default"


@pytest.mark.django_db
def test_a_manager_sets_the_site_calendar(client, personas):
    client.force_login(personas.manager)
    page = client.get(reverse("core:site_settings")).content.decode()
    assert 'name="calendar"' in page and "قمری" in page


@pytest.mark.django_db
def test_the_preferences_offer_the_site_default_naming_it(client, personas):
    client.force_login(personas.owner)
    page = client.get(reverse("accounts:preferences")).content.decode()
    assert "پیش\u200cفرض سازمان (شمسی)" in page


@pytest.mark.django_db
def test_a_hijri_user_creates_a_task_with_a_hijri_date_and_filters_by_it(client, personas):
    user = personas.owner
    user.calendar = "hijri"
    user.save()
    client.force_login(user)
    response = client.post(
        reverse("activities:task_create"),
        {"description": "پیگیری قرارداد", "date": "۱۴۴۸/۰۶/۲۶", "assignee": user.pk},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    task = Task.objects.get(description="پیگیری قرارداد")
    assert task.date == A_SUNDAY

    listed = client.get(
        reverse("activities:task_list"),
        {"date_from": "۱۴۴۸/۰۶/۲۶", "date_to": "۲۶ جمادی‌الثانی ۱۴۴۸"},
    ).content.decode()
    assert "پیگیری قرارداد" in listed
    assert "تاریخ درستی نیست" not in listed
    # Shown back in the user's calendar, in the filter's inputs.
    assert 'value="1448/06/26"' in to_latin_digits(listed)


def test_the_pickers_hijri_table_is_the_servers():
    # The browser's picker reads its Hijri months from this generated file.
    script = Path(settings.BASE_DIR, "static", "peyvand", "js", "hijri-months.js")
    assert script.read_text(encoding="utf-8") == dates.hijri_months_script()


@pytest.mark.django_db
def test_the_api_names_the_resolved_calendar_and_keeps_iso_dates(client, personas):
    from tests.api.test_api import token_for

    site = SiteSettings.load()
    site.calendar = "hijri"
    site.save()
    user = personas.owner
    user.calendar = "default"
    user.save()
    Task.objects.create(description="تماس پیگیری", date=A_SUNDAY, assignee=user, owner=user)
    headers = {"Authorization": f"Bearer {token_for(client, user.username)}"}

    assert client.get("/api/v1/me", headers=headers).json()["calendar"] == "hijri"
    found = client.get(
        "/api/v1/tasks", {"date_from": "2026-12-06", "date_to": "2026-12-06"}, headers=headers
    ).json()
    assert [task["description"] for task in found["items"]] == ["تماس پیگیری"]
    assert found["items"][0]["date"] == "2026-12-06"
