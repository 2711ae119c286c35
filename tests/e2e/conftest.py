"""Browser tests: a real headless Chromium (Debian's, never a downloaded one) driven by
Playwright's sync API against pytest-django's live server.

Run them with ``pytest tests/e2e`` (or ``-m e2e``). Without Chromium they are skipped,
unless PEYVAND_REQUIRE_BROWSER=1 (set in CI), which turns the skip into a failure.
"""

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import expect, sync_playwright

from peyvand.accounts.roles import MANAGER, SALES
from tests.factories import UserFactory

PASSWORD = "peyvand-demo"
# How long a step may wait for the page. A passing step waits only as long as it needs;
# the budget is for a busy machine (CI runs two workers, each with its own Chromium and
# server, on two cores), where 5 s was once not enough for a form's answer.
TIMEOUT_MS = 15_000
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def chromium_executable() -> str | None:
    """PEYVAND_CHROMIUM, else Debian's binary (skipping its wrapper script), else PATH."""
    candidates = [os.environ.get("PEYVAND_CHROMIUM"), "/usr/lib/chromium/chromium"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="package")
def browser() -> Iterator:
    """One Chromium for the e2e tests.

    Package scope rather than session scope: while Playwright's sync API is started,
    its asyncio loop counts as *running* in the test thread (it is only parked in a
    greenlet between calls). With session scope the loop would stay "running" for every
    test collected after tests/e2e in a full run, breaking anything there that uses
    asyncio or async_to_sync. With package scope it lives exactly as long as the e2e
    tests; when only tests/e2e runs, that is the whole session.
    """
    executable = chromium_executable()
    if executable is None:
        message = "Chromium not installed (apt-get install chromium)"
        if os.environ.get("PEYVAND_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{message}; PEYVAND_REQUIRE_BROWSER=1 requires it")
        pytest.skip(message)

    # Django refuses ORM calls from a thread with a running event loop
    # (SynchronousOnlyOperation), and Playwright's sync API keeps its loop marked as
    # running in this thread. The ORM calls here are plain sync code (factories, the
    # test's asserts, the transactional flush after each test), not made from a
    # coroutine, so the documented escape hatch is safe. It is set only while the
    # browser is up and restored afterwards, so no other test runs with it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    expect.set_options(timeout=TIMEOUT_MS)
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# What Chromium logs when the Content-Security-Policy blocks something (older versions
# began "Refused to …"; newer ones say "… violates the following Content Security
# Policy directive …").
CSP_VIOLATION_MARKERS = ("Content Security Policy", "Refused to")


@pytest.fixture(autouse=True)
def _no_csp_violations(request) -> Iterator:
    """Fails any browser test whose pages broke the Content-Security-Policy (an inline
    handler, style or script the policy refused): every context the test opens —
    ``page``'s and those a test opens itself with ``browser.new_context`` — reports its
    console here."""
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    violations: list[str] = []
    new_context = browser.new_context

    def note(message) -> None:
        if any(marker in message.text for marker in CSP_VIOLATION_MARKERS):
            violations.append(f"{message.page.url if message.page else ''}: {message.text}")

    # The service worker installs itself beside the test's first pages and fetches the
    # app's static files from the live server, requests no page event reports. On SQLite
    # the server's threads share the test's one in-memory connection, and a request beside
    # a form's write can deadlock it (as the bell's poll, _no_polling_on_sqlite); on
    # PostgreSQL a form's POST once never left the page while it installed (twice a
    # 15-second timeout in test_an_impossible_date_is_refused…, once on each database).
    # Only a test marked «service_worker» (installing, the offline page) lets it run,
    # on PostgreSQL.
    wanted = request.node.get_closest_marker("service_worker")
    workers = "allow" if wanted and connection.vendor == "postgresql" else "block"

    def watched_context(*args, **kwargs):
        kwargs.setdefault("service_workers", workers)
        # No step may depend on how long an animation takes (Bootstrap's smooth scroll,
        # the dialog's fade): pages run as for a user who asked for reduced motion.
        kwargs.setdefault("reduced_motion", "reduce")
        context = new_context(*args, **kwargs)
        context.on("console", note)
        return context

    browser.new_context = watched_context
    try:
        yield
    finally:
        del browser.new_context
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations))


FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item.stash[FAILED] = True
    return report


@pytest.fixture
def page(browser, live_server, request) -> Iterator:
    """A fresh context and page per test on a laptop-sized screen; ``page.goto`` takes
    paths relative to the live server. When the test fails, what the page showed, its
    HTML and the requests still unanswered are kept in var/screenshots/<vendor>/failed/:
    a failure seen once in CI must say what it waited for."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 800},
        locale="fa-IR",
        timezone_id="Asia/Tehran",
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    pending: dict = {}
    page.on("request", lambda r: pending.__setitem__(id(r), f"{r.method} {r.url}"))
    page.on("requestfinished", lambda r: pending.pop(id(r), None))
    page.on("requestfailed", lambda r: pending.pop(id(r), None))
    try:
        yield page
    finally:
        if request.node.stash.get(FAILED, False):
            _keep_failure(page, request.node.name, list(pending.values()))
        context.close()


def _keep_failure(page, name: str, pending: list[str]) -> None:
    folder = SCREENSHOTS / connection.vendor / "failed"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=folder / f"{name}.png", full_page=True, timeout=5_000)
        (folder / f"{name}.html").write_text(page.content(), encoding="utf-8")
    except Exception as error:  # the test's own failure is what matters, not this
        pending.append(f"(page not saved: {error})")
    text = f"{page.url}\n" + "\n".join(pending) + "\n"
    (folder / f"{name}.pending.txt").write_text(text, encoding="utf-8")
    # Also in the failure's report («Captured stderr teardown»): CI keeps only its output.
    print(f"page at failure, and requests unanswered:\n{text}", file=sys.stderr)


@pytest.fixture(autouse=True)
def _no_polling_on_sqlite(settings):
    """On SQLite the live server's threads share the test's one in-memory connection,
    and a background request (the bell's poll) beside a form's write can deadlock it.
    The bell's own journey runs on PostgreSQL, where each thread has its connection."""
    if connection.vendor == "sqlite":
        settings.NOTIFICATION_POLL_SECONDS = 0


@pytest.fixture
def screenshots() -> Path:
    """var/screenshots/<sqlite|postgresql>: CI runs both databases at once, and a journey
    reads back the PDF pages it wrote."""
    from django.db import connection

    folder = SCREENSHOTS / connection.vendor
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def manager(transactional_db):
    return UserFactory(username="modir", first_name="مریم", last_name="احمدی", role=MANAGER)


@pytest.fixture
def rep(transactional_db):
    return UserFactory(username="karshenas", first_name="رضا", last_name="رضایی", role=SALES)


@pytest.fixture
def log_in(page, live_server):
    """Logs in through the real login form and waits for the home page."""

    def log_in(user, password: str = PASSWORD):
        page.goto("/accounts/login/")
        page.locator("#id_username").fill(user.username)
        page.locator("#id_password").fill(password)
        page.locator("form button[type=submit]").click()
        expect(page).to_have_url(f"{live_server.url}/")
        # The URL changes when the home page's response arrives, before its scripts have
        # run: a key pressed then (the quick menu's «+») would reach no handler.
        page.wait_for_load_state("load")
        return page

    return log_in
