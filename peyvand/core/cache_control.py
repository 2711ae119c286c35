"""Who may keep a copy of an answer, decided in one place for every response.

An answer that carries a signed-in person's data, and every file (exports, PDFs,
attachments, the calendar feed), is ``Cache-Control: private, no-store``: no proxy or
shared cache keeps it, and the browser keeps no copy on disk for the next person at a
shared office computer (or the back button after signing out). Public pages keep their
own caching; static files never reach this (WhiteNoise answers them first, with their
long caching)."""

from django.http import HttpRequest, HttpResponse

PRIVATE = "private, no-store"
# The API's description is public (README); every other API answer is someone's data, or
# a token.
_PUBLIC_API = frozenset({"openapi-json", "openapi-view"})


def _is_private(request: HttpRequest, response: HttpResponse) -> bool:
    if response.has_header("Content-Disposition"):  # a file, signed-in or by a secret link
        return True
    match = request.resolver_match
    if match is not None and match.namespace == "api":
        return match.url_name not in _PUBLIC_API
    if getattr(request, "customer", None) is not None:  # the portal, signed in
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    # Half signed in: a manager setting up the second step (the page shows the secret), a
    # customer past the code choosing whose portal to enter. Any page answered within a
    # session is someone's; a first visit to a public page has none.
    session = getattr(request, "session", None)
    return session is not None and not session.is_empty()


class PrivateResponsesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _is_private(request, response):
            response["Cache-Control"] = PRIVATE
        return response
