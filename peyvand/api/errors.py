"""Every error under /api/ answers JSON with a Persian ``detail``, whatever produced it.

The API's own handlers (api.api) answer what its operations raise; what happens around
them does not reach those handlers: Django's URL resolver (a path that names no
operation: 404), django-ninja's method check (405), and an unhandled exception (Django's
500 page). This middleware turns those HTML or plain-text answers into JSON."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def _detail(request: HttpRequest, status: int) -> str:
    if status == 404:
        return _("پیدا نشد: این نشانی در API نیست.")
    if status == 405:
        return _("روش %(method)s برای این نشانی پذیرفته نیست.") % {"method": request.method}
    if status >= 500:
        return _("خطای درونی سامانه؛ کمی بعد دوباره تلاش کنید.")
    return _("درخواست پذیرفته نشد.")


class JsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
            and not getattr(response, "streaming", False)
        ):
            json_response = JsonResponse(
                {"detail": _detail(request, response.status_code)},
                status=response.status_code,
                json_dumps_params={"ensure_ascii": False},
            )
            for header in ("Allow", "Cache-Control"):
                if response.has_header(header):
                    json_response[header] = response[header]
            return json_response
        return response
