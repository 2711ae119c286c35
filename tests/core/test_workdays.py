import datetime

import pytest

from peyvand.core.dates import from_jalali, to_jalali
from peyvand.core.models import HolidayOverride, SiteSettings
from peyvand.core.workdays import add_working_days, is_working_day, working_days_between

pytestmark = pytest.mark.django_db


def set_weekend(*days: int) -> None:
    settings = SiteSettings.load()
    settings.weekend = list(days)
    settings.save()


def jalali(date: datetime.date) -> str:
    return to_jalali(date).strftime("%Y/%m/%d")


def test_five_working_days_after_25_esfand_1404_with_friday_weekend_is_6_farvardin():
    set_weekend(4)
    assert jalali(add_working_days(from_jalali(1404, 12, 25), 5)) == "1405/01/06"


def test_five_working_days_after_25_esfand_1404_with_thursday_and_friday_off_is_9_farvardin():
    set_weekend(3, 4)
    assert jalali(add_working_days(from_jalali(1404, 12, 25), 5)) == "1405/01/09"


def test_nowruz_and_fridays_are_not_working_days():
    set_weekend(4)
    assert not is_working_day(from_jalali(1405, 1, 1))  # Nowruz
    assert not is_working_day(datetime.date(2026, 11, 27))  # a Friday
    assert is_working_day(datetime.date(2026, 11, 28))  # a Saturday


def test_an_override_adds_a_company_holiday():
    day = datetime.date(2026, 11, 24)  # a Tuesday
    assert is_working_day(day)
    HolidayOverride.objects.create(date=day, is_holiday=True, note="تعطیلی شرکت")
    assert not is_working_day(day)


def test_an_override_makes_an_official_holiday_a_working_day():
    nowruz = from_jalali(1405, 1, 1)
    HolidayOverride.objects.create(date=nowruz, is_holiday=False, note="شیفت نوروزی")
    assert is_working_day(nowruz)


def test_zero_days_means_today_when_today_is_a_working_day_else_the_next_one():
    set_weekend(4)
    tuesday = datetime.date(2026, 11, 24)
    friday = datetime.date(2026, 11, 27)
    assert add_working_days(tuesday, 0) == tuesday
    assert add_working_days(friday, 0) == datetime.date(2026, 11, 28)


def test_one_working_day_after_a_thursday_skips_the_friday():
    set_weekend(4)
    assert add_working_days(datetime.date(2026, 11, 26), 1) == datetime.date(2026, 11, 28)


def test_it_counts_working_days_between_two_dates():
    set_weekend(4)
    saturday = datetime.date(2026, 11, 21)
    next_saturday = datetime.date(2026, 11, 28)
    assert working_days_between(saturday, next_saturday) == 6
    assert working_days_between(next_saturday, saturday) == 0


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(datetime.date(2026, 11, 24), -1)


def test_a_deadline_counts_the_days_after_a_day_off_consistently():
    set_weekend(4)
    friday = datetime.date(2026, 11, 27)
    saturday = datetime.date(2026, 11, 28)
    assert add_working_days(friday, 1) == saturday
    assert working_days_between(friday, add_working_days(friday, 1)) == 1
