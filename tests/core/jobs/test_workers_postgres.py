"""Real workers on PostgreSQL: `pdca worker --processes 2` runs two db_worker processes that
compete for the queue; every job runs exactly once, even when it was handed over twice.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/pdca_jobs \
    pytest tests/core/jobs/test_workers_postgres.py
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

from pdca.core.jobs.models import Job
from pdca.core.jobs.services import enqueue_job, submit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="workers on several processes share one PostgreSQL database (set DATABASE_URL "
        "to a PostgreSQL database)",
    ),
]

ROOT = Path(__file__).resolve().parents[3]
DATABASE_QUEUE = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail"]}
}


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
        f"{db['NAME']}"
    )


def test_two_workers_run_each_of_twenty_jobs_exactly_once():
    from django_tasks_db.models import DBTaskResult

    with override_settings(TASKS=DATABASE_QUEUE):
        jobs = [
            enqueue_job(
                "ping",
                organization=None,
                actor=None,
                params={"seconds": 0.2, "n": n},
                title=f"Ping {n}",
            )
            for n in range(20)
        ]
        for job in jobs:
            submit(job)  # each job is in the queue twice
    assert DBTaskResult.objects.count() == 40
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url(),
        "PDCA_TASK_BACKEND": "database",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")]),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pdca.cli",
            "worker",
            "--processes",
            "2",
            "--no-scheduler",
            "--interval",
            "0.1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists():
                break
            if worker.poll() is not None:
                break
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=90)
    log = output.decode(errors="replace")[-3000:]

    finished = {job.pk: job for job in Job.objects.filter(pk__in=[j.pk for j in jobs])}
    assert {job.status for job in finished.values()} == {Job.Status.SUCCEEDED}, log
    assert {job.attempts for job in finished.values()} == {1}, log
    outcomes: dict[int, list[str]] = defaultdict(list)
    for task in DBTaskResult.objects.all():
        assert task.status == "SUCCESSFUL", log
        outcomes[task.return_value["job"]].append(task.return_value["outcome"])
    assert {pk: sorted(o) for pk, o in outcomes.items()} == {
        job.pk: ["skipped", "succeeded"] for job in jobs
    }
    # Both processes took jobs, and each job names the one that ran it.
    runners = {job.worker for job in finished.values()}
    assert len(runners) == 2, runners
    assert {job.result["worker"] for job in finished.values()} == runners
