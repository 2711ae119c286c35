"""peyvand.core.dates: Jalali conversion, parsing of typed dates, display in three
calendars and the Jalali form fields. Reference values come from DOMAIN.md, "Calendars"."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import django
import jdatetime
import pytest
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from peyvand.core import dates
from peyvand.core.digits import localize_html

# These tests need no database; they also run without the project (pytest -p no:django).
if not settings.configured:
    settings.configure(USE_TZ=True, TIME_ZONE="Asia/Tehran", USE_I18N=False)
    django.setup()

TEHRAN = ZoneInfo("Asia/Tehran")

# (Jalali y, m, d, Gregorian) from DOMAIN.md.
REFERENCE_CONVERSIONS = [
    (1399, 12, 30, date(2021, 3, 20)),
    (1400, 1, 1, date(2021, 3, 21)),
    (1403, 1, 1, date(2024, 3, 20)),
    (1403, 12, 30, date(2025, 3, 20)),
    (1404, 1, 1, date(2025, 3, 21)),
    (1405, 1, 1, date(2026, 3, 21)),
    (1406, 1, 1, date(2027, 3, 21)),
    (1408, 12, 30, date(2030, 3, 20)),
    (1402, 12, 10, date(2024, 2, 29)),
    (1348, 10, 11, date(1970, 1, 1)),
]
LEAP_YEARS_1395_1436 = {1395, 1399, 1403, 1408, 1412, 1416, 1420, 1424, 1428, 1432, 1436}

THURSDAY_END_OF_1403 = date(2025, 3, 20)  # 1403/12/30, 1446/09/20 (Umm al-Qura)


def error_of(call, *args) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        call(*args)
    return caught.value


# --- conversion ------------------------------------------------------------------------


@pytest.mark.parametrize(("year", "month", "day", "gregorian"), REFERENCE_CONVERSIONS)
def test_it_converts_the_reference_jalali_dates_to_gregorian(year, month, day, gregorian):
    assert dates.from_jalali(year, month, day) == gregorian


@pytest.mark.parametrize(("year", "month", "day", "gregorian"), REFERENCE_CONVERSIONS)
def test_it_converts_the_reference_gregorian_dates_to_jalali(year, month, day, gregorian):
    jalali = dates.to_jalali(gregorian)
    assert (jalali.year, jalali.month, jalali.day) == (year, month, day)


@pytest.mark.parametrize(("year", "month", "day", "gregorian"), REFERENCE_CONVERSIONS)
def test_it_parses_and_formats_the_reference_dates_both_ways(year, month, day, gregorian):
    typed = f"{year:04d}/{month:02d}/{day:02d}"
    assert dates.parse_jalali_date(typed) == gregorian
    assert dates.format_date(gregorian, digits="latin") == typed


@pytest.mark.parametrize("year", range(1395, 1437))
def test_esfand_has_30_days_exactly_in_the_listed_leap_years(year):
    nowruz = dates.from_jalali(year + 1, 1, 1)
    if year in LEAP_YEARS_1395_1436:
        assert dates.from_jalali(year, 12, 30) + timedelta(days=1) == nowruz
    else:
        assert dates.from_jalali(year, 12, 29) + timedelta(days=1) == nowruz
        error = error_of(dates.from_jalali, year, 12, 30)
        assert error.code == "invalid_day"
        assert "۲۹ روز" in error.message


def test_to_jalali_returns_a_jdatetime_date():
    assert dates.to_jalali(date(2025, 3, 21)) == jdatetime.date(1404, 1, 1)


def test_jalali_today_is_the_tehran_date_not_the_utc_date(monkeypatch):
    # 21:00 UTC on 20 March 2025 is 00:30 on 1 Farvardin 1404 in Tehran.
    monkeypatch.setattr(timezone, "now", lambda: datetime(2025, 3, 20, 21, 0, tzinfo=UTC))
    assert dates.jalali_today() == jdatetime.date(1404, 1, 1)


# --- parsing dates ---------------------------------------------------------------------


def test_it_parses_persian_digits():
    assert dates.parse_jalali_date("۱۴۰۳/۱۲/۳۰") == date(2025, 3, 20)


def test_it_parses_arabic_indic_digits_with_dashes():
    assert dates.parse_jalali_date("١٤٠٣-١٢-٣٠") == date(2025, 3, 20)


def test_it_parses_dots_and_missing_zero_padding():
    assert dates.parse_jalali_date("1403.1.5") == date(2024, 3, 24)
    assert dates.parse_jalali_date("1403/1/5") == date(2024, 3, 24)


def test_it_accepts_the_arabic_decimal_separator_some_keyboards_type_for_a_dot():
    assert dates.parse_jalali_date("۱۴۰۳٫۱۲٫۳۰") == date(2025, 3, 20)


def test_it_ignores_surrounding_whitespace_and_invisible_bidi_marks():
    assert dates.parse_jalali_date("  \u200f۱۴۰۳/۱۲/۳۰\u200e\n") == date(2025, 3, 20)


def test_it_explains_that_1404_12_30_does_not_exist_and_how_long_esfand_is():
    error = error_of(dates.parse_jalali_date, "۱۴۰۴/۱۲/۳۰")
    assert error.code == "invalid_day"
    assert "۲۹" in error.message
    assert error.message == "تاریخ ۱۴۰۴/۱۲/۳۰ وجود ندارد: اسفند ۱۴۰۴، ۲۹ روز دارد."


def test_it_rejects_a_day_past_the_end_of_a_31_day_month():
    error = error_of(dates.parse_jalali_date, "1403/01/32")
    assert error.code == "invalid_day"
    assert "۳۱ روز" in error.message


@pytest.mark.parametrize("typed", ["1299/12/29", "1501/01/01", "99999/01/01", "140/01/01"])
def test_it_rejects_years_outside_1300_to_1500(typed):
    error = error_of(dates.parse_jalali_date, typed)
    assert error.code == "year_range"
    assert error.message == "سال باید بین ۱۳۰۰ و ۱۵۰۰ باشد."


def test_it_accepts_the_edges_of_the_year_range():
    assert dates.parse_jalali_date("1300/01/01") == jdatetime.date(1300, 1, 1).togregorian()
    assert dates.parse_jalali_date("1500/12/29") == jdatetime.date(1500, 12, 29).togregorian()


@pytest.mark.parametrize("typed", ["1403/13/01", "1403/00/10"])
def test_it_rejects_a_month_outside_1_to_12(typed):
    error = error_of(dates.parse_jalali_date, typed)
    assert error.code == "invalid_month"
    assert error.message == "ماه باید بین ۱ و ۱۲ باشد."


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "abc", "1403/12", "30/12/1403", "1403/12-30", "1403/12/30/1", "۱۴۰۳/۱۲/۳۰ ب"],
)
def test_it_rejects_malformed_dates_with_an_example_of_the_format(typed):
    error = error_of(dates.parse_jalali_date, typed)
    assert error.code == "invalid_format"
    assert error.message == "تاریخ را به شکل ۱۴۰۳/۰۱/۱۵ وارد کنید."


def test_error_messages_show_numbers_in_persian_digits():
    for typed in ["1404/12/30", "1403/13/01", "1200/01/01", "x"]:
        message = error_of(dates.parse_jalali_date, typed).message
        assert not any(char.isascii() and char.isdigit() for char in message), message


# --- parsing date and time -------------------------------------------------------------


def test_it_parses_a_jalali_datetime_as_tehran_time():
    parsed = dates.parse_jalali_datetime("1403/12/30 14:30")
    assert parsed == datetime(2025, 3, 20, 14, 30, tzinfo=TEHRAN)
    assert parsed.tzinfo.key == "Asia/Tehran"
    assert parsed.astimezone(UTC) == datetime(2025, 3, 20, 11, 0, tzinfo=UTC)


def test_it_parses_a_datetime_in_persian_digits_with_seconds():
    parsed = dates.parse_jalali_datetime("۱۴۰۴/۰۱/۰۱ ۰۹:۰۵:۰۷")
    assert parsed == datetime(2025, 3, 21, 9, 5, 7, tzinfo=TEHRAN)


def test_a_datetime_without_a_time_is_a_format_error():
    error = error_of(dates.parse_jalali_datetime, "1403/12/30")
    assert error.code == "invalid_format"
    assert "۰۹:۳۰" in error.message


@pytest.mark.parametrize("typed", ["1403/12/30 24:00", "1403/12/30 14:60", "1403/12/30 9:30:61"])
def test_it_rejects_an_impossible_time(typed):
    error = error_of(dates.parse_jalali_datetime, typed)
    assert error.code == "invalid_time"


def test_a_datetime_on_a_missing_day_reports_the_day():
    assert error_of(dates.parse_jalali_datetime, "1404/12/30 10:00").code == "invalid_day"


# --- formatting --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("calendar", "style", "persian", "latin"),
    [
        ("jalali", "short", "۱۴۰۳/۱۲/۳۰", "1403/12/30"),
        ("jalali", "long", "۳۰ اسفند ۱۴۰۳", "30 اسفند 1403"),
        ("jalali", "full", "پنجشنبه ۳۰ اسفند ۱۴۰۳", "پنجشنبه 30 اسفند 1403"),
        ("gregorian", "short", "۲۰۲۵/۰۳/۲۰", "2025/03/20"),
        ("gregorian", "long", "۲۰ مارس ۲۰۲۵", "20 مارس 2025"),
        ("gregorian", "full", "پنجشنبه ۲۰ مارس ۲۰۲۵", "پنجشنبه 20 مارس 2025"),
        ("hijri", "short", "۱۴۴۶/۰۹/۲۰", "1446/09/20"),
        ("hijri", "long", "۲۰ رمضان ۱۴۴۶ ق", "20 رمضان 1446 ق"),
        ("hijri", "full", "پنجشنبه ۲۰ رمضان ۱۴۴۶ ق", "پنجشنبه 20 رمضان 1446 ق"),
    ],
)
def test_it_formats_a_date_in_every_calendar_style_and_digit_mode(calendar, style, persian, latin):
    day = THURSDAY_END_OF_1403
    assert dates.format_date(day, calendar=calendar, digits="fa", style=style) == persian
    assert dates.format_date(day, calendar=calendar, digits="latin", style=style) == latin


def test_short_dates_are_zero_padded_and_long_dates_are_not():
    day = date(2024, 3, 24)
    assert dates.format_date(day) == "۱۴۰۳/۰۱/۰۵"
    assert dates.format_date(day, style="long") == "۵ فروردین ۱۴۰۳"


def test_the_full_style_names_the_right_weekday_around_nowruz():
    assert dates.format_date(date(2025, 3, 21), style="full") == "جمعه ۱ فروردین ۱۴۰۴"
    assert dates.format_date(date(2025, 3, 22), style="full") == "شنبه ۲ فروردین ۱۴۰۴"
    assert dates.format_date(date(2025, 3, 25), style="full") == "سه\u200cشنبه ۵ فروردین ۱۴۰۴"


def test_hijri_month_names_keep_their_zero_width_non_joiner():
    # 2024-09-05 is 2 Rabi al-Awwal 1446 in Umm al-Qura.
    assert dates.format_date(date(2024, 9, 5), "hijri", "latin", "long") == (
        "2 ربیع\u200cالاول 1446 ق"
    )


@pytest.mark.parametrize("day", [date(1900, 1, 1), date(2100, 1, 1)])
def test_hijri_outside_the_umm_al_qura_table_falls_back_to_jalali(day):
    for style in dates.STYLES:
        assert dates.format_date(day, "hijri", style=style) == dates.format_date(
            day, "jalali", style=style
        )
        assert "ق" not in dates.format_date(day, "hijri", style=style)


def test_an_aware_utc_datetime_is_shown_on_its_tehran_date():
    # Tehran is UTC+03:30, so 21:00 UTC on 20 March is already 1 Farvardin 1404.
    moment = datetime(2025, 3, 20, 21, 0, tzinfo=UTC)
    assert dates.format_date(moment) == "۱۴۰۴/۰۱/۰۱"
    assert dates.format_datetime(moment) == "۱۴۰۴/۰۱/۰۱ ۰۰:۳۰"
    assert dates.format_date(datetime(2025, 3, 20, 20, 29, tzinfo=UTC)) == "۱۴۰۳/۱۲/۳۰"


def test_it_formats_times_and_datetimes():
    assert dates.format_time(time(9, 5)) == "۰۹:۰۵"
    assert dates.format_time(time(9, 5), digits="latin") == "09:05"
    moment = datetime(2025, 3, 20, 11, 0, tzinfo=UTC)
    assert dates.format_time(moment) == "۱۴:۳۰"
    assert dates.format_datetime(moment, digits="latin") == "1403/12/30 14:30"
    assert dates.format_datetime(moment, calendar="gregorian") == "۲۰۲۵/۰۳/۲۰ ۱۴:۳۰"


def test_nothing_formats_as_an_empty_string():
    assert dates.format_date(None) == ""
    assert dates.format_time(None) == ""
    assert dates.format_datetime(None) == ""


def test_an_unknown_calendar_or_digit_mode_is_a_programming_error():
    with pytest.raises(ValueError, match="calendar"):
        dates.format_date(THURSDAY_END_OF_1403, calendar="julian")
    with pytest.raises(ValueError, match="digits"):
        dates.format_date(THURSDAY_END_OF_1403, digits="roman")


def test_the_name_lists_are_complete_and_start_where_iranians_start():
    assert len(dates.JALALI_MONTHS) == len(dates.GREGORIAN_MONTHS) == 12
    assert len(dates.HIJRI_MONTHS) == 12
    assert dates.JALALI_MONTHS[0] == "فروردین"
    assert dates.JALALI_MONTHS[-1] == "اسفند"
    assert dates.WEEKDAYS[0] == "شنبه"
    assert dates.WEEKDAYS[-1] == "جمعه"
    assert dates.WEEKDAYS[3] == "سه\u200cشنبه"


# --- form fields -------------------------------------------------------------------------


class MeetingForm(forms.Form):
    day = dates.JalaliDateField()
    starts_at = dates.JalaliDateTimeField(required=False)


def test_the_date_field_cleans_persian_digits_to_a_gregorian_date():
    assert dates.JalaliDateField().clean("۱۴۰۳/۱۲/۳۰") == date(2025, 3, 20)


def test_the_date_field_rejects_an_invalid_date():
    with pytest.raises(ValidationError) as caught:
        dates.JalaliDateField().clean("1404/12/30")
    assert caught.value.code == "invalid_day"


def test_the_date_field_treats_blank_as_empty():
    assert dates.JalaliDateField(required=False).clean("  ") is None
    with pytest.raises(ValidationError) as caught:
        dates.JalaliDateField().clean("")
    assert caught.value.code == "required"


def test_a_bound_form_with_an_invalid_date_shows_exactly_what_was_typed():
    form = MeetingForm(data={"day": "۱۴۰۳/۱۳/۰۱", "starts_at": "۱۴۰۳/۱۲/۳۰ ۲۵:۰۰"})
    assert not form.is_valid()
    assert form.errors["day"] == ["ماه باید بین ۱ و ۱۲ باشد."]
    assert form.errors["starts_at"] == ["ساعت باید بین ۰۰:۰۰ و ۲۳:۵۹ باشد."]
    # Kept in the Latin digits every form stores; the page shows them Persian (core.digits).
    assert 'value="۱۴۰۳/۱۳/۰۱"' in localize_html(str(form["day"]))
    assert 'value="۱۴۰۳/۱۲/۳۰ ۲۵:۰۰"' in localize_html(str(form["starts_at"]))


def test_an_unbound_form_shows_dates_in_latin_jalali_for_the_picker():
    moment = datetime(2025, 3, 20, 21, 0, tzinfo=UTC)
    form = MeetingForm(initial={"day": date(2025, 3, 20), "starts_at": moment})
    assert 'value="1403/12/30"' in str(form["day"])
    assert 'value="1404/01/01 00:30"' in str(form["starts_at"])


def test_the_date_input_carries_the_picker_attributes():
    html = str(MeetingForm()["day"])
    for attribute in [
        "data-jdp",
        "data-jdp-only-date",
        'autocomplete="off"',
        'dir="ltr"',
        'data-calendar="jalali"',
        'placeholder="۱۴۰۳/۰۱/۱۵"',
    ]:
        assert attribute in html


def test_the_datetime_input_lets_the_picker_show_the_time():
    html = str(MeetingForm()["starts_at"])
    assert "data-jdp" in html
    assert "data-jdp-only-date" not in html
    assert 'placeholder="۱۴۰۳/۰۱/۱۵ ۰۹:۳۰"' in html


def test_attributes_given_on_a_custom_widget_win():
    field = dates.JalaliDateField(widget=forms.TextInput(attrs={"placeholder": "تاریخ تولد"}))
    assert field.widget.attrs["placeholder"] == "تاریخ تولد"
    assert field.widget.attrs["dir"] == "ltr"


def test_the_datetime_field_cleans_to_an_aware_tehran_datetime():
    cleaned = dates.JalaliDateTimeField().clean("۱۴۰۳/۱۲/۳۰ ۱۴:۳۰")
    assert cleaned == datetime(2025, 3, 20, 11, 0, tzinfo=UTC)
    assert cleaned.utcoffset().total_seconds() == 3.5 * 3600


def test_the_datetime_field_ignores_seconds_the_input_cannot_show():
    field = dates.JalaliDateTimeField()
    initial = datetime(2025, 3, 20, 11, 0, 42, tzinfo=UTC)
    assert not field.has_changed(initial, "1403/12/30 14:30")
    assert not field.has_changed(initial, "1403/12/30 14:30:00")  # what the picker writes
    assert field.has_changed(initial, "1403/12/30 14:31")
    assert field.has_changed(None, "1403/12/30 14:30")
    assert field.has_changed(initial, "نامعتبر")
