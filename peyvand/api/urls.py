import functools

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.urls import URLPattern, URLResolver

from peyvand.api.api import api


def _writes_in_one_transaction(view):
    """A write through the API commits only once its answer is built: django-ninja
    serialises the answer after the operation returns, and a relation it reads then from
    a database that has just gone away would turn a stored record into an error answer,
    which a client would send again (a duplicate). Reads run as they are (on SQLite a
    transaction takes the write lock)."""

    @functools.wraps(view)
    def answered(request, *args, **kwargs):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return view(request, *args, **kwargs)
        with transaction.atomic():
            return view(request, *args, **kwargs)

    return answered


def _exempt_from_login_redirect(patterns):
    """Every operation's view writes in one transaction (above). And the API
    authenticates itself (bearer token or session) and answers 401 as JSON;
    LoginRequiredMiddleware must not redirect it to the login page. The description
    (openapi.json) and its docs page (Swagger UI) are public on purpose: they describe
    the endpoints, never data, and integrators read them before they hold a token."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _exempt_from_login_redirect(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            pattern.callback = login_not_required(_writes_in_one_transaction(pattern.callback))
    return patterns


urlpatterns = _exempt_from_login_redirect(api.urls[0])
app_name = "api"
