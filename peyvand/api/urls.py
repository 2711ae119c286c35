from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver

from peyvand.api.api import api


def _exempt_from_login_redirect(patterns):
    """The API authenticates itself (bearer token or session) and answers 401 as JSON;
    LoginRequiredMiddleware must not redirect it to the login page. The docs page keeps
    its own login check."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _exempt_from_login_redirect(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name != "openapi-view":
            pattern.callback = login_not_required(pattern.callback)
    return patterns


urlpatterns = _exempt_from_login_redirect(api.urls[0])
app_name = "api"
