"""In a real browser: the PBX reports a ringing call and the rep on that extension gets
the caller's card as a pop-up; the calendar's week view shows the Nowruz holidays."""

import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import expect

from peyvand.accounts.models import ApiToken
from peyvand.activities.models import Call, Task
from tests.e2e.bell import wait_for_the_first_bell_poll
from tests.factories import ContactFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def pbx_post(base_url: str, key: str, **fields) -> int:
    """What Asterisk's CURL() sends: a form-encoded POST, the token in the address."""
    request = urllib.request.Request(  # noqa: S310 - the live server on loopback
        f"{base_url}/api/v1/pbx/calls?token={key}",
        data=urllib.parse.urlencode(fields).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310
        return response.status


@pytest.mark.postgres  # the bell polls beside the page (see conftest on SQLite)
def test_a_ringing_call_pops_up_the_callers_card_and_a_missed_one_makes_a_task(
    page, live_server, log_in, manager, rep, settings, screenshots
):
    settings.NOTIFICATION_POLL_SECONDS = 1
    rep.extension = "102"
    rep.save()
    ContactFactory(owner=rep, name="علی کریمی", company="صنایع مهرگان", phones=["+989121234567"])
    _token, key = ApiToken.issue(manager)
    log_in(rep)
    wait_for_the_first_bell_poll(page)

    assert pbx_post(
        live_server.url, key, event="ring", call_id="1732.7", number="۰۹۱۲۱۲۳۴۵۶۷",
        extension="102",
    ) == 201  # fmt: skip
    toast = page.locator("#notification-toasts .toast", has_text="تماس ورودی: علی کریمی")
    expect(toast).to_be_visible()
    expect(toast).to_contain_text("صنایع مهرگان")
    page.screenshot(path=screenshots / "caller-id-toast.png")
    toast.get_by_role("link").click()
    expect(page.locator("#caller-card")).to_contain_text("علی کریمی")
    expect(page.locator("#caller-card")).to_contain_text("۰۹۱۲ ۱۲۳ ۴۵۶۷")
    page.screenshot(path=screenshots / "caller-card.png", full_page=True)

    # Nobody answered: the end report turns it into a call-back task on the home page.
    assert pbx_post(
        live_server.url, key, event="end", call_id="1732.7", number="09121234567",
        extension="102", duration="0", disposition="NOANSWER",
    ) == 200  # fmt: skip
    assert Call.objects.get().kind == "missed"
    assert Task.objects.get().assignee == rep
    page.goto("/")
    expect(page.get_by_text("تماس بی‌پاسخ از علی کریمی")).to_be_visible()


def test_the_week_view_shows_persian_months_saturday_first_and_nowruz(
    page, log_in, rep, screenshots
):
    log_in(rep)
    page.get_by_role("complementary").get_by_role("link", name="تقویم", exact=True).click()
    page.get_by_role("link", name="هفته", exact=True).click()
    page.goto(page.url.split("?")[0] + "?view=week&date=2026-03-23")
    days = page.locator(".cal-week section.card")
    expect(days).to_have_count(7)
    expect(days.first).to_have_attribute("aria-label", "شنبه ۱ فروردین")
    expect(days.last).to_have_attribute("aria-label", "جمعه ۷ فروردین")
    expect(page.locator("#calendar-title")).to_have_text("۱ فروردین ۱۴۰۵ تا ۷ فروردین ۱۴۰۵")
    expect(days.first.locator(".cal-holiday-name")).to_contain_text("نوروز")
    page.screenshot(path=screenshots / "calendar-nowruz-week.png", full_page=True)
    # The previous week is Esfand's last, Saturday first again.
    page.get_by_role("link", name="قبلی").click()
    expect(days.first).to_have_attribute("aria-label", "شنبه ۲۳ اسفند")
