"""A task for the dead-worker tests: it holds its worker until a file appears, and its
recovery leaves a file behind, so a test sees from outside which worker ran it and
that a live one recovered it."""

import time
from pathlib import Path

from django_tasks import task

from peyvand.core import workers


@task()
def hold(path: str) -> None:
    Path(f"{path}.started").touch()
    deadline = time.monotonic() + 120
    while not Path(path).exists() and time.monotonic() < deadline:
        time.sleep(0.05)


@workers.on_interrupted(hold)
def hold_interrupted(path: str) -> None:
    Path(f"{path}.recovered").write_text(workers.current_worker_id)
