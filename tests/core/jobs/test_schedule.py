"""Daily jobs: queued once a day, however many workers look at the schedule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pdca.core.jobs.models import Job, ScheduledRun
from pdca.core.jobs.schedule import daily, run_due, schedules

pytestmark = pytest.mark.django_db

daily("test_daily", kind="test_summary", at="06:00", title="Test daily", flavour="plain")


def at(hour: int, minute: int = 0, day: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2030, 1, day, hour, minute))


def names(jobs) -> set[str]:
    return {job.title for job in jobs}


def test_a_daily_job_waits_for_its_hour(queued_only):
    assert "Test daily (2030-01-10)" not in names(run_due(at(5, 59)))
    assert not ScheduledRun.objects.filter(name="test_daily").exists()


def test_a_daily_job_is_queued_once_a_day_with_its_day(queued_only):
    jobs = [j for j in run_due(at(6, 0)) if j.kind == "test_summary"]
    assert [(j.title, j.params, j.requested_by, j.organization) for j in jobs] == [
        ("Test daily (2030-01-10)", {"flavour": "plain", "day": "2030-01-10"}, None, None)
    ]
    assert run_due(at(6, 1)) == []
    assert run_due(at(23, 59)) == []
    run = ScheduledRun.objects.get(name="test_daily")
    assert (run.day, run.job_id) == (dt.date(2030, 1, 10), jobs[0].pk)
    tomorrow = run_due(at(7, 0, day=11))
    assert "Test daily (2030-01-11)" in names(tomorrow)


def test_a_worker_that_finds_the_day_taken_queues_nothing(queued_only):
    ScheduledRun.objects.create(name="test_daily", day=dt.date(2030, 1, 10))
    assert "Test daily (2030-01-10)" not in names(run_due(at(8)))
    assert not Job.objects.filter(kind="test_summary").exists()


def test_two_workers_racing_for_the_day_queue_it_once(queued_only, monkeypatch):
    """The second worker read "not started" before the first one's row committed: its insert
    hits the unique (name, day) row and it queues nothing."""
    real_filter = ScheduledRun.objects.filter

    class Blind:
        def exists(self):
            return False

    run_due(at(6))
    monkeypatch.setattr(ScheduledRun.objects, "filter", lambda **kw: Blind())
    assert run_due(at(6, 1)) == []
    monkeypatch.setattr(ScheduledRun.objects, "filter", real_filter)
    assert Job.objects.filter(kind="test_summary").count() == 1


def test_pdca_schedules_moves_a_job_or_turns_it_off(settings, queued_only):
    settings.PDCA_SCHEDULES = "test_daily=09:30, prune_jobs=off"
    configured = {entry.name: entry.at for entry in schedules()}
    assert configured["test_daily"] == dt.time(9, 30)
    assert "prune_jobs" not in configured
    assert "Test daily (2030-01-10)" not in names(run_due(at(9, 29)))
    assert "Test daily (2030-01-10)" in names(run_due(at(9, 30)))
