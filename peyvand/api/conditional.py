"""HTTP's own concurrency control on the JSON API, mapped onto core.versions (the one
mechanism against lost updates): a record's ETag is its version (``updated_at``, to the
millisecond); a write sent with ``If-Match`` is refused with 412 when the record was
saved since, exactly where a PUT's ``updated_at`` is refused with 409.

- A GET of a record's own URL (ending with its id) whose JSON has ``updated_at`` carries
  ``ETag``; the same GET with ``If-None-Match`` naming it answers 304 without a body.
- ``If-Match`` on a PUT, PATCH or DELETE is read here (an unreadable one: 400) and the
  operation passes it to its service as the version (``version_of``); ``*`` asks for no
  check. An operation that takes no version documents no If-Match (api.openapi)."""

import contextlib
import datetime
import json
import re

from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from peyvand.core.versions import check_version

WRITES = frozenset({"PUT", "PATCH", "DELETE"})
RECORD_PATH = re.compile(r"/\d+/?$")
UNREADABLE = 'سرآیند If-Match باید ETag همین رکورد باشد (مانند "1733600000000").'
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
MILLISECOND = datetime.timedelta(milliseconds=1)


def etag_of(version: datetime.datetime) -> str:
    """A strong ETag: the version in whole milliseconds since the epoch (integer
    arithmetic: a float would be a millisecond off now and then), quoted."""
    return f'"{(version - EPOCH) // MILLISECOND}"'


def version_from_etag(value: str) -> datetime.datetime | None:
    """The version an ETag names, or None when it names none we made."""
    value = value.strip()
    if value.startswith("W/"):
        value = value[2:]
    if len(value) < 3 or value[0] != '"' or value[-1] != '"' or not value[1:-1].isdigit():
        return None
    try:
        return EPOCH + int(value[1:-1]) * MILLISECOND
    except OverflowError:
        return None


@contextlib.contextmanager
def unless_stale(request, record):
    """One transaction for a write (a delete) that first refuses a stale If-Match."""
    with transaction.atomic():
        check_version(record, getattr(request, "if_match", None))
        yield


def version_of(request, body_version: datetime.datetime | None) -> datetime.datetime | None:
    """The version a write started from: its If-Match, else the body's ``updated_at``."""
    return getattr(request, "if_match", None) or body_version


class ConditionalRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        wanted = request.headers.get("If-Match", "").strip()
        if request.method in WRITES and wanted and wanted != "*":
            version = version_from_etag(wanted.split(",")[0])
            if version is None:
                return JsonResponse({"detail": UNREADABLE}, status=400)
            request.if_match = version
        response = self.get_response(request)
        # Only a record's own URL (it ends with its id) answers a record: lists, reports
        # and the rest are not read again for a version they do not have.
        if (
            request.method == "GET"
            and response.status_code == 200
            and RECORD_PATH.search(request.path)
        ):
            return self._tagged(request, response)
        return response

    def _tagged(self, request, response):
        if not response.get("Content-Type", "").startswith("application/json"):
            return response
        if getattr(response, "streaming", False):
            return response
        try:
            body = json.loads(response.content)
        except ValueError:
            return response
        updated = body.get("updated_at") if isinstance(body, dict) else None
        version = parse_datetime(updated) if isinstance(updated, str) else None
        if version is None:
            return response
        if timezone.is_naive(version):
            version = timezone.make_aware(version)
        tag = etag_of(version)
        if tag in [item.strip() for item in request.headers.get("If-None-Match", "").split(",")]:
            unchanged = HttpResponse(status=304)
            unchanged["ETag"] = tag
            return unchanged
        response["ETag"] = tag
        return response
