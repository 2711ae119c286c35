"""Timing a page the way the bench scripts do (imported by them as ``pagetiming``)."""

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import connection
from django.test import Client


def measure(client: Client, label: str, url: str, params: dict, repeat: int) -> float:
    """Times ``repeat`` requests as production serves them (after one to warm up): see
    ``measure_call``. Returns the median."""

    def get() -> None:
        response = client.get(url, params)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")

    return measure_call(label, get, repeat)


@dataclass(frozen=True)
class Timing:
    """What ``time_call`` found, in milliseconds: wall time (median, minimum, p95), the
    SQL's median, the query counts seen, the CPU in this process (median) and in the
    PostgreSQL backend (mean, None when it is not on this machine)."""

    median: float
    minimum: float
    p95: float
    sql: float
    counts: tuple[int, ...]
    cpu: float
    db_cpu: float | None


def measure_call(label: str, call: Callable[[], object], repeat: int, using=connection) -> float:
    """Times ``call`` (``time_call``) and prints the median, minimum and p95, the SQL's
    median and the query counts, and the CPU the call took in this process (median) and
    in its PostgreSQL backend (mean; when the server is on this machine): on a busy
    machine the wall times grow with the queue for the cores, the CPU times much less.
    Returns the median."""
    timing = time_call(call, repeat, using)
    print(
        f"  {label:<44} median {timing.median:6.1f} ms  min {timing.minimum:6.1f}"
        f"  p95 {timing.p95:6.1f} ms  of which SQL {timing.sql:5.1f} ms"
        f"  queries {'/'.join(map(str, timing.counts))}  cpu {timing.cpu:5.1f}"
        + (f" + db {timing.db_cpu:4.1f} ms" if timing.db_cpu is not None else " ms"),
        flush=True,
    )
    return timing.median


def time_call(call: Callable[[], object], repeat: int, using=connection) -> Timing:
    """Times ``repeat`` calls (after one to warm up), then repeats them with each query's
    time taken around the database call for their count and SQL time (an execute
    wrapper: Django's captured queries keep whole milliseconds only, and formatting and
    keeping every statement adds time that is not the call's)."""
    call()
    backend = _backend_stat(using)
    timings, cpu_timings, sql_timings, counts = [], [], [], set()
    db_before = _cpu_ticks(backend)
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        call()
        timings.append((time.perf_counter() - started) * 1000)
        cpu_timings.append((time.process_time() - cpu_started) * 1000)
    db_after = _cpu_ticks(backend)
    for _ in range(repeat):
        spent = [0.0, 0]

        def timed(execute, sql, params, many, context, spent=spent):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent[0] += time.perf_counter() - started
                spent[1] += 1

        with using.execute_wrapper(timed):
            call()
        counts.add(spent[1])
        sql_timings.append(spent[0] * 1000)
    timings.sort()
    return Timing(
        median=statistics.median(timings),
        minimum=timings[0],
        p95=timings[max(0, round(len(timings) * 0.95) - 1)],
        sql=statistics.median(sql_timings),
        counts=tuple(sorted(counts)),
        cpu=statistics.median(cpu_timings),
        db_cpu=(
            (db_after - db_before) * 1000 / _TICKS / repeat
            if db_before is not None and db_after is not None
            else None
        ),
    )


_TICKS = os.sysconf("SC_CLK_TCK")


def _backend_stat(using) -> Path | None:
    """/proc/<pid>/stat of the connection's PostgreSQL backend, if it runs here."""
    if using.vendor != "postgresql":
        return None
    with using.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    stat = Path(f"/proc/{pid}/stat")
    return stat if stat.exists() else None


def _cpu_ticks(stat: Path | None) -> int | None:
    """User and system CPU of a process so far, in clock ticks."""
    if stat is None:
        return None
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except OSError:  # a backend on another host, or gone
        return None
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
