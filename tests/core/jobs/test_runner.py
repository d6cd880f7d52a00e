"""Running a job: it runs once however often it is handed to a worker, reports progress,
keeps its file, and says why it failed."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pdca.core.jobs.models import Job
from pdca.core.jobs.runner import execute, recover_stalled, run_inline
from pdca.core.jobs.services import enqueue_job, read_result, submit
from pdca.core.models import ActivityEntry

pytestmark = pytest.mark.django_db


def test_a_job_runs_and_keeps_its_file_with_size_and_digest(personas):
    job = enqueue_job(
        "test_count", organization=personas.org, actor=personas.employee, params={"n": 4}
    )
    assert job.status == Job.Status.SUCCEEDED
    assert job.attempts == 1
    assert job.progress_done == job.progress_total == 4
    assert job.percent == 100
    assert job.progress_message == "Counted to 4."
    assert read_result(job) == b"1\n2\n3\n4"
    assert job.result_name == "count.txt"
    assert job.result_content_type == "text/plain"
    assert job.result_size == 7
    assert job.result_sha256 == hashlib.sha256(b"1\n2\n3\n4").hexdigest()
    assert job.started_at <= job.finished_at
    assert job.task_result_id


def test_enqueueing_is_logged_with_its_kind_and_parameters(personas):
    job = enqueue_job(
        "test_summary", organization=personas.org, actor=personas.employee, params={"x": 1}
    )
    entry = ActivityEntry.objects.get(object_type="core.job", object_id=str(job.pk))
    assert entry.action == "enqueue"
    assert entry.actor == personas.employee
    assert entry.organization == personas.org
    assert entry.changes == {"kind": [None, "test_summary"], "params": [None, {"x": 1}]}
    assert job.result == {"answer": 42}
    assert not job.result_file


def test_a_job_handed_to_workers_twice_runs_once(personas, queued_only):
    job = enqueue_job("test_count", organization=personas.org, actor=personas.manager)
    assert job.status == Job.Status.QUEUED
    submit(job)  # a second task for the same job
    assert execute(job.pk, worker="a") == Job.Status.SUCCEEDED
    assert execute(job.pk, worker="b") == "skipped"
    job.refresh_from_db()
    assert job.attempts == 1
    assert job.worker == "a"


def test_a_running_job_is_not_taken_by_a_second_worker(personas, queued_only):
    job = enqueue_job("test_count", organization=personas.org, actor=personas.manager)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=1)
    assert execute(job.pk, worker="b") == "skipped"
    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress_done) == (Job.Status.RUNNING, 1, 0)


def test_progress_writes_are_throttled(personas, queued_only):
    job = enqueue_job(
        "test_count", organization=personas.org, actor=personas.manager, params={"n": 500}
    )
    with CaptureQueriesContext(connection) as queries:
        execute(job.pk)
    progress_updates = [
        q for q in queries.captured_queries if "progress_done" in q["sql"] and "UPDATE" in q["sql"]
    ]
    # The claim, the first phase, the last step and the finish; none for the 498 in between.
    assert len(progress_updates) <= 5


def test_a_refusal_is_the_jobs_error_in_the_users_words(personas):
    job = enqueue_job(
        "test_fail",
        organization=personas.org,
        actor=personas.employee,
        params={"how": "refused"},
    )
    assert job.status == Job.Status.FAILED
    assert job.error == "Your role may not do this."
    assert job.result == {}
    assert job.finished_at is not None


def test_bad_cells_are_listed_on_the_failed_job(personas):
    job = enqueue_job(
        "test_fail", organization=personas.org, actor=personas.employee, params={"how": "cells"}
    )
    assert job.status == Job.Status.FAILED
    assert job.error == "2 problems in the input; nothing was changed."
    assert job.result == {
        "errors": [
            {"field": "Items!E2", "message": "status 'maybe' is not a status.", "code": "invalid"},
            {"field": "Items!F3", "message": "no", "code": "invalid"},
        ],
        "error_count": 2,
    }


def test_an_unexpected_error_names_the_job_and_is_logged(personas, caplog):
    job = enqueue_job("test_fail", organization=personas.org, actor=personas.employee)
    assert job.status == Job.Status.FAILED
    assert job.error == (
        "The job stopped on an unexpected error (RuntimeError). Retry it; if it fails again, "
        f"tell your administrator (job {job.pk})."
    )
    assert "boom" in caplog.text


def test_a_kind_this_version_does_not_know_fails_clearly(personas, queued_only):
    job = enqueue_job("test_summary", organization=personas.org, actor=personas.manager)
    Job.objects.filter(pk=job.pk).update(kind="retired_kind")
    assert execute(job.pk) == Job.Status.FAILED
    job.refresh_from_db()
    assert job.error == "This version of pdca does not know jobs of the kind 'retired_kind'."


def test_a_job_whose_worker_vanished_is_failed_so_it_can_be_retried(personas, queued_only):
    job = enqueue_job("test_summary", organization=personas.org, actor=personas.manager)
    fresh = enqueue_job(
        "test_summary", organization=personas.org, actor=personas.manager, params={"x": 2}
    )
    long_ago = timezone.now() - dt.timedelta(minutes=61)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, heartbeat_at=long_ago)
    Job.objects.filter(pk=fresh.pk).update(status=Job.Status.RUNNING, heartbeat_at=timezone.now())
    assert recover_stalled(minutes=60) == 1
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "The worker running this job stopped answering for 60 minutes: retry it."
    assert fresh.status == Job.Status.RUNNING


def test_a_job_run_inline_returns_its_outcome_and_stores_nothing(personas):
    steps = []
    job = Job(kind="test_count", params={"n": 2}, requested_by=personas.manager)
    outcome = run_inline(job, echo=lambda done, total, message: steps.append((done, total)))
    assert outcome.content == b"1\n2"
    assert steps == [(0, 2), (1, 2), (2, 2)]
    assert not Job.objects.exists()
