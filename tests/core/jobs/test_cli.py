"""`pdca jobs list|show|retry|download|ping` and `pdca worker`, run in-process with typer's
CliRunner on the test database (jobs run as they are queued)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pdca.cli import app
from pdca.core.jobs.models import Job
from pdca.core.jobs.services import enqueue_job
from pdca.core.models import ActivityEntry

pytestmark = pytest.mark.django_db


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args], prog_name="pdca")


def flat(result) -> str:
    return " ".join(result.output.split())


def test_the_jobs_help_lists_the_commands():
    result = run("jobs", "--help")
    assert result.exit_code == 0
    for command in ("list", "show", "retry", "download", "ping"):
        assert command in result.output


def test_list_shows_the_latest_jobs_and_filters_them(personas):
    done = enqueue_job("test_count", organization=personas.org, actor=personas.employee)
    failed = enqueue_job("test_fail", organization=personas.other, actor=personas.outsider)
    result = run("jobs", "list")
    assert result.exit_code == 0, result.output
    assert "test_count" in result.output and "test_fail" in result.output
    only = run("jobs", "list", "--status", "failed", "--org", "org-b")
    assert "test_fail" in only.output and "test_count" not in only.output
    assert str(failed.pk) in only.output and str(done.pk) not in only.output.split()
    assert run("jobs", "list", "--status", "lost").exit_code == 2


def test_list_and_show_as_json(personas):
    job = enqueue_job("test_fail", organization=personas.org, actor=personas.employee)
    result = run("jobs", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [
        {
            "id": job.pk,
            "kind": "test_fail",
            "status": "failed",
            "percent": job.percent,
            "organization": "org-a",
            "requested_by": "employee@a.example",
            "created_at": job.created_at.isoformat(),
            "title": job.title,
        }
    ]
    shown = run("jobs", "show", job.pk, "-f", "json")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    assert (data["id"], data["status"], data["attempts"], data["file"]) == (
        job.pk,
        "failed",
        1,
        None,
    )
    job.refresh_from_db()
    assert data["error"] == job.error and "RuntimeError" in data["error"]


def test_show_prints_status_progress_and_the_errors(personas):
    job = enqueue_job(
        "test_fail", organization=personas.org, actor=personas.employee, params={"how": "cells"}
    )
    result = run("jobs", "show", job.pk)
    assert result.exit_code == 0
    assert "Status: failed; attempts: 1" in result.output
    assert "Error: 2 problems in the input; nothing was changed." in result.output
    assert "Items!E2: status 'maybe' is not a status." in result.output
    assert run("jobs", "show", 999999).exit_code == 1


def test_retry_queues_a_failed_job_again_and_logs_it_as_cli(personas):
    job = enqueue_job(
        "test_fail", organization=personas.org, actor=personas.employee, params={"until": 2}
    )
    result = run("jobs", "retry", job.pk)
    assert result.exit_code == 0, result.output
    assert f"Job {job.pk} is done again." in result.output
    entry = ActivityEntry.objects.get(action="retry")
    assert (entry.via, entry.actor) == ("cli", None)
    again = run("jobs", "retry", job.pk)
    assert again.exit_code == 1
    assert "Only a failed job can be retried; this one is done." in flat(again)


def test_download_writes_the_jobs_file(personas, tmp_path, monkeypatch):
    job = enqueue_job(
        "test_count", organization=personas.org, actor=personas.employee, params={"n": 2}
    )
    monkeypatch.chdir(tmp_path)
    assert run("jobs", "download", job.pk).exit_code == 0
    assert (tmp_path / "count.txt").read_bytes() == b"1\n2"
    failed = enqueue_job("test_fail", organization=personas.org, actor=personas.employee)
    result = run("jobs", "download", failed.pk)
    assert result.exit_code == 1
    assert "This job has no file to download." in result.output


def test_ping_says_which_worker_answered(db):
    result = run("jobs", "ping", "--wait", "1")
    assert result.exit_code == 0, result.output
    assert "OK: job" in result.output
    assert Job.objects.get().kind == "ping"


def test_the_worker_refuses_to_start_when_jobs_run_where_they_are_asked_for(db):
    result = run("worker", "--processes", "1")
    assert result.exit_code == 2
    assert "there is nothing for a worker to do" in flat(result)
