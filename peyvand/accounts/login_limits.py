"""Limits on failed logins, for the login page and the API's token endpoint alike: per
username (guessing one account's password) and per address (trying many accounts)."""

from django.utils.translation import gettext_lazy as _

from peyvand.core import throttle

WINDOW_SECONDS = 15 * 60
PER_USERNAME = 10
PER_ADDRESS = 50
LOCKED_MESSAGE = _("ورودهای ناموفق زیاد بود؛ ۱۵ دقیقه دیگر دوباره امتحان کنید.")


def _keys(request, username: str) -> list[tuple[str, int]]:
    return [
        (f"login-user:{(username or '').strip().lower()}", PER_USERNAME),
        (f"login-address:{throttle.client_address(request)}", PER_ADDRESS),
    ]


def locked(request, username: str) -> bool:
    return any(throttle.exceeded(key, limit=limit) for key, limit in _keys(request, username))


def failed(request, username: str) -> None:
    for key, limit in _keys(request, username):
        throttle.allow(key, limit=limit, window_seconds=WINDOW_SECONDS)
