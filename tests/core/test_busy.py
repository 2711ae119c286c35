"""One locked table must not hang the site (issue 22, point 4). Web requests carry the
database's lock and statement timeouts (settings.WEB_DATABASE_TIMEOUTS, set in web
processes only); a request that runs into one — or into a database that is away — gets
«سامانه مشغول است، دوباره تلاش کنید» with 503 and Retry-After, a page or, under /api/,
JSON. /health/ answers within its own short timeout while the table stays locked."""

import threading
import time

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from peyvand.core import workers
from tests.api.test_api import token_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class TableLock:
    """Another session holds an ACCESS EXCLUSIVE lock on ``table`` until released, as a
    long migration or a stuck report would."""

    def __init__(self, table: str):
        db = connection.settings_dict
        self.session = psycopg.connect(
            host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"]
        )
        self.session.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')

    def release(self) -> None:
        self.session.rollback()
        self.session.close()


@pytest.fixture
def web_timeouts():
    """This test's connection as a web process makes it (the timeouts are connection
    options, read when it connects)."""
    options = connection.settings_dict["OPTIONS"]
    before = options.get("options", "")
    connection.close()
    options["options"] = before + settings.WEB_DATABASE_TIMEOUTS
    yield
    connection.close()
    options["options"] = before


def test_a_locked_table_answers_busy_instead_of_hanging(personas, web_timeouts):
    token = token_for(Client(), "owner")
    browser = Client(raise_request_exception=False)
    browser.force_login(personas.owner)
    api = Client(raise_request_exception=False)
    workers.started("alive")
    lock = TableLock("contacts_contact")
    try:
        started = time.monotonic()
        page = browser.get(reverse("contacts:list"))
        waited = time.monotonic() - started
        assert page.status_code == 503 and page["Retry-After"] == "5"
        html = page.content.decode()
        assert "سامانه مشغول است، دوباره تلاش کنید." in html
        assert 'lang="fa" dir="rtl"' in html
        # It gave up at the lock timeout (3 s), not at the lock's end.
        assert settings.DB_LOCK_TIMEOUT <= waited < settings.DB_LOCK_TIMEOUT + 5

        answer = api.get("/api/v1/contacts", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 503 and answer["Retry-After"] == "5"
        assert answer.json() == {"detail": "سامانه مشغول است، دوباره تلاش کنید."}

        # /health/ does not touch the locked table and answers at once.
        started = time.monotonic()
        health = Client().get(reverse("core:health"))
        assert health.status_code == 200
        assert time.monotonic() - started < settings.DB_LOCK_TIMEOUT  # not waiting on it
    finally:
        lock.release()
    assert browser.get(reverse("contacts:list")).status_code == 200


def test_health_gives_up_on_a_locked_heartbeat_table_within_its_own_timeout():
    """Its own 2 s limit, not the web's: this connection's lock timeout is 20 s."""
    options = connection.settings_dict["OPTIONS"]
    before = options.get("options", "")
    connection.close()
    options["options"] = before + " -c lock_timeout=20000"
    workers.started("alive")
    lock = TableLock("core_workerheartbeat")
    try:
        started = time.monotonic()
        health = Client().get(reverse("core:health"))
        waited = time.monotonic() - started
    finally:
        lock.release()
        connection.close()
        options["options"] = before
    assert health.status_code == 503 and health.json()["worker"] == "never seen"
    assert waited < 10  # HEALTH_TIMEOUT_MS is 2 s; the connection would wait 20 s


def test_a_request_while_the_database_is_away_is_busy_not_an_error(personas, settings):
    """A database that refuses connections (restarting): nothing listens on the port."""
    browser = Client(raise_request_exception=False)
    browser.force_login(personas.owner)
    options = connection.settings_dict
    port = options["PORT"]
    connection.close()
    options["PORT"] = "9"
    try:
        page = browser.get(reverse("contacts:list"))
        api = Client(raise_request_exception=False).get(
            "/api/v1/contacts", headers={"Authorization": "Bearer any-token"}
        )
    finally:
        connection.close()
        options["PORT"] = port
    assert page.status_code == 503
    assert "سامانه مشغول است" in page.content.decode()
    assert api.status_code == 503 and api.json()["detail"].startswith("سامانه مشغول است")


def test_a_thread_keeps_working_while_another_waits_on_the_lock(personas, web_timeouts):
    """gunicorn runs threads (gthread): a request waiting on a lock holds one thread,
    the others serve pages that do not need the table."""
    browser = Client(raise_request_exception=False)
    browser.force_login(personas.owner)
    lock = TableLock("contacts_contact")
    answers = {}

    def wait_on_lock():
        try:
            answers["contacts"] = browser.get(reverse("contacts:list")).status_code
        finally:
            connection.close()  # this thread's own

    waiting = threading.Thread(target=wait_on_lock)
    waiting.start()
    try:
        time.sleep(0.5)
        assert Client().get(reverse("accounts:login")).status_code == 200
        assert waiting.is_alive()  # still waiting on the lock meanwhile
    finally:
        waiting.join(timeout=30)
        lock.release()
    assert answers["contacts"] == 503
