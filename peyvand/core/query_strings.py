"""A query string's values, cleaned once before any page or the API reads them.

Filters and search boxes are typed text like any other (core.apps cleans form fields):
a value loses its control and bidi-override characters and its line breaks. Above all,
PostgreSQL refuses a NUL byte in a text parameter, so «?q=%00» was a 500 on every list
with a search box."""

from django.http import HttpRequest, HttpResponse, QueryDict

from peyvand.core.text import clean_typed_text


def _clean(text: str) -> str:
    return clean_typed_text(text, multiline=False)


class CleanQueryStringMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        lists = list(request.GET.lists())
        if any(_clean(key) != key or any(_clean(v) != v for v in values) for key, values in lists):
            cleaned = QueryDict(mutable=True)
            for key, values in lists:
                cleaned.setlist(_clean(key), [_clean(value) for value in values])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)
