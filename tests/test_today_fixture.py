"""tests/conftest.py gives a module's TODAY the day its test starts on: a date taken
when the module was imported goes stale when the run crosses Tehran's midnight."""

import datetime

from django.utils import timezone

TODAY = datetime.date(2000, 1, 1)  # as if imported long before the test ran


def test_a_modules_today_is_the_day_the_test_starts_on():
    assert timezone.localdate() == TODAY
