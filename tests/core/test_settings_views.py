import datetime

import pytest
from django.urls import reverse

from peyvand.core.models import HolidayOverride, Sequence, SiteSettings

pytestmark = pytest.mark.django_db


def test_a_manager_adds_a_company_holiday_with_a_jalali_date(client, personas):
    client.force_login(personas.manager)
    response = client.post(
        reverse("core:holidays"),
        {"date": "۱۴۰۵/۰۹/۱۰", "is_holiday": "True", "note": "تعمیرات دفتر"},
    )
    assert response.status_code == 302
    override = HolidayOverride.objects.get()
    assert override.date == datetime.date(2026, 12, 1)
    assert override.is_holiday


def test_a_bad_holiday_date_keeps_the_form_and_explains(client, personas):
    client.force_login(personas.manager)
    response = client.post(
        reverse("core:holidays"), {"date": "۱۴۰۴/۱۲/۳۰", "is_holiday": "True", "note": "اشتباه"}
    )
    page = response.content.decode()
    assert "وجود ندارد" in page and 'value="اشتباه"' in page
    assert not HolidayOverride.objects.exists()


def test_the_calendar_page_lists_the_official_holidays_of_a_jalali_year(client, personas):
    client.force_login(personas.manager)
    page = client.get(reverse("core:holidays"), {"year": "1405"}).content.decode()
    assert "۱ فروردین ۱۴۰۵" in page
    assert "نوروز" in page or "عید" in page


def test_a_manager_sets_thursday_and_friday_as_the_weekend(client, personas):
    client.force_login(personas.manager)
    client.post(
        reverse("core:site_settings"),
        {
            "company_name": "شرکت نمونه",
            "weekend": ["3", "4"],
            "money_unit": "toman",
            "notification_poll_seconds": "20",
        },
    )
    settings = SiteSettings.load()
    assert settings.weekend == [3, 4]
    assert settings.money_unit == "toman"


def test_a_sequence_pattern_must_contain_the_number(client, personas):
    sequence = Sequence.objects.create(kind="t", name="آزمایش")
    client.force_login(personas.manager)
    response = client.post(
        reverse("core:sequence_edit", args=[sequence.pk]),
        {"name": "آزمایش", "pattern": "REQ-{سال}", "padding": "5", "yearly": "on"},
    )
    assert "{شماره}" in response.content.decode()
    sequence.refresh_from_db()
    assert sequence.pattern == "{سال}{شماره}"


@pytest.mark.parametrize("pattern", ["REQ {سال}{شماره}", "R.{شماره}", "R{شماره}#"])
def test_a_sequence_pattern_makes_only_codes_a_customer_can_type_back(client, personas, pattern):
    """Its codes follow the rule of typed codes: letters, digits and - / _ (issue 21)."""
    sequence = Sequence.objects.create(kind="t", name="آزمایش", last_number=4)
    client.force_login(personas.manager)
    data = {"name": "آزمایش", "padding": "5", "last_number": "4"}
    refused = client.post(
        reverse("core:sequence_edit", args=[sequence.pk]), data | {"pattern": pattern}
    )
    assert "کد فقط می‌تواند حرف، رقم و نشانه‌های - و / و _ داشته باشد" in refused.content.decode()
    kept = client.post(
        reverse("core:sequence_edit", args=[sequence.pk]), data | {"pattern": "ر-۱/{شماره}_x"}
    )
    assert kept.status_code == 302
    sequence.refresh_from_db()
    assert sequence.pattern == "ر-1/{شماره}_x"


@pytest.mark.parametrize("year", ["abc", "99999", "1200"])
def test_a_bad_year_shows_the_current_year(client, personas, year):
    client.force_login(personas.manager)
    assert client.get(reverse("core:holidays"), {"year": year}).status_code == 200


def test_the_leap_year_1403_ends_on_30_esfand(client, personas):
    client.force_login(personas.manager)
    page = client.get(reverse("core:holidays"), {"year": "1403"}).content.decode()
    assert "۳۰ اسفند ۱۴۰۳" in page  # 30 Esfand is an official holiday in leap years


def test_the_year_in_the_heading_is_not_grouped_like_a_number(client, personas):
    client.force_login(personas.manager)
    page = client.get(reverse("core:holidays"), {"year": "1405"}).content.decode()
    assert "تقویم کاری سال ۱۴۰۵" in page
