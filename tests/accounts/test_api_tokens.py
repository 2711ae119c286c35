"""API tokens (issue 21, point 5): each has a name, a creation and last-used time and an
expiry (API_TOKEN_DAYS); a user sees and revokes their own in the preferences (never a
key: it is shown once, to its creator), a manager anyone's on the user's page; a new
password, signing out everywhere, a two-factor reset and a deactivation revoke them all.
Tokens are taken the way integrations take them (POST /api/v1/auth/token) and the
triggers pulled through the pages, by users signed in with their password."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from peyvand.accounts.models import ApiToken
from peyvand.core.text import to_latin_digits
from tests.accounts.conftest import START
from tests.accounts.test_sessions import signed_in, still_in
from tests.accounts.test_two_factor import PASSWORD, text, turn_on

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"


def take_token(username: str, **more) -> dict:
    """What an integration gets for the user's password (and ``more``: a name)."""
    response = Client().post(
        TOKEN_URL, {"username": username, "password": PASSWORD, **more}, **_json()
    )
    assert response.status_code == 200, response.content
    return response.json()


def _json() -> dict:
    return {"content_type": "application/json"}


def me(key: str):
    return Client().get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})


def works(key: str) -> bool:
    response = me(key)
    if response.status_code == 200:
        return True
    assert response.status_code == 401
    assert response.json()["detail"] == (
        "احراز هویت نشد: این توکن معتبر نیست یا باطل شده است؛ با POST"
        " /api/v1/auth/token توکن تازه بگیرید."
    )
    return False


def manager_browser(personas) -> Client:
    return signed_in(personas.manager.username)


def user_form(user, **changes) -> dict:
    """The user page's form as the manager sees it filled, with ``changes``."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "mobile": user.mobile,
        "extension": user.extension,
        "password": "",
        "is_active": "on",
        "groups": [group.pk for group in user.groups.all()],
        "teams": [team.pk for team in user.teams.all()],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# Issue and expiry ---------------------------------------------------------------------


def test_the_token_endpoint_answers_the_name_and_the_expiry(personas, clock):
    issued = take_token("owner", name="همگام‌سازی حسابداری")
    assert issued["name"] == "همگام‌سازی حسابداری"
    expires = datetime.datetime.fromisoformat(issued["expires_at"])
    assert expires == START + datetime.timedelta(days=90)
    token = ApiToken.objects.get(user=personas.owner)
    assert (token.name, token.created_at, token.expires_at) == (
        "همگام‌سازی حسابداری",
        START,
        expires,
    )


def test_a_token_without_a_name_is_named_after_its_client(personas):
    Client().post(
        TOKEN_URL,
        {"username": "owner", "password": PASSWORD},
        headers={"User-Agent": "asterisk-dialplan/1.0"},
        **_json(),
    )
    Client().post(TOKEN_URL, {"username": "owner", "password": PASSWORD}, **_json())
    names = set(ApiToken.objects.filter(user=personas.owner).values_list("name", flat=True))
    assert names == {"asterisk-dialplan/1.0", "توکن API"}


def test_a_token_expires_after_api_token_days(personas, clock, settings):
    settings.API_TOKEN_DAYS = 7
    key = take_token("owner")["token"]
    clock.shift(datetime.timedelta(days=7) - datetime.timedelta(seconds=1))
    assert me(key).status_code == 200
    clock.shift(1)
    response = me(key)
    assert response.status_code == 401
    assert response.json()["detail"] == (
        "احراز هویت نشد: این توکن منقضی شده است؛ با POST /api/v1/auth/token توکن تازه بگیرید."
    )
    # The preferences say so, and a new token is a request away.
    browser = signed_in("owner")
    assert "منقضی شده" in text(browser.get(reverse("accounts:preferences")))
    assert me(take_token("owner")["token"]).status_code == 200


def test_the_last_use_is_written_at_most_once_a_minute(personas, clock):
    key = take_token("owner")["token"]
    token = ApiToken.objects.get(user=personas.owner)
    assert token.last_used_at is None
    me(key)
    token.refresh_from_db()
    assert token.last_used_at == START
    clock.shift(30)
    me(key)
    token.refresh_from_db()
    assert token.last_used_at == START
    clock.shift(31)
    me(key)
    token.refresh_from_db()
    assert token.last_used_at == START + datetime.timedelta(seconds=61)


# The user's own tokens --------------------------------------------------------------------


def test_the_preferences_list_a_users_tokens_and_never_a_key(personas, clock):
    key = take_token("owner", name="سامانه انبار")["token"]
    clock.shift(120)
    me(key)
    other_key = take_token("teammate", name="برنامه همکار")["token"]
    browser = signed_in("owner")
    page = text(browser.get(reverse("accounts:preferences")))
    assert 'id="api-tokens-card"' in page and "سامانه انبار" in page
    assert "برنامه همکار" not in page
    for secret in (key, other_key, ApiToken.hash(key)):
        assert secret not in to_latin_digits(page)  # in either kind of digit
    assert "new-api-token" not in page


def test_a_token_made_in_the_preferences_shows_its_key_once(personas):
    browser = signed_in("owner")
    response = browser.post(reverse("accounts:api_token_create"), {"name": "افزونه ایمیل"})
    assert response.status_code == 302
    page = text(browser.get(response.url))
    token = ApiToken.objects.get(user=personas.owner)
    assert token.name == "افزونه ایمیل"
    shown = page.split('id="new-api-token"')[1].split("<code", 1)[1].split(">", 1)[1]
    key = shown.split("</code>", 1)[0]
    assert ApiToken.hash(key) == token.key_hash
    assert works(key)
    again = text(browser.get(reverse("accounts:preferences")))
    assert key not in to_latin_digits(again) and "افزونه ایمیل" in again


def test_a_token_name_too_long_is_refused_in_persian_and_kept(personas):
    browser = signed_in("owner")
    name = "ن" * 101
    response = browser.post(reverse("accounts:api_token_create"), {"name": name})
    assert response.status_code == 200
    page = text(response)
    assert "حداکثر" in page and name in page
    assert not ApiToken.objects.exists()


def test_a_user_revokes_their_own_token(personas):
    key = take_token("owner", name="سامانه انبار")["token"]
    kept = take_token("owner", name="گزارش‌ساز")["token"]
    browser = signed_in("owner")
    token = ApiToken.objects.get(name="سامانه انبار")
    response = browser.post(reverse("accounts:api_token_revoke", args=[token.pk]))
    assert response.url == reverse("accounts:preferences") + "#api-tokens-card"
    page = text(browser.get(response.url))
    assert "توکن «سامانه انبار» باطل شد." in page
    assert not works(key) and works(kept)


def test_a_rep_can_neither_see_nor_revoke_anothers_token(personas):
    key = take_token("teammate", name="برنامه همکار")["token"]
    token = ApiToken.objects.get(user=personas.teammate)
    rep = signed_in("owner")
    assert rep.post(reverse("accounts:api_token_revoke", args=[token.pk])).status_code == 404
    edit = reverse("accounts:user_edit", args=[personas.teammate.pk])
    assert rep.get(edit).status_code == 403
    assert "برنامه همکار" not in text(rep.get(reverse("accounts:preferences")))
    assert works(key)


def test_a_manager_sees_and_revokes_anyones_token_and_the_history_says_so(personas):
    key = take_token("owner", name="سامانه انبار")["token"]
    manager = manager_browser(personas)
    edit = reverse("accounts:user_edit", args=[personas.owner.pk])
    page = text(manager.get(edit))
    assert "سامانه انبار" in page and key not in page
    token = ApiToken.objects.get(user=personas.owner)
    response = manager.post(reverse("accounts:api_token_revoke", args=[token.pk]))
    assert response.url == edit + "#api-tokens-card"
    page = text(manager.get(edit))
    assert "توکن «سامانه انبار» باطل شد." in page
    assert "«ساخته شد: سامانه انبار»" in page
    assert "«سامانه انبار» ← «باطل شد به دست مدیر»" in page
    assert not works(key)


# What revokes them all ----------------------------------------------------------------------


def test_a_new_password_revokes_the_users_tokens(personas):
    key = take_token("owner")["token"]
    colleague = take_token("teammate")["token"]
    browser = signed_in("owner")
    response = browser.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Tazeh-Ramz-1405",
            "new_password2": "Tazeh-Ramz-1405",
        },
    )
    assert response.url == reverse("accounts:password_change_done")
    assert still_in(browser)
    assert not works(key) and works(colleague)
    assert not ApiToken.objects.filter(user=personas.owner).exists()


def test_a_password_set_by_a_manager_revokes_the_users_tokens(personas):
    key = take_token("owner")["token"]
    manager = manager_browser(personas)
    edit = reverse("accounts:user_edit", args=[personas.owner.pk])
    response = manager.post(edit, user_form(personas.owner, password="Tazeh-Ramz-1405"))
    assert response.status_code == 302
    assert not works(key)
    page = text(manager.get(edit))
    assert "همه باطل شد: تغییر گذرواژه" in page


def test_saving_a_user_without_a_new_password_keeps_their_tokens(personas):
    key = take_token("owner")["token"]
    manager = manager_browser(personas)
    edit = reverse("accounts:user_edit", args=[personas.owner.pk])
    response = manager.post(edit, user_form(personas.owner, last_name="تازه"))
    assert response.status_code == 302
    assert works(key)


def test_deactivating_a_user_revokes_their_tokens(personas):
    key = take_token("owner")["token"]
    manager = manager_browser(personas)
    edit = reverse("accounts:user_edit", args=[personas.owner.pk])
    response = manager.post(edit, user_form(personas.owner, is_active=None))
    assert response.status_code == 302
    assert not works(key)
    assert "همه باطل شد: غیرفعال شدن کاربر" in text(manager.get(edit))
    # Active again, the user has no token back: an old key stays dead.
    personas.owner.refresh_from_db()
    manager.post(edit, user_form(personas.owner, is_active="on"))
    assert not works(key)


def test_signing_out_everywhere_revokes_the_users_tokens(personas):
    key = take_token("owner")["token"]
    colleague = take_token("teammate")["token"]
    browser = signed_in("owner")
    browser.post(reverse("accounts:end_other_sessions"))
    assert still_in(browser)
    assert not works(key) and works(colleague)


def test_a_manager_signing_a_user_out_everywhere_revokes_their_tokens(personas):
    key = take_token("owner")["token"]
    manager = manager_browser(personas)
    manager.post(reverse("accounts:user_end_sessions", args=[personas.owner.pk]))
    assert not works(key)
    page = text(manager.get(reverse("accounts:user_edit", args=[personas.owner.pk])))
    assert "همه باطل شد: خروج از همه دستگاه‌ها" in page
    assert 'id="api-tokens-none"' in page


def test_a_two_factor_reset_revokes_the_users_tokens(personas, clock):
    _device, codes = turn_on(personas.owner)
    key = take_token("owner", otp=codes[0])["token"]
    assert works(key)
    manager = manager_browser(personas)
    manager.post(reverse("accounts:user_two_factor_reset", args=[personas.owner.pk]))
    assert not works(key)


def test_a_revoked_token_stays_revoked_for_the_pbx_webhook_too(personas):
    """The PBX webhook takes the token in the address as well: a revoked one is a 401."""
    key = take_token("owner")["token"]
    signed_in("owner").post(reverse("accounts:end_other_sessions"))
    response = Client().post(f"/api/v1/pbx/calls?token={key}", {"event": "ring"})
    assert response.status_code == 401
    assert "باطل شده" in response.json()["detail"]
