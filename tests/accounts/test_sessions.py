"""Signing a user out everywhere: the user from their preferences (other browsers
only), a manager from the user's page, and by themselves a manager's two-factor reset
and a replaced authenticator; each session ends at its next request, on any session
storage, because the hash it carries no longer matches the user's."""

import re
from base64 import b32decode

import pytest
from django.contrib.auth.base_user import AbstractBaseUser
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from peyvand.core.text import to_persian_digits
from tests.accounts.test_two_factor import (
    PASSWORD,
    code_for,
    code_step,
    logged_in,
    password_step,
    text,
    turn_on,
)

pytestmark = pytest.mark.django_db


def signed_in(username: str, code_key: bytes | None = None) -> Client:
    """A browser signed in the way a user does it: the password (and the code)."""
    browser = Client()
    response = password_step(browser, username)
    if code_key is not None:
        response = code_step(browser, code_for(code_key))
    assert response.status_code == 302 and logged_in(browser)
    return browser


def still_in(browser: Client) -> bool:
    response = browser.get(reverse("contacts:list"))
    if response.status_code == 200:
        return True
    assert response.url.startswith(reverse("accounts:login"))
    return False


def test_a_user_signs_out_of_every_other_browser(personas):
    here, laptop, phone = signed_in("owner"), signed_in("owner"), signed_in("owner")
    colleague = signed_in("teammate")
    page = text(here.get(reverse("accounts:preferences")))
    assert "خروج از همه دستگاه‌های دیگر" in page

    response = here.post(reverse("accounts:end_other_sessions"))
    assert "از همه دستگاه‌های دیگر خارج شدید." in text(here.get(response.url))
    assert still_in(here)
    assert not still_in(laptop) and not still_in(phone)
    assert still_in(colleague)
    # The password still works: signing in again is all it takes.
    assert still_in(signed_in("owner"))


def test_a_manager_signs_a_user_out_everywhere_and_the_history_says_so(personas):
    laptop, phone = signed_in("owner"), signed_in("owner")
    manager = Client()
    manager.force_login(personas.manager)
    edit = reverse("accounts:user_edit", args=[personas.owner.pk])
    assert "خروج از همه دستگاه‌ها" in text(manager.get(edit))

    response = manager.post(reverse("accounts:user_end_sessions", args=[personas.owner.pk]))
    assert response.url == edit
    page = text(manager.get(edit))
    assert "از همه دستگاه‌ها خارج شد." in page
    assert "خروج از همه دستگاه‌ها به دست مدیر" in page and str(personas.manager) in page
    assert not still_in(laptop) and not still_in(phone)
    assert still_in(manager)


def test_a_manager_who_signs_themself_out_everywhere_stays_in_here(personas):
    elsewhere = Client()
    elsewhere.force_login(personas.manager)
    manager = Client()
    manager.force_login(personas.manager)
    manager.post(reverse("accounts:user_end_sessions", args=[personas.manager.pk]))
    assert still_in(manager) and not still_in(elsewhere)


def test_only_a_user_manager_may_sign_someone_else_out(personas):
    laptop = signed_in("teammate")
    owner = Client()
    owner.force_login(personas.owner)
    url = reverse("accounts:user_end_sessions", args=[personas.teammate.pk])
    assert owner.post(url).status_code == 403
    assert owner.get(url).status_code == 403
    assert still_in(laptop)


def test_a_two_factor_reset_signs_the_lost_phone_out(personas, clock):
    device, _codes = turn_on(personas.owner)
    lost_phone = signed_in("owner", code_key=device.bin_key)
    assert still_in(lost_phone)
    manager = Client()
    manager.force_login(personas.manager)
    manager.post(reverse("accounts:user_two_factor_reset", args=[personas.owner.pk]))
    assert not still_in(lost_phone)
    assert still_in(manager)


def test_replacing_the_authenticator_asks_the_password_and_ends_other_sessions(personas, clock):
    old, _codes = turn_on(personas.owner)
    here = signed_in("owner", code_key=old.bin_key)
    clock.shift(30)
    other = signed_in("owner", code_key=old.bin_key)
    setup = reverse("accounts:two_factor_setup")
    page = text(here.get(setup))
    assert 'name="password"' in page and "برای اطمینان گذرواژه‌تان را هم بنویسید" in page
    key = b32decode(
        re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    )

    wrong = here.post(setup, {"code": code_for(key), "password": "not-it"})
    assert wrong.status_code == 200 and "گذرواژه درست نیست." in text(wrong)
    # What was typed stays in the form, in the reader's digits (core.digits).
    assert to_persian_digits(code_for(key)) in text(wrong)
    assert TOTPDevice.objects.get(user=personas.owner).key == old.key
    assert still_in(other)

    done = here.post(setup, {"code": code_for(key), "password": PASSWORD})
    assert done.url == reverse("accounts:two_factor_codes")
    assert TOTPDevice.objects.get(user=personas.owner).bin_key == key
    assert still_in(here) and not still_in(other)
    # The first time (nothing to replace) asks the code alone.
    fresh = Client()
    fresh.force_login(personas.teammate)
    assert 'name="password"' not in text(fresh.get(setup))


def test_sessions_from_before_the_upgrade_stay_valid(personas):
    """Until a user is first signed out everywhere, the hash is Django's own, so
    installing this version logs nobody out."""
    assert personas.owner.session_generation == 0
    assert personas.owner.get_session_auth_hash() == AbstractBaseUser._get_session_auth_hash(
        personas.owner
    )
