import datetime
from dataclasses import dataclass

import pytest
from django.db import connection

from peyvand.accounts.roles import MANAGER, SALES
from tests.factories import ContactFactory, TeamFactory, UserFactory

# Fake SMS providers and a real SMTP server on loopback, for every test that sends.
pytest_plugins = ["tests.messaging.fixtures"]


def pytest_collection_modifyitems(config, items):
    """Which tests run on which database (CI runs the suite on both):
    - marked postgres: they need PostgreSQL features; skipped on SQLite.
    - marked rendering: they read what pages show (digits, words, calendars, widths,
      accessibility), which no database changes: run once, on SQLite.
    - marked journey, and every browser test that is not rendering: they drive the whole
      application (a user's journey in Chromium, every page and operation for every
      role). What they ask of the database is what the views' own tests ask, which run
      on both; they run once, on PostgreSQL, the production database — the rendering
      tests open every page on SQLite (the demo's database) anyway.
    Each database's run stays within CI's time this way (README, «Tests»)."""
    from django.conf import settings

    postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    if postgres:
        skip = pytest.mark.skip(reason="what pages show is checked on SQLite")
        skipped = [item for item in items if "rendering" in item.keywords]
    else:
        skip = pytest.mark.skip(reason="runs on PostgreSQL (set DATABASE_URL)")
        skipped = [
            item
            for item in items
            if "postgres" in item.keywords
            or "journey" in item.keywords
            or ("e2e" in item.keywords and "rendering" not in item.keywords)
        ]
    for item in skipped:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """PostgreSQL's tests commit without waiting for the disk (synchronous_commit=off):
    a test database is thrown away, and its many commits (migrations, transactional
    tests, the browser's live server) are a tenth of a PostgreSQL run otherwise."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.postgresql":
        database["OPTIONS"]["options"] += " -c synchronous_commit=off"


@pytest.fixture(scope="session", autouse=True)
def _flush_by_delete_on_postgresql():
    """A transactional test (a browser journey, real threads) ends with Django's flush,
    which on PostgreSQL is one TRUNCATE of every table: about 0.6 s for 96 tables and
    their 860 indexes (each gets a new file), 150 times a run. A test leaves a few rows,
    and DELETE empties them in milliseconds; the foreign keys are deferred (Django makes
    them so), so the order does not matter, and no trigger of ours acts on a delete."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    ops = type(connection.ops)
    truncate = ops.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [f"{style.SQL_KEYWORD('DELETE FROM')} {self.quote_name(table)};" for table in tables]

    ops.sql_flush = sql_flush
    try:
        yield
    finally:
        ops.sql_flush = truncate


@dataclass
class Personas:
    """STYLE.md's four people: the record's owner, a teammate of the owner, an
    outsider in another team, and a manager who sees everything."""

    owner: object
    teammate: object
    outsider: object
    manager: object


@pytest.fixture
def personas(db) -> Personas:
    owner = UserFactory(username="owner", role=SALES)
    teammate = UserFactory(username="teammate", role=SALES)
    outsider = UserFactory(username="outsider", role=SALES)
    manager = UserFactory(username="boss", role=MANAGER)
    TeamFactory(name="فروش").members.add(owner, teammate)
    TeamFactory(name="فروش شعبه").members.add(outsider)
    return Personas(owner, teammate, outsider, manager)


@pytest.fixture
def contact(personas):
    return ContactFactory(owner=personas.owner, name="علی کریمی", company="صنایع مهرگان")


@pytest.fixture(autouse=True)
def _no_worker_in_this_process(monkeypatch):
    """A test that plays a worker (core.workers.started) leaves its id in this process;
    the next test's claims must not carry it."""
    from peyvand.core import workers

    monkeypatch.setattr(workers, "current_worker_id", "")
    monkeypatch.setattr(workers._Pulse, "last_ok", None)
    monkeypatch.setattr(workers._Pulse, "steady_since", None)


@pytest.fixture(autouse=True)
def _today_is_the_days_the_test_starts_on(request):
    """A module's ``TODAY`` is the day its test starts on (Tehran's), not the day the
    module was imported: a run that crossed Tehran's midnight (20:30 UTC) mixed the two —
    a cheque received «today» was dated after the ``TODAY`` its clearing was dated."""
    from django.utils import timezone

    if hasattr(request.module, "TODAY"):
        request.module.TODAY = timezone.localdate()


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """PBKDF2's deliberate slowness costs seconds per test; tests need no such cost."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files (imports, later attachments) go to a fresh folder per test."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_quiet_hours(request):
    """SMS wait through the night's quiet hours (21:00–08:00 Tehran by default), so a
    test that sends SMS would pass or fail by the hour it runs at. Database tests start
    without quiet hours; the tests of the quiet hours set their own."""
    uses_db = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
    } & set(request.fixturenames)
    if not uses_db:
        return
    from peyvand.messaging.models import MessagingSettings

    request.getfixturevalue("db")
    midnight = datetime.time(0, 0)
    MessagingSettings.objects.update_or_create(
        pk=1, defaults={"quiet_start": midnight, "quiet_end": midnight}
    )


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: rate limits (failed logins, the tracking
    page) counted by one test must not lock another out."""
    from django.core.cache import cache

    cache.clear()
    yield
