from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver

from peyvand.api.api import api


def _exempt_from_login_redirect(patterns):
    """The API authenticates itself (bearer token or session) and answers 401 as JSON;
    LoginRequiredMiddleware must not redirect it to the login page. The description
    (openapi.json) and its docs page (Swagger UI) are public on purpose: they describe
    the endpoints, never data, and integrators read them before they hold a token."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _exempt_from_login_redirect(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            pattern.callback = login_not_required(pattern.callback)
    return patterns


urlpatterns = _exempt_from_login_redirect(api.urls[0])
app_name = "api"
