"""Waiting for the bell (the notifications poll) in a browser journey."""

import time

from tests.e2e.conftest import TIMEOUT_MS


def wait_for_the_first_bell_poll(page) -> None:
    """Waits until the bell's first poll has answered (it keeps the newest id it showed
    in sessionStorage). Checked from here with page.evaluate, which DevTools runs outside
    the page's Content-Security-Policy: page.wait_for_function polls inside the page with
    eval, which our policy refuses once its first check comes back false (a CI failure
    whenever the first poll was slower than that check)."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while page.evaluate("sessionStorage.getItem('peyvand.lastNotification')") is None:
        assert time.monotonic() < deadline, "the bell never polled"
        page.wait_for_timeout(50)
