"""/health/: what a load balancer or a monitor asks: can this app server reach the
database and the cache (Redis, when configured: sessions and limits live there), and
has a task worker beaten lately (reminders, SMS and exports depend on one; a live worker
beats every 2 s, a cleanly stopped one is forgotten at once, a killed one is "stale"
after WORKER_HEARTBEAT_SECONDS). 200 when
the database and a worker answer, 503 otherwise; never any data.

Redis and the reports' read replica (REPORTS_DATABASE_URL) are reported too, but their
loss answers 200 «degraded»: without Redis every page and login still works (core.cache
answers as a miss: sessions come from the database, throttles fail open), without the
replica every page but the reports does, and a load balancer must not take every app
server out over either."""

import secrets
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connections, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from peyvand.core.workers import last_beat_age

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


def _last_beat_age() -> float | None:
    try:
        with _short_timeouts("default"):
            return last_beat_age()
    except Exception:
        return None


def _cache() -> str:
    """A value written and read back: a cache that drops writes fails too. Its key is
    this check's own, so app servers polled at the same moment cannot read each other's.
    Redis is asked directly (within its socket timeout), past core.cache's breaker, whose
    misses would read as «not storing» and whose pauses would hide Redis's return."""
    probed = getattr(cache, "unguarded", cache)
    key = f"health-check:{secrets.token_hex(8)}"
    try:
        probed.set(key, "ok", timeout=10)
        stored = probed.get(key)
        probed.delete(key)
        return "ok" if stored == "ok" else "not storing"
    except Exception:
        return "unreachable"


@login_not_required
@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database("default"), "cache": _cache()}
    age = _last_beat_age() if checks["database"] == "ok" else None
    if age is None:
        checks["worker"] = "never seen"
    else:
        checks["worker"] = "ok" if age <= settings.WORKER_HEARTBEAT_SECONDS else "stale"
        checks["worker_last_beat_seconds_ago"] = round(age)
    if settings.REPORTS_DATABASE != "default":
        checks["reports_database"] = _database(settings.REPORTS_DATABASE)
    healthy = checks["database"] == "ok" and checks["worker"] == "ok"
    if not healthy:
        status = "fail"
    elif checks["cache"] == "ok" and checks.get("reports_database", "ok") == "ok":
        status = "ok"
    else:
        status = "degraded"
    return JsonResponse({"status": status, **checks}, status=200 if healthy else 503)
