"""The daily reminders run from the workers' schedule, not cron: once a day, for every
organization, as a platform job whose e-mails are jobs of their own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from pdca.core.jobs.models import Job, ScheduledRun
from pdca.core.jobs.schedule import run_due, schedules
from pdca.improvement.models import Nonconformity
from tests.improvement.factories import make_cast
from tests.improvement.test_notifications import overdue

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(personas, catalog):
    return make_cast(personas)


def test_the_reminders_are_on_the_daily_schedule_at_six():
    entry = {s.name: s for s in schedules()}["capa_reminders"]
    assert (entry.kind, entry.at) == ("capa_reminders", dt.time(6, 0))


def test_the_first_look_after_six_sends_the_days_reminders_once(
    cast, django_capture_on_commit_callbacks
):
    overdue(cast)
    mail.outbox.clear()
    six = timezone.localtime().replace(hour=6, minute=0, second=0, microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        started = [job for job in run_due(six) if job.kind == "capa_reminders"]
    (job,) = started
    job.refresh_from_db()
    assert (job.status, job.organization, job.requested_by) == ("succeeded", None, None)
    assert job.result == {
        "day": six.date().isoformat(),
        "reminders": "Reminded 2 people of 2 overdue nonconformities and 1 overdue actions.",
        "escalated": [],
    }
    assert sorted(m.to[0] for m in mail.outbox) == ["employee@a.example", "process_owner@a.example"]
    assert Job.objects.filter(kind="send_email", status="succeeded").count() == 2
    assert ScheduledRun.objects.get(name="capa_reminders").job_id == job.pk
    with django_capture_on_commit_callbacks(execute=True):
        assert run_due(six + dt.timedelta(hours=3)) == []
    assert Job.objects.filter(kind="capa_reminders").count() == 1
    assert Nonconformity.objects.filter(last_reminder=six.date()).count() == 2
