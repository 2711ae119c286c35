"""A killed task worker (issue 22): /health/ says so within WORKER_HEARTBEAT_SECONDS,
and a live worker's beat marks failed the task rows the dead one left «running» and runs
their recovery — an export or a file reading starts again, an import says how far it
got. A worker that is alive keeps its tasks."""

import datetime
import os
import signal
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from peyvand.accounts.roles import MANAGER
from peyvand.core import workers
from peyvand.core.background_exports import export_file
from peyvand.core.imports import import_file, read_import_file
from peyvand.core.models import ExportJob, ImportJob, WorkerHeartbeat
from tests.core.worker_tasks import hold
from tests.factories import UserFactory
from tests.messaging.fixtures import run_worker, worker_process
from tests.servers import wait_until

LONG_AGO = datetime.timedelta(minutes=1)


def running_on(worker_id: str, task, *args) -> DBTaskResult:
    """``task`` enqueued and claimed by ``worker_id`` a minute ago, as db_worker does."""
    row = DBTaskResult.objects.get(pk=task.enqueue(*args).id)
    row.claim(worker_id)
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=timezone.now() - LONG_AGO)
    return row


def dead(worker_id: str) -> None:
    workers.started(worker_id)
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=timezone.now() - LONG_AGO)


@pytest.mark.django_db(transaction=True)  # the worker runs in this test (run_worker)
def test_a_dead_workers_export_is_made_again_by_a_live_one():
    user = UserFactory(role=MANAGER)
    job = ExportJob.objects.create(user=user, kind="contacts", title="مخاطبان")
    dead("killed")
    row = running_on("killed", export_file, job.pk)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, processed_rows=40)

    assert workers.sweep() == 1
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "peyvand.core.workers.WorkerDied"
    job.refresh_from_db()
    assert job.status == ExportJob.Status.QUEUED and job.processed_rows == 0
    assert workers.sweep() == 0  # taken once

    run_worker()  # the export queued again
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.file


@pytest.mark.django_db
def test_an_export_that_killed_its_worker_twice_gives_up():
    user = UserFactory(role=MANAGER)
    job = ExportJob.objects.create(user=user, kind="contacts", title="مخاطبان")
    dead("killed")
    for _attempt in range(2):
        running_on("killed", export_file, job.pk)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
        workers.sweep()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert job.failure == "ساخت فایل دو بار نیمه‌کاره ماند."


@pytest.mark.django_db
def test_a_file_reading_is_read_again_and_an_import_says_how_far_it_got(
    django_capture_on_commit_callbacks,
):
    user = UserFactory(role=MANAGER)
    reading = ImportJob.objects.create(
        user=user, target="contacts", original_name="a.xlsx", status=ImportJob.Status.READING
    )
    importing = ImportJob.objects.create(
        user=user,
        target="contacts",
        original_name="b.xlsx",
        status=ImportJob.Status.RUNNING,
        total_rows=1200,
        processed_rows=500,
        created_count=480,
        updated_count=3,
    )
    dead("killed")
    running_on("killed", read_import_file, reading.pk)
    running_on("killed", import_file, importing.pk)

    with django_capture_on_commit_callbacks(execute=True):
        assert workers.sweep() == 2
    reading.refresh_from_db()
    assert reading.status == ImportJob.Status.UPLOADED
    assert DBTaskResult.objects.filter(
        task_path=read_import_file.module_path, status=TaskResultStatus.READY
    ).exists()
    importing.refresh_from_db()
    assert importing.status == ImportJob.Status.FAILED and importing.finished_at
    assert importing.failure == (
        "ورود در میانه کار متوقف شد (کارگزار پس‌زمینه از کار افتاد): ۵۰۰ ردیف از ۱۲۰۰ "
        "بررسی شد؛ ۴۸۰ پرونده ساخته و ۳ پرونده به‌روز شد. ردیف‌های بعدی را دوباره وارد کنید."
    )


@pytest.mark.django_db
def test_a_live_workers_tasks_are_left_alone(tmp_path):
    workers.started("alive")
    row = running_on("alive", hold, str(tmp_path / "go"))
    # Claimed just now by a worker with no row yet (it beats before claiming, so this
    # is a worker of the version before heartbeats): not swept before the cutoff either.
    fresh = DBTaskResult.objects.get(pk=hold.enqueue(str(tmp_path / "x")).id)
    fresh.claim("unknown")
    assert workers.sweep() == 0
    row.refresh_from_db()
    fresh.refresh_from_db()
    assert row.status == fresh.status == TaskResultStatus.RUNNING
    # Once the cutoff has passed, the unknown worker's row is a dead one's.
    DBTaskResult.objects.filter(pk=fresh.pk).update(started_at=timezone.now() - LONG_AGO)
    assert workers.sweep() == 1
    assert (tmp_path / "x.recovered").exists()  # its recovery ran


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_is_reported_and_its_task_recovered_within_seconds(
    client, kavenegar, settings, tmp_path
):
    """Two real workers; the one running a task is SIGKILLed. /health/ still says ok (one
    lives), the other one's beat recovers the task within seconds; when the second is
    killed too, /health/ says «stale» within WORKER_HEARTBEAT_SECONDS."""
    settings.WORKER_HEARTBEAT_SECONDS = 2
    env = {"WORKER_HEARTBEAT_SECONDS": "2"}
    pool = [worker_process(kavenegar, "--beat-interval", "0.5", **env) for _ in range(2)]
    try:
        assert wait_until(lambda: len(workers.live_worker_ids()) == 2, 60)
        gate = tmp_path / "gate"
        result = hold.enqueue(str(gate))
        assert wait_until(lambda: (tmp_path / "gate.started").exists(), 30)
        runner = DBTaskResult.objects.get(pk=result.id).worker_ids[-1]
        heartbeat = WorkerHeartbeat.objects.get(worker_id=runner)
        victim = next(p for p in pool if p.pid == heartbeat.pid)
        survivor = next(p for p in pool if p is not victim)
        killed_at = time.monotonic()
        os.kill(victim.pid, signal.SIGKILL)

        assert wait_until(lambda: (tmp_path / "gate.recovered").exists(), 30)
        recovered_after = time.monotonic() - killed_at
        survivor_id = WorkerHeartbeat.objects.get(pid=survivor.pid).worker_id
        assert (tmp_path / "gate.recovered").read_text() == survivor_id
        assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.FAILED
        # Dead after 2 s without a beat, swept after the survivor's own 2 s of beats.
        assert recovered_after < 10
        assert client.get(reverse("core:health")).json()["worker"] == "ok"

        os.kill(survivor.pid, signal.SIGKILL)
        assert wait_until(
            lambda: client.get(reverse("core:health")).json()["worker"] == "stale", 10
        )
        assert survivor.poll() is not None and victim.poll() is not None
    finally:
        for process in pool:
            if process.poll() is None:
                process.kill()
            process.communicate(timeout=10)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_stopped_worker_leaves_health_at_once(client, kavenegar):
    process = worker_process(kavenegar)
    try:
        assert wait_until(lambda: client.get(reverse("core:health")).json()["worker"] == "ok", 60)
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=20)
        assert process.returncode == 0
        assert client.get(reverse("core:health")).json()["worker"] == "never seen"
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10)
