"""Concurrent writers for the PostgreSQL tests: calls run in threads released together by
a barrier, each on its own database connection (closed at the end, so the test database
can be dropped)."""

import threading

from django.db import connection


def at_once(*calls) -> list:
    """Runs the calls in threads released together; their results or the exceptions they
    raised, in the calls' order. ``before`` work a call must do first (read a row, say)
    belongs in the call ahead of what it races on: the barrier releases them all at the
    start."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except BaseException as error:  # returned to the test, not swallowed
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
