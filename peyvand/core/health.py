"""/health/: what a load balancer or a monitor asks: can this app server reach the
database, and has a task worker beaten lately (reminders, SMS and exports depend on
one). 200 when both hold, 503 otherwise; never any data."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from peyvand.core.scheduler import last_beat_at


@login_not_required
@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # any failure is the answer, not an error page
        checks["database"] = "unreachable"
    beat = last_beat_at() if checks["database"] == "ok" else None
    if beat is None:
        checks["worker"] = "never seen"
    else:
        age = (timezone.now() - beat).total_seconds()
        checks["worker"] = "ok" if age <= settings.WORKER_HEARTBEAT_SECONDS else "stale"
        checks["worker_last_beat_seconds_ago"] = max(0, round(age))
    healthy = checks["database"] == "ok" and checks["worker"] == "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "fail", **checks}, status=200 if healthy else 503
    )
