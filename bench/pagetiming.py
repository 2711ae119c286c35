"""Timing a page the way the bench scripts do (imported by them as ``pagetiming``)."""

import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def measure(client: Client, label: str, url: str, params: dict, repeat: int) -> None:
    """Times ``repeat`` requests as production serves them (after one to warm up), then
    repeats them with the queries captured for their count and SQL time: capturing makes
    Django format and keep every statement, which adds milliseconds that are not the
    page's. Prints the median, minimum and p95, the SQL's median and the query counts."""
    client.get(url, params)
    timings, sql_timings, counts = [], [], set()
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, params)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            client.get(url, params)
        counts.add(len(queries))
        sql_timings.append(sum(float(query["time"]) for query in queries.captured_queries) * 1000)
    timings.sort()
    p95 = timings[max(0, round(len(timings) * 0.95) - 1)]
    print(
        f"  {label:<44} median {statistics.median(timings):6.1f} ms  min {timings[0]:6.1f}"
        f"  p95 {p95:6.1f} ms  of which SQL {statistics.median(sql_timings):5.1f} ms"
        f"  queries {'/'.join(map(str, sorted(counts)))}"
    )
