"""The current user's display preferences (calendar, digits, money unit) for the
template filters. Filters cannot see the request, so a middleware puts the preferences
in a context variable for the duration of the request (safe for threads and asyncio)."""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class DisplayPreferences:
    calendar: str = "jalali"
    digits: str = "fa"
    money_unit: str = "rial"


DEFAULT_PREFERENCES = DisplayPreferences()
_current: ContextVar[DisplayPreferences] = ContextVar("display", default=DEFAULT_PREFERENCES)


def current_preferences() -> DisplayPreferences:
    return _current.get()


def activate(preferences: DisplayPreferences):
    return _current.set(preferences)


def deactivate(token) -> None:
    _current.reset(token)


@contextmanager
def for_customers():
    """What a customer receives — the official invoice layout, a statement, the portal —
    reads in Jalali dates and Persian digits, whatever the preferences of the staff member
    who prints or sends it: the public's calendar, as the portal's (preferences_for)."""
    token = activate(
        DisplayPreferences(
            calendar="jalali", digits="fa", money_unit=current_preferences().money_unit
        )
    )
    try:
        yield
    finally:
        deactivate(token)


def site_settings_for(request):
    """The installation settings, read once per request."""
    from peyvand.core.models import SiteSettings

    if not hasattr(request, "_site_settings"):
        request._site_settings = SiteSettings.load()
    return request._site_settings


def preferences_for(request) -> DisplayPreferences:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        # Jalali, whatever the site default: the customer portal's readers are the
        # public, and the API (token calls have no session user) keeps reading the
        # Jalali text it has always read where it is not given ISO dates.
        return DisplayPreferences(money_unit=site_settings_for(request).money_unit)
    return user_preferences(user, request)


def user_preferences(user, request=None) -> DisplayPreferences:
    """A staff member's preferences: the installation's settings read once per request
    when there is one (a background task has none: read here)."""
    if request is not None:
        site = site_settings_for(request)
    else:
        from peyvand.core.models import SiteSettings

        site = SiteSettings.load()
    calendar = site.calendar if user.calendar == "default" else user.calendar
    return DisplayPreferences(calendar=calendar, digits=user.digits, money_unit=site.money_unit)


@contextmanager
def as_user(user):
    """Work done for a user without a request (an export in the background) reads in
    their calendar, digits and money unit, as their pages do."""
    token = activate(user_preferences(user))
    try:
        yield
    finally:
        deactivate(token)


class DisplayPreferencesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Lazy: pages that format nothing (e.g. the unseen-count poll) pay no query.
        token = activate(_LazyPreferences(request))
        try:
            return self.get_response(request)
        finally:
            deactivate(token)


class _LazyPreferences:
    """Resolves the user's preferences on first use, once per request."""

    def __init__(self, request):
        self._request = request
        self._resolved: DisplayPreferences | None = None

    def _get(self) -> DisplayPreferences:
        if self._resolved is None:
            self._resolved = preferences_for(self._request)
        return self._resolved

    @property
    def calendar(self) -> str:
        return self._get().calendar

    @property
    def digits(self) -> str:
        return self._get().digits

    @property
    def money_unit(self) -> str:
        return self._get().money_unit


def localize_digits(text: str) -> str:
    """Text with its digits in the current user's preference (for messages built in
    Python; templates use the fa_number filter, which calls this)."""
    from peyvand.core.text import to_persian_digits

    return to_persian_digits(text) if current_preferences().digits == "fa" else text
