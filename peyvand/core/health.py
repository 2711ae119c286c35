"""/health/: what a load balancer or a monitor asks: can this app server reach the
database and the cache (Redis, when configured: sessions and limits live there), and
has a task worker beaten lately (reminders, SMS and exports depend on one; a live worker
beats every 2 s, a cleanly stopped one is forgotten at once, a killed one is "stale"
after WORKER_HEARTBEAT_SECONDS). 200 when
all hold, 503 otherwise; never any data.

The reports' read replica (REPORTS_DATABASE_URL) is reported too, but its loss answers
200 «degraded»: every page but the reports still works, and a load balancer must not
take every app server out over it."""

import secrets
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connections, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from peyvand.core.workers import last_beat_at

# /health/ answers within about this long even when the database is slow or a table is
# locked: a monitor that waits is no monitor.
HEALTH_TIMEOUT_MS = 2000


@contextmanager
def _short_timeouts(alias: str):
    """On PostgreSQL, a transaction in which no statement waits longer than
    HEALTH_TIMEOUT_MS. (SQLite's transactions take the write lock up front: there the
    reads run on their own.)"""
    if connections[alias].vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute(
            f"SET LOCAL statement_timeout = {HEALTH_TIMEOUT_MS};"
            f" SET LOCAL lock_timeout = {HEALTH_TIMEOUT_MS}"
        )
        yield


def _database(alias: str) -> str:
    try:
        with _short_timeouts(alias), connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception:  # any failure is the answer, not an error page
        return "unreachable"


def _last_beat():
    try:
        with _short_timeouts("default"):
            return last_beat_at()
    except Exception:
        return None


def _cache() -> str:
    """A value written and read back: a cache that drops writes fails too. Its key is
    this check's own, so app servers polled at the same moment cannot read each other's."""
    key = f"health-check:{secrets.token_hex(8)}"
    try:
        cache.set(key, "ok", timeout=10)
        stored = cache.get(key)
        cache.delete(key)
        return "ok" if stored == "ok" else "not storing"
    except Exception:
        return "unreachable"


@login_not_required
@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database("default"), "cache": _cache()}
    beat = _last_beat() if checks["database"] == "ok" else None
    if beat is None:
        checks["worker"] = "never seen"
    else:
        age = (timezone.now() - beat).total_seconds()
        checks["worker"] = "ok" if age <= settings.WORKER_HEARTBEAT_SECONDS else "stale"
        checks["worker_last_beat_seconds_ago"] = max(0, round(age))
    healthy = all(checks[name] == "ok" for name in ("database", "cache", "worker"))
    status = "ok" if healthy else "fail"
    if settings.REPORTS_DATABASE != "default":
        checks["reports_database"] = _database(settings.REPORTS_DATABASE)
        if healthy and checks["reports_database"] != "ok":
            status = "degraded"
    return JsonResponse({"status": status, **checks}, status=200 if healthy else 503)
