"""Idempotency keys on the API's creating POSTs (the IETF draft «The Idempotency-Key HTTP
Header Field»): a client that did not hear the answer to a POST sends it again with the
same ``Idempotency-Key`` and gets the first answer back — the record is created once.

A POST under /api/ with the header runs in one transaction with an IdempotentRequest row
(unique per caller and key) inserted first: a repeat that arrives while the first is
still running waits on that row's unique index (PostgreSQL; SQLite serialises writers)
and then finds it. Only a creation (201) is kept; after another answer the key is
forgotten, so a repeat runs again (a refused body created nothing), and a server error
rolls back whatever the request wrote. The same key with
another path or body is refused (422); keys are kept IDEMPOTENCY_HOURS per caller. The
header is optional: without it nothing changes."""

import datetime
import hashlib

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.api.errors import API_PREFIX
from peyvand.api.models import IdempotentRequest

HEADER = "Idempotency-Key"
IDEMPOTENCY_HOURS = 24
REPLAYED = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255


def _scope(request: HttpRequest) -> str:
    authorization = request.headers.get("Authorization", "")
    if authorization:
        return "token:" + hashlib.sha256(authorization.encode()).hexdigest()
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return ""


def _refused(status: int, detail: str) -> JsonResponse:
    return JsonResponse(
        {"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _replay(row: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(bytes(row.body), status=row.status_code, content_type=row.content_type)
    response[REPLAYED] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        scope = _scope(request)
        if not scope:  # no caller to keep it for: the API answers 401 itself
            return self.get_response(request)
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            return _refused(
                400,
                _("سرآیند Idempotency-Key باید متنی یک‌خطی تا %(max)s نویسه باشد.")
                % {"max": MAX_KEY_LENGTH},
            )
        fingerprint = hashlib.sha256(request.path.encode() + b"\n" + request.body).hexdigest()
        with transaction.atomic():
            try:
                with transaction.atomic():
                    row = IdempotentRequest.objects.create(
                        scope=scope, key=key, fingerprint=fingerprint
                    )
            except IntegrityError:
                row = IdempotentRequest.objects.get(scope=scope, key=key)
                if row.fingerprint != fingerprint:
                    return _refused(
                        422,
                        _(
                            "این Idempotency-Key پیش‌تر با درخواست دیگری فرستاده شده است؛"
                            " برای هر درخواست تازه کلید تازه بسازید."
                        ),
                    )
                return _replay(row)
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)  # what a failed request wrote goes too
                return response
            if response.status_code != 201 or getattr(response, "streaming", False):
                row.delete()  # not a creation: nothing to replay, a repeat runs again
                return response
            row.status_code = response.status_code
            row.content_type = response.get("Content-Type", "application/json")
            row.body = response.content
            row.save(update_fields=["status_code", "content_type", "body"])
        return response


def forget_old_keys(now: datetime.datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=IDEMPOTENCY_HOURS)
    return IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()[0]
