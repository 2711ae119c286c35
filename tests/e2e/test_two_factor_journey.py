"""Two-factor sign-in in a real browser: a manager, for whom it is required, is led from
the password to setting up an authenticator (QR code, the secret to type, a first code,
ten recovery codes shown once), then signs in again with a code from the app."""

import re
import time
from base64 import b32decode

import pytest
import time_machine
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

STEP = 30  # seconds: an authenticator code's time step


def app_code(key: bytes, steps_ahead: int = 0) -> str:
    """What an authenticator app holding ``key`` shows (``steps_ahead`` × 30 s later:
    the server accepts one step either side)."""
    return f"{totp(key, drift=steps_ahead):06d}"


@pytest.fixture
def fresh_time_step():
    """The clock (of the test and of the live server, one process) set just past the
    start of a 30-second step, then running: no step ends while a code computed here
    is on its way to the server. (A code that reaches the server a step late is still
    accepted, but then the device records a drift of -1 and refuses the next step's
    code this journey signs in with: a flaky test, found by CI.)"""
    now = time.time()
    with time_machine.travel(now - now % STEP + STEP + 0.5, tick=True):
        yield


def test_a_manager_sets_up_two_factor_and_signs_in_with_a_code(
    page, live_server, manager, screenshots, settings, fresh_time_step
):
    settings.TWO_FACTOR_REQUIRED_FOR_MANAGERS = True
    page.goto("/accounts/login/?next=/contacts/")
    page.locator("#id_username").fill(manager.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()

    # Not logged in yet: the setup page, without the app's menu.
    expect(page).to_have_url(f"{live_server.url}/accounts/two-factor/setup/")
    expect(page.locator("#sidebar")).to_have_count(0)
    expect(page.get_by_text("برای مدیران ورود دومرحله‌ای الزامی است")).to_be_visible()
    qr = page.locator("#two-factor-qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 150 and box["height"] >= 150, box
    secret = page.locator("#two-factor-secret").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", secret), secret
    page.screenshot(path=screenshots / "two-factor-setup.png", full_page=True)
    key = b32decode(secret.replace(" ", ""))

    # A mistyped code first, then the app's code.
    page.locator("#id_code").fill("12345")
    page.get_by_role("button", name="تأیید و فعال کردن").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("کد درست نیست")
    page.locator("#id_code").fill(app_code(key))
    page.get_by_role("button", name="تأیید و فعال کردن").click()

    expect(page).to_have_url(f"{live_server.url}/accounts/two-factor/codes/")
    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    assert re.fullmatch(r"[a-z2-7]{4}-[a-z2-7]{4}", codes.first.inner_text())
    page.screenshot(path=screenshots / "two-factor-recovery-codes.png", full_page=True)
    page.get_by_role("link", name="آن‌ها را نگه داشتم؛ ادامه").click()
    expect(page).to_have_url(f"{live_server.url}/contacts/")

    # Out, and in again: the password, then a code.
    page.locator("#user-menu").click()
    page.locator(".dropdown-menu").get_by_role("button", name="خروج", exact=True).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.locator("#id_username").fill(manager.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/code/")
    # The code that confirmed the app is spent; the app's next one is accepted.
    page.locator("#id_code").fill(app_code(key, steps_ahead=1))
    page.screenshot(path=screenshots / "two-factor-code.png", full_page=True)
    page.get_by_role("button", name="تأیید و ورود").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("#user-menu")).to_contain_text("مریم احمدی")
