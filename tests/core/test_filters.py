import datetime

import pytest
from django.template import Context, Template

from peyvand.core.display import DisplayPreferences, activate, deactivate


def render(source: str, preferences: DisplayPreferences, **context) -> str:
    token = activate(preferences)
    try:
        return Template(source).render(Context(context))
    finally:
        deactivate(token)


@pytest.mark.parametrize(
    ("preferences", "expected"),
    [
        (DisplayPreferences(), "۱۲٬۵۰۰٬۰۰۰ ریال"),
        (DisplayPreferences(money_unit="toman"), "۱٬۲۵۰٬۰۰۰ تومان"),
        (DisplayPreferences(digits="latin", money_unit="toman"), "1,250,000 تومان"),
    ],
)
def test_money_shows_in_the_installations_unit_and_the_users_digits(preferences, expected):
    assert render("{{ amount|fa_money }}", preferences, amount=12_500_000) == expected


def test_numbers_are_grouped_and_digits_are_not():
    preferences = DisplayPreferences()
    assert render("{{ n|fa_number }}", preferences, n=1405) == "۱٬۴۰۵"
    assert render("{{ n|fa_digits }}", preferences, n=1405) == "۱۴۰۵"
    assert render("{{ n|fa_digits }}", DisplayPreferences(digits="latin"), n=1405) == "1405"


def test_dates_follow_the_calendar_preference():
    day = datetime.date(2025, 3, 20)
    assert render("{{ d|fa_date }}", DisplayPreferences(), d=day) == "۱۴۰۳/۱۲/۳۰"
    assert render("{{ d|fa_date:'long' }}", DisplayPreferences(), d=day) == "۳۰ اسفند ۱۴۰۳"
    latin_gregorian = DisplayPreferences(calendar="gregorian", digits="latin")
    assert render("{{ d|fa_date }}", latin_gregorian, d=day) == "2025/03/20"


def test_phones_show_in_national_format():
    assert render("{{ p|fa_phone }}", DisplayPreferences(), p="+989123456789") == "۰۹۱۲ ۳۴۵ ۶۷۸۹"
