"""Production: the settings pass Django's deployment check, static files are served
hashed and compressed, logs can be JSON, and /health/ tells a monitor whether the
database answers and a worker beats."""

import datetime
import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from peyvand.core import workers
from peyvand.core.logs import JsonFormatter
from peyvand.core.models import WorkerHeartbeat

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path) -> dict:
    return {
        **os.environ,
        "PEYVAND_PRODUCTION": "1",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "crm.example.ir",
        "CSRF_TRUSTED_ORIGINS": "https://crm.example.ir",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
    }


def test_the_production_settings_pass_the_deployment_check(tmp_path):
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
    refused = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**production_env(tmp_path), "SECRET_KEY": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode != 0 and "SECRET_KEY must be set" in refused.stderr


@pytest.mark.django_db
def test_health_reports_the_database_and_the_workers_beat(client):
    url = reverse("core:health")
    never = client.get(url)  # anonymous on purpose: monitors do not log in
    assert never.status_code == 503
    assert never.json() == {
        "status": "fail",
        "database": "ok",
        "cache": "ok",
        "worker": "never seen",
    }
    workers.started("test")
    fine = client.get(url)
    assert fine.status_code == 200 and fine.json()["worker"] == "ok"
    # Killed: its beat stops. Dead once WORKER_HEARTBEAT_SECONDS (10 s) have passed.
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - datetime.timedelta(seconds=9))
    assert client.get(url).json()["worker"] == "ok"
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - datetime.timedelta(seconds=11))
    late = client.get(url)
    assert late.status_code == 503 and late.json()["worker"] == "stale"
    assert late.json()["worker_last_beat_seconds_ago"] >= 11
    workers.heartbeat("test")  # beating again
    assert client.get(url).json()["worker"] == "ok"
    workers.stopped("test")  # a clean stop is not waited for
    assert client.get(url).json()["worker"] == "never seen"


@pytest.mark.django_db
def test_health_is_degraded_when_redis_does_not_answer(client, settings):
    """Pages and logins work without Redis (core.cache), so a load balancer must keep
    the server; a monitor still sees the cache is gone."""
    workers.started("test")
    settings.CACHES = {
        "default": {
            "BACKEND": "peyvand.core.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on port 9
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    answer = client.get(reverse("core:health"))
    assert answer.status_code == 200 and answer.json()["status"] == "degraded"
    assert answer.json()["cache"] == "unreachable" and answer.json()["worker"] == "ok"


def test_redis_url_selects_the_cache_that_survives_an_outage(tmp_path):
    env = {**production_env(tmp_path), "REDIS_URL": "redis://127.0.0.1:9/0"}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from peyvand import settings as s; "
            "print(s.CACHES['default']['BACKEND'], s.SESSION_ENGINE)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == [
        "peyvand.core.cache.ResilientRedisCache",
        "django.contrib.sessions.backends.cached_db",
    ]


@pytest.mark.django_db(transaction=True, databases=["default", "reports"])
def test_health_reports_the_replica_without_failing_over_it(client, settings):
    workers.started("test")
    settings.REPORTS_DATABASE = "reports"  # the test mirror of the primary: answers
    fine = client.get(reverse("core:health"))
    assert fine.status_code == 200
    assert fine.json()["status"] == "ok" and fine.json()["reports_database"] == "ok"
    settings.REPORTS_DATABASE = "replica-that-is-gone"  # no such connection
    degraded = client.get(reverse("core:health"))
    assert degraded.status_code == 200
    assert degraded.json()["status"] == "degraded"
    assert degraded.json()["reports_database"] == "unreachable"


def test_logs_can_be_one_json_object_a_line():
    record = logging.LogRecord(
        "peyvand.test", logging.WARNING, __file__, 1, "پیامک %s", ("رفت",), None
    )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "WARNING" and entry["message"] == "پیامک رفت"
    assert entry["logger"] == "peyvand.test" and entry["time"].endswith("+00:00")


def test_the_throttle_counts_in_redis_when_configured(settings):
    """REDIS_URL's cache, against the Redis server on loopback."""
    import redis
    from django.core.cache import caches

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    from peyvand.core import throttle

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
        }
    }
    assert type(caches["default"]).__name__ == "RedisCache"
    # A fresh key, and no clear(): CI's SQLite and PostgreSQL runs share this Redis.
    key = f"track:{secrets.token_hex(4)}"
    assert [throttle.allow(key, limit=2, window_seconds=60) for _ in range(3)] == [
        True,
        True,
        False,
    ]


@pytest.mark.django_db
def test_the_version_shows_in_the_user_menu(client, personas):
    import peyvand
    from peyvand.core.text import to_persian_digits

    client.force_login(personas.owner)
    page = client.get(reverse("core:home")).content.decode()
    assert peyvand.__version__ != "0.0.0"
    shown = to_persian_digits(peyvand.__version__)
    assert f'پیوند نسخه <span dir="ltr">{shown}</span>' in page
